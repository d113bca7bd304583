// Stubs and solutions cannot drift: the repository's chapters are checked, and a fixture with one known
// defect per export proves the check reports each kind of drift.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import {
  checkDrift,
  gitBlobId,
  looksPristine,
  pinStubs,
  pristineStubs,
  readGitBlob,
  type StubPins,
} from "../../../tools/grade/drift";
import { defaultTestRoots, REPO_ROOT } from "../../../tools/grade/grade";

describe("drift: exercises/ stubs vs solutions/", function () {
  this.timeout(60_000);

  const EXERCISES = path.join(REPO_ROOT, "exercises");
  const PINS = JSON.parse(
    fs.readFileSync(path.join(REPO_ROOT, "test", "exercises", "stubs.json"), "utf8"),
  ) as StubPins;

  it("every chapter's pristine stub exports the solution's names and types and throws NotImplemented for a tested task", () => {
    const chapters = fs.readdirSync(EXERCISES).filter((f) => /^\d\d-.*\.ts$/.test(f));
    assert.ok(chapters.length >= 5, `only ${chapters.length} exercises/NN-*.ts chapter files to check`);
    // A learner's filled-in stub is checked in its pinned, pristine version (so `npm test` stays green for them).
    const pristine = pristineStubs(EXERCISES, PINS, (id) => readGitBlob(REPO_ROOT, id));
    const unavailable = [...pristine].filter(([, p]) => p.source === "unavailable").map(([f]) => f);
    if (unavailable.length > 0)
      console.log(
        `drift: not checked (answers written, no git history for the pristine stub): ${unavailable.join(", ")}`,
      );
    const problems = checkDrift({
      exercisesDir: EXERCISES,
      solutionsDir: path.join(REPO_ROOT, "solutions"),
      testRoots: defaultTestRoots(REPO_ROOT),
      stubText: (file) => pristine.get(file)?.text,
    }).filter((p) => !unavailable.some((f) => p.startsWith(path.relative(process.cwd(), f))));
    assert.deepEqual(problems, []);
  });

  it("the pins of the pristine stubs are current (checked in CI; `npm run stubs:pin` after changing a stub)", function () {
    if (!process.env.CI && !process.env.LLM_INSTRUCTOR) this.skip();
    const stale = Object.entries(pinStubs(EXERCISES))
      .filter(([f, id]) => PINS[f] !== id)
      .map(([f]) => `exercises/${f}`);
    assert.deepEqual(stale, [], `stale pins in test/exercises/stubs.json: run npm run stubs:pin`);
  });

  it("checks a learner's filled-in stub in its pinned version, and still fails on a real drift", function () {
    this.timeout(180_000);
    // A copy of exercises/ and solutions/ beside a link to src/ (so "../src/…" imports resolve), in which
    // chapter 01's stub holds the learner's answers (the solution's text).
    const dir = fs.mkdtempSync(path.join(REPO_ROOT, "build", "drift-"));
    try {
      fs.symlinkSync(path.join(REPO_ROOT, "src"), path.join(dir, "src"), "junction");
      for (const sub of ["exercises", "solutions"]) {
        fs.mkdirSync(path.join(dir, sub));
        for (const f of fs.readdirSync(path.join(REPO_ROOT, sub)).filter((f) => f.startsWith("01-")))
          fs.copyFileSync(path.join(REPO_ROOT, sub, f), path.join(dir, sub, f));
      }
      const stub = fs.readdirSync(path.join(dir, "exercises"))[0];
      const pristineText = fs.readFileSync(path.join(dir, "exercises", stub), "utf8");
      const answered = pristineText.replace(
        /(export function bigramCounts\([^)]*\): Matrix \{\n)[\s\S]*?\n\}\n/,
        (_, head: string) =>
          head +
          "  const counts = Array.from({ length: vocab.size }, () => new Array<number>(vocab.size).fill(0));\n" +
          "  for (const w of words) {\n    const ids = vocab.encode(w);\n" +
          "    for (let t = 1; t < ids.length; t++) counts[ids[t - 1]][ids[t]] += 1;\n  }\n  return counts;\n}\n",
      );
      assert.notEqual(answered, pristineText);
      fs.writeFileSync(path.join(dir, "exercises", stub), answered);
      const pins: StubPins = { [stub]: gitBlobId(pristineText) };
      const blobs = new Map([[gitBlobId(pristineText), pristineText]]);
      const check = (pristine: Map<string, { text?: string }>) =>
        checkDrift({
          exercisesDir: path.join(dir, "exercises"),
          solutionsDir: path.join(dir, "solutions"),
          testRoots: defaultTestRoots(REPO_ROOT),
          stubText: (file) => pristine.get(file)?.text,
        }).map((p) => p.replace(/^.*exercises\//, "exercises/"));

      const found = pristineStubs(path.join(dir, "exercises"), pins, (id) => blobs.get(id));
      assert.deepEqual(
        [...found.values()].map((p) => p.source),
        ["pinned"],
      );
      assert.deepEqual(check(found), []);
      // Checked as it is on disk, the filled-in stub would be reported (what made `npm test` red for learners).
      assert.ok(check(new Map()).some((p) => /stub "bigramCounts" does not throw NotImplemented/.test(p)));
      // A pristine stub that drifted from the solution (a parameter type changed) is still reported.
      const drifted = pristineText.replace(
        /export function bigramCounts\(words: (readonly )?string\[\]/,
        "export function bigramCounts(words: number[]",
      );
      assert.notEqual(drifted, pristineText);
      blobs.set(gitBlobId(pristineText), drifted);
      const problems = check(pristineStubs(path.join(dir, "exercises"), pins, (id) => blobs.get(id)));
      assert.equal(problems.length, 1, problems.join("\n"));
      assert.match(
        problems[0],
        /^exercises\/01-autoregressive\.ts: "bigramCounts" has type value \(: number\[\]/,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("tells an instructor's change (every function still throws) from a learner's answers", () => {
    assert.equal(
      looksPristine(`export function f(): number {\n  throw new NotImplemented("01.f");\n}\n`),
      true,
    );
    assert.equal(looksPristine(`export function f(): number {\n  return 1;\n}\n`), false);
    assert.equal(
      looksPristine(`export const g = (): number => {\n  throw new NotImplemented("01.g");\n};\n`),
      true,
    );
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
