// Stubs and solutions cannot drift: the repository's chapters are checked, and a fixture with one known
// defect per export proves the check reports each kind of drift.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { checkDrift, looksPristine, pristineFromGit, pristineStubs } from "../../../tools/grade/drift";
import { defaultTestRoots, REPO_ROOT } from "../../../tools/grade/grade";

describe("drift: exercises/ stubs vs solutions/", function () {
  this.timeout(60_000);

  const EXERCISES = path.join(REPO_ROOT, "exercises");
  /** CI checks the stubs as they are; a learner's `npm test` checks the pristine versions of filled-in stubs. */
  const strict = Boolean(process.env.CI || process.env.LLM_INSTRUCTOR);

  it("every chapter's pristine stub exports the solution's names and types and throws NotImplemented for a tested task", () => {
    const chapters = fs.readdirSync(EXERCISES).filter((f) => /^\d\d-.*\.ts$/.test(f));
    for (const nn of ["01", "02", "03", "04", "05"])
      assert.ok(
        chapters.some((f) => f.startsWith(`${nn}-`)),
        `no exercises/${nn}-*.ts to check (have ${chapters.join(", ")})`,
      );
    const pristine = strict
      ? new Map()
      : pristineStubs(EXERCISES, (file) => pristineFromGit(REPO_ROOT, file));
    const unavailable = [...pristine].filter(([, p]) => p.source === "unavailable").map(([f]) => f as string);
    if (unavailable.length > 0)
      console.log(
        `drift: not checked (answers written, no pristine version in git): ${unavailable.join(", ")}`,
      );
    const problems = checkDrift({
      exercisesDir: EXERCISES,
      solutionsDir: path.join(REPO_ROOT, "solutions"),
      testRoots: defaultTestRoots(REPO_ROOT),
      stubText: (file) => pristine.get(file)?.text,
    }).filter((p) => !unavailable.some((f) => p.startsWith(path.relative(process.cwd(), f))));
    assert.deepEqual(problems, []);
  });

  it("checks a learner's filled-in stub in its pristine version, and still fails on a real drift", function () {
    this.timeout(180_000);
    // A copy of chapter 01's stub and solution beside a link to src/ (so "../src/…" imports resolve), the stub
    // with the learner's answer to bigramCounts written in.
    const dir = fs.mkdtempSync(path.join(REPO_ROOT, "build", "drift-"));
    try {
      fs.symlinkSync(path.join(REPO_ROOT, "src"), path.join(dir, "src"), "junction");
      for (const sub of ["exercises", "solutions"]) {
        fs.mkdirSync(path.join(dir, sub));
        for (const f of fs.readdirSync(path.join(REPO_ROOT, sub)).filter((f) => f.startsWith("01-")))
          fs.copyFileSync(path.join(REPO_ROOT, sub, f), path.join(dir, sub, f));
      }
      const stub = path.join(dir, "exercises", fs.readdirSync(path.join(dir, "exercises"))[0]);
      const pristineText = fs.readFileSync(stub, "utf8");
      const answered = pristineText.replace(
        /(export function bigramCounts\([^)]*\): Matrix \{\n)[\s\S]*?\n\}\n/,
        (_, head: string) =>
          head +
          "  const counts = Array.from({ length: vocab.size }, () => new Array<number>(vocab.size).fill(0));\n" +
          "  for (const w of words) {\n    const ids = vocab.encode(w);\n" +
          "    for (let t = 1; t < ids.length; t++) counts[ids[t - 1]][ids[t]] += 1;\n  }\n  return counts;\n}\n",
      );
      assert.notEqual(answered, pristineText);
      assert.equal(looksPristine(pristineText), true);
      assert.equal(looksPristine(answered), false);
      fs.writeFileSync(stub, answered);
      const check = (pristine: Map<string, { text?: string }>) =>
        checkDrift({
          exercisesDir: path.join(dir, "exercises"),
          solutionsDir: path.join(dir, "solutions"),
          testRoots: defaultTestRoots(REPO_ROOT),
          stubText: (file) => pristine.get(file)?.text,
        }).map((p) => p.replace(/^.*exercises\//, "exercises/"));

      // The stub's history: the pristine version, as git would give it.
      let history: string | undefined = pristineText;
      const found = pristineStubs(path.join(dir, "exercises"), () => history);
      assert.deepEqual(
        [...found.values()].map((p) => p.source),
        ["history"],
      );
      assert.deepEqual(check(found), []);
      // Checked as it is on disk (what CI does), the filled-in stub is reported.
      assert.deepEqual(check(new Map()), [
        'exercises/01-autoregressive.ts: stub "bigramCounts" does not throw NotImplemented',
      ]);
      // A pristine stub that drifted from the solution (a parameter type changed) is still reported.
      history = pristineText.replace(
        /export function bigramCounts\(words: (readonly )?string\[\]/,
        "export function bigramCounts(words: number[]",
      );
      assert.notEqual(history, pristineText);
      const problems = check(pristineStubs(path.join(dir, "exercises"), () => history));
      assert.equal(problems.length, 1, problems.join("\n"));
      assert.match(
        problems[0],
        /^exercises\/01-autoregressive\.ts: "bigramCounts" has type value \(: number\[\]/,
      );
      // No pristine version anywhere: the chapter is reported as unavailable (the caller skips it).
      history = undefined;
      assert.deepEqual(
        [...pristineStubs(path.join(dir, "exercises"), () => history).values()].map((p) => p.source),
        ["unavailable"],
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("finds the newest pristine version of a stub in git history", function () {
    const file = path.join(EXERCISES, "01-autoregressive.ts");
    const text = pristineFromGit(REPO_ROOT, file);
    if (text === undefined) this.skip(); // not a git checkout (e.g. an unpacked release)
    assert.equal(looksPristine(text!), true);
    assert.match(text!, /export function bigramCounts\(/);
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
