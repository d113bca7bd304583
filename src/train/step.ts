/**
 * One optimizer update, split into its two halves so the single-thread step (`trainStep`) and the
 * data-parallel step (`DataParallel`) share them:
 *
 * 1. `microBatchGradients`: loss and gradients of `crossEntropy(model.forward(x), y)` for one micro-batch;
 * 2. `GradientAccumulator`: sums those gradients in the order they are added, then divides by their count
 *    (the mean over micro-batches), takes the global norm, clips, and applies AdamW.
 *
 * Because the sum runs in a fixed order, the same micro-batches give the same update bit for bit, whichever
 * thread computed each gradient.
 */
import * as tf from "@tensorflow/tfjs-core";
import {
  GPT,
  MoELayerStats,
  MoESummary,
  addMoESummary,
  disposeMoEStats,
  emptyMoESummary,
  moeAuxLoss,
  summarizeMoE,
} from "../model";
import { AdamW } from "./adamw";
import { Batch } from "./batches";
import { clipByGlobalNorm } from "./clip";
import { CrossEntropyOptions, crossEntropy } from "./loss";

export interface StepResult {
  /** Mean LM loss (cross-entropy) over the micro-batches; a mixture of experts' auxiliary losses are in `moe`. */
  loss: number;
  /** For a mixture of experts: the auxiliary losses (without coefficients) and drop rates, averaged over
   *  MoE blocks and micro-batches. Absent for a dense model (and with worker threads). */
  moe?: MoESummary;
  /** Global gradient norm before clipping. */
  gradNorm: number;
  /** False when loss or norm was not finite (no update was made). */
  finite: boolean;
}

export interface StepOptions {
  /** Clip the averaged gradients to this global norm (no clipping when absent). */
  clipNorm?: number;
  loss?: CrossEntropyOptions;
}

/** Loss of one micro-batch and its gradients, one tensor per parameter in `model.variables()` order. */
export interface MicroBatchGradients {
  /** The LM loss (cross-entropy). */
  loss: number;
  grads: tf.Tensor[];
  /** A mixture of experts' auxiliary losses and drops (their weighted sum was added to the loss that was differentiated). */
  moe?: MoESummary;
}

/**
 * Forward, cross-entropy and backward for one micro-batch `{x, y}: [batch, time]` int32. The caller owns
 * (and disposes) the returned gradients; nothing else is left behind, also when the forward pass throws.
 *
 * A mixture of experts adds its auxiliary losses (`moeAuxLoss`: balance and z-loss, weighted) to the
 * cross-entropy before differentiating; `loss` stays the cross-entropy, comparable with a dense model, and
 * the auxiliary values come back in `moe`. An expert that received no token in this micro-batch gets a zero
 * gradient.
 */
export function microBatchGradients(
  model: GPT,
  batch: Batch,
  loss?: CrossEntropyOptions,
): MicroBatchGradients {
  const vars = model.variables();
  const stats: MoELayerStats[] = [];
  let lmLoss = NaN;
  try {
    const { value, grads } = tf.variableGrads(() => {
      const ce = crossEntropy(model.forward(batch.x, { moe: stats }), batch.y, loss);
      if (stats.length === 0) return ce;
      lmLoss = ce.dataSync()[0];
      return tf.add(ce, moeAuxLoss(stats, model.config)) as tf.Scalar;
    }, vars);
    const total = value.dataSync()[0];
    value.dispose();
    const all = vars.map((v) => grads[v.name] ?? tf.zerosLike(v));
    if (stats.length === 0) return { loss: total, grads: all };
    return { loss: lmLoss, grads: all, moe: summarizeMoE(stats) };
  } finally {
    disposeMoEStats(stats);
  }
}

/**
 * Gradient accumulation: `add` the micro-batches' gradients one by one (it takes ownership of them and keeps
 * a running sum), then `apply` averages, clips and updates. The sum is ((g₁ + g₂) + g₃) + … in the order of
 * the `add` calls, so results are deterministic.
 */
export class GradientAccumulator {
  private sum: tf.Tensor[] | null = null;
  private lossSum = 0;
  private moeSum: MoESummary | null = null;
  /** Micro-batches added so far. */
  count = 0;

  /** Adds one micro-batch's loss and gradients (the tensors now belong to the accumulator). */
  add({ loss, grads, moe }: MicroBatchGradients): void {
    this.lossSum += loss;
    this.count++;
    if (moe) this.moeSum = addMoESummary(this.moeSum ?? emptyMoESummary(moe.load.length), moe);
    if (this.sum === null) {
      this.sum = grads;
      return;
    }
    const prev = this.sum;
    if (prev.length !== grads.length) {
      tf.dispose(grads);
      throw new Error(`GradientAccumulator: ${grads.length} gradients, expected ${prev.length}`);
    }
    this.sum = prev.map((a, i) => tf.add(a, grads[i]));
    tf.dispose([...prev, ...grads]);
  }

