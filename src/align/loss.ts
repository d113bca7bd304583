/**
 * The SFT loss: next-token cross-entropy averaged over the positions the mask keeps (the assistant's tokens),
 * with masked targets replaced by an ignore index. The training loop uses `train.crossEntropy` with its
 * `ignoreIndex`; `maskedMeanCrossEntropy` is the same number written out on plain arrays, to read and check.
 */

/** PyTorch's default ignore index: a target equal to it does not count. */
export const IGNORE_INDEX = -100;

/**
 * Inputs and targets of one training sequence: x = ids[0 … n−1), y = ids[1 … n) with y[t] = ignoreIndex where
 * `mask[t + 1]` is 0 (the token at t + 1 is not one the model should learn to write).
 */
export function shiftTargets(
  ids: readonly number[],
  mask: readonly number[],
  ignoreIndex = IGNORE_INDEX,
): { x: number[]; y: number[] } {
  if (ids.length !== mask.length)
    throw new Error(`shiftTargets: ${ids.length} ids but ${mask.length} mask entries`);
  if (ids.length < 2) throw new Error("shiftTargets: a training sequence needs at least 2 tokens");
  const x = ids.slice(0, -1);
  const y = ids.slice(1).map((id, t) => (mask[t + 1] ? id : ignoreIndex));
  return { x, y };
}

// @answer 07.maskedMeanCrossEntropy
/**
 * Mean cross-entropy (nats) of `logits[t]` (one row of V scores per position) against `targets[t]`, over the
 * positions whose target is not `ignoreIndex`: (1/K) Σₜ −log softmax(logits[t])[targets[t]] with K the number of
 * kept positions. Stable log-softmax (subtract the row maximum). NaN when every target is ignored.
 */
export function maskedMeanCrossEntropy(
  logits: readonly (readonly number[])[],
  targets: readonly number[],
  ignoreIndex = IGNORE_INDEX,
): number {
  if (logits.length !== targets.length)
    throw new Error(`maskedMeanCrossEntropy: ${logits.length} rows of logits but ${targets.length} targets`);
  let sum = 0;
  let kept = 0;
  targets.forEach((y, t) => {
    if (y === ignoreIndex) return;
    const row = logits[t];
    if (!(y >= 0 && y < row.length))
      throw new Error(`maskedMeanCrossEntropy: target ${y} at position ${t} is outside [0, ${row.length})`);
    const max = Math.max(...row);
    let z = 0;
    for (const v of row) z += Math.exp(v - max);
    sum += -(row[y] - max - Math.log(z));
    kept++;
  });
  return kept === 0 ? NaN : sum / kept;
}
// @end-answer
