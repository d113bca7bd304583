/**
 * Backend-aware ops: one function per product the model needs, computed the way the active backend runs it
 * fastest. `src/model` writes the maths with these (as PyTorch code calls `F.scaled_dot_product_attention`
 * and lets the dispatcher pick a kernel); every backend-specific choice of the library lives here or in
 * the replaced kernels of `wasm-kernels.ts`. Each op computes the same function on every backend (the
 * tests check the WASM paths against tfjs's plain ops and against float64 references).
 *
 * Why WASM needs its own paths (tfjs-backend-wasm, single-threaded XNNPACK):
 * - tfjs differentiates `x·W` into products with `transposeA` / `transposeB`, which WASM runs 10–30× slower
 *   than a plain 2-D product; `dense` transposes explicitly (a cheap copy) and multiplies plainly.
 * - a batched (3-D) matMul runs a naive loop at ~1.5–2.5 GFLOP/s; `batchedMatMul` and `fusedAttention` run
 *   the same sums as depthwise convolutions, which go through XNNPACK.
 * - a reduction over axis 0 transposes first; `columnSum` adds halves of the rows instead.
 * (`rows.ts` holds the embedding's and the mixture of experts' gather and scatter-add, trainable on WASM.)
 */
import * as tf from "@tensorflow/tfjs-core";

