/**
 * The Chinchilla parametric law L(N, D) = E + A/N^α + B/D^β (Hoffmann et al. 2022, approach 3): its
 * compute-optimal allocation under C = 6·N·D, and the fit by Hoffmann's procedure — Huber loss (δ = 10⁻³) on
 * the log-space residual LSE(a − α·log N, b − β·log D, e) − log L with A = eᵃ, B = eᵇ, E = eᵉ, minimised by
 * L-BFGS from a grid of 4,500 starts, keeping the best — with seeded bootstrap intervals.
 */
import { huber, huberGrad } from "./huber";
import { LbfgsOptions, LbfgsResult, minimizeLbfgs } from "./lbfgs";
import { Interval, bootstrapIndices, checkPositive, percentileInterval } from "./powerlaw";

/** The five numbers of the law. */
export interface ChinchillaParams {
  A: number;
  B: number;
  E: number;
  alpha: number;
  beta: number;
}

/** Hoffmann et al. (2022), approach 3, fitted on their full data (their eq. 10). */
export const HOFFMANN_2022: ChinchillaParams = { A: 406.4, B: 410.7, E: 1.69, alpha: 0.34, beta: 0.28 };
/** Besiroglu et al. (2024, Epoch AI), the same law refitted on the 240 points read off Hoffmann's Figure 4. */
export const EPOCH_2024: ChinchillaParams = { A: 482.01, B: 2085.43, E: 1.8169, alpha: 0.3478, beta: 0.3658 };
/** Chinchilla's own budget (the Gopher budget, Hoffmann et al. Table 3): 5.76·10²³ FLOPs. */
export const CHINCHILLA_FLOPS = 5.76e23;

/** One training run: parameters N, tokens D and final loss. */
export interface ScalingPoint {
  N: number;
  D: number;
  loss: number;
}

/** The compute-optimal model for a budget. */
export interface Allocation {
  /** Parameters and tokens at the minimum of L(N, D) along 6·N·D = C. */
  N: number;
  D: number;
  /** The loss there. */
  loss: number;
  /** Tokens per parameter D/N. */
  tokensPerParam: number;
}

// @answer 06.chinchilla
/** L(N, D) = E + A/N^α + B/D^β. */
export function chinchillaLoss(p: ChinchillaParams, N: number, D: number): number {
  return p.E + p.A / Math.pow(N, p.alpha) + p.B / Math.pow(D, p.beta);
}

/**
 * The minimum of L along C = 6·N·D in closed form: with G = (αA / (βB))^(1/(α+β)),
 * N_opt = G·(C/6)^(β/(α+β)) and D_opt = (C/6)^(α/(α+β)) / G (Hoffmann et al., eq. 4). Found by setting
 * d/dN [A/N^α + B/(C/6N)^β] = 0.
 */
export function computeOptimal(p: ChinchillaParams, C: number): Allocation {
  if (!(C > 0)) throw new Error(`computeOptimal: the compute budget C must be > 0 FLOPs, got ${C}`);
  const s = p.alpha + p.beta;
  const G = Math.pow((p.alpha * p.A) / (p.beta * p.B), 1 / s);
  const N = G * Math.pow(C / 6, p.beta / s);
  const D = Math.pow(C / 6, p.alpha / s) / G;
  return { N, D, loss: chinchillaLoss(p, N, D), tokensPerParam: D / N };
}
// @end-answer

/** The same minimum found numerically: golden-section search over log N with D = C/(6N) (a check of the closed form). */
export function computeOptimalNumeric(p: ChinchillaParams, C: number): Allocation {
  if (!(C > 0)) throw new Error(`computeOptimalNumeric: C must be > 0 FLOPs, got ${C}`);
  const f = (u: number): number => chinchillaLoss(p, Math.exp(u), C / (6 * Math.exp(u)));
  let lo = Math.log(1e-6 * Math.sqrt(C));
  let hi = Math.log(1e6 * Math.sqrt(C));
  const r = (Math.sqrt(5) - 1) / 2;
  let x1 = hi - r * (hi - lo);
  let x2 = lo + r * (hi - lo);
  let f1 = f(x1);
  let f2 = f(x2);
  for (let k = 0; k < 200 && hi - lo > 1e-12; k++) {
    if (f1 < f2) {
      hi = x2;
      x2 = x1;
      f2 = f1;
      x1 = hi - r * (hi - lo);
      f1 = f(x1);
    } else {
      lo = x1;
      x1 = x2;
      f1 = f2;
      x2 = lo + r * (hi - lo);
      f2 = f(x2);
    }
  }
  const N = Math.exp((lo + hi) / 2);
  const D = C / (6 * N);
  return { N, D, loss: chinchillaLoss(p, N, D), tokensPerParam: D / N };
}

