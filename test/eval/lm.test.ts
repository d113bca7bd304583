/**
 * LM metrics on a tiny random GPT with a byte-level tokenizer: evaluateText's loss against the training loss
 * (`train.crossEntropy` on the same windows, a second method), bits per byte = loss/ln 2 for bytes, multiple-choice
 * sums against per-token log-probabilities, harness-style continuation ids, exact match, and bad input.
 */
import * as assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import { initBackend } from "../../src/backend";
import { GPT } from "../../src/model";
import { tinyConfig } from "../align/fixture";
import { Tokenizer, loadGpt2 } from "../../src/tokenizer";
import { crossEntropy } from "../../src/train";
import {
  continuationIds,
  evaluateText,
  exactMatch,
  multipleChoice,
  normalizeAnswer,
  sequenceTokenLogProbs,
} from "../../src/eval";

const bytes = (): Tokenizer =>
  new Tokenizer({
    vocab: Array.from({ length: 256 }, (_, i) => Uint8Array.of(i)),
    specialTokens: { "<|endoftext|>": 256 },
    name: "bytes",
  });

/** The align tests' one-layer, 16-wide GPT, over 256 bytes plus one end-of-text id. */
const config = tinyConfig(257, 16);

describe("eval/lm", () => {
  let model: GPT;
  before(async () => {
    await initBackend({ quiet: true });
    model = new GPT(config, 1);
  });
  after(() => model.dispose());

  it("evaluateText scores every token once; its loss is the training loss of the same windows", () => {
    const tok = bytes();
    const text = "Call me Ishmael. Some years ago, never mind how long";
    const before = tf.memory().numTensors;
    const r = evaluateText(model, tok, text);
    assert.equal(tf.memory().numTensors, before);
    assert.equal(r.tokens, text.length);
    assert.equal(r.bytes, text.length);
    const ids = [256, ...tok.encode(text)];
    let nats = 0;
    for (let s = 0; s + 1 < ids.length; s += 16) {
      const w = ids.slice(s, s + 17);
      const ce = tf.tidy(() => crossEntropy(model.forward([w.slice(0, -1)]), w.slice(1)).dataSync()[0]);
      nats += ce * (w.length - 1);
    }
    assert.ok(Math.abs(r.loss - nats / r.tokens) < 1e-5, `${r.loss} vs ${nats / r.tokens}`);
    assert.ok(Math.abs(r.bitsPerByte - r.loss / Math.LN2) < 1e-12, "bytes: bits per byte = loss / ln 2");
    assert.ok(Math.abs(r.perplexity - Math.exp(r.loss)) < 1e-9);
    assert.ok(Math.abs(evaluateText(model, tok, [text, text]).loss - r.loss) < 1e-6, "two copies, same mean");
    assert.equal(evaluateText(model, tok, text, { maxTokens: 20 }).tokens, 20);
    assert.throws(() => evaluateText(model, tok, ""), /nothing to score/);
    assert.throws(() => evaluateText(model, loadGpt2(), text), /does not fit the model/);
  });

  it("multiple choice sums the choice's log-probabilities; acc_norm divides by bytes", () => {
    const tok = bytes();
    const items = [
      { context: "The whale", choices: [" swam", " is a big fish"], answer: 0 },
      { context: "Call me", choices: [" Ishmael", " Bob"], answer: 1 },
    ];
    const r = multipleChoice(model, tok, items);
    const [ctx, cont] = [tok.encode("Call me"), tok.encode(" Ishmael")];
    const lp = sequenceTokenLogProbs(model, [[...ctx, ...cont]])[0];
    const sum = lp.slice(ctx.length - 1).reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(r.items[1].logProb[0] - sum) < 1e-9);
    assert.deepEqual(r.items[1].bytes, [8, 4]);
    for (const it of r.items) {
      assert.equal(it.pick, it.logProb[0] >= it.logProb[1] ? 0 : 1);
      assert.equal(it.pickNorm, it.logProb[0] / it.bytes[0] >= it.logProb[1] / it.bytes[1] ? 0 : 1);
    }
    assert.equal(r.chance, 0.5);
    assert.equal(r.acc.estimate, r.items.filter((it, q) => it.pick === items[q].answer).length / 2);
    assert.throws(
      () => multipleChoice(model, tok, [{ context: "a", choices: ["b", "c"], answer: 2 }]),
      /answer 2/,
    );
  });

  it("continuation ids as the harness takes them (a leading space merges with the word)", () => {
    const g = loadGpt2();
    const { context, continuation } = continuationIds(g, "Call me", " Ishmael");
    assert.deepEqual(context, g.encode("Call me"));
    assert.deepEqual(continuation, g.encode(" Ishmael"));
  });

  it("exact match compares normalised greedy outputs", () => {
    const tok = bytes();
    const r = exactMatch(model, tok, [{ prompt: "ab", answer: "zz" }], { maxNewTokens: 3 });
    assert.equal(r.n, 1);
    assert.equal(r.outputs[0].correct, normalizeAnswer(r.outputs[0].output) === "zz");
    assert.equal(normalizeAnswer("  Ishmael \n"), "ishmael");
  });
});
