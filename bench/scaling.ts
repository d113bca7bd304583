/**
 * `npm run bench:scaling`: (1) Hoffmann's procedure on Epoch's 240 Chinchilla points — the whole 4,500-start
 * L-BFGS fit, timed, with the fitted α, β, E (the notebook prints the same); (2) the sweep's training
 * throughput: tokens/s of its largest configuration (a few updates of the chapter-04 trainer).
 */
import * as os from "node:os";
import { initBackend } from "../src/backend";
import { chinchillaEpochRuns } from "../src/corpora";
import { CHINCHILLA_FLOPS, computeOptimal, fitChinchilla } from "../src/scaling/chinchilla";
import { SWEEP_RECIPE, fullSweepPlan, sweepCorpus, sweepParams, trainSweepRun } from "../src/scaling/sweep";

async function main(): Promise<void> {
  const points = chinchillaEpochRuns();
  const cpu0 = process.cpuUsage();
  const fit = fitChinchilla(points);
  const cpu = process.cpuUsage(cpu0);
  const p = fit.params;
  console.log(
    JSON.stringify({
      bench: "chinchilla_fit",
      points: points.length,
      starts: fit.starts,
      converged: fit.converged,
      seconds: +fit.seconds.toFixed(2),
      cpu_seconds: +((cpu.user + cpu.system) / 1e6).toFixed(2),
      alpha: +p.alpha.toFixed(4),
      beta: +p.beta.toFixed(4),
      E: +p.E.toFixed(4),
      A: +p.A.toFixed(1),
      B: +p.B.toFixed(0),
      tokens_per_param_5_76e23: +computeOptimal(p, CHINCHILLA_FLOPS).tokensPerParam.toFixed(2),
      load1: +os.loadavg()[0].toFixed(2),
    }),
  );

  await initBackend({ quiet: true });
  const largest = [...fullSweepPlan()].sort(
    (a, b) => sweepParams(b.model, SWEEP_RECIPE).params - sweepParams(a.model, SWEEP_RECIPE).params,
  )[0].model;
  const steps = Number(process.env.LLM_BENCH_STEPS ?? 20);
  const data = sweepCorpus();
  const run = {
    id: "bench",
    kind: "isoflop" as const,
    model: largest,
    budget: 0,
    steps,
    horizon: steps,
    evalAt: [steps],
  };
  await trainSweepRun({ ...run, steps: 8, horizon: 8, evalAt: [8] }, SWEEP_RECIPE, data); // warm-up
  const r = await trainSweepRun(run, SWEEP_RECIPE, data);
  const tokens = steps * SWEEP_RECIPE.batchSize * SWEEP_RECIPE.contextLength;
  console.log(
    JSON.stringify({
      bench: "sweep_train",
      config: largest.name,
      params: r.params,
      tokens,
      seconds: +r.seconds.toFixed(2),
      tokens_per_s: Math.round(tokens / r.seconds),
      timed: "training steps + one validation pass",
      load1: +os.loadavg()[0].toFixed(2),
    }),
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
