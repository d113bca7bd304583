import assert from "node:assert/strict";
import { compareOutputs, normalizeText } from "../../../tools/course/check-nbclient";
import { errorFromStderr } from "../../../tools/course/kernel";
import { CellOutputs, DisplayRegistry, squashControlChars, tidyStreams } from "../../../tools/course/outputs";
import { unimplementedTask } from "../../../tools/course/runner";

describe("course runner: iopub messages to outputs", () => {
  it("update_display_data replaces the display with the same display_id, also in an earlier cell", () => {
    const displays = new DisplayRegistry();
    const first = new CellOutputs(displays);
    first.handle("display_data", {
      data: { "text/plain": "step 0" },
      metadata: {},
      transient: { display_id: "p" },
    });
    first.handle("display_data", {
      data: { "text/plain": "other" },
      metadata: {},
      transient: { display_id: "q" },
    });
    first.handle("update_display_data", {
      data: { "text/plain": "step 1" },
      metadata: {},
      transient: { display_id: "p" },
    });
    const second = new CellOutputs(displays);
    second.handle("stream", { name: "stdout", text: "training\n" });
    second.handle("update_display_data", {
      data: { "text/plain": "step 2", "text/html": "<b>2</b>" },
      metadata: { isolated: true },
      transient: { display_id: "p" },
    });
    second.handle("update_display_data", {
      data: { "text/plain": "lost" },
      transient: { display_id: "unknown" },
    });
    assert.deepEqual(first.outputs, [
      {
        output_type: "display_data",
        data: { "text/plain": "step 2", "text/html": "<b>2</b>" },
        metadata: { isolated: true },
      },
      { output_type: "display_data", data: { "text/plain": "other" }, metadata: {} },
    ]);
    assert.deepEqual(second.outputs, [{ output_type: "stream", name: "stdout", text: "training\n" }]);
    assert.ok(!("transient" in first.outputs[0]), "transient is not stored (nbformat has no place for it)");
  });

  it("clear_output clears at once, or before the next output with wait", () => {
    const cell = new CellOutputs();
    cell.handle("stream", { name: "stdout", text: "a" });
    cell.handle("clear_output", { wait: true });
    assert.equal(cell.outputs.length, 1);
    cell.handle("stream", { name: "stdout", text: "b" });
    assert.deepEqual(cell.outputs, [{ output_type: "stream", name: "stdout", text: "b" }]);
    cell.handle("clear_output", { wait: false });
    assert.deepEqual(cell.outputs, []);
    cell.handle("error", { ename: "E", evalue: "v", traceback: ["t"] });
    assert.deepEqual(cell.outputs, [{ output_type: "error", ename: "E", evalue: "v", traceback: ["t"] }]);
  });

  it("merges consecutive streams and applies carriage returns like a front end", () => {
    assert.equal(squashControlChars("10%\r50%\r100%\ndone\n"), "100%\ndone\n");
    assert.equal(squashControlChars("abc\b\bX\n"), "aX\n");
    assert.equal(squashControlChars("line\r\n"), "line\r\n");
    const tidy = tidyStreams([
      { output_type: "stream", name: "stdout", text: "a\n" },
      { output_type: "stream", name: "stdout", text: ["b", "\n"] },
      { output_type: "stream", name: "stderr", text: "w\n" },
      { output_type: "stream", name: "stdout", text: "0%\r" },
      { output_type: "stream", name: "stdout", text: "100%\n" },
    ]);
    assert.deepEqual(tidy, [
      { output_type: "stream", name: "stdout", text: "a\nb\n" },
      { output_type: "stream", name: "stderr", text: "w\n" },
      { output_type: "stream", name: "stdout", text: "100%\n" },
    ]);
  });
});

describe("course runner: errors of tslab cells", () => {
  it("reads the error name and message from tslab's stderr", () => {
    const thrown =
      'evalmachine.<anonymous>:2\nthrow new TypeError("boom");\n^\n\nTypeError: boom\n    at evalmachine.<anonymous>:2:7\n';
    assert.deepEqual(errorFromStderr(thrown), {
      ename: "TypeError",
      evalue: "boom",
      traceback: ["TypeError: boom", "    at evalmachine.<anonymous>:2:7"],
    });
    const stub =
      "note: starting\nNotImplemented: Exercise 01.bigramCounts is not implemented yet: write it in exercises/01-*.ts\n" +
      "    at f (/x.js:1:1) {\n  task: '01.bigramCounts',\n  hint: ''\n}\n";
    const err = errorFromStderr(stub);
    assert.equal(err.ename, "NotImplemented");
    assert.equal(unimplementedTask(err), "01.bigramCounts");
    assert.equal(errorFromStderr("Foo [Error]: x\n    at y\n").ename, "Foo");
    assert.deepEqual(errorFromStderr("2:5 - Cannot find name 'x'.\n"), {
      ename: "CompileError",
      evalue: "2:5 - Cannot find name 'x'.",
      traceback: ["2:5 - Cannot find name 'x'."],
    });
    assert.deepEqual(errorFromStderr("just a thrown string\n"), {
      ename: "Error",
      evalue: "just a thrown string",
      traceback: ["just a thrown string"],
    });
  });

  it("recognises exercise stubs by name or by message only", () => {
    assert.equal(unimplementedTask({ ename: "TypeError", evalue: "boom", traceback: [] }), undefined);
    const wrapped = {
      ename: "Error",
      evalue: "Exercise 03.attention is not implemented yet: …",
      traceback: [],
    };
    assert.equal(unimplementedTask(wrapped), "03.attention");
  });
});

describe("course runner: nbclient comparison", () => {
  it("ignores timings, addresses and the backend line but not real differences", () => {
    assert.equal(
      normalizeText("backend: wasm — best\nstep 3 took 12.5 ms at 0x7ffd1234abcd\n"),
      "backend: <line>\nstep 3 took <time> at 0x<addr>\n",
    );
    assert.equal(
      normalizeText("matMul 128×128: 2.0 GFLOP/s on wasm; 1.28 MB/s; 2100 docs/s"),
      "matMul 128×128: <rate> on wasm; <rate>; <rate>",
    );
    const cell = (text: string) => ({
      cells: [
        { cell_type: "code", outputs: [{ output_type: "stream" as const, name: "stdout" as const, text }] },
      ],
    });
    assert.deepEqual(compareOutputs(cell("loss 2.5 in 3 s\n"), cell("loss 2.5 in 4.1 s\n")), []);
    const diffs = compareOutputs(cell("loss 2.5\n"), cell("loss 2.6\n"));
    assert.equal(diffs.length, 1);
    assert.match(diffs[0], /^cell 1 output 1:/);
  });
});
