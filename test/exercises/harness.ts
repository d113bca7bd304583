/**
 * How exercise tests find the code they grade, and how they name tasks.
 *
 * Exercise tests import a chapter through `loadChapter`, which reads `solutions/` by default (so `npm test`
 * proves the tests pass on the answers) and `exercises/` when `LLM_EXERCISE_TARGET=exercises` (grading) or
 * when there is no `solutions/` folder (the student release).
 * `LLM_EXERCISE_DIR` points at any other folder holding the chapter files (a student's submission).
 * Each graded task is one `task(id, points, body)` block; the grader selects tasks by the `[task <id>]` tag.
 */
import * as fs from "node:fs";
import * as path from "node:path";

export type ExerciseTarget = "solutions" | "exercises";

/** The folder the exercise tests read chapter files from. */
export function exerciseDir(): string {
  if (process.env.LLM_EXERCISE_DIR) return path.resolve(process.env.LLM_EXERCISE_DIR);
  const root = path.resolve(__dirname, "..", "..");
  // The student release has no solutions/: there the tests read exercises/ unless told otherwise.
  const fallback = fs.existsSync(path.join(root, "solutions")) ? "solutions" : "exercises";
  const target = process.env.LLM_EXERCISE_TARGET ?? fallback;
  if (target !== "solutions" && target !== "exercises") {
    throw new Error(`LLM_EXERCISE_TARGET=${target}: use "solutions" (default) or "exercises"`);
  }
  return path.join(root, target);
}

/**
 * Loads one chapter's exercise module, typed as its solution (`T = typeof import("../../solutions/NN-x")`).
 * A stub module has the same exports, so the type fits both.
 */
export function loadChapter<T>(chapter: string): T {
  const file = path.join(exerciseDir(), chapter);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(file) as T;
}

/** The mocha title of a task: the grader greps for it. */
export function taskTitle(id: string, points: number): string {
  return `[task ${id}] (${points} ${points === 1 ? "point" : "points"})`;
}

/** Declares one graded task: `id` is `"NN.name"`, `points` its weight, `body` its `it(...)` cases. */
export function task(id: string, points: number, body: () => void): void {
  if (!/^\d\d\.[A-Za-z][\w]*$/.test(id)) throw new Error(`task id "${id}" must look like "01.bigramCounts"`);
  describe(taskTitle(id, points), body);
}
