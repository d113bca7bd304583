/**
 * Cross-entropy from logits, the pretraining loss, and perplexity.
 *
 * loss = mean over kept positions of −Σᵥ wᵥ·log softmax(z)ᵥ, with target weights w = (1−ε)·onehot(y) + ε/V
 * (label smoothing ε; ε = 0 is plain cross-entropy) and kept = positions whose target ≠ ignoreIndex.
 * The log-softmax is computed stably as z − max(z) − log Σ exp(z − max(z)). The gradient is written out,
 * (softmax(z) − w)·keep / count, so training does not differentiate through the chain of ops.
 */
import * as tf from "@tensorflow/tfjs-core";
import "../backend/gradients";
import { withGrad } from "../backend/ops";

export interface CrossEntropyOptions {
  /** Targets equal to this are masked out (not counted in the mean). Default −100, as PyTorch. */
  ignoreIndex?: number;
  /** ε in [0, 1): mixes the one-hot target with the uniform distribution. Default 0. */
  labelSmoothing?: number;
}

// @answer 04.crossEntropy
/**
 * Mean cross-entropy (nats) of `logits: [..., V]` against int `targets: [...]` (an int32 tensor or an array,
 * one target per row of logits). Returns a scalar; NaN when every target is ignored (there is nothing to
 * average), as PyTorch does; a target outside [0, V) that is not the ignore index is an error.
 */
export function crossEntropy(
  logits: tf.Tensor,
  targets: tf.Tensor | number[],
  options: CrossEntropyOptions = {},
): tf.Scalar {
  const { ignoreIndex = -100, labelSmoothing = 0 } = options;
  if (!(labelSmoothing >= 0 && labelSmoothing < 1))
    throw new Error(`labelSmoothing must be in [0, 1), got ${labelSmoothing}`);
  const V = logits.shape[logits.rank - 1];
  const n = logits.size / V;
  const tgt = Array.isArray(targets) ? tf.tensor1d(targets, "int32") : targets;
  if (tgt.size !== n) {
    throw new Error(
      `crossEntropy: ${n} positions of logits [${logits.shape}] but ${tgt.size} targets [${tgt.shape}]`,
    );
  }
  if (tgt.dtype !== "int32") throw new Error(`crossEntropy: targets must be int32, got ${tgt.dtype}`);
  const t = tgt.dataSync();
  const keep = new Float32Array(n);
  const safe = new Int32Array(n);
  let count = 0;
  for (let i = 0; i < n; i++) {
    if (t[i] === ignoreIndex) continue;
    if (!(t[i] >= 0 && t[i] < V))
      throw new Error(`crossEntropy: target ${t[i]} at position ${i} is outside [0, ${V})`);
    keep[i] = 1;
    safe[i] = t[i];
    count++;
  }
  if (tgt !== targets) tgt.dispose();
  const f = withGrad(([z], save) => {
    const { loss, probs, weights, keepT } = tf.tidy(() => {
      const z2 = tf.reshape(z, [n, V]);
      const shifted = tf.sub(z2, tf.max(z2, 1, true));
      const e = tf.exp(shifted);
      const sumE = tf.sum(e, 1, true);
      const logZ = tf.log(sumE);
      const logp = tf.sub(shifted, logZ);
      const onehot = tf.oneHot(tf.tensor1d(safe, "int32"), V);
      const w = labelSmoothing > 0 ? tf.add(tf.mul(onehot, 1 - labelSmoothing), labelSmoothing / V) : onehot;
      const k = tf.tensor2d(keep, [n, 1]);
      const perPos = tf.neg(tf.sum(tf.mul(w, logp), 1, true));
      const l = tf.div(tf.sum(tf.mul(perPos, k)), count);
      // softmax as e / Σe rather than exp(logp): one Exp over [n, V] instead of two (WASM's Exp is slow).
      return { loss: l, probs: tf.div(e, sumE), weights: w, keepT: k };
    });
    save([probs, weights, keepT]);
    return {
      value: loss,
      gradFunc: (dy, saved) => {
        const [p, w, k] = saved;
        return tf.reshape(tf.mul(tf.mul(tf.sub(p, w), tf.div(k, count)), dy), z.shape);
      },
    };
  });
  return f(logits) as tf.Scalar;
}
// @end-answer

/** Perplexity exp(loss) from a mean cross-entropy in nats. */
export function perplexity(lossNats: number): number {
  return Math.exp(lossNats);
}
