/**
 * Deduplication: exact (a hash of the normalised text) and near (MinHash + LSH, optionally verified), as
 * streaming stages and as batch functions that return duplicate pairs for scoring.
 */
import { hash64Hex } from "./hash";
import { LshIndex, lshProbability } from "./lsh";
import { MinHasher, minhashSimilarity, shingleHashes } from "./minhash";
import type { DataDoc, Stage } from "./stream";
import { dedupKey } from "./text";

/** The exact-dedup key of a text: a 64-bit hash of `dedupKey` (case, punctuation and spacing ignored). */
export function exactHash(text: string): string {
  return hash64Hex(dedupKey(text));
}

/**
 * Streaming exact deduplication: remembers one 64-bit hash per distinct text (16 characters, not the text).
 * `check` returns the id of the first document with the same key, or `null` (and remembers this one).
 */
export class ExactDeduper {
  private readonly seen = new Map<string, string>();

  check(id: string, text: string): string | null {
    const h = exactHash(text);
    const first = this.seen.get(h);
    if (first !== undefined) return first;
    this.seen.set(h, id);
    return null;
  }

  get size(): number {
    return this.seen.size;
  }
}

/** A pipeline stage dropping exact duplicates of an earlier document (reason `exact-duplicate`). */
export function exactDedupStage(): Stage {
  const dedup = new ExactDeduper();
  return {
    name: "exact-dedup",
    apply(doc) {
      const first = dedup.check(doc.id, doc.text);
      return first === null ? { keep: true, doc } : { keep: false, reason: "exact-duplicate", detail: first };
    },
  };
}

/** Sizes of the intersection of two sorted arrays of distinct numbers. */
export function sortedIntersectionSize(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let i = 0;
  let j = 0;
  let n = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      n++;
      i++;
      j++;
    } else if (a[i] < b[j]) i++;
    else j++;
  }
  return n;
}

/** Jaccard similarity of two sorted arrays of distinct numbers (0 when both are empty). */
export function sortedJaccard(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length === 0 && b.length === 0) return 0;
  const inter = sortedIntersectionSize(a, b);
  return inter / (a.length + b.length - inter);
}

/** A similar pair of documents by index, i < j, with its similarity. */
export interface SimilarPair {
  i: number;
  j: number;
  similarity: number;
}

/**
 * All pairs with exact Jaccard similarity ≥ `threshold`, found without comparing every pair: prefix
 * filtering (Chaudhuri et al., 2006; Bayardo et al., 2007). Elements are ordered from rarest to most common;
 * if J(x, y) ≥ t then |x ∩ y| ≥ ⌈t·max(|x|, |y|)⌉, so the first |x| − ⌈t|x|⌉ + 1 elements of x and of y must
 * share one. Only such pairs (also passing the size filter |y| ≥ t|x|) are compared exactly. The answer is
 * exact — the reference that MinHash/LSH is scored against. `sets`: sorted arrays of distinct integers.
 */
export function exactSimilarPairs(sets: readonly ArrayLike<number>[], threshold: number): SimilarPair[] {
  if (!(threshold > 0 && threshold <= 1)) {
    throw new Error(`exactSimilarPairs: threshold must be in (0, 1], got ${threshold}`);
  }
  const freq = new Map<number, number>();
  for (const s of sets) for (let k = 0; k < s.length; k++) freq.set(s[k], (freq.get(s[k]) ?? 0) + 1);
  const byRarity = (x: number, y: number): number => freq.get(x)! - freq.get(y)! || x - y;
  const prefixLen = (size: number): number => size - Math.ceil(threshold * size - 1e-9) + 1;
  const order = sets.map((_, i) => i).filter((i) => sets[i].length > 0);
  order.sort((x, y) => sets[x].length - sets[y].length || x - y);
  const index = new Map<number, number[]>();
  const out: SimilarPair[] = [];
  for (const x of order) {
    const sx = sets[x];
    const ordered = Array.from(sx).sort(byRarity);
    const p = prefixLen(sx.length);
    const candidates = new Set<number>();
    for (let k = 0; k < p; k++) {
      const posting = index.get(ordered[k]);
      if (!posting) continue;
      for (const y of posting) if (sets[y].length >= threshold * sx.length - 1e-9) candidates.add(y);
    }
    for (const y of candidates) {
      const sim = sortedJaccard(sx, sets[y]);
      if (sim >= threshold) out.push({ i: Math.min(x, y), j: Math.max(x, y), similarity: sim });
    }
    for (let k = 0; k < p; k++) {
      const posting = index.get(ordered[k]);
      if (posting) posting.push(x);
      else index.set(ordered[k], [x]);
    }
  }
  return out.sort((a, b) => a.i - b.i || a.j - b.j);
}

