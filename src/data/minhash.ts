/**
 * Shingles, Jaccard similarity and MinHash signatures (Broder, 1997).
 *
 * A document becomes the set of its word n-grams ("shingles"). The Jaccard similarity of two sets is
 * |A ∩ B| / |A ∪ B|. MinHash estimates it cheaply: for a random permutation π of all shingles,
 * P[min π(A) = min π(B)] = J(A, B). With k independent permutations, the fraction of positions where two
 * signatures agree is an unbiased estimate of J with standard deviation √(J(1 − J)/k).
 *
 * The permutations are the universal hash family h(x) = (a·x + b) mod p with a ∈ [1, p) and b ∈ [0, p) drawn
 * from a seeded `Rng` (Carter & Wegman, 1979; Leskovec, Rajaraman & Ullman, *Mining of Massive Datasets*,
 * ch. 3). p = 67,108,859 is the largest prime below 2^26, so a·x + b < 2^52 is exact in a float64 and the
 * inner loop needs no BigInt. Shingles are hashed into [0, p) first; two distinct shingles then collide with
 * probability 1/p ≈ 1.5·10⁻⁸, far below MinHash's own estimation noise.
 */
import { Rng } from "../random";
import { bareWords } from "./text";
import { fmix32, hashString32 } from "./hash";

/** The modulus of the MinHash permutations: the largest prime below 2^26. */
export const MINHASH_PRIME = 67108859;
const INV_PRIME = 1 / MINHASH_PRIME;

// @answer 05.shingles
/**
 * The set of word n-grams of `text`: words are lower-cased with surrounding punctuation removed (`bareWords`),
 * then each run of `n` consecutive words is joined with one space. A text with fewer than `n` (but at least
 * one) words has one shingle, all its words; an empty text has none.
 */
export function shingles(text: string, n = 5): Set<string> {
  if (!Number.isInteger(n) || n < 1) throw new Error(`shingles: n must be a positive integer, got ${n}`);
  const w = bareWords(text);
  const out = new Set<string>();
  if (w.length === 0) return out;
  if (w.length < n) {
    out.add(w.join(" "));
    return out;
  }
  for (let i = 0; i + n <= w.length; i++) out.add(w.slice(i, i + n).join(" "));
  return out;
}
// @end-answer

// @answer 05.jaccard
/** Jaccard similarity |A ∩ B| / |A ∪ B| of two sets; 0 when both are empty (no evidence of similarity). */
export function jaccard<T>(a: ReadonlySet<T>, b: ReadonlySet<T>): number {
  if (a.size === 0 && b.size === 0) return 0;
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let inter = 0;
  for (const x of small) if (large.has(x)) inter++;
  return inter / (a.size + b.size - inter);
}
// @end-answer