type Grad = (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor | tf.Tensor[];

/** Whether tfjs runs on its WASM backend now (the only backend with paths of its own here). */
function onWasm(): boolean {
  return tf.getBackend() === "wasm";
}

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
function denseGrads(x: tf.Tensor2D, dy: tf.Tensor2D, withBias: boolean): tf.Tensor[] {
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
 * untransposed 2-D matMuls: dx = dy · Wᵀ, dW = xᵀ · dy, db = Σₙ dy (see `denseGrads`). Shapes are the
 * caller's to check (`model.linear` does).
 */
export function dense(x: tf.Tensor2D, w: tf.Tensor2D, b?: tf.Tensor1D): tf.Tensor2D {
  if (b) {
    const f = withGrad(([xx, ww, bb], save) => {
      save([xx, ww]);
      return {
        value: tf.fused.matMul({ a: xx as tf.Tensor2D, b: ww as tf.Tensor2D, bias: bb }),
        gradFunc: (dy, saved) => {
          const [sx, sw] = saved as [tf.Tensor2D, tf.Tensor2D];
          return [tf.matMul(dy as tf.Tensor2D, tf.transpose(sw)), ...denseGrads(sx, dy as tf.Tensor2D, true)];
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
        return [tf.matMul(dy as tf.Tensor2D, tf.transpose(sw)), ...denseGrads(sx, dy as tf.Tensor2D, false)];
      },
    };
  });
  return f(x, w) as tf.Tensor2D;
}

/**
 * Column sums of `m: [n, k]` → `[k]`, i.e. `tf.sum(m, 0)`. WASM reduces over axis 0 by transposing first
 * (~9 ns per element); adding the top half of the rows to the bottom half, until one row is left, moves
 * contiguous blocks only: ~3× faster for the LayerNorm gradients of the bench's `S` model ([2048, 256]).
 */
export function columnSum(m: tf.Tensor2D): tf.Tensor1D {
  // Below ~128k numbers the transpose is cheap and one op beats the log₂(n) rounds of halving.
  if (!onWasm() || m.size < 1 << 17) return tf.sum(m, 0);
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

/** One batched product `a: [n, M, K] · b: [n, K, N] → [n, M, N]` as a depthwise convolution. */
function depthwiseProduct(a: tf.Tensor3D, b: tf.Tensor3D): tf.Tensor3D {
  const y = depthwise(tf.transpose(a, [1, 2, 0]), tf.transpose(b, [1, 0, 2])); // [M, n, N]
  return tf.transpose(y, [1, 0, 2]) as tf.Tensor3D;
}

/**
 * Batched product `a: [...batch, M, K] · b: [...batch, K, N] → [...batch, M, N]` (same batch dims, no
 * broadcasting), i.e. `tf.matMul(a, b)`.
 *
 * On WASM the same sums run as a depthwise convolution — one channel per product, a 1×K window, channel
 * multiplier N — through XNNPACK: 2.5–3.5× faster for attention's products, transposes included (looping
 * over the batch with fast 2-D products costs more in per-op overhead and slicing than it saves). Its
 * gradient is made of the same kind of product: da = dy · bᵀ, db = aᵀ · dy.
 */
export function batchedMatMul(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  const r = a.rank;
  if (r < 3 || b.rank !== r || a.shape.slice(0, -2).join(",") !== b.shape.slice(0, -2).join(",")) {
    throw new Error(
      `batchedMatMul: expected a [...batch, M, K] and b [...batch, K, N] with the same batch dims, ` +
        `got [${a.shape}] and [${b.shape}]`,
    );
  }
  if (a.shape[r - 1] !== b.shape[r - 2]) {
    throw new Error(`batchedMatMul: inner sizes differ: a [${a.shape}] · b [${b.shape}]`);
  }
  if (!onWasm()) return tf.matMul(a, b);
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
 * Attention of n independent heads kept in the layouts `depthwise` reads directly ("channels last", one
 * channel per head): `qX: [Tq, hd, n]`, `kF: [hd, n, Tk]`, `vF: [Tk, n, hd]`, additive `mask: [Tq, 1, Tk]` →
 * `[Tq, n, hd]`. Scores and weights stay `[Tq, n, Tk]` (query, head, key), so softmax runs over the last axis.
 *
 * The gradient is written out so that every product is again one `depthwise` call and only 7 transposes
 * are needed (autodiff through `batchedMatMul` costs 16): with P the weights and
 * dS = P ⊙ (dP − Σⱼ dP ⊙ P) · scale, dP = dO · vᵀ, dV = Pᵀ · dO, dQ = dS · k, dK = dSᵀ · q, each arranged as
 * x `[M, K, n]` and f `[K, n, N]`.
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
 * Scaled dot-product attention of all heads at once, fused into one op with its own gradient, where the
 * active backend has such a kernel; null where it has none (the caller then computes the maths itself, as
 * nanoGPT falls back from `F.scaled_dot_product_attention`). Heads stay in the layout the fused projection
 * splits into: `q: [B, Tq, H, hd]`, `k, v: [B, Tk, H, hd]`, additive `mask: [Tq, Tk]` (or `[B, 1, Tq, Tk]`
 * for a left-padded batch) or null →
 * softmax(q·kᵀ · scale + mask) · v as `[B, Tq, H, hd]`.
 *
 * WASM: the B·H heads laid out channels-last (`attentionChannelsLast`): 16 transposes per layer and
 * training step instead of 29 through `batchedMatMul` in the `[B, H, T, hd]` layout (5–8% of the bench's
 * `char` step).
 */
export function fusedAttention(
  q: tf.Tensor4D,
  k: tf.Tensor4D,
  v: tf.Tensor4D,
  mask: tf.Tensor2D | tf.Tensor4D | null,
  scale: number,
): tf.Tensor4D | null {
  if (!onWasm()) return null;
  const [B, Tq, H, hd] = q.shape;
  const Tk = k.shape[1];
  const n = B * H;
  // A padded batch's mask [B, 1, Tq, Tk] becomes [Tq, B·H, Tk] (n = b·H + h, as q's layout below).
  const m =
    mask === null
      ? null
      : mask.rank === 2
        ? tf.reshape(mask, [Tq, 1, Tk])
        : tf.reshape(tf.tile(tf.transpose(mask, [2, 0, 1, 3]), [1, 1, H, 1]), [Tq, n, Tk]);
  const out = attentionChannelsLast(
    tf.reshape(tf.transpose(q, [1, 3, 0, 2]), [Tq, hd, n]) as tf.Tensor3D,
    tf.reshape(tf.transpose(k, [3, 0, 2, 1]), [hd, n, Tk]) as tf.Tensor3D,
    tf.reshape(tf.transpose(v, [1, 0, 2, 3]), [Tk, n, hd]) as tf.Tensor3D,
    m,
    scale,
  );
  return tf.transpose(tf.reshape(out, [Tq, B, H, hd]), [1, 0, 2, 3]) as tf.Tensor4D;
}
