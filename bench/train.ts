/**
 * `npm run bench:train`: training throughput of the library's own training step, one JSON object per line.
 *
 *   {"bench":"matmul_ceiling","backend":…,"gflops":…}       1024² float32 matMul on the active backend
 *   {"bench":"matmul_ceiling_parallel","threads":2,…}        the same on 2 threads at once (do 2 cores give 2×?)
 *   {"bench":"train","config":"char",…}                      vocab 65, context 64, width 128, 4 layers, 4 heads, batch 12
 *   {"bench":"train","config":"S",…}                         vocab 4096, context 128, width 256, 4 layers, 4 heads, batch 16
 *   {"bench":"profile","config":…,"kernels":[…]}             one step under tf.profile, time per kernel
 *   {"bench":"train","config":…,"workers":2,…}                 the same update spread over 2 threads (DataParallel)
 *
 * Throughput is measured with `trainStep` (forward, cross-entropy, backward, clipping, AdamW) exactly as
 * `trainLoop` runs it; gflops = flopsPerToken(config) · tokens/s (6·N + 12·L·d·T, see src/model/config.ts).
 * `LLM_BENCH_STEPS` sets the timed steps per config (default 5); each line carries the 1-minute load average,
 * because other jobs on a shared machine slow every figure down. The ceiling is the best of ≥ 5 repetitions,
 * measured before and after each config; `ceiling_fraction` uses their mean.
 *
 * `"workers":1` lines use one thread (one core). `"workers":2` lines run the same update — the same batch of
 * 12 or 16 rows, the same clipping and AdamW — with `DataParallel`: the batch is cut into 2 shards of 6 or 8
 * rows (`splitBatch`), one computed here and one in a worker thread, and the gradients averaged (gradient
 * accumulation of the shards). tokens/s comes from the wall time of whole updates (weights shared, both
 * shards, gathering, AdamW); `ceiling_fraction` = gflops / (single-thread ceiling × workers), and `split_ms`
 * says where one update's time went (`ParallelTimings` per step).
 */
import * as os from "node:os";
import * as path from "node:path";
import { Worker } from "node:worker_threads";
import * as tf from "@tensorflow/tfjs-core";
import { BackendName, initBackend } from "../src/backend";
import { GPT, GPTConfig, flopsPerToken } from "../src/model";
import { Rng } from "../src/random";
import { AdamW, DataParallel, TokenBatcher, splitBatch, trainStep } from "../src/train";
import { MatmulTiming, matmulFlops, matmulOperands, timeMatmuls } from "./matmul";
import { load, trainConfigs as configs } from "./common";

function matmulCeiling(): number {
  // The best of ≥ 5 repetitions and ≥ 2 s (see `timeMatmuls`).
  const [a, b] = matmulOperands();
  const { bestMs } = timeMatmuls(a, b, 2000, 5);
  tf.dispose([a, b]);
  return matmulFlops(1024) / (bestMs / 1000) / 1e9;
}

/**
 * The ceiling with both cores busy: a worker thread (its own backend) and this thread time 1024² products
 * over the same ~2 s. `gflops` adds the two threads' best-repetition rates (comparable with `matmul_ceiling`);
 * `gflops_sustained` adds products done ÷ wall time, which shared caches and memory bandwidth pull down.
 */
async function parallelCeiling(backend: BackendName): Promise<{ perThread: MatmulTiming[] }> {
  const minMs = 2000;
  const minReps = 5;
  const worker = new Worker(path.join(__dirname, "matmul-worker.ts"), {
    workerData: { backend, minMs, minReps },
    execArgv: ["--require", require.resolve("tsx/cjs")],
  });
  const failed = new Promise<never>((_, reject) => {
    worker.once("error", reject);
    worker.once("exit", (code) => reject(new Error(`matmul worker exited (code ${code}) before reporting`)));
  });
  const next = (): Promise<unknown> =>
    Promise.race([new Promise((resolve) => worker.once("message", resolve)), failed]);
  const [a, b] = matmulOperands();
  await next(); // "ready": the worker's backend and operands are set up
  const theirs = next();
  worker.postMessage("go");
  const mine = timeMatmuls(a, b, minMs, minReps);
  const other = (await theirs) as MatmulTiming;
  tf.dispose([a, b]);
  await new Promise((resolve) => worker.once("exit", resolve));
  return { perThread: [mine, other] };
}

