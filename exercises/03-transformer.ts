/**
 * Chapter 03 exercises: the transformer — a stable softmax, causal self-attention for one head, and the
 * parameter count of a GPT from its configuration.
 *
 * Write your answers here, replacing each `throw new NotImplemented(...)`. Grade them with
 * `npm run grade -- 03` (or the last cell of notebooks/03-transformer.ipynb). In the student release the
 * library's `model.softmax`, `model.causalSelfAttention` and `model.paramCount` are these functions.
 *
 * Tensors: use `@tensorflow/tfjs-core` ops (`tf.exp`, `tf.max(x, -1, true)`, `tf.matMul(a, b, false, true)`,
 * …). Wrap intermediate work in `tf.tidy` so no tensor leaks. `model.causalMask(T, T)` gives the additive mask.
 */
import * as tf from "@tensorflow/tfjs-core";
import { NotImplemented } from "../src/errors";
import type { GPTConfig } from "../src/model/config";

/**
 * Task 03.softmax — softmax along the last axis, numerically stable.
 *
 * softmax(x)ᵢ = exp(xᵢ − m) / Σⱼ exp(xⱼ − m) with m the maximum of the row (keep the axis: `keepDims`).
 * `[1000, 1001]` must give `[0.2689, 0.7311]`, not NaN. Entries of −Infinity (masked) get probability 0.
 */
export function softmax(x: tf.Tensor): tf.Tensor {
  void x;
  throw new NotImplemented(
    "03.softmax",
    "e = tf.exp(tf.sub(x, tf.max(x, -1, true))); return tf.div(e, tf.sum(e, -1, true))",
  );
}

/**
 * Task 03.attention — causal self-attention for one head.
 *
 * `q, k, v: [time, headDim]`. Scores `q·kᵀ / √headDim` ([time, time]); add the causal mask (−1e9 above the
 * diagonal: position i may only look at positions j ≤ i); weights = softmax of each row; out = weights · v.
 * Return both `{ out: [time, headDim], weights: [time, time] }`.
 */
export function causalSelfAttention(
  q: tf.Tensor2D,
  k: tf.Tensor2D,
  v: tf.Tensor2D,
): { out: tf.Tensor2D; weights: tf.Tensor2D } {
  void q;
  void k;
  void v;
  throw new NotImplemented(
    "03.attention",
    "tf.matMul(q, k, false, true) / Math.sqrt(headDim), add causalMask(T, T), softmax, then tf.matMul(weights, v)",
  );
}

/**
 * Task 03.paramCount — the number of trainable parameters of a GPT.
 *
 * d = dModel, V = vocabSize, C = contextLength, m = dMlp, L = nLayers; `config.bias` defaults to true.
 * Embeddings V·d (+ C·d for learned positions). Each block: two norms (d gains each; a LayerNorm with bias
 * also has d biases), attention q/k/v d·3d and output d·d, MLP d·m and m·d (SwiGLU: the input matrix is d·2m),
 * each linear map with a bias of its output size when `bias`. A final norm, and an output projection d·V
 * unless the embeddings are tied. GPT-2 small (V 50257, C 1024, d 768, L 12, m 3072, tied) has 124,439,808.
 */
export function paramCount(config: GPTConfig): number {
  void config;
  throw new NotImplemented(
    "03.paramCount",
    "add up the pieces listed in the comment; check GPT-2 small = 124,439,808",
  );
}
