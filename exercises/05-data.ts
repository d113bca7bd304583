/**
 * Chapter 05 exercises: the data pipeline's core algorithms — word shingles, Jaccard similarity, MinHash
 * signatures, the LSH banding probability, and two of Gopher's repetition rules.
 *
 * Write your answers here, replacing each `throw new NotImplemented(...)`. Grade them with
 * `npm run grade -- 05` (or the last cell of notebooks/05-data.ipynb). In the student release the library's
 * `data.shingles`, `data.MinHasher`, `data.lshProbability` and the quality rules (used by the pipeline's quality
 * and near-dedup stages) are re-exports of these functions, so after `npm run build` and a kernel restart the
 * notebook runs your code; in the main course it runs the library's answer.
 *
 * Helpers imported below: `bareWords(text)` splits on whitespace, lower-cases and strips punctuation from both
 * ends of each word, dropping what is left empty (`"The cat, sat."` → `["the", "cat", "sat"]`);
 * `new Rng(seed)` is the course's seeded generator and `rng.int(m)` an integer drawn uniformly from [0, m);
 * `MINHASH_PRIME` = 67,108,859.
 */
import { NotImplemented } from "../src/errors";
import { Rng } from "../src/random";
import { MINHASH_PRIME } from "../src/data/minhash";
import { bareWords } from "../src/data/text";

/**
 * Task 05.shingles — the set of word n-grams of a text.
 *
 * Words are `bareWords(text)`. Each run of `n` consecutive words, joined with one space, is a shingle:
 * `shingles("The cat sat on", 2)` = {"the cat", "cat sat", "sat on"}; repeated n-grams appear once (it is a
 * Set): "A rose is a rose is a rose" has 3 distinct 3-shingles. A text with fewer than `n` words (but at least
 * one) has a single shingle, all its words (`shingles("Call me Ishmael.")` = {"call me ishmael"}); a text with no
 * words has none. `n` must be a positive integer (throw an Error otherwise).
 */
export function shingles(text: string, n = 5): Set<string> {
  void text;
  void n;
  void bareWords;
  throw new NotImplemented(
    "05.shingles",
    "a text of w ≥ n words has w − n + 1 windows of n words; the trap is the short text, which still has one shingle",
  );
}

/**
 * Task 05.jaccard — Jaccard similarity |A ∩ B| / |A ∪ B| of two sets.
 *
 * {a, b, c} and {b, c, d}: 2 shared of 4 distinct → 0.5; {1, 2, 3, 4} and {4} → 0.25. Two empty sets have
 * similarity 0 (by convention here: no evidence of similarity).
 */
export function jaccard<T>(a: ReadonlySet<T>, b: ReadonlySet<T>): number {
  void a;
  void b;
  throw new NotImplemented(
    "05.jaccard",
    "the union need not be built: its size follows from the two sizes and the intersection's; mind the empty union",
  );
}

/**
 * Task 05.minhash — MinHash with k seeded universal hash functions.
 *
 * Permutation i is h_i(x) = (a_i·x + b_i) mod p with p = `MINHASH_PRIME` (a prime below 2^26, so a·x + b < 2^52
 * is exact in JavaScript numbers). Draw the 2k numbers from ONE `new Rng(seed)`, interleaved, in this order:
 * a_0 = 1 + rng.int(p − 1), b_0 = rng.int(p), a_1 = 1 + rng.int(p − 1), b_1 = rng.int(p), … (so a_i ∈ [1, p),
 * b_i ∈ [0, p)); the grader checks the exact values, because the notebook's dedup counts depend on them.
 * The signature of a set of shingle hashes (integers in [0, p)) is sig[i] = min over x of h_i(x); an empty set
 * gets 4294967295 (2^32 − 1) everywhere. `minhashSimilarity` is the fraction of positions where two signatures
 * agree: it estimates the Jaccard similarity of the two sets with standard deviation √(J(1 − J)/k).
 * Keep the a's and b's in fields of your own (the two below are declared for you).
 */
export class MinHasher {
  readonly numPerm: number;
  readonly seed: number;
  private readonly a: number[] = [];
  private readonly b: number[] = [];

