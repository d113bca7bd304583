/**
 * Two row operations that are each other's gradient, trainable on every backend:
 *
 * - `gatherRows(x, idx)`: rows of `x: [n, d]` picked by `idx` → `[m, d]` (an embedding lookup, a mixture of
 *   experts' dispatch of tokens to an expert);
 * - `scatterAddRows(rows, idx, n)`: rows added into a zero `[n, d]` at `idx`, duplicates summed (the mixture
 *   of experts' combine, where a token gets the weighted outputs of its k experts).
 *
 * Why not `tf.gather` and `tf.scatterND` with tfjs's own gradients: the gradient of `gather` is an
 * UnsortedSegmentSum, a kernel the WASM backend lacks, and `scatterND` has no registered gradient at all.
 * The gradient of a gather is a scatter-add of the output gradient into the picked rows, and the gradient of
 * a scatter-add is a gather of the output gradient at the same rows, so each is written with the other's
 * forward kernel (`GatherV2`, `ScatterNd`), which every backend has. Indices get no gradient.
 */
import * as tf from "@tensorflow/tfjs-core";
import "./gradients";

function checkIndices(idx: tf.Tensor, what: string): tf.Tensor1D {
  if (idx.dtype !== "int32") throw new Error(`${what}: indices must be int32, got ${idx.dtype}`);
  return (idx.rank === 1 ? idx : tf.reshape(idx, [-1])) as tf.Tensor1D;
}

type Save = (tensors: tf.Tensor[]) => void;

/**
 * `x[idx]`: rows of `x: [n, d]` → `[m, d]` for int32 `idx: [m]` (any shape; flattened). The gradient with
 * respect to `x` is `scatterAddRows(dy, idx, n)`: a row picked twice gets both gradients.
 */
export function gatherRows(x: tf.Tensor2D, idx: tf.Tensor): tf.Tensor2D {
  if (x.rank !== 2) throw new Error(`gatherRows: x must be [rows, d], got shape [${x.shape}]`);
  const flat = checkIndices(idx, "gatherRows");
  const n = x.shape[0];
  const d = x.shape[1];
  const f = tf.customGrad(((xx: tf.Tensor, save: Save) => {
    save([flat]);
    return {
      value: tf.gather(xx, flat),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        tf.scatterND(tf.reshape(saved[0], [-1, 1]), dy, [n, d]),
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return f(x) as tf.Tensor2D;
}

/**
 * Σ of `rows: [m, d]` into a zero `[n, d]`: out[idx[j]] += rows[j] (int32 `idx: [m]`, duplicates add up).
 * The gradient with respect to `rows` is `gatherRows(dy, idx)`.
 */
export function scatterAddRows(rows: tf.Tensor2D, idx: tf.Tensor, n: number): tf.Tensor2D {
  if (rows.rank !== 2) throw new Error(`scatterAddRows: rows must be [m, d], got shape [${rows.shape}]`);
  const flat = checkIndices(idx, "scatterAddRows");
  if (flat.size !== rows.shape[0]) {
    throw new Error(`scatterAddRows: ${flat.size} indices for ${rows.shape[0]} rows; give one index per row`);
  }
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`scatterAddRows: n must be a positive integer, got ${n}`);
  const d = rows.shape[1];
  const f = tf.customGrad(((rr: tf.Tensor, save: Save) => {
    save([flat]);
    return {
      value: tf.scatterND(tf.reshape(flat, [-1, 1]), rr, [n, d]),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.gather(dy, saved[0] as tf.Tensor1D),
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return f(rows) as tf.Tensor2D;
}