  /**
   * The update from the mean gradient: g = Σg / count, ‖g‖, clip to `clipNorm`, `optimizer.apply` with the
   * parameters in `model.params` order. With a non-finite loss or norm nothing is updated (`finite: false`).
   * Frees the accumulated tensors; the accumulator is empty afterwards.
   */
  apply(model: GPT, optimizer: AdamW, lr: number, options: StepOptions = {}): StepResult {
    if (this.sum === null) throw new Error("GradientAccumulator.apply: no micro-batch was added");
    let grads = this.sum;
    const n = this.count;
    const loss = this.lossSum / n;
    const ms = this.moeSum;
    const moe = ms ? addMoESummary(emptyMoESummary(ms.load.length), ms, 1 / n) : undefined;
    this.sum = null;
    this.lossSum = 0;
    this.moeSum = null;
    this.count = 0;
    try {
      if (n > 1) {
        const scaled = grads.map((g) => tf.div(g, n));
        tf.dispose(grads);
        grads = scaled;
      }
      // Without clipNorm the norm is still measured (and the gradients pass through unchanged).
      const clipped = clipByGlobalNorm(grads, options.clipNorm ?? Infinity);
      tf.dispose(grads);
      grads = clipped.grads;
      const gradNorm = clipped.norm;
      if (!Number.isFinite(loss) || !Number.isFinite(gradNorm)) return { loss, moe, gradNorm, finite: false };
      const names = [...model.params.keys()];
      optimizer.apply(new Map(names.map((name, i) => [name, grads[i]])), lr);
      return { loss, moe, gradNorm, finite: true };
    } finally {
      tf.dispose(grads);
    }
  }

  /** Frees whatever was added and not applied (after an error part-way through a step). */
  dispose(): void {
    if (this.sum) tf.dispose(this.sum);
    this.sum = null;
    this.lossSum = 0;
    this.moeSum = null;
    this.count = 0;
  }
}

/**
 * One optimizer update from micro-batches on this thread (gradient accumulation: gradients are averaged
 * over them). Does not dispose the batches. `DataParallel.step` does the same update with the micro-batches
 * spread over worker threads.
 */
export function trainStep(
  model: GPT,
  optimizer: AdamW,
  microBatches: Batch[],
  lr: number,
  options: StepOptions = {},
): StepResult {
  if (microBatches.length === 0) throw new Error("trainStep: needs at least one batch");
  const acc = new GradientAccumulator();
  try {
    for (const b of microBatches) acc.add(microBatchGradients(model, b, options.loss));
    return acc.apply(model, optimizer, lr, options);
  } finally {
    acc.dispose();
  }
}

/**
 * `trainStep` for a backend that cannot read data back synchronously: WebGPU in a browser page (tfjs's
 * synchronous read there goes through a canvas, which fails on software adapters and loses the device). The
 * same update — mean gradient over the micro-batches, global norm, clipping, AdamW — with the loss and the
 * norm read by `await`. Dense models only (a mixture of experts reads its routing statistics synchronously).
 */
export async function trainStepAsync(
  model: GPT,
  optimizer: AdamW,
  microBatches: Batch[],
  lr: number,
  options: StepOptions = {},
): Promise<StepResult> {
  if (microBatches.length === 0) throw new Error("trainStepAsync: needs at least one batch");
  if (model.config.moe)
    throw new Error("trainStepAsync: a mixture of experts needs trainStep (synchronous reads)");
  const vars = model.variables();
  const maxNorm = options.clipNorm ?? Infinity;
  let sum: tf.Tensor[] = [];
  let lossSum = 0;
  try {
    for (const b of microBatches) {
      const { value, grads } = tf.variableGrads(
        () => crossEntropy(model.forward(b.x), b.y, options.loss),
        vars,
      );
      lossSum += (await value.data())[0];
      value.dispose();
      const all = vars.map((v) => grads[v.name] ?? tf.zerosLike(v));
      const prev = sum;
      sum = prev.length ? prev.map((a, i) => tf.add(a, all[i])) : all;
      if (prev.length) tf.dispose([...prev, ...all]);
    }
    const n = microBatches.length;
    const mean = sum.map((g) => (n > 1 ? tf.div(g, n) : tf.clone(g)));
    tf.dispose(sum);
    sum = mean;
    const loss = lossSum / n;
    // As clipByGlobalNorm: ‖g‖ over all tensors, and g · maxNorm / (‖g‖ + 1e−6) when ‖g‖ > maxNorm.
    const sq = tf.tidy(() => tf.addN(mean.map((g) => tf.sum(tf.square(g)))));
    const gradNorm = Math.sqrt((await sq.data())[0]);
    sq.dispose();
    if (!Number.isFinite(loss) || !Number.isFinite(gradNorm)) return { loss, gradNorm, finite: false };
    const scale = gradNorm > maxNorm ? maxNorm / (gradNorm + 1e-6) : 1;
    const names = [...model.params.keys()];
    tf.tidy(() => optimizer.apply(new Map(names.map((name, i) => [name, tf.mul(mean[i], scale)])), lr));
    return { loss, gradNorm, finite: true };
  } finally {
    tf.dispose(sum);
  }
}
