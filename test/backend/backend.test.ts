import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as path from "node:path";

const root = path.resolve(__dirname, "..", "..");

/** Runs a fresh Node process (the backend is chosen once per process) and returns its stdout. */
function runInChild(code: string, env: Record<string, string> = {}): { out: string; status: number } {
  try {
    const out = execFileSync(process.execPath, ["--require", "tsx/cjs", "-e", code], {
      cwd: root,
      env: { ...process.env, ...env },
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
    return { out, status: 0 };
  } catch (err) {
    const e = err as { stdout: string; stderr: string; status: number };
    return { out: e.stdout + e.stderr, status: e.status };
  }
}

describe("backend: initBackend", () => {
  it("picks the best loadable backend and reports it once, with why", () => {
    const { out, status } = runInChild(
      `const b = require("./src/backend"); const tf = require("@tensorflow/tfjs-core");
       (async () => { const info = await b.initBackend(); await b.initBackend();
         console.log(JSON.stringify({ info, active: tf.getBackend() })); })();`,
      { LLM_BACKEND: "" },
    );
    assert.equal(status, 0, out);
    const lines = out.trim().split("\n");
    const reports = lines.filter((l) => l.startsWith("backend: "));
    assert.equal(reports.length, 1, `expected one report line, got:\n${out}`);
    const { info, active } = JSON.parse(lines[lines.length - 1]);
    assert.equal(active, info.tfName);
    // Every backend ranked above the chosen one must have been tried and skipped with a reason.
    const order = ["node-gpu", "node", "webgpu", "wasm", "cpu"];
    assert.equal(info.skipped.length, order.indexOf(info.name));
    assert.match(reports[0], new RegExp(`^backend: ${info.name} — `));
  });

  it("LLM_BACKEND forces a backend", () => {
    const { out, status } = runInChild(
      `require("./src/backend").initBackend().then(() => console.log("active=" + require("@tensorflow/tfjs-core").getBackend()))`,
      { LLM_BACKEND: "cpu" },
    );
    assert.equal(status, 0, out);
    assert.match(out, /backend: cpu — forced by LLM_BACKEND/);
    assert.match(out, /active=cpu/);
  });

  const failing = `require("./src/backend").initBackend().catch(e => { console.log(e.message); process.exit(2); })`;

  it("a forced backend that cannot load fails clearly", function () {
    let canLoad = true;
    try {
      require.resolve("@tensorflow/tfjs-node-gpu");
    } catch {
      canLoad = false;
    }
    if (canLoad) this.skip(); // a CUDA machine with tfjs-node-gpu installed: nothing fails to load there
    const missing = runInChild(failing, { LLM_BACKEND: "node-gpu" });
    assert.equal(missing.status, 2);
    assert.match(missing.out, /'node-gpu' was requested but could not be loaded/);
  });

  it("an unknown LLM_BACKEND name is rejected with the list of names", () => {
    const bad = runInChild(failing, { LLM_BACKEND: "tpu" });
    assert.equal(bad.status, 2);
    assert.match(bad.out, /LLM_BACKEND=tpu is not a backend; use one of: node-gpu, node, webgpu, wasm, cpu/);
  });

  it("the chosen backend computes a matMul correctly", () => {
    const { out, status } = runInChild(
      `const tf = require("@tensorflow/tfjs-core");
       require("./src/backend").initBackend({ quiet: true }).then(async () => {
         const a = tf.tensor2d([[1, 2], [3, 4]]); const b = tf.tensor2d([[5, 6], [7, 8]]);
         console.log(JSON.stringify(await tf.matMul(a, b).array())); })`,
    );
    assert.equal(status, 0, out);
    assert.equal(out.trim().split("\n").pop(), "[[19,22],[43,50]]");
  });
});
