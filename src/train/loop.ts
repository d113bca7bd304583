/**
 * The pretraining loop: sample a batch, forward, cross-entropy, backward, clip, AdamW, repeat — with
 * gradient accumulation, optional data parallelism over worker threads (`workers`), periodic validation,
 * checkpoints, callbacks, and a stop on a non-finite loss.
 * Every step runs inside `tf.tidy` scopes and disposes what it makes, so `tf.memory().numTensors` stays flat.
 */
import * as tf from "@tensorflow/tfjs-core";
import { GPT, MoESummary } from "../model";
import { Rng } from "../random";
import { AdamW } from "./adamw";
import { Batch } from "./batches";
import { latestCheckpoint, saveCheckpoint } from "./checkpoint";
import { CrossEntropyOptions, crossEntropy } from "./loss";
import { DataParallel, splitBatch } from "./parallel";
import { Schedule } from "./schedule";
import { StepResult, trainStep } from "./step";

/** Thrown when the loss or gradient norm becomes NaN or ±Inf; the weights are left as before that step. */
export class NonFiniteLossError extends Error {
  readonly step: number;
  readonly loss: number;
  /** The newest checkpoint written before the failure (null without checkpointing). */
  readonly lastCheckpoint: string | null;
  constructor(step: number, loss: number, gradNorm: number, lastCheckpoint: string | null) {
    super(
      `training stopped at step ${step}: loss ${loss}, gradient norm ${gradNorm} is not finite. ` +
        (lastCheckpoint ? `The last good checkpoint is ${lastCheckpoint}. ` : "") +
        "Lower the learning rate, add clipping, or check the data.",
    );
    this.name = "NonFiniteLossError";
    this.step = step;
    this.loss = loss;
    this.lastCheckpoint = lastCheckpoint;
  }
}

/** Mean loss over fixed batches, without gradients. */
export function evaluate(model: GPT, batches: Batch[], loss?: CrossEntropyOptions): number {
  let s = 0;
  for (const b of batches) s += tf.tidy(() => crossEntropy(model.forward(b.x), b.y, loss).dataSync()[0]);
  return s / batches.length;
}

export interface StepInfo {
  /** Updates completed (1 after the first). */
  step: number;
  loss: number;
  lr: number;
  gradNorm: number;
  /** Tokens processed in this update. */
  tokens: number;
  /** Wall time of this update (ms), and tokens per second. */
  ms: number;
  tokensPerSec: number;
  /** A mixture of experts' auxiliary losses and drop rates this update (see `StepResult.moe`). */
  moe?: MoESummary;
}

/**
 * One progress line for scripts and logs:
 * `step   120/2000 │ loss 2.3456 │ lr 6.00e-4 │ ‖g‖ 0.812 │ 1,234 tok/s │ 97 ms/step`.
 */
export function formatProgress(info: StepInfo, totalSteps: number): string {
  const width = String(totalSteps).length;
  return [
    `step ${String(info.step).padStart(width)}/${totalSteps}`,
    `loss ${info.loss.toFixed(4)}`,
    `lr ${info.lr.toExponential(2)}`,
    `‖g‖ ${info.gradNorm.toFixed(3)}`,
    `${Math.round(info.tokensPerSec).toLocaleString("en-US")} tok/s`,
    `${Math.round(info.ms)} ms/step`,
  ].join(" │ ");
}

export interface EvalInfo {
  step: number;
  trainLoss: number;
  valLoss: number;
}

/**
 * Where training batches come from: `sample(rng)` draws one micro-batch of `batchSize` rows. `TokenBatcher`
 * (windows of one token stream) is one; chapter 07's padded, masked chat batches (`align.SftBatcher`) another.
 */
export interface BatchSource {
  readonly batchSize: number;
  /** Sequence length of a batch (the longest one for sources whose batches vary in length). */
  readonly time: number;
  sample(rng: Rng): Batch;
}

export interface TrainOptions {
  model: GPT;
  optimizer: AdamW;
  schedule: Schedule;
  train: BatchSource;
  /** Source of validation batches (drawn the same every time from `evalSeed`). */
  val?: BatchSource;
  /** The step count to reach; the loop runs from `optimizer.step` up to it. */
  steps: number;
  /** Draws the training batches; its state is checkpointed. */
  rng: Rng;
  accumSteps?: number;
  clipNorm?: number;
  loss?: CrossEntropyOptions;
  /** Validate every this many steps and after the last one (default: only at the end). */
  evalEvery?: number;
  evalBatches?: number;
  evalSeed?: number;
  checkpoint?: { dir: string; every: number; keep?: number };
  onStep?: (info: StepInfo) => void | Promise<void>;
  onEval?: (info: EvalInfo) => void | Promise<void>;
  /** Yield to the event loop after each step so notebook displays update (default true). */
  yieldToEventLoop?: boolean;
  /**
   * Threads that share each update (default 1: this thread alone, `trainStep`). With W > 1 a `DataParallel`
   * with W − 1 worker threads runs for the duration of the call. Batches are drawn exactly as with W = 1 (same
   * tokens per update, RNG stream and checkpoints), and spread over the threads:
   * - when accumSteps is a multiple of W, whole micro-batches (accumSteps/W per thread): the update is the
   *   W = 1 update bit for bit;
   * - otherwise (e.g. accumSteps 1) each micro-batch of `batchSize` rows is cut into W shards of batchSize/W
   *   rows (`splitBatch`; batchSize must divide by W) and the update is gradient accumulation over the
   *   accumSteps·W shards: it differs from W = 1 only by rounding (a mean of W shard means instead of one mean).
   * Either way it is deterministic: a run resumed with the same W repeats an uninterrupted one bit for bit.
   */
  workers?: number;
}

