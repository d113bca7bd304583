/**
 * Chapter 01 exercises: autoregressive language models on first names.
 *
 * Write your answers here, replacing each `throw new NotImplemented(...)`. Grade them with
 * `npm run grade -- 01` (or the last cell of notebooks/01-autoregressive.ipynb). In the student release the
 * library's `lm.bigramCounts`, `lm.nll`, … are re-exports of these functions, so after `npm run build` and a
 * kernel restart the notebook runs your code; in the main course it runs the library's answer.
 *
 * Conventions:
 * - A `Vocab` maps characters to ids. The boundary token "." is id 0 and marks both the start and the end of a
 *   word; the names' letters a–z are ids 1…26 (`vocab.size` = V = 27). `vocab.encode(word)` frames the word with
 *   boundaries: `encode("ab")` = `[0, 1, 2, 0]` (length `word.length + 2`); it throws for a character that is
 *   not in the vocabulary. `vocab.itos[id]` is the character of an id.
 * - A `Matrix` is a `number[][]` of shape [V, V]: row = previous token, column = next token. `zeros(V, V)`
 *   makes one filled with 0.
 * - `new Rng(seed)` is the course's seeded generator; `rng.categorical(weights)` draws an index with probability
 *   proportional to `weights[i]`, using one number from the generator's sequence per draw.
 *
 * The examples below use the vocabulary ".ab" (V = 3: "." = 0, "a" = 1, "b" = 2) and the words
 * ["abba", "ab", "b"]; the grader checks these numbers, among others.
 */
import { NotImplemented } from "../src/errors";
import { zeros, type Matrix } from "../src/lm/bigram";
import { Vocab } from "../src/lm/vocab";
import { Rng } from "../src/random";

/**
 * Task 01.bigramCounts — count every pair of consecutive tokens.
 *
 * For each word, `vocab.encode(word)` and add 1 to `counts[prev][next]` for every neighbouring pair of ids.
 * Return a [V, V] matrix (`V = vocab.size`) of integers; pairs that never occur stay 0; no words give all zeros.
 * Example: ".abba." → (.,a) (a,b) (b,b) (b,a) (a,.); ".ab." → (.,a) (a,b) (b,.); ".b." → (.,b) (b,.), so
 * `bigramCounts(["abba", "ab", "b"], vocab)` = `[[0, 2, 1], [1, 0, 2], [2, 1, 1]]` — 10 pairs, Σ (length + 1).
 * A character outside the vocabulary is an error (let `vocab.encode` throw), never skipped.
 */
export function bigramCounts(words: readonly string[], vocab: Vocab): Matrix {
  void words;
  void vocab;
  void zeros;
  throw new NotImplemented(
    "01.bigramCounts",
    "a word of n letters gives n + 1 pairs, boundaries included: the first letter after the start boundary and the end boundary after the last letter count too",
  );
}

/**
 * Task 01.nll (part 1) — the chain rule for one word.
 *
 * log P(word) = Σ_t ln P(x_t | x_{t-1}) = Σ_t ln probs[ids[t-1]][ids[t]], over the n + 1 predictions of a word of
 * n letters (the n letters, then the end boundary). Natural log. A zero probability gives −Infinity.
 * Example (each row of the counts above divided by its sum): probs = `[[0, 2/3, 1/3], [1/3, 0, 2/3],
 * [1/2, 1/4, 1/4]]`; P("ab") = P(a|.) · P(b|a) · P(.|b) = 2/3 · 2/3 · 1/2 = 2/9, so log P("ab") = ln(2/9);
 * P("b") = 1/3 · 1/2 = 1/6.
 */
export function logProbWord(probs: Matrix, word: string, vocab: Vocab): number {
  void probs;
  void word;
  void vocab;
  throw new NotImplemented(
    "01.nll",
    "a product of many probabilities underflows; its logarithm is a sum of logarithms, one per neighbouring pair of ids",
  );
}

/**
 * Task 01.nll (part 2) — mean negative log-likelihood of a data set, in nats per predicted token.
 *
 * NLL = −(Σ_words log P(word)) / (Σ_words (word.length + 1)). Each word predicts its letters and the end
 * boundary, so it counts `length + 1` predictions. Example: with the probs above, P("ab") · P("b") = 2/9 · 1/6 =
 * 1/27 over 3 + 2 = 5 predictions, so `nll(probs, ["ab", "b"], vocab)` = ln 27 / 5 = 0.659167 nats. The uniform
 * model has NLL = ln V (ln 27 ≈ 3.296 for the names). An impossible pair gives Infinity. An empty list of words
 * has no NLL: throw an Error saying so.
 */
export function nll(probs: Matrix, words: readonly string[], vocab: Vocab): number {
  void probs;
  void words;
  void vocab;
  throw new NotImplemented(
    "01.nll",
    "a mean per predicted token, not per word: the denominator counts every letter and each word's end boundary",
  );
}

/**
 * Task 01.nll (part 3) — perplexity = exp(NLL): the number of equally likely choices the model is as unsure
 * as, per token. Uniform model: V (27 for the names); perfect model: 1. Example: ["ab", "b"] above gives
 * exp(ln 27 / 5) = 27^(1/5) = 1.933182.
 */
export function perplexity(probs: Matrix, words: readonly string[], vocab: Vocab): number {
  void probs;
  void words;
  void vocab;
  throw new NotImplemented("01.nll", "perplexity undoes the logarithm of the mean NLL");
}

/**
 * Task 01.sample — generate `count` words from a bigram model, reproducibly.
 *
 * Make ONE generator `new Rng(seed)` and use it for every draw of every word, in order. For each word: start at
 * the boundary (id 0); repeatedly draw the next id with `rng.categorical(probs[current])`; stop when the boundary
 * (0) is drawn again, or when the word has `maxLength` letters. Append the letters `vocab.itos[id]`. The same
 * seed must give the same words (the grader replays exactly this order of draws); a transition with
 * probability 0 must never occur.
 */
export function sampleNames(
  probs: Matrix,
  vocab: Vocab,
  count: number,
  seed: number,
  maxLength = 30,
): string[] {
  void probs;
  void vocab;
  void count;
  void seed;
  void maxLength;
  void Rng;
  throw new NotImplemented(
    "01.sample",
    "the row of the current token is the distribution of the next; a generator made anew for each word repeats its first draws, so every word would start alike",
  );
}
