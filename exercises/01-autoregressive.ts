/**
 * Chapter 01 exercises: autoregressive language models on first names.
 *
 * Write your answers here, replacing each `throw new NotImplemented(...)`. Grade them with
 * `npm run grade -- 01` (or the last cell of notebooks/01-autoregressive.ipynb). The notebook's library calls
 * (`lm.bigramCounts`, `lm.nll`, …) use these functions in the student release, so the notebook works as
 * soon as your answers do.
 *
 * Conventions (see src/lm/vocab.ts): the vocabulary has the boundary token "." at id 0 and the letters a–z
 * at ids 1…26 (V = 27). `vocab.encode("ab")` is `[0, 1, 2, 0]`: every word starts and ends with the boundary.
 * A matrix is a `number[][]` of shape [V, V], row = previous token, column = next token.
 */
import { NotImplemented } from "../src/errors";
import type { Matrix } from "../src/lm/bigram";
import { Vocab } from "../src/lm/vocab";

/**
 * Task 01.bigramCounts — count every pair of consecutive tokens.
 *
 * For each word, take `vocab.encode(word)` and add 1 to `counts[prev][next]` for every neighbouring pair.
 * "ab" → ids [0, 1, 2, 0] → pairs (0,1), (1,2), (2,0). Return a [V, V] matrix (`V = vocab.size`) of integers;
 * pairs that never occur stay 0. Unknown characters must not be skipped silently (`vocab.encode` throws).
 */
export function bigramCounts(words: readonly string[], vocab: Vocab): Matrix {
  void words;
  void vocab;
  throw new NotImplemented(
    "01.bigramCounts",
    "start from zeros(V, V) (import it from ../src/lm/bigram), loop over vocab.encode(word), do counts[ids[t-1]][ids[t]] += 1",
  );
}

/**
 * Task 01.nll (part 1) — the chain rule for one word.
 *
 * log P(word) = Σ_t log P(x_t | x_{t-1}) = Σ_t Math.log(probs[ids[t-1]][ids[t]]) over the n + 1 predictions
 * of a word of n letters (the n letters, then the end boundary). Natural log. A zero probability gives −Infinity.
 */
export function logProbWord(probs: Matrix, word: string, vocab: Vocab): number {
  void probs;
  void word;
  void vocab;
  throw new NotImplemented(
    "01.nll",
    "encode the word, then add Math.log(probs[prev][next]) for each neighbouring pair of ids",
  );
}

/**
 * Task 01.nll (part 2) — mean negative log-likelihood of a data set, in nats per predicted token.
 *
 * NLL = −(Σ_words log P(word)) / (Σ_words (word.length + 1)). Each word predicts its letters and the end
 * boundary, so it counts `length + 1` predictions. The uniform model has NLL = ln 27 ≈ 3.296. An empty list
 * of words has no NLL: throw an Error saying so.
 */
export function nll(probs: Matrix, words: readonly string[], vocab: Vocab): number {
  void probs;
  void words;
  void vocab;
  throw new NotImplemented(
    "01.nll",
    "sum -logProbWord over the words and divide by the number of predictions, Σ (length + 1) — not by the number of words",
  );
}

/**
 * Task 01.nll (part 3) — perplexity = exp(NLL): the number of equally likely choices the model is as unsure
 * as, per token. Uniform model: 27; perfect model: 1.
 */
export function perplexity(probs: Matrix, words: readonly string[], vocab: Vocab): number {
  void probs;
  void words;
  void vocab;
  throw new NotImplemented("01.nll", "Math.exp of your nll");
}

/**
 * Task 01.sample — generate `count` words from a bigram model, reproducibly.
 *
 * Make ONE generator `new Rng(seed)` (import { Rng } from "../src/random") and use it for every draw, in order.
 * For each word: start at the boundary (id 0); repeatedly draw the next id with `rng.categorical(probs[current])`;
 * stop when the boundary (0) is drawn again, or when the word has `maxLength` letters. Append the letters
 * `vocab.itos[id]`. The same seed must give the same words; a transition with probability 0 must never occur.
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
  throw new NotImplemented(
    "01.sample",
    "one Rng(seed) for all words; cur = 0; loop { cur = rng.categorical(probs[cur]); if (cur === 0) break; word += vocab.itos[cur] }",
  );
}
