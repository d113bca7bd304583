/**
 * Data parallelism over CPU cores: the WASM and CPU backends compute on one thread, so a second core only
 * helps if a second thread holds its own backend and its own copy of the model. `DataParallel` starts
 * `workers − 1` worker threads (this thread is the first worker), each with a `GPT` replica.
 *
 * One update (`step`):
 * 1. this thread copies the model's weights into a `SharedArrayBuffer` every worker reads (so a worker always
 *    computes with exactly the weights the model has now, also after a checkpoint restore);
 * 2. the micro-batches are cut into contiguous runs, one per thread; each thread computes loss and gradients of
 *    `crossEntropy(model.forward(x), y)` for its own (`microBatchGradients`);
 * 3. the workers send their gradients back (transferred `Float32Array`s, one per micro-batch) and this thread
 *    adds all of them in micro-batch order to a `GradientAccumulator` — the same sum, mean, clip and AdamW as
 *    `trainStep` — so the update equals `trainStep` over the same micro-batches bit for bit.
 *
 * Worth it for the WASM and CPU backends; a GPU backend already uses the whole device.
 */
import * as path from "node:path";
import { Worker } from "node:worker_threads";
import * as tf from "@tensorflow/tfjs-core";
import { BackendName, activeBackend } from "../backend";
import { GPT, ResolvedConfig } from "../model";
import { AdamW } from "./adamw";
import { Batch } from "./batches";
import { CrossEntropyOptions } from "./loss";
import { GradientAccumulator, StepOptions, StepResult, microBatchGradients } from "./step";

/** What a worker receives when it starts (`workerData`). */
export interface WorkerInit {
  /** 1, 2, … (this thread is 0). */
  index: number;
  config: ResolvedConfig;
  /** Parameter names in `model.params` order; the replica must have the same. */
  names: string[];
  /** The backend this thread uses, so the workers compute with the same kernels (undefined: choose). */
  backend?: BackendName;
  /** All weights, concatenated in `names` order (float32). */
  weights: SharedArrayBuffer;
}

/** One micro-batch as plain arrays: ids `[rows, time]` row-major. */
export interface ShardData {
  rows: number;
  time: number;
  x: Int32Array;
  y: Int32Array;
}

/** Messages to a worker. */
export type ToWorker =
  | { type: "step"; id: number; shards: ShardData[]; loss?: CrossEntropyOptions }
  | { type: "memory"; id: number }
  | { type: "close" };

/** Messages from a worker. */
export type FromWorker =
  | { type: "ready" }
  | { type: "result"; id: number; losses: number[]; grads: Float32Array[]; loadMs: number; computeMs: number }
  | { type: "memory"; id: number; numTensors: number }
  | { type: "error"; id: number | null; message: string; stack?: string };

export interface DataParallelOptions {
  /** Threads that compute gradients, this one included: `workers − 1` worker threads are started. */
  workers: number;
}

/** Where the time of the steps so far went, in ms summed over steps (this thread unless noted). */
export interface ParallelTimings {
  steps: number;
  /** Copying the weights into shared memory (`dataSync` + copy), before each step. */
  shareMs: number;
  /** Computing this thread's own micro-batches. */
  ownMs: number;
  /** Waiting for the workers once its own micro-batches were done (0 when this thread was the slowest). */
  waitMs: number;
  /** Turning the workers' gradients into tensors and adding them up. */
  gatherMs: number;
  /** Mean, norm, clipping and AdamW. */
  updateMs: number;
  /** In the workers: loading the shared weights into their replica (the slowest worker per step). */
  workerLoadMs: number;
  /** In the workers: forward and backward (the slowest worker per step). */
  workerComputeMs: number;
}

interface Pending {
  resolve: (msg: FromWorker) => void;
  reject: (err: Error) => void;
}

interface WorkerSlot {
  index: number;
  worker: Worker;
  pending: Map<number, Pending>;
  exited: Promise<number>;
}

/** How to start the worker module next to this one: `.ts` under tsx (tests, benchmarks), `.js` from dist/. */
function workerEntry(): { file: string; execArgv: string[] } {
  const ext = path.extname(__filename);
  const file = path.join(__dirname, `parallel-worker${ext}`);
  if (ext !== ".ts") return { file, execArgv: [] };
  let tsx: string;
  try {
    tsx = require.resolve("tsx/cjs");
  } catch {
    // Some other TypeScript loader runs this file; the worker inherits this process's flags and hopes it works.
    return { file, execArgv: process.execArgv };
  }
  return { file, execArgv: ["--require", tsx] };
}

