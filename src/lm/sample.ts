/**
 * Generating words from a bigram model, one token at a time: start at the boundary ".", draw the next token
 * from the row of the current one, stop when "." is drawn again.
 */
import type { Matrix } from "./bigram";
import { checkProbs } from "./nll";
import { Rng } from "../random";
import { Vocab } from "./vocab";

// @answer 01.sample
/**
 * Samples `count` words from `probs` [V, V] with one seeded generator `new Rng(seed)`, drawing every token
 * with `rng.categorical(probs[current])` (a pure-JS draw, so the result is the same on every backend).
 * A word stops at the boundary token or after `maxLength` letters.
 */
export function sampleNames(
  probs: Matrix,
  vocab: Vocab,
  count: number,
  seed: number,
  maxLength = 30,
): string[] {
  checkProbs(probs, vocab, "sampleNames");
  if (!Number.isInteger(count) || count < 0)
    throw new Error(`sampleNames: count must be an integer ≥ 0, got ${count}`);
  const rng = new Rng(seed);
  const names: string[] = [];
  for (let n = 0; n < count; n++) {
    let word = "";
    let cur = 0;
    while (word.length < maxLength) {
      cur = rng.categorical(probs[cur]);
      if (cur === 0) break;
      word += vocab.itos[cur];
    }
    names.push(word);
  }
  return names;
}
// @end-answer
