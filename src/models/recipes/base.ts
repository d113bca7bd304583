/**
 * "base": a small GPT pretrained on the course's book and speech text (Moby-Dick and the State of the Union
 * addresses, training documents only) with a byte-level BPE tokenizer trained by chapter 02's code. It knows
 * nothing of chats: its tokenizer has only `<|endoftext|>`, which separates documents.
 */
import { Rng } from "../../random";
import { mobyDickChapters, sotuSpeeches, splitDocuments } from "../../corpora";
import { Tokenizer, trainBpe } from "../../tokenizer";
import { AdamW, TokenBatcher, trainLoop, warmupCosine } from "../../train";
import { GPT, GPT2_STYLE, GPTConfig } from "../../model";
import { Recipe, Size } from "../registry";

const SIZES = {
  quick: {
    vocabSize: 512,
    corpusChars: 1_500_000,
    config: { contextLength: 64, dModel: 64, nLayers: 2, nHeads: 4, dMlp: 256 },
    batch: 16,
    steps: 300,
    lr: 6e-3,
  },
  full: {
    vocabSize: 1024,
    corpusChars: 6_000_000,
    config: { contextLength: 64, dModel: 128, nLayers: 4, nHeads: 4, dMlp: 512 },
    batch: 32,
    steps: 1500,
    lr: 3e-3,
  },
} as const;

const SEED = 0;

/**
 * The base corpus: Moby-Dick's chapters and the SOTU addresses, split by whole document with the course's seeded
 * split (`corpora.splitDocuments`); training documents up to the size's character budget, validation documents
 * up to a tenth of it. Documents are joined by `<|endoftext|>`.
 */
export function baseCorpus(size: Size): { train: string; validation: string } {
  const docs: string[] = [...mobyDickChapters().map((c) => c.text), ...sotuSpeeches().map((sp) => sp.text)];
  const split = splitDocuments(docs, { seed: SEED, validation: 0.1, test: 0 });
  const cap = (list: readonly string[], chars: number): string => {
    const out: string[] = [];
    let n = 0;
    for (const d of list) {
      if (n >= chars) break;
      out.push(d);
      n += d.length;
    }
    return out.join("\n<|endoftext|>\n");
  };
  const budget = SIZES[size].corpusChars;
  return { train: cap(split.train, budget), validation: cap(split.validation, budget / 10) };
}

export const baseRecipe: Recipe = {
  name: "base",
  description: "GPT pretrained on Moby-Dick + State of the Union text, byte-level BPE",
  version: 1,
  spec: (size) => ({
    ...SIZES[size],
    ...GPT2_STYLE,
    seed: SEED,
    corpus: "moby-dick chapters + sotu speeches, splitDocuments seed 0, 10 % validation",
  }),
  build: async (ctx) => {
    const s = SIZES[ctx.size];
    const { train } = baseCorpus(ctx.size);
    ctx.log(`base: training BPE (${s.vocabSize} tokens) on ${(train.length / 1e6).toFixed(2)} M characters`);
    const bpe = trainBpe(train, {
      vocabSize: s.vocabSize,
      pattern: "gpt2",
      specialTokens: ["<|endoftext|>"],
    });
    const tokenizer = Tokenizer.fromModel(bpe, { name: `base-${s.vocabSize}` });
    const ids = tokenizer.encode(train, { allowedSpecial: "all" });
    const config: GPTConfig = { vocabSize: tokenizer.vocabSize, ...s.config, ...GPT2_STYLE };
    const model = new GPT(config, SEED);
    const optimizer = new AdamW(model.params, { weightDecay: 0.1 });
    const progress = ctx.progress(`pretraining "base" (${ctx.size})`, s.steps);
    try {
      await trainLoop({
        model,
        optimizer,
        schedule: warmupCosine({
          maxLr: s.lr,
          minLr: s.lr / 10,
          warmupSteps: Math.round(s.steps / 10),
          totalSteps: s.steps,
        }),
        train: new TokenBatcher(ids, s.batch, s.config.contextLength),
        steps: s.steps,
        rng: new Rng(SEED + 1),
        clipNorm: 1,
        onStep: progress.onStep,
      });
      return {
        model,
        tokenizer,
        stats: progress.summary(),
        metrics: { trainingTokens: ids.length },
      };
    } finally {
      await progress.close();
      optimizer.dispose();
    }
  },
};