/**
 * Cuts a batch `[rows, time]` into `parts` batches of rows/parts rows each (rows must divide evenly). With
 * equal parts and no ignored targets, the mean of the parts' losses is the batch's loss, so averaging their
 * gradients (gradient accumulation) is the same update up to rounding. The caller disposes the parts.
 */
export function splitBatch(batch: Batch, parts: number): Batch[] {
  const rows = batch.x.shape[0];
  if (!Number.isInteger(parts) || parts < 1)
    throw new Error(`splitBatch: parts must be an integer ≥ 1, got ${parts}`);
  if (rows % parts !== 0) {
    throw new Error(
      `splitBatch: ${rows} rows do not split into ${parts} equal parts; use a batch size divisible by ${parts}`,
    );
  }
  if (parts === 1) return [{ x: tf.clone(batch.x), y: tf.clone(batch.y) }];
  const xs = tf.split(batch.x, parts, 0) as tf.Tensor2D[];
  const ys = tf.split(batch.y, parts, 0) as tf.Tensor2D[];
  return xs.map((x, i) => ({ x, y: ys[i] }));
}

/** How many micro-batches each thread computes (this thread first); contiguous runs in micro-batch order. */
export function shardCounts(microBatches: number, threads: number): number[] {
  const counts = new Array<number>(threads).fill(Math.floor(microBatches / threads));
  let extra = microBatches % threads;
  // This thread also gathers and updates, so the extra micro-batches go to workers — unless it would idle.
  if (counts[0] === 0 && extra > 0) {
    counts[0] = 1;
    extra--;
  }
  for (let k = 1; k < threads && extra > 0; k++, extra--) counts[k]++;
  return counts;
}

function toShard(b: Batch, i: number): ShardData {
  for (const [name, t] of [
    ["x", b.x],
    ["y", b.y],
  ] as const) {
    if (t.rank !== 2 || t.dtype !== "int32") {
      throw new Error(
        `DataParallel.step: micro-batch ${i}: ${name} must be int32 [batch, time], got ${t.dtype} [${t.shape}]`,
      );
    }
  }
  // Copies: the arrays are cloned into the message, and the CPU backend hands out its own storage.
  return {
    rows: b.x.shape[0],
    time: b.x.shape[1],
    x: Int32Array.from(b.x.dataSync() as Int32Array),
    y: Int32Array.from(b.y.dataSync() as Int32Array),
  };
}

const now = (): number => performance.now();

/**
 * Synchronous data-parallel training of one `GPT` over worker threads. Create with `DataParallel.create`, call
 * `step` instead of `trainStep`, and `dispose()` when done (the workers keep the process alive until then).
 * The model stays the one source of truth: it is updated here, the workers only hold copies.
 */
export class DataParallel {
  /** Threads computing gradients, this one included. */
  readonly threads: number;
  readonly model: GPT;
  private readonly slots: WorkerSlot[];
  private readonly weights: Float32Array;
  private readonly offsets: number[];
  private nextId = 1;
  private busy = false;
  private disposed = false;
  /** Set when a worker died; every later call throws it. */
  private failure: Error | null = null;
  private readonly time: ParallelTimings = {
    steps: 0,
    shareMs: 0,
    ownMs: 0,
    waitMs: 0,
    gatherMs: 0,
    updateMs: 0,
    workerLoadMs: 0,
    workerComputeMs: 0,
  };

  private constructor(
    model: GPT,
    threads: number,
    weights: Float32Array,
    offsets: number[],
    slots: WorkerSlot[],
  ) {
    this.model = model;
    this.threads = threads;
    this.weights = weights;
    this.offsets = offsets;
    this.slots = slots;
    for (const slot of slots) this.watch(slot);
  }

