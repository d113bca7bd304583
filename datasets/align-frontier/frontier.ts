/**
 * `npm run align:frontier` — the reward–KL comparison of chapter 09 on held-out prompts (`models.frontierPrompts`):
 * SFT, best-of-n against the "rm" reward model (several n), PPO against it (several KL coefficients) and DPO
 * (several β), each trained with several seeds. Every policy is measured by `align.measurePolicy`: the same
 * sampler (KV cache, temperature 1, the same sampler seeds for every policy), the same KL estimator (per-token k3
 * summed over the completion); best-of-n's KL is the closed form log n − (n − 1)/n.
 * One JSON line per (method, setting, seed) is appended to `datasets/align-frontier/results.jsonl` (a rerun skips
 * the lines already there), and the command, commit, machine and times go to `meta.json`.
 *
 *   npm run align:frontier                    # size from LLM_QUICK (quick) or full
 *   npm run align:frontier -- --size quick --seeds 3 --betas 0.1,0.3,1 --kl 0.05,0.2,0.5 --n 1,2,4,8,16
 *   npm run align:frontier -- --size full --seeds 2 --from-seed 1 --out other.jsonl   # seed 1 only, in parallel
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { align, backend, models } from "../../src";
import { gitCommit, machine } from "../provenance";

const args = process.argv.slice(2);
const opt = (name: string, dflt: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1] : dflt;
};
const here = path.dirname(__filename);
const size = opt("size", models.defaultSize()) as models.Size;
const out = path.resolve(opt("out", path.join(here, `results-${size}.jsonl`)));
const seeds = Number(opt("seeds", "3"));
/** Skip the seeds below this one (another process, or an earlier run into another file, has them). */
const fromSeed = Number(opt("from-seed", "0"));
const betas = opt("betas", "0.1,0.3,1").split(",").map(Number);
const ns = opt("n", "1,2,4,8,16").split(",").map(Number);
const klCoefs = opt("kl", "0.05,0.2,0.5").split(",").map(Number);
/** DPO's training settings per size (the "dpo" recipe's). */
const DPO = models.dpoSettings(size);
/** The sampler seed of every measurement (the notebook's live point uses it too). */
const MEASURE_SEED = 1000;

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
  /** The reward model's mean score (best-of-n's picks; PPO's last rollout batch). */
  rmReward?: number;
  trainSeconds: number;
  examples: string[];
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
        (r.heldOutAccuracy !== undefined ? `, held-out pair accuracy ${r.heldOutAccuracy.toFixed(3)}` : "") +
        ` (${r.trainSeconds.toFixed(0)} s)`,
    );
  };
  const reference = await models.get("sft", { size });
  const rmBundle = await models.get("rm", { size });
  const tok = reference.tokenizer;
  const padId = align.chatTokenId(tok, "end");
  const data = await models.preferenceData(reference.model, tok, size);
  console.log(
    `preference set: ${data.set.pairs.length} pairs, ${data.train.length} train, ${data.test.length} held out`,
  );
  const prompts = models.frontierPrompts(tok, size, data, reference.model.config.contextLength);
  const maxNewTokens = models.PREFERENCE_SETTINGS[size].maxNewTokens;
  console.log(`${prompts.length} held-out prompts, ${maxNewTokens} new tokens at most`);
  const measure = (policy: typeof reference.model) =>
    align.measurePolicy(policy, reference.model, tok, prompts, { seed: MEASURE_SEED, maxNewTokens });
  const row = (
    method: FrontierRow["method"],
    value: number,
    seed: number,
    m: align.PolicyMeasure,
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
  const seedList = Array.from({ length: seeds }, (_, i) => i).filter((i) => i >= fromSeed);
  const rm = models.rewardModelFromBundle(rmBundle);
  for (const seed of seedList) {
    if (ns.every((n) => done.has(`best-of-n-${n}-s${seed}`))) continue;
    const t0 = Date.now();
    const points = align.bestOfNSweep(reference.model, [rm], tok, prompts, ns, {
      maxNewTokens,
      seed: 1_000_000 * (seed + 1),
    });
    const secs = (Date.now() - t0) / 1000;
    for (const p of points) {
      if (done.has(`best-of-n-${p.n}-s${seed}`)) continue;
      const m: align.PolicyMeasure = {
        gold: { mean: p.gold, se: NaN },
        kl: { mean: p.kl, se: 0 },
        length: NaN,
        finished: NaN,
        samples: prompts.length,
        examples: [],
      };
      write(row("best-of-n", p.n, seed, m, { rmReward: p.reward, trainSeconds: secs }));
    }
  }
  // PPO's rm copy is its own (Ppo reads it; nothing trains it), the bestOfN one above too.
  const refTrain = align.scorePairs(reference.model, data.train, { padId });
  const refTest = align.scorePairs(reference.model, data.test, { padId });
  const ppoPrompts = models.ppoPassages(size).map((p) => align.promptIds(tok, p, "chat"));
  const ppo = models.PPO_SETTINGS[size];
  for (const seed of seedList) {
    for (const beta of betas) {
      const id = `dpo-${beta}-s${seed}`;
      if (done.has(id)) continue;
      const policy = models.load("sft", size);
      const t0 = Date.now();
      await align.dpo({
        policy: policy.model,
        reference: reference.model,
        pairs: data.train,
        referenceScores: refTrain,
        padId,
        steps: DPO.steps,
        batchSize: DPO.batch,
        lr: DPO.lr,
        beta,
        seed,
      });
      const secs = (Date.now() - t0) / 1000;
      const held = align.evaluatePreferences(policy.model, data.test, refTest, { beta, padId });
      write(
        row("dpo", beta, seed, measure(policy.model), { heldOutAccuracy: held.accuracy, trainSeconds: secs }),
      );
      policy.dispose();
    }
    for (const klCoef of klCoefs) {
      const id = `ppo-${klCoef}-s${seed}`;
      if (done.has(id)) continue;
      const policy = models.load("sft", size);
      const t0 = Date.now();
      const trainer = new align.Ppo({
        policy: policy.model,
        reference: reference.model,
        rewardModel: rm,
        tokenizer: tok,
        prompts: ppoPrompts,
        ...ppo.config,
        klCoef,
        seed,
      });
      let last: align.PpoStats | null = null;
      for (let i = 0; i < ppo.iterations; i++) last = await trainer.step();
      trainer.dispose();
      const secs = (Date.now() - t0) / 1000;
      write(row("ppo", klCoef, seed, measure(policy.model), { rmReward: last?.reward, trainSeconds: secs }));
      policy.dispose();
    }
  }
  reference.dispose();
  rm.dispose();
  // One session per invocation (a rerun with more seeds or settings adds rows and a session).
  const session = {
    command: `npm run align:frontier -- ${args.join(" ")}`.trim(),
    commit: gitCommit(true),
    machine: machine(),
    cpus: os.cpus().length,
    node: process.version,
    started: started.toISOString(),
    finished: new Date().toISOString(),
    wallSeconds: Math.round((Date.now() - started.getTime()) / 1000),
  };
  const metaFile = path.join(here, `meta-${size}.json`);
  const before = fs.existsSync(metaFile)
    ? (JSON.parse(fs.readFileSync(metaFile, "utf8")) as {
        sessions?: unknown[];
        command?: string;
      } & typeof session)
    : null;
  const sessions = [
    ...(before?.sessions ?? (before?.command ? [before] : [])).map((x) => {
      const {
        command,
        commit: c,
        machine: mch,
        cpus,
        node,
        started: st,
        finished,
        wallSeconds,
      } = x as typeof session;
      return { command, commit: c, machine: mch, cpus, node, started: st, finished, wallSeconds };
    }),
    session,
  ];
  const meta = {
    file: path.basename(out),
    size,
    ...session,
    sessions,
    heldOutPrompts: prompts.length,
    measureSeed: MEASURE_SEED,
    maxNewTokens,
    dpo: DPO,
    ppo,
    klEstimator: "k3 per token, summed over the completion; best-of-n: log n - (n - 1)/n",
    rows: done.size,
  };
  fs.writeFileSync(metaFile, JSON.stringify(meta, null, 2) + "\n");
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
