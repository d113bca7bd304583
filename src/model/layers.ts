/**
 * The building blocks of a GPT as plain functions of tensors: linear maps, the embedding lookup, LayerNorm,
 * RMSNorm, GELU, SwiGLU, rotary position embeddings and causal self-attention.
 *
 * This file is the maths. How fast each product runs on the active backend (WASM's depthwise-convolution
 * batched products, its fused attention, plain-product gradients, column sums) is `src/backend`'s business:
 * the functions here call its ops (`dense`, `gatherRows`, `batchedMatMul`, `columnSum`, `fusedAttention`).
 * Some gradients are written out because they are short formulas where autodiff would take ~25 ops
 * (LayerNorm, GELU).
 */
import * as tf from "@tensorflow/tfjs-core";
import { batchedMatMul, columnSum, dense, fusedAttention, withGrad } from "../backend/ops";
import { gatherRows } from "../backend/rows";
// tfjs-core alone registers no gradients; the union package would. Training needs them on every backend.
import "../backend/gradients";

/** `x · W (+ b)` for `x: [n, in]`, `W: [in, out]`, `b: [out]` → `[n, out]` (the backend's `dense` product). */
export function linear(x: tf.Tensor2D, w: tf.Tensor2D, b?: tf.Tensor1D): tf.Tensor2D {
  if (x.rank !== 2 || w.rank !== 2 || x.shape[1] !== w.shape[0]) {
    throw new Error(
      `linear: expected x [n, ${w.shape[0]}] for W ${JSON.stringify(w.shape)}, got ${JSON.stringify(x.shape)}`,
    );
  }
  return dense(x, w, b);
}

/**
 * Rows of `table: [vocab, d]` picked by `ids` (int32, any shape S) → `[...S, d]`; the gradient adds each
 * output row's gradient into its table row (`gatherRows`). ids get no gradient.
 */
export function embedding(table: tf.Tensor2D, ids: tf.Tensor): tf.Tensor {
  if (ids.dtype !== "int32") throw new Error(`embedding: ids must be int32, got ${ids.dtype}`);
  const rows = gatherRows(table, ids);
  return tf.reshape(rows, [...ids.shape, table.shape[1]]);
}

/**
 * LayerNorm over the last axis: y = x̂ · gain (+ bias) with x̂ = (x − mean) / sqrt(var + eps), biased variance
 * as in PyTorch. `x: [..., d]`, `gain, bias: [d]`.
 *
 * The gradient is written out (autodiff of the forward chain takes ~25 ops, several of them axis-0
 * reductions): with ĝ = dy · gain and r = 1/sqrt(var + eps), per row
 * dx = r · (ĝ − mean(ĝ) − x̂ · mean(ĝ · x̂)), dgain = Σ_rows dy · x̂, dbias = Σ_rows dy.
 */
export function layerNorm(
  x: tf.Tensor,
  gain: tf.Tensor1D,
  bias: tf.Tensor1D | undefined,
  eps: number,
): tf.Tensor {
  const d = x.shape[x.rank - 1];
  const rows = tf.reshape(x, [-1, d]) as tf.Tensor2D;
  const f = withGrad(([xx, g, b], save) => {
    const centred = tf.sub(xx, tf.mean(xx, -1, true));
    const rstd = tf.rsqrt(tf.add(tf.mean(tf.square(centred), -1, true), eps));
    const xhat = tf.mul(centred, rstd);
    save([xhat, rstd, g]);
    const scaled = tf.mul(xhat, g);
    return {
      value: b ? tf.add(scaled, b) : scaled,
      gradFunc: (dy, saved) => {
        const [sxhat, srstd, sg] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D];
        const dxhat = tf.mul(dy, sg);
        const m1 = tf.mean(dxhat, -1, true);
        const m2 = tf.mean(tf.mul(dxhat, sxhat), -1, true);
        const dx = tf.mul(tf.sub(tf.sub(dxhat, m1), tf.mul(sxhat, m2)), srstd);
        const dg = columnSum(tf.mul(dy, sxhat) as tf.Tensor2D);
        return b ? [dx, dg, columnSum(dy as tf.Tensor2D)] : [dx, dg];
      },
    };
  });
  const y = bias ? f(rows, gain, bias) : f(rows, gain);
  return tf.reshape(y, x.shape);
}

