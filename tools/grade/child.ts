/**
 * Child process that runs ONE graded task: mocha, programmatically, over the task's test files with
 * `grep "[task <id>]"`, reporting to the parent over IPC (`process.send`).
 *
 * Started by run.ts as `node -r tsx/cjs tools/grade/child.ts` with the request in `LLM_GRADE_REQUEST` (JSON).
 * It sends `loaded` once the test files (and so the exercise module) have loaded, one `test` message per
 * finished test, and `done` at the end. The parent enforces the wall-clock limit and kills this process when
 * it is exceeded, so a synchronous infinite loop or a `process.exit` in the learner's code fails only this task.
 */
import Mocha from "mocha";
import type { ChildMessage, ChildRequest, TestOutcome } from "./protocol";

function send(msg: ChildMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) {
      // Run by hand (no IPC channel): print what the parent would receive.
      console.log(JSON.stringify(msg));
      resolve();
    } else {
      process.send(msg, () => resolve());
    }
  });
}

/** The fields of an error a report needs; works for errors from any realm (tslab, other module copies). */
function describeError(err: unknown): { message: string; name: string } {
  if (err instanceof Error) return { message: err.message || String(err), name: err.name };
  if (err && typeof err === "object" && "message" in err) {
    const e = err as { message: unknown; name?: unknown };
    return { message: String(e.message), name: typeof e.name === "string" ? e.name : "Error" };
  }
  return { message: String(err), name: "Error" };
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

async function main(): Promise<void> {
  const request = JSON.parse(process.env.LLM_GRADE_REQUEST ?? "null") as ChildRequest | null;
  if (!request) throw new Error("child.ts is started by the grader (tools/grade/run.ts), not by hand");

  const mocha = new Mocha({
    grep: new RegExp(escapeRegExp(`[task ${request.id}]`)),
    timeout: request.timeoutMs,
    reporter: Mocha.reporters.Base,
    color: false,
  });
  request.files.forEach((f) => mocha.addFile(f));
  try {
    // Synchronous CommonJS loading (through tsx's require hook); typed protected in @types/mocha.
    (mocha as unknown as { loadFiles(): void }).loadFiles();
  } catch (err) {
    await send({ type: "loadError", error: describeError(err) });
    process.exit(1);
  }
  await send({ type: "loaded" });

  const tests: TestOutcome[] = [];
  const runner = mocha.run();
  runner.on("test", (test) => void send({ type: "started", title: test.fullTitle() }));
  runner.on("pass", (test) => {
    tests.push({ title: test.fullTitle(), state: "passed" });
  });
  runner.on("fail", (test, err) => {
    tests.push({ title: test.fullTitle(), state: "failed", error: describeError(err) });
  });
  runner.on("pending", (test) => {
    tests.push({ title: test.fullTitle(), state: "pending" });
  });
  runner.on("end", () => {
    void send({ type: "done", tests }).then(() => process.exit(0));
  });
}

main().catch(async (err) => {
  await send({ type: "loadError", error: describeError(err) });
  process.exit(1);
});
