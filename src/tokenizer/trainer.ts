/**
 * Fast byte-level BPE training: the same merges as the teaching `train` (basics.ts), computed incrementally.
 *
 * 1. Pre-tokenize the corpus once and count distinct pieces ("words"): piece → frequency. Moby-Dick's 264k
 *    pieces are ~20k distinct words, so all later work is on the small set.
 * 2. Count every adjacent pair once, weighted by word frequency, and index pair → the words that contain it.
 * 3. For each merge, take the best pair from a max-heap with lazy deletion (an entry whose count is out of date
 *    is re-pushed with its true count when it reaches the top), then touch only the words that contain the
 *    pair: remove their old pairs from the counts, merge, add their new pairs. Only pairs that contain the new
 *    token can grow, so only they get new heap entries.
 *
 * Ties are broken exactly as in the teaching version: highest count, then smallest left id, then smallest right
 * id. Special tokens are cut out of the corpus before pre-tokenization (never merged) and get the last ids.
 */
import { concatBytes, utf8Encode } from "./bytes";
import { byteVocab, type BpeModel } from "./basics";
import { compilePattern, type PatternName } from "./patterns";
import { splitOnSpecials } from "./special";

/** Options of `BpeTrainer`. */
export interface TrainOptions {
  /** Total vocabulary size: 256 bytes + merges + special tokens. */
  vocabSize: number;
  /** Pre-tokenization: "gpt2" (default), "gpt4", "none", or a regex source (used with the g and u flags). */
  pattern?: PatternName | string;
  /** Special tokens (e.g. `"<|endoftext|>"`), given the last ids in this order; never merged. */
  specialTokens?: readonly string[];
  /** Called after each merge with its index, pair, new id and count (for progress and "merges as they happen"). */
  onMerge?: (info: MergeInfo) => void;
  /**
   * What to do when the corpus runs out of pairs before reaching vocabSize: "error" (default) throws a message
   * saying how far it got; "stop" returns the smaller vocabulary.
   */
  ifTooSmall?: "error" | "stop";
}

/** One merge as it happens. */
export interface MergeInfo {
  index: number;
  pair: [number, number];
  id: number;
  count: number;
}

/** The trained model: merges, vocabulary (bytes per id, specials excluded), counts, and the special tokens. */
export interface TrainedBpe extends BpeModel {
  /** How often each merge's pair occurred when it was chosen. */
  counts: number[];
  /** Special token → id (ids after the merges). */
  specialTokens: Record<string, number>;
  /** The pre-tokenization pattern used. */
  pattern: PatternName | string;
}

/** A max-heap of (count, pair key) with ties to the smaller key; parallel arrays, no per-entry objects. */
class PairHeap {
  private counts: number[] = [];
  private keys: number[] = [];

  get size(): number {
    return this.counts.length;
  }

  /** True when entry i should sit above entry j. */
  private above(i: number, j: number): boolean {
    const ci = this.counts[i];
    const cj = this.counts[j];
    return ci > cj || (ci === cj && this.keys[i] < this.keys[j]);
  }

  private swap(i: number, j: number): void {
    const c = this.counts[i];
    this.counts[i] = this.counts[j];
    this.counts[j] = c;
    const k = this.keys[i];
    this.keys[i] = this.keys[j];
    this.keys[j] = k;
  }

  push(count: number, key: number): void {
    this.counts.push(count);
    this.keys.push(key);
    let i = this.counts.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.above(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  /** Removes the top entry into `out` ([count, key]); false when empty. */
  pop(out: [number, number]): boolean {
    const n = this.counts.length;
    if (n === 0) return false;
    out[0] = this.counts[0];
    out[1] = this.keys[0];
    const lastCount = this.counts.pop() as number;
    const lastKey = this.keys.pop() as number;
    if (n > 1) {
      this.counts[0] = lastCount;
      this.keys[0] = lastKey;
      let i = 0;
      const m = n - 1;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let top = i;
        if (l < m && this.above(l, top)) top = l;
        if (r < m && this.above(r, top)) top = r;
        if (top === i) break;
        this.swap(i, top);
        i = top;
      }
    }
    return true;
  }
}

/**
 * Trains byte-level BPE. Add text with `add` (any number of times: counts accumulate), then call `train`.
 * `new BpeTrainer({ vocabSize: 4096 }).add(text).train()`; or the shortcut `trainBpe(text, options)`.
 */
export class BpeTrainer {
  private readonly options: TrainOptions;
  private readonly regex: RegExp | null;
  private readonly specials: string[];
  private readonly wordFreq = new Map<string, number>();

  constructor(options: TrainOptions) {
    const specials = [...(options.specialTokens ?? [])];
    if (!Number.isInteger(options.vocabSize) || options.vocabSize < 256 + specials.length) {
      throw new Error(
        `BpeTrainer: vocabSize must be an integer ≥ 256 + number of special tokens (${256 + specials.length}), ` +
          `got ${options.vocabSize}`,
      );
    }
    if (new Set(specials).size !== specials.length || specials.some((s) => s.length === 0)) {
      throw new Error(
        `BpeTrainer: special tokens must be distinct non-empty strings, got ${JSON.stringify(specials)}`,
      );
    }
    this.options = options;
    this.specials = specials;
    this.regex = compilePattern(options.pattern ?? "gpt2");
  }