/** RMSNorm over the last axis (Zhang & Sennrich 2019): x / sqrt(mean(x²) + eps) · gain. */
export function rmsNorm(x: tf.Tensor, gain: tf.Tensor1D, eps: number): tf.Tensor {
  return tf.tidy(() => tf.mul(tf.mul(x, tf.rsqrt(tf.add(tf.mean(tf.square(x), -1, true), eps))), gain));
}

/**
 * GELU, tanh approximation as in GPT-2: 0.5·x·(1 + tanh(u)) with u = √(2/π)·(x + 0.044715·x³).
 * Computed as x·σ(2u), the same function (0.5·(1 + tanh(u)) = σ(2u)) in fewer ops: WASM's Sigmoid kernel
 * is ~10× faster than its Tanh. The derivative is written out, σ(2u) + x·σ(2u)·(1 − σ(2u))·2u′ with
 * 2u′ = 2√(2/π)·(1 + 3·0.044715·x²), so the backward pass keeps only x and σ(2u).
 */
export function gelu(x: tf.Tensor): tf.Tensor {
  const a = 0.044715;
  const c2 = 2 * Math.sqrt(2 / Math.PI);
  const f = withGrad(([xx], save) => {
    const s = tf.sigmoid(tf.mul(tf.mul(xx, tf.add(tf.mul(tf.square(xx), a), 1)), c2));
    save([xx, s]);
    return {
      value: tf.mul(xx, s),
      gradFunc: (dy, saved) => {
        const [sx, ss] = saved;
        const du2 = tf.add(tf.mul(tf.square(sx), 3 * a * c2), c2); // 2u′
        const slope = tf.mul(tf.mul(sx, du2), tf.mul(ss, tf.sub(1, ss)));
        return tf.mul(dy, tf.add(ss, slope));
      },
    };
  });
  return f(x);
}

/** SwiGLU (Shazeer 2020) on `[n, 2h]` = [gate | up] → `[n, h]`: silu(gate) ⊙ up, silu(z) = z·σ(z). */
export function swiglu(x: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const [gate, up] = tf.split(x, 2, 1);
    return tf.mul(tf.mul(gate, tf.sigmoid(gate)), up) as tf.Tensor2D;
  });
}

/**
 * Rotary-embedding tables for positions offset … offset+len−1: `cos, sin: [len, headDim]`, with frequency
 * θᵢ = base^(−2i/headDim) for the pair (i, i + headDim/2) ("rotate half" layout, as GPT-NeoX and LLaMA in HF).
 */
export function ropeTables(
  len: number,
  headDim: number,
  offset: number,
  base: number,
): [tf.Tensor2D, tf.Tensor2D] {
  return ropeTablesAt(
    Array.from({ length: len }, (_, t) => offset + t),
    headDim,
    base,
  );
}

/**
 * Rotary-embedding tables for any list of positions: `cos, sin: [positions.length, headDim]`, row r for
 * position `positions[r]`. A left-padded batch needs one position list per row (`[batch·time]` flattened).
 */
export function ropeTablesAt(
  positions: readonly number[],
  headDim: number,
  base: number,
): [tf.Tensor2D, tf.Tensor2D] {
  const half = headDim / 2;
  const len = positions.length;
  const cos = new Float32Array(len * headDim);
  const sin = new Float32Array(len * headDim);
  for (let t = 0; t < len; t++) {
    for (let i = 0; i < half; i++) {
      const angle = positions[t] * Math.pow(base, (-2 * i) / headDim);
      const c = Math.cos(angle);
      const s = Math.sin(angle);
      cos[t * headDim + i] = c;
      cos[t * headDim + half + i] = c;
      sin[t * headDim + i] = s;
      sin[t * headDim + half + i] = s;
    }
  }
  return [tf.tensor2d(cos, [len, headDim]), tf.tensor2d(sin, [len, headDim])];
}

