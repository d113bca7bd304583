/**
 * The pretraining loop: sample a batch, forward, cross-entropy, backward, clip, AdamW, repeat — with
 * gradient accumulation, periodic validation, checkpoints, callbacks, and a stop on a non-finite loss.
 * Every step runs inside `tf.tidy` scopes and disposes what it makes, so `tf.memory().numTensors` stays flat.
 */
import * as tf from "@tensorflow/tfjs-core";
import { GPT } from "../model";
import { Rng } from "../random";
import { AdamW } from "./adamw";
import { Batch, TokenBatcher } from "./batches";
import { globalNorm } from "./clip";
import { latestCheckpoint, saveCheckpoint } from "./checkpoint";
import { CrossEntropyOptions, crossEntropy } from "./loss";
import { Schedule } from "./schedule";

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

export interface StepResult {
  /** Mean loss over the micro-batches. */
  loss: number;
  /** Global gradient norm before clipping. */
  gradNorm: number;
  /** False when loss or norm was not finite (no update was made). */
  finite: boolean;
}

/**
 * One optimizer update from micro-batches (gradient accumulation: gradients are averaged over them).
 * Does not dispose the batches.
 */
export function trainStep(
  model: GPT,
  optimizer: AdamW,
  microBatches: Batch[],
  lr: number,
  options: { clipNorm?: number; loss?: CrossEntropyOptions } = {},
): StepResult {
  if (microBatches.length === 0) throw new Error("trainStep: needs at least one batch");
  const vars = model.variables();
  const names = [...model.params.keys()];
  let acc: tf.Tensor[] | null = null;
  let lossSum = 0;
  for (const b of microBatches) {
    const { value, grads } = tf.variableGrads(
      () => crossEntropy(model.forward(b.x), b.y, options.loss),
      vars,
    );
    lossSum += value.dataSync()[0];
    value.dispose();
    const ordered = vars.map((v) => grads[v.name]);
    if (acc === null) acc = ordered;
    else {
      const prev: tf.Tensor[] = acc;
      acc = prev.map((a, i) => tf.add(a, ordered[i]));
      tf.dispose([...prev, ...ordered]);
    }
  }
  let grads = acc as tf.Tensor[];
  if (microBatches.length > 1) {
    const scaled = grads.map((g) => tf.div(g, microBatches.length));
    tf.dispose(grads);
    grads = scaled;
  }
  const loss = lossSum / microBatches.length;
  const gradNorm = globalNorm(grads);
  if (!Number.isFinite(loss) || !Number.isFinite(gradNorm)) {
    tf.dispose(grads);
    return { loss, gradNorm, finite: false };
  }
  if (options.clipNorm !== undefined && gradNorm > options.clipNorm) {
    const scale = options.clipNorm / (gradNorm + 1e-6);
    const clipped = grads.map((g) => tf.mul(g, scale));
    tf.dispose(grads);
    grads = clipped;
  }
  optimizer.apply(new Map(names.map((n, i) => [n, grads[i]])), lr);
  tf.dispose(grads);
  return { loss, gradNorm, finite: true };
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

export interface TrainOptions {
  model: GPT;
  optimizer: AdamW;
  schedule: Schedule;
  train: TokenBatcher;
  /** Source of validation batches (drawn the same every time from `evalSeed`). */
  val?: TokenBatcher;
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
    const batches = valBatches.map(() => (o.val as TokenBatcher).sample(rng));
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
  while (o.optimizer.step < o.steps) {
    const t0 = performance.now();
    const stepIndex = o.optimizer.step;
    const lr = o.schedule(stepIndex);
    const micro = Array.from({ length: accum }, () => o.train.sample(o.rng));
    let r: StepResult;
    try {
      r = trainStep(o.model, o.optimizer, micro, lr, { clipNorm: o.clipNorm, loss: o.loss });
    } finally {
      micro.forEach((b) => tf.dispose([b.x, b.y]));
    }
    if (!r.finite) throw new NonFiniteLossError(stepIndex + 1, r.loss, r.gradNorm, result.lastCheckpoint);
    const step = o.optimizer.step;
    lastLoss = r.loss;
    result.losses.push(r.loss);
    result.steps = step;
    const ms = performance.now() - t0;
    const tokens = accum * o.train.batchSize * o.train.time;
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
      });
    if (o.evalEvery && step % o.evalEvery === 0 && step !== o.steps) await runEval(step, r.loss);
    if (o.yieldToEventLoop ?? true) await new Promise((res) => setImmediate(res));
  }
  if (result.losses.length > 0) await runEval(o.optimizer.step, lastLoss);
  return result;
}
