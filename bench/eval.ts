/**
 * `npm run bench:eval`: (1) the Arena — Bradley–Terry on all 8,931 LLMFAO crowd votes plus 1,000 seeded bootstrap
 * refits (goal: under 5 s; FastChat's scikit-learn path takes minutes for this); (2) perplexity evaluation
 * throughput: scored tokens per second of `evals.evaluateText` on a GPT of the full "base" recipe's size with a
 * 1,024-token BPE (random weights: the speed does not depend on them, and nothing has to be trained first).
 */
import * as os from "node:os";
import { initBackend } from "../src/backend";
import { llmfaoVotes, mobyDickChapters } from "../src/corpora";
import { bootstrapRatings, bradleyTerry, evaluateText, fromLeftRight } from "../src/eval";
import { GPT, GPT2_STYLE } from "../src/model";
import { Tokenizer, trainBpe } from "../src/tokenizer";

async function main(): Promise<void> {
  const votes = fromLeftRight(llmfaoVotes("crowd"));
  const cpu0 = process.cpuUsage();
  let t = performance.now();
  const fit = bradleyTerry(votes);
  const btSeconds = (performance.now() - t) / 1000;
  t = performance.now();
  const boot = bootstrapRatings(votes, { rounds: 1000, seed: 0 });
  const bootSeconds = (performance.now() - t) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const top = boot.leaderboard[0];
  console.log(
    JSON.stringify({
      bench: "arena",
      votes: votes.length,
      models: fit.models.length,
      bt_seconds: +btSeconds.toFixed(3),
      bootstrap_rounds: 1000,
      bootstrap_seconds: +bootSeconds.toFixed(2),
      cpu_seconds: +((cpu.user + cpu.system) / 1e6).toFixed(2),
      top: top.model,
      top_rating: +top.rating.toFixed(1),
      top_interval: [+top.low.toFixed(1), +top.high.toFixed(1)],
      load1: +os.loadavg()[0].toFixed(2),
    }),
  );

  const backend = await initBackend({ quiet: true });
  const chapters = mobyDickChapters().map((c) => c.text);
  const tok = Tokenizer.fromModel(
    trainBpe(chapters.slice(40).join("\n"), { vocabSize: 1024, pattern: "gpt2" }),
  );
  const sizes = { contextLength: 64, dModel: 128, nLayers: 4, nHeads: 4, dMlp: 512 };
  const model = new GPT(
    {
      vocabSize: tok.vocabSize,
      ...sizes,
      ...GPT2_STYLE,
    },
    0,
  );
  const text = chapters.slice(1, 40);
  evaluateText(model, tok, text, { maxTokens: 2000 }); // warm-up
  const r = evaluateText(model, tok, text, { maxTokens: 20000, batchSize: 32 });
  console.log(
    JSON.stringify({
      bench: "perplexity",
      backend: backend.name,
      model: { vocab: tok.vocabSize, ...sizes },
      tokens: r.tokens,
      tokens_per_second: Math.round(r.tokensPerSecond),
      load1: +os.loadavg()[0].toFixed(2),
    }),
  );
  model.dispose();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
