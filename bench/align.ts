/**
 * `npm run bench:align` — chapter 08/09 training throughput on the quick configuration (the "base" recipe's quick
 * GPT, vocabulary grown by the four chat tokens), one JSON line per method:
 *
 *   {"bench":"dpo_step","config":"quick","pairs":16,"tokens_per_s":…,"ms_per_step":…,"reference_ms_per_pair":…,…}
 *
 * DPO step: the policy's log-probs of both sides of 16 pairs in one forward pass, the loss, backward, clipped
 * AdamW (`align.dpo`); tokens = padded positions of both sides. DPO has no generation; its one-off cost is scoring
 * the training pairs under the frozen reference (`reference_ms_per_pair`, reported separately). Pairs are
 * random ids shaped like the course's preference set (chat prompt of 12–16 tokens, completions of 2–16).
 * `LLM_BENCH_STEPS` sets the timed steps (default 10, after 2 warm-up steps).
 */
import { align, backend, model, random } from "../src";
import { load, median } from "./common";

const STEPS = Number(process.env.LLM_BENCH_STEPS ?? 10);
const QUICK: model.GPTConfig = {
  vocabSize: 516,
  contextLength: 64,
  dModel: 64,
  nLayers: 2,
  nHeads: 4,
  dMlp: 256,
  norm: "layer",
  positions: "learned",
  activation: "gelu",
  tiedEmbeddings: true,
};

function randomPairs(n: number, seed: number): align.PreferencePair[] {
  const rng = new random.Rng(seed);
  const ids = (len: number) => Array.from({ length: len }, () => 1 + rng.int(QUICK.vocabSize - 1));
  return Array.from({ length: n }, (_, i) => {
    const chosen = ids(2 + rng.int(15));
    const rejected = ids(2 + rng.int(15));
    return {
      passage: `p${i}`,
      prompt: ids(12 + rng.int(5)),
      chosen,
      rejected,
      chosenText: "",
      rejectedText: "",
      chosenGold: 1,
      rejectedGold: 0,
      probability: 1,
      agreesWithGold: true,
    };
  });
}

async function dpoBench(): Promise<void> {
  const pairs = randomPairs(256, 0);
  const reference = new model.GPT(QUICK, 0);
  const policy = new model.GPT(QUICK, 0);
  const t0 = performance.now();
  const referenceScores = align.scorePairs(reference, pairs);
  const refMs = (performance.now() - t0) / pairs.length;
  const ms: number[] = [];
  const tokens: number[] = [];
  await align.dpo({
    policy,
    reference,
    pairs,
    referenceScores,
    steps: STEPS + 2,
    batchSize: 16,
    lr: 1e-3,
    onStep: (s) => {
      if (s.step > 2) {
        ms.push(s.ms);
        tokens.push(s.tokens);
      }
    },
  });
  const msStep = median(ms);
  const tokensPerStep = tokens.reduce((a, b) => a + b, 0) / tokens.length;
  console.log(
    JSON.stringify({
      bench: "dpo_step",
      config: "quick",
      backend: backend.activeBackend(),
      pairs: 16,
      tokens_per_step: Math.round(tokensPerStep),
      tokens_per_s: Math.round((tokensPerStep / msStep) * 1000),
      ms_per_step: Math.round(msStep),
      reference_ms_per_pair: Number(refMs.toFixed(2)),
      generation_share: 0,
      steps: ms.length,
      load1: load(),
    }),
  );
  policy.dispose();
  reference.dispose();
}

async function main(): Promise<void> {
  await backend.initBackend({ quiet: true });
  await dpoBench();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
