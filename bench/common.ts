/**
 * What several benchmarks share: the two training configurations they time (so `bench:train` and `bench:moe`
 * figures are comparable), the 1-minute load average each line carries, and the median of repeated timings.
 */
import * as os from "node:os";
import { GPT2_STYLE, GPTConfig } from "../src/model";

/** `char`: vocab 65, context 64, width 128, 4 layers, 4 heads, batch 12; `S`: vocab 4096, context 128, width 256. */
export const trainConfigs: Array<{ name: string; batch: number; config: GPTConfig }> = [
  {
    name: "char",
    batch: 12,
    config: {
      vocabSize: 65,
      contextLength: 64,
      dModel: 128,
      nLayers: 4,
      nHeads: 4,
      dMlp: 512,
      ...GPT2_STYLE,
    },
  },
  {
    name: "S",
    batch: 16,
    config: {
      vocabSize: 4096,
      contextLength: 128,
      dModel: 256,
      nLayers: 4,
      nHeads: 4,
      dMlp: 1024,
      ...GPT2_STYLE,
    },
  },
];

/** The 1-minute load average, two decimals: other jobs on a shared machine slow every figure down. */
export const load = (): number => Number(os.loadavg()[0].toFixed(2));

/** The median of a non-empty list of timings. */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}