export interface TrainResult {
  steps: number;
  losses: number[];
  evals: EvalInfo[];
  lastCheckpoint: string | null;
}

/** Runs training; throws `NonFiniteLossError` on NaN/Inf (the last good checkpoint stays `latest`). */
export async function trainLoop(o: TrainOptions): Promise<TrainResult> {
  const accum = o.accumSteps ?? 1;
  if (!Number.isInteger(accum) || accum < 1)
    throw new Error(`trainLoop: accumSteps must be an integer ≥ 1, got ${accum}`);
  const workers = o.workers ?? 1;
  if (!Number.isInteger(workers) || workers < 1)
    throw new Error(`trainLoop: workers must be an integer ≥ 1, got ${workers}`);
  const splitRows = workers > 1 && accum % workers !== 0;
  if (splitRows && o.train.batchSize % workers !== 0) {
    throw new Error(
      `trainLoop: batchSize ${o.train.batchSize} does not split into ${workers} equal shards; ` +
        `use a batch size or accumSteps divisible by workers=${workers}`,
    );
  }
  if (!Number.isInteger(o.steps) || o.steps < o.optimizer.step) {
    throw new Error(
      `trainLoop: steps=${o.steps} must be an integer ≥ the optimizer's step ${o.optimizer.step}`,
    );
  }
  const evalBatches = o.evalBatches ?? 4;
  const valBatches = o.val ? Array.from({ length: evalBatches }, (_, i) => i) : [];
  const runEval = async (step: number, trainLoss: number): Promise<void> => {
    if (!o.val) return;
    const rng = new Rng(o.evalSeed ?? 12345);
    const batches = valBatches.map(() => (o.val as BatchSource).sample(rng));
    const valLoss = evaluate(o.model, batches, o.loss);
    batches.forEach((b) => tf.dispose([b.x, b.y]));
    const info = { step, trainLoss, valLoss };
    result.evals.push(info);
    if (o.onEval) await o.onEval(info);
  };
  const result: TrainResult = {
    steps: o.optimizer.step,
    losses: [],
    evals: [],
    lastCheckpoint: o.checkpoint ? latestCheckpoint(o.checkpoint.dir) : null,
  };
  let lastLoss = NaN;
  const parallel =
    workers > 1 && o.optimizer.step < o.steps ? await DataParallel.create(o.model, { workers }) : null;
  try {
    while (o.optimizer.step < o.steps) {
      const t0 = performance.now();
      const stepIndex = o.optimizer.step;
      const lr = o.schedule(stepIndex);
      const micro = Array.from({ length: accum }, () => o.train.sample(o.rng));
      const shards = splitRows ? micro.flatMap((b) => splitBatch(b, workers)) : micro;
      const stepOptions = { clipNorm: o.clipNorm, loss: o.loss };
      let r: StepResult;
      try {
        r = parallel
          ? await parallel.step(o.optimizer, shards, lr, stepOptions)
          : trainStep(o.model, o.optimizer, micro, lr, stepOptions);
      } finally {
        new Set([...micro, ...shards]).forEach((b) => tf.dispose([b.x, b.y]));
      }
      if (!r.finite) throw new NonFiniteLossError(stepIndex + 1, r.loss, r.gradNorm, result.lastCheckpoint);
      const step = o.optimizer.step;
      lastLoss = r.loss;
      result.losses.push(r.loss);
      result.steps = step;
      const ms = performance.now() - t0;
      // Positions in this update's batches (for padded sources, the padded length).
      const tokens = micro.reduce((n, b) => n + b.x.size, 0);
      if (o.checkpoint && (step % o.checkpoint.every === 0 || step === o.steps)) {
        result.lastCheckpoint = saveCheckpoint(o.checkpoint.dir, o.model, o.optimizer, o.rng, {
          keep: o.checkpoint.keep,
        });
      }
      if (o.onStep)
        await o.onStep({
          step,
          loss: r.loss,
          lr,
          gradNorm: r.gradNorm,
          tokens,
          ms,
          tokensPerSec: (tokens / ms) * 1000,
          ...(r.moe ? { moe: r.moe } : {}),
        });
      if (o.evalEvery && step % o.evalEvery === 0 && step !== o.steps) await runEval(step, r.loss);
      if (o.yieldToEventLoop ?? true) await new Promise((res) => setImmediate(res));
    }
  } finally {
    await parallel?.dispose();
  }
  if (result.losses.length > 0) await runEval(o.optimizer.step, lastLoss);
  return result;
}
