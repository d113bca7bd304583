/**
 * `npm run bench:moe`: training throughput of a dense GPT and a mixture-of-experts GPT with the same active
 * FLOPs per token, both in one run, one JSON object per line.
 *
 *   {"bench":"moe_train","config":"S","model":"dense",…}   tokens/s, ms/step, parameters total/active, FLOPs
 *   {"bench":"moe_train","config":"S","model":"moe",…}     8 experts, top-2, each expert half the dense MLP width
 *   {"bench":"moe_overhead","config":"S",…}                 MoE step / dense step and the overhead's share
 *   {"bench":"moe_profile","config":"S",…}                  one step of each under tf.profile, ms per kernel
 *
 * The MoE replaces every MLP (width m) by E = 8 experts of width m/2 with top-2 routing, so a token meets
 * the same number of expert weights as the dense MLP (FLOPs equal up to the router's d·E): the difference in
 * step time is the MoE's overhead — routing (router product, softmax, top-k read back to JavaScript),
 * capacity, the dispatch gather, the combine scatter-add, the aux losses, and eight small products in place of
 * one large one. `overhead_share` = (MoE step − dense step) / MoE step. The goal is a MoE step ≤ 1.5× the
 * dense step; the profile lines say where the extra time goes (kernels the dense step does not run, and the
 * same kernels on smaller operands).
 *
 * Each step is timed in two halves: forward + backward (`fwd_bwd_ms`) and the update (`update_ms`: clipping and
 * AdamW, whose cost follows the total parameters, ~3× the dense model's here, not the active ones).
 * Steps alternate dense, MoE, dense, … so a change of machine load hits both; the medians are reported.
 * `LLM_BENCH_STEPS` (default 8) sets the timed steps per model; each line carries the 1-minute load average.
 */
import * as tf from "@tensorflow/tfjs-core";
import { initBackend } from "../src/backend";
import { GPT, GPTConfig, flopsPerToken, paramCounts } from "../src/model";
import { Rng } from "../src/random";
import { load, median, trainConfigs as configs } from "./common";
import { AdamW, GradientAccumulator, TokenBatcher, microBatchGradients } from "../src/train";

/** The MoE twin of a dense config: E experts of width dMlp/k, top-k, every block. */
function moeTwin(config: GPTConfig, experts = 8, topK = 2): GPTConfig {
  return { ...config, moe: { experts, topK, dExpert: config.dMlp / topK } };
}

interface StepTimes {
  /** Whole update, and its two halves: forward + backward, and clipping + AdamW. */
  ms: number;
  gradMs: number;
  updateMs: number;
}

interface Runner {
  model: GPT;
  step: () => StepTimes;
}

/** `trainStep` (one micro-batch, clipping, AdamW) spelled out, to time its halves. */
function runner(config: GPTConfig, batch: number, seed: number): Runner {
  const model = new GPT(config, seed);
  const opt = new AdamW(model.params);
  const rng = new Rng(seed);
  // Routing depends on the data only through the router; uniform ids suffice for timing.
  const tokens = Array.from({ length: 20000 }, () => rng.int(config.vocabSize));
  const data = new TokenBatcher(tokens, batch, config.contextLength);
  return {
    model,
    step: () => {
      const b = data.sample(rng);
      const acc = new GradientAccumulator();
      const t0 = performance.now();
      acc.add(microBatchGradients(model, b));
      const t1 = performance.now();
      acc.apply(model, opt, 1e-4, { clipNorm: 1 });
      const t2 = performance.now();
      tf.dispose([b.x, b.y]);
      return { ms: t2 - t0, gradMs: t1 - t0, updateMs: t2 - t1 };
    },
  };
}

/** One step under the profiler: ms and calls per registered kernel (custom-gradient wrappers excluded). */
async function profileStep(
  r: Runner,
): Promise<{ total: number; kernels: Map<string, { ms: number; calls: number }> }> {
  const prof = await tf.profile(() => {
    r.step();
  });
  const kernels = new Map<string, { ms: number; calls: number }>();
  let total = 0;
  for (const k of prof.kernels) {
    if (!tf.getKernel(k.name, tf.getBackend())) continue;
    const ms = typeof k.kernelTimeMs === "number" ? k.kernelTimeMs : 0;
    // Products by operand shapes: the MoE's are many and small.
    const name = k.name === "_FusedMatMul" || k.name === "BatchMatMul" ? "MatMul (all)" : k.name;
    const e = kernels.get(name) ?? { ms: 0, calls: 0 };
    e.ms += ms;
    e.calls++;
    kernels.set(name, e);
    total += ms;
  }
  return { total, kernels };
}

