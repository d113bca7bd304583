/**
 * The Huber loss: quadratic for small residuals, linear for large ones, so a few outlying points cannot
 * dominate a fit. Hoffmann et al. fit their scaling law with δ = 10⁻³ on log-loss residuals.
 *
 *   huber_δ(r) = r²/2            if |r| ≤ δ
 *              = δ·(|r| − δ/2)   otherwise
 */

// @answer 06.huber
/** huber_δ(r) (see above); δ must be positive. */
export function huber(r: number, delta: number): number {
  if (!(delta > 0)) throw new Error(`huber: delta must be > 0, got ${delta}`);
  const a = Math.abs(r);
  return a <= delta ? 0.5 * r * r : delta * (a - 0.5 * delta);
}

/** d huber_δ / dr: r inside [−δ, δ], δ·sign(r) outside (continuous at |r| = δ). */
export function huberGrad(r: number, delta: number): number {
  if (!(delta > 0)) throw new Error(`huberGrad: delta must be > 0, got ${delta}`);
  if (r > delta) return delta;
  if (r < -delta) return -delta;
  return r;
}
// @end-answer
