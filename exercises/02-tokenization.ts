/**
 * Chapter 02 exercises: byte-level byte pair encoding (BPE), the tokenizer of GPT-2 and its successors.
 *
 * Write your answers here, replacing each `throw new NotImplemented(...)`. Grade them with
 * `npm run grade -- 02` (or the last cell of notebooks/02-tokenization.ipynb). In the student release the
 * library's `tokenizer.pairCounts`, `tokenizer.merge`, `tokenizer.train`, … are re-exports of these functions,
 * so after `npm run build` and a kernel restart the notebook runs your code; in the main course it runs the
 * library's answer.
 *
 * Conventions:
 * - Text becomes UTF-8 bytes; ids 0–255 are the bytes, merge number i creates id 256 + i.
 * - A vocabulary is an array: `vocab[id]` = the bytes (Uint8Array) of token `id`.
 * - A pair of ids is a `Pair` (`readonly [number, number]`); a trained model is a `BpeModel`
 *   `{ merges: Pair[]; vocab: Uint8Array[] }` (merge i is `merges[i]`, and made `vocab[256 + i]`).
 * - Pair counts are a `Map<string, number>` keyed by `pairKey(a, b)` = `"a,b"` (a Map cannot key on arrays).
 * - Training ties: highest count wins; among equal counts the smallest left id, then the smallest right id.
 *
 * Helpers imported below, for you to use:
 * - `utf8Encode(text)` → Uint8Array; `utf8Decode(bytes)` → string (invalid UTF-8 becomes U+FFFD, no exception);
 * - `pretokenize(text, pattern)` → the pieces of the text (words with their leading space, numbers, …) under the
 *   GPT-2 or GPT-4 regex, or the whole text for "none";
 * - `pairKey(a, b)` → `"a,b"`, `parsePairKey("a,b")` → `[a, b]`;
 * - `bestPair(counts)` → `{ pair, count }` by the training tie rule above, or undefined for an empty Map;
 * - `byteVocab()` → the 256 single-byte tokens (`vocab[b]` = `[b]`);
 * - `bytesKey(bytes)` → a string with one character per byte (usable as a Map key for a byte sequence);
 *   `concatBytes(a, b)` → a new Uint8Array, `a` then `b`.
 */
import { NotImplemented } from "../src/errors";
import {
  bestPair,
  byteVocab,
  pairKey,
  parsePairKey,
  type BpeModel,
  type Pair,
} from "../src/tokenizer/basics";
import { bytesKey, concatBytes, utf8Decode, utf8Encode } from "../src/tokenizer/bytes";
import { pretokenize, type PatternName } from "../src/tokenizer/patterns";

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
  void pairKey;
  throw new NotImplemented(
    "02.pairCounts",
    "n ids have n − 1 neighbouring pairs, overlapping ones included; add the weight to what the Map already holds, do not overwrite it",
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
    "scan left to right and, after a match, continue past both ids (that is why [5, 5, 5] gives one merge); build a new array",
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
 * Example (notebook section 2): `train("aaabdaaabac", 260, "none").merges` = `[[97, 97], [97, 98], [256, 257],
 * [97, 99]]`: "aa" occurs 4 times; then "ab" and ("aa", "a") tie at 2 and the smaller left id wins; and so on.
 */
export function train(text: string, vocabSize: number, pattern: PatternName = "gpt2"): BpeModel {
  void text;
  void vocabSize;
  void pattern;
  void pretokenize;
  void utf8Encode;
  void bestPair;
  void byteVocab;
  void parsePairKey;
  void concatBytes;
  throw new NotImplemented(
    "02.train",
    "a distinct piece is counted once and its pairs weighted by how often it occurs; pairs never span two pieces; the new token's bytes are its two parts' bytes joined",
  );
}

/**
 * Task 02.encode — encode text like tiktoken (GPT-2's ids with GPT-2's vocabulary).
 *
 * Build a Map from each token's bytes (`bytesKey(vocab[id])`) to its id (a lower id is a higher priority,
 * "rank"). For each piece of `pretokenize(text, pattern)`: start with its UTF-8 bytes as parts (one byte
 * each); repeatedly find the adjacent pair of parts whose concatenation is a token with the lowest id (the
 * leftmost if several), and join it; stop when no adjacent pair forms a token. Output the ids of the parts.
 * Examples, with the 256 byte tokens plus 256 = "ab", 257 = "bc": "abc" → [256, 99] ("ab" has the lower id);
 * with 256 = "aa": "aaa" → [256, 97] (two equal pairs: the leftmost is joined), not [97, 256]. With GPT-2's
 * vocabulary "eee" → [1453, 68] ("ee" + "e"), as tiktoken gives.
 */
export function encode(text: string, vocab: readonly Uint8Array[], pattern: PatternName = "gpt2"): number[] {
  void text;
  void vocab;
  void pattern;
  void bytesKey;
  throw new NotImplemented(
    "02.encode",
    'the next merge is the adjacent pair whose joined bytes is the token of lowest id, not the first pair found; on a tie the leftmost ("eee" is [ee, e] in GPT-2)',
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
  void utf8Decode;
  throw new NotImplemented(
    "02.decode",
    "one character's bytes may be split across two tokens, so join all the bytes first and decode once",
  );
}
