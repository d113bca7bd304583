/**
 * Writes chapter 07's instruction data as JSON lines: `npm run datasets:instructions -- [--seed S]
 * [--per-task N] [--out DIR]` (default seed 0, 600 training pairs per task, build/instructions/). One file per
 * split — train, seen, held-out-items, held-out-phrasing, held-out-task — each line
 * `{task, phrasing, item, prompt, answer}`, and baselines.json (each task's majority answer). The library builds
 * the same data in memory (`align.instructionData(align.instructionSources(), …)`), so notebooks and recipes never
 * need these files; they are for reading the data and for other tools.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { instructionData, instructionSources } from "../../src/align";

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? undefined : process.argv[i + 1];
}

function intOption(name: string, fallback: number): number {
  const raw = option(name);
  if (raw === undefined) return fallback;
  const v = Number(raw);
  if (!Number.isInteger(v) || v < 0) throw new Error(`--${name} needs an integer ≥ 0, got "${raw}"`);
  return v;
}

const seed = intOption("seed", 0);
const perTask = intOption("per-task", 600);
const out = path.resolve(option("out") ?? path.join("build", "instructions"));
const data = instructionData(instructionSources(), { seed, trainPerTask: perTask });
fs.mkdirSync(out, { recursive: true });
const splits = {
  train: data.train,
  seen: data.eval.seen,
  "held-out-items": data.eval.heldOutItems,
  "held-out-phrasing": data.eval.heldOutPhrasing,
  "held-out-task": data.eval.heldOutTask,
};
for (const [name, list] of Object.entries(splits)) {
  const file = path.join(out, `${name}.jsonl`);
  fs.writeFileSync(file, list.map((e) => JSON.stringify(e)).join("\n") + "\n");
  console.log(`${file}: ${list.length} pairs`);
}
fs.writeFileSync(path.join(out, "baselines.json"), JSON.stringify(data.baselines, null, 2) + "\n");
console.log(`tasks: ${data.tasks.join(", ")}; held out: ${data.heldOutTask}`);