/** Checks N, D, loss of every point are finite and positive; the message names the row. */
export function checkPoints(name: string, points: ScalingPoint[], minimum = 5): void {
  if (points.length < minimum) {
    throw new Error(`${name}: need at least ${minimum} runs to fit 5 parameters, got ${points.length}`);
  }
  checkPositive(
    name,
    points.map((p) => p.N),
    "N (parameters)",
  );
  checkPositive(
    name,
    points.map((p) => p.D),
    "D (tokens)",
  );
  checkPositive(
    name,
    points.map((p) => p.loss),
    "loss",
  );
}

/** θ = [a, b, e, α, β] ↔ the law. */
export function paramsFromTheta(t: ArrayLike<number>): ChinchillaParams {
  return { A: Math.exp(t[0]), B: Math.exp(t[1]), E: Math.exp(t[2]), alpha: t[3], beta: t[4] };
}
export function thetaFromParams(p: ChinchillaParams): number[] {
  return [Math.log(p.A), Math.log(p.B), Math.log(p.E), p.alpha, p.beta];
}

/**
 * Hoffmann's objective over θ = [a, b, e, α, β]: Σᵢ huber_δ(LSE(a − α·log Nᵢ, b − β·log Dᵢ, e) − log Lᵢ),
 * with its analytic gradient (the LSE's derivatives are the softmax weights of its three terms).
 */
export function huberObjective(
  points: ScalingPoint[],
  delta = 1e-3,
): (theta: Float64Array, grad: Float64Array) => number {
  const n = points.length;
  const lN = Float64Array.from(points, (p) => Math.log(p.N));
  const lD = Float64Array.from(points, (p) => Math.log(p.D));
  const lL = Float64Array.from(points, (p) => Math.log(p.loss));
  return (t, g) => {
    const a = t[0];
    const b = t[1];
    const e = t[2];
    const al = t[3];
    const be = t[4];
    let f = 0;
    let ga = 0;
    let gb = 0;
    let ge = 0;
    let gal = 0;
    let gbe = 0;
    for (let i = 0; i < n; i++) {
      const u1 = a - al * lN[i];
      const u2 = b - be * lD[i];
      // LSE with the largest term factored out (its weight is exp(0) = 1: one exp fewer).
      let m: number, w1: number, w2: number, w3: number;
      if (u1 >= u2 && u1 >= e) {
        m = u1;
        w1 = 1;
        w2 = Math.exp(u2 - m);
        w3 = Math.exp(e - m);
      } else if (u2 >= e) {
        m = u2;
        w2 = 1;
        w1 = Math.exp(u1 - m);
        w3 = Math.exp(e - m);
      } else {
        m = e;
        w3 = 1;
        w1 = Math.exp(u1 - m);
        w2 = Math.exp(u2 - m);
      }
      const s = w1 + w2 + w3;
      const r = m + Math.log(s) - lL[i];
      f += huber(r, delta);
      const h = huberGrad(r, delta) / s;
      ga += h * w1;
      gal -= h * w1 * lN[i];
      gb += h * w2;
      gbe -= h * w2 * lD[i];
      ge += h * w3;
    }
    g[0] = ga;
    g[1] = gb;
    g[2] = ge;
    g[3] = gal;
    g[4] = gbe;
    return f;
  };
}

/** Hoffmann et al.'s grid of starts: α, β ∈ {0, 0.5, …, 2}, e ∈ {−1, −0.5, …, 1}, a, b ∈ {0, 5, …, 25}: 4,500. */
export function hoffmannGrid(): number[][] {
  const range = (lo: number, hi: number, step: number): number[] =>
    Array.from({ length: Math.round((hi - lo) / step) + 1 }, (_, i) => lo + i * step);
  const out: number[][] = [];
  for (const a of range(0, 25, 5))
    for (const b of range(0, 25, 5))
      for (const e of range(-1, 1, 0.5))
        for (const al of range(0, 2, 0.5)) for (const be of range(0, 2, 0.5)) out.push([a, b, e, al, be]);
  return out;
}

