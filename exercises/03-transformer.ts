/**
 * Chapter 03 exercises: the transformer — a stable softmax, causal self-attention for one head, and the
 * parameter count of a GPT from its configuration.
 *
 * Write your answers here, replacing each `throw new NotImplemented(...)`. Grade them with
 * `npm run grade -- 03` (or the last cell of notebooks/03-transformer.ipynb). These are the library's own
 * `model.softmax`, `model.causalSelfAttention` and `model.paramCount`: in the student release the library
 * re-exports them from this file, so the notebook's attention and its hand-built GPT run your code (after
 * `npm run build` and a kernel restart).
 *
 * Tensors: use `@tensorflow/tfjs-core` ops and wrap intermediate work in `tf.tidy` so no tensor leaks.
 * `causalMask(queries, keys)` (imported below) gives the additive causal mask `[queries, keys]`: 0 where a
 * query may look, −1e9 above the diagonal. Mathematically the mask is −∞; −1e9 gives the same weights in
 * float32 (exp(−1e9 − max) is exactly 0) and never turns a row into NaN.
 */
import * as tf from "@tensorflow/tfjs-core";
import { NotImplemented } from "../src/errors";
import type { GPTConfig } from "../src/model/config";
import { causalMask } from "../src/model/layers";

export type { GPTConfig };
export { causalMask };

/**
 * Task 03.softmax — softmax along the last axis, numerically stable.
 *
 * `x: [..., n]` → the same shape; each slice along the last axis becomes positive numbers summing to 1:
 * softmax(x)ᵢ = exp(xᵢ) / Σⱼ exp(xⱼ), computed so that `[1000, 1001]` gives `[0.2689, 0.7311]`, not NaN.
 * Entries of −Infinity (masked) get probability 0.
 */
export function softmax(x: tf.Tensor): tf.Tensor {
  void x;
  throw new NotImplemented(
    "03.softmax",
    "exp overflows for large inputs: shift each row by its maximum first (it cancels in the ratio); reduce " +
      "over the last axis and keep that axis, so the [..., 1] result broadcasts against [..., n]",
  );
}

/**
 * Task 03.attention — causal self-attention for one head.
 *
 * `q, k, v: [time, headDim]`. Scores q·kᵀ scaled by 1/√headDim ([time, time]); the causal mask (position i
 * may only look at positions j ≤ i); weights = softmax of each row; out = weights · v.
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
    "scores are [time, time]: every query against every key, so one of the two operands is transposed; " +
      "scale before masking, mask before the softmax, and softmax each row (over the keys)",
  );
}

/**
 * Task 03.paramCount — the number of trainable parameters of a GPT.
 *
 * `config: GPTConfig` = `{ vocabSize V, contextLength C, dModel d, nLayers L, nHeads, dMlp m, norm: "layer" |
 * "rms", positions: "learned" | "rope", activation: "gelu" | "swiglu", tiedEmbeddings: boolean, bias?:
 * boolean (default true), … }`.
 * Token embeddings V·d, plus C·d for learned positions (RoPE has no table). Each of the L blocks: two norms
 * (a gain of d each; a LayerNorm with bias also has d biases; RMSNorm never has a bias), attention q/k/v
 * d·3d and output d·d, MLP d·m and m·d (SwiGLU: the input matrix is d·2m), each linear map with a bias of
 * its output size when `bias`. A final norm, and an output projection d·V (no bias) unless the embeddings
 * are tied. The number of heads changes nothing. GPT-2 small (V 50257, C 1024, d 768, L 12, m 3072, tied) has
 * 124,439,808.
 */
export function paramCount(config: GPTConfig): number {
  void config;
  throw new NotImplemented(
    "03.paramCount",
    "count one block, multiply by L, add what sits outside the blocks; check GPT-2 small first",
  );
}
