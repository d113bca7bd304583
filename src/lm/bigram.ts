/**
 * The count-based bigram model. A bigram model makes the Markov assumption
 * P(x_t | x_1 … x_{t-1}) = P(x_t | x_{t-1}): the next character depends only on the one before it. Its maximum
 * likelihood estimate is a table of counts, each row divided by its sum.
 *
 * Matrices are plain `number[][]` of shape [V, V]: row = the previous token (context), column = the next token.
 */
import { Vocab } from "./vocab";

/** A [rows, cols] matrix as an array of rows. */
export type Matrix = number[][];

/** A [rows, cols] matrix of zeros. */
export function zeros(rows: number, cols: number): Matrix {
  return Array.from({ length: rows }, () => new Array<number>(cols).fill(0));
}

// @answer 01.bigramCounts
/**
 * Counts every pair of consecutive tokens in the words, each framed by the boundary ".":
 * "ab" → ".ab." contributes (., a), (a, b), (b, .).
 * Returns counts [V, V] with `counts[prev][next]` = how often `next` follows `prev`.
 */
export function bigramCounts(words: readonly string[], vocab: Vocab): Matrix {
  const counts = zeros(vocab.size, vocab.size);
  for (const word of words) {
    const ids = vocab.encode(word);
    for (let t = 1; t < ids.length; t++) counts[ids[t - 1]][ids[t]] += 1;
  }
  return counts;
}
// @end-answer

/**
 * Turns counts [V, V] into next-token probabilities [V, V] with add-k smoothing:
 * P(b | a) = (C[a][b] + k) / (Σ_b' C[a][b'] + k·V).
 * k = 0 is the maximum likelihood estimate. k > 0 pretends every pair was seen k extra times; in Bayesian terms it
 * is the posterior mean of each row under a symmetric Dirichlet(k) prior. k → ∞ gives the uniform 1/V.
 * A row with no counts and k = 0 has no estimate; it becomes uniform (it is never used by the data anyway).
 */
export function bigramProbs(counts: Matrix, k = 0): Matrix {
  if (!(k >= 0) || !Number.isFinite(k))
    throw new Error(`bigramProbs: smoothing k must be finite and ≥ 0, got ${k}`);
  return counts.map((row, a) => {
    if (row.length !== counts.length) {
      throw new Error(
        `bigramProbs: counts must be square [V, V]; row ${a} has ${row.length} entries, V = ${counts.length}`,
      );
    }
    const total = row.reduce((s, c) => s + c, 0) + k * row.length;
    if (total === 0) return row.map(() => 1 / row.length);
    return row.map((c) => (c + k) / total);
  });
}

/** The model that knows nothing: every next token has probability 1/V. A baseline with NLL = ln V. */
export function uniformProbs(size: number): Matrix {
  return zeros(size, size).map((row) => row.map(() => 1 / size));
}
