/**
 * `npm run align:frontier` — the reward–KL comparison of chapter 09 on held-out prompts: SFT, best-of-n
 * (several n), DPO (several β, several seeds) and, when the library has chapter 08's PPO, PPO (several KL
 * coefficients). Every policy is measured by `align.measurePolicy`: the same sampler (KV cache, temperature 1,
 * the same sampler seeds for every policy), the same KL estimator (per-token k3 summed over the completion).
 * One JSON line per (method, setting, seed) is appended to `datasets/align-frontier/results.jsonl` (a rerun skips
 * the lines already there), and the command, commit, machine and times go to `meta.json`.
 *
 *   npm run align:frontier                    # size from LLM_QUICK (quick) or full
 *   npm run align:frontier -- --size quick --seeds 3 --out f.jsonl
 */
import { execSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { align, backend, models } from "../../src";

const args = process.argv.slice(2);
const opt = (name: string, dflt: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1] : dflt;
};
const here = path.dirname(__filename);
const size = opt("size", models.defaultSize()) as models.Size;
const out = path.resolve(opt("out", path.join(here, `results-${size}.jsonl`)));
const seeds = Number(opt("seeds", "3"));
const betas = opt("betas", "0.03,0.1,0.3,1").split(",").map(Number);
const ns = opt("n", "2,4,8,16,32").split(",").map(Number);
/** DPO's training length per size (the "dpo" recipe's). */
const DPO = { quick: { steps: 200, batch: 16, lr: 1e-3 }, full: { steps: 800, batch: 32, lr: 5e-4 } }[size];
/** Samples per held-out prompt (different sampler seeds). */
const SAMPLES = 2;

export interface FrontierRow {
  id: string;
  method: "sft" | "best-of-n" | "dpo" | "ipo" | "cdpo" | "ppo";
  setting: string;
  /** β, n or the KL coefficient. */
  value: number;
  seed: number;
  gold: number;
  goldSe: number;
  kl: number;
  klSe: number;
  length: number;
  finished: number;
  samples: number;
  heldOutAccuracy?: number;
  trainSeconds: number;
  examples: string[];
}

function machine(): string {
  try {
    const m = /Model name:\s*(.+)/.exec(execSync("lscpu", { encoding: "utf8" }));
    if (m) return m[1].trim();
  } catch {
    /* no lscpu */
  }
  return os.cpus()[0]?.model ?? "unknown";
}

function commit(): string {
  try {
    return execSync("git rev-parse --short HEAD", { encoding: "utf8" }).trim();
  } catch {
    return "unknown";
  }
}

