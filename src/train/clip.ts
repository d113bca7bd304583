/**
 * Global-norm gradient clipping (Pascanu et al. 2013; PyTorch's `clip_grad_norm_`): the norm of all
 * gradients together, ‖g‖ = √(Σ over tensors Σ g²); when it exceeds maxNorm every gradient is multiplied by
 * maxNorm / (‖g‖ + 1e−6), so the direction is kept and the step bounded.
 */
import * as tf from "@tensorflow/tfjs-core";

// @answer 04.clip
/**
 * Clips `grads` (any shapes) to the global norm `maxNorm`. Returns the clipped gradients (new tensors, also
 * when nothing is clipped; the inputs are left alone) and ‖g‖ before clipping, a number.
 */
export function clipByGlobalNorm(grads: tf.Tensor[], maxNorm: number): { grads: tf.Tensor[]; norm: number } {
  if (!(maxNorm > 0)) throw new Error(`clipByGlobalNorm: maxNorm must be > 0, got ${maxNorm}`);
  const norm =
    grads.length === 0
      ? 0
      : tf.tidy(() => Math.sqrt(tf.addN(grads.map((g) => tf.sum(tf.square(g)))).dataSync()[0]));
  const scale = norm > maxNorm ? maxNorm / (norm + 1e-6) : 1;
  return { grads: grads.map((g) => (scale === 1 ? tf.clone(g) : tf.mul(g, scale))), norm };
}
// @end-answer
