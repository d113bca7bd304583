/**
 * L-BFGS (Nocedal & Wright, Numerical Optimization, 2nd ed., Algorithm 7.4 with the strong-Wolfe line search
 * of Algorithms 3.5–3.6), in float64 JavaScript. Hand-written because no maintained CommonJS npm package offers
 * it; tested on Rosenbrock's function and on quadratics with a known minimum (test/scaling/lbfgs.test.ts).
 */

/** Returns f(x) and writes ∇f(x) into `grad` (same length as x). */
export type ValueAndGradient = (x: Float64Array, grad: Float64Array) => number;

export interface LbfgsOptions {
  /** Correction pairs kept (default 10). */
  memory?: number;
  /** Iterations at most (default 1000). */
  maxIterations?: number;
  /** Stop when max |∂f/∂xᵢ| ≤ gtol (default 1e-9). */
  gtol?: number;
  /** Stop when an iteration lowers f by at most ftol · max(|f|, 1e-300) (default 1e-13). */
  ftol?: number;
}

export interface LbfgsResult {
  x: Float64Array;
  f: number;
  /** max |∂f/∂xᵢ| at x. */
  gradNorm: number;
  iterations: number;
  evaluations: number;
  converged: boolean;
  /** Why it stopped: "gradient", "no progress", "max iterations", "line search failed", "not finite". */
  reason: string;
}

const dot = (a: Float64Array, b: Float64Array): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};
const maxAbs = (a: Float64Array): number => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
};

/** Minimises f from x0; never throws for a bad start: `converged` and `reason` say how it ended. */
export function minimizeLbfgs(
  fg: ValueAndGradient,
  x0: ArrayLike<number>,
  options: LbfgsOptions = {},
): LbfgsResult {
  const m = options.memory ?? 10;
  const maxIter = options.maxIterations ?? 1000;
  const gtol = options.gtol ?? 1e-9;
  const ftol = options.ftol ?? 1e-13;
  const n = x0.length;
  let x = Float64Array.from(x0);
  let g = new Float64Array(n);
  let f = fg(x, g);
  let evaluations = 1;
  const S: Float64Array[] = [];
  const Y: Float64Array[] = [];
  const rho: number[] = [];
  const d = new Float64Array(n);
  const alphaH = new Float64Array(m);
  const xNew = new Float64Array(n);
  const gNew = new Float64Array(n);
  const done = (iterations: number, converged: boolean, reason: string): LbfgsResult => ({
    x,
    f,
    gradNorm: maxAbs(g),
    iterations,
    evaluations,
    converged,
    reason,
  });
  if (!Number.isFinite(f) || !g.every(Number.isFinite)) return done(0, false, "not finite");
  if (maxAbs(g) <= gtol) return done(0, true, "gradient");

  // φ(α) = f(x + α d) and φ'(α), writing the point into xNew/gNew.
  const phi = (alpha: number): [number, number] => {
    for (let i = 0; i < n; i++) xNew[i] = x[i] + alpha * d[i];
    const v = fg(xNew, gNew);
    evaluations++;
    return [v, dot(gNew, d)];
  };

  for (let iter = 1; iter <= maxIter; iter++) {
    // Two-loop recursion: d = −H∇f.
    for (let i = 0; i < n; i++) d[i] = -g[i];
    for (let k = S.length - 1; k >= 0; k--) {
      alphaH[k] = rho[k] * dot(S[k], d);
      const yk = Y[k];
      for (let i = 0; i < n; i++) d[i] -= alphaH[k] * yk[i];
    }
    const gamma = S.length
      ? dot(S[S.length - 1], Y[Y.length - 1]) / dot(Y[Y.length - 1], Y[Y.length - 1])
      : 1;
    for (let i = 0; i < n; i++) d[i] *= gamma;
    for (let k = 0; k < S.length; k++) {
      const beta = rho[k] * dot(Y[k], d);
      const sk = S[k];
      for (let i = 0; i < n; i++) d[i] += (alphaH[k] - beta) * sk[i];
    }
    let dphi0 = dot(g, d);
    if (!(dphi0 < 0)) {
      // Not a descent direction (numerical trouble): restart from steepest descent.
      S.length = Y.length = rho.length = 0;
      for (let i = 0; i < n; i++) d[i] = -g[i];
      dphi0 = dot(g, d);
    }
    const alpha0 = S.length ? 1 : Math.min(1, 1 / Math.max(maxAbs(g), 1e-300));
    const ls = strongWolfe(phi, f, dphi0, alpha0);
    if (!ls) {
      const converged = maxAbs(g) <= Math.sqrt(gtol);
      return done(iter - 1, converged, converged ? "no progress" : "line search failed");
    }
    // phi() left the accepted point in xNew/gNew only if it was the last evaluated: re-evaluate when not.
    if (ls.alpha !== ls.lastAlpha) {
      for (let i = 0; i < n; i++) xNew[i] = x[i] + ls.alpha * d[i];
      fg(xNew, gNew);
      evaluations++;
    }
    const fNew = ls.f;
    if (!Number.isFinite(fNew)) return done(iter, false, "not finite");
    const s = new Float64Array(n);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      s[i] = xNew[i] - x[i];
      y[i] = gNew[i] - g[i];
    }
    const sy = dot(s, y);
    if (sy > 1e-16 * Math.sqrt(dot(s, s) * dot(y, y))) {
      if (S.length === m) {
        S.shift();
        Y.shift();
        rho.shift();
      }
      S.push(s);
      Y.push(y);
      rho.push(1 / sy);
    }
    const fOld = f;
    x = Float64Array.from(xNew);
    g = Float64Array.from(gNew);
    f = fNew;
    if (maxAbs(g) <= gtol) return done(iter, true, "gradient");
    if (fOld - f <= ftol * Math.max(Math.abs(fOld), 1e-300)) return done(iter, true, "no progress");
  }
  return done(maxIter, false, "max iterations");
}

