/**
 * "sft": the base model fine-tuned to follow the chat format on the instruction data (chapter 07): the chat
 * tokens added to the tokenizer, the embedding grown by mean-initialised rows, SFT with the loss on the
 * assistant's tokens only.
 */
import {
  InstructionOptions,
  extendVocabulary,
  instructionData,
  instructionSources,
  renderForTraining,
  sft,
  toMessages,
  withChatTokens,
} from "../../align";
import { Recipe, Size } from "../registry";

const SIZES = {
  quick: { trainPerTask: 600, steps: 400, batch: 32, lr: 6e-3 },
  full: { trainPerTask: 3000, steps: 1500, batch: 32, lr: 3e-3 },
} as const;
const SEED = 0;

/** The instruction data options the "sft" recipe trains on (the notebook evaluates on the same splits). */
export function sftDataOptions(size: Size): InstructionOptions {
  return { seed: SEED, trainPerTask: SIZES[size].trainPerTask, heldOutTask: "repeat" };
}

export const sftRecipe: Recipe = {
  name: "sft",
  description:
    "the base model after supervised fine-tuning on chat-formatted instructions (loss on answers only)",
  version: 2,
  dependsOn: ["base"],
  spec: (size) => ({ ...SIZES[size], data: sftDataOptions(size), seed: SEED, masked: true }),
  build: async (ctx) => {
    const s = SIZES[ctx.size];
    const base = await ctx.get("base");
    const tokenizer = withChatTokens(base.tokenizer);
    const model = extendVocabulary(base.model, tokenizer.vocabSize);
    base.dispose();
    const data = instructionData(instructionSources(), sftDataOptions(ctx.size));
    const rendered = renderForTraining(
      tokenizer,
      data.train.map((e) => toMessages(e)),
      model.config.contextLength + 1,
    );
    ctx.log(`sft: ${rendered.examples.length} examples (${rendered.truncated} cut to the context)`);
    const progress = ctx.progress(`fine-tuning "sft" (${ctx.size})`, s.steps);
    try {
      await sft({
        model,
        tokenizer,
        examples: rendered.examples,
        steps: s.steps,
        batchSize: s.batch,
        lr: s.lr,
        seed: SEED,
        onStep: progress.onStep,
      });
      return {
        model,
        tokenizer,
        stats: progress.summary(),
        metrics: { examples: rendered.examples.length, truncated: rendered.truncated },
      };
    } finally {
      await progress.close();
    }
  },
};
