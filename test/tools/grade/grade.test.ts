// The grader on a fixture chapter (test/fixtures/grade) whose tasks pass, fail an assertion, throw
// NotImplemented, loop forever synchronously, and end the process: each must fail alone with its message.
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { gradeFolder, gradeSubmissions, REPO_ROOT } from "../../../tools/grade/grade";
import { formatHtml, formatText, summaryLine, type GradeReport } from "../../../tools/grade/report";
import { discoverTasks, parseTaskCalls, selectTasks } from "../../../tools/grade/tasks";

const FIXTURE = path.join(REPO_ROOT, "test", "fixtures", "grade");
const EXERCISES = path.join(FIXTURE, "exercises");
const VISIBLE = path.join(FIXTURE, "tests");
const HIDDEN = path.join(FIXTURE, "hidden");

describe("grader: task discovery", () => {
  it("reads task ids and points from task(...) calls, literals only", () => {
    const src = `task("01.a", 2, () => {});\ntask('01.b',1,()=>{});\ntask(id, 3, body);\ntask("x.y", 1, f);`;
    assert.deepEqual(parseTaskCalls(src), [
      { id: "01.a", points: 2 },
      { id: "01.b", points: 1 },
    ]);
  });

  it("merges visible and hidden files of one task and selects by chapter or id", () => {
    const tasks = discoverTasks([VISIBLE, HIDDEN]);
    assert.deepEqual(
      tasks.map((t) => `${t.id}:${t.points}:${t.files.length}`),
      ["99.abs:1:2", "99.add:2:1", "99.double:1:1", "99.quit:1:1", "99.spin:1:1", "99.todo:1:1"],
    );
    assert.equal(selectTasks(tasks, ["99"]).length, 6);
    assert.deepEqual(
      selectTasks(tasks, ["99.add", "99.todo"]).map((t) => t.id),
      ["99.add", "99.todo"],
    );
    assert.throws(() => selectTasks(tasks, ["42"]), /"42" names no graded task \(chapters with tasks: 99\)/);
  });

  it("refuses one task id declared with different points", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "grade-tasks-"));
    fs.writeFileSync(path.join(dir, "a.ts"), `task("05.x", 1, () => {});`);
    fs.writeFileSync(path.join(dir, "b.ts"), `task("05.x", 2, () => {});`);
    assert.throws(() => discoverTasks([dir]), /task 05\.x is worth 1 points in .*a\.ts but 2 in .*b\.ts/);
    fs.rmSync(dir, { recursive: true });
  });
});

describe("grader: one child process per task", function () {
  this.timeout(120_000);
  let report: GradeReport;

  before(async () => {
    report = await gradeFolder({
      exerciseDir: EXERCISES,
      testRoots: [VISIBLE, HIDDEN],
      timeoutSeconds: 2,
      jobs: 2,
    });
  });

  const result = (id: string) => {
    const r = report.tasks.find((t) => t.id === id);
    assert.ok(r, `no result for ${id}`);
    return r;
  };

  it("gives a passing task its points", () => {
    assert.deepEqual(
      [result("99.add").status, result("99.add").earned, result("99.add").message],
      ["passed", 2, ""],
    );
    assert.equal(result("99.add").tests.length, 2);
  });

  it("fails a wrong answer with the first failing assertion", () => {
    const r = result("99.double");
    assert.deepEqual([r.status, r.earned], ["failed", 0]);
    assert.match(r.message, /^double\(2\) should be 4/);
  });

  it("reports a stub as not implemented, naming the task", () => {
    const r = result("99.todo");
    assert.deepEqual([r.status, r.earned], ["not implemented", 0]);
    assert.match(r.message, /Exercise 99\.todo is not implemented yet/);
  });

  it("kills a synchronous infinite loop after the time limit", () => {
    const r = result("99.spin");
    assert.deepEqual([r.status, r.earned], ["timed out", 0]);
    assert.equal(r.message, 'timed out after 2 s (in "returns")');
    assert.ok(r.seconds < 30, `took ${r.seconds} s`);
  });

  it("reports a task that ends the process with its exit code", () => {
    const r = result("99.quit");
    assert.deepEqual([r.status, r.earned], ["crashed", 0]);
    assert.equal(r.message, 'process exited with code 3 during "returns"');
  });

  it("includes hidden tests: a visible pass with a hidden failure earns nothing (all-or-nothing)", () => {
    const r = result("99.abs");
    assert.deepEqual([r.status, r.earned], ["failed", 0]);
    assert.match(r.message, /^abs\(-4\) should be 4/);
    assert.deepEqual(
      r.tests.map((t) => t.state),
      ["passed", "failed"],
    );
  });

  it("totals and formats the table, the HTML and the summary line", () => {
    assert.deepEqual(report.totals, { tasks: 6, passed: 1, points: 2, possible: 7 });
    assert.equal(summaryLine(report.totals), "grade: 1/6 tasks, 2/7 points");
    const text = formatText(report);
    assert.match(text, /^99\.spin +0\/1 +timed out +timed out after 2 s/m);
    assert.match(text, /^total +2\/7 +1\/6 passed$/m);
    assert.ok(text.endsWith("grade: 1/6 tasks, 2/7 points"));
    const html = formatHtml(report);
    assert.match(html, /^<table[^>]*>/);
    assert.ok(html.includes("<code>99.quit</code></td><td"));
    assert.ok(!html.includes('"returns"'), "quotes in messages are escaped");
  });

  it("without the hidden tests the same task passes", async () => {
    const visibleOnly = await gradeFolder({
      exerciseDir: EXERCISES,
      testRoots: [VISIBLE],
      selectors: ["99.abs"],
      timeoutSeconds: 10,
    });
    assert.deepEqual(
      visibleOnly.tasks.map((t) => [t.id, t.status, t.earned]),
      [["99.abs", "passed", 1]],
    );
  });
});

