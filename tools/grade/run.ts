/**
 * Runs graded tasks, each in its own child process with a wall-clock limit, and scores them.
 *
 * Why a child per task: mocha's timeout cannot interrupt synchronous code, and learner code may loop forever,
 * call `process.exit`, or crash the process. Killing the child (its whole process group on POSIX) makes such a
 * task fail alone with a short message while the other tasks are graded normally.
 *
 * Scoring is all-or-nothing per task: a task earns its points only when every one of its test cases passes.
 */
import { spawn } from "node:child_process";
import * as path from "node:path";
import type { ChildMessage, ChildRequest, TestOutcome } from "./protocol";
import type { GradedTask } from "./tasks";

export type TaskStatus = "passed" | "failed" | "not implemented" | "timed out" | "crashed" | "error";

/** The result of grading one task. */
export interface TaskResult {
  id: string;
  chapter: string;
  points: number;
  earned: number;
  status: TaskStatus;
  /** One line: first failing assertion, "timed out after 60 s", "process exited with code 3", … ("" when passed). */
  message: string;
  /** When `message` shows a type error of the learner's file instead: what the task itself failed with. */
  runtimeMessage?: string;
  seconds: number;
  tests: TestOutcome[];
  /** Last lines the child wrote to stderr (for crashes; not shown in the table). */
  stderrTail?: string;
}

export interface RunOptions {
  /** Folder holding the chapter files to grade (`LLM_EXERCISE_DIR` for the tests). */
  exerciseDir: string;
  /** Wall-clock limit per task, in seconds, counted from the moment the test files have loaded. */
  timeoutSeconds: number;
  /** Separate limit for loading the test files and the module under test (compile + import), in seconds. */
  loadTimeoutSeconds?: number;
  /** Working directory of the children (the repository root). */
  cwd: string;
  /** Extra environment for the children. */
  env?: Record<string, string>;
}

const CHILD = path.join(__dirname, "child.ts");
/** Children still running, so an interrupted grader can take them down with it. */
const running = new Set<number>();

/** Kills every task process still running (call on SIGINT/SIGTERM of the grader). */
export function killRunningTasks(): void {
  for (const pid of running) killTree(pid);
  running.clear();
}
const TSX_CJS = require.resolve("tsx/cjs");
const MESSAGE_MAX = 200;

/** Collapses an error message to one short line for the table. */
export function shortMessage(text: string): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > MESSAGE_MAX ? `${line.slice(0, MESSAGE_MAX - 1)}…` : line;
}

function formatSeconds(s: number): string {
  return `${Number.isInteger(s) ? s : s.toFixed(1)} s`;
}

/** Scores what a child that finished normally reported. */
export function scoreOutcomes(
  task: GradedTask,
  tests: TestOutcome[],
): Pick<TaskResult, "status" | "message"> {
  if (tests.length === 0) {
    return {
      status: "error",
      message: `no test is tagged [task ${task.id}] in ${task.files.length} file(s)`,
    };
  }
  const failed = tests.find((t) => t.state === "failed");
  if (failed?.error) {
    if (failed.error.name === "NotImplemented") {
      return { status: "not implemented", message: shortMessage(failed.error.message) };
    }
    return { status: "failed", message: shortMessage(failed.error.message) };
  }
  const pending = tests.filter((t) => t.state === "pending").length;
  if (pending > 0) return { status: "failed", message: `${pending} test(s) skipped` };
  return { status: "passed", message: "" };
}

function killTree(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    if (process.platform !== "win32") process.kill(-pid, "SIGKILL");
    else process.kill(pid, "SIGKILL");
  } catch {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}

/** Grades one task in a fresh child process. Never throws: every failure mode becomes a TaskResult. */
export function runTask(task: GradedTask, opts: RunOptions): Promise<TaskResult> {
  const started = Date.now();
  const limitMs = Math.round(opts.timeoutSeconds * 1000);
  const loadLimitMs = Math.round((opts.loadTimeoutSeconds ?? Math.max(opts.timeoutSeconds, 30)) * 1000);
  const request: ChildRequest = { id: task.id, files: task.files, timeoutMs: limitMs };

  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["-r", TSX_CJS, CHILD], {
      cwd: opts.cwd,
      env: {
        ...process.env,
        ...opts.env,
        LLM_EXERCISE_DIR: path.resolve(opts.exerciseDir),
        LLM_GRADE_REQUEST: JSON.stringify(request),
      },
      stdio: ["ignore", "pipe", "pipe", "ipc"],
      detached: process.platform !== "win32",
    });
    if (child.pid !== undefined) running.add(child.pid);
    let stderr = "";
    child.stdout?.on("data", () => undefined); // learner output is not shown
    child.stderr?.on("data", (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-4000);
    });

    const tests: TestOutcome[] = [];
    let current: string | undefined;
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    let timeoutMessage = "";

    const finish = (status: TaskStatus, message: string, outcomes: TestOutcome[] = tests) => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      killTree(child.pid);
      if (child.pid !== undefined) running.delete(child.pid);
      const earned = status === "passed" ? task.points : 0;
      const result: TaskResult = {
        id: task.id,
        chapter: task.chapter,
        points: task.points,
        earned,
        status,
        message,
        seconds: (Date.now() - started) / 1000,
        tests: outcomes,
      };
      if (stderr.trim() && status !== "passed")
        result.stderrTail = stderr.trim().split("\n").slice(-20).join("\n");
      resolve(result);
    };
    const arm = (ms: number, message: string) => {
      if (timer) clearTimeout(timer);
      timeoutMessage = message;
      timer = setTimeout(() => {
        const during = current ? ` (in "${current}")` : "";
        finish("timed out", shortMessage(timeoutMessage + during));
      }, ms);
    };
    arm(loadLimitMs, `timed out after ${formatSeconds(loadLimitMs / 1000)} while loading the tests`);

    child.on("message", (msg: ChildMessage) => {
      switch (msg.type) {
        case "loaded":
          arm(limitMs, `timed out after ${formatSeconds(opts.timeoutSeconds)}`);
          break;
        case "loadError": {
          const status = msg.error.name === "NotImplemented" ? "not implemented" : "error";
          finish(status, shortMessage(`could not load the tests: ${msg.error.message}`));
          break;
        }
        case "started":
          current = msg.title.replace(/^\[task [^\]]*\] \(\d+(?:\.\d+)? points?\) /, "");
          break;
        case "done": {
          const { status, message } = scoreOutcomes(task, msg.tests);
          finish(status, message, msg.tests);
          break;
        }
      }
    });
    child.on("error", (err) =>
      finish("error", shortMessage(`could not start the test process: ${err.message}`)),
    );
    child.on("close", (code, signal) => {
      // A normal run sends "done" first; ending without it means the learner's code ended the process.
      // ("close" comes after the process exited and its pipes drained; the short wait lets IPC catch up.)
      setTimeout(() => {
        const during = current ? ` during "${current}"` : "";
        const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
        finish("crashed", shortMessage(`process ${how}${during}`));
      }, 100);
    });
  });
}

/** Grades `tasks` with at most `jobs` children at once; results come back in the order of `tasks`. */
export async function runTasks(
  tasks: GradedTask[],
  opts: RunOptions & { jobs?: number; onResult?: (r: TaskResult) => void },
): Promise<TaskResult[]> {
  const results: TaskResult[] = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await runTask(tasks[i], opts);
      opts.onResult?.(results[i]);
    }
  };
  const jobs = Math.max(1, Math.min(opts.jobs ?? 2, tasks.length));
  await Promise.all(Array.from({ length: jobs }, worker));
  return results;
}