/**
 * Applies RoPE to `x: [..., len, headDim]` with tables from `ropeTables`: x·cos + rotateHalf(x)·sin, where
 * rotateHalf([a, b]) = [−b, a]. Each pair (a_i, b_i) is rotated by the angle position·θᵢ. The tables may be
 * reshaped to broadcast over other layouts, e.g. `[len, 1, headDim]` for `x: [batch, len, heads, headDim]`.
 */
export function applyRope(x: tf.Tensor, cos: tf.Tensor, sin: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const [a, b] = tf.split(x, 2, -1);
    const rotated = tf.concat([tf.neg(b), a], -1);
    return tf.add(tf.mul(x, cos), tf.mul(rotated, sin));
  });
}

/**
 * Additive causal mask `[queries, keys]`: 0 where key j may be seen by query i (j ≤ offset + i), −1e9 elsewhere.
 * `offset` is the number of cached positions before the first query.
 */
export function causalMask(queries: number, keys: number, offset = 0): tf.Tensor2D {
  const m = new Float32Array(queries * keys);
  for (let i = 0; i < queries; i++) for (let j = 0; j < keys; j++) if (j > offset + i) m[i * keys + j] = -1e9;
  return tf.tensor2d(m, [queries, keys]);
}

/**
 * The causal mask of a left-padded batch, `[batch, 1, queries, keys]` (broadcast over heads): row b's first
 * `padding[b]` key positions hold padding and are −1e9 for every query, on top of `causalMask`. Real tokens
 * then never attend to pads, so each row computes what it would alone, only shifted right.
 */
export function paddedCausalMask(
  queries: number,
  keys: number,
  offset: number,
  padding: readonly number[],
): tf.Tensor4D {
  const B = padding.length;
  const m = new Float32Array(B * queries * keys);
  for (let b = 0; b < B; b++)
    for (let i = 0; i < queries; i++)
      for (let j = 0; j < keys; j++)
        if (j > offset + i || j < padding[b]) m[(b * queries + i) * keys + j] = -1e9;
  return tf.tensor4d(m, [B, 1, queries, keys]);
}

// @answer 03.softmax
/**
 * Softmax along the last axis, written out so it is stable: softmax(x)ᵢ = exp(xᵢ − m) / Σⱼ exp(xⱼ − m) with
 * m = maxⱼ xⱼ. Subtracting the max changes nothing mathematically (it cancels) but keeps exp from overflowing
 * (exp(1000) is Infinity in float32). The model itself calls the fused `tf.softmax` kernel; this chain of
 * five ops is the teaching version (chapter 04 times the two against each other).
 */
export function softmax(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const e = tf.exp(tf.sub(x, tf.max(x, -1, true)));
    return tf.div(e, tf.sum(e, -1, true));
  });
}
// @end-answer

// @answer 03.attention
/**
 * Causal self-attention for one head, the teaching version: `q, k, v: [time, headDim]` →
 * `out = softmax(q·kᵀ/√headDim + mask)·v: [time, headDim]` and the weights `[time, time]`, where the mask is
 * −∞ (here −1e9) above the diagonal so position i only attends to positions j ≤ i. Row i of the weights sums
 * to 1. The model runs the same function for all heads at once (`attention`, `multiHeadAttention` below).
 */
export function causalSelfAttention(
  q: tf.Tensor2D,
  k: tf.Tensor2D,
  v: tf.Tensor2D,
): { out: tf.Tensor2D; weights: tf.Tensor2D } {
  return tf.tidy(() => {
    const [T, hd] = q.shape;
    const scores = tf.div(tf.matMul(q, k, false, true), Math.sqrt(hd));
    const weights = softmax(tf.add(scores, causalMask(T, T))) as tf.Tensor2D;
    return { out: tf.matMul(weights, v), weights };
  });
}
// @end-answer

/**
 * Scaled dot-product attention, the maths of the model's heads: `q: [b, h, tq, hd]`, `kT: [b, h, hd, tk]`
 * (keys already transposed, as the one-head version's `q·kᵀ`), `v: [b, h, tk, hd]`, additive `mask: [tq, tk]`
 * (or `[b, 1, tq, tk]` for a padded batch) or null → `out = softmax(q·kT/√hd + mask)·v: [b, h, tq, hd]` and the weights `[b, h, tq, tk]`. The same
 * function as `causalSelfAttention`, for every batch row and head at once.
 */