describe("grader: command line", function () {
  this.timeout(120_000);
  const cli = (args: string[]) =>
    spawnSync(process.execPath, ["-r", "tsx/cjs", path.join(REPO_ROOT, "tools/grade/cli.ts"), ...args], {
      cwd: REPO_ROOT,
      encoding: "utf8",
    });
  const out = path.join(os.tmpdir(), `grade-cli-${process.pid}.json`);
  const common = ["--dir", EXERCISES, "--tests", VISIBLE, "--timeout", "10", "--out", out];

  after(() => fs.rmSync(out, { force: true }));

  it("--format html prints only HTML on stdout; --expect full fails when a task fails", () => {
    const run = cli(["99.add", "99.todo", ...common, "--format", "html", "--expect", "full"]);
    assert.equal(run.status, 1, run.stderr);
    assert.match(run.stdout, /^<table[^>]*>[\s\S]*<\/p>\n$/);
    assert.match(run.stderr, /expected full marks, got grade: 1\/2 tasks, 2\/3 points/);
    const saved = JSON.parse(fs.readFileSync(out, "utf8")) as GradeReport;
    assert.deepEqual(saved.totals, { tasks: 2, passed: 1, points: 2, possible: 3 });
  });

  it("--expect zero holds for a stub and the last line counts tasks and points", () => {
    const run = cli(["99.todo", ...common, "--expect", "zero"]);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout.trimEnd().split("\n").pop(), "grade: 0/1 tasks, 0/1 points");
  });

  it("rejects unknown options with the usage", () => {
    const run = cli(["--format", "pdf"]);
    assert.equal(run.status, 2);
    assert.match(run.stderr, /--format pdf: use text, html or json[\s\S]*usage: npm run grade/);
  });
});

describe("grader: batch of submissions", function () {
  this.timeout(120_000);

  it("grades each student folder into one CSV; a crashing student does not stop the batch", async () => {
    const reportDir = fs.mkdtempSync(path.join(os.tmpdir(), "grade-batch-"));
    const batch = await gradeSubmissions(path.join(FIXTURE, "submissions"), {
      baseDir: EXERCISES,
      testRoots: [VISIBLE],
      selectors: ["99.add", "99.double"],
      timeoutSeconds: 10,
      reportDir,
    });
    assert.equal(
      batch.csv,
      [
        "student,99.add,99.double,total,note",
        "alice,2,1,3,",
        "bob,0,0,0,99.add: crashed; 99.double: crashed",
        "carol,0,0,0,no chapter files (NN-*.ts) found",
        "",
      ].join("\n"),
    );
    const bob = JSON.parse(fs.readFileSync(path.join(reportDir, "bob.json"), "utf8")) as GradeReport;
    assert.match(bob.tasks[0].message, /^process exited with code 1/);
    fs.rmSync(reportDir, { recursive: true });
  });
});