/**
 * The fields every `"bench":"train"` line has, from `steps` timed updates of `batch` rows that took `sec`:
 * tokens/s, model GFLOP/s, and the fraction of the matMul ceiling (mean of before/after) times `workers`.
 */
function trainLine(
  name: string,
  config: GPTConfig,
  backend: string,
  batch: number,
  steps: number,
  sec: number,
  [ceilingBefore, ceilingAfter]: [number, number],
  workers: number,
): { tokensPerSec: number; line: Record<string, unknown> } {
  const tokensPerSec = (steps * batch * config.contextLength) / sec;
  const gflops = (flopsPerToken(config) * tokensPerSec) / 1e9;
  return {
    tokensPerSec,
    line: {
      bench: "train",
      config: name,
      backend,
      tokens_per_s: +tokensPerSec.toFixed(1),
      gflops: +gflops.toFixed(3),
      ceiling_fraction: +(gflops / (((ceilingBefore + ceilingAfter) / 2) * workers)).toFixed(4),
      ceiling_gflops_before_after: [+ceilingBefore.toFixed(2), +ceilingAfter.toFixed(2)],
      workers,
      ms_per_step: +((sec * 1000) / steps).toFixed(1),
      steps,
      flops_per_token: flopsPerToken(config),
    },
  };
}

