/**
 * `npm run scaling:sweep` — the full sweep of chapter 06: 3 compute budgets × 5 model sizes (`scaling.fullSweepPlan`)
 * trained on bytes of Moby-Dick and the State of the Union addresses, results appended to
 * `datasets/scaling-sweep/results.jsonl` (one JSON line per finished run; an interrupted sweep continues where it
 * stopped) and the command, commit, machine and times to `datasets/scaling-sweep/meta.json`.
 *
 *   npm run scaling:sweep                 # both cores: two processes share the pending runs
 *   npm run scaling:sweep -- --jobs 1     # one process
 *   npm run scaling:sweep -- --out f.jsonl
 *   npm run scaling:sweep -- --budgets 3e10,1e11   # only the runs of these budgets
 *   npm run scaling:sweep -- --models d8-L1        # only the runs of these models
 */
import { fork } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { initBackend } from "../../src/backend";
import { gitCommit, machine } from "../provenance";
import {
  SWEEP_RECIPE,
  fullSweepPlan,
  readSweepResults,
  runSweep,
  sweepCorpus,
} from "../../src/scaling/sweep";

const args = process.argv.slice(2);
const opt = (name: string, dflt: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1] : dflt;
};
const here = path.dirname(__filename);
const out = path.resolve(opt("out", path.join(here, "results.jsonl")));
const jobs = Number(opt("jobs", "2"));
const shard = opt("shard", "");
const onlyBudgets = opt("budgets", "")
  .split(",")
  .filter((b) => b !== "")
  .map(Number);
const onlyModels = opt("models", "")
  .split(",")
  .filter((m) => m !== "");
/** The plan, restricted to `--budgets` and `--models` when given. */
const plan = (): ReturnType<typeof fullSweepPlan> =>
  fullSweepPlan().filter(
    (r) =>
      (onlyBudgets.length === 0 || onlyBudgets.some((b) => Math.abs(r.budget / b - 1) < 1e-9)) &&
      (onlyModels.length === 0 || onlyModels.includes(r.model.name)),
  );

async function child(k: number, n: number): Promise<void> {
  await initBackend({ quiet: true });
  const data = sweepCorpus();
  await runSweep({
    runs: plan(),
    recipe: SWEEP_RECIPE,
    data,
    file: out,
    shard: [k, n],
    onResult: (r, done, total) =>
      console.log(
        `[${k}/${n}] ${done}/${total} ${r.id}: N ${r.params} D ${r.tokens} loss ${r.finalValLoss.toFixed(4)} (${r.seconds.toFixed(0)} s)`,
      ),
  });
}

async function main(): Promise<void> {
  if (!Number.isInteger(jobs) || jobs < 1) throw new Error(`--jobs must be an integer ≥ 1, got ${jobs}`);
  if (shard) {
    const [k, n] = shard.split("/").map(Number);
    await child(k, n);
    return;
  }
  const t0 = Date.now();
  const before = readSweepResults(out).length;
  console.log(
    `sweep: ${plan().length} runs, ${before} already in ${path.relative(process.cwd(), out)}; ${jobs} process(es)`,
  );
  const commit = gitCommit();
  await Promise.all(
    Array.from(
      { length: jobs },
      (_, k) =>
        new Promise<void>((resolve, reject) => {
          const p = fork(__filename, [...args, "--shard", `${k}/${jobs}`], { execArgv: process.execArgv });
          p.on("exit", (code) =>
            code === 0 ? resolve() : reject(new Error(`sweep process ${k} exited with ${code}`)),
          );
        }),
    ),
  );
  const results = readSweepResults(out);
  const metaFile = path.join(path.dirname(out), "meta.json");
  const old = fs.existsSync(metaFile)
    ? (JSON.parse(fs.readFileSync(metaFile, "utf8")) as { sessions?: unknown[] })
    : {};
  const session = {
    command: `npm run scaling:sweep${args.length ? " -- " + args.join(" ") : ""}`,
    commit,
    machine: machine(),
    cpus: os.cpus().length,
    node: process.version,
    started: new Date(t0).toISOString(),
    finished: new Date().toISOString(),
    wallSeconds: Math.round((Date.now() - t0) / 1000),
    runsBefore: before,
    runsAfter: results.length,
    processes: jobs,
  };
  const meta = {
    file: path.basename(out),
    recipe: SWEEP_RECIPE,
    runs: results.length,
    trainSeconds: Math.round(results.reduce((s, r) => s + r.seconds, 0)),
    sessions: [...(old.sessions ?? []), session],
  };
  fs.writeFileSync(metaFile, JSON.stringify(meta, null, 2) + "\n");
  console.log(
    `sweep: ${results.length} runs in ${path.relative(process.cwd(), out)} (${fullSweepPlan().length} planned); ${session.wallSeconds} s`,
  );
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