  /** Adds a text to the corpus: special tokens are cut out, the rest pre-tokenized and counted. */
  add(text: string): this {
    for (const segment of splitOnSpecials(text, this.specials)) {
      if (segment.special !== undefined || segment.text.length === 0) continue;
      const pieces = this.regex === null ? [segment.text] : (segment.text.match(this.regex) ?? []);
      const freq = this.wordFreq;
      for (const piece of pieces) freq.set(piece, (freq.get(piece) ?? 0) + 1);
    }
    return this;
  }

  /** The number of distinct pre-tokenized words seen so far. */
  get distinctWords(): number {
    return this.wordFreq.size;
  }

  /** Adds `f` to the count of a pair that contains the new token, indexing word `w` under it. */
  private addPair(
    counts: Map<number, number>,
    where: Map<number, number[]>,
    grown: Set<number>,
    key: number,
    w: number,
    f: number,
  ): void {
    const c = counts.get(key);
    counts.set(key, (c ?? 0) + f);
    const list = where.get(key);
    if (list === undefined) where.set(key, [w]);
    else if (list[list.length - 1] !== w) list.push(w);
    grown.add(key);
  }

  /** Runs the merges and returns the model. */
  train(): TrainedBpe {
    const { vocabSize, onMerge } = this.options;
    const nMerges = vocabSize - 256 - this.specials.length;
    // Pair keys a * mul + b: exact integers, ordered like (a, b).
    const mul = vocabSize;

    const words: number[][] = [];
    const freqs: number[] = [];
    for (const [piece, f] of this.wordFreq) {
      const bytes = utf8Encode(piece);
      if (bytes.length < 2) continue; // a single byte never takes part in a merge
      words.push(Array.from(bytes));
      freqs.push(f);
    }

    const counts = new Map<number, number>();
    const where = new Map<number, number[]>(); // pair key → word indices (may hold repeats; checked on use)
    for (let w = 0; w < words.length; w++) {
      const ids = words[w];
      const f = freqs[w];
      for (let i = 0; i + 1 < ids.length; i++) {
        const key = ids[i] * mul + ids[i + 1];
        const c = counts.get(key);
        if (c === undefined) {
          counts.set(key, f);
          where.set(key, [w]);
        } else {
          counts.set(key, c + f);
          const list = where.get(key) as number[];
          if (list[list.length - 1] !== w) list.push(w);
        }
      }
    }
    const heap = new PairHeap();
    for (const [key, c] of counts) heap.push(c, key);

    const vocab = byteVocab();
    const merges: [number, number][] = [];
    const mergeCounts: number[] = [];
    const seen = new Int32Array(words.length).fill(-1);
    const top: [number, number] = [0, 0];
    const grown = new Set<number>();

    while (merges.length < nMerges) {
      // The best pair whose heap count is current.
      let found = false;
      while (heap.pop(top)) {
        const actual = counts.get(top[1]) ?? 0;
        if (actual === top[0] && actual > 0) {
          found = true;
          break;
        }
        if (actual > 0) heap.push(actual, top[1]);
      }
      if (!found) {
        if ((this.options.ifTooSmall ?? "error") === "stop") break;
        throw new Error(
          `BpeTrainer: the corpus has no pairs left to merge after ${merges.length} merges ` +
            `(vocabulary ${vocab.length + this.specials.length} of the ${vocabSize} asked for): ` +
            `train on more text, ask for vocabSize ≤ ${vocab.length + this.specials.length}, or pass ifTooSmall: "stop"`,
        );
      }
      const count = top[0];
      const key = top[1];
      const a = Math.floor(key / mul);
      const b = key - a * mul;
      const newId = vocab.length;
      const step = merges.length;
      grown.clear();

      for (const w of where.get(key) as number[]) {
        if (seen[w] === step) continue;
        seen[w] = step;
        const ids = words[w];
        const f = freqs[w];
        // Merge in place; at each site A B → C only the neighbouring pairs change:
        // (prev, A) → (prev, C) and (B, next) → (C, next). A previous site's C is already counted as (C, A).
        const len = ids.length;
        let r = 0;
        let out = 0;
        while (r < len) {
          if (r + 1 < len && ids[r] === a && ids[r + 1] === b) {
            if (out > 0) {
              const prev = ids[out - 1];
              const old = prev * mul + a;
              counts.set(old, (counts.get(old) as number) - f);
              this.addPair(counts, where, grown, prev * mul + newId, w, f);
            }
            if (r + 2 < len) {
              const next = ids[r + 2];
              const old = b * mul + next;
              counts.set(old, (counts.get(old) as number) - f);
              this.addPair(counts, where, grown, newId * mul + next, w, f);
            }
            ids[out++] = newId;
            r += 2;
          } else {
            ids[out++] = ids[r++];
          }
        }
        ids.length = out;
      }
      counts.delete(key);
      where.delete(key);
      for (const k of grown) heap.push(counts.get(k) as number, k);

      merges.push([a, b]);
      mergeCounts.push(count);
      vocab.push(concatBytes(vocab[a], vocab[b]));
      onMerge?.({ index: step, pair: [a, b], id: newId, count });
    }

    const specialTokens: Record<string, number> = {};
    this.specials.forEach((s, i) => (specialTokens[s] = vocab.length + i));
    return { merges, vocab, counts: mergeCounts, specialTokens, pattern: this.options.pattern ?? "gpt2" };
  }
}

/** Trains byte-level BPE on `text` (or several texts): `new BpeTrainer(options).add(...).train()`. */
export function trainBpe(text: string | Iterable<string>, options: TrainOptions): TrainedBpe {
  const trainer = new BpeTrainer(options);
  if (typeof text === "string") trainer.add(text);
  else for (const t of text) trainer.add(t);
  return trainer.train();
}
