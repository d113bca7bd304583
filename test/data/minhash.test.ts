import { strict as assert } from "node:assert";
import { Rng } from "../../src/random";
import { hashString32 } from "../../src/data/hash";
import {
  MINHASH_PRIME,
  MinHasher,
  jaccard,
  minhashSimilarity,
  shingleHashes,
  shingles,
  textSignature,
  wordHashes,
} from "../../src/data/minhash";
import { sortedJaccard } from "../../src/data/dedup";
import { bareWords } from "../../src/data/text";
import { smallCrawl } from "./fixture";

/** Two random sets over a large universe with exactly `inter` shared and `onlyA`/`onlyB` private elements. */
function setPair(rng: Rng, inter: number, onlyA: number, onlyB: number): [number[], number[]] {
  const used = new Set<number>();
  const draw = (): number => {
    let x = rng.int(MINHASH_PRIME);
    while (used.has(x)) x = rng.int(MINHASH_PRIME);
    used.add(x);
    return x;
  };
  const shared = Array.from({ length: inter }, draw);
  return [
    [...shared, ...Array.from({ length: onlyA }, draw)],
    [...shared, ...Array.from({ length: onlyB }, draw)],
  ];
}

describe("data/minhash: shingles and Jaccard", () => {
  it("shingles are lower-cased word n-grams without surrounding punctuation (hand-computed)", () => {
    assert.deepEqual([...shingles("The cat sat on the mat.", 2)].sort(), [
      "cat sat",
      "on the",
      "sat on",
      "the cat",
      "the mat",
    ]);
    // "the cat" occurs twice but is one element of the set
    assert.deepEqual([...shingles("the cat and the cat", 2)].sort(), ["and the", "cat and", "the cat"]);
    assert.deepEqual([...shingles("Call me Ishmael.", 5)], ["call me ishmael"]);
    assert.equal(shingles("  ... ", 5).size, 0);
    assert.throws(() => shingles("a b", 0), /positive integer/);
  });

  it("Jaccard similarity matches hand-computed values", () => {
    assert.equal(jaccard(new Set(["a", "b", "c"]), new Set(["b", "c", "d"])), 2 / 4);
    assert.equal(jaccard(new Set([1, 2]), new Set([1, 2])), 1);
    assert.equal(jaccard(new Set([1]), new Set([2])), 0);
    assert.equal(jaccard(new Set(), new Set()), 0);
    const a = shingles("one two three four five six", 3); // 4 shingles
    const b = shingles("one two three four five seven", 3); // shares 3 of them
    assert.equal(jaccard(a, b), 3 / 5);
  });

  it("wordHashes equals hashing each of bareWords, ASCII and not", () => {
    for (const text of [
      "Hello, World! It's a dog-eat-dog world... (really)",
      "Café — naïve FAÇADE, İstanbul ÅNGSTRÖM\u00a0non-breaking\tspace",
      "--- ... !!! 42 4.2 e-mail",
      "",
    ]) {
      assert.deepEqual(
        [...wordHashes(text)],
        bareWords(text).map((w) => hashString32(w)),
        text,
      );
    }
  });

  it("shingleHashes gives the same Jaccard as the shingle strings on crawl texts", () => {
    const { texts } = smallCrawl();
    for (let i = 0; i < 60; i++) {
      const a = texts[i];
      const b = texts[i + 1];
      assert.equal(shingleHashes(a).length, shingles(a).size);
      assert.equal(sortedJaccard(shingleHashes(a), shingleHashes(b)), jaccard(shingles(a), shingles(b)));
    }
    const h = shingleHashes("a b c d e f g h");
    for (let i = 1; i < h.length; i++) assert.ok(h[i - 1] < h[i] && h[i] < MINHASH_PRIME);
  });
});

describe("data/minhash: MinHash", () => {
  it("each permutation is (a·x + b) mod p, checked with BigInt", () => {
    const mh = new MinHasher({ numPerm: 16, seed: 3 });
    const rng = new Rng(1);
    for (let i = 0; i < 16; i++) {
      for (const x of [0, 1, MINHASH_PRIME - 1, rng.int(MINHASH_PRIME)]) {
        const h = mh.hash(i, x);
        const a = BigInt(mh.hash(i, 1) - mh.hash(i, 0) + (mh.hash(i, 1) < mh.hash(i, 0) ? MINHASH_PRIME : 0));
        const b = BigInt(mh.hash(i, 0));
        assert.equal(h, Number((a * BigInt(x) + b) % BigInt(MINHASH_PRIME)));
      }
    }
  });

  it("the fast signature loop equals the minimum of hash(i, x) over the set", () => {
    const mh = new MinHasher({ numPerm: 64, seed: 9 });
    const rng = new Rng(2);
    const xs = Array.from({ length: 300 }, () => rng.int(MINHASH_PRIME));
    const sig = mh.signature(xs);
    for (let i = 0; i < 64; i++) assert.equal(sig[i], Math.min(...xs.map((x) => mh.hash(i, x))));
    assert.ok(mh.signature([]).every((v) => v === 4294967295));
  });

  it("is seeded: same seed, same signature; another seed, another", () => {
    const text = "it was the best of times it was the worst of times it was the age of wisdom";
    assert.deepEqual(
      textSignature(new MinHasher({ seed: 5 }), text),
      textSignature(new MinHasher({ seed: 5 }), text),
    );
    assert.notDeepEqual(
      textSignature(new MinHasher({ seed: 5 }), text),
      textSignature(new MinHasher({ seed: 6 }), text),
    );
  });

  it("estimates Jaccard without bias, with variance J(1 − J)/k, over 300 pairs (seed 11)", () => {
    const k = 128;
    const mh = new MinHasher({ numPerm: k, seed: 11 });
    const rng = new Rng(11);
    let sumErr = 0;
    let sumZ2 = 0;
    let n = 0;
    for (let p = 0; p < 300; p++) {
      const inter = 10 + rng.int(190);
      const [a, b] = setPair(rng, inter, rng.int(150), rng.int(150));
      const truth = jaccard(new Set(a), new Set(b));
      const est = minhashSimilarity(mh.signature(a), mh.signature(b));
      const sd = Math.sqrt((truth * (1 - truth)) / k);
      assert.ok(Math.abs(est - truth) <= 4.5 * sd + 1e-9, `J=${truth.toFixed(3)} estimate ${est}`);
      sumErr += est - truth;
      sumZ2 += ((est - truth) / sd) ** 2;
      n++;
    }
    assert.ok(Math.abs(sumErr / n) < 0.01, `mean error ${sumErr / n}`);
    const varianceRatio = sumZ2 / n; // ≈ 1 if the variance is J(1 − J)/k
    assert.ok(varianceRatio > 0.7 && varianceRatio < 1.3, `variance ratio ${varianceRatio}`);
  });

  it("rejects bad input with a clear message", () => {
    assert.throws(() => new MinHasher({ numPerm: 0 }), /numPerm/);
    assert.throws(() => minhashSimilarity([1, 2], [1]), /same non-zero length/);
  });
});