async function main(): Promise<void> {
  const info = await initBackend({ quiet: true });
  const steps = Number(process.env.LLM_BENCH_STEPS ?? 5);
  const ceiling = matmulCeiling();
  console.log(
    JSON.stringify({
      bench: "matmul_ceiling",
      backend: info.name,
      gflops: +ceiling.toFixed(2),
      load1: load(),
      cpus: os.cpus().length,
    }),
  );
  const { perThread } = await parallelCeiling(info.name);
  const rate = (t: MatmulTiming): number => matmulFlops(1024) / (t.bestMs / 1000) / 1e9;
  const sustained = (t: MatmulTiming): number => (t.reps * matmulFlops(1024)) / (t.totalMs / 1000) / 1e9;
  const parallelGflops = perThread.reduce((s, t) => s + rate(t), 0);
  console.log(
    JSON.stringify({
      bench: "matmul_ceiling_parallel",
      backend: info.name,
      threads: perThread.length,
      gflops: +parallelGflops.toFixed(2),
      per_thread_gflops: perThread.map((t) => +rate(t).toFixed(2)),
      gflops_sustained: +perThread.reduce((s, t) => s + sustained(t), 0).toFixed(2),
      speedup_vs_one_thread: +(parallelGflops / ceiling).toFixed(3),
      load1: load(),
    }),
  );
  const only = process.env.LLM_BENCH_CONFIGS?.split(",");
  for (const { name, batch, config } of configs.filter((c) => !only || only.includes(c.name))) {
    const model = new GPT(config, 0);
    const opt = new AdamW(model.params);
    const rng = new Rng(0);
    const tokens = Array.from({ length: 20000 }, () => rng.int(config.vocabSize));
    const data = new TokenBatcher(tokens, batch, config.contextLength);
    const step = (): void => {
      const b = data.sample(rng);
      trainStep(model, opt, [b], 1e-4, { clipNorm: 1 });
      tf.dispose([b.x, b.y]);
    };
    step(); // warm-up (kernel setup, first allocations)
    const t0 = performance.now();
    for (let i = 0; i < steps; i++) step();
    const sec = (performance.now() - t0) / 1000;
    // The ceiling again right after, so a load change during the run shows (and the fraction uses both).
    const ceilingAfter = matmulCeiling();
    const one = trainLine(name, config, info.name, batch, steps, sec, [ceiling, ceilingAfter], 1);
    console.log(JSON.stringify({ ...one.line, load1: load() }));
    // Where the time goes: one step under the profiler, aggregated by kernel.
    const p0 = performance.now();
    const prof = await tf.profile(() => step());
    const profMs = performance.now() - p0;
    const byKernel = new Map<string, { ms: number; calls: number }>();
    let total = 0;
    // Only registered kernels: custom-gradient wrappers ("unnamed scope") time the kernels inside them again.
    const backendName = tf.getBackend();
    const wrappers = new Set<string>();
    for (const k of prof.kernels) {
      if (!tf.getKernel(k.name, backendName)) {
        wrappers.add(k.name);
        continue;
      }
      const ms = typeof k.kernelTimeMs === "number" ? k.kernelTimeMs : 0;
      const e = byKernel.get(k.name) ?? { ms: 0, calls: 0 };
      e.ms += ms;
      e.calls++;
      byKernel.set(k.name, e);
      total += ms;
    }
    // BatchMatMul by operand shapes and transpose flags (2-D products appear as batch 1).
    const mm = new Map<string, { ms: number; calls: number }>();
    for (const k of prof.kernels) {
      if (k.name !== "BatchMatMul" && k.name !== "_FusedMatMul") continue;
      const key = `${k.name} ${JSON.stringify(k.inputShapes)}${k.extraInfo ? " " + k.extraInfo : ""}`;
      const e = mm.get(key) ?? { ms: 0, calls: 0 };
      e.ms += typeof k.kernelTimeMs === "number" ? k.kernelTimeMs : 0;
      e.calls++;
      mm.set(key, e);
    }
    const kernels = [...byKernel]
      .sort((a, b) => b[1].ms - a[1].ms)
      .slice(0, 12)
      .map(([k, e]) => ({
        kernel: k,
        ms: +e.ms.toFixed(1),
        calls: e.calls,
        share: +(e.ms / total).toFixed(3),
      }));
    const matmuls = [...mm]
      .sort((a, b) => b[1].ms - a[1].ms)
      .slice(0, 10)
      .map(([k, e]) => ({ op: k, ms: +e.ms.toFixed(1), calls: e.calls }));
    console.log(
      JSON.stringify({
        bench: "profile",
        config: name,
        kernel_ms_total: +total.toFixed(1),
        step_ms_profiled: +profMs.toFixed(1),
        kernels,
        matmuls,
        excluded_wrappers: [...wrappers],
      }),
    );

    // The same updates over 2 threads: each batch cut into 2 shards, one per thread (see the header).
    const workers = 2;
    const ceilingBefore2 = matmulCeiling();
    const dp = await DataParallel.create(model, { workers });
    const parallelStep = async (): Promise<void> => {
      const b = data.sample(rng);
      const shards = splitBatch(b, workers);
      await dp.step(opt, shards, 1e-4, { clipNorm: 1 });
      tf.dispose([b.x, b.y, ...shards.flatMap((s) => [s.x, s.y])]);
    };
    await parallelStep(); // warm-up, in the worker too
    const warm = dp.timings();
    const t2 = performance.now();
    for (let i = 0; i < steps; i++) await parallelStep();
    const sec2 = (performance.now() - t2) / 1000;
    const done = dp.timings();
    await dp.dispose();
    const ceilingAfter2 = matmulCeiling();
    const two = trainLine(
      name,
      config,
      info.name,
      batch,
      steps,
      sec2,
      [ceilingBefore2, ceilingAfter2],
      workers,
    );
    const perStep = (k: Exclude<keyof typeof done, "steps">): number =>
      +((done[k] - warm[k]) / steps).toFixed(1);
    console.log(
      JSON.stringify({
        ...two.line,
        rows_per_worker: batch / workers,
        speedup_vs_workers_1: +(two.tokensPerSec / one.tokensPerSec).toFixed(3),
        split_ms: {
          share_weights: perStep("shareMs"),
          own_shard: perStep("ownMs"),
          wait_for_worker: perStep("waitMs"),
          gather_grads: perStep("gatherMs"),
          clip_adamw: perStep("updateMs"),
          worker_load_weights: perStep("workerLoadMs"),
          worker_shard: perStep("workerComputeMs"),
        },
        load1: load(),
      }),
    );
    model.dispose();
    opt.dispose();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
