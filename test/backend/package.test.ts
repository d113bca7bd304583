import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as path from "node:path";

const notebooks = path.resolve(__dirname, "..", "..", "notebooks");

describe("package: llm-ts as notebooks load it", () => {
  it("plain Node (no tsx) resolves llm-ts by name from notebooks/ and can take gradients", () => {
    // tslab runs cells as CommonJS in plain Node from notebooks/; tests run under tsx, which hides ESM-only
    // imports. This child runs the built dist/ exactly as a notebook would.
    const code = `
      const llm = require("llm-ts");
      const tf = require("@tensorflow/tfjs-core");
      llm.backend.initBackend({ quiet: true }).then(() => {
        const g = tf.grad((x) => tf.sum(tf.mul(x, x)))(tf.tensor1d([1, 2, 3]));
        console.log(JSON.stringify({ ns: Object.keys(llm).sort(), grad: Array.from(g.dataSync()) }));
      });`;
    const out = execFileSync(process.execPath, ["-e", code], { cwd: notebooks, encoding: "utf8" });
    const { ns, grad } = JSON.parse(out.trim().split("\n").pop() as string);
    assert.deepEqual(grad, [2, 4, 6]);
    for (const name of ["backend", "random"]) assert.ok(ns.includes(name), `llm-ts exports ${name}: ${ns}`);
  });
});
