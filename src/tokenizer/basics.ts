/**
 * Byte pair encoding, the teaching version: short, plain functions that say what BPE is. Chapter 02's exercises
 * are these functions (the `@answer` regions); the library's fast paths (`BpeTrainer`, `Tokenizer`) compute
 * exactly the same results and the tests check that they agree.
 *
 * Conventions
 * - A token sequence is an array of ids. Ids 0–255 are the raw bytes; merge `i` creates id `256 + i`.
 * - A vocabulary is an array `vocab[id]` = the bytes of that token.
 * - Pair counts are a `Map` keyed by `pairKey(a, b)` = `"a,b"` (a Map cannot key on arrays).
 * - Training picks, at each step, the pair with the **highest count**; ties go to the **smallest pair of ids**
 *   (smallest left id, then smallest right id). Counts are over the pre-tokenized words, each weighted by its
 *   frequency, and merges never cross a word boundary.
 * - Encoding follows tiktoken: within each piece, repeatedly merge the adjacent pair whose concatenated bytes is
 *   the token of lowest id (rank), leftmost first on ties, until no adjacent pair forms a token.
 */
import { bytesKey, concatBytes, utf8Decode, utf8Encode } from "./bytes";
import { pretokenize, type PatternName } from "./patterns";

/** Two adjacent token ids. */
export type Pair = readonly [number, number];

/** What training produces: the merges in order (merge `i` made id `256 + i`) and the vocabulary they imply. */
export interface BpeModel {
  merges: Pair[];
  vocab: Uint8Array[];
}

/** The Map key of a pair: `"a,b"`. */
export function pairKey(a: number, b: number): string {
  return `${a},${b}`;
}

/** The pair named by a key made with `pairKey`. */
export function parsePairKey(key: string): [number, number] {
  const comma = key.indexOf(",");
  return [Number(key.slice(0, comma)), Number(key.slice(comma + 1))];
}

/** The 256 single-byte tokens: `vocab[b]` = `[b]`. */
export function byteVocab(): Uint8Array[] {
  return Array.from({ length: 256 }, (_, b) => Uint8Array.of(b));
}

/**
 * The best pair under the training rule: highest count, ties to the smallest (left, right) ids.
 * `undefined` when `counts` is empty.
 */
export function bestPair(
  counts: ReadonlyMap<string, number>,
): { pair: [number, number]; count: number } | undefined {
  let best: [number, number] | undefined;
  let bestCount = 0;
  for (const [key, count] of counts) {
    const pair = parsePairKey(key);
    if (
      best === undefined ||
      count > bestCount ||
      (count === bestCount && (pair[0] < best[0] || (pair[0] === best[0] && pair[1] < best[1])))
    ) {
      best = pair;
      bestCount = count;
    }
  }
  return best === undefined ? undefined : { pair: best, count: bestCount };
}

// @answer 02.pairCounts
/**
 * Counts the adjacent pairs of `ids`, adding `weight` for each occurrence into `counts` (a new Map when not
 * given) and returning it. `[1, 2, 3, 1, 2]` → `{"1,2": 2, "2,3": 1, "3,1": 1}`. Overlaps count: `[5, 5, 5]`
 * has the pair (5, 5) twice. Passing the same Map for many words, with the word's frequency as `weight`,
 * gives the counts over a corpus.
 */
export function pairCounts(
  ids: readonly number[],
  counts: Map<string, number> = new Map(),
  weight = 1,
): Map<string, number> {
  for (let i = 0; i + 1 < ids.length; i++) {
    const key = pairKey(ids[i], ids[i + 1]);
    counts.set(key, (counts.get(key) ?? 0) + weight);
  }
  return counts;
}
// @end-answer

// @answer 02.merge
/**
 * Replaces every occurrence of `pair` in `ids` by `newId`, scanning left to right (so `[5, 5, 5]` with pair
 * (5, 5) becomes `[new, 5]`). Returns a new array; `ids` is unchanged.
 */
export function merge(ids: readonly number[], pair: Pair, newId: number): number[] {
  const out: number[] = [];
  let i = 0;
  while (i < ids.length) {
    if (i + 1 < ids.length && ids[i] === pair[0] && ids[i + 1] === pair[1]) {
      out.push(newId);
      i += 2;
    } else {
      out.push(ids[i]);
      i += 1;
    }
  }
  return out;
}
// @end-answer

