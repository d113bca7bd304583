/**
 * Library tests of chapter 07 (src/align): the chat tokens, template errors, vocabulary growth (the new token's
 * logit is the mean of the old logits — linearity of the tied output layer), padded batches, an SFT run that
 * learns a fixed answer with flat tensor counts, chat responses, and the instruction data's splits.
 */
import * as assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import {
  CHAT_SPECIALS,
  IGNORE_INDEX,
  PHRASINGS_PER_TASK,
  extendVocabulary,
  instructionData,
  instructionSources,
  isCorrect,
  normalizeAnswer,
  padBatch,
  renderChat,
  renderForTraining,
  respond,
  rhymePart,
  sft,
  shiftTargets,
  withChatTokens,
} from "../../src/align";
import { initBackend } from "../../src/backend";
import { GPT } from "../../src/model";
import { ASSISTANT, END, USER, byteChatTokenizer, tinyConfig } from "./fixture";

const TINY = tinyConfig(256, 16);

before(async () => {
  await initBackend({ quiet: true });
});

describe("align: chat tokens and template", () => {
  it("adds the four chat tokens after the last id, keeps ordinary ids, and is idempotent", () => {
    const tok = byteChatTokenizer();
    assert.equal(tok.vocabSize, 260);
    assert.deepEqual(
      CHAT_SPECIALS.map((t) => tok.specialTokens[t]),
      [256, 257, 258, 259],
    );
    assert.equal(withChatTokens(tok), tok);
    assert.deepEqual(tok.encodeOrdinary("hi"), [104, 105]);
  });

  it("decodes a rendered chat back to its text with the markers", () => {
    const tok = byteChatTokenizer();
    const r = renderChat(tok, [
      { role: "user", content: "hi" },
      { role: "assistant", content: "yo" },
    ]);
    assert.equal(tok.decode(r.ids), "<|user|>hi<|end|><|assistant|>yo<|end|>");
  });

  it("shifts targets: masked positions get the ignore index", () => {
    const { x, y } = shiftTargets([USER, 104, END, ASSISTANT, 121, END], [0, 0, 0, 0, 1, 1]);
    assert.deepEqual(x, [USER, 104, END, ASSISTANT, 121]);
    assert.deepEqual(y, [IGNORE_INDEX, IGNORE_INDEX, IGNORE_INDEX, 121, END]);
  });

  it("pads a batch on the right with the ignore index; unmasked trains on every real token", () => {
    const tok = byteChatTokenizer();
    const a = renderChat(tok, [
      { role: "user", content: "h" },
      { role: "assistant", content: "y" },
    ]); // 6 tokens
    const b = renderChat(tok, [
      { role: "user", content: "hi" },
      { role: "assistant", content: "yo" },
    ]); // 8 tokens
    const batch = padBatch([a, b], { padId: END });
    assert.deepEqual(batch.x.shape, [2, 7]);
    const y = Array.from(batch.y.dataSync());
    assert.deepEqual(y.slice(0, 7), [-100, -100, -100, 121, END, -100, -100]);
    const un = padBatch([a, b], { padId: END, unmasked: true });
    assert.deepEqual(Array.from(un.y.dataSync()).slice(0, 7), [104, END, ASSISTANT, 121, END, -100, -100]);
    tf.dispose([batch.x, batch.y, un.x, un.y]);
  });
});

describe("align: vocabulary growth", () => {
  it("keeps the old weights and gives each new token the mean logit of the old ones", () => {
    const base = new GPT(TINY, 3);
    const grown = extendVocabulary(base, 260);
    assert.equal(grown.config.vocabSize, 260);
    const ids = [[1, 2, 3, 4]];
    const [old, now] = [base.forward(ids), grown.forward(ids)];
    const o = old.arraySync()[0];
    const n = now.arraySync()[0];
    for (let t = 0; t < 4; t++) {
      for (let v = 0; v < 256; v++) assert.ok(Math.abs(o[t][v] - n[t][v]) < 1e-5, "old logits unchanged");
      const mean = o[t].reduce((s, z) => s + z, 0) / 256;
      for (let v = 256; v < 260; v++) assert.ok(Math.abs(n[t][v] - mean) < 1e-5, "new logit = mean logit");
    }
    tf.dispose([old, now]);
    assert.throws(() => extendVocabulary(base, 100), /must be an integer ≥ the current 256/);
    base.dispose();
    grown.dispose();
  });

  it("grows an untied output projection by the mean column", () => {
    const base = new GPT({ ...TINY, tiedEmbeddings: false }, 1);
    const grown = extendVocabulary(base, 258);
    const head = grown.param("lm_head.weight").arraySync() as number[][];
    const row = head[0];
    const mean = row.slice(0, 256).reduce((s, z) => s + z, 0) / 256;
    assert.ok(Math.abs(row[257] - mean) < 1e-6);
    base.dispose();
    grown.dispose();
  });
});

