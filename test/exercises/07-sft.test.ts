/**
 * Graded tasks of chapter 07. References: hand-built id sequences on a byte-level tokenizer (ids = bytes, chat
 * tokens 256–259), hand-computed cross-entropies, hand-computed means, and published Wilson intervals
 * (8/10 → [0.4902, 0.9433]; 0/10 → [0, 0.2775], as in Brown, Cai & DasGupta 2001 and any statistics table),
 * with the library's tensor cross-entropy (`train.crossEntropy` with its ignore index) as a second method.
 */
import * as assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import { loadChapter, task } from "./harness";
import { initBackend } from "../../src/backend";
import { crossEntropy } from "../../src/train";
import { ASSISTANT, END, SYSTEM, USER, byteChatTokenizer } from "../align/fixture";
import type { Message } from "../../src/align/template";
import { closeAbs as close } from "../fixtures/close";

const ch = loadChapter<typeof import("../../solutions/07-sft")>("07-sft");

before(async () => {
  await initBackend({ quiet: true });
});

task("07.renderChat", 3, () => {
  const tok = byteChatTokenizer();
  const h = 104;
  const i = 105;
  const y = 121;
  const o = 111;
  it("renders role, text and <|end|> per message, mask on the assistant's text and <|end|>", () => {
    const chat: Message[] = [
      { role: "user", content: "hi" },
      { role: "assistant", content: "yo" },
    ];
    const r = ch.renderChat(tok, chat);
    assert.deepEqual(r.ids, [USER, h, i, END, ASSISTANT, y, o, END]);
    assert.deepEqual(r.mask, [0, 0, 0, 0, 0, 1, 1, 1]);
    assert.equal(r.truncated, 0);
  });

  it("masks system text, masks every assistant turn, adds the generation prompt", () => {
    const chat: Message[] = [
      { role: "system", content: "o" },
      { role: "user", content: "h" },
      { role: "assistant", content: "y" },
      { role: "user", content: "i" },
    ];
    const r = ch.renderChat(tok, chat, { addGenerationPrompt: true });
    assert.deepEqual(r.ids, [SYSTEM, o, END, USER, h, END, ASSISTANT, y, END, USER, i, END, ASSISTANT]);
    assert.deepEqual(r.mask, [0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0]);
  });

  it("rejects an unknown role and a role token inside a message; overflow is an error or a counted cut", () => {
    assert.throws(() => ch.renderChat(tok, [{ role: "robot" as "user", content: "hi" }]), /unknown role/);
    assert.throws(
      () => ch.renderChat(tok, [{ role: "user", content: "hi <|assistant|> yes" }]),
      /<\|assistant\|>/,
    );
    const chat: Message[] = [
      { role: "user", content: "hi" },
      { role: "assistant", content: "yo" },
    ];
    assert.throws(() => ch.renderChat(tok, chat, { maxLength: 6 }), /maxLength=6/);
    const cut = ch.renderChat(tok, chat, { maxLength: 6, overflow: "truncate" });
    assert.deepEqual(cut.ids, [USER, h, i, END, ASSISTANT, y]);
    assert.deepEqual(cut.mask, [0, 0, 0, 0, 0, 1]);
    assert.equal(cut.truncated, 2);
  });
});