// @answer 02.train
/**
 * Trains byte-level BPE on `text` until the vocabulary has `vocabSize` tokens (256 bytes + merges).
 * Steps: cut the text into pieces with `pattern`; count each distinct piece (as UTF-8 bytes); then repeat:
 * count pairs over all pieces (weighted by piece frequency), take the best pair (highest count, ties to the
 * smallest ids), give it the next id, merge it everywhere. Straightforward and slow (it recounts every step):
 * the library's `BpeTrainer` gives the same merges fast.
 * Throws when the text runs out of pairs before reaching `vocabSize`.
 */
export function train(text: string, vocabSize: number, pattern: PatternName = "gpt2"): BpeModel {
  if (!Number.isInteger(vocabSize) || vocabSize < 256) {
    throw new Error(`train: vocabSize must be an integer ≥ 256 (the byte tokens), got ${vocabSize}`);
  }
  const freq = new Map<string, number>();
  for (const piece of pretokenize(text, pattern)) freq.set(piece, (freq.get(piece) ?? 0) + 1);
  let words = [...freq.keys()].map((piece) => Array.from(utf8Encode(piece)));
  const weights = [...freq.values()];

  const vocab = byteVocab();
  const merges: [number, number][] = [];
  while (vocab.length < vocabSize) {
    const counts = new Map<string, number>();
    words.forEach((ids, w) => pairCounts(ids, counts, weights[w]));
    const best = bestPair(counts);
    if (best === undefined) {
      throw new Error(
        `train: the text has no pairs left to merge after ${merges.length} merges (vocabulary ${vocab.length}), ` +
          `short of vocabSize ${vocabSize}: use a longer text or a vocabSize ≤ ${vocab.length}`,
      );
    }
    const newId = vocab.length;
    words = words.map((ids) => merge(ids, best.pair, newId));
    merges.push(best.pair);
    vocab.push(concatBytes(vocab[best.pair[0]], vocab[best.pair[1]]));
  }
  return { merges, vocab };
}
// @end-answer

// @answer 02.encode
/**
 * Encodes `text` with the tokens of `vocab` (`vocab[id]` = bytes; a lower id is a higher-priority merge, as in
 * GPT-2's ranks). Cuts the text with `pattern`, then for each piece starts from its UTF-8 bytes (as the ids of
 * the single-byte tokens) and repeatedly merges the adjacent pair whose concatenated bytes is the token with the
 * lowest id (leftmost on ties), until no adjacent pair forms a token. Gives GPT-2's ids with GPT-2's vocabulary.
 */
export function encode(text: string, vocab: readonly Uint8Array[], pattern: PatternName = "gpt2"): number[] {
  const rank = new Map<string, number>();
  vocab.forEach((bytes, id) => {
    const key = bytesKey(bytes);
    if (!rank.has(key)) rank.set(key, id);
  });
  const out: number[] = [];
  for (const piece of pretokenize(text, pattern)) {
    const parts = Array.from(utf8Encode(piece), (b) => bytesKey([b]));
    for (;;) {
      let bestAt = -1;
      let bestRank = Infinity;
      for (let i = 0; i + 1 < parts.length; i++) {
        const r = rank.get(parts[i] + parts[i + 1]);
        if (r !== undefined && r < bestRank) {
          bestRank = r;
          bestAt = i;
        }
      }
      if (bestAt < 0) break;
      parts.splice(bestAt, 2, parts[bestAt] + parts[bestAt + 1]);
    }
    for (const part of parts) {
      const id = rank.get(part);
      if (id === undefined)
        throw new Error(`encode: the vocabulary has no token for byte ${part.charCodeAt(0)}`);
      out.push(id);
    }
  }
  return out;
}
// @end-answer

// @answer 02.decode
/**
 * The text of `ids`: the tokens' bytes concatenated, decoded as UTF-8. Bytes that are not valid UTF-8 (a token
 * sequence may cut a character) become U+FFFD; an id outside the vocabulary is an error naming it.
 */
export function decode(ids: readonly number[], vocab: readonly Uint8Array[]): string {
  const parts: Uint8Array[] = [];
  let length = 0;
  for (const id of ids) {
    const bytes = vocab[id];
    if (bytes === undefined)
      throw new Error(`decode: unknown token id ${id} (vocabulary has ${vocab.length} ids)`);
    parts.push(bytes);
    length += bytes.length;
  }
  const all = new Uint8Array(length);
  let at = 0;
  for (const bytes of parts) {
    all.set(bytes, at);
    at += bytes.length;
  }
  return utf8Decode(all);
}
// @end-answer
