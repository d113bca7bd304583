/**
 * `npm run grade [-- NN|NN.task …] [options]`: grades exercise tasks, each in its own child process.
 *
 * Prints a table (task, points earned/possible, status, message), the total and a last line
 * `grade: P/T tasks, E/M points`; writes a JSON report. With `--format html` stdout holds only an HTML table
 * (a notebook's exercise cell runs `npm run -s grade -- 01 --format html` and displays it). With
 * `--submissions <folder>` grades one subfolder per student into a CSV. `--expect full|zero` exits non-zero
 * unless every task passed / none earned a point (the CI proof on solutions/ and on the untouched stubs).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { gradeFolder, gradeSubmissions, REPO_ROOT, tasksFor } from "./grade";
import { formatHtml, formatText, SCORING_NOTE, summaryLine, totals } from "./report";
import { killRunningTasks, type TaskResult } from "./run";

const USAGE = `usage: npm run grade -- [NN | NN.task ...] [options]

  NN, NN.task            grade only these chapters / tasks (default: all)
  --target exercises     grade exercises/ (default) or solutions/
  --dir <folder>         grade the chapter files in any folder
  --tests <folder>       read exercise tests from this folder (repeatable; default test/exercises
                         plus grading/hidden when present)
  --no-hidden            leave out grading/hidden
  --timeout <seconds>    wall-clock limit per task (default 60); the task's process is killed after it
  --jobs <n>             tasks graded at once (default 2)
  --format text|html|json  what to print (default text); html prints only the HTML table
  --out <file>           report path (default build/grade/report.json; with --submissions build/grade/grades.csv)
  --submissions <folder> batch: one subfolder per student (holding exercises/NN-*.ts or NN-*.ts) -> one CSV
  --expect full|zero     exit 1 unless every task passed (full) / no task earned a point (zero)

${SCORING_NOTE}`;

function fail(message: string): never {
  process.stderr.write(`grade: ${message}\n\n${USAGE}\n`);
  process.exit(2);
}

function parse() {
  try {
    return parseArgs({
      allowPositionals: true,
      options: {
        target: { type: "string" },
        dir: { type: "string" },
        tests: { type: "string", multiple: true },
        "no-hidden": { type: "boolean" },
        timeout: { type: "string" },
        jobs: { type: "string" },
        format: { type: "string" },
        out: { type: "string" },
        submissions: { type: "string" },
        expect: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (err) {
    fail(err instanceof Error ? err.message : String(err));
  }
}

function positiveNumber(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) fail(`--${name} ${raw}: give a positive number`);
  return n;
}

async function main(): Promise<number> {
  const { values, positionals } = parse();
  if (values.help) {
    process.stdout.write(USAGE + "\n");
    return 0;
  }
  const format = values.format ?? "text";
  if (!["text", "html", "json"].includes(format)) fail(`--format ${format}: use text, html or json`);
  const target = values.target ?? "exercises";
  if (!["exercises", "solutions"].includes(target)) fail(`--target ${target}: use exercises or solutions`);
  if (values.expect && !["full", "zero"].includes(values.expect))
    fail(`--expect ${values.expect}: use full or zero`);
  if (values.target && values.dir) fail("give --target or --dir, not both");

  const root = REPO_ROOT;
  const common = {
    root,
    testRoots: values.tests?.map((t) => path.resolve(t)),
    hidden: !values["no-hidden"],
    selectors: positionals,
    timeoutSeconds: positiveNumber("timeout", values.timeout, 60),
    jobs: Math.floor(positiveNumber("jobs", values.jobs, 2)),
  };
  const progress = (r: TaskResult) => {
    if (format === "text") process.stderr.write(`  ${r.id}: ${r.status} (${r.seconds.toFixed(1)} s)\n`);
  };

  let tasks;
  try {
    tasks = tasksFor(common);
  } catch (err) {
    fail(err instanceof Error ? err.message : String(err));
  }
  if (tasks.length === 0) fail('found no graded tasks (no task("NN.name", points, ...) blocks in the tests)');

  if (values.submissions) {
    const out = path.resolve(values.out ?? path.join(root, "build", "grade", "grades.csv"));
    const batch = await gradeSubmissions(path.resolve(values.submissions), {
      ...common,
      baseDir: values.dir ? path.resolve(values.dir) : path.join(root, target),
      reportDir: path.join(path.dirname(out), "students"),
      onResult: progress,
      onStudent: (s) => {
        const earned = s.results.reduce((sum, r) => sum + r.earned, 0);
        process.stderr.write(`${s.student}: ${earned} points${s.note ? ` (${s.note})` : ""}\n`);
      },
    });
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, batch.csv);
    process.stdout.write(batch.csv);
    process.stdout.write(
      `grade: ${batch.students.length} students, ${batch.taskIds.length} tasks -> ${out}\n`,
    );
    return 0;
  }

  const exerciseDir = values.dir ? path.resolve(values.dir) : path.join(root, target);
  if (format === "text") process.stderr.write(`grading ${tasks.length} task(s) in ${exerciseDir}\n`);
  const report = await gradeFolder({ ...common, exerciseDir, onResult: progress }, tasks);
  const out = path.resolve(values.out ?? path.join(root, "build", "grade", "report.json"));
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, JSON.stringify(report, null, 2) + "\n");

  if (format === "html") process.stdout.write(formatHtml(report) + "\n");
  else if (format === "json") process.stdout.write(JSON.stringify(report, null, 2) + "\n");
  else {
    process.stderr.write(`report: ${path.relative(process.cwd(), out)}\n`);
    process.stdout.write(formatText(report) + "\n");
  }

  const t = totals(report.tasks);
  if (values.expect === "full" && t.passed !== t.tasks) {
    process.stderr.write(`grade: expected full marks, got ${summaryLine(t)}\n`);
    return 1;
  }
  if (values.expect === "zero" && t.points !== 0) {
    process.stderr.write(`grade: expected zero points from the untouched stubs, got ${summaryLine(t)}\n`);
    return 1;
  }
  return 0;
}

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    killRunningTasks();
    process.exit(130);
  });
}

main().then(
  (code) => process.exit(code),
  (err) => {
    killRunningTasks();
    process.stderr.write(`grade: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
