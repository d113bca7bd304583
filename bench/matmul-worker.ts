/**
 * Worker thread for `matmul_ceiling_parallel` in `bench/train.ts`: sets up the backend named in `workerData`
 * and its operands, says "ready", and on "go" times 1024² matMuls (`timeMatmuls`) while the main thread does
 * the same, then posts the timing and ends.
 */
import { parentPort, workerData } from "node:worker_threads";
import * as tf from "@tensorflow/tfjs-core";
import { BackendName, initBackend } from "../src/backend";
import { matmulOperands, timeMatmuls } from "./matmul";

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error("matmul-worker: run it as a worker thread (bench/train.ts starts it)");
  const { backend, minMs, minReps } = workerData as { backend: BackendName; minMs: number; minReps: number };
  await initBackend({ quiet: true, force: backend });
  const [a, b] = matmulOperands();
  port.once("message", () => {
    const timing = timeMatmuls(a, b, minMs, minReps);
    tf.dispose([a, b]);
    port.postMessage(timing);
    port.close();
  });
  port.postMessage("ready");
}

main().catch((err) => {
  throw err;
});
