/**
 * The building blocks of a GPT as plain functions of tensors: linear maps, the embedding lookup, LayerNorm,
 * RMSNorm, GELU, SwiGLU, rotary position embeddings and causal self-attention.
 *
 * Three of them carry a custom gradient, for the WASM backend (`batchMatMul`, for attention, is explained
 * where it is defined):
 * - `linear`: tfjs differentiates `x·W` into products with `transposeA` / `transposeB`, which WASM runs
 *   10–30× slower than a plain 2-D product. We transpose explicitly (a cheap copy) and multiply plainly.
 * - `embedding`: tfjs's gradient of `gather` needs an UnsortedSegmentSum kernel that WASM lacks; a one-hot
 *   matmul would cost vocab·dModel per token. The gradient is a scatter-add of the output gradient rows into
 *   the table rows (`scatterND` sums duplicate indices), which every backend has.
 */
import * as tf from "@tensorflow/tfjs-core";
// tfjs-core alone registers no gradients; the union package would. Training needs them on every backend.
import "../backend/gradients";

type Grad = (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor | tf.Tensor[];

/** `tf.customGrad` with typed inputs: `f(...inputs, save)` returns the value and its gradient function. */
export function withGrad(
  f: (inputs: tf.Tensor[], save: tf.GradSaveFunc) => { value: tf.Tensor; gradFunc: Grad },
): (...inputs: tf.Tensor[]) => tf.Tensor {
  const wrapped = (...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    return f(args.slice(0, -1) as tf.Tensor[], save);
  };
  return tf.customGrad(wrapped as unknown as Parameters<typeof tf.customGrad>[0]);
}

/**
 * Gradients of `x · W + b` with respect to W `[in, out]` and b `[out]`, for `x: [n, in]`, `dy: [n, out]`:
 * dW = xᵀ · dy and db = Σₙ dy.
 *
 * XNNPACK (behind WASM's matMul) repacks the right-hand operand on every call, at ~20 ns per element here,
 * which costs as much as the product itself when the left side has few rows. Both orders of dW have an
 * activation on the right, so the narrower one goes there: xᵀ · dy packs dy (n·out elements), (dyᵀ · x)ᵀ
 * packs x (n·in) and adds two cheap transposes (20–30% faster for the MLP's up-projection and qkv).
 * db then comes cheaply either way: a last-axis sum of dyᵀ, or the product 1ᵀ · dy, which reuses the packing
 * of dy that xᵀ · dy just made (a fresh 1ᵀ · dy costs twice `tf.sum(dy, 0)`).
 */
function linearGrads(x: tf.Tensor2D, dy: tf.Tensor2D, withBias: boolean): tf.Tensor[] {
  if (x.shape[1] < dy.shape[1]) {
    const dyT = tf.transpose(dy);
    const dW = tf.transpose(tf.matMul(dyT, x));
    return withBias ? [dW, tf.sum(dyT, 1)] : [dW];
  }
  const dW = tf.matMul(tf.transpose(x), dy);
  return withBias ? [dW, tf.reshape(tf.matMul(tf.ones([1, dy.shape[0]]) as tf.Tensor2D, dy), [-1])] : [dW];
}

/**
 * `x · W (+ b)` for `x: [n, in]`, `W: [in, out]`, `b: [out]` → `[n, out]`, with a gradient made only of
 * untransposed 2-D matMuls: dx = dy · Wᵀ, dW = xᵀ · dy, db = Σₙ dy (see `linearGrads`).
 */
export function linear(x: tf.Tensor2D, w: tf.Tensor2D, b?: tf.Tensor1D): tf.Tensor2D {
  if (x.rank !== 2 || w.rank !== 2 || x.shape[1] !== w.shape[0]) {
    throw new Error(
      `linear: expected x [n, ${w.shape[0]}] for W ${JSON.stringify(w.shape)}, got ${JSON.stringify(x.shape)}`,
    );
  }
  if (b) {
    const f = withGrad(([xx, ww, bb], save) => {
      save([xx, ww]);
      return {
        value: tf.fused.matMul({ a: xx as tf.Tensor2D, b: ww as tf.Tensor2D, bias: bb }),
        gradFunc: (dy, saved) => {
          const [sx, sw] = saved as [tf.Tensor2D, tf.Tensor2D];
          return [
            tf.matMul(dy as tf.Tensor2D, tf.transpose(sw)),
            ...linearGrads(sx, dy as tf.Tensor2D, true),
          ];
        },
      };
    });
    return f(x, w, b) as tf.Tensor2D;
  }
  const f = withGrad(([xx, ww], save) => {
    save([xx, ww]);
    return {
      value: tf.matMul(xx as tf.Tensor2D, ww as tf.Tensor2D),
      gradFunc: (dy, saved) => {
        const [sx, sw] = saved as [tf.Tensor2D, tf.Tensor2D];
        return [tf.matMul(dy as tf.Tensor2D, tf.transpose(sw)), ...linearGrads(sx, dy as tf.Tensor2D, false)];
      },
    };
  });
  return f(x, w) as tf.Tensor2D;
}

/**
 * Rows of `table: [vocab, d]` picked by `ids` (int32, any shape S) → `[...S, d]`. The gradient with respect
 * to the table is a scatter-add (see the module comment); ids get no gradient.
 */
export function embedding(table: tf.Tensor2D, ids: tf.Tensor): tf.Tensor {
  if (ids.dtype !== "int32") throw new Error(`embedding: ids must be int32, got ${ids.dtype}`);
  const [vocab, d] = table.shape;
  const flat = tf.reshape(ids, [-1]) as tf.Tensor1D;
  const f = withGrad(([t], save) => {
    save([flat]);
    return {
      value: tf.gather(t as tf.Tensor2D, flat),
      gradFunc: (dy, saved) => {
        const [idx] = saved as [tf.Tensor1D];
        return tf.scatterND(tf.reshape(idx, [-1, 1]), dy as tf.Tensor2D, [vocab, d]);
      },
    };
  });
  const rows = f(table) as tf.Tensor2D;
  return tf.reshape(rows, [...ids.shape, d]);
}

/**
 * Column sums of `m: [n, k]` → `[k]`. WASM reduces over axis 0 by transposing first (~9 ns per element);
 * adding the top half of the rows to the bottom half, until one row is left, moves contiguous blocks only:
 * ~3× faster for the LayerNorm gradients of the bench's `S` model ([2048, 256]). Small matrices and other
 * backends use `tf.sum(m, 0)`.
 */
export function columnSums(m: tf.Tensor2D): tf.Tensor1D {
  // Below ~128k numbers the transpose is cheap and one op beats the log₂(n) rounds of halving.
  if (tf.getBackend() !== "wasm" || m.size < 1 << 17) return tf.sum(m, 0);
  return tf.tidy(() => {
    let rows = m;
    while (rows.shape[0] > 1) {
      const n = rows.shape[0];
      const half = Math.floor(n / 2);
      const top = tf.slice(rows, [0, 0], [half, -1]);
      const bottom = tf.slice(rows, [half, 0], [half, -1]);
      let sum = tf.add(top, bottom) as tf.Tensor2D;
      if (n % 2 === 1) sum = tf.concat([sum, tf.slice(rows, [n - 1, 0], [1, -1])], 0) as tf.Tensor2D;
      rows = sum;
    }
    return tf.reshape(rows, [-1]) as tf.Tensor1D;
  });
}

/**
 * LayerNorm over the last axis: y = x̂ · gain (+ bias) with x̂ = (x − mean) / sqrt(var + eps), biased variance
 * as in PyTorch. `x: [..., d]`, `gain, bias: [d]`.
 *
 * The gradient is written out (autodiff of the forward chain takes ~25 ops, several of them axis-0
 * reductions that WASM runs slowly): with ĝ = dy · gain and r = 1/sqrt(var + eps), per row
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
        const dg = columnSums(tf.mul(dy, sxhat) as tf.Tensor2D);
        return b ? [dx, dg, columnSums(dy as tf.Tensor2D)] : [dx, dg];
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
  const half = headDim / 2;
  const cos = new Float32Array(len * headDim);
  const sin = new Float32Array(len * headDim);
  for (let t = 0; t < len; t++) {
    for (let i = 0; i < half; i++) {
      const angle = (offset + t) * Math.pow(base, (-2 * i) / headDim);
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
 * to 1. The model's batched, multi-head version is `attention` below.
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
 * n products at once as one depthwise convolution: `x: [M, K, n]`, `f: [K, n, N]` → `[M, n, N]` with
 * out[i, c, j] = Σₖ x[i, k, c] · f[k, c, j] (image [1, M, K, n]: height M, width K, one channel per product;
 * filter [1, K, n, N]: a 1×K window, channel multiplier N). WASM runs this through XNNPACK.
 */
function depthwise(x: tf.Tensor3D, f: tf.Tensor3D): tf.Tensor3D {
  const [M, K, n] = x.shape;
  const N = f.shape[2];
  const y = tf.depthwiseConv2d(
    tf.reshape(x, [1, M, K, n]) as tf.Tensor4D,
    tf.reshape(f, [1, K, n, N]) as tf.Tensor4D,
    1,
    "valid",
  );
  return tf.reshape(y, [M, n, N]) as tf.Tensor3D;
}

/** One batched product `a: [n, M, K] · b: [n, K, N] → [n, M, N]` as a depthwise convolution (see `batchMatMul`). */
function depthwiseProduct(a: tf.Tensor3D, b: tf.Tensor3D): tf.Tensor3D {
  const y = depthwise(tf.transpose(a, [1, 2, 0]), tf.transpose(b, [1, 0, 2])); // [M, n, N]
  return tf.transpose(y, [1, 0, 2]) as tf.Tensor3D;
}

/**
 * Batched product `a: [...batch, M, K] · b: [...batch, K, N] → [...batch, M, N]` (same batch dims, no
 * broadcasting), with a gradient made of the same kind of product: da = dy · bᵀ, db = aᵀ · dy.
 *
 * Why not `tf.matMul`: on WASM a batched (3-D) matMul runs a naive loop at ~1.5–2.5 GFLOP/s, and looping
 * over the batch with fast 2-D products costs more in per-op overhead and slicing than it saves. The same
 * sums are a depthwise convolution — one channel per product, a 1×K window, channel multiplier N — which
 * WASM runs through XNNPACK: 2.5–3.5× faster for the attention products here, transposes included. Other
 * backends keep `tf.matMul`.
 */
export function batchMatMul(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  const r = a.rank;
  if (r < 3 || b.rank !== r || a.shape.slice(0, -2).join(",") !== b.shape.slice(0, -2).join(",")) {
    throw new Error(
      `batchMatMul: expected a [...batch, M, K] and b [...batch, K, N] with the same batch dims, ` +
        `got [${a.shape}] and [${b.shape}]`,
    );
  }
  if (a.shape[r - 1] !== b.shape[r - 2]) {
    throw new Error(`batchMatMul: inner sizes differ: a [${a.shape}] · b [${b.shape}]`);
  }
  if (tf.getBackend() !== "wasm") return tf.matMul(a, b);
  const batch = a.shape.slice(0, -2);
  const n = batch.reduce((x, y) => x * y, 1);
  const [M, K, N] = [a.shape[r - 2], a.shape[r - 1], b.shape[r - 1]];
  const f = withGrad(([aa, bb], save) => {
    save([aa, bb]);
    return {
      value: depthwiseProduct(aa as tf.Tensor3D, bb as tf.Tensor3D),
      gradFunc: (dy, saved) => {
        const [sa, sb] = saved as [tf.Tensor3D, tf.Tensor3D];
        return [
          depthwiseProduct(dy as tf.Tensor3D, tf.transpose(sb, [0, 2, 1])),
          depthwiseProduct(tf.transpose(sa, [0, 2, 1]), dy as tf.Tensor3D),
        ];
      },
    };
  });
  const out = f(tf.reshape(a, [n, M, K]), tf.reshape(b, [n, K, N]));
  return tf.reshape(out, [...batch, M, N]);
}

/**
 * Scaled dot-product attention. `q: [b, h, tq, hd]`, `kT: [b, h, hd, tk]` (keys already transposed, so the
 * product is a plain batched matMul), `v: [b, h, tk, hd]`, `mask: [tq, tk]` additive →
 * softmax(q·kT/√hd + mask)·v `[b, h, tq, hd]`. Also returns the attention weights when asked.
 */
export function attention(
  q: tf.Tensor4D,
  kT: tf.Tensor4D,
  v: tf.Tensor4D,
  mask: tf.Tensor2D | null,
): { out: tf.Tensor4D; weights: tf.Tensor4D } {
  const hd = q.shape[3];
  const scores = tf.mul(batchMatMul(q, kT), 1 / Math.sqrt(hd));
  const weights = tf.softmax(mask ? tf.add(scores, mask) : scores) as tf.Tensor4D;
  return { out: batchMatMul(weights, v) as tf.Tensor4D, weights };
}

/**
 * Causal attention of n independent heads kept in the layouts `depthwise` reads directly ("channels last",
 * one channel per head): `qX: [T, hd, n]`, `kF: [hd, n, T]`, `vF: [T, n, hd]`, additive `mask: [T, 1, T]` →
 * `[T, n, hd]`. Scores and weights stay `[T, n, T]` (query, head, key), so softmax runs over the last axis.
 *
 * The gradient is written out so that every product is again one `depthwise` call and only 7 transposes
 * are needed (autodiff through `batchMatMul` costs 16): with P the weights and dS = P ⊙ (dP − Σⱼ dP ⊙ P) · scale,
 * dP = dO · vᵀ, dV = Pᵀ · dO, dQ = dS · k, dK = dSᵀ · q, each arranged as x `[M, K, n]` and f `[K, n, N]`.
 */
function attentionChannelsLast(
  qX: tf.Tensor3D,
  kF: tf.Tensor3D,
  vF: tf.Tensor3D,
  mask: tf.Tensor | null,
  scale: number,
): tf.Tensor3D {
  const f = withGrad(([q, k, v], save) => {
    const scores = tf.mul(depthwise(q as tf.Tensor3D, k as tf.Tensor3D), scale); // [Tq, n, Tk]
    const p = tf.softmax(mask ? tf.add(scores, mask) : scores) as tf.Tensor3D;
    save([q, k, v, p]);
    return {
      value: depthwise(tf.transpose(p, [0, 2, 1]), v as tf.Tensor3D), // x [Tq, Tk, n], f [Tk, n, hd]
      gradFunc: (dy, saved) => {
        const [sq, sk, sv, sp] = saved as tf.Tensor3D[];
        const dO = dy as tf.Tensor3D; // [Tq, n, hd]
        const dP = depthwise(tf.transpose(dO, [0, 2, 1]), tf.transpose(sv, [2, 1, 0])); // [Tq, n, Tk]
        const dV = depthwise(tf.transpose(sp, [2, 0, 1]), dO); // x [Tk, Tq, n], f [Tq, n, hd] → [Tk, n, hd]
        const dS = tf.mul(tf.mul(sp, tf.sub(dP, tf.sum(tf.mul(dP, sp), -1, true))), scale) as tf.Tensor3D;
        const dQ = tf.transpose(
          depthwise(tf.transpose(dS, [0, 2, 1]), tf.transpose(sk, [2, 1, 0])),
          [0, 2, 1],
        );
        const dK = depthwise(tf.transpose(sq, [1, 0, 2]), dS); // x [hd, Tq, n], f [Tq, n, Tk] → [hd, n, Tk]
        return [dQ, dK, dV];
      },
    };
  });
  return f(qX, kF, vF) as tf.Tensor3D;
}

/**
 * Multi-head causal self-attention from the fused projection `qkv: [B·T, 3·d]` (queries | keys | values,
 * heads side by side in each) → the heads' outputs side by side `[B·T, d]`, ready for the output projection.
 * `mask: [T, T]` additive; `rope`: cos/sin tables `[T, hd]` or null.
 *
 * On WASM the B·H heads are laid out channels-last (`attentionChannelsLast`): 16 transposes per layer and
 * step instead of 29, which made the bench's `char` step 5–8% faster. Elsewhere it is `attention` on
 * `[B, H, T, hd]`. Both compute the same function (checked against each other and PyTorch in the tests).
 */
export function selfAttention(
  qkv: tf.Tensor2D,
  batch: number,
  time: number,
  heads: number,
  mask: tf.Tensor2D | null,
  rope: [tf.Tensor2D, tf.Tensor2D] | null,
): tf.Tensor2D {
  const [B, T, H] = [batch, time, heads];
  const { q, k, v } = splitHeads(qkv, B, T, H, rope);
  const hd = q.shape[3];
  let out: tf.Tensor; // [B, T, H, hd]
  if (tf.getBackend() === "wasm") {
    const n = B * H;
    const o = attentionChannelsLast(
      tf.reshape(tf.transpose(q, [1, 3, 0, 2]), [T, hd, n]) as tf.Tensor3D,
      tf.reshape(tf.transpose(k, [3, 0, 2, 1]), [hd, n, T]) as tf.Tensor3D,
      tf.reshape(tf.transpose(v, [1, 0, 2, 3]), [T, n, hd]) as tf.Tensor3D,
      mask ? tf.reshape(mask, [T, 1, T]) : null,
      1 / Math.sqrt(hd),
    );
    out = tf.transpose(tf.reshape(o, [T, B, H, hd]), [1, 0, 2, 3]);
  } else {
    const { out: o } = attention(
      tf.transpose(q, [0, 2, 1, 3]) as tf.Tensor4D,
      tf.transpose(k, [0, 2, 3, 1]) as tf.Tensor4D,
      tf.transpose(v, [0, 2, 1, 3]) as tf.Tensor4D,
      mask,
    );
    out = tf.transpose(o, [0, 2, 1, 3]);
  }
  return tf.reshape(out, [B * T, H * hd]) as tf.Tensor2D;
}

/**
 * The fused projection `qkv: [B·T, 3·d]` (queries | keys | values, heads side by side in each) as
 * `q, k, v: [B, T, H, hd]`, with RoPE (tables `[T, hd]` for these positions) applied to q and k.
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
  if (qkv.shape[0] !== B * T || !Number.isInteger(hd)) {
    throw new Error(`selfAttention: qkv [${qkv.shape}] does not fit batch ${B}, time ${T}, ${H} heads`);
  }
  const [q, k, v] = tf.split(qkv, 3, 1).map((x) => tf.reshape(x, [B, T, H, hd]) as tf.Tensor4D);
  if (!rope) return { q, k, v };
  const [cos, sin] = rope.map((t) => tf.reshape(t, [T, 1, hd]));
  return { q: applyRope(q, cos, sin) as tf.Tensor4D, k: applyRope(k, cos, sin) as tf.Tensor4D, v };
}
