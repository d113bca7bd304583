/**
 * `npm run course [-- [--student] [--timeout S] [--dir D] NN …]`: executes the course notebooks
 * (notebooks/NN-*.ipynb, all of them or those whose number is given) in order, each in a fresh tslab kernel
 * with notebooks/ as working directory and this process's environment (LLM_QUICK, LLM_BACKEND, …);
 * writes executed copies to build/notebooks/ and a summary to build/course-summary.json; prints status and
 * seconds per notebook (and the failing cell and its error); exits 1 if any notebook failed.
 */
import fs from "node:fs";
import path from "node:path";
import { REPO_ROOT } from "../lab/kernelspec";
import { listCourseNotebooks, writeNotebook } from "./notebook";
import { describeCell, runNotebook, type NotebookRun } from "./runner";

const USAGE = `usage: npm run course [-- [--student] [--timeout SECONDS] [--dir NOTEBOOKS_DIR] [NN …]]
  NN              notebook numbers to run (00 01 …); all notebooks/NN-*.ipynb when none are given
  --student       keep going after errors; cells that wait on an unimplemented exercise are not failures
  --timeout S     per-cell time limit in seconds (default 600 with LLM_QUICK=1, else 3600)
  --dir D         the notebooks folder (default notebooks/); executed copies still go to build/notebooks/
  --verbose       print every code cell's status and seconds as it finishes`;

/** One entry of build/course-summary.json. */
export interface SummaryEntry {
  notebook: string;
  ok: boolean;
  seconds: number;
  error?: string;
  cell?: number;
  waitsOn?: { cell: number; task: string }[];
  tolerated?: number[];
}

interface Args {
  student: boolean;
  verbose: boolean;
  timeoutS: number;
  dir: string;
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

function summarize(run: NotebookRun): SummaryEntry {
  const entry: SummaryEntry = {
    notebook: run.notebook,
    ok: run.ok,
    seconds: Math.round(run.seconds * 10) / 10,
  };
  if (run.failure) {
    entry.error = describeCell(run.failure);
    entry.cell = run.failure.cell;
  }
  const waits = run.cells.filter((c) => c.waitsOn !== undefined);
  if (waits.length > 0) entry.waitsOn = waits.map((c) => ({ cell: c.cell, task: c.waitsOn as string }));
  const tolerated = run.cells.filter((c) => c.afterUnimplemented).map((c) => c.cell);
  if (tolerated.length > 0) entry.tolerated = tolerated;
  return entry;
}

function report(run: NotebookRun): string {
  const head = `course: ${run.notebook} ${run.ok ? "ok" : "FAILED"} in ${run.seconds.toFixed(1)} s`;
  const lines = [
    head + ` (${run.cells.length} code cells, kernel start ${run.kernelStartSeconds.toFixed(1)} s)`,
  ];
  if (run.failure) {
    lines.push(`  ${describeCell(run.failure)}`);
    // The stack below the error line, without the kernel's own frames.
    const frames = (run.failure.error?.traceback ?? [])
      .slice(1)
      .filter((l) => !/node:internal|node:vm|node_modules[\\/]tslab[\\/]/.test(l));
    lines.push(...frames.slice(0, 6).map((l) => `    ${l}`));
  }
  for (const c of run.cells) {
    if (c.waitsOn !== undefined) lines.push(`  cell ${c.cell}: waits on exercise ${c.waitsOn}`);
    if (c.afterUnimplemented) lines.push(`  ${describeCell(c)} (after an unimplemented exercise)`);
  }
  return lines.join("\n");
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const files = select(args.dir, args.numbers);
  const outDir = path.join(REPO_ROOT, "build", "notebooks");
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
      summary.push({ notebook: path.basename(file), ok: false, seconds: 0, error: (err as Error).message });
      continue;
    }
    writeNotebook(path.join(outDir, run.notebook), run.executed);
    console.log(report(run));
    summary.push(summarize(run));
  }
  const summaryFile = path.join(REPO_ROOT, "build", "course-summary.json");
  fs.mkdirSync(path.dirname(summaryFile), { recursive: true });
  fs.writeFileSync(summaryFile, JSON.stringify(summary, null, 2) + "\n");
  const failed = summary.filter((s) => !s.ok).length;
  console.log(
    `course: executed copies in ${path.relative(process.cwd(), outDir) || "."}/, summary in ${path.relative(process.cwd(), summaryFile)}`,
  );
  console.log(`course: ${summary.length - failed} notebooks ok, ${failed} failed`);
  process.exitCode = failed > 0 ? 1 : 0;
}

main().catch((err) => {
  console.error(`course: ${(err as Error).stack ?? err}`);
  process.exit(1);
});
