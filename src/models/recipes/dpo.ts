/**
 * "dpo": the SFT model tuned by direct preference optimisation (chapter 09) on the course's preference set
 * (chapter 08's: passage beginnings continued by the SFT model, two completions per prompt, labelled by a
 * Bradley–Terry draw of the AFINN gold reward), with the SFT model as the frozen reference.
 */
import { dpo, evaluatePreferences, scorePairs } from "../../align/dpo";
import { passageBeginnings, samplePreferences, splitPairs } from "../../align/preferences";
import type { PreferenceSet } from "../../align/preferences";
import type { GPT } from "../../model";
import type { Tokenizer } from "../../tokenizer";
import { Recipe, Size } from "../registry";

const SIZES = {
  quick: { passages: 600, steps: 200, batch: 16, beta: 0.1, lr: 1e-3 },
  full: { passages: 2400, steps: 800, batch: 32, beta: 0.1, lr: 5e-4 },
} as const;
const SEED = 0;
/** Share of prompts held out (their pairs are never trained on). */
export const HELD_OUT = 0.2;

/** The preference set's options at a size (chapters 08 and 09 sample the same set from the "sft" model). */
export function preferenceSetOptions(size: Size) {
  return { passages: SIZES[size].passages, maxNewTokens: 16, labellerBeta: 8, seed: SEED, heldOut: HELD_OUT };
}

/** Samples the course's preference set from the SFT model and splits it by prompt into train and held-out pairs. */
export async function preferenceSet(model: GPT, tok: Tokenizer, size: Size) {
  const o = preferenceSetOptions(size);
  const set: PreferenceSet = await samplePreferences(
    model,
    tok,
    passageBeginnings({ count: o.passages, seed: o.seed }),
    {
      maxNewTokens: o.maxNewTokens,
      beta: o.labellerBeta,
      seed: o.seed,
    },
  );
  return { set, ...splitPairs(set.pairs, o.heldOut, o.seed) };
}

export const dpoRecipe: Recipe = {
  name: "dpo",
  description: "the SFT model after DPO (β = 0.1) on the preference set, the SFT model as reference",
  version: 1,
  dependsOn: ["sft"],
  spec: (size) => ({ ...SIZES[size], preferences: preferenceSetOptions(size), seed: SEED, type: "dpo" }),
  build: async (ctx) => {
    const s = SIZES[ctx.size];
    const reference = await ctx.get("sft");
    const policy = await ctx.get("sft");
    try {
      const { set, train, test } = await preferenceSet(reference.model, reference.tokenizer, ctx.size);
      ctx.log(
        `dpo: ${set.pairs.length} pairs (${train.length} train, ${test.length} held out); labeller ceiling ${set.ceiling.toFixed(3)}`,
      );
      const progress = ctx.progress(`DPO "dpo" (${ctx.size})`, s.steps);
      let result;
      try {
        result = await dpo({
          policy: policy.model,
          reference: reference.model,
          pairs: train,
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
      const held = evaluatePreferences(policy.model, test, scorePairs(reference.model, test), {
        beta: s.beta,
      });
      const last = result.history.slice(-20);
      const mean = (f: (h: (typeof last)[number]) => number) =>
        last.reduce((a, h) => a + f(h), 0) / last.length;
      return {
        model: policy.model,
        tokenizer: policy.tokenizer,
        stats: progress.summary(),
        metrics: {
          pairs: set.pairs.length,
          trainPairs: train.length,
          heldOutPairs: test.length,
          ceiling: set.ceiling,
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