export interface ChinchillaFit {
  params: ChinchillaParams;
  /** The Huber objective at the best start's end point. */
  objective: number;
  /** Starts tried, and how many of them converged. */
  starts: number;
  converged: number;
  /** The L-BFGS run that won. */
  best: LbfgsResult;
  seconds: number;
}

/**
 * Fits the law by Hoffmann's procedure: L-BFGS on `huberObjective` from every start (default `hoffmannGrid()`),
 * keeping the lowest objective among the starts that converged. Throws when no start converged, or when the
 * best one ends with α or β ≤ 0 (no power law), saying so instead of returning numbers.
 */
export function fitChinchilla(
  points: ScalingPoint[],
  opts: { delta?: number; starts?: number[][]; lbfgs?: LbfgsOptions } = {},
): ChinchillaFit {
  checkPoints("fitChinchilla", points);
  const t0 = performance.now();
  const fg = huberObjective(points, opts.delta ?? 1e-3);
  const starts = opts.starts ?? hoffmannGrid();
  const lbfgs = { maxIterations: 2000, gtol: 1e-8, ftol: 1e-10, ...opts.lbfgs };
  let best: LbfgsResult | null = null;
  let converged = 0;
  for (const s of starts) {
    const r = minimizeLbfgs(fg, s, lbfgs);
    if (!r.converged || !Number.isFinite(r.f)) continue;
    converged++;
    if (!best || r.f < best.f) best = r;
  }
  if (!best) {
    throw new Error(
      `fitChinchilla: none of ${starts.length} L-BFGS starts converged on ${points.length} points; ` +
        "check the data (are the losses in nats?) or allow more iterations (opts.lbfgs.maxIterations)",
    );
  }
  const params = paramsFromTheta(best.x);
  if (!(params.alpha > 0 && params.beta > 0)) {
    throw new Error(
      `fitChinchilla: the best fit has α = ${params.alpha.toFixed(4)}, β = ${params.beta.toFixed(4)}; a loss that ` +
        "does not fall with N or D is no scaling law — the runs do not span enough sizes and token counts",
    );
  }
  return {
    params,
    objective: best.f,
    starts: starts.length,
    converged,
    best,
    seconds: (performance.now() - t0) / 1000,
  };
}

/** Bootstrap intervals of the law's parameters and of tokens per parameter at a budget. */
export interface ChinchillaBootstrap {
  samples: ChinchillaParams[];
  intervals: Record<keyof ChinchillaParams, Interval>;
  /** D_opt/N_opt at `budget` under each resample, and its interval. */
  tokensPerParam: number[];
  tokensPerParamInterval: Interval;
}

/**
 * Refits on `resamples` resamples of the points (with replacement, seeded), each from the full-data fit and a
 * few perturbed starts (a full 4,500-start grid per resample would cost 4,500× more); resamples with no
 * converged start are dropped.
 */
export function bootstrapChinchilla(
  points: ScalingPoint[],
  fit: ChinchillaParams,
  opts: { resamples?: number; seed?: number; level?: number; budget?: number; delta?: number } = {},
): ChinchillaBootstrap {
  checkPoints("bootstrapChinchilla", points);
  const t = thetaFromParams(fit);
  const starts = [
    t,
    t.map((v, i) => (i < 3 ? v + 0.5 : v * 1.1)),
    t.map((v, i) => (i < 3 ? v - 0.5 : v * 0.9)),
  ];
  const samples: ChinchillaParams[] = [];
  for (const idx of bootstrapIndices(points.length, opts.resamples ?? 200, opts.seed ?? 0)) {
    try {
      samples.push(
        fitChinchilla(
          idx.map((i) => points[i]),
          { starts, delta: opts.delta },
        ).params,
      );
    } catch {
      /* a resample without a converged start is dropped */
    }
  }
  if (samples.length === 0) throw new Error("bootstrapChinchilla: no resample could be fitted");
  const iv = (k: keyof ChinchillaParams): Interval =>
    percentileInterval(
      samples.map((s) => s[k]),
      opts.level,
    );
  const budget = opts.budget ?? CHINCHILLA_FLOPS;
  const tpp = samples.map((s) => computeOptimal(s, budget).tokensPerParam);
  return {
    samples,
    intervals: { A: iv("A"), B: iv("B"), E: iv("E"), alpha: iv("alpha"), beta: iv("beta") },
    tokensPerParam: tpp,
    tokensPerParamInterval: percentileInterval(tpp, opts.level),
  };
}
