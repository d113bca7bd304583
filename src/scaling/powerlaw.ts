/**
 * Power laws y = k · x^a fitted as straight lines in log–log space: log y = log k + a · log x by ordinary
 * least squares, with standard errors from the residuals and a seeded bootstrap for confidence intervals.
 */
import { Rng } from "../random";

/** A fitted y = coefficient · x^exponent. */
export interface LogLogFit {
  exponent: number;
  coefficient: number;
}

/** Throws unless every value is a finite positive number; the message names the row. */
export function checkPositive(name: string, values: ArrayLike<number>, what = "value"): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!(Number.isFinite(v) && v > 0)) {
      throw new Error(
        `${name}: row ${i} has ${what} ${v}; power laws are fitted in log space, so every ${what} must be a ` +
          "finite positive number (drop or fix that row)",
      );
    }
  }
}

// @answer 06.logLogFit
/**
 * Least-squares line through (log x, log y): the slope is the exponent a, exp(intercept) the coefficient k of
 * y = k · x^a. With u = log x, v = log y: a = Σ(u − ū)(v − v̄) / Σ(u − ū)², log k = v̄ − a·ū.
 * Needs at least two distinct x and positive x, y.
 */
export function logLogFit(x: ArrayLike<number>, y: ArrayLike<number>): LogLogFit {
  if (x.length !== y.length) throw new Error(`logLogFit: x has ${x.length} values, y has ${y.length}`);
  if (x.length < 2) throw new Error(`logLogFit: need at least 2 points, got ${x.length}`);
  checkPositive("logLogFit x", x);
  checkPositive("logLogFit y", y);
  const n = x.length;
  let mu = 0;
  let mv = 0;
  for (let i = 0; i < n; i++) {
    mu += Math.log(x[i]) / n;
    mv += Math.log(y[i]) / n;
  }
  let suv = 0;
  let suu = 0;
  for (let i = 0; i < n; i++) {
    const du = Math.log(x[i]) - mu;
    suv += du * (Math.log(y[i]) - mv);
    suu += du * du;
  }
  if (suu === 0) throw new Error("logLogFit: all x are equal; a slope needs at least two different x");
  const exponent = suv / suu;
  return { exponent, coefficient: Math.exp(mv - exponent * mu) };
}
// @end-answer

/** A power-law fit with its uncertainty. */
export interface PowerLawFit extends LogLogFit {
  /** Standard errors of the exponent and of log(coefficient), from the residual variance (n − 2 dof). */
  exponentSE: number;
  logCoefficientSE: number;
  /** R² of the line in log–log space. */
  r2: number;
  n: number;
}

/** `logLogFit` plus standard errors and R² (needs ≥ 3 points for a standard error). */
export function fitPowerLaw(x: ArrayLike<number>, y: ArrayLike<number>): PowerLawFit {
  if (x.length < 3) {
    throw new Error(
      `fitPowerLaw: need at least 3 points for a slope and its standard error, got ${x.length}`,
    );
  }
  const fit = logLogFit(x, y);
  const n = x.length;
  const u = Array.from(x, Math.log);
  const v = Array.from(y, Math.log);
  const mu = u.reduce((a, b) => a + b, 0) / n;
  const mv = v.reduce((a, b) => a + b, 0) / n;
  let sse = 0;
  let sst = 0;
  let suu = 0;
  for (let i = 0; i < n; i++) {
    const r = v[i] - (Math.log(fit.coefficient) + fit.exponent * u[i]);
    sse += r * r;
    sst += (v[i] - mv) ** 2;
    suu += (u[i] - mu) ** 2;
  }
  const s2 = sse / (n - 2);
  return {
    ...fit,
    exponentSE: Math.sqrt(s2 / suu),
    logCoefficientSE: Math.sqrt(s2 * (1 / n + (mu * mu) / suu)),
    r2: sst > 0 ? 1 - sse / sst : 1,
    n,
  };
}

/** A percentile interval. */
export interface Interval {
  low: number;
  high: number;
}

/** The (q, 1 − q) percentiles of `values` (q = (1 − level)/2), linear interpolation between order statistics. */
export function percentileInterval(values: number[], level = 0.95): Interval {
  if (values.length === 0) throw new Error("percentileInterval: no values");
  const s = [...values].sort((a, b) => a - b);
  const at = (p: number): number => {
    const h = (s.length - 1) * p;
    const lo = Math.floor(h);
    const hi = Math.min(s.length - 1, lo + 1);
    return s[lo] + (h - lo) * (s[hi] - s[lo]);
  };
  const q = (1 - level) / 2;
  return { low: at(q), high: at(1 - q) };
}

/**
 * The bootstrap's resamples one at a time: `resamples` index vectors of n draws with replacement from one seeded
 * generator (the r-th vector holds draws r·n … r·n + n − 1). For data too large to hold every resample at once
 * (chapter 10 refits ratings on 1,000 resamples of 8,931 votes); `bootstrapIndices` is the same stream as arrays.
 */
export function* bootstrapResamples(n: number, resamples: number, seed: number): Generator<number[]> {
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`bootstrap: need at least one item to resample, got n=${n}`);
  if (!Number.isInteger(resamples) || resamples < 1)
    throw new Error(`bootstrap: the number of resamples must be a positive integer, got ${resamples}`);
  const rng = new Rng(seed);
  for (let r = 0; r < resamples; r++) {
    const idx = new Array<number>(n);
    for (let i = 0; i < n; i++) idx[i] = rng.int(n);
    yield idx;
  }
}

/** `resamples` index vectors of n draws with replacement from a seeded generator. */
export function bootstrapIndices(n: number, resamples: number, seed: number): number[][] {
  return [...bootstrapResamples(n, resamples, seed)];
}

/**
 * Bootstrap interval of a power law's exponent and coefficient: refit on `resamples` resamples of the points
 * (with replacement, seeded); resamples whose x are all equal are skipped.
 */
export function bootstrapPowerLaw(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  opts: { resamples?: number; seed?: number; level?: number } = {},
): { fit: PowerLawFit; exponent: Interval; coefficient: Interval; exponents: number[] } {
  const fit = fitPowerLaw(x, y);
  const exps: number[] = [];
  const coefs: number[] = [];
  for (const idx of bootstrapIndices(x.length, opts.resamples ?? 1000, opts.seed ?? 0)) {
    const xs = idx.map((i) => x[i]);
    if (xs.every((v) => v === xs[0])) continue;
    const f = logLogFit(
      xs,
      idx.map((i) => y[i]),
    );
    exps.push(f.exponent);
    coefs.push(f.coefficient);
  }
  return {
    fit,
    exponent: percentileInterval(exps, opts.level),
    coefficient: percentileInterval(coefs, opts.level),
    exponents: exps,
  };
}
