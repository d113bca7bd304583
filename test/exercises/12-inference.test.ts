/**
 * Graded tasks of chapter 12. References: hand-computed codes, scales and packed bytes; the published KV-cache
 * size of Llama-2-7B (32 layers, width 4096, fp16: 0.5 MiB per token, 2 GiB at 4096 positions); an
 * independent statement of the nucleus (a token stays iff the mass strictly before it in the order is < p) for top-p; and a seeded chi-square test that speculative
 * steps fed draft proposals reproduce the target distribution.
 */
import * as assert from "node:assert/strict";
import { loadChapter, task } from "./harness";
import { Rng } from "../../src/random";
import { chiSquareTest } from "../../src/infer/sampling";
import { closeAbs as close } from "../fixtures/close";

const ch = loadChapter<typeof import("../../solutions/12-inference")>("12-inference");

/** Softmax of logits in float64 (the probabilities top-p filters). */
function softmax(z: number[]): number[] {
  const m = Math.max(...z);
  const e = z.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

/**
 * The nucleus stated per token, with no running loop: token i stays iff the mass of the tokens ranked before it
 * (higher probability, or equal probability and a lower id) is below p; the kept ones are renormalised.
 */
function nucleusReference(probs: number[], p: number): number[] {
  const before = probs.map((pi, i) =>
    probs.reduce((m, pj, j) => (pj > pi || (pj === pi && j < i) ? m + pj : m), 0),
  );
  const kept = probs.map((pi, i) => (before[i] < p ? pi : 0));
  const s = kept.reduce((a, b) => a + b, 0);
  return kept.map((v) => v / s);
}

task("12.absmaxInt8", 2, () => {
  it("quantizes and dequantizes hand values", () => {
    // max |w| = 2.54 → scale 0.02; 1.0 / 0.02 = 50, −2.54 → −127, 0.011 / 0.02 = 0.55 → 1.
    const { q, scale } = ch.quantizeAbsmaxInt8([1.0, -2.54, 0.011, 0]);
    assert.ok(q instanceof Int8Array, "q is an Int8Array");
    assert.deepEqual([...q], [50, -127, 1, 0]);
    close(scale, 0.02, 1e-12, "scale");
    const d = ch.dequantizeAbsmaxInt8(q, scale);
    close(d[0], 1.0, 1e-6, "deq[0]");
    close(d[2], 0.02, 1e-6, "deq[2]");
    assert.deepEqual([...ch.quantizeAbsmaxInt8([0, 0]).q], [0, 0]);
  });
  it("errors stay within half a step on random data", () => {
    const rng = new Rng(3);
    const w = Array.from({ length: 500 }, () => rng.normal());
    const { q, scale } = ch.quantizeAbsmaxInt8(w);
    const d = ch.dequantizeAbsmaxInt8(q, scale);
    w.forEach((v, i) => assert.ok(Math.abs(v - d[i]) <= scale / 2 + 1e-6, `index ${i}`));
  });
});

task("12.int4", 3, () => {
  it("codes, scales, zero points and packing of a hand example", () => {
    // Group 1: [0, 1.5, −1.5, 0.1]: scale 3/15 = 0.2, zero round(7.5) = 8; codes 8, 15 (16 clamped), 1, 9.
    // Group 2: [1, 2, 3, 4]: range widened to [0, 4]: scale 4/15, zero 0; codes 4 (3.75), 8 (7.5→8), 11, 15.
    const g = ch.quantizeGroupwise([0, 1.5, -1.5, 0.1, 1, 2, 3, 4], 4);
    assert.equal(g.packed.length, 4);
    assert.deepEqual([...g.packed], [8 | (15 << 4), 1 | (9 << 4), 4 | (8 << 4), 11 | (15 << 4)]);
    close(g.scales[0], 0.2, 1e-7, "scale 0");
    close(g.scales[1], 4 / 15, 1e-7, "scale 1");
    assert.deepEqual([...g.zeros], [8, 0]);
    const d = ch.dequantizeGroupwise(g);
    close(d[1], 1.4, 1e-6, "1.5 → (15 − 8)·0.2");
    close(d[3], 0.2, 1e-6, "0.1 → (9 − 8)·0.2");
    close(d[7], 4, 1e-6, "4 → 15·4/15");
  });
  it("3-bit codes in a bit stream, and a group size that does not divide the length", () => {
    const g = ch.quantizeGroupwise([0, 7], 2, 3);
    assert.deepEqual([...g.packed], [0 | (7 << 3)]);
    // Eight 3-bit codes fill three bytes; the third code (bits 6–8) straddles bytes 0 and 1. Values 0..7 with
    // range [0, 7]: scale 1, zero 0, codes 0..7. Bit stream (low bit first): 000 100 010 110 001 101 011 111.
    const eight = ch.quantizeGroupwise([0, 1, 2, 3, 4, 5, 6, 7], 8, 3);
    assert.deepEqual([...eight.packed], [0b10001000, 0b11000110, 0b11111010]);
    assert.deepEqual([...ch.dequantizeGroupwise(eight)], [0, 1, 2, 3, 4, 5, 6, 7]);
    assert.throws(() => ch.quantizeGroupwise([1, 2, 3], 2), /divide/);
  });
});

task("12.topP", 2, () => {
  it("keeps the token that crosses p and renormalises", () => {
    const r = ch.topPFilter([0.1, 0.5, 0.3, 0.1], 0.7);
    close(r[1], 0.625, 1e-12, "0.5 / 0.8");
    close(r[2], 0.375, 1e-12, "0.3 / 0.8");
    assert.equal(r[0], 0);
    assert.equal(r[3], 0);
    assert.throws(() => ch.topPFilter([1], 0));
  });
  it("agrees with an independent statement of the nucleus on random distributions", () => {
    const rng = new Rng(8);
    for (let t = 0; t < 20; t++) {
      const logits = Array.from({ length: 30 }, () => rng.normal(0, 2));
      const p = 0.2 + 0.75 * rng.next();
      const probs = softmax(logits);
      const ref = nucleusReference(probs, p);
      const got = ch.topPFilter(probs, p);
      ref.forEach((v, i) => close(got[i], v, 1e-9, `case ${t} token ${i}`));
    }
  });
});

task("12.speculativeStep", 3, () => {
  it("accepts with min(1, p/q) and resamples the residual", () => {
    const p = [0.5, 0.2, 0.2, 0.1];
    const q = [0.1, 0.6, 0.1, 0.2];
    // token 0: p/q = 5 → always accepted.
    assert.deepEqual(ch.speculativeStep(p, q, 0, 0.99, 0), { accepted: true, token: 0 });
    // token 1: p/q = 1/3; u = 0.3 accepts, u = 0.4 rejects. Residual [0.4, 0, 0.1, 0] / 0.5:
    // v = 0.5 → 0.25 < 0.4 → token 0; v = 0.9 → 0.45 > 0.4 → token 2.
    assert.deepEqual(ch.speculativeStep(p, q, 1, 0.3, 0.5), { accepted: true, token: 1 });
    assert.deepEqual(ch.speculativeStep(p, q, 1, 0.4, 0.5), { accepted: false, token: 0 });
    assert.deepEqual(ch.speculativeStep(p, q, 1, 0.4, 0.9), { accepted: false, token: 2 });
    assert.throws(() => ch.speculativeStep([1], [0.5, 0.5], 0, 0, 0));
  });
  it("proposals from q end up distributed exactly as p (seeded chi-square)", () => {
    const p = [0.05, 0.4, 0.15, 0.3, 0.1];
    const q = [0.3, 0.1, 0.2, 0.2, 0.2];
    const rng = new Rng(12);
    const counts = [0, 0, 0, 0, 0];
    for (let i = 0; i < 20000; i++)
      counts[ch.speculativeStep(p, q, rng.categorical(q), rng.next(), rng.next()).token]++;
    const { pValue } = chiSquareTest(counts, p);
    assert.ok(pValue > 0.001, `chi-square p = ${pValue}, counts ${counts}`);
  });
});

task("12.kvCacheBytes", 1, () => {
  it("matches published sizes and rejects bad input", () => {
    // Llama-2-7B: 2·32·4096·2 = 524,288 bytes (0.5 MiB) per token; 2 GiB at 4096 positions.
    assert.equal(ch.kvCacheBytes({ nLayers: 32, positions: 1, dModel: 4096, bytesPerValue: 2 }), 524288);
    assert.equal(ch.kvCacheBytes({ nLayers: 32, positions: 4096, dModel: 4096, bytesPerValue: 2 }), 2 ** 31);
    assert.equal(
      ch.kvCacheBytes({ nLayers: 12, positions: 1024, dModel: 768, bytesPerValue: 4, batch: 8 }),
      603979776,
    );
    assert.throws(
      () => ch.kvCacheBytes({ nLayers: 2, positions: 0, dModel: 8, bytesPerValue: 4 }),
      /positions/,
    );
  });
});