/** How LSH candidates are confirmed: not at all, by the signature estimate, or by exact shingle Jaccard. */
export type Verify = "none" | "estimate" | "jaccard";

export interface NearDedupOptions {
  /** Words per shingle (default 5). */
  shingleSize?: number;
  /** Permutations per signature (default 128). */
  numPerm?: number;
  /**
   * Bands (default 32) and rows per band (default ⌊numPerm / bands⌋, so 32 × 4 for 128 permutations: the
   * S-curve is steep near 0.42, so almost every pair above 0.8 becomes a candidate, and verification removes
   * the rest). bands·rows ≤ numPerm; `chooseBandsRows` balances false positives and negatives instead.
   */
  bands?: number;
  rows?: number;
  /** Similarity a candidate must reach to count as a duplicate (default 0.8; unused with verify "none"). */
  threshold?: number;
  /** Default "jaccard" for batch pairs, "estimate" for the streaming deduper. */
  verify?: Verify;
  /** Seed of the permutations (default 0). */
  seed?: number;
}

function resolve(options: NearDedupOptions, verify: Verify) {
  const numPerm = options.numPerm ?? 128;
  const bands = options.bands ?? 32;
  const rows = options.rows ?? Math.floor(numPerm / bands);
  if (bands * rows > numPerm) {
    throw new Error(`near dedup: bands × rows = ${bands * rows} exceeds numPerm = ${numPerm}`);
  }
  return {
    shingleSize: options.shingleSize ?? 5,
    numPerm,
    bands,
    rows,
    threshold: options.threshold ?? 0.8,
    verify: options.verify ?? verify,
    seed: options.seed ?? 0,
  };
}

/** Result of batch near-duplicate detection. */
export interface NearDuplicateResult {
  /** Pairs judged near-duplicate (i < j), with the similarity used to judge them. */
  pairs: SimilarPair[];
  /** Candidate pairs LSH proposed before verification. */
  candidates: number;
}

/**
 * Near-duplicate pairs among `texts` by MinHash + LSH: shingle, sign, band, collect candidate pairs, verify.
 * Every document's signature is computed once; memory is one signature (and, for exact verification, one
 * shingle set) per document.
 */
export function nearDuplicatePairs(
  texts: Iterable<string>,
  options: NearDedupOptions = {},
): NearDuplicateResult {
  const o = resolve(options, "jaccard");
  const hasher = new MinHasher({ numPerm: o.numPerm, seed: o.seed });
  const index = new LshIndex(o.bands, o.rows);
  const sigs: Uint32Array[] = [];
  const sets: Uint32Array[] = [];
  let id = 0;
  for (const text of texts) {
    const set = shingleHashes(text, o.shingleSize);
    const sig = hasher.signature(set);
    if (set.length > 0) index.insert(id, sig);
    sigs.push(sig);
    if (o.verify === "jaccard") sets.push(set);
    id++;
  }
  const candidates = index.candidatePairs();
  const pairs: SimilarPair[] = [];
  for (const [i, j] of candidates) {
    if (o.verify === "none") {
      pairs.push({ i, j, similarity: minhashSimilarity(sigs[i], sigs[j]) });
      continue;
    }
    const sim =
      o.verify === "jaccard" ? sortedJaccard(sets[i], sets[j]) : minhashSimilarity(sigs[i], sigs[j]);
    if (sim >= o.threshold) pairs.push({ i, j, similarity: sim });
  }
  pairs.sort((a, b) => a.i - b.i || a.j - b.j);
  return { pairs, candidates: candidates.length };
}

/**
 * Streaming near-deduplication with keep-first semantics: a document is a duplicate when an earlier kept
 * document is an LSH candidate whose similarity reaches the threshold. Remembers, per kept document, its
 * LSH bucket entries and its signature (or its shingle set with verify "jaccard").
 */
export class NearDeduper {
  private readonly o: ReturnType<typeof resolve>;
  private readonly hasher: MinHasher;
  private readonly index: LshIndex;
  private readonly ids: string[] = [];
  private readonly sigs: Uint32Array[] = [];
  private readonly sets: Uint32Array[] = [];

