/**
 * Graded tasks of chapter 05. Each task checks the learner's functions against independent references:
 * hand-computed shingles, similarities and fractions (the arithmetic is in the comments), brute-force
 * recomputations, BigInt arithmetic, and statistical properties of MinHash and LSH with fixed seeds.
 */
import * as assert from "node:assert/strict";
import { loadChapter, task } from "./harness";
import { Rng } from "../../src/random";
import { MINHASH_PRIME } from "../../src/data/minhash";
import { isNotImplemented } from "../../src/errors";

/** A real input error, not the stub's NotImplemented. */
const inputError = (err: unknown): boolean => err instanceof Error && !isNotImplemented(err);

const ch = loadChapter<typeof import("../../solutions/05-data")>("05-data");

const close = (actual: number, expected: number, tol: number, what: string): void =>
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: got ${actual}, expected ${expected} (± ${tol})`);

/** Compares a set of shingles with the expected ones, naming what is missing and what is extra. */
function assertShingles(got: Set<string>, expected: string[], call: string): void {
  assert.ok(
    got instanceof Set,
    `${call} should return a Set<string>, got ${Object.prototype.toString.call(got)}`,
  );
  const missing = expected.filter((x) => !got.has(x));
  const extra = [...got].filter((x) => !expected.includes(x));
  if (missing.length === 0 && extra.length === 0) return;
  const show = (xs: string[]) => (xs.length ? xs.map((x) => JSON.stringify(x)).join(", ") : "none");
  const hint = extra.some((x) => /[A-Z]|[.,;:!?]/.test(x) || / {2}/.test(x))
    ? " (words are bareWords: lower-cased, punctuation stripped, joined with one space)"
    : "";
  assert.fail(
    `${call}: ${got.size} shingles, expected ${expected.length}; missing ${show(missing)}; extra ${show(extra)}${hint}`,
  );
}

task("05.shingles", 2, () => {
  it("makes lower-cased word n-grams without surrounding punctuation", () => {
    // words: the cat sat on the mat → 2-grams: "the cat" "cat sat" "sat on" "on the" "the mat"
    assertShingles(
      ch.shingles("The cat sat on the mat.", 2),
      ["the cat", "cat sat", "sat on", "on the", "the mat"],
      'shingles("The cat sat on the mat.", 2)',
    );
    // "A rose is a rose is a rose": 3-grams a-rose-is, rose-is-a, is-a-rose (repeats collapse): 3 distinct
    assertShingles(
      ch.shingles("A rose is a rose is a rose", 3),
      ["a rose is", "rose is a", "is a rose"],
      'shingles("A rose is a rose is a rose", 3)',
    );
  });

  it("handles short and empty texts and the default n = 5", () => {
    assertShingles(
      ch.shingles("Call me Ishmael."),
      ["call me ishmael"],
      'shingles("Call me Ishmael.") (3 words < n = 5: one shingle of all the words)',
    );
    assertShingles(ch.shingles("  --  "), [], 'shingles("  --  ") (no words: no shingles)');
    assertShingles(
      ch.shingles("one two three four five six"),
      ["one two three four five", "two three four five six"],
      'shingles("one two three four five six") (default n = 5)',
    );
  });

  it("rejects a bad n", () => {
    assert.throws(() => ch.shingles("a b c", 0), inputError, "shingles(text, 0) should throw an Error");
    assert.throws(() => ch.shingles("a b c", 1.5), inputError, "shingles(text, 1.5) should throw an Error");
  });
});

task("05.jaccard", 1, () => {
  it("matches hand-computed values", () => {
    const cases: [Set<unknown>, Set<unknown>, number, string][] = [
      [new Set(["a", "b", "c"]), new Set(["b", "c", "d"]), 0.5, "2 shared of 4 distinct"],
      [new Set([1, 2, 3]), new Set([1, 2, 3]), 1, "equal sets"],
      [new Set([1]), new Set([2, 3]), 0, "disjoint sets"],
      [new Set([1, 2, 3, 4]), new Set([4]), 0.25, "1 shared of 4 distinct"],
      [new Set(), new Set(), 0, "two empty sets: the union is empty, 0/0 is NaN; the convention is 0"],
    ];
    for (const [a, b, want, why] of cases) {
      const got = ch.jaccard(a, b);
      const name = (x: Set<unknown>) => `{${[...x].join(", ")}}`;
      assert.ok(got === want, `jaccard(${name(a)}, ${name(b)}) is ${got}, expected ${want} (${why})`);
    }
  });

  it("agrees with inclusion–exclusion on random sets", () => {
    const rng = new Rng(5);
    for (let t = 0; t < 100; t++) {
      const a = Array.from({ length: rng.int(40) }, () => rng.int(60));
      const b = Array.from({ length: 1 + rng.int(40) }, () => rng.int(60));
      const sa = new Set(a);
      const sb = new Set(b);
      const inter = [...sa].filter((x) => sb.has(x)).length;
      close(
        ch.jaccard(sa, sb),
        inter / (sa.size + sb.size - inter),
        1e-12,
        `random pair ${t} (|A| = ${sa.size}, |B| = ${sb.size}, |A ∩ B| = ${inter})`,
      );
    }
  });
});

task("05.minhash", 3, () => {
  it("each permutation is x ↦ (a·x + b) mod p with a ≠ 0, seeded", () => {
    const mh = new ch.MinHasher({ numPerm: 32, seed: 4 });
    assert.equal(mh.numPerm, 32);
    const rng = new Rng(8);
    const p = BigInt(MINHASH_PRIME);
    const firsts = new Set<number>();
    for (let i = 0; i < 32; i++) {
      const b = BigInt(mh.hash(i, 0));
      const a = (BigInt(mh.hash(i, 1)) - b + p) % p;
      assert.notEqual(a, 0n, `permutation ${i} has a = 0`);
      firsts.add(mh.hash(i, 12345));
      for (const x of [2, 777, MINHASH_PRIME - 1, rng.int(MINHASH_PRIME)]) {
        assert.equal(BigInt(mh.hash(i, x)), (a * BigInt(x) + b) % p, `h_${i}(${x}) is not (a·x + b) mod p`);
      }
    }
    assert.equal(firsts.size, 32, "the 32 permutations should map 12345 to 32 different values");
    const again = new ch.MinHasher({ numPerm: 32, seed: 4 });
    const other = new ch.MinHasher({ numPerm: 32, seed: 5 });
    assert.equal(again.hash(3, 999), mh.hash(3, 999));
    assert.ok(
      [0, 1, 2, 3].some((i) => other.hash(i, 999) !== mh.hash(i, 999)),
      "another seed, other permutations",
    );
  });

  it("draws a_0, b_0, a_1, b_1, … from one Rng(seed), in that order", () => {
    for (const seed of [0, 4]) {
      const mh = new ch.MinHasher({ numPerm: 8, seed });
      const rng = new Rng(seed);
      const p = MINHASH_PRIME;
      for (let i = 0; i < 8; i++) {
        const a = 1 + rng.int(p - 1);
        const b = rng.int(p);
        const gotB = mh.hash(i, 0);
        const gotA = (mh.hash(i, 1) - gotB + p) % p;
        assert.ok(
          gotA === a && gotB === b,
          `seed ${seed}, permutation ${i}: a = ${gotA}, b = ${gotB}; expected a = ${a}, b = ${b}. Draw from ONE ` +
            "new Rng(seed), interleaved: a_0 = 1 + rng.int(p − 1), b_0 = rng.int(p), a_1, b_1, … (not all a's first)",
        );
      }
    }
  });

  it("the signature is the minimum of each permutation over the set", () => {
    const mh = new ch.MinHasher({ numPerm: 16, seed: 1 });
    const rng = new Rng(2);
    const xs = Array.from({ length: 50 }, () => rng.int(MINHASH_PRIME));
    const sig = mh.signature(xs);
    assert.equal(sig.length, 16);
    for (let i = 0; i < 16; i++)
      assert.equal(
        sig[i],
        Math.min(...xs.map((x) => mh.hash(i, x))),
        `sig[${i}] is not the minimum of h_${i}`,
      );
    assert.deepEqual(
      [...mh.signature([])],
      new Array(16).fill(4294967295),
      "the signature of an empty set is 4294967295 (2^32 − 1) in every position",
    );
  });

  it("minhashSimilarity counts equal positions", () => {
    assert.equal(ch.minhashSimilarity([1, 2, 3, 4], [1, 2, 0, 4]), 0.75);
    assert.throws(() => ch.minhashSimilarity([1, 2], [1]), inputError);
  });

  it("estimates Jaccard within 4.5 standard deviations on 200 pairs, without bias (seed 21)", () => {
    const k = 128;
    const mh = new ch.MinHasher({ numPerm: k, seed: 21 });
    const rng = new Rng(21);
    let sumErr = 0;
    for (let t = 0; t < 200; t++) {
      const pool = new Set<number>();
      const shared = 20 + rng.int(150);
      const onlyA = rng.int(120);
      const onlyB = rng.int(120);
      while (pool.size < shared + onlyA + onlyB) pool.add(rng.int(MINHASH_PRIME));
      const all = [...pool];
      const a = all.slice(0, shared + onlyA);
      const b = [...all.slice(0, shared), ...all.slice(shared + onlyA)];
      const j = shared / all.length;
      const est = ch.minhashSimilarity(mh.signature(a), mh.signature(b));
      const sd = Math.sqrt((j * (1 - j)) / k);
      assert.ok(Math.abs(est - j) <= 4.5 * sd + 1e-9, `pair ${t}: J = ${j.toFixed(3)}, estimate ${est}`);
      sumErr += est - j;
    }
    assert.ok(Math.abs(sumErr / 200) < 0.012, `mean error ${sumErr / 200}: the estimate is biased`);
  });
});

task("05.lshProbability", 1, () => {
  it("matches hand-computed values", () => {
    assert.equal(ch.lshProbability(0.5, 2, 2), 0.4375); // 1 − (1 − 0.25)²
    close(ch.lshProbability(0.8, 20, 5), 1 - (1 - 0.32768) ** 20, 1e-12, "s = 0.8, 20 × 5");
    assert.equal(ch.lshProbability(0, 10, 3), 0);
    assert.equal(ch.lshProbability(1, 10, 3), 1);
  });

  it("agrees with a simulation of bands of independent rows (seed 3)", () => {
    const rng = new Rng(3);
    for (const [s, b, r] of [
      [0.4, 8, 3],
      [0.7, 16, 4],
      [0.9, 4, 8],
    ]) {
      const trials = 4000;
      let hits = 0;
      for (let t = 0; t < trials; t++) {
        let candidate = false;
        for (let band = 0; band < b && !candidate; band++) {
          let all = true;
          for (let row = 0; row < r; row++) if (rng.next() >= s) all = false;
          candidate = all;
        }
        if (candidate) hits++;
      }
      const p = ch.lshProbability(s, b, r);
      close(hits / trials, p, 4 * Math.sqrt((p * (1 - p)) / trials) + 1e-3, `s=${s}, ${b} × ${r}`);
    }
  });

  it("rejects bad input", () => {
    assert.throws(() => ch.lshProbability(1.5, 4, 4), inputError);
    assert.throws(() => ch.lshProbability(0.5, 0, 4), inputError);
    assert.throws(() => ch.lshProbability(0.5, 4, 2.5), inputError);
  });
});

task("05.qualityRules", 2, () => {
  it("duplicateFraction matches hand-computed values", () => {
    assert.deepEqual(ch.duplicateFraction(["ab", "c", "ab", "ab"]), { byCount: 2 / 4, byChars: 4 / 7 });
    assert.deepEqual(ch.duplicateFraction(["x", "y"]), { byCount: 0, byChars: 0 });
    assert.deepEqual(ch.duplicateFraction([]), { byCount: 0, byChars: 0 });
  });

  it("duplicateFraction agrees with a brute-force count on random lines", () => {
    const rng = new Rng(9);
    for (let t = 0; t < 50; t++) {
      const items = Array.from({ length: 1 + rng.int(20) }, () => "w".repeat(1 + rng.int(4)) + rng.int(4));
      let dup = 0;
      let dupChars = 0;
      const chars = items.reduce((a, s) => a + s.length, 0);
      items.forEach((s, i) => {
        if (items.slice(0, i).includes(s)) {
          dup++;
          dupChars += s.length;
        }
      });
      const got = ch.duplicateFraction(items);
      close(got.byCount, dup / items.length, 1e-12, "byCount");
      close(got.byChars, dupChars / chars, 1e-12, "byChars");
    }
  });

  it("topNgramCharFraction matches hand-computed values", () => {
    // "a b" twice: 2 characters × 2 of 5
    assert.equal(ch.topNgramCharFraction(["a", "b", "a", "b", "c"], 2), 0.8);
    // lower-cased: "the whale" × 2 = 8 characters × 2 = 16 of 3 + 5 + 3 + 5 + 4 = 20
    assert.equal(ch.topNgramCharFraction(["The", "whale", "the", "WHALE", "swam"], 2), 16 / 20);
    assert.equal(ch.topNgramCharFraction(["a", "b", "c", "d"], 2), 0); // no repeat
    assert.equal(ch.topNgramCharFraction(["a"], 2), 0);
  });

  it("topNgramCharFraction breaks ties by the n-gram that reached the top count first", () => {
    // Windows: "aa b" "b c" "c d" "d c" "c d" "d aa" "aa b": "c d" reaches 2 at the fifth window, "aa b" at the
    // seventh. "c d": 2 characters × 2 of 2+1+1+1+1+1+2+1 = 10 → 0.4 ("aa b", the first to occur, would give 0.6).
    const words = ["aa", "b", "c", "d", "c", "d", "aa", "b"];
    const got = ch.topNgramCharFraction(words, 2);
    assert.ok(
      got === 0.4,
      `topNgramCharFraction(${JSON.stringify(words)}, 2) is ${got}, expected 0.4: "aa b" and "c d" both occur ` +
        'twice; the tie goes to "c d", which reached 2 first (0.6 means the tie went to "aa b")',
    );
  });

  it("topNgramCharFraction counts characters as UTF-16 code units (string length)", () => {
    // "𝔞" is one code point but two code units: "𝔞 b" × 2 = (2 + 1) × 2 = 6 of 2+1+2+1+2 = 8 → 0.75
    // (counting code points would give 4 of 6).
    const got = ch.topNgramCharFraction(["𝔞", "b", "𝔞", "b", "cc"], 2);
    assert.ok(
      got === 0.75,
      `topNgramCharFraction(["𝔞", "b", "𝔞", "b", "cc"], 2) is ${got}, expected 0.75: characters are string .length ` +
        "(UTF-16 code units: 𝔞 counts 2)",
    );
  });
});
