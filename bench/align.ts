/**
 * `npm run bench:align`: speed of chapter 08's (and 09's) training loops on the quick models, one JSON object
 * per line (the quick "sft" and "rm" models are loaded from build/models, or built first — not timed):
 * - `ppo_iteration`: one PPO iteration (rollout with the KV-cache sampler, scoring by policy, reference and reward
 *   model, `epochs` × `minibatches` updates): seconds per iteration, tokens/s (generated + trained tokens over the
 *   iteration's time), and the share of time in generation, scoring and training; median of `LLM_BENCH_ITERS`
 *   iterations (default 4) after one warm-up;
 * - `rm_step`: one reward-model training step (chosen + rejected rows in one forward): tokens/s;
 * - `dpo_step`: one DPO step (chapter 09; both sides in one forward, no generation): tokens/s, and the one-off
 *   scoring of the training pairs under the frozen reference (ms per pair).
 */
import { align, backend, models } from "../src";
import { load, median } from "./common";

async function main(): Promise<void> {
  const info = await backend.initBackend({ quiet: true });
  const iters = Number(process.env.LLM_BENCH_ITERS ?? 4);
  const size = "quick" as const;
  const quiet = { size, quiet: true };
  const policy = await models.get("sft", quiet);
  const reference = await models.get("sft", quiet);
  const rmBundle = await models.get("rm", quiet);
  const rm = models.rewardModelFromBundle(rmBundle);
  const prompts = models.ppoPassages(size).map((p) => align.promptIds(policy.tokenizer, p, "chat"));
  const cfg = models.PPO_SETTINGS[size].config;
  const ppo = new align.Ppo({
    policy: policy.model,
    reference: reference.model,
    rewardModel: rm,
    tokenizer: policy.tokenizer,
    prompts,
    ...cfg,
  });
  await ppo.step(); // warm-up
  const rows: align.PpoStats[] = [];
  for (let i = 0; i < iters; i++) rows.push(await ppo.step());
  const total = (r: align.PpoStats) => r.seconds.rollout + r.seconds.scoring + r.seconds.update;
  const m = (f: (r: align.PpoStats) => number) => median(rows.map(f));
  const sec = m(total);
  console.log(
    JSON.stringify({
      bench: "ppo_iteration",
      backend: info.name,
      config: "quick",
      batch: cfg.batchSize,
      max_new_tokens: cfg.maxNewTokens,
      epochs: cfg.epochs,
      minibatches: cfg.minibatches,
      seconds_per_iteration: +sec.toFixed(3),
      tokens_per_s: +m((r) => (r.tokens.generated + r.tokens.trained) / total(r)).toFixed(1),
      generated_tokens_per_s: +m((r) => r.tokens.generated / r.seconds.rollout).toFixed(1),
      trained_tokens_per_s: +m((r) => r.tokens.trained / r.seconds.update).toFixed(1),
      share_generation: +m((r) => r.seconds.rollout / total(r)).toFixed(3),
      share_scoring: +m((r) => r.seconds.scoring / total(r)).toFixed(3),
      share_training: +m((r) => r.seconds.update / total(r)).toFixed(3),
      iterations: iters,
      load1: load(),
    }),
  );
  ppo.dispose();
  // Reward-model steps on the preference set's pairs (a fresh head on the SFT trunk).
  const sft = await models.get("sft", quiet);
  const data = await models.preferenceData(sft.model, sft.tokenizer, size);
  const fresh = new align.RewardModel(sft.model, { seed: 1 });
  const padId = align.chatTokenId(sft.tokenizer, "end");
  const steps = await align.trainRewardModel({
    rewardModel: fresh,
    pairs: data.train,
    padId,
    steps: 1 + iters * 2,
    batchSize: 16,
  });
  const timed = steps.slice(1);
  console.log(
    JSON.stringify({
      bench: "rm_step",
      backend: info.name,
      config: "quick",
      batch_pairs: 16,
      tokens_per_step: median(timed.map((s) => s.tokens)),
      seconds_per_step: +median(timed.map((s) => s.seconds)).toFixed(3),
      tokens_per_s: +median(timed.map((s) => s.tokens / s.seconds)).toFixed(1),
      steps: timed.length,
      load1: load(),
    }),
  );
  fresh.dispose();
  // DPO steps (chapter 09) on the same pairs: the policy's log-probs of both sides in one forward, the loss,
  // backward, clipped AdamW. No generation; the one-off reference scoring of the pairs is reported per pair.
  // (the reward model above trained and disposed `sft`'s trunk: load two fresh copies)
  const dpoPolicy = models.load("sft", size);
  const dpoReference = models.load("sft", size);
  const t0 = performance.now();
  const referenceScores = align.scorePairs(dpoReference.model, data.train, { padId });
  const referenceMs = (performance.now() - t0) / data.train.length;
  const dpoSteps: align.DpoStepInfo[] = [];
  const dpo = models.dpoSettings(size);
  await align.dpo({
    policy: dpoPolicy.model,
    reference: dpoReference.model,
    pairs: data.train,
    referenceScores,
    padId,
    steps: 1 + iters * 2,
    batchSize: dpo.batch,
    lr: dpo.lr,
    beta: dpo.beta,
    onStep: (s) => {
      dpoSteps.push(s);
    },
  });
  const dpoTimed = dpoSteps.slice(1);
  console.log(
    JSON.stringify({
      bench: "dpo_step",
      backend: info.name,
      config: "quick",
      batch_pairs: dpo.batch,
      tokens_per_step: median(dpoTimed.map((s) => s.tokens)),
      seconds_per_step: +(median(dpoTimed.map((s) => s.ms)) / 1000).toFixed(3),
      tokens_per_s: +median(dpoTimed.map((s) => (s.tokens / s.ms) * 1000)).toFixed(1),
      reference_ms_per_pair: +referenceMs.toFixed(2),
      share_generation: 0,
      steps: dpoTimed.length,
      load1: load(),
    }),
  );
  dpoPolicy.dispose();
  dpoReference.dispose();
  [policy, reference].forEach((b) => b.dispose());
  rm.dispose();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
