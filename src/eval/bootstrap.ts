/**
 * The percentile bootstrap of one statistic: how much would it move if the same number of items had been drawn
 * again? Resample the items with replacement, recompute, and read the interval off the percentiles of the
 * recomputed values (Efron 1979). The resampler and the percentile rule are scaling's (chapter 06), so every
 * interval of the course draws the same way.
 */
import { bootstrapResamples, percentileInterval } from "../scaling/powerlaw";

export interface BootstrapInterval {
  /** The statistic on the items themselves. */
  estimate: number;
  low: number;
  high: number;
}

// @answer 10.percentileBootstrap
/**
 * The percentile bootstrap interval of `statistic(values)`: `rounds` resamples (default 1000), each n draws
 * with replacement, index by index, from `new Rng(seed)` with `rng.int(n)` (the stream of
 * `scaling.bootstrapResamples`); the statistic of each resample; the interval between the (1 − level)/2 and
 * (1 + level)/2 percentiles of those values, interpolating linearly between order statistics (percentile p of k
 * sorted values sits at position (k − 1)·p).
 */
export function percentileBootstrap<T>(
  values: readonly T[],
  statistic: (sample: T[]) => number,
  options: { rounds?: number; seed?: number; level?: number } = {},
): BootstrapInterval {
  const { rounds = 1000, seed = 0, level = 0.95 } = options;
  if (!(level > 0 && level < 1))
    throw new Error(`percentileBootstrap: level must be in (0, 1), got ${level}`);
  const stats: number[] = [];
  for (const idx of bootstrapResamples(values.length, rounds, seed))
    stats.push(statistic(idx.map((i) => values[i])));
  const { low, high } = percentileInterval(stats, level);
  return { estimate: statistic([...values]), low, high };
}
// @end-answer
