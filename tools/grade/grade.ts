/**
 * Grading a folder of chapter files, and batch grading a folder of student submissions into one CSV.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { findAnswerRegions, replaceAnswerRegions } from "./regions";
import { formatCsv, type GradeReport, totals } from "./report";
import { runTasks, shortMessage, type TaskResult } from "./run";
import { discoverTasks, type GradedTask, selectTasks } from "./tasks";
import { formatTypeError, typeCheckFiles, type TypeError } from "./typecheck";

/** A chapter file as learners name it: `01-autoregressive.ts`. */
const CHAPTER_FILE = /^\d\d-[\w.-]+\.ts$/;

/** The repository root (tools/grade/../..). */
export const REPO_ROOT = path.resolve(__dirname, "..", "..");

export interface GradeOptions {
  /** Repository root; the children run there. */
  root?: string;
  /** Folder holding the chapter files (`NN-topic.ts`) to grade. */
  exerciseDir: string;
  /** Folders of exercise tests; default `test/exercises` plus `grading/hidden` when present and `hidden`. */
  testRoots?: string[];
  /** Include `grading/hidden` in the default test roots (default true). */
  hidden?: boolean;
  /** Chapters (`"01"`) or task ids to grade; none = all. */
  selectors?: string[];
  timeoutSeconds?: number;
  jobs?: number;
  onResult?: (r: TaskResult) => void;
  /** tsconfig.json for type-checking the graded files (default: the root's). */
  tsconfig?: string;
}

/** Task outcomes a type error can explain (a stub's NotImplemented, a pass or a timeout cannot). */
const TYPE_ERROR_CAN_EXPLAIN = new Set(["failed", "error", "crashed"]);

/**
 * Type-checks the chapter files of the tasks that failed, errored or crashed, and puts the first type error of
 * the file in place of such a task's message: the runtime message of code that does not type-check is often
 * the loader's (`(0 , import_basics.utf8Encode) is not a function`), the compiler's names the line and the cause.
 */
export function explainWithTypeErrors(
  results: TaskResult[],
  exerciseDir: string,
  tsconfig: string,
): TypeError[] {
  const chapters = [
    ...new Set(results.filter((r) => TYPE_ERROR_CAN_EXPLAIN.has(r.status)).map((r) => r.chapter)),
  ];
  if (chapters.length === 0) return [];
  const files = fs
    .readdirSync(exerciseDir)
    .filter((f) => CHAPTER_FILE.test(f) && chapters.includes(f.slice(0, 2)))
    .map((f) => path.join(exerciseDir, f));
  if (files.length === 0 || !fs.existsSync(tsconfig)) return [];
  const errors = typeCheckFiles(files, { tsconfig, relativeTo: path.dirname(exerciseDir) });
  for (const r of results) {
    if (!TYPE_ERROR_CAN_EXPLAIN.has(r.status)) continue;
    const mine = errors.filter((e) => path.basename(e.file).startsWith(`${r.chapter}-`));
    if (mine.length === 0) continue;
    const more =
      mine.length > 1 ? ` (and ${mine.length - 1} more type error${mine.length > 2 ? "s" : ""})` : "";
    r.runtimeMessage = r.message;
    r.message = shortMessage(`does not type-check: ${formatTypeError(mine[0])}${more}`);
  }
  return errors;
}

/** The test folders used when none are given. */
export function defaultTestRoots(root: string, hidden = true): string[] {
  const roots = [path.join(root, "test", "exercises")];
  const hiddenDir = path.join(root, "grading", "hidden");
  if (hidden && fs.existsSync(hiddenDir)) roots.push(hiddenDir);
  return roots;
}

/** The tasks a grading run would run. */
export function tasksFor(opts: Omit<GradeOptions, "exerciseDir">): GradedTask[] {
  const root = opts.root ?? REPO_ROOT;
  const roots = opts.testRoots ?? defaultTestRoots(root, opts.hidden ?? true);
  return selectTasks(discoverTasks(roots), opts.selectors ?? []);
}

