/**
 * The worker-thread side of `DataParallel` (started by it; not imported by anything else). It owns a backend
 * and a `GPT` replica; for each `step` message it loads the shared weights, computes loss and gradients of
 * every micro-batch it was given, and sends the gradients back (one flat float32 array per micro-batch,
 * transferred, not copied). Errors go back as messages, so the main thread can say which worker and which
 * micro-batch failed, and the worker stays usable.
 */
import { parentPort, workerData } from "node:worker_threads";
import * as tf from "@tensorflow/tfjs-core";
import { initBackend } from "../backend";
import { GPT } from "../model";
import type { FromWorker, ShardData, ToWorker, WorkerInit } from "./parallel";
import { CrossEntropyOptions } from "./loss";
import { microBatchGradients } from "./step";

function errorReply(id: number | null, err: unknown): FromWorker {
  const e = err instanceof Error ? err : new Error(String(err));
  return { type: "error", id, message: e.message, stack: e.stack };
}

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error("parallel-worker: must run as a worker thread (DataParallel starts it)");
  const init = workerData as WorkerInit;
  let model: GPT;
  try {
    await initBackend({ quiet: true, force: init.backend });
    model = new GPT(init.config, 0);
    const names = [...model.params.keys()].join(",");
    if (names !== init.names.join(",")) {
      throw new Error(
        `the replica's parameters (${names}) differ from the model's (${init.names.join(",")})`,
      );
    }
  } catch (err) {
    port.postMessage(errorReply(null, err));
    return;
  }
  const replica = model;
  const weights = new Float32Array(init.weights);
  const params = [...replica.params.values()];
  const offsets: number[] = [];
  let total = 0;
  for (const p of params) {
    offsets.push(total);
    total += p.size;
  }

  /** Shared weights → the replica's variables (copied: the CPU backend would keep a view of shared memory). */
  const loadWeights = (): void => {
    params.forEach((p, i) => {
      const t = tf.tensor(weights.slice(offsets[i], offsets[i] + p.size), p.shape, "float32");
      p.assign(t);
      t.dispose();
    });
  };

  const gradients = (shard: ShardData, loss?: CrossEntropyOptions): { loss: number; flat: Float32Array } => {
    const x = tf.tensor2d(shard.x, [shard.rows, shard.time], "int32");
    const y = tf.tensor2d(shard.y, [shard.rows, shard.time], "int32");
    try {
      const r = microBatchGradients(replica, { x, y }, loss);
      const flat = new Float32Array(total);
      r.grads.forEach((g, i) => flat.set(g.dataSync() as Float32Array, offsets[i]));
      tf.dispose(r.grads);
      return { loss: r.loss, flat };
    } finally {
      tf.dispose([x, y]);
    }
  };

  port.on("message", (msg: ToWorker) => {
    if (msg.type === "close") {
      replica.dispose();
      port.close();
      return;
    }
    if (msg.type === "memory") {
      port.postMessage({
        type: "memory",
        id: msg.id,
        numTensors: tf.memory().numTensors,
      } satisfies FromWorker);
      return;
    }
    try {
      const t0 = performance.now();
      loadWeights();
      const t1 = performance.now();
      const losses: number[] = [];
      const grads: Float32Array[] = [];
      for (const shard of msg.shards) {
        const r = gradients(shard, msg.loss);
        losses.push(r.loss);
        grads.push(r.flat);
      }
      const reply: FromWorker = {
        type: "result",
        id: msg.id,
        losses,
        grads,
        loadMs: t1 - t0,
        computeMs: performance.now() - t1,
      };
      port.postMessage(
        reply,
        grads.map((g) => g.buffer as ArrayBuffer),
      );
    } catch (err) {
      port.postMessage(errorReply(msg.id, err));
    }
  });
  port.postMessage({ type: "ready" } satisfies FromWorker);
}

main().catch((err) => {
  parentPort?.postMessage(errorReply(null, err));
});
