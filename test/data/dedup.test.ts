import { strict as assert } from "node:assert";
import { Rng } from "../../src/random";
import {
  ExactDeduper,
  NearDeduper,
  exactHash,
  exactSimilarPairs,
  measureSCurve,
  nearDuplicatePairs,
  sortedJaccard,
} from "../../src/data/dedup";
import { jaccard, shingleHashes, shingles } from "../../src/data/minhash";
import { smallCrawl } from "./fixture";

function bruteForce(sets: Set<number>[], t: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < sets.length; i++) {
    for (let j = i + 1; j < sets.length; j++) if (jaccard(sets[i], sets[j]) >= t) out.push(`${i},${j}`);
  }
  return out;
}

describe("data/dedup: exact", () => {
  it("ignores case, punctuation and spacing, nothing else", () => {
    assert.equal(
      exactHash("Call me  Ishmael.\n\nSome years ago"),
      exactHash("call me ishmael some years ago!"),
    );
    assert.notEqual(exactHash("Call me Ishmael."), exactHash("Call me Ahab."));
    const d = new ExactDeduper();
    assert.equal(d.check("a", "The whale."), null);
    assert.equal(d.check("b", "the   WHALE"), "a");
    assert.equal(d.check("c", "The ship."), null);
    assert.equal(d.size, 2);
  });
});

describe("data/dedup: exact similar pairs (prefix filtering)", () => {
  it("finds exactly the brute-force pairs on random sets with planted near copies", () => {
    const rng = new Rng(3);
    const sets: Set<number>[] = [];
    for (let i = 0; i < 150; i++) {
      if (i > 0 && rng.next() < 0.4) {
        const base = [...sets[rng.int(sets.length)]];
        const copy = base.filter(() => rng.next() > 0.1);
        for (let k = 0; k < rng.int(8); k++) copy.push(rng.int(5000));
        sets.push(new Set(copy));
      } else sets.push(new Set(Array.from({ length: 20 + rng.int(60) }, () => rng.int(5000))));
    }
    const sorted = sets.map((s) => Uint32Array.from(s).sort());
    // The seeded sets hold 150, 65 and 15 pairs at these thresholds (by brute force).
    for (const [t, n] of [
      [0.5, 150],
      [0.8, 65],
      [0.9, 15],
    ]) {
      const got = exactSimilarPairs(sorted, t).map((p) => `${p.i},${p.j}`);
      const want = bruteForce(sets, t);
      assert.equal(want.length, n, `pairs at J ≥ ${t} by brute force`);
      assert.deepEqual(got, want);
    }
    assert.throws(() => exactSimilarPairs(sorted, 0), /threshold/);
  });
});

describe("data/dedup: MinHash + LSH near duplicates on the generated crawl", () => {
  it("recovers the exact Jaccard ≥ 0.8 pairs (precision 1 with verification, recall ≥ 0.95)", () => {
    const { texts } = smallCrawl();
    const sets = texts.map((t) => shingleHashes(t));
    const truth = new Set(exactSimilarPairs(sets, 0.8).map((p) => `${p.i},${p.j}`));
    assert.equal(truth.size, 179, "pairs of the seeded crawl with J ≥ 0.8");
    const { pairs, candidates } = nearDuplicatePairs(texts, { numPerm: 64, bands: 16, rows: 4, seed: 1 });
    assert.equal(candidates, 243, "LSH candidate pairs (seed 1)");
    const found = pairs.filter((p) => truth.has(`${p.i},${p.j}`)).length;
    assert.equal(found, pairs.length, "a verified pair is below the threshold");
    assert.equal(found, truth.size, `recall ${found / truth.size}: every pair with J ≥ 0.8 found (seed 1)`);
    for (const p of pairs.slice(0, 20)) {
      assert.equal(p.similarity, jaccard(shingles(texts[p.i]), shingles(texts[p.j])));
      assert.equal(p.similarity, sortedJaccard(sets[p.i], sets[p.j]));
    }
  });

  it("the measured S-curve agrees with 1 − (1 − s^r)^b over all pairs with J ≥ 0.2", () => {
    const { texts } = smallCrawl();
    const curve = measureSCurve(texts, { numPerm: 32, bands: 8, rows: 4, bins: 8, seed: 4 });
    assert.equal(curve.length, 8);
    let pairs = 0;
    let cand = 0;
    let expected = 0;
    let variance = 0;
    for (const p of curve) {
      pairs += p.pairs;
      cand += p.candidates;
      if (p.pairs === 0) continue;
      expected += p.predicted * p.pairs;
      variance += p.pairs * p.predicted * (1 - p.predicted);
    }
    assert.equal(pairs, 281, "pairs of the seeded crawl with J ≥ 0.2");
    assert.ok(
      Math.abs(cand - expected) <= 4 * Math.sqrt(variance) + 2,
      `${cand} candidates, ${expected} expected`,
    );
    assert.ok(curve[curve.length - 1].rate > 0.99 && curve[0].rate < 0.3, "not an S-curve");
  });

  it("streaming keeps the first of each near-duplicate group", () => {
    const base = Array.from({ length: 80 }, (_, i) => `word${i}`).join(" ");
    const edited = base.replace("word40", "changed");
    const other = Array.from({ length: 80 }, (_, i) => `other${i}`).join(" ");
    const d = new NearDeduper({ seed: 2, verify: "jaccard" });
    assert.equal(d.check("a", base), null);
    const hit = d.check("b", edited);
    assert.equal(hit?.duplicateOf, "a");
    assert.ok(Math.abs(hit!.similarity - 71 / 81) < 1e-12); // 5 of 76 shingles changed: 71 / (76 + 5)
    assert.equal(d.check("c", other), null);
    assert.equal(d.check("d", ""), null);
  });
});
