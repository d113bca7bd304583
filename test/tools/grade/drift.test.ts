// Stubs and solutions cannot drift: the repository's chapters are checked, and a fixture with one known
// defect per export proves the check reports each kind of drift.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { checkDrift } from "../../../tools/grade/drift";
import { defaultTestRoots, REPO_ROOT } from "../../../tools/grade/grade";

describe("drift: exercises/ stubs vs solutions/", function () {
  this.timeout(60_000);

  it("every chapter's stub exports the solution's names and types and throws NotImplemented for a tested task", () => {
    const chapters = fs.readdirSync(path.join(REPO_ROOT, "exercises")).filter((f) => /^\d\d-.*\.ts$/.test(f));
    assert.ok(chapters.length > 0, "no exercises/NN-*.ts chapter files to check");
    const problems = checkDrift({
      exercisesDir: path.join(REPO_ROOT, "exercises"),
      solutionsDir: path.join(REPO_ROOT, "solutions"),
      testRoots: defaultTestRoots(REPO_ROOT),
    });
    assert.deepEqual(problems, []);
  });

  it("reports each kind of drift in the fixture chapter 98-drift", () => {
    const dir = path.join(REPO_ROOT, "test", "fixtures", "grade", "drift");
    const problems = checkDrift({
      exercisesDir: path.join(dir, "exercises"),
      solutionsDir: path.join(dir, "solutions"),
      testRoots: [path.join(dir, "tests")],
      compilerOptions: { types: [] },
    }).map((p) =>
      p.replace(/^.*98-drift(\.tasks)?\.ts: /, (m) =>
        m.includes("/solutions/") ? "sol: " : m.includes("tests") ? "test: " : "stub: ",
      ),
    );
    assert.deepEqual(problems.sort(), [
      'sol: does not export "onlyStub" (the stub does)',
      'stub: "Shape" has type type Shape { a: number } but the solution\'s is type Shape { a: number; b: string }',
      'stub: "typed" has type value (: number) => number but the solution\'s is value (: string) => number',
      'stub: does not export "onlySolution" (the solution does)',
      'stub: stub "elsewhere" throws NotImplemented("01.someTask") but no test declares task 01.someTask',
      'stub: stub "onlyStub" throws NotImplemented("98.onlyStub") but no test declares task 98.onlyStub',
      'stub: stub "silent" does not throw NotImplemented',
      'test: imports "../solutions/98-drift" at run time; load chapters with loadChapter() instead',
    ]);
  });
});
