/**
 * Scoring a model: the chain rule, negative log-likelihood and perplexity. A model here is a matrix of
 * next-token probabilities `probs` [V, V] (row = previous token), from counts or from the neural bigram.
 */
import type { Matrix } from "./bigram";
import { Vocab } from "./vocab";

/** Checks that `probs` is [V, V] for this vocabulary; otherwise an error that says what is wrong. */
export function checkProbs(probs: Matrix, vocab: Vocab, caller: string): void {
  const V = vocab.size;
  if (probs.length !== V || probs.some((row) => row.length !== V)) {
    throw new Error(
      `${caller}: probs must be [${V}, ${V}] for this vocabulary, got [${probs.length}, ${probs[0]?.length}]`,
    );
  }
}

// @answer 01.nll
/**
 * The chain rule: log P(word) = Σ_t log P(x_t | x_<t), here with the bigram assumption
 * log P(x_t | x_<t) = log probs[x_{t-1}][x_t]. The word is framed by boundaries, so a word of n letters has
 * n + 1 factors (n letters and the end). Natural log; −Infinity if any factor is 0.
 */
export function logProbWord(probs: Matrix, word: string, vocab: Vocab): number {
  checkProbs(probs, vocab, "logProbWord");
  const ids = vocab.encode(word);
  let logp = 0;
  for (let t = 1; t < ids.length; t++) logp += Math.log(probs[ids[t - 1]][ids[t]]);
  return logp;
}

/**
 * Mean negative log-likelihood per predicted token (nats): −(Σ_words log P(word)) / (Σ_words (len + 1)).
 * The uniform model scores ln V; lower is better; Infinity if the model gives some observed pair probability 0.
 */
export function nll(probs: Matrix, words: readonly string[], vocab: Vocab): number {
  if (words.length === 0) throw new Error("nll: no words to score");
  let total = 0;
  let count = 0;
  for (const w of words) {
    total -= logProbWord(probs, w, vocab);
    count += w.length + 1;
  }
  return total / count;
}

/**
 * Perplexity = exp(NLL): the model is as unsure as a uniform choice among this many tokens at each step.
 * Uniform model: V; a perfect model: 1.
 */
export function perplexity(probs: Matrix, words: readonly string[], vocab: Vocab): number {
  return Math.exp(nll(probs, words, vocab));
}
// @end-answer