async function main(): Promise<void> {
  const info = await initBackend({ quiet: true });
  const steps = Number(process.env.LLM_BENCH_STEPS ?? 8);
  const only = process.env.LLM_BENCH_CONFIGS?.split(",");
  for (const { name, batch, config } of configs.filter((c) => !only || only.includes(c.name))) {
    const moeConfig = moeTwin(config);
    const dense = runner(config, batch, 0);
    const moe = runner(moeConfig, batch, 0);
    dense.step(); // warm-up: kernel setup, first allocations
    moe.step();
    const times = { dense: [] as StepTimes[], moe: [] as StepTimes[] };
    for (let i = 0; i < steps; i++) {
      times.dense.push(dense.step());
      times.moe.push(moe.step());
    }
    const med = (m: "dense" | "moe", f: keyof StepTimes): number => median(times[m].map((t) => t[f]));
    const ms = { dense: med("dense", "ms"), moe: med("moe", "ms") };
    const tokens = batch * config.contextLength;
    for (const [model, cfg] of [
      ["dense", config],
      ["moe", moeConfig],
    ] as const) {
      const pc = paramCounts(cfg);
      const tps = (tokens / ms[model]) * 1000;
      console.log(
        JSON.stringify({
          bench: "moe_train",
          config: name,
          model,
          backend: info.name,
          ...(cfg.moe ? { experts: cfg.moe.experts, top_k: cfg.moe.topK, d_expert: cfg.moe.dExpert } : {}),
          tokens_per_s: +tps.toFixed(1),
          ms_per_step: +ms[model].toFixed(1),
          fwd_bwd_ms: +med(model, "gradMs").toFixed(1),
          update_ms: +med(model, "updateMs").toFixed(1),
          params_total: pc.total,
          params_active: pc.active,
          flops_per_token: flopsPerToken(cfg),
          gflops: +((flopsPerToken(cfg) * tps) / 1e9).toFixed(3),
          steps,
          load1: load(),
        }),
      );
    }
    const ratio = ms.moe / ms.dense;
    console.log(
      JSON.stringify({
        bench: "moe_overhead",
        config: name,
        moe_over_dense: +ratio.toFixed(3),
        overhead_share: +((ms.moe - ms.dense) / ms.moe).toFixed(3),
        // The update (clipping + AdamW) costs in proportion to the TOTAL parameters: E/k times the MLPs'.
        extra_ms_fwd_bwd: +(med("moe", "gradMs") - med("dense", "gradMs")).toFixed(1),
        extra_ms_update: +(med("moe", "updateMs") - med("dense", "updateMs")).toFixed(1),
        goal: "moe step <= 1.5 x dense step",
        goal_met: ratio <= 1.5,
        load1: load(),
      }),
    );
    const pd = await profileStep(dense);
    const pm = await profileStep(moe);
    const names = new Set([...pd.kernels.keys(), ...pm.kernels.keys()]);
    const rows = [...names]
      .map((k) => {
        const d = pd.kernels.get(k) ?? { ms: 0, calls: 0 };
        const m = pm.kernels.get(k) ?? { ms: 0, calls: 0 };
        return {
          kernel: k,
          dense_ms: +d.ms.toFixed(2),
          moe_ms: +m.ms.toFixed(2),
          dense_calls: d.calls,
          moe_calls: m.calls,
        };
      })
      .sort((a, b) => b.moe_ms - b.dense_ms - (a.moe_ms - a.dense_ms));
    console.log(
      JSON.stringify({
        bench: "moe_profile",
        config: name,
        dense_kernel_ms: +pd.total.toFixed(1),
        moe_kernel_ms: +pm.total.toFixed(1),
        // Outside the kernels: JavaScript (routing decisions, capacity, index building) and op dispatch.
        moe_minus_dense_kernel_ms: +(pm.total - pd.total).toFixed(1),
        kernels_by_extra_ms: rows.slice(0, 14),
      }),
    );
    dense.model.dispose();
    moe.model.dispose();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
