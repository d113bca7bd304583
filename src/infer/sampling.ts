/**
 * Chapter 12's samplers. The sampler itself lives one layer down, in `src/model/sampling.ts` (chapter 03's
 * `generate` draws through it too; one implementation); this module re-exports it and adds the chi-square
 * goodness-of-fit test that checks each sampler draws from exactly its target distribution.
 */
export type { SamplerOptions } from "../model/sampling";
export {
  applyPenalties,
  checkSamplerOptions,
  minPFilter,
  sample,
  samplerDistribution,
  softmaxT,
  topKFilter,
  topPFilter,
} from "../model/sampling";

/**
 * Pearson's chi-square goodness-of-fit of `counts` against probabilities `probs` (cells with expected count
 * 0 must have count 0, else the statistic is Infinity). Returns the statistic, degrees of freedom and an
 * upper-tail p-value (Wilson–Hilferty normal approximation of the chi-square tail).
 */
export function chiSquareTest(
  counts: ArrayLike<number>,
  probs: ArrayLike<number>,
): { statistic: number; dof: number; pValue: number } {
  if (counts.length !== probs.length)
    throw new Error(`chiSquareTest: ${counts.length} counts but ${probs.length} probabilities`);
  let n = 0;
  for (let i = 0; i < counts.length; i++) n += counts[i];
  let stat = 0;
  let cells = 0;
  for (let i = 0; i < counts.length; i++) {
    const e = n * probs[i];
    if (e === 0) {
      if (counts[i] > 0) stat = Infinity;
      continue;
    }
    cells++;
    stat += (counts[i] - e) ** 2 / e;
  }
  const dof = Math.max(1, cells - 1);
  // Wilson–Hilferty: (X/k)^(1/3) ≈ N(1 − 2/(9k), 2/(9k)).
  const z = (Math.cbrt(stat / dof) - (1 - 2 / (9 * dof))) / Math.sqrt(2 / (9 * dof));
  return { statistic: stat, dof, pValue: Number.isFinite(stat) ? 1 - normalCdf(z) : 0 };
}

function normalCdf(z: number): number {
  // Abramowitz–Stegun 7.1.26 on erf, |error| < 1.5e-7.
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erf =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) *
      t *
      Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}
