/**
 * "dpo": the SFT model tuned by direct preference optimisation (chapter 09) on the course's preference set
 * (chapter 08's `preferenceData`: passage beginnings continued by the SFT model, labelled by a Bradley–Terry
 * draw of the AFINN gold reward), with the SFT model as the frozen reference.
 */
import { dpo, evaluatePreferences, scorePairs } from "../../align/dpo";
import { chatTokenId } from "../../align/template";
import { passageBeginnings, promptIds } from "../../align/preferences";
import type { Tokenizer } from "../../tokenizer";
import { Recipe, Size } from "../registry";
import { ppoPassages } from "./ppo";
import { PREFERENCE_SETTINGS, preferenceData } from "./rm";

const SIZES = {
  quick: { steps: 100, batch: 16, beta: 0.1, lr: 1e-3, evalPrompts: 240 },
  full: { steps: 400, batch: 32, beta: 0.1, lr: 5e-4, evalPrompts: 400 },
} as const;
const SEED = 0;

/** DPO's training settings at a size (the recipe's; the notebook and `npm run align:frontier` use the same). */
export function dpoSettings(size: Size): { steps: number; batch: number; beta: number; lr: number } {
  const { steps, batch, beta, lr } = SIZES[size];
  return { steps, batch, beta, lr };
}

/**
 * Held-out prompts for the reward–KL frontier: the held-out pairs' prompts plus passage beginnings after those the
 * preference set was sampled from, leaving out any passage of a training pair or of PPO's prompts; as chat
 * prompt ids with room for the preference set's completion length.
 */
export function frontierPrompts(
  tok: Tokenizer,
  size: Size,
  pairs: { train: readonly { passage: string }[]; test: readonly { passage: string; prompt: number[] }[] },
  context: number,
): number[][] {
  const p = PREFERENCE_SETTINGS[size];
  const used = new Set([...pairs.train.map((x) => x.passage), ...ppoPassages(size)]);
  const prompts = new Map<string, number[]>();
  for (const x of pairs.test) if (!used.has(x.passage)) prompts.set(x.passage, x.prompt);
  const fresh = passageBeginnings({
    count: p.prompts + SIZES[size].evalPrompts,
    words: p.words,
    seed: p.seed,
  });
  for (const passage of fresh.slice(p.prompts))
    if (!used.has(passage) && !prompts.has(passage)) prompts.set(passage, promptIds(tok, passage, "chat"));
  return [...prompts.values()].filter((ids) => ids.length + p.maxNewTokens <= context);
}

export const dpoRecipe: Recipe = {
  name: "dpo",
  description: "the SFT model after DPO (β = 0.1) on the preference set, the SFT model as reference",
  version: 1,
  dependsOn: ["sft"],
  spec: (size) => ({ ...dpoSettings(size), preferences: PREFERENCE_SETTINGS[size], seed: SEED, type: "dpo" }),
  build: async (ctx) => {
    const s = SIZES[ctx.size];
    const reference = await ctx.get("sft");
    const policy = await ctx.get("sft");
    try {
      const data = await preferenceData(reference.model, reference.tokenizer, ctx.size);
      const padId = chatTokenId(reference.tokenizer, "end");
      ctx.log(
        `dpo: ${data.set.pairs.length} pairs (${data.train.length} train, ${data.test.length} held out); ` +
          `labeller ceiling ${data.set.ceiling.toFixed(3)}`,
      );
      const progress = ctx.progress(`DPO "dpo" (${ctx.size})`, s.steps);
      let result;
      try {
        result = await dpo({
          policy: policy.model,
          reference: reference.model,
          pairs: data.train,
          padId,
          steps: s.steps,
          batchSize: s.batch,
          beta: s.beta,
          lr: s.lr,
          seed: SEED,
          onStep: (info) =>
            progress.onStep({
              step: info.step,
              loss: info.loss,
              lr: info.lr,
              gradNorm: info.gradNorm,
              tokens: info.tokens,
              ms: info.ms,
              tokensPerSec: (info.tokens / info.ms) * 1000,
            }),
        });
      } finally {
        await progress.close();
      }
      const held = evaluatePreferences(
        policy.model,
        data.test,
        scorePairs(reference.model, data.test, { padId }),
        {
          beta: s.beta,
          padId,
        },
      );
      const last = result.history.slice(-20);
      const mean = (f: (h: (typeof last)[number]) => number) =>
        last.reduce((a, h) => a + f(h), 0) / last.length;
      return {
        model: policy.model,
        tokenizer: policy.tokenizer,
        stats: progress.summary(),
        metrics: {
          pairs: data.set.pairs.length,
          trainPairs: data.train.length,
          heldOutPairs: data.test.length,
          ceiling: data.set.ceiling,
          trainAccuracy: mean((h) => h.accuracy),
          trainMargin: mean((h) => h.margin),
          heldOutAccuracy: held.accuracy,
          heldOutMargin: held.margin,
          heldOutLoss: held.loss,
        },
      };
    } finally {
      reference.dispose();
    }
  },
};
