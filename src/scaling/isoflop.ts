/**
 * Chinchilla's approaches 1 and 2 on a sweep's runs.
 * - Approach 2 (IsoFLOP): for each compute budget, a parabola in log N through the final losses; its minimum is
 *   N_opt(C), D_opt = C/(6·N_opt); then N_opt ∝ C^a and D_opt ∝ C^b across budgets.
 * - Approach 1 (envelope): over all training curves, the lowest loss reached at each FLOP count, and the run
 *   (model size) that reaches it; N_opt ∝ C^a fitted through those sizes.
 */
import {
  Interval,
  PowerLawFit,
  bootstrapIndices,
  checkPositive,
  fitPowerLaw,
  percentileInterval,
} from "./powerlaw";

/** y = c0 + c1·x + c2·x² and its stationary point. */
export interface Parabola {
  c0: number;
  c1: number;
  c2: number;
  /** −c1 / (2·c2): the minimum when c2 > 0. */
  xMin: number;
  yMin: number;
}

// @answer 06.parabola
/**
 * Least-squares parabola y = c0 + c1·x + c2·x² through (x, y) (normal equations of the 3×3 system, solved by
 * Cramer's rule on centred x for accuracy) and its minimum x* = −c1/(2·c2), y* = y(x*). Needs ≥ 3 distinct x;
 * throws when c2 ≤ 0 (the points do not bracket a minimum).
 */
export function parabolaMinimum(x: ArrayLike<number>, y: ArrayLike<number>): Parabola {
  const n = x.length;
  if (n !== y.length) throw new Error(`parabolaMinimum: x has ${n} values, y has ${y.length}`);
  if (n < 3) throw new Error(`parabolaMinimum: need at least 3 points for a parabola, got ${n}`);
  const xm = Array.from(x).reduce((a, b) => a + b, 0) / n;
  // Sums of powers of the centred x, and of y times them.
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, t0 = 0, t1 = 0, t2 = 0; // prettier-ignore
  for (let i = 0; i < n; i++) {
    const u = x[i] - xm;
    s0 += 1;
    s1 += u;
    s2 += u * u;
    s3 += u * u * u;
    s4 += u * u * u * u;
    t0 += y[i];
    t1 += u * y[i];
    t2 += u * u * y[i];
  }
  const det3 = (m: number[][]): number =>
    m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) -
    m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) +
    m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
  const M = [
    [s0, s1, s2],
    [s1, s2, s3],
    [s2, s3, s4],
  ];
  const det = det3(M);
  if (!(Math.abs(det) > 1e-12 * Math.max(1, s4 * s4 * s0))) {
    throw new Error("parabolaMinimum: the x values are not 3 distinct numbers; a parabola is not determined");
  }
  const t = [t0, t1, t2];
  const solve = (k: number): number => det3(M.map((row, i) => row.map((v, j) => (j === k ? t[i] : v)))) / det;
  const [b0, b1, b2] = [solve(0), solve(1), solve(2)];
  if (!(b2 > 0)) {
    throw new Error(
      `parabolaMinimum: the parabola opens downwards or is flat (curvature ${b2.toPrecision(3)}); ` +
        "the points do not bracket a minimum — add runs on the side where y is still falling",
    );
  }
  // Back from centred u = x − xm to x.
  const c2 = b2;
  const c1 = b1 - 2 * b2 * xm;
  const c0 = b0 - b1 * xm + b2 * xm * xm;
  const xMin = -c1 / (2 * c2);
  return { c0, c1, c2, xMin, yMin: c0 + c1 * xMin + c2 * xMin * xMin };
}
// @end-answer

/** One finished run, as the analyses need it. */
export interface RunPoint {
  /** Parameters (whichever count the analysis uses: total or non-embedding). */
  N: number;
  /** Tokens. */
  D: number;
  /** The budget the run was planned for (groups the IsoFLOP curves). */
  budget: number;
  loss: number;
}

/** One budget's IsoFLOP curve. */
export interface IsoflopCurve {
  budget: number;
  points: RunPoint[];
  /** The parabola in x = log N. */
  parabola: Parabola;
  Nopt: number;
  Dopt: number;
  lossOpt: number;
  /** True when N_opt lies inside the sizes of this budget's runs (not an extrapolation). */
  bracketed: boolean;
}

export interface IsoflopAnalysis {
  curves: IsoflopCurve[];
  /** N_opt ∝ C^a and D_opt ∝ C^b over the budgets (null with fewer than 3 budgets). */
  nFit: PowerLawFit | null;
  dFit: PowerLawFit | null;
}

