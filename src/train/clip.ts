/**
 * Global-norm gradient clipping (Pascanu et al. 2013; PyTorch's `clip_grad_norm_`): the norm of all
 * gradients together, ‖g‖ = √(Σ over tensors Σ g²); when it exceeds maxNorm every gradient is multiplied by
 * maxNorm / (‖g‖ + 1e−6), so the direction is kept and the step bounded.
 */
import * as tf from "@tensorflow/tfjs-core";

/** ‖g‖ over all tensors (one number, read back). */
export function globalNorm(grads: tf.Tensor[]): number {
  if (grads.length === 0) return 0;
  return tf.tidy(() => Math.sqrt(tf.addN(grads.map((g) => tf.sum(tf.square(g)))).dataSync()[0]));
}

/**
 * Returns the clipped gradients (new tensors; the inputs are left alone) and the norm before clipping.
 * When no clipping is needed the returned tensors are clones.
 */
export function clipByGlobalNorm(grads: tf.Tensor[], maxNorm: number): { grads: tf.Tensor[]; norm: number } {
  if (!(maxNorm > 0)) throw new Error(`clipByGlobalNorm: maxNorm must be > 0, got ${maxNorm}`);
  const norm = globalNorm(grads);
  const scale = norm > maxNorm ? maxNorm / (norm + 1e-6) : 1;
  return { grads: grads.map((g) => (scale === 1 ? tf.clone(g) : tf.mul(g, scale))), norm };
}