  /**
   * Starts `workers − 1` worker threads, each with its own backend (the one this thread uses) and a replica
   * of `model`, and resolves once all are ready (a second or two each). `workers: 1` starts none.
   */
  static async create(model: GPT, options: DataParallelOptions): Promise<DataParallel> {
    const threads = options.workers;
    if (!Number.isInteger(threads) || threads < 1) {
      throw new Error(
        `DataParallel: workers must be an integer ≥ 1 (this thread counts as one), got ${threads}`,
      );
    }
    const names = [...model.params.keys()];
    const offsets: number[] = [];
    let total = 0;
    for (const p of model.params.values()) {
      offsets.push(total);
      total += p.size;
    }
    const shared = new SharedArrayBuffer(total * 4);
    const { file, execArgv } = workerEntry();
    const slots: WorkerSlot[] = [];
    const starting: Promise<void>[] = [];
    for (let index = 1; index < threads; index++) {
      const init: WorkerInit = {
        index,
        config: model.config,
        names,
        backend: activeBackend(),
        weights: shared,
      };
      const worker = new Worker(file, { workerData: init, execArgv });
      const exited = new Promise<number>((resolve) => worker.once("exit", resolve));
      slots.push({ index, worker, pending: new Map(), exited });
      starting.push(
        new Promise<void>((resolve, reject) => {
          const onMessage = (msg: FromWorker): void => {
            if (msg.type === "ready") resolve();
            else if (msg.type === "error")
              reject(new Error(`DataParallel: worker ${index} could not start: ${msg.message}`));
            if (msg.type === "ready" || msg.type === "error") cleanup();
          };
          const onError = (err: Error): void => {
            cleanup();
            reject(new Error(`DataParallel: worker ${index} could not start: ${err.message}`));
          };
          const onExit = (code: number): void => {
            cleanup();
            reject(new Error(`DataParallel: worker ${index} exited with code ${code} while starting`));
          };
          const cleanup = (): void => {
            worker.off("message", onMessage);
            worker.off("error", onError);
            worker.off("exit", onExit);
          };
          worker.on("message", onMessage);
          worker.on("error", onError);
          worker.on("exit", onExit);
        }),
      );
    }
    const started = await Promise.allSettled(starting);
    const failed = started.find((s): s is PromiseRejectedResult => s.status === "rejected");
    if (failed) {
      await Promise.all(slots.map((s) => s.worker.terminate()));
      throw failed.reason;
    }
    return new DataParallel(model, threads, new Float32Array(shared), offsets, slots);
  }

  /** Routes a worker's replies to the waiting requests and turns a crash into an error for all of them. */
  private watch(slot: WorkerSlot): void {
    const fail = (err: Error): void => {
      this.failure ??= err;
      for (const p of slot.pending.values()) p.reject(err);
      slot.pending.clear();
    };
    slot.worker.on("message", (msg: FromWorker) => {
      if (msg.type === "ready") return;
      if (msg.type === "error" && msg.id === null) {
        fail(new Error(`DataParallel: worker ${slot.index} failed: ${msg.message}`));
        return;
      }
      const p = slot.pending.get(msg.id as number);
      if (!p) return;
      slot.pending.delete(msg.id as number);
      p.resolve(msg);
    });
    slot.worker.on("error", (err: Error) =>
      fail(new Error(`DataParallel: worker ${slot.index} crashed: ${err.message}`)),
    );
    slot.worker.on("exit", (code: number) => {
      if (!this.disposed)
        fail(new Error(`DataParallel: worker ${slot.index} exited unexpectedly (code ${code})`));
    });
  }

  private request(
    slot: WorkerSlot,
    msg: ToWorker & { id: number },
    transfer: ArrayBuffer[] = [],
  ): Promise<FromWorker> {
    return new Promise<FromWorker>((resolve, reject) => {
      slot.pending.set(msg.id, { resolve, reject });
      slot.worker.postMessage(msg, transfer);
    });
  }

  private checkUsable(what: string): void {
    if (this.disposed) throw new Error(`DataParallel.${what}: already disposed; create a new one`);
    if (this.failure) throw new Error(`DataParallel.${what}: unusable, ${this.failure.message}`);
  }

  /** Copies the model's current weights into the shared buffer the workers load from. */
  private shareWeights(): void {
    let i = 0;
    for (const p of this.model.params.values()) {
      this.weights.set(p.dataSync() as Float32Array, this.offsets[i++]);
    }
  }

  /** One worker's gradients (one flat array, `model.params` order) as tensors. */
  private gradTensors(flat: Float32Array): tf.Tensor[] {
    let i = 0;
    return [...this.model.params.values()].map((p) => {
      const off = this.offsets[i++];
      return tf.tensor(flat.subarray(off, off + p.size), p.shape, "float32");
    });
  }