export function attention(
  q: tf.Tensor4D,
  kT: tf.Tensor4D,
  v: tf.Tensor4D,
  mask: tf.Tensor2D | tf.Tensor4D | null,
): { out: tf.Tensor4D; weights: tf.Tensor4D } {
  const hd = q.shape[3];
  const scores = tf.mul(batchedMatMul(q, kT), 1 / Math.sqrt(hd));
  const weights = tf.softmax(mask ? tf.add(scores, mask) : scores) as tf.Tensor4D;
  return { out: batchedMatMul(weights, v) as tf.Tensor4D, weights };
}

/**
 * The fused projection `qkv: [B·T, 3·d]` (queries | keys | values, heads side by side in each) as
 * `q, k, v: [B, T, H, hd]`, with RoPE applied to q and k: tables `[T, hd]` for these positions, shared by every
 * row, or `[B·T, hd]`, one position list per row (a left-padded batch).
 */
export function splitHeads(
  qkv: tf.Tensor2D,
  batch: number,
  time: number,
  heads: number,
  rope: [tf.Tensor2D, tf.Tensor2D] | null,
): { q: tf.Tensor4D; k: tf.Tensor4D; v: tf.Tensor4D } {
  const [B, T, H] = [batch, time, heads];
  const hd = qkv.shape[1] / 3 / H;
  if (qkv.rank !== 2 || qkv.shape[0] !== B * T || !Number.isInteger(hd)) {
    throw new Error(
      `splitHeads: qkv [${qkv.shape}] does not fit batch ${B}, time ${T}, ${H} heads ` +
        `(expected [${B * T}, 3·dModel] with dModel divisible by ${H})`,
    );
  }
  const [q, k, v] = tf.split(qkv, 3, 1).map((x) => tf.reshape(x, [B, T, H, hd]) as tf.Tensor4D);
  if (!rope) return { q, k, v };
  const perRow = rope[0].shape[0] !== T;
  const [cos, sin] = rope.map((t) => tf.reshape(t, perRow ? [B, T, 1, hd] : [T, 1, hd]));
  return { q: applyRope(q, cos, sin) as tf.Tensor4D, k: applyRope(k, cos, sin) as tf.Tensor4D, v };
}

/**
 * Multi-head attention on split heads, as the model runs it: `q: [B, Tq, H, hd]`, `k, v: [B, Tk, H, hd]`
 * (Tk ≥ Tq when earlier positions come from a KV cache), additive `mask: [Tq, Tk]` (or `[B, 1, Tq, Tk]`, one
 * per row of a padded batch) or null → `[B, Tq, H, hd]`.
 *
 * The maths is `attention` on `[B, H, T, hd]`. Where the backend has a fused kernel for it
 * (`fusedAttention`), that runs instead — the one branch, as nanoGPT's `if self.flash` — unless the
 * weights are wanted: pass `weightsOut` to receive them (`[B, H, Tq, Tk]`, kept; the caller disposes them).
 */
export function multiHeadAttention(
  q: tf.Tensor4D,
  k: tf.Tensor4D,
  v: tf.Tensor4D,
  mask: tf.Tensor2D | tf.Tensor4D | null,
  weightsOut?: tf.Tensor4D[],
): tf.Tensor4D {
  if (!weightsOut) {
    const fused = fusedAttention(q, k, v, mask, 1 / Math.sqrt(q.shape[3]));
    if (fused) return fused;
  }
  const { out, weights } = attention(
    tf.transpose(q, [0, 2, 1, 3]) as tf.Tensor4D,
    tf.transpose(k, [0, 2, 3, 1]) as tf.Tensor4D,
    tf.transpose(v, [0, 2, 1, 3]) as tf.Tensor4D,
    mask,
  );
  if (weightsOut) weightsOut.push(tf.keep(weights));
  return tf.transpose(out, [0, 2, 1, 3]) as tf.Tensor4D;
}
