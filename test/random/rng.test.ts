import * as assert from "node:assert/strict";
import { Rng } from "../../src/random";

describe("random: Rng (xoshiro128**)", () => {
  it("matches the reference C implementation from a known state", () => {
    // Printed by the authors' xoshiro128starstar.c (compiled with gcc) started from s = {1, 2, 3, 4}.
    const rng = Rng.fromState([1, 2, 3, 4]);
    const got = Array.from({ length: 6 }, () => rng.nextUint32());
    assert.deepEqual(got, [11520, 0, 5927040, 70819200, 2031721883, 1637235492]);
    // ... and from a state with high bits set, where JavaScript's signed 32-bit arithmetic could go wrong.
    const hi = Rng.fromState([0x9e3779b9, 0xdeadbeef, 0x12345678, 0xffffffff]);
    const got2 = Array.from({ length: 6 }, () => hi.nextUint32());
    assert.deepEqual(got2, [1162347276, 1472368062, 4030867362, 95343704, 3497588558, 2613181304]);
  });

  it("is reproducible by seed and differs across seeds", () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const c = new Rng(43);
    const sa = Array.from({ length: 20 }, () => a.next());
    assert.deepEqual(
      sa,
      Array.from({ length: 20 }, () => b.next()),
    );
    assert.notDeepEqual(
      sa,
      Array.from({ length: 20 }, () => c.next()),
    );
    assert.ok(sa.every((x) => x >= 0 && x < 1));
  });

  it("resumes the exact stream from getState/setState", () => {
    const a = new Rng(7);
    for (let i = 0; i < 100; i++) a.next();
    const saved = a.getState();
    const rest = Array.from({ length: 10 }, () => a.nextUint32());
    const b = Rng.fromState(saved);
    assert.deepEqual(
      Array.from({ length: 10 }, () => b.nextUint32()),
      rest,
    );
  });

  it("int(n) is uniform (chi-square over 6 bins with a fixed seed)", () => {
    const rng = new Rng(1);
    const counts = new Array(6).fill(0);
    const n = 60000;
    for (let i = 0; i < n; i++) counts[rng.int(6)]++;
    const expected = n / 6;
    const chi2 = counts.reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
    assert.ok(chi2 < 20.5, `chi-square ${chi2.toFixed(2)} over the 99.9% quantile (5 dof): counts ${counts}`);
  });

  it("normal() has mean 0 and variance 1", () => {
    const rng = new Rng(3);
    const n = 50000;
    let sum = 0;
    let sq = 0;
    for (let i = 0; i < n; i++) {
      const z = rng.normal();
      sum += z;
      sq += z * z;
    }
    const mean = sum / n;
    const variance = sq / n - mean * mean;
    assert.ok(Math.abs(mean) < 0.02, `mean ${mean}`);
    assert.ok(Math.abs(variance - 1) < 0.03, `variance ${variance}`);
  });

  it("categorical() follows the weights and never picks a zero weight", () => {
    const rng = new Rng(5);
    const weights = [1, 0, 3, 6];
    const counts = [0, 0, 0, 0];
    const n = 40000;
    for (let i = 0; i < n; i++) counts[rng.categorical(weights)]++;
    assert.equal(counts[1], 0);
    for (const [i, w] of weights.entries()) {
      assert.ok(Math.abs(counts[i] / n - w / 10) < 0.01, `index ${i}: ${counts[i] / n} vs ${w / 10}`);
    }
  });

  it("rejects bad input with a clear message", () => {
    const rng = new Rng(0);
    assert.throws(() => rng.int(0), /integer 1 ≤ n/);
    assert.throws(() => rng.categorical([0, 0]), /all weights are zero/);
    assert.throws(() => rng.categorical([1, -1]), /weight 1 is -1/);
    assert.throws(() => rng.setState([0, 0, 0, 0]), /all-zero/);
    assert.throws(() => new Rng(NaN), /finite/);
  });

  it("shuffle() is a seeded permutation", () => {
    const a = new Rng(9).shuffle([1, 2, 3, 4, 5, 6, 7, 8]);
    const b = new Rng(9).shuffle([1, 2, 3, 4, 5, 6, 7, 8]);
    assert.deepEqual(a, b);
    assert.deepEqual([...a].sort(), [1, 2, 3, 4, 5, 6, 7, 8]);
  });
});