const isAsciiAlnum = (c: number): boolean =>
  (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
/** The characters JavaScript's `\s` matches. */
const isSpace = (c: number): boolean =>
  c === 32 ||
  (c >= 9 && c <= 13) ||
  (c >= 128 &&
    (c === 0xa0 ||
      c === 0x1680 ||
      (c >= 0x2000 && c <= 0x200a) ||
      c === 0x2028 ||
      c === 0x2029 ||
      c === 0x202f ||
      c === 0x205f ||
      c === 0x3000 ||
      c === 0xfeff));

/**
 * `hashString32` of every word of `bareWords(text)`, in order, without building the word strings for the
 * common all-ASCII words (one pass over the characters; other words take the `bareWords` path).
 */
export function wordHashes(text: string): Uint32Array {
  const n = text.length;
  const out = new Uint32Array((n >> 1) + 1); // at most one word per two characters
  let count = 0;
  let i = 0;
  while (i < n) {
    let c = text.charCodeAt(i);
    while (c <= 32 ? c === 32 || (c >= 9 && c <= 13) : c >= 128 && isSpace(c)) {
      if (++i >= n) break;
      c = text.charCodeAt(i);
    }
    if (i >= n) break;
    const s = i;
    let ascii = true;
    let first = -1;
    let last = -1;
    for (; i < n; i++) {
      c = text.charCodeAt(i);
      if (c <= 32 ? c === 32 || (c >= 9 && c <= 13) : c >= 128 && isSpace(c)) break;
      if (c >= 128) ascii = false;
      else if (isAsciiAlnum(c)) {
        if (first < 0) first = i;
        last = i;
      }
    }
    if (!ascii) {
      for (const w of bareWords(text.slice(s, i))) out[count++] = hashString32(w);
      continue;
    }
    if (first < 0) continue;
    // hashString32(lower-cased text[first..last]) inlined: FNV-1a, then fmix32(h ^ length).
    let h = 0x811c9dc5;
    for (let k = first; k <= last; k++) {
      let ch = text.charCodeAt(k);
      if (ch >= 65 && ch <= 90) ch |= 32;
      h = Math.imul(h ^ ch, 0x01000193);
    }
    out[count++] = fmix32(h ^ (last - first + 1));
  }
  return out.slice(0, count);
}

/**
 * The shingles of `text` as sorted, distinct integers in [0, MINHASH_PRIME), ready for `MinHasher.signature`: the
 * same word n-grams as `shingles`, but each word is hashed once (`wordHashes`) and the n word hashes of a
 * shingle are mixed into one 32-bit value, so no string is built.
 */
export function shingleHashes(text: string, n = 5): Uint32Array {
  if (!Number.isInteger(n) || n < 1) throw new Error(`shingleHashes: n must be a positive integer, got ${n}`);
  const wh = wordHashes(text);
  if (wh.length === 0) return new Uint32Array(0);
  const span = Math.min(n, wh.length);
  const count = wh.length - span + 1;
  const out = new Uint32Array(count);
  for (let i = 0; i < count; i++) {
    let h = 0x9747b28c ^ span;
    for (let t = 0; t < span; t++) {
      h = Math.imul(h ^ wh[i + t], 0x5bd1e995);
      h ^= h >>> 15;
    }
    out[i] = fmix32(h) % MINHASH_PRIME;
  }
  out.sort();
  let m = 0;
  for (let i = 0; i < out.length; i++) if (i === 0 || out[i] !== out[m - 1]) out[m++] = out[i];
  return out.slice(0, m);
}

// @answer 05.minhash
/**
 * k seeded permutations h_i(x) = (a_i·x + b_i) mod p (p = `MINHASH_PRIME`) and the MinHash signature
 * sig[i] = min over shingles x of h_i(x).
 */
export class MinHasher {
  readonly numPerm: number;
  readonly seed: number;
  private readonly a: Float64Array;
  private readonly b: Float64Array;

  constructor(options: { numPerm?: number; seed?: number } = {}) {
    const numPerm = options.numPerm ?? 128;
    if (!Number.isInteger(numPerm) || numPerm < 1) {
      throw new Error(`MinHasher: numPerm must be a positive integer, got ${numPerm}`);
    }
    this.numPerm = numPerm;
    this.seed = options.seed ?? 0;
    const rng = new Rng(this.seed);
    this.a = new Float64Array(numPerm);
    this.b = new Float64Array(numPerm);
    for (let i = 0; i < numPerm; i++) {
      this.a[i] = 1 + rng.int(MINHASH_PRIME - 1);
      this.b[i] = rng.int(MINHASH_PRIME);
    }
  }

  /** h_i(x) = (a_i·x + b_i) mod p for one permutation `i` and one input 0 ≤ x < p. */
  hash(i: number, x: number): number {
    return (this.a[i] * x + this.b[i]) % MINHASH_PRIME;
  }

  /**
   * The signature `[numPerm]` of a set of shingle hashes (each in [0, p), e.g. from `shingleHashes`).
   * An empty set gets all entries 2^32 − 1, a value no permutation produces.
   */
  signature(hashes: ArrayLike<number>): Uint32Array {
    const k = this.numPerm;
    const n = hashes.length;
    const sig = new Uint32Array(k).fill(4294967295);
    if (n === 0) return sig;
    const xs = hashes instanceof Float64Array ? hashes : Float64Array.from(hashes);
    const P = MINHASH_PRIME;
    // Two permutations per pass over the shingles: two independent chains of arithmetic run in parallel.
    let i = 0;
    for (; i + 1 < k; i += 2) {
      const a0 = this.a[i];
      const b0 = this.b[i];
      const a1 = this.a[i + 1];
      const b1 = this.b[i + 1];
      let m0 = 4294967295;
      let m1 = 4294967295;
      for (let j = 0; j < n; j++) {
        const x = xs[j];
        // t < 2^52 is exact; t mod p without the slow float `%`: subtract ⌊t/p⌋·p, fix the rounding of ⌊t/p⌋.
        const t0 = a0 * x + b0;
        const t1 = a1 * x + b1;
        let r0 = t0 - Math.floor(t0 * INV_PRIME) * P;
        let r1 = t1 - Math.floor(t1 * INV_PRIME) * P;
        if (r0 < 0) r0 += P;
        else if (r0 >= P) r0 -= P;
        if (r1 < 0) r1 += P;
        else if (r1 >= P) r1 -= P;
        if (r0 < m0) m0 = r0;
        if (r1 < m1) m1 = r1;
      }
      sig[i] = m0;
      sig[i + 1] = m1;
    }
    for (; i < k; i++) {
      const a = this.a[i];
      const b = this.b[i];
      let min = 4294967295;
      for (let j = 0; j < n; j++) {
        const t = a * xs[j] + b;
        let r = t - Math.floor(t * INV_PRIME) * P;
        if (r < 0) r += P;
        else if (r >= P) r -= P;
        if (r < min) min = r;
      }
      sig[i] = min;
    }
    return sig;
  }
}

/** The MinHash estimate of Jaccard similarity: the fraction of positions where two signatures agree. */
export function minhashSimilarity(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length || a.length === 0) {
    throw new Error(
      `minhashSimilarity: signatures must have the same non-zero length (${a.length} vs ${b.length})`,
    );
  }
  let same = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === b[i]) same++;
  return same / a.length;
}
// @end-answer

/** The MinHash signature of a text's word n-gram shingles: `hasher.signature(shingleHashes(text, n))`. */
export function textSignature(hasher: MinHasher, text: string, n = 5): Uint32Array {
  return hasher.signature(shingleHashes(text, n));
}
