import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { writeNotebook, type Notebook } from "../../../tools/course/notebook";
import { runNotebook } from "../../../tools/course/runner";

/**
 * One real run through the tslab kernel. The notebook lives under build/ inside the repository: tslab
 * type-checks cells against the node_modules it finds from the kernel's working directory.
 */
describe("course runner: a notebook through the real tslab kernel", function () {
  this.timeout(60_000);
  const dir = path.resolve(__dirname, "..", "..", "..", "build", "test-course");
  const file = path.join(dir, `e2e-${process.pid}.ipynb`);
  after(() => fs.rmSync(file, { force: true }));

  it("collects stdout, an expression value and a display, and reports the failing cell", async () => {
    const code = (id: string, source: string) => ({
      cell_type: "code" as const,
      id,
      metadata: {},
      source,
      execution_count: null,
      outputs: [],
    });
    const nb: Notebook = {
      nbformat: 4,
      nbformat_minor: 5,
      metadata: { kernelspec: { name: "tslab", display_name: "TypeScript" } },
      cells: [
        { cell_type: "markdown", id: "m", metadata: {}, source: "# e2e" },
        code("a", 'console.log("hello from tslab");\nconst n: number = await Promise.resolve(6);'),
        code("b", 'import * as tslab from "tslab";\ntslab.display.html("<b>x</b>");\nn * 7'),
        code("c", 'throw new RangeError("cell three fails")'),
        code("d", 'console.log("never runs")'),
      ],
    };
    writeNotebook(file, nb);
    const run = await runNotebook(file, { cellTimeoutMs: 30_000 });
    const cells = run.executed.cells;
    assert.equal(run.ok, false);
    assert.equal(run.failure?.cell, 4);
    assert.equal(run.failure?.error?.ename, "RangeError");
    assert.equal(run.failure?.error?.evalue, "cell three fails");
    assert.deepEqual(
      cells.map((c) => (c.cell_type === "code" ? c.execution_count : "md")),
      ["md", 1, 2, 3, null],
    );
    assert.deepEqual(cells[1].cell_type === "code" && cells[1].outputs, [
      { output_type: "stream", name: "stdout", text: "hello from tslab\n" },
    ]);
    assert.deepEqual(cells[2].cell_type === "code" && cells[2].outputs, [
      { output_type: "display_data", data: { "text/html": "<b>x</b>" }, metadata: {} },
      { output_type: "stream", name: "stdout", text: "42\n" },
    ]);
    const errOut = cells[3].cell_type === "code" ? cells[3].outputs : [];
    assert.equal(errOut.length, 1);
    assert.match(JSON.stringify(errOut[0]), /RangeError: cell three fails/);
  });
});
