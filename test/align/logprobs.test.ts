/**
 * Sequence log-probs and KL estimators (src/align/logprobs.ts) against independent references: log-softmax by
 * hand in float64, the gradient of tfjs's own log-softmax composed with a one-hot product, the chapter-04
 * cross-entropy (mean −log-prob over every position), exact expectations of the KL estimators over small
 * distributions, and padding that must not change a row's log-prob.
 */
import * as assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import {
  checkReference,
  klPerToken,
  maskedMean,
  maskedSum,
  sequenceKl,
  sequenceLogProbs,
  shiftMask,
  targetLogProbs,
  tokenLogProbs,
} from "../../src/align";
import { initBackend } from "../../src/backend";
import { GPT } from "../../src/model";
import { tinyConfig } from "./fixture";
import { Rng } from "../../src/random";
import { crossEntropy } from "../../src/train";

const TINY = tinyConfig(23, 12);

before(async () => {
  await initBackend({ quiet: true });
});

function logSoftmax64(row: ArrayLike<number>): number[] {
  const max = Math.max(...Array.from(row));
  let z = 0;
  for (let i = 0; i < row.length; i++) z += Math.exp(row[i] - max);
  return Array.from(row, (v) => v - max - Math.log(z));
}

function randomIds(rng: Rng, B: number, T: number, V: number): number[][] {
  return Array.from({ length: B }, () => Array.from({ length: T }, () => rng.int(V)));
}