  /** `numPerm` (default 128) must be a positive integer (else an Error); `seed` defaults to 0. */
  constructor(options: { numPerm?: number; seed?: number } = {}) {
    this.numPerm = options.numPerm ?? 128;
    this.seed = options.seed ?? 0;
    void Rng;
    void MINHASH_PRIME;
    void this.a;
    void this.b;
    throw new NotImplemented(
      "05.minhash",
      "all 2·numPerm numbers come from one generator made once, in the documented interleaved order; a must never be 0",
    );
  }

  /** h_i(x) = (a_i·x + b_i) mod p. */
  hash(i: number, x: number): number {
    void i;
    void x;
    throw new NotImplemented(
      "05.minhash",
      "the product stays below 2^52, so plain numbers are exact; the remainder is taken modulo the prime, not 2^32",
    );
  }

  /** The signature [numPerm]: sig[i] = min over the hashes x of h_i(x). */
  signature(hashes: ArrayLike<number>): Uint32Array {
    void hashes;
    throw new NotImplemented(
      "05.minhash",
      "one minimum per permutation over all the inputs; starting from the largest value lets an empty input keep it",
    );
  }
}

/**
 * Task 05.minhash — the fraction of equal positions of two signatures: [1, 2, 3, 4] and [1, 2, 0, 4] → 0.75.
 * Signatures of different lengths, or empty ones, are an Error.
 */
export function minhashSimilarity(a: ArrayLike<number>, b: ArrayLike<number>): number {
  void a;
  void b;
  throw new NotImplemented(
    "05.minhash",
    "each position is one permutation's vote on whether the minima agree; signatures of different lengths cannot be compared",
  );
}

/**
 * Task 05.lshProbability — the probability that LSH with `bands` bands of `rows` rows makes a pair with
 * Jaccard similarity `s` a candidate: 1 − (1 − s^rows)^bands. A band matches when all its rows agree
 * (probability s^rows); the pair is a candidate when at least one band matches. s = 0.5, 2 bands × 2 rows →
 * 1 − (1 − 0.25)² = 0.4375. Throw an Error for s outside [0, 1] or bands/rows that are not positive integers.
 */
export function lshProbability(s: number, bands: number, rows: number): number {
  void s;
  void bands;
  void rows;
  throw new NotImplemented(
    "05.lshProbability",
    "a pair is missed only when every band misses; check the inputs before computing",
  );
}

/**
 * Task 05.qualityRules (part 1) — Gopher's duplicate fractions of a list of lines (or paragraphs).
 *
 * Walk the items in order; an item equal to an earlier one is a duplicate. `byCount` = duplicates / items;
 * `byChars` = characters (string `.length`) in the duplicates / characters in all items. ["ab", "c", "ab", "ab"]
 * → byCount 2/4, byChars 4/7. An empty list gives { byCount: 0, byChars: 0 }.
 */
export function duplicateFraction(items: readonly string[]): { byCount: number; byChars: number } {
  void items;
  throw new NotImplemented(
    "05.qualityRules",
    "the first occurrence of an item is the original and does not count; only its repeats do",
  );
}

/**
 * Task 05.qualityRules (part 2) — Gopher's "top n-gram character fraction".
 *
 * Lower-case the words; count every window of n consecutive words (an n-gram); take the most frequent one.
 * Ties: the n-gram that reached the highest count first, reading the windows left to right (in "aa b c d c d aa
 * b", n = 2, both "aa b" and "c d" occur twice and "c d" gets there first, at the fifth window). Return
 * (characters of its n words, spaces excluded) × (its count) / (characters of all words). Characters are
 * UTF-16 code units, i.e. string `.length` ("𝔞" counts 2). Return 0 if there are fewer than n words or no
 * n-gram occurs twice.
 * ["a", "b", "a", "b", "c"], n = 2: "a b" occurs twice, 2 characters each, of 5 → 0.8;
 * ["aa", "b", "c", "d", "c", "d", "aa", "b"], n = 2 → "c d": 2 × 2 / 10 = 0.4.
 */
export function topNgramCharFraction(words: readonly string[], n: number): number {
  void words;
  void n;
  throw new NotImplemented(
    "05.qualityRules",
    "keep a running count per n-gram and replace the leader only when a count goes strictly above it; the joining spaces are not characters of the words",
  );
}
