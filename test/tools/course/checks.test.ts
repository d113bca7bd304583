import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { writeNotebook, type Notebook, type Output } from "../../../tools/course/notebook";
import { countChecks, type CellReport, type NotebookRun } from "../../../tools/course/runner";
import { report, summarize } from "../../../tools/course/summary";

const stdout = (text: string): Output => ({ output_type: "stream", name: "stdout", text });

describe("course runner: OK / DIFFERS check lines", () => {
  it("counts the lines course.check* prints, only at the start of a stdout line", () => {
    const found = countChecks([
      stdout("OK       names: 8405 (expected 8405 ± 0)\nDIFFERS  loss: 4.7164 (expected 4.685 ± 0.02)\n"),
      stdout(["OK       a\n", "x OK       not at the start\n", "OKAY\n"] as unknown as string),
      { output_type: "stream", name: "stderr", text: "DIFFERS  on stderr is not a check\n" },
      { output_type: "display_data", data: { "text/plain": "DIFFERS  in a display" }, metadata: {} },
    ]);
    assert.deepEqual(found, {
      ok: 2,
      differs: 1,
      differing: ["DIFFERS  loss: 4.7164 (expected 4.685 ± 0.02)"],
    });
  });

  const cell = (n: number, outputs: Output[], extra: Partial<CellReport> = {}): CellReport => ({
    cell: n,
    executionCount: n,
    status: "ok",
    seconds: 0.1,
    checks: countChecks(outputs),
    ...extra,
  });
  const run = (cells: CellReport[], differsCells: CellReport[]): NotebookRun => ({
    notebook: "05-data.ipynb",
    ok: differsCells.length === 0,
    seconds: 12.34,
    kernelStartSeconds: 2,
    executed: { nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [] },
    cells,
    checks: {
      ok: cells.reduce((s, c) => s + c.checks.ok, 0),
      differs: cells.reduce((s, c) => s + c.checks.differs, 0),
      differing: cells.flatMap((c) => c.checks.differing),
    },
    differsCells,
  });

  it("puts the counts and every DIFFERS line in the summary and the printed report", () => {
    const bad = cell(31, [
      stdout("OK       kept: 569 (expected 569 ± 0)\nDIFFERS  val: 4.7 (expected 4.6 ± 0.02)\n"),
    ]);
    const r = run([cell(3, [stdout("OK       x: 1 (expected 1 ± 0)\n")]), bad], [bad]);
    assert.deepEqual(summarize(r), {
      notebook: "05-data.ipynb",
      ok: false,
      seconds: 12.3,
      checks: { ok: 2, differs: 1, differing: ["DIFFERS  val: 4.7 (expected 4.6 ± 0.02)"] },
      error: "1 check DIFFERS (cell 31 (In [31]))",
      cell: 31,
    });
    assert.deepEqual(report(r).split("\n"), [
      "course: 05-data.ipynb FAILED in 12.3 s (checks: 2 OK, 1 DIFFERS; 2 code cells, kernel start 2.0 s)",
      "  cell 31 (In [31]):",
      "    DIFFERS  val: 4.7 (expected 4.6 ± 0.02)",
    ]);
    const good = run([cell(3, [stdout("OK       x: 1 (expected 1 ± 0)\n")])], []);
    assert.deepEqual(summarize(good), {
      notebook: "05-data.ipynb",
      ok: true,
      seconds: 12.3,
      checks: { ok: 1, differs: 0 },
    });
  });

  it("npm run course fails a notebook that prints DIFFERS and says so in its summary", function () {
    this.timeout(180_000);
    // Inside the repository (tslab finds llm-ts and the type definitions from there).
    const root = path.resolve(__dirname, "..", "..", "..");
    const dir = path.join(root, "build", "test-course", `checks-${process.pid}`);
    const out = path.join(dir, "out");
    fs.mkdirSync(dir, { recursive: true });
    const code = (source: string, i: number) => ({
      cell_type: "code" as const,
      id: `c${i}`,
      metadata: {},
      source,
      execution_count: null,
      outputs: [],
    });
    const nb = (cells: string[]): Notebook => ({
      nbformat: 4,
      nbformat_minor: 5,
      metadata: { kernelspec: { name: "tslab", display_name: "TypeScript" } },
      cells: cells.map(code),
    });
    writeNotebook(
      path.join(dir, "01-good.ipynb"),
      nb([
        'import { course } from "llm-ts";\ncourse.check("two", 1 + 1, 2, 0);',
        'course.checkThat("sure", true);\ncourse.checkSummary();',
      ]),
    );
    writeNotebook(
      path.join(dir, "02-bad.ipynb"),
      nb([
        'import { course } from "llm-ts";\ncourse.check("loss", 4.7164, 4.685, 0.02);\ncourse.checkRange("r", 1, 0, 2);',
        'console.log("still runs");',
      ]),
    );
    try {
      const res = spawnSync(
        process.execPath,
        [
          path.join(root, "node_modules", "tsx", "dist", "cli.mjs"),
          "tools/course/cli.ts",
          "--dir",
          dir,
          "--out",
          out,
        ],
        { cwd: root, encoding: "utf8", env: { ...process.env, LLM_QUICK: "1" } },
      );
      assert.equal(res.status, 1, res.stdout + res.stderr);
      assert.match(res.stdout, /course: 01-good\.ipynb ok in [\d.]+ s \(checks: 2 OK, 0 DIFFERS;/);
      assert.match(res.stdout, /course: 02-bad\.ipynb FAILED in [\d.]+ s \(checks: 1 OK, 1 DIFFERS;/);
      assert.match(res.stdout, /\n {4}DIFFERS {2}loss: 4\.7164 \(expected 4\.685 ± 0\.02\)\n/);
      assert.match(res.stdout, /course: 1 notebooks ok, 1 failed; checks: 3 OK, 1 DIFFERS\n/);
      const summary = JSON.parse(fs.readFileSync(path.join(out, "course-summary.json"), "utf8")) as {
        notebook: string;
        ok: boolean;
        checks: unknown;
        cell?: number;
      }[];
      assert.deepEqual(
        summary.map((s) => [s.notebook, s.ok, s.checks, s.cell]),
        [
          ["01-good.ipynb", true, { ok: 2, differs: 0 }, undefined],
          [
            "02-bad.ipynb",
            false,
            { ok: 1, differs: 1, differing: ["DIFFERS  loss: 4.7164 (expected 4.685 ± 0.02)"] },
            1,
          ],
        ],
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
