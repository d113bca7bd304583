/**
 * Chapter 06 exercises: the arithmetic of scaling laws on plain numbers — a power law fitted in log–log space,
 * the Huber loss Hoffmann et al. fit with, the Chinchilla law and its compute-optimal model, and the minimum of
 * an IsoFLOP parabola.
 *
 * Write your answers here, replacing each `throw new NotImplemented(...)`. Grade them with
 * `npm run grade -- 06` (or the last cell of notebooks/06-scaling-laws.ipynb). The library's fits
 * (`scaling.fitPowerLaw`, `scaling.fitChinchilla`, `scaling.isoflopAnalysis`) are built on these.
 */
import { NotImplemented } from "../src/errors";
import type { Allocation, ChinchillaParams } from "../src/scaling/chinchilla";
import type { Parabola } from "../src/scaling/isoflop";
import type { LogLogFit } from "../src/scaling/powerlaw";

/**
 * Task 06.logLogFit — fit y = k · x^a by least squares on (log x, log y).
 *
 * With u = log x and v = log y the slope is a = Σ(u − ū)(v − v̄) / Σ(u − ū)² and the intercept log k = v̄ − a·ū.
 * Return `{ exponent: a, coefficient: k }`. Throw an Error (naming the row) when an x or y is not a finite
 * positive number, when x and y differ in length, with fewer than 2 points, or when all x are equal.
 */
export function logLogFit(x: ArrayLike<number>, y: ArrayLike<number>): LogLogFit {
  void x;
  void y;
  throw new NotImplemented("06.logLogFit", "work with logs; centre u and v before the sums");
}

/**
 * Task 06.huber — the Huber loss huber_δ(r) = r²/2 for |r| ≤ δ, δ·(|r| − δ/2) otherwise; δ > 0 (else throw).
 */
export function huber(r: number, delta: number): number {
  void r;
  void delta;
  throw new NotImplemented("06.huber", "two cases; both pieces meet at |r| = δ with value δ²/2");
}

/** Task 06.huber — its derivative d huber_δ / dr: r inside [−δ, δ], δ·sign(r) outside; δ > 0 (else throw). */
export function huberGrad(r: number, delta: number): number {
  void r;
  void delta;
  throw new NotImplemented("06.huber", "the derivative is the residual clipped to [−δ, δ]");
}

/** Task 06.chinchilla — the Chinchilla law L(N, D) = E + A/N^α + B/D^β. */
export function chinchillaLoss(p: ChinchillaParams, N: number, D: number): number {
  void p;
  void N;
  void D;
  throw new NotImplemented("06.chinchilla", "three terms; Math.pow");
}

/**
 * Task 06.chinchilla — the compute-optimal model for a budget of C FLOPs (C = 6·N·D): minimise L(N, C/(6N))
 * over N. Closed form: G = (αA/(βB))^(1/(α+β)), N_opt = G·(C/6)^(β/(α+β)), D_opt = (C/6)^(α/(α+β))/G.
 * Return `{ N, D, loss: L(N, D), tokensPerParam: D/N }`; throw when C ≤ 0.
 */
export function computeOptimal(p: ChinchillaParams, C: number): Allocation {
  void p;
  void C;
  throw new NotImplemented("06.chinchilla", "check that 6·N·D gives back C");
}

/**
 * Task 06.parabola — least-squares parabola y = c0 + c1·x + c2·x² through the points and its minimum
 * x* = −c1/(2·c2), y* = y(x*). Return `{ c0, c1, c2, xMin, yMin }`. Throw with fewer than 3 points, fewer than
 * 3 distinct x, or when c2 ≤ 0 (the points bracket no minimum: say so).
 */
export function parabolaMinimum(x: ArrayLike<number>, y: ArrayLike<number>): Parabola {
  void x;
  void y;
  throw new NotImplemented(
    "06.parabola",
    "solve the 3×3 normal equations; centring x first keeps them well conditioned",
  );
}