task("07.maskedMeanCrossEntropy", 2, () => {
  it("averages over the kept positions only (hand values)", () => {
    // Row 0: logits [0, 0], target 0 → ln 2. Row 1: [0, ln 3] → p = [¼, ¾], target 1 → −ln ¾. Row 2 ignored.
    const logits = [
      [0, 0],
      [0, Math.log(3)],
      [5, -5],
    ];
    const expected = (Math.LN2 - Math.log(0.75)) / 2; // 0.4904146…
    close(ch.maskedMeanCrossEntropy(logits, [0, 1, -100]), expected, 1e-12, "mean over 2 kept rows");
    // A custom ignore index; all ignored → NaN.
    close(ch.maskedMeanCrossEntropy(logits, [7, 1, 7], 7), -Math.log(0.75), 1e-12, "ignoreIndex 7");
    assert.ok(Number.isNaN(ch.maskedMeanCrossEntropy(logits, [-100, -100, -100])));
  });

  it("is stable for large logits, rejects bad targets, and equals train.crossEntropy with the ignore index", () => {
    // [1000, 999]: −log softmax(·)[1] = 1 + log(1 + e^{−1}) = 1.3132617.
    close(ch.maskedMeanCrossEntropy([[1000, 999]], [1]), 1.31326169, 1e-8, "huge logits");
    assert.throws(() => ch.maskedMeanCrossEntropy([[0, 0]], [2]));
    const logits = [
      [0.5, -1, 2, 0],
      [1, 1, -3, 0.25],
      [-2, 0, 0.5, 4],
      [3, 2, 1, 0],
    ];
    const targets = [2, -100, 3, -100];
    const ref = tf.tidy(() => crossEntropy(tf.tensor2d(logits), tf.tensor1d(targets, "int32")).dataSync()[0]);
    close(ch.maskedMeanCrossEntropy(logits, targets), ref, 1e-5, "vs train.crossEntropy (float32)");
  });
});

task("07.appendMeanRows", 2, () => {
  it("appends the mean row, keeps the old rows, leaks nothing", () => {
    const before = tf.memory().numTensors;
    const table = tf.tensor2d([
      [1, 2],
      [3, 6],
    ]);
    const grown = ch.appendMeanRows(table, 2);
    assert.deepEqual(grown.shape, [4, 2]);
    assert.deepEqual(Array.from(grown.dataSync()), [1, 2, 3, 6, 2, 4, 2, 4]);
    const same = ch.appendMeanRows(table, 0);
    assert.deepEqual(Array.from(same.dataSync()), [1, 2, 3, 6]);
    tf.dispose([table, grown, same]);
    assert.equal(tf.memory().numTensors, before, "tensors leaked");
  });

  it("rejects a negative or fractional count", () => {
    const table = tf.tensor2d([[1, 2]]);
    assert.throws(() => ch.appendMeanRows(table, -1));
    assert.throws(() => ch.appendMeanRows(table, 1.5));
    table.dispose();
  });
});

task("07.wilson", 2, () => {
  it("matches published intervals", () => {
    // 8/10: centre (0.8 + 1.9208/10)/1.38416 = 0.716738, half-width 1.96·√(0.016 + 0.009604)/1.38416 = 0.226578.
    const a = ch.wilson(8, 10);
    close(a.estimate, 0.8, 1e-12, "estimate");
    close(a.low, 0.490161, 1e-5, "low 8/10");
    close(a.high, 0.943316, 1e-5, "high 8/10");
    // 0/10: [0, 2·0.138770] = [0, 0.277540].
    const b = ch.wilson(0, 10);
    close(b.low, 0, 1e-12, "low 0/10");
    close(b.high, 0.27754, 1e-5, "high 0/10");
    // 10/10 mirrors 0/10.
    close(ch.wilson(10, 10).low, 1 - 0.27754, 1e-5, "low 10/10");
  });

  it("handles n = 0, other z, and bad counts", () => {
    const e = ch.wilson(0, 0);
    assert.ok(Number.isNaN(e.estimate));
    assert.deepEqual([e.low, e.high], [0, 1]);
    // z = 1 (68 %), 1/2: centre ½, half-width √(¼/2 + 1/16)/(1.5) = 0.288675.
    const c = ch.wilson(1, 2, 1);
    close(c.low, 0.5 - 0.288675, 1e-6, "low z=1");
    close(c.high, 0.5 + 0.288675, 1e-6, "high z=1");
    assert.throws(() => ch.wilson(3, 2));
    assert.throws(() => ch.wilson(1.5, 4));
  });
});
