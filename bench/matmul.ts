/**
 * The matMul ceiling: how fast the active backend multiplies two 1024×1024 float32 matrices, as the best of
 * repeated products. Used by `bench/train.ts` on the main thread and by `bench/matmul-worker.ts` on a second
 * thread at the same time (both cores busy).
 */
import * as tf from "@tensorflow/tfjs-core";

/** FLOPs of one n×n by n×n product. */
export const matmulFlops = (n: number): number => 2 * n ** 3;

export interface MatmulTiming {
  /** Fastest product (ms). */
  bestMs: number;
  reps: number;
  /** Wall time of all repetitions (ms). */
  totalMs: number;
}

/** 1024² operands on the active backend (the caller disposes them), after one untimed product. */
export function matmulOperands(): [tf.Tensor2D, tf.Tensor2D] {
  const a = tf.randomNormal([1024, 1024], 0, 1, "float32", 1) as tf.Tensor2D;
  const b = tf.randomNormal([1024, 1024], 0, 1, "float32", 2) as tf.Tensor2D;
  // A block body, not `() => …dataSync()`: tidy would walk the returned 1M-element array looking for tensors,
  // which took longer than the product itself and made the ceiling read ~1 GFLOP/s.
  tf.tidy(() => {
    tf.matMul(a, b).dataSync();
  });
  return [a, b];
}

/**
 * Repeats `a·b` for at least `minMs` and `minReps` times. A ceiling is the best the kernel can do, so the
 * fastest repetition counts: other jobs on a shared machine lower it less than they lower a mean.
 */
export function timeMatmuls(a: tf.Tensor2D, b: tf.Tensor2D, minMs: number, minReps: number): MatmulTiming {
  let reps = 0;
  let bestMs = Infinity;
  const t0 = performance.now();
  while (performance.now() - t0 < minMs || reps < minReps) {
    const t1 = performance.now();
    tf.tidy(() => {
      tf.matMul(a, b).dataSync();
    });
    bestMs = Math.min(bestMs, performance.now() - t1);
    reps++;
  }
  return { bestMs, reps, totalMs: performance.now() - t0 };
}