describe("align: token and sequence log-probs", () => {
  it("targetLogProbs equals log-softmax by hand, and its gradient equals autodiff of logSoftmax·onehot", () => {
    const rng = new Rng(1);
    const [B, T, V] = [2, 3, 7];
    const z = Array.from({ length: B * T * V }, () => rng.normal(0, 3));
    const y = randomIds(rng, B, T, V);
    const logits = tf.tensor3d(z, [B, T, V]);
    const targets = tf.tensor2d(y, [B, T], "int32");
    const got = targetLogProbs(logits, targets).arraySync() as number[][];
    for (let b = 0; b < B; b++)
      for (let t = 0; t < T; t++) {
        const ref = logSoftmax64(z.slice((b * T + t) * V, (b * T + t + 1) * V))[y[b][t]];
        assert.ok(Math.abs(got[b][t] - ref) < 1e-5, `[${b},${t}] ${got[b][t]} vs ${ref}`);
      }
    const w = tf.tensor2d([
      [1, -2, 0.5],
      [0.3, 1, -1],
    ]);
    const ours = tf.grad((l: tf.Tensor) => tf.sum(tf.mul(targetLogProbs(l as tf.Tensor3D, targets), w)))(
      logits,
    );
    const ref = tf.grad((l: tf.Tensor) =>
      tf.sum(tf.mul(tf.sum(tf.mul(tf.logSoftmax(l), tf.oneHot(targets, V)), -1), w)),
    )(logits);
    const a = ours.dataSync();
    const r = ref.dataSync();
    for (let i = 0; i < a.length; i++)
      assert.ok(Math.abs(a[i] - r[i]) < 1e-5, `grad ${i}: ${a[i]} vs ${r[i]}`);
    tf.dispose([logits, targets, w, ours, ref]);
  });

  it("tokenLogProbs is [batch, time − 1] and its mean is minus the cross-entropy (same value and gradients)", () => {
    const model = new GPT(TINY, 3);
    const ids = randomIds(new Rng(2), 3, 9, TINY.vocabSize);
    const before = tf.memory().numTensors;
    const lp = tokenLogProbs(model, ids);
    assert.deepEqual(lp.shape, [3, 8]);
    const x = ids.map((r) => r.slice(0, -1));
    const y = ids.map((r) => r.slice(1));
    const ce = tf.tidy(
      () => crossEntropy(model.forward(x), tf.tensor2d(y, undefined, "int32")).dataSync()[0],
    );
    const mean = tf.tidy(() => tf.mean(lp).dataSync()[0]);
    assert.ok(Math.abs(-mean - ce) < 1e-5, `${-mean} vs ${ce}`);
    lp.dispose();
    const vars = model.variables();
    const ours = tf.variableGrads(() => tf.neg(tf.mean(tokenLogProbs(model, ids))) as tf.Scalar, vars);
    const ref = tf.variableGrads(
      () => crossEntropy(model.forward(x), tf.tensor2d(y, undefined, "int32")),
      vars,
    );
    for (const v of vars) {
      const a = ours.grads[v.name].dataSync();
      const r = ref.grads[v.name].dataSync();
      for (let i = 0; i < a.length; i++)
        assert.ok(Math.abs(a[i] - r[i]) < 1e-5 + 1e-3 * Math.abs(r[i]), `${v.name}[${i}] ${a[i]} vs ${r[i]}`);
    }
    tf.dispose([ours.value, ref.value, ...Object.values(ours.grads), ...Object.values(ref.grads)]);
    assert.equal(tf.memory().numTensors, before);
    model.dispose();
  });

  it("sequenceLogProbs sums the completion tokens only, and right padding does not change a row", () => {
    const model = new GPT(TINY, 4);
    const V = TINY.vocabSize;
    // Row 0: prompt [5, 6, 7], completion [8, 9]. Row 1: prompt [1, 2], completion [3, 4, 5, 6], then padding.
    const ids = [
      [5, 6, 7, 8, 9, 0, 0],
      [1, 2, 3, 4, 5, 6, 0],
    ];
    const mask = [
      [0, 0, 0, 1, 1, 0, 0],
      [0, 0, 1, 1, 1, 1, 0],
    ];
    const got = sequenceLogProbs(model, ids, mask).arraySync();
    const ref = ids.map((row, b) => {
      const n = mask[b].lastIndexOf(1) + 1;
      const logits = model.forward([row.slice(0, n - 1)]);
      const z = logits.dataSync();
      logits.dispose();
      let s = 0;
      for (let t = 1; t < n; t++) if (mask[b][t]) s += logSoftmax64(z.slice((t - 1) * V, t * V))[row[t]];
      return s;
    });
    got.forEach((g, b) => assert.ok(Math.abs(g - ref[b]) < 1e-4, `row ${b}: ${g} vs ${ref[b]}`));
    model.dispose();
  });

  it("sequenceLogProbs trains on this backend: finite gradients reach every parameter", () => {
    const model = new GPT(TINY, 5);
    const ids = tf.tensor2d(randomIds(new Rng(3), 2, 6, TINY.vocabSize), [2, 6], "int32");
    const mask = tf.tensor2d([
      [0, 0, 1, 1, 1, 1],
      [0, 1, 1, 1, 0, 0],
    ]);
    const { value, grads } = tf.variableGrads(
      () => tf.neg(tf.sum(sequenceLogProbs(model, ids, mask))) as tf.Scalar,
      model.variables(),
    );
    for (const v of model.variables()) {
      const g = grads[v.name];
      assert.ok(g, `no gradient for ${v.name}`);
      const d = g.dataSync();
      assert.ok(d.every(Number.isFinite), `${v.name} has a non-finite gradient`);
    }
    assert.ok(tf.sum(tf.abs(grads[model.param("wte.weight").name])).dataSync()[0] > 0);
    tf.dispose([value, ids, mask, ...Object.values(grads)]);
    model.dispose();
  });

  it("masks: shiftMask drops position 0; maskedSum and maskedMean by hand; bad shapes fail clearly", () => {
    const m = shiftMask([
      [0, 0, 1, 1],
      [0, 1, 1, 0],
    ]);
    assert.deepEqual(m.arraySync(), [
      [0, 1, 1],
      [1, 1, 0],
    ]);
    const v = tf.tensor2d([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    assert.deepEqual(Array.from(maskedSum(v, m).dataSync()), [5, 9]);
    assert.deepEqual(Array.from(maskedMean(v, m).dataSync()), [2.5, 4.5]);
    assert.throws(() => maskedSum(v, [[1, 1]]), /shapes differ/);
    const model = new GPT(TINY, 0);
    assert.throws(() => sequenceLogProbs(model, [[1, 2, 3]], [[0, 1]]), /shapes differ/);
    assert.throws(() => sequenceLogProbs(model, [[1, 2, 3]], [[1, 1, 1]]), /position 0/);
    assert.throws(() => tokenLogProbs(model, [[1, 2], [3]]), /pad the rows/);
    assert.throws(() => tokenLogProbs(model, [[1]]), /at least 2 tokens/);
    tf.dispose([m, v]);
    model.dispose();
  });
});

describe("align: KL estimators", () => {
  it("k1, k2, k3 by hand for one token", () => {
    const p = tf.tensor1d([Math.log(0.5)]);
    const q = tf.tensor1d([Math.log(0.25)]);
    const k = (e: "k1" | "k2" | "k3") => klPerToken(p, q, e).dataSync()[0];
    assert.ok(Math.abs(k("k1") - Math.LN2) < 1e-6);
    assert.ok(Math.abs(k("k2") - 0.5 * Math.LN2 ** 2) < 1e-6);
    assert.ok(Math.abs(k("k3") - (0.5 - 1 + Math.LN2)) < 1e-6);
    assert.throws(() => klPerToken(p, q, "k4" as never), /unknown estimator/);
    assert.throws(() => klPerToken(p, tf.tensor1d([1, 2])), /shapes differ/);
  });

  it("k1 and k3 are unbiased: their expectation under π is KL(π ‖ π_ref) exactly; k3 is never negative", () => {
    const pi = [0.5, 0.3, 0.15, 0.05];
    const ref = [0.25, 0.25, 0.25, 0.25];
    const kl = pi.reduce((s, p, i) => s + p * Math.log(p / ref[i]), 0);
    const lp = tf.tensor1d(pi.map(Math.log));
    const lq = tf.tensor1d(ref.map(Math.log));
    for (const e of ["k1", "k3"] as const) {
      const k = klPerToken(lp, lq, e).dataSync();
      const expectation = pi.reduce((s, p, i) => s + p * k[i], 0);
      assert.ok(Math.abs(expectation - kl) < 1e-6, `${e}: ${expectation} vs ${kl}`);
      if (e === "k3") assert.ok(Array.from(k).every((x) => x >= 0));
    }
    assert.ok(
      Array.from(klPerToken(lp, lq, "k1").dataSync()).some((x) => x < 0),
      "k1 goes negative",
    );
  });

  it("sequenceKl sums per-token estimates over the mask", () => {
    const lp = tf.tensor2d([
      [-1, -2, -3],
      [-1, -1, -1],
    ]);
    const lq = tf.tensor2d([
      [-1.5, -2, -2],
      [-2, -1, -1],
    ]);
    const got = Array.from(
      sequenceKl(
        lp,
        lq,
        [
          [1, 1, 0],
          [1, 1, 1],
        ],
        "k1",
      ).dataSync(),
    );
    assert.ok(Math.abs(got[0] - 0.5) < 1e-6 && Math.abs(got[1] - 1) < 1e-6, `${got}`);
  });

  it("checkReference rejects a reference with another vocabulary or the policy itself", () => {
    const a = new GPT(TINY, 0);
    const b = new GPT({ ...TINY, vocabSize: 30 }, 0);
    const c = new GPT(TINY, 1);
    assert.throws(() => checkReference(a, b), /vocabulary of 23 ids, the reference 30/);
    assert.throws(() => checkReference(a, a), /policy itself/);
    checkReference(a, c);
    [a, b, c].forEach((m) => m.dispose());
  });
});