/** Grades the chapter files in `opts.exerciseDir`, each task in its own child process. */
export async function gradeFolder(opts: GradeOptions, tasks = tasksFor(opts)): Promise<GradeReport> {
  const root = opts.root ?? REPO_ROOT;
  const exerciseDir = path.resolve(opts.exerciseDir);
  if (!fs.existsSync(exerciseDir)) throw new Error(`no such folder: ${exerciseDir}`);
  const timeoutSeconds = opts.timeoutSeconds ?? 60;
  const results = await runTasks(tasks, {
    exerciseDir,
    timeoutSeconds,
    cwd: root,
    jobs: opts.jobs ?? 2,
    onResult: opts.onResult,
  });
  const typeErrors = explainWithTypeErrors(
    results,
    exerciseDir,
    opts.tsconfig ?? path.join(root, "tsconfig.json"),
  );
  return {
    target: path.relative(root, exerciseDir) || ".",
    createdAt: new Date().toISOString(),
    timeoutSeconds,
    hiddenTests:
      opts.testRoots === undefined &&
      (opts.hidden ?? true) &&
      fs.existsSync(path.join(root, "grading", "hidden")),
    tasks: results,
    totals: totals(results),
    typeErrors,
  };
}

/** One student's chapter files: `<dir>/exercises/NN-*.ts`, else `<dir>/NN-*.ts`. */
export function submissionFiles(dir: string): string[] {
  for (const candidate of [path.join(dir, "exercises"), dir]) {
    if (!fs.existsSync(candidate) || !fs.statSync(candidate).isDirectory()) continue;
    const files = fs
      .readdirSync(candidate)
      .filter((f) => CHAPTER_FILE.test(f))
      .map((f) => path.join(candidate, f));
    if (files.length > 0) return files.sort();
  }
  return [];
}

/** Top-level repository entries never linked into a scratch folder. */
const NOT_LINKED = new Set(["exercises", "solutions", "src", "build", "node_modules", ".git", "grading"]);

/**
 * Copies the repository's src/ into `scratchSrc` with every `// @answer` region replaced by a re-export from the
 * scratch's exercises/ (as in the student release), so library calls reach the student's own functions. A region
 * whose chapter has no exercise file keeps its code.
 */
function copySrcAsReleased(root: string, scratch: string): void {
  const exerciseFiles = fs.readdirSync(path.join(scratch, "exercises")).filter((f) => CHAPTER_FILE.test(f));
  const copy = (rel: string) => {
    const from = path.join(root, rel);
    const to = path.join(scratch, rel);
    if (fs.statSync(from).isDirectory()) {
      fs.mkdirSync(to, { recursive: true });
      for (const e of fs.readdirSync(from)) copy(path.join(rel, e));
    } else if (rel.endsWith(".ts")) {
      const text = fs.readFileSync(from, "utf8");
      const file = rel.split(path.sep).join("/");
      const regions = findAnswerRegions(text, file);
      const known = regions.every((r) => exerciseFiles.some((f) => f.startsWith(`${r.id.slice(0, 2)}-`)));
      const out = known
        ? replaceAnswerRegions(
            text,
            file,
            (id) => `exercises/${exerciseFiles.find((f) => f.startsWith(`${id.slice(0, 2)}-`))}`,
          )
        : text;
      fs.writeFileSync(to, out);
    } else {
      fs.copyFileSync(from, to);
    }
  };
  if (fs.existsSync(path.join(root, "src"))) copy("src");
}

/**
 * Makes a scratch copy in which one student's files run as they would in their student release:
 * `<scratch>/exercises` holds the base chapter files overlaid with the student's; `<scratch>/src` is src/ with
 * the answer regions replaced by re-exports of those exercises; `<scratch>/node_modules/<package>` resolves the
 * library by name to that src/; the repository's other top-level folders (`datasets`, …) are linked, and every
 * other package resolves through the repository's node_modules further up. So a submission cannot score by
 * re-exporting the library's answer, and a library call in a submission uses the student's own functions.
 */
