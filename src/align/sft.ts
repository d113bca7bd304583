/**
 * Supervised fine-tuning on chapter 04's loop: the chat examples are rendered with their loss masks, batched
 * with padding and the ignore index (`SftBatcher`), and `train.trainLoop` runs AdamW with warmup + cosine on
 * them. Only the loss changes from pretraining: it averages over the assistant's tokens alone.
 */
import { GPT } from "../model";
import { Rng } from "../random";
import { Tokenizer } from "../tokenizer";
import { AdamW, EvalInfo, StepInfo, TrainResult, trainLoop, warmupCosine } from "../train";
import { SftBatcher } from "./batch";
import { IGNORE_INDEX } from "./loss";
import { Message, RenderedChat, chatTokenId, renderChat } from "./template";

export interface SftData {
  examples: RenderedChat[];
  /** Conversations that did not fit (`maxLength`) and were cut at the end. */
  truncated: number;
}

/** Renders conversations for training (`maxLength` = contextLength + 1: inputs and shifted targets). */
export function renderForTraining(
  tok: Tokenizer,
  chats: readonly (readonly Message[])[],
  maxLength: number,
): SftData {
  let truncated = 0;
  const examples = chats.map((m) => {
    const r = renderChat(tok, m, { maxLength, overflow: "truncate" });
    if (r.truncated > 0) truncated++;
    return r;
  });
  return { examples, truncated };
}

export interface SftOptions {
  model: GPT;
  tokenizer: Tokenizer;
  /** Rendered examples (see `renderForTraining`). */
  examples: readonly RenderedChat[];
  steps: number;
  batchSize?: number;
  /** Peak learning rate (default 1e-3), warmup 10 % of the steps, cosine to a tenth. */
  lr?: number;
  /** Draws the batches (default 0). */
  seed?: number;
  /** Loss on every token instead of the assistant's only (the ablation). Default false. */
  unmasked?: boolean;
  weightDecay?: number;
  clipNorm?: number;
  onStep?: (info: StepInfo) => void | Promise<void>;
  onEval?: (info: EvalInfo) => void | Promise<void>;
}

/** Fine-tunes `model` in place; returns the loop's result (losses per step). */
export async function sft(o: SftOptions): Promise<TrainResult> {
  const { steps, batchSize = 16, lr = 1e-3, seed = 0, weightDecay = 0.1, clipNorm = 1 } = o;
  const ctx = o.model.config.contextLength;
  const tooLong = o.examples.findIndex((e) => e.ids.length > ctx + 1);
  if (tooLong >= 0) {
    throw new Error(
      `sft: example ${tooLong} has ${o.examples[tooLong].ids.length} tokens, more than contextLength + 1 = ${ctx + 1}; ` +
        "render with maxLength = contextLength + 1",
    );
  }
  if (o.tokenizer.vocabSize > o.model.config.vocabSize) {
    throw new Error(
      `sft: the tokenizer has ${o.tokenizer.vocabSize} ids, the model ${o.model.config.vocabSize}; ` +
        "grow the model with align.extendVocabulary first",
    );
  }
  const batcher = new SftBatcher(o.examples, batchSize, {
    padId: chatTokenId(o.tokenizer, "end"),
    ignoreIndex: IGNORE_INDEX,
    unmasked: o.unmasked,
  });
  const optimizer = new AdamW(o.model.params, { weightDecay });
  try {
    return await trainLoop({
      model: o.model,
      optimizer,
      schedule: warmupCosine({
        maxLr: lr,
        minLr: lr / 10,
        warmupSteps: Math.max(1, Math.round(steps / 10)),
        totalSteps: steps,
      }),
      train: batcher,
      steps,
      rng: new Rng(seed),
      clipNorm,
      loss: { ignoreIndex: IGNORE_INDEX },
      onStep: o.onStep,
      onEval: o.onEval,
    });
  } finally {
    optimizer.dispose();
  }
}