  /**
   * One optimizer update from `microBatches`, equal to `trainStep(model, optimizer, microBatches, lr, options)`:
   * the micro-batches are spread over the threads (contiguous runs, see `shardCounts`), their gradients averaged
   * in micro-batch order, clipped and applied to the model. Does not dispose the batches. A worker's error
   * (e.g. a bad token id in its micro-batch) rejects with a message naming the worker and the micro-batch;
   * the model is then left as it was.
   */
  async step(
    optimizer: AdamW,
    microBatches: Batch[],
    lr: number,
    options: StepOptions = {},
  ): Promise<StepResult> {
    this.checkUsable("step");
    if (microBatches.length === 0) throw new Error("DataParallel.step: needs at least one batch");
    if (this.busy) throw new Error("DataParallel.step: the previous step has not finished; await it first");
    this.busy = true;
    const acc = new GradientAccumulator();
    try {
      const t0 = now();
      const counts = shardCounts(microBatches.length, this.threads);
      const starts = counts.map((_, k) => counts.slice(0, k).reduce((a, b) => a + b, 0));
      // The workers' micro-batches as arrays, all converted (and checked) before any is sent.
      const shards = microBatches.map((b, i) => (i < counts[0] ? null : toShard(b, i)));
      this.shareWeights();
      const t1 = now();
      const jobs = this.slots.map((slot) => {
        const k = slot.index;
        if (counts[k] === 0) return null;
        const id = this.nextId++;
        return this.request(slot, {
          type: "step",
          id,
          shards: shards.slice(starts[k], starts[k] + counts[k]) as ShardData[],
          loss: options.loss,
        });
      });
      let ownError: unknown = null;
      try {
        for (let i = 0; i < counts[0]; i++)
          acc.add(microBatchGradients(this.model, microBatches[i], options.loss));
      } catch (err) {
        ownError = err;
      }
      const t2 = now();
      const replies = await Promise.allSettled(jobs.map((j) => j ?? Promise.resolve(null)));
      const t3 = now();
      if (ownError) throw ownError;
      let loadMs = 0;
      let computeMs = 0;
      for (const [j, reply] of replies.entries()) {
        const k = j + 1;
        if (reply.status === "rejected") throw reply.reason;
        const msg = reply.value;
        if (msg === null) continue;
        if (msg.type === "error") {
          throw new Error(
            `DataParallel: worker ${k} failed on micro-batch ${starts[k]}` +
              `${counts[k] > 1 ? `…${starts[k] + counts[k] - 1}` : ""}: ${msg.message}`,
          );
        }
        if (msg.type !== "result")
          throw new Error(`DataParallel: unexpected reply ${msg.type} from worker ${k}`);
        loadMs = Math.max(loadMs, msg.loadMs);
        computeMs = Math.max(computeMs, msg.computeMs);
        msg.grads.forEach((flat, s) => acc.add({ loss: msg.losses[s], grads: this.gradTensors(flat) }));
      }
      const t4 = now();
      const result = acc.apply(this.model, optimizer, lr, options);
      const t5 = now();
      const tm = this.time;
      tm.steps++;
      tm.shareMs += t1 - t0;
      tm.ownMs += t2 - t1;
      tm.waitMs += t3 - t2;
      tm.gatherMs += t4 - t3;
      tm.updateMs += t5 - t4;
      tm.workerLoadMs += loadMs;
      tm.workerComputeMs += computeMs;
      return result;
    } finally {
      acc.dispose();
      this.busy = false;
    }
  }

  /** Where the time went so far (a copy; see `ParallelTimings`). */
  timings(): ParallelTimings {
    return { ...this.time };
  }

  /** `tf.memory().numTensors` inside each worker thread (for leak checks; this thread's is `tf.memory()`). */
  async workerTensorCounts(): Promise<number[]> {
    this.checkUsable("workerTensorCounts");
    const replies = await Promise.all(
      this.slots.map((s) => this.request(s, { type: "memory", id: this.nextId++ })),
    );
    return replies.map((m) => (m.type === "memory" ? m.numTensors : NaN));
  }

  /**
   * Stops the workers (each frees its replica and exits; one that does not within 5 s is terminated) and
   * resolves when all have exited. The model is not touched. Calling it again does nothing.
   */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await Promise.all(
      this.slots.map(async (slot) => {
        const closeErr = new Error(`DataParallel: disposed while worker ${slot.index} was busy`);
        for (const p of slot.pending.values()) p.reject(closeErr);
        slot.pending.clear();
        slot.worker.postMessage({ type: "close" } satisfies ToWorker);
        const timer = setTimeout(() => void slot.worker.terminate(), 5000);
        await slot.exited;
        clearTimeout(timer);
      }),
    );
  }
}
