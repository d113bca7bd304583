import { strict as assert } from "node:assert";
import { Rng } from "../../src/random";
import { LshIndex, chooseBandsRows, lshProbability, lshThreshold } from "../../src/data/lsh";
import { MINHASH_PRIME, MinHasher } from "../../src/data/minhash";

describe("data/lsh: banding", () => {
  it("P(candidate) = 1 − (1 − s^r)^b matches hand-computed values", () => {
    assert.equal(lshProbability(0.5, 2, 2), 1 - 0.75 ** 2); // 0.4375
    assert.ok(Math.abs(lshProbability(0.8, 20, 5) - (1 - (1 - 0.32768) ** 20)) < 1e-15);
    assert.equal(lshProbability(0, 16, 4), 0);
    assert.equal(lshProbability(1, 16, 4), 1);
    assert.ok(Math.abs(lshThreshold(16, 4) - 0.5) < 1e-12);
    assert.throws(() => lshProbability(1.2, 4, 4), /similarity/);
    assert.throws(() => lshProbability(0.5, 0, 4), /positive integers/);
  });

  it("is an S-curve: increasing in s, steepest near (1/b)^(1/r)", () => {
    const b = 20;
    const r = 5;
    let prev = -1;
    let steepest = 0;
    let maxSlope = 0;
    for (let i = 0; i <= 100; i++) {
      const s = i / 100;
      const p = lshProbability(s, b, r);
      assert.ok(p >= prev);
      if (p - prev > maxSlope && i > 0) {
        maxSlope = p - prev;
        steepest = s;
      }
      prev = p;
    }
    assert.ok(Math.abs(steepest - lshThreshold(b, r)) < 0.06, `steepest at ${steepest}`);
  });

  it("matches a simulation with real MinHash signatures and the LSH index (seed 5)", () => {
    const bands = 8;
    const rows = 4;
    const mh = new MinHasher({ numPerm: bands * rows, seed: 5 });
    const rng = new Rng(5);
    const trials = 400;
    for (const s of [0.3, 0.5, 0.7, 0.85]) {
      let hits = 0;
      for (let t = 0; t < trials; t++) {
        // |A ∩ B| = 60, |A ∪ B| = 60 / s: Jaccard exactly s (up to rounding of the private parts)
        const union = Math.round(60 / s);
        const privateA = Math.floor((union - 60) / 2);
        const xs = new Set<number>();
        while (xs.size < union) xs.add(rng.int(MINHASH_PRIME));
        const all = [...xs];
        const a = all.slice(0, 60 + privateA);
        const b = [...all.slice(0, 60), ...all.slice(60 + privateA)];
        const exact = 60 / union;
        const index = new LshIndex(bands, rows);
        index.insert(0, mh.signature(a));
        if (index.query(mh.signature(b)).length > 0) hits++;
        if (t === 0) assert.ok(Math.abs(exact - s) < 0.01);
      }
      const p = lshProbability(60 / Math.round(60 / s), bands, rows);
      const sd = Math.sqrt((p * (1 - p)) / trials);
      assert.ok(
        Math.abs(hits / trials - p) < 4 * sd + 0.01,
        `s=${s}: simulated ${hits / trials}, formula ${p}`,
      );
    }
  });

  it("the index returns exactly the ids that share a band, and all candidate pairs", () => {
    const index = new LshIndex(2, 2);
    index.insert(0, [1, 2, 3, 4]);
    index.insert(1, [1, 2, 9, 9]); // shares band 0 with 0
    index.insert(2, [7, 7, 3, 4]); // shares band 1 with 0
    index.insert(3, [5, 5, 5, 5]);
    assert.deepEqual(index.query([1, 2, 3, 4]), [0, 1, 2]);
    assert.deepEqual(index.query([8, 8, 8, 8]), []);
    assert.deepEqual(
      index
        .candidatePairs()
        .map(([i, j]) => `${i}-${j}`)
        .sort(),
      ["0-1", "0-2"],
    );
    assert.throws(() => index.insert(4, [1, 2, 3]), /fewer than bands × rows/);
  });

  it("chooseBandsRows fits in numPerm and puts the threshold near the target", () => {
    for (const t of [0.5, 0.7, 0.8, 0.9]) {
      const { bands, rows } = chooseBandsRows(128, t);
      assert.ok(bands * rows <= 128);
      assert.ok(Math.abs(lshThreshold(bands, rows) - t) < 0.1, `t=${t}: ${bands}×${rows}`);
    }
  });
});
