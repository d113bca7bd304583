/**
 * Finds the graded tasks: every `task("NN.name", points, …)` call in the exercise test files.
 *
 * Discovery reads the test files as text (no code runs), so a chapter whose exercise file crashes on import
 * still lists its tasks, each failing alone when graded. A task id may appear in several files (the visible
 * tests and `grading/hidden/`, which adds cases); the grader runs all of them, and their points must agree.
 */
import * as fs from "node:fs";
import * as path from "node:path";

/** One graded task and the test files that declare cases for it. */
export interface GradedTask {
  /** `"01.bigramCounts"`: chapter number, a dot, a name. */
  id: string;
  /** `"01"`. */
  chapter: string;
  /** All-or-nothing weight of the task. */
  points: number;
  /** Absolute paths of the test files holding `task(id, …)` blocks. */
  files: string[];
}

/** A `task("01.x", 2` call; the id and points must be literals so the grader can read them without running code. */
const TASK_CALL = /\btask\(\s*(["'`])(\d\d\.[A-Za-z]\w*)\1\s*,\s*(\d+(?:\.\d+)?)\s*,/g;

/** The `(id, points)` pairs of every `task(...)` call in one test file's text. */
export function parseTaskCalls(source: string): { id: string; points: number }[] {
  const found: { id: string; points: number }[] = [];
  for (const m of source.matchAll(TASK_CALL)) found.push({ id: m[2], points: Number(m[3]) });
  return found;
}

/** Every `.ts` file under `dir` (recursively), sorted; a missing folder gives none. */
export function listTsFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== "node_modules") out.push(...listTsFiles(full));
    } else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) {
      out.push(full);
    }
  }
  return out.sort();
}

/**
 * The tasks declared in the test files under `roots`, sorted by id. Any `.ts` file holding a literal
 * `task("NN.x", n,` call counts as a test file (so fixtures need not match mocha's `*.test.ts` spec).
 * Throws when one id is declared with two different point values.
 */
export function discoverTasks(roots: string[]): GradedTask[] {
  const byId = new Map<string, GradedTask>();
  for (const root of roots) {
    for (const file of listTsFiles(path.resolve(root))) {
      for (const { id, points } of parseTaskCalls(fs.readFileSync(file, "utf8"))) {
        const known = byId.get(id);
        if (!known) {
          byId.set(id, { id, chapter: id.slice(0, 2), points, files: [file] });
          continue;
        }
        if (known.points !== points) {
          throw new Error(
            `task ${id} is worth ${known.points} points in ${known.files[0]} but ${points} in ${file}: ` +
              `give every task(...) block of one id the same points`,
          );
        }
        if (!known.files.includes(file)) known.files.push(file);
      }
    }
  }
  return [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/**
 * Keeps the tasks that `selectors` name: a chapter (`"01"` or `"1"`) or a task id (`"01.bigramCounts"`).
 * No selectors keeps all. A selector that matches nothing is an error (a typo should not grade zero tasks).
 */
export function selectTasks(tasks: GradedTask[], selectors: string[]): GradedTask[] {
  if (selectors.length === 0) return tasks;
  const keep = new Set<GradedTask>();
  for (const raw of selectors) {
    const sel = /^\d$/.test(raw) ? `0${raw}` : raw;
    const hits = tasks.filter((t) => t.chapter === sel || t.id === sel);
    if (hits.length === 0) {
      const chapters = [...new Set(tasks.map((t) => t.chapter))].join(", ") || "none";
      throw new Error(`"${raw}" names no graded task (chapters with tasks: ${chapters})`);
    }
    hits.forEach((t) => keep.add(t));
  }
  return tasks.filter((t) => keep.has(t));
}
