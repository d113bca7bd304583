/**
 * Chapter 02 exercises: byte-level byte pair encoding (BPE), the tokenizer of GPT-2 and its successors.
 *
 * Write your answers here, replacing each `throw new NotImplemented(...)`. Grade them with
 * `npm run grade -- 02` (or the last cell of notebooks/02-tokenization.ipynb). In the student release the
 * library's `tokenizer.pairCounts`, `tokenizer.train`, … are these functions, so the notebook uses your code.
 *
 * Conventions (src/tokenizer/basics.ts):
 * - Text becomes UTF-8 bytes (`utf8Encode`); ids 0–255 are the bytes, merge number i creates id 256 + i.
 * - A vocabulary is an array: `vocab[id]` = the bytes (Uint8Array) of token `id`.
 * - Pair counts are a `Map<string, number>` keyed by `pairKey(a, b)` = `"a,b"`.
 * - Training ties: highest count wins; among equal counts the smallest left id, then the smallest right id
 *   (`bestPair` implements exactly this rule; you may use it).
 * Helpers you may use: `pairKey`, `parsePairKey`, `bestPair`, `byteVocab`, `pretokenize`, `utf8Encode`,
 * `utf8Decode`, `concatBytes`, `bytesKey` (all in src/tokenizer).
 */
import { NotImplemented } from "../src/errors";
import type { BpeModel, Pair } from "../src/tokenizer/basics";
import type { PatternName } from "../src/tokenizer/patterns";

/**
 * Task 02.pairCounts — count adjacent pairs.
 *
 * For each i, add `weight` to `counts` under `pairKey(ids[i], ids[i + 1])`. Create the Map when `counts` is
 * not given; return it. `[1, 2, 3, 1, 2]` → `{"1,2": 2, "2,3": 1, "3,1": 1}`. Overlapping pairs count:
 * `[5, 5, 5]` has (5, 5) twice. An array of fewer than 2 ids adds nothing.
 */
export function pairCounts(
  ids: readonly number[],
  counts: Map<string, number> = new Map(),
  weight = 1,
): Map<string, number> {
  void ids;
  void counts;
  void weight;
  throw new NotImplemented(
    "02.pairCounts",
    "loop i from 0 to ids.length - 2 and add weight under pairKey(ids[i], ids[i+1])",
  );
}

/**
 * Task 02.merge — apply one merge.
 *
 * Return a new array where every occurrence of `pair` (left to right, not overlapping) is replaced by `newId`:
 * `merge([1, 2, 3, 1, 2], [1, 2], 7)` → `[7, 3, 7]`; `merge([5, 5, 5], [5, 5], 9)` → `[9, 5]`. Do not modify
 * `ids`.
 */
export function merge(ids: readonly number[], pair: Pair, newId: number): number[] {
  void ids;
  void pair;
  void newId;
  throw new NotImplemented(
    "02.merge",
    "walk i along ids: if ids[i], ids[i+1] is the pair push newId and skip 2, else push ids[i]",
  );
}

/**
 * Task 02.train — train byte-level BPE.
 *
 * 1. Cut `text` into pieces with `pretokenize(text, pattern)` and count how often each distinct piece occurs.
 * 2. Turn each distinct piece into its UTF-8 bytes (`Array.from(utf8Encode(piece))`).
 * 3. Until the vocabulary has `vocabSize` tokens: count pairs over all pieces (each weighted by its count),
 *    take the best pair (`bestPair`: highest count, ties to the smallest ids), give it id `vocab.length`,
 *    merge it in every piece, append `[a, b]` to `merges` and the concatenated bytes to `vocab`.
 * Start from `vocab = byteVocab()` (the 256 single bytes). Throw an Error (saying how many merges were made) if
 * no pair is left before reaching `vocabSize`. Return `{ merges, vocab }`.
 */
export function train(text: string, vocabSize: number, pattern: PatternName = "gpt2"): BpeModel {
  void text;
  void vocabSize;
  void pattern;
  throw new NotImplemented(
    "02.train",
    "count pieces in a Map, then loop: pairCounts over all pieces, bestPair, merge everywhere",
  );
}

/**
 * Task 02.encode — encode text like tiktoken (GPT-2's ids with GPT-2's vocabulary).
 *
 * Build a Map from each token's bytes (`bytesKey(vocab[id])`) to its id (a lower id is a higher priority,
 * "rank"). For each piece of `pretokenize(text, pattern)`: start with its UTF-8 bytes as parts (one byte
 * each); repeatedly find the adjacent pair of parts whose concatenation is a token with the lowest id (the
 * leftmost if several), and join it; stop when no adjacent pair forms a token. Output the ids of the parts.
 */
export function encode(text: string, vocab: readonly Uint8Array[], pattern: PatternName = "gpt2"): number[] {
  void text;
  void vocab;
  void pattern;
  throw new NotImplemented(
    "02.encode",
    "keep parts as binary strings (bytesKey) so joining two parts is string concatenation",
  );
}

/**
 * Task 02.decode — token ids back to text.
 *
 * Concatenate `vocab[id]` for every id and decode the bytes as UTF-8 (`utf8Decode`: bytes that are not valid
 * UTF-8 become U+FFFD, never an exception). An id with no token is an Error whose message contains the id.
 */
export function decode(ids: readonly number[], vocab: readonly Uint8Array[]): string {
  void ids;
  void vocab;
  throw new NotImplemented(
    "02.decode",
    "sum the lengths, copy each token's bytes into one Uint8Array, utf8Decode it",
  );
}
