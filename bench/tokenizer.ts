/**
 * Tokenizer benchmark (`npm run bench:tokenizer`). Prints one JSON object per line:
 * - `bpe_train`: seconds to train byte-level BPE (GPT-2 pattern) on all of Moby-Dick to a 4096-token vocabulary,
 *   pre-tokenization included. Goal: < 3 s on a 2-core machine.
 * - `gpt2_encode`: GPT-2 encoding throughput on Moby-Dick (MB of UTF-8 per second) for this library,
 *   gpt-tokenizer (pure JS) and tiktoken (Rust → WASM); `identical` compares our ids with tiktoken's.
 *   Goal: ours ≥ 1.0× gpt-tokenizer and ≥ 0.5× tiktoken.
 * Each figure is the median of `BENCH_RUNS` runs (default 5) after one warm-up; the three encoders run
 * interleaved so background load hits them alike. Our piece cache is cleared before each run (tiktoken has no
 * cache; gpt-tokenizer keeps its own).
 */
import { get_encoding } from "tiktoken";
import { loadGpt2, trainBpe } from "../src/tokenizer";
import { mobyDick } from "../src/corpora";
import { median } from "./common";

// Required untyped: gpt-tokenizer's .d.ts files use syntax newer than this repo's TypeScript parses.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { encode: gptTokenizerEncode } = require("gpt-tokenizer/cjs/encoding/r50k_base") as {
  encode: (text: string) => number[];
};

const runs = Math.max(1, Number(process.env.BENCH_RUNS ?? 5));

function seconds(f: () => unknown): number {
  const t0 = process.hrtime.bigint();
  f();
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

const round = (x: number, digits = 3): number => Number(x.toFixed(digits));

const text = mobyDick();

// --- training
const vocab = 4096;
trainBpe(text.slice(0, 100_000), { vocabSize: 512 }); // warm-up (JIT)
const trainTimes: number[] = [];
for (let r = 0; r < runs; r++) trainTimes.push(seconds(() => trainBpe(text, { vocabSize: vocab })));
console.log(
  JSON.stringify({ bench: "bpe_train", corpus: "moby-dick", vocab, seconds: round(median(trainTimes)) }),
);

// --- GPT-2 encoding
const mb = Buffer.byteLength(text, "utf8") / 1e6;
const ours = loadGpt2();
const tiktoken = get_encoding("gpt2");
const oursIds = ours.encode(text, { disallowedSpecial: [] });
const tiktokenIds = tiktoken.encode(text, [], []);
gptTokenizerEncode(text);
const identical = oursIds.length === tiktokenIds.length && oursIds.every((id, i) => id === tiktokenIds[i]);
const times = { ours: [] as number[], gpt: [] as number[], tiktoken: [] as number[] };
for (let r = 0; r < runs; r++) {
  ours.clearCache();
  times.ours.push(seconds(() => ours.encode(text, { disallowedSpecial: [] })));
  times.gpt.push(seconds(() => gptTokenizerEncode(text)));
  times.tiktoken.push(seconds(() => tiktoken.encode(text, [], [])));
}
tiktoken.free();
console.log(
  JSON.stringify({
    bench: "gpt2_encode",
    mb: round(mb),
    ours_mb_s: round(mb / median(times.ours), 2),
    gpt_tokenizer_mb_s: round(mb / median(times.gpt), 2),
    tiktoken_mb_s: round(mb / median(times.tiktoken), 2),
    identical,
  }),
);