/** Strong-Wolfe line search (c1 = 1e-4, c2 = 0.9); null when no acceptable step was found. */
function strongWolfe(
  phi: (a: number) => [number, number],
  f0: number,
  d0: number,
  alpha1: number,
): { alpha: number; f: number; lastAlpha: number } | null {
  const c1 = 1e-4;
  const c2 = 0.9;
  let aPrev = 0;
  let fPrev = f0;
  let dPrev = d0;
  let a = alpha1;
  let last = NaN;
  const zoom = (
    lo: number,
    flo: number,
    dlo: number,
    hi: number,
    fhi: number,
  ): { alpha: number; f: number; lastAlpha: number } | null => {
    for (let k = 0; k < 40; k++) {
      // Quadratic interpolation from (lo, flo, dlo) and (hi, fhi), safeguarded into the middle 80 %.
      const h = hi - lo;
      const denom = 2 * (fhi - flo - dlo * h);
      let t = denom > 0 ? lo - (dlo * h * h) / denom : lo + h / 2;
      const a0 = Math.min(lo, hi);
      const a1 = Math.max(lo, hi);
      const pad = 0.1 * (a1 - a0);
      if (!(t > a0 + pad && t < a1 - pad)) t = (lo + hi) / 2;
      const [ft, dt] = phi(t);
      last = t;
      if (!Number.isFinite(ft) || ft > f0 + c1 * t * d0 || ft >= flo) {
        hi = t;
        fhi = ft;
      } else {
        if (Math.abs(dt) <= -c2 * d0) return { alpha: t, f: ft, lastAlpha: last };
        if (dt * (hi - lo) >= 0) {
          hi = lo;
          fhi = flo;
        }
        lo = t;
        flo = ft;
        dlo = dt;
      }
      if (Math.abs(hi - lo) < 1e-16 * Math.max(1, Math.abs(lo))) break;
    }
    return flo < f0 ? { alpha: lo, f: flo, lastAlpha: last } : null;
  };
  for (let k = 0; k < 30; k++) {
    const [fa, da] = phi(a);
    last = a;
    if (!Number.isFinite(fa) || fa > f0 + c1 * a * d0 || (k > 0 && fa >= fPrev))
      return zoom(aPrev, fPrev, dPrev, a, fa);
    if (Math.abs(da) <= -c2 * d0) return { alpha: a, f: fa, lastAlpha: last };
    if (da >= 0) return zoom(a, fa, da, aPrev, fPrev);
    aPrev = a;
    fPrev = fa;
    dPrev = da;
    a *= 2;
  }
  return null;
}
