/**
 * `npm run bench:train`: training throughput of the library's own training step, one JSON object per line.
 *
 *   {"bench":"matmul_ceiling","backend":…,"gflops":…}       1024² float32 matMul on the active backend
 *   {"bench":"train","config":"char",…}                      vocab 65, context 64, width 128, 4 layers, 4 heads, batch 12
 *   {"bench":"train","config":"S",…}                         vocab 4096, context 128, width 256, 4 layers, 4 heads, batch 16
 *   {"bench":"profile","config":…,"kernels":[…]}             one step under tf.profile, time per kernel
 *
 * Throughput is measured with `trainStep` (forward, cross-entropy, backward, clipping, AdamW) exactly as
 * `trainLoop` runs it; gflops = flopsPerToken(config) · tokens/s (6·N + 12·L·d·T, see src/model/config.ts).
 * `LLM_BENCH_STEPS` sets the timed steps per config (default 5); each line carries the 1-minute load average,
 * because other jobs on a shared machine slow every figure down. The ceiling is the best of ≥ 5 repetitions,
 * measured before and after each config; `ceiling_fraction` uses their mean. One worker (one core) is used.
 */
import * as os from "node:os";
import * as tf from "@tensorflow/tfjs-core";
import { initBackend } from "../src/backend";
import { GPT, GPTConfig, flopsPerToken } from "../src/model";
import { Rng } from "../src/random";
import { AdamW, TokenBatcher, trainStep } from "../src/train";

const gpt2Style = { norm: "layer", positions: "learned", activation: "gelu", tiedEmbeddings: true } as const;
const configs: Array<{ name: string; batch: number; config: GPTConfig }> = [
  {
    name: "char",
    batch: 12,
    config: { vocabSize: 65, contextLength: 64, dModel: 128, nLayers: 4, nHeads: 4, dMlp: 512, ...gpt2Style },
  },
  {
    name: "S",
    batch: 16,
    config: {
      vocabSize: 4096,
      contextLength: 128,
      dModel: 256,
      nLayers: 4,
      nHeads: 4,
      dMlp: 1024,
      ...gpt2Style,
    },
  },
];

const load = (): number => Number(os.loadavg()[0].toFixed(2));

function matmulCeiling(): number {
  // A ceiling is the best the kernel can do: the fastest of ≥ 5 repetitions (and ≥ 2 s), so other jobs on a
  // shared machine lower it less than they lower a mean.
  const a = tf.randomNormal([1024, 1024], 0, 1, "float32", 1);
  const b = tf.randomNormal([1024, 1024], 0, 1, "float32", 2);
  // A block body, not `() => …dataSync()`: tidy would walk the returned 1M-element array looking for tensors,
  // which took longer than the product itself and made the ceiling read ~1 GFLOP/s.
  tf.tidy(() => {
    tf.matMul(a, b).dataSync();
  });
  let reps = 0;
  let best = Infinity;
  const t0 = performance.now();
  while (performance.now() - t0 < 2000 || reps < 5) {
    const t1 = performance.now();
    tf.tidy(() => {
      tf.matMul(a, b).dataSync();
    });
    best = Math.min(best, performance.now() - t1);
    reps++;
  }
  tf.dispose([a, b]);
  return (2 * 1024 ** 3) / (best / 1000) / 1e9;
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
    const ceilingHere = (ceiling + ceilingAfter) / 2;
    const tokensPerSec = (steps * batch * config.contextLength) / sec;
    const gflops = (flopsPerToken(config) * tokensPerSec) / 1e9;
    console.log(
      JSON.stringify({
        bench: "train",
        config: name,
        backend: info.name,
        tokens_per_s: +tokensPerSec.toFixed(1),
        gflops: +gflops.toFixed(3),
        ceiling_fraction: +(gflops / ceilingHere).toFixed(4),
        ceiling_gflops_before_after: [+ceiling.toFixed(2), +ceilingAfter.toFixed(2)],
        workers: 1,
        ms_per_step: +((sec * 1000) / steps).toFixed(1),
        steps,
        flops_per_token: flopsPerToken(config),
        load1: load(),
      }),
    );
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
    model.dispose();
    opt.dispose();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
