/** Messages between the grader (run.ts) and the child process that runs one task (child.ts). */

/** What the parent asks the child to run. */
export interface ChildRequest {
  /** Task id, e.g. `"01.bigramCounts"`; the child greps `[task <id>]`. */
  id: string;
  /** Test files declaring the task. */
  files: string[];
  /** mocha's per-test timeout (catches asynchronous hangs; synchronous ones are killed by the parent). */
  timeoutMs: number;
}

/** One finished mocha test (or failing hook) of the task. */
export interface TestOutcome {
  title: string;
  state: "passed" | "failed" | "pending";
  error?: { message: string; name: string };
}

export type ChildMessage =
  | { type: "loaded" }
  | { type: "loadError"; error: { message: string; name: string } }
  | { type: "started"; title: string }
  | { type: "done"; tests: TestOutcome[] };
