/**
 * `npm run course [-- [--student] [--timeout S] [--dir D] [--out D] NN …]`: executes the course notebooks
 * (notebooks/NN-*.ipynb, all of them or those whose number is given) in order, each in a fresh tslab kernel
 * with notebooks/ as working directory and this process's environment (LLM_QUICK, LLM_BACKEND, …);
 * writes executed copies to build/notebooks/ and a summary to build/course-summary.json; prints status, seconds
 * and the count of `OK` / `DIFFERS` check lines per notebook (and the failing cell and its error, and every
 * `DIFFERS` line); exits 1 if any notebook failed — a notebook with a `DIFFERS` line fails.
 */
import fs from "node:fs";
import path from "node:path";
import { REPO_ROOT } from "../lab/kernelspec";
import { listCourseNotebooks, writeNotebook } from "./notebook";
import { describeCell, runNotebook, type NotebookRun } from "./runner";
import { checksText, report, summarize, type SummaryEntry } from "./summary";

const USAGE = `usage: npm run course [-- [--student] [--timeout SECONDS] [--dir NOTEBOOKS_DIR] [--out BUILD_DIR] [NN …]]
  NN              notebook numbers to run (00 01 …); all notebooks/NN-*.ipynb when none are given
  --student       keep going after errors; cells that wait on an unimplemented exercise are not failures
  --timeout S     per-cell time limit in seconds (default 600 with LLM_QUICK=1, else 3600)
  --dir D         the notebooks folder (default notebooks/); executed copies still go to build/notebooks/
  --out D         where executed copies (D/notebooks/) and the summary (D/course-summary.json) go (default build/)
  --verbose       print every code cell's status and seconds as it finishes`;

interface Args {
  student: boolean;
  verbose: boolean;
  timeoutS: number;
  dir: string;
  out: string;
  numbers: string[];
}

function fail(message: string): never {
  console.error(`course: ${message}\n${USAGE}`);
  process.exit(2);
}

function parseArgs(argv: string[]): Args {
  const args: Args = {
    student: false,
    verbose: false,
    timeoutS: process.env.LLM_QUICK === "1" ? 600 : 3600,
    dir: path.join(REPO_ROOT, "notebooks"),
    out: path.join(REPO_ROOT, "build"),
    numbers: [],
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--student") args.student = true;
    else if (a === "--verbose") args.verbose = true;
    else if (a === "--timeout") {
      const s = Number(argv[++i]);
      if (!(s > 0)) fail(`--timeout needs a positive number of seconds, got ${JSON.stringify(argv[i])}`);
      args.timeoutS = s;
    } else if (a === "--dir") {
      if (!argv[i + 1]) fail("--dir needs a folder");
      args.dir = path.resolve(argv[++i]);
    } else if (a === "--out") {
      if (!argv[i + 1]) fail("--out needs a folder");
      args.out = path.resolve(argv[++i]);
    } else if (a === "-h" || a === "--help") {
      console.log(USAGE);
      process.exit(0);
    } else if (/^\d{1,2}$/.test(a)) args.numbers.push(a.padStart(2, "0"));
    else fail(`unknown argument ${JSON.stringify(a)}`);
  }
  return args;
}

/** The notebooks to run: all NN-*.ipynb, or those with the given numbers (in the given order). */
function select(dir: string, numbers: string[]): string[] {
  const all = listCourseNotebooks(dir);
  if (all.length === 0) fail(`no notebooks NN-*.ipynb in ${dir}`);
  if (numbers.length === 0) return all;
  return numbers.map((n) => {
    const match = all.find((f) => path.basename(f).startsWith(`${n}-`));
    if (!match)
      fail(`no notebook ${n}-*.ipynb in ${dir} (have: ${all.map((f) => path.basename(f)).join(", ")})`);
    return match;
  });
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const files = select(args.dir, args.numbers);
  const outDir = path.join(args.out, "notebooks");
  const summary: SummaryEntry[] = [];
  for (const file of files) {
    console.log(`course: running ${path.basename(file)}${args.student ? " (student mode)" : ""} …`);
    let run: NotebookRun;
    try {
      run = await runNotebook(file, {
        cwd: args.dir,
        env: process.env,
        cellTimeoutMs: args.timeoutS * 1000,
        student: args.student,
        onCell: args.verbose
          ? (c) => console.log(`  ${describeCell(c)} — ${c.status} in ${c.seconds.toFixed(1)} s`)
          : undefined,
      });
    } catch (err) {
      console.log(`course: ${path.basename(file)} FAILED: ${(err as Error).message}`);
      summary.push({
        notebook: path.basename(file),
        ok: false,
        seconds: 0,
        checks: { ok: 0, differs: 0 },
        error: (err as Error).message,
      });
      continue;
    }
    writeNotebook(path.join(outDir, run.notebook), run.executed);
    console.log(report(run));
    summary.push(summarize(run));
  }
  const summaryFile = path.join(args.out, "course-summary.json");
  fs.mkdirSync(path.dirname(summaryFile), { recursive: true });
  fs.writeFileSync(summaryFile, JSON.stringify(summary, null, 2) + "\n");
  const failed = summary.filter((s) => !s.ok).length;
  console.log(
    `course: executed copies in ${path.relative(process.cwd(), outDir) || "."}/, summary in ${path.relative(process.cwd(), summaryFile)}`,
  );
  const ok = summary.reduce((n, s) => n + s.checks.ok, 0);
  const differs = summary.reduce((n, s) => n + s.checks.differs, 0);
  for (const s of summary)
    console.log(
      `course:   ${s.ok ? "ok    " : "FAILED"} ${s.notebook} ${s.seconds.toFixed(1)} s, checks ${checksText(s.checks)}`,
    );
  console.log(
    `course: ${summary.length - failed} notebooks ok, ${failed} failed; checks: ${checksText({ ok, differs })}`,
  );
  process.exitCode = failed > 0 ? 1 : 0;
}

main().catch((err) => {
  console.error(`course: ${(err as Error).stack ?? err}`);
  process.exit(1);
});
