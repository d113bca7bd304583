/**
 * "ppo": the SFT model after RLHF with PPO against the "rm" reward model (chapter 08): chat prompts asking to
 * continue passage beginnings (the preference set's training prompts), a per-token KL penalty to the frozen SFT
 * model, TRL's classic defaults except the learning rate and the number of iterations (sized for CPU).
 */
import { Ppo, PpoConfig, PpoStats, passageBeginnings, promptIds } from "../../align";
import { Recipe } from "../registry";
import { PREFERENCE_SETTINGS, rewardModelFromBundle } from "./rm";

/** PPO settings per size: iterations and the trainer's configuration. */
export const PPO_SETTINGS = {
  quick: {
    iterations: 40,
    config: { batchSize: 16, minibatches: 2, epochs: 4, maxNewTokens: 8, lr: 3e-4, klCoef: 0.2, seed: 0 },
  },
  full: {
    iterations: 150,
    config: { batchSize: 32, minibatches: 4, epochs: 4, maxNewTokens: 8, lr: 2e-4, klCoef: 0.2, seed: 0 },
  },
} as const satisfies Record<string, { iterations: number; config: PpoConfig }>;

/** The PPO prompts: chat prompts of passage beginnings (seeded apart from the preference set's passages). */
export function ppoPassages(size: "quick" | "full", count = 200): string[] {
  const s = PREFERENCE_SETTINGS[size];
  return passageBeginnings({ count, words: s.words, seed: s.seed + 1 });
}

export const ppoRecipe: Recipe = {
  name: "ppo",
  description: "the SFT model after PPO against the reward model, KL penalty to the SFT model",
  version: 1,
  dependsOn: ["sft", "rm"],
  spec: (size) => ({ ...PPO_SETTINGS[size], prompts: "ppoPassages(size, 200), chat format" }),
  build: async (ctx) => {
    const s = PPO_SETTINGS[ctx.size];
    const policy = await ctx.get("sft");
    const reference = await ctx.get("sft");
    const rmBundle = await ctx.get("rm");
    const rewardModel = rewardModelFromBundle(rmBundle);
    const prompts = ppoPassages(ctx.size).map((p) => promptIds(policy.tokenizer, p, "chat"));
    const ppo = new Ppo({
      policy: policy.model,
      reference: reference.model,
      rewardModel,
      tokenizer: policy.tokenizer,
      prompts,
      ...s.config,
    });
    const progress = ctx.progress(`PPO "ppo" (${ctx.size})`, s.iterations);
    const log: PpoStats[] = [];
    try {
      for (let i = 1; i <= s.iterations; i++) {
        const st = await ppo.step();
        log.push(st);
        const secs = st.seconds.rollout + st.seconds.scoring + st.seconds.update;
        // The card's "loss" is the negated reward-model score (what PPO lowers), one per iteration.
        await progress.onStep({
          step: i,
          loss: -st.reward,
          lr: s.config.lr,
          gradNorm: 0,
          tokens: st.tokens.trained,
          ms: secs * 1000,
          tokensPerSec: st.tokens.trained / Math.max(secs, 1e-9),
        });
      }
    } finally {
      await progress.close();
      ppo.dispose();
      reference.dispose();
      rewardModel.dispose();
      rmBundle.extra.forEach((t) => t.dispose());
    }
    const last = log.slice(-5);
    const mean = (f: (x: PpoStats) => number) => last.reduce((a, x) => a + f(x), 0) / last.length;
    return {
      model: policy.model,
      tokenizer: policy.tokenizer,
      stats: progress.summary(),
      metrics: {
        reward: mean((x) => x.reward),
        gold: mean((x) => x.gold),
        kl: mean((x) => x.kl),
        iterations: s.iterations,
      },
    };
  },
};