export function prepareScratch(root: string, scratch: string, baseDir: string, files: string[]): string {
  fs.rmSync(scratch, { recursive: true, force: true });
  const exercises = path.join(scratch, "exercises");
  fs.mkdirSync(exercises, { recursive: true });
  if (fs.existsSync(baseDir)) {
    for (const f of fs.readdirSync(baseDir)) {
      const from = path.join(baseDir, f);
      if (fs.statSync(from).isFile()) fs.copyFileSync(from, path.join(exercises, f));
    }
  }
  for (const f of files) fs.copyFileSync(f, path.join(exercises, path.basename(f)));
  copySrcAsReleased(root, scratch);
  for (const entry of fs.readdirSync(root, { withFileTypes: true })) {
    if (NOT_LINKED.has(entry.name) || !entry.isDirectory()) continue;
    fs.symlinkSync(path.join(root, entry.name), path.join(scratch, entry.name), "junction");
  }
  const pkgFile = path.join(root, "package.json");
  if (fs.existsSync(pkgFile)) {
    const { name } = JSON.parse(fs.readFileSync(pkgFile, "utf8")) as { name?: string };
    if (name) {
      const dir = path.join(scratch, "node_modules", name);
      fs.mkdirSync(dir, { recursive: true });
      const main = path
        .relative(dir, path.join(scratch, "src", "index.ts"))
        .split(path.sep)
        .join("/");
      fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name, main }) + "\n");
    }
  }
  return exercises;
}

export interface StudentGrade {
  student: string;
  results: TaskResult[];
  note: string;
}

/** A folder name usable as a path segment and a CSV cell. */
function safeName(name: string): string {
  return name.replace(/[^\w.-]+/g, "_");
}

/**
 * Grades every subfolder of `submissions` (one student each) and returns one row per student. A student whose
 * code crashes, loops or fails to load only loses the affected tasks; nothing stops the batch.
 */
export async function gradeSubmissions(
  submissions: string,
  opts: Omit<GradeOptions, "exerciseDir"> & {
    /** Chapter files that fill in what a student did not submit (default: the repository's exercises/ stubs). */
    baseDir?: string;
    /** Where scratch folders go (default build/grade/work); must be inside the repository. */
    workDir?: string;
    /** Per-student JSON reports are written here when given. */
    reportDir?: string;
    onStudent?: (s: StudentGrade) => void;
  },
): Promise<{ taskIds: string[]; students: StudentGrade[]; csv: string }> {
  const root = opts.root ?? REPO_ROOT;
  if (!fs.existsSync(submissions) || !fs.statSync(submissions).isDirectory()) {
    throw new Error(
      `--submissions ${submissions}: not a folder (give a folder with one subfolder per student)`,
    );
  }
  const tasks = tasksFor(opts);
  const baseDir = path.resolve(opts.baseDir ?? path.join(root, "exercises"));
  const workDir = path.resolve(opts.workDir ?? path.join(root, "build", "grade", "work"));
  const students: StudentGrade[] = [];
  const dirs = fs
    .readdirSync(submissions, { withFileTypes: true })
    .filter((d) => d.isDirectory() && !d.name.startsWith("."))
    .map((d) => d.name)
    .sort();
  for (const student of dirs) {
    const files = submissionFiles(path.join(submissions, student));
    let grade: StudentGrade;
    try {
      if (files.length === 0) {
        grade = { student, results: [], note: "no chapter files (NN-*.ts) found" };
      } else {
        const scratch = path.join(workDir, safeName(student));
        const exerciseDir = prepareScratch(root, scratch, baseDir, files);
        const report = await gradeFolder({ ...opts, root, exerciseDir }, tasks);
        const failedBadly = report.tasks.filter((r) => ["timed out", "crashed", "error"].includes(r.status));
        const note = failedBadly.length ? failedBadly.map((r) => `${r.id}: ${r.status}`).join("; ") : "";
        grade = { student, results: report.tasks, note };
        if (opts.reportDir) {
          fs.mkdirSync(opts.reportDir, { recursive: true });
          const file = path.join(opts.reportDir, `${safeName(student)}.json`);
          fs.writeFileSync(file, JSON.stringify({ student, ...report }, null, 2) + "\n");
        }
        fs.rmSync(scratch, { recursive: true, force: true });
      }
    } catch (err) {
      grade = {
        student,
        results: [],
        note: `grading failed: ${err instanceof Error ? err.message : String(err)}`,
      };
    }
    students.push(grade);
    opts.onStudent?.(grade);
  }
  if (fs.existsSync(workDir) && fs.readdirSync(workDir).length === 0) fs.rmdirSync(workDir);
  const taskIds = tasks.map((t) => t.id);
  return { taskIds, students, csv: formatCsv(taskIds, students) };
}