describe("align: SFT and chat", () => {
  it("learns a fixed answer with the mask, tensors flat, and answers with <|end|>", async function () {
    this.timeout(120_000);
    const tok = byteChatTokenizer();
    const model = extendVocabulary(new GPT(TINY, 0), tok.vocabSize);
    const chats = ["a", "b", "c", "d"].map((q) => [
      { role: "user" as const, content: q },
      { role: "assistant" as const, content: "ok" },
    ]);
    const data = renderForTraining(tok, chats, TINY.contextLength + 1);
    const counts: number[] = [];
    const result = await sft({
      model,
      tokenizer: tok,
      examples: data.examples,
      steps: 60,
      batchSize: 4,
      lr: 1e-2,
      onStep: () => {
        counts.push(tf.memory().numTensors);
      },
    });
    assert.ok(result.losses[result.losses.length - 1] < 0.2 * result.losses[0], `loss ${result.losses}`);
    assert.equal(counts[counts.length - 1], counts[1], "tensor count flat across steps");
    const r = respond(model, tok, [{ role: "user", content: "b" }], { maxNewTokens: 5 });
    assert.equal(r.text, "ok");
    assert.ok(r.finished);
    assert.throws(
      () => respond(model, tok, [{ role: "user", content: "x".repeat(20) }]),
      /exceed the context of 16/,
    );
    model.dispose();
  });

  it("counts conversations cut to the context", () => {
    const tok = byteChatTokenizer();
    const data = renderForTraining(
      tok,
      [
        [
          { role: "user", content: "a long question" },
          { role: "assistant", content: "and answer" },
        ],
      ],
      10,
    );
    assert.equal(data.truncated, 1);
    assert.equal(data.examples[0].ids.length, 10);
  });
});

describe("align: instruction data", () => {
  const data = instructionData(instructionSources(), { seed: 0, trainPerTask: 200, evalPerTask: 20 });

  it("is deterministic and has every trained task, each answer checkable", () => {
    const again = instructionData(instructionSources(), { seed: 0, trainPerTask: 200, evalPerTask: 20 });
    assert.deepEqual(again.train.slice(0, 50), data.train.slice(0, 50));
    assert.deepEqual(data.tasks, ["gender", "sentiment", "rhyme", "century", "count", "reverse"]);
    for (const e of data.train) assert.ok(isCorrect(e, e.answer), `${e.task}: ${e.prompt}`);
    assert.equal(normalizeAnswer(' "Female." '), "female");
  });

  it("keeps held-out items, the held-out phrasing and the held-out task out of training", () => {
    const trained = new Set(data.train.map((e) => `${e.task}|${e.item}`));
    for (const e of data.eval.heldOutItems) assert.ok(!trained.has(`${e.task}|${e.item}`), e.prompt);
    for (const e of data.train) assert.ok(e.phrasing < PHRASINGS_PER_TASK - 1);
    for (const e of data.eval.heldOutPhrasing) assert.equal(e.phrasing, PHRASINGS_PER_TASK - 1);
    assert.ok(data.train.every((e) => e.task !== "repeat"));
    assert.ok(data.eval.heldOutTask.length > 0 && data.eval.heldOutTask.every((e) => e.task === "repeat"));
  });

  it("draws the same training pairs whatever the evaluation sizes", () => {
    const other = instructionData(instructionSources(), { seed: 0, trainPerTask: 200, evalPerTask: 7 });
    assert.deepEqual(other.train, data.train);
    assert.deepEqual(other.eval.seen.slice(0, 3), data.eval.seen.slice(0, 3));
  });

  it("finds rhymes from the last stressed vowel", () => {
    assert.equal(rhymePart(["K", "AE1", "T"]), "AE1 T");
    assert.equal(rhymePart(["D", "IH0", "S", "AY1", "D", "IH0", "D"]), "AY1 D IH0 D");
  });

  it("rejects an unknown task", () => {
    assert.throws(
      () => instructionData(instructionSources(), { tasks: ["poetry" as "gender"] }),
      /unknown task/,
    );
  });
});