describe("grader: a submission runs as in the student release", function () {
  this.timeout(120_000);
  // A tiny course inside build/ (so tsx and mocha resolve): src/sq.ts holds the answer to 96.square, and
  // quad() outside the region calls it. In each student's scratch copy the region re-exports the student's
  // square, so the library answer cannot be handed in, and quad() reaches the student's own square.
  let root: string;
  const write = (file: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), text);
  };

  before(() => {
    fs.mkdirSync(path.join(REPO_ROOT, "build"), { recursive: true });
    root = fs.mkdtempSync(path.join(REPO_ROOT, "build", "grade-release-like-"));
    const harness = path.relative(
      path.join(root, "tests"),
      path.join(REPO_ROOT, "test", "exercises", "harness"),
    );
    write("package.json", JSON.stringify({ name: "fixture-lib" }));
    write(
      "src/sq.ts",
      "// @answer 96.square\nexport function square(x: number): number {\n  return x * x;\n}\n// @end-answer\n\n" +
        "export function quad(x: number): number {\n  return square(square(x));\n}\n",
    );
    write("src/index.ts", `export * from "./sq";\n`);
    write(
      "exercises/96-lib.ts",
      `const todo = (id: string) => Object.assign(new Error(id + " is not implemented"), { name: "NotImplemented" });\n` +
        `export function square(_x: number): number {\n  throw todo("96.square");\n}\n` +
        `export function fourth(_x: number): number {\n  throw todo("96.fourth");\n}\n`,
    );
    write(
      "tests/96-lib.tasks.ts",
      `import * as assert from "node:assert/strict";\nimport { loadChapter, task } from "${harness.split(path.sep).join("/")}";\n` +
        `const ch = loadChapter<{ square(x: number): number; fourth(x: number): number }>("96-lib");\n` +
        `task("96.square", 1, () => { it("squares", () => assert.equal(ch.square(3), 9)); });\n` +
        `task("96.fourth", 1, () => { it("raises to the 4th", () => assert.equal(ch.fourth(2), 16)); });\n`,
    );
    write(
      "submissions/honest/96-lib.ts",
      `import { quad } from "../src/sq";\nexport function square(x: number): number {\n  return x * x;\n}\n` +
        `export function fourth(x: number): number {\n  return quad(x);\n}\n`,
    );
    write(
      "submissions/lazy/96-lib.ts",
      `import { quad } from "fixture-lib";\nexport function square(x: number): number {\n  return x * x + 1;\n}\n` +
        `export function fourth(x: number): number {\n  return quad(x);\n}\n`,
    );
    write(
      "submissions/cheater/96-lib.ts",
      `export { square } from "../src/sq";\nimport { quad } from "fixture-lib";\n` +
        `export function fourth(x: number): number {\n  return quad(x);\n}\n`,
    );
  });

  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it("scores the honest student, and no one through the library's answer", async () => {
    const batch = await gradeSubmissions(path.join(root, "submissions"), {
      root,
      baseDir: path.join(root, "exercises"),
      testRoots: [path.join(root, "tests")],
      workDir: path.join(root, "work"),
      timeoutSeconds: 20,
    });
    assert.deepEqual(
      batch.students.map((s) => [s.student, ...s.results.map((r) => `${r.id}:${r.status}`)]),
      [
        ["cheater", "96.fourth:failed", "96.square:failed"],
        ["honest", "96.fourth:passed", "96.square:passed"],
        // quad() uses the lazy student's wrong square: 2 -> 5 -> 26, not the library's 16.
        ["lazy", "96.fourth:failed", "96.square:failed"],
      ],
    );
    const lazy = batch.students.find((s) => s.student === "lazy")!;
    assert.match(lazy.results[0].message, /26 !== 16/);
  });
});

describe("grader: type errors in the learner's terms", function () {
  this.timeout(120_000);

  it("shows file:line:column and the compiler's message instead of the loader's runtime error", async () => {
    const report = await gradeFolder({
      exerciseDir: path.join(FIXTURE, "typeerror", "exercises"),
      testRoots: [VISIBLE],
      selectors: ["99.add", "99.double"],
      timeoutSeconds: 20,
    });
    const add = report.tasks.find((t) => t.id === "99.add")!;
    assert.deepEqual([add.status, add.earned], ["failed", 0]);
    assert.equal(
      add.message,
      "does not type-check: exercises/99-fixture.ts:6:10 Module '\"../../../../../src/tokenizer/basics\"' declares " +
        "'utf8Encode' locally, but it is not exported. (and 1 more type error)",
    );
    assert.match(add.runtimeMessage ?? "", /utf8Encode.* is not a function/);
    // A task that passes at run time keeps its points; the type error is still listed.
    const double = report.tasks.find((t) => t.id === "99.double")!;
    assert.deepEqual([double.status, double.earned, double.message], ["passed", 1, ""]);
    assert.deepEqual(
      (report.typeErrors ?? []).map((e) => `${e.file}:${e.line}:${e.column}`),
      ["exercises/99-fixture.ts:6:10", "exercises/99-fixture.ts:13:3"],
    );
    assert.match(report.typeErrors![1].message, /Type 'number' is not assignable to type 'string'/);
    const text = formatText(report);
    assert.match(
      text,
      /^Type errors \(fix these first[^\n]*\n {2}exercises\/99-fixture\.ts:6:10 Module [^\n]*\n {2}exercises\/99-fixture\.ts:13:3 Type 'number' is not assignable to type 'string'\.\n/,
    );
    assert.match(formatHtml(report), /^<p [^>]*>Type errors[\s\S]*<pre[^>]*>exercises\/99-fixture\.ts:6:10 /);
  });

  it("does not type-check when nothing failed for a reason a type error could explain", async () => {
    const report = await gradeFolder({
      exerciseDir: EXERCISES,
      testRoots: [VISIBLE],
      selectors: ["99.add", "99.todo"],
      timeoutSeconds: 20,
    });
    assert.deepEqual(report.typeErrors, []);
  });
});