async function main(): Promise<void> {
  const started = new Date();
  await backend.initBackend();
  const done = new Map<string, FrontierRow>();
  if (fs.existsSync(out))
    for (const line of fs.readFileSync(out, "utf8").split("\n").filter(Boolean)) {
      const r = JSON.parse(line) as FrontierRow;
      done.set(r.id, r);
    }
  const write = (r: FrontierRow): void => {
    fs.appendFileSync(out, JSON.stringify(r) + "\n");
    done.set(r.id, r);
    console.log(
      `${r.id}: gold ${r.gold.toFixed(4)} ± ${r.goldSe.toFixed(4)}, KL ${r.kl.toFixed(3)} ± ${r.klSe.toFixed(3)}` +
        (r.heldOutAccuracy !== undefined ? `, held-out accuracy ${r.heldOutAccuracy.toFixed(3)}` : "") +
        ` (${r.trainSeconds.toFixed(0)} s)`,
    );
  };
  const reference = await models.get("sft", { size });
  const tok = reference.tokenizer;
  const { set, train, test } = await models.preferenceSet(reference.model, tok, size);
  console.log(`preference set: ${set.pairs.length} pairs, ${train.length} train, ${test.length} held out`);
  const prompts = [...new Map(test.map((p) => [p.passage, p.prompt])).values()];
  const measure = (policy: typeof reference.model) => {
    const ms = Array.from({ length: SAMPLES }, (_, k) =>
      align.measurePolicy(policy, reference.model, tok, prompts, { seed: 1_000 + k * prompts.length }),
    );
    const merged = (f: (m: align.PolicyMeasure) => align.MeanSe) => ({
      mean: ms.reduce((s, m) => s + f(m).mean, 0) / ms.length,
      se: Math.sqrt(ms.reduce((s, m) => s + f(m).se ** 2, 0)) / ms.length,
    });
    return {
      gold: merged((m) => m.gold),
      kl: merged((m) => m.kl),
      length: ms.reduce((s, m) => s + m.length, 0) / ms.length,
      finished: ms.reduce((s, m) => s + m.finished, 0) / ms.length,
      samples: ms.reduce((s, m) => s + m.samples, 0),
      examples: ms[0].examples,
    };
  };
  const row = (
    method: FrontierRow["method"],
    value: number,
    seed: number,
    m: ReturnType<typeof measure>,
    extra: Partial<FrontierRow> = {},
  ): FrontierRow => ({
    id: `${method}-${value}-s${seed}`,
    method,
    setting:
      method === "best-of-n"
        ? `n=${value}`
        : method === "ppo"
          ? `kl=${value}`
          : method === "sft"
            ? ""
            : `β=${value}`,
    value,
    seed,
    gold: m.gold.mean,
    goldSe: m.gold.se,
    kl: m.kl.mean,
    klSe: m.kl.se,
    length: m.length,
    finished: m.finished,
    samples: m.samples,
    trainSeconds: 0,
    examples: m.examples,
    ...extra,
  });

  if (!done.has("sft-0-s0")) write(row("sft", 0, 0, measure(reference.model)));
  for (const n of ns) {
    const id = `best-of-n-${n}-s0`;
    if (done.has(id)) continue;
    const t0 = Date.now();
    const ms = Array.from({ length: SAMPLES }, (_, k) =>
      align.bestOfN(reference.model, tok, prompts, n, (text) => align.goldReward(text), {
        seed: 1_000_000 * (k + 1),
      }),
    );
    const gold = {
      mean: ms.reduce((s, m) => s + m.gold.mean, 0) / SAMPLES,
      se: Math.sqrt(ms.reduce((s, m) => s + m.gold.se ** 2, 0)) / SAMPLES,
    };
    write(
      row(
        "best-of-n",
        n,
        0,
        {
          gold,
          kl: { mean: ms[0].kl, se: 0 },
          length: NaN,
          finished: NaN,
          samples: prompts.length * SAMPLES,
          examples: ms[0].examples,
        },
        { trainSeconds: (Date.now() - t0) / 1000 },
      ),
    );
  }
  const refTrain = align.scorePairs(reference.model, train);
  const refTest = align.scorePairs(reference.model, test);
  for (const seed of Array.from({ length: seeds }, (_, i) => i)) {
    for (const beta of betas) {
      const id = `dpo-${beta}-s${seed}`;
      if (done.has(id)) continue;
      const policy = models.load("sft", size);
      const t0 = Date.now();
      await align.dpo({
        policy: policy.model,
        reference: reference.model,
        pairs: train,
        referenceScores: refTrain,
        steps: DPO.steps,
        batchSize: DPO.batch,
        lr: DPO.lr,
        beta,
        seed,
      });
      const secs = (Date.now() - t0) / 1000;
      const held = align.evaluatePreferences(policy.model, test, refTest, { beta });
      write(
        row("dpo", beta, seed, measure(policy.model), { heldOutAccuracy: held.accuracy, trainSeconds: secs }),
      );
      policy.dispose();
    }
  }
  reference.dispose();
  const meta = {
    file: path.basename(out),
    size,
    command: `npm run align:frontier -- ${args.join(" ")}`.trim(),
    commit: commit(),
    machine: machine(),
    cpus: os.cpus().length,
    node: process.version,
    started: started.toISOString(),
    finished: new Date().toISOString(),
    wallSeconds: Math.round((Date.now() - started.getTime()) / 1000),
    heldOutPrompts: prompts.length,
    samplesPerPrompt: SAMPLES,
    dpo: DPO,
    klEstimator: "k3 per token, summed over the completion",
    rows: done.size,
  };
  fs.writeFileSync(path.join(here, `meta-${size}.json`), JSON.stringify(meta, null, 2) + "\n");
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
