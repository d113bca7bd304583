/**
 * Chapter 05 exercises: the data pipeline's core algorithms — word shingles, Jaccard similarity, MinHash
 * signatures, the LSH banding probability, and two of Gopher's repetition rules.
 *
 * Write your answers here, replacing each `throw new NotImplemented(...)`. Grade them with
 * `npm run grade -- 05` (or the last cell of notebooks/05-data.ipynb). The library (`data.shingles`,
 * `data.MinHasher`, `data.lshProbability`, the quality rules, near-dedup) uses these in the student release,
 * so the notebook's dedup and filtering cells work as soon as your answers do.
 */
import { NotImplemented } from "../src/errors";
import { Rng } from "../src/random";
import { MINHASH_PRIME } from "../src/data/minhash";
import { bareWords } from "../src/data/text";

/**
 * Task 05.shingles — the set of word n-grams of a text.
 *
 * Words are `bareWords(text)`: split on whitespace, lower-cased, punctuation stripped from both ends
 * (`"The cat, sat."` → `["the", "cat", "sat"]`). Each run of `n` consecutive words, joined with one space, is a
 * shingle: `shingles("the cat sat on", 2)` = {"the cat", "cat sat", "sat on"}. A text with fewer than `n` words
 * (but at least one) has a single shingle, all its words; an empty text has none. `n` must be a positive
 * integer (throw an Error otherwise).
 */
export function shingles(text: string, n = 5): Set<string> {
  void text;
  void n;
  void bareWords;
  throw new NotImplemented("05.shingles", "w = bareWords(text); add w.slice(i, i + n).join(' ') for every i");
}

/**
 * Task 05.jaccard — Jaccard similarity |A ∩ B| / |A ∪ B| of two sets.
 *
 * {a, b, c} and {b, c, d}: 2 shared of 4 distinct → 0.5. Two empty sets have similarity 0 (by convention here).
 */
export function jaccard<T>(a: ReadonlySet<T>, b: ReadonlySet<T>): number {
  void a;
  void b;
  throw new NotImplemented(
    "05.jaccard",
    "count the elements of the smaller set found in the larger; |A ∪ B| = |A| + |B| − |A ∩ B|",
  );
}

/**
 * Task 05.minhash — MinHash with k seeded universal hash functions.
 *
 * Permutation i is h_i(x) = (a_i·x + b_i) mod p with p = `MINHASH_PRIME` (67,108,859, a prime below 2^26, so
 * a·x + b < 2^52 is exact in JavaScript numbers), a_i drawn uniformly from [1, p) and b_i from [0, p) with
 * `new Rng(seed)` (`1 + rng.int(p - 1)`, then `rng.int(p)`, for i = 0, 1, …). The signature of a set of
 * shingle hashes (integers in [0, p), from `data.shingleHashes`) is sig[i] = min over x of h_i(x); an empty set gets
 * 4294967295 everywhere. `minhashSimilarity` is the fraction of positions where two signatures agree: it
 * estimates the Jaccard similarity of the two sets with standard deviation √(J(1 − J)/k).
 */
export class MinHasher {
  readonly numPerm: number;
  readonly seed: number;

  /** `numPerm` (default 128) must be a positive integer; `seed` defaults to 0. */
  constructor(options: { numPerm?: number; seed?: number } = {}) {
    this.numPerm = options.numPerm ?? 128;
    this.seed = options.seed ?? 0;
    void Rng;
    void MINHASH_PRIME;
    throw new NotImplemented("05.minhash", "draw a[i] and b[i] with new Rng(seed) in the constructor");
  }

  /** h_i(x) = (a_i·x + b_i) mod p. */
  hash(i: number, x: number): number {
    void i;
    void x;
    throw new NotImplemented("05.minhash", "(this.a[i] * x + this.b[i]) % MINHASH_PRIME");
  }

  /** The signature [numPerm]: sig[i] = min over the hashes x of h_i(x). */
  signature(hashes: ArrayLike<number>): Uint32Array {
    void hashes;
    throw new NotImplemented(
      "05.minhash",
      "start every entry at 4294967295 and keep the minimum of hash(i, x)",
    );
  }
}

/** Task 05.minhash — the fraction of equal positions of two signatures (same non-zero length, else an Error). */
export function minhashSimilarity(a: ArrayLike<number>, b: ArrayLike<number>): number {
  void a;
  void b;
  throw new NotImplemented("05.minhash", "count i with a[i] === b[i], divide by the length");
}

/**
 * Task 05.lshProbability — the probability that LSH with `bands` bands of `rows` rows makes a pair with
 * Jaccard similarity `s` a candidate: 1 − (1 − s^rows)^bands. A band matches when all its rows agree
 * (probability s^rows); the pair is a candidate when at least one band matches. Throw an Error for s outside
 * [0, 1] or bands/rows that are not positive integers.
 */
export function lshProbability(s: number, bands: number, rows: number): number {
  void s;
  void bands;
  void rows;
  throw new NotImplemented("05.lshProbability", "1 - Math.pow(1 - Math.pow(s, rows), bands)");
}

/**
 * Task 05.qualityRules (part 1) — Gopher's duplicate fractions of a list of lines (or paragraphs).
 *
 * Walk the items in order; an item equal to an earlier one is a duplicate. `byCount` = duplicates / items;
 * `byChars` = characters in the duplicates / characters in all items. ["ab", "c", "ab", "ab"] → byCount 2/4,
 * byChars 4/7. An empty list gives { byCount: 0, byChars: 0 }.
 */
export function duplicateFraction(items: readonly string[]): { byCount: number; byChars: number } {
  void items;
  throw new NotImplemented("05.qualityRules", "keep a Set of items seen so far");
}

/**
 * Task 05.qualityRules (part 2) — Gopher's "top n-gram character fraction".
 *
 * Lower-case the words; find the most frequent word n-gram (the first one to reach the highest count, reading
 * left to right); return (characters of its n words, spaces excluded) × (its count) / (characters of all
 * words). Return 0 if there are fewer than n words or no n-gram occurs twice.
 * ["a", "b", "a", "b", "c"], n = 2: "a b" occurs twice, 2 characters each, of 5 → 0.8.
 */
export function topNgramCharFraction(words: readonly string[], n: number): number {
  void words;
  void n;
  throw new NotImplemented(
    "05.qualityRules",
    "count n-grams in a Map<string, number>, track the largest count",
  );
}