/** Approach 2: a parabola per budget (≥ 3 runs each), then power laws across budgets. */
export function isoflopAnalysis(runs: RunPoint[]): IsoflopAnalysis {
  checkPositive(
    "isoflopAnalysis",
    runs.map((r) => r.N),
    "N",
  );
  checkPositive(
    "isoflopAnalysis",
    runs.map((r) => r.loss),
    "loss",
  );
  const budgets = [...new Set(runs.map((r) => r.budget))].sort((a, b) => a - b);
  const curves = budgets.map((C) => {
    const points = runs.filter((r) => r.budget === C).sort((a, b) => a.N - b.N);
    const parabola = (() => {
      try {
        return parabolaMinimum(
          points.map((p) => Math.log(p.N)),
          points.map((p) => p.loss),
        );
      } catch (e) {
        throw new Error(`IsoFLOP curve at C = ${C.toExponential(2)}: ${(e as Error).message}`);
      }
    })();
    const Nopt = Math.exp(parabola.xMin);
    return {
      budget: C,
      points,
      parabola,
      Nopt,
      Dopt: C / (6 * Nopt),
      lossOpt: parabola.yMin,
      bracketed: Nopt >= points[0].N && Nopt <= points[points.length - 1].N,
    };
  });
  const ok = curves.length >= 3;
  return {
    curves,
    nFit: ok
      ? fitPowerLaw(
          curves.map((c) => c.budget),
          curves.map((c) => c.Nopt),
        )
      : null,
    dFit: ok
      ? fitPowerLaw(
          curves.map((c) => c.budget),
          curves.map((c) => c.Dopt),
        )
      : null,
  };
}

/**
 * Bootstrap of approach 2 that keeps each budget's model sizes: refit every budget's parabola, resample its
 * residuals (with replacement, seeded) onto the fitted curve, refit, and collect the exponents a (N_opt ∝ C^a)
 * and b (D_opt ∝ C^b). With 5–7 runs per budget, resampling the runs themselves would often leave fewer than
 * three distinct sizes; resampling residuals measures how much the minima move with the losses' scatter.
 */
export function bootstrapIsoflop(
  runs: RunPoint[],
  opts: { resamples?: number; seed?: number; level?: number } = {},
): { a: Interval; b: Interval; used: number; skipped: number } {
  const base = isoflopAnalysis(runs);
  const resamples = opts.resamples ?? 500;
  const idx = base.curves.map((cv, k) => bootstrapIndices(cv.points.length, resamples, (opts.seed ?? 0) + k));
  const as: number[] = [];
  const bs: number[] = [];
  let skipped = 0;
  for (let s = 0; s < resamples; s++) {
    try {
      const sample = base.curves.flatMap((cv, k) => {
        const { c0, c1, c2 } = cv.parabola;
        const fitted = cv.points.map((p) => c0 + c1 * Math.log(p.N) + c2 * Math.log(p.N) ** 2);
        const resid = cv.points.map((p, i) => p.loss - fitted[i]);
        return cv.points.map((p, i) => ({ ...p, loss: fitted[i] + resid[idx[k][s][i]] }));
      });
      const r = isoflopAnalysis(sample);
      if (!r.nFit || !r.dFit) throw new Error("too few budgets");
      as.push(r.nFit.exponent);
      bs.push(r.dFit.exponent);
    } catch {
      skipped++;
    }
  }
  if (as.length === 0)
    throw new Error("bootstrapIsoflop: no resample gave an upward parabola at every budget");
  return {
    a: percentileInterval(as, opts.level),
    b: percentileInterval(bs, opts.level),
    used: as.length,
    skipped,
  };
}

/** One point of a training curve: the run's size and the loss after `flops` FLOPs. */
export interface CurveSample {
  N: number;
  flops: number;
  loss: number;
  run: string;
}

/** One point of the lower envelope. */
export interface EnvelopePoint {
  flops: number;
  loss: number;
  N: number;
  run: string;
}

/**
 * Approach 1: on a grid of `bins` FLOP values (log-spaced over the samples' range) the lowest loss any run has
 * reached by then (its latest sample at or below that FLOP count) and the run that holds it.
 */
export function lossEnvelope(samples: CurveSample[], bins = 20): EnvelopePoint[] {
  checkPositive(
    "lossEnvelope",
    samples.map((s) => s.flops),
    "flops",
  );
  const byRun = new Map<string, CurveSample[]>();
  for (const s of samples) byRun.set(s.run, [...(byRun.get(s.run) ?? []), s]);
  byRun.forEach((v) => v.sort((a, b) => a.flops - b.flops));
  const lo = Math.log(Math.min(...samples.map((s) => s.flops)));
  const hi = Math.log(Math.max(...samples.map((s) => s.flops)));
  const out: EnvelopePoint[] = [];
  for (let k = 0; k < bins; k++) {
    const c = Math.exp(lo + ((hi - lo) * k) / Math.max(1, bins - 1)) * (1 + 1e-12);
    let best: EnvelopePoint | null = null;
    for (const [run, curve] of byRun) {
      let last: CurveSample | null = null;
      for (const s of curve) if (s.flops <= c) last = s;
      if (last && (!best || last.loss < best.loss)) best = { flops: c, loss: last.loss, N: last.N, run };
    }
    if (best) out.push(best);
  }
  return out;
}