  constructor(options: NearDedupOptions = {}) {
    this.o = resolve(options, "estimate");
    this.hasher = new MinHasher({ numPerm: this.o.numPerm, seed: this.o.seed });
    this.index = new LshIndex(this.o.bands, this.o.rows);
  }

  /** The id of the kept document `text` near-duplicates and their similarity, or null (then it is kept). */
  check(id: string, text: string): { duplicateOf: string; similarity: number } | null {
    const set = shingleHashes(text, this.o.shingleSize);
    if (set.length === 0) return null;
    const sig = this.hasher.signature(set);
    let best: { duplicateOf: string; similarity: number } | null = null;
    for (const k of this.index.query(sig)) {
      const sim =
        this.o.verify === "jaccard"
          ? sortedJaccard(set, this.sets[k])
          : this.o.verify === "estimate"
            ? minhashSimilarity(sig, this.sigs[k])
            : 1;
      if ((this.o.verify === "none" || sim >= this.o.threshold) && (best === null || sim > best.similarity)) {
        best = { duplicateOf: this.ids[k], similarity: sim };
      }
    }
    if (best !== null) return best;
    const k = this.ids.length;
    this.ids.push(id);
    this.sigs.push(sig);
    if (this.o.verify === "jaccard") this.sets.push(set);
    this.index.insert(k, sig);
    return null;
  }
}

/** A pipeline stage dropping near-duplicates of earlier kept documents (reason `near-duplicate`). */
export function nearDedupStage<D extends DataDoc = DataDoc>(options: NearDedupOptions = {}): Stage<D> {
  const dedup = new NearDeduper(options);
  return {
    name: "near-dedup",
    apply(doc) {
      const hit = dedup.check(doc.id, doc.text);
      if (hit === null) return { keep: true, doc };
      return {
        keep: false,
        reason: "near-duplicate",
        detail: `${hit.duplicateOf} (${hit.similarity.toFixed(2)})`,
      };
    },
  };
}

/** One bin of the measured S-curve: pairs with exact Jaccard in [lo, hi) and how many LSH proposed. */
export interface SCurvePoint {
  lo: number;
  hi: number;
  /** Document pairs whose exact shingle Jaccard falls in the bin. */
  pairs: number;
  /** Of those, pairs LSH made candidates. */
  candidates: number;
  /** candidates / pairs (NaN for an empty bin). */
  rate: number;
  /** Mean of 1 − (1 − s^rows)^bands over the bin's pairs: what the formula predicts. */
  predicted: number;
}

/**
 * The S-curve measured on real documents: every pair with exact Jaccard ≥ `minSimilarity` (default 0.2, found
 * by `exactSimilarPairs`), binned by similarity, with the share LSH proposed as candidates next to the share
 * `lshProbability` predicts. Lower similarities are left out: nearly all pairs of a crawl are there and none
 * become candidates.
 */
export function measureSCurve(
  texts: readonly string[],
  options: NearDedupOptions & { minSimilarity?: number; bins?: number } = {},
): SCurvePoint[] {
  const o = resolve(options, "none");
  const minSimilarity = options.minSimilarity ?? 0.2;
  const bins = options.bins ?? 16;
  const sets = texts.map((t) => shingleHashes(t, o.shingleSize));
  const hasher = new MinHasher({ numPerm: o.numPerm, seed: o.seed });
  const index = new LshIndex(o.bands, o.rows);
  sets.forEach((s, i) => {
    if (s.length > 0) index.insert(i, hasher.signature(s));
  });
  const candidates = new Set(index.candidatePairs().map(([i, j]) => `${i},${j}`));
  const width = (1 - minSimilarity) / bins;
  const points: SCurvePoint[] = Array.from({ length: bins }, (_, b) => ({
    lo: minSimilarity + b * width,
    hi: b === bins - 1 ? 1 : minSimilarity + (b + 1) * width,
    pairs: 0,
    candidates: 0,
    rate: NaN,
    predicted: 0,
  }));
  for (const p of exactSimilarPairs(sets, minSimilarity)) {
    const point = points[Math.min(bins - 1, Math.floor((p.similarity - minSimilarity) / width))];
    point.pairs++;
    if (candidates.has(`${p.i},${p.j}`)) point.candidates++;
    point.predicted += lshProbability(p.similarity, o.bands, o.rows);
  }
  for (const point of points) {
    if (point.pairs > 0) {
      point.rate = point.candidates / point.pairs;
      point.predicted /= point.pairs;
    } else point.predicted = NaN;
  }
  return points;
}
