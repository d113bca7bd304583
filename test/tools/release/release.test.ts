// The student release on a small fixture repository (a temp git repo): answer regions become re-exports,
// answers written in solutions/ and in src/ regions are collected, and the scan finds a leaked answer in a
// notebook, a Markdown file or compiled JavaScript, naming the file.
import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  answerBodies,
  findAnswerRegions,
  moduleSpecifier,
  normaliseCode,
  replaceAnswerRegions,
  scanForAnswers,
} from "../../../tools/release/answers";
import {
  buildRelease,
  collectAnswers,
  exerciseResolver,
  pointAtExercises,
  studentReadme,
  verifyRelease,
} from "../../../tools/release/release";

describe("release: @answer regions", () => {
  const src = [
    `import { helper } from "./helper";`,
    ``,
    `// @answer 97.square`,
    `/** Squares. */`,
    `export function square(x: number): number {`,
    `  return x * x;`,
    `}`,
    `export const TWICE = (x: number): number => 2 * x;`,
    `// @end-answer`,
    ``,
    `export function uses(x: number): number {`,
    `  return square(x) + helper(x);`,
    `}`,
  ].join("\n");

  it("finds a region's id, lines and exported names", () => {
    const [r] = findAnswerRegions(src, "src/math/square.ts");
    assert.deepEqual([r.id, r.startLine, r.endLine, r.names], ["97.square", 2, 8, ["square", "TWICE"]]);
  });

  it("replaces it by an import and re-export from the exercise file, keeping the names in scope", () => {
    const out = replaceAnswerRegions(src, "src/math/square.ts", () => "exercises/97-fixture.ts");
    assert.equal(
      out,
      [
        `import { helper } from "./helper";`,
        ``,
        "// Exercise 97.square: implement `square`, `TWICE` in exercises/97-fixture.ts.",
        "// This library re-exports your version; after editing it run `npm run build` and restart the kernel.",
        `import { square, TWICE } from "../../exercises/97-fixture";`,
        `export { square, TWICE };`,
        ``,
        `export function uses(x: number): number {`,
        `  return square(x) + helper(x);`,
        `}`,
      ].join("\n"),
    );
  });

  it("refuses malformed regions", () => {
    assert.throws(
      () => findAnswerRegions("// @answer 97.a\nexport const a = 1;\n", "f.ts"),
      /f\.ts:1: @answer 97\.a has no/,
    );
    assert.throws(
      () => findAnswerRegions("// @answer 97.a\n// @answer 97.b\n// @end-answer\n", "f.ts"),
      /f\.ts:2: @answer 97\.b inside @answer 97\.a/,
    );
    assert.throws(
      () => findAnswerRegions("// @end-answer\n", "f.ts"),
      /f\.ts:1: @end-answer without @answer/,
    );
    assert.throws(() => findAnswerRegions("// @answer square\n// @end-answer\n", "f.ts"), /is not a task id/);
    assert.throws(
      () => findAnswerRegions("// @answer 97.a\nconst a = 1;\n// @end-answer\n", "f.ts"),
      /exports nothing/,
    );
  });

  it("computes relative module paths and points solutions/ type imports at exercises/", () => {
    assert.equal(
      moduleSpecifier("src/lm/nll.ts", "exercises/01-autoregressive.ts"),
      "../../exercises/01-autoregressive",
    );
    assert.equal(moduleSpecifier("index.ts", "exercises/01-a.ts"), "./exercises/01-a");
    assert.equal(
      pointAtExercises(
        `loadChapter<typeof import("../../solutions/01-autoregressive")>("01-autoregressive")`,
      ),
      `loadChapter<typeof import("../../exercises/01-autoregressive")>("01-autoregressive")`,
    );
  });

  it("re-exports from the one exercise file of the task's chapter, or refuses", () => {
    const resolve = exerciseResolver([
      "exercises/01-a.ts",
      "exercises/03-b.ts",
      "exercises/03-c.ts",
      "src/x.ts",
    ]);
    assert.equal(resolve("01.x"), "exercises/01-a.ts");
    assert.throws(
      () => resolve("02.x"),
      /@answer 02\.x: expected exactly one exercises\/02-\*\.ts to re-export from, found none/,
    );
    assert.throws(() => resolve("03.x"), /found exercises\/03-b\.ts, exercises\/03-c\.ts/);
  });

  it("normalises code without comments and whitespace but keeps strings", () => {
    assert.equal(normaliseCode(`{ // c\n  return /* x */ a  +  "b  c";\n}`), `{returna+"b  c";}`);
  });

  it("collects every function body of an answer, as TypeScript and as compiled JavaScript", () => {
    const bodies = answerBodies(
      `export function mean(xs: number[]): number {\n  let s: number = 0;\n  for (const x of xs) s += x;\n  return s / xs.length;\n}`,
      "solutions/97-x.ts",
    );
    assert.equal(bodies.length, 1);
    assert.equal(bodies[0].origin, "solutions/97-x.ts: mean");
    assert.deepEqual(bodies[0].forms, [
      "{lets:number=0;for(constxofxs)s+=x;returns/xs.length;}",
      "{lets=0;for(constxofxs)s+=x;returns/xs.length;}",
    ]);
  });

  it("puts the student section after the README's title paragraph", () => {
    const out = studentReadme("# Title\n\nIntro line one\nline two.\n\n## Setup\n");
    assert.match(
      out,
      /^# Title\n\nIntro line one\nline two\.\n\n## For students: how to work in this copy\n[\s\S]*\n\n## Setup\n$/,
    );
  });
});

describe("release: a fixture repository", function () {
  this.timeout(120_000);
  let root: string;
  let out: string;
  const write = (file: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), text);
  };
  const CUBE_BODY = "{\n  const squared = x * x;\n  return squared * x;\n}";
  const SQUARE =
    "export function square(x: number): number {\n  const product = x * x;\n  return product + 0;\n}";

  before(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "release-fixture-"));
    write(
      "package.json",
      JSON.stringify({ name: "fixture-lib", scripts: { "release:student": "x", grade: "y" } }),
    );
    write("README.md", "# Fixture\n\nA fixture course.\n");
    write(
      "tsconfig.json",
      JSON.stringify({
        compilerOptions: {
          strict: true,
          module: "commonjs",
          target: "ES2020",
          types: [],
          rootDir: ".",
          outDir: "dist",
        },
        include: ["src", "exercises", "test"],
      }),
    );
    write(
      "tsconfig.build.json",
      JSON.stringify({ extends: "./tsconfig.json", include: ["src", "exercises"] }),
    );
    write("src/errors.ts", `export class NotImplemented extends Error {}\n`);
    write(
      "src/math.ts",
      `// @answer 97.square\n${SQUARE}\n// @end-answer\n\nexport function half(x: number): number {\n  return x / 2;\n}\n`,
    );
    write(
      "exercises/97-fixture.ts",
      `import { NotImplemented } from "../src/errors";\nexport { half } from "../src/math";\n` +
        `export function square(_x: number): number {\n  throw new NotImplemented("97.square");\n}\n` +
        `export function cube(_x: number): number {\n  throw new NotImplemented("97.cube");\n}\n`,
    );
    write(
      "solutions/97-fixture.ts",
      `export { half, square } from "../src/math";\nexport function cube(x: number): number ${CUBE_BODY}\n`,
    );
    write(
      "test/exercises/97-fixture.test.ts",
      `type Ch = typeof import("../../solutions/97-fixture");\nexport const check = (c: Ch): number => c.cube(2);\n`,
    );
    write("grading/hidden/97-fixture.test.ts", `export const hidden = 1;\n`);
    write(
      "notebooks/97-fixture.ipynb",
      JSON.stringify({ cells: [{ cell_type: "markdown", source: ["# Cubes\n"] }] }),
    );
    write(".gitignore", "build/\ndist/\nnode_modules/\n");
    const git = (...args: string[]) => execFileSync("git", args, { cwd: root, stdio: "pipe" });
    git("init", "-q");
    git("add", "-A");
    git("-c", "user.email=fixture@example.org", "-c", "user.name=fixture", "commit", "-q", "-m", "fixture");
    out = path.join(root, "build", "student");
  });

  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it("copies the tracked files minus solutions/ and hidden tests, with answers replaced", () => {
    const release = buildRelease({ root, out });
    assert.deepEqual(release.regions, [{ file: "src/math.ts", id: "97.square", names: ["square"] }]);
    assert.ok(!fs.existsSync(path.join(out, "solutions")));
    assert.ok(!fs.existsSync(path.join(out, "grading", "hidden")));
    const math = fs.readFileSync(path.join(out, "src", "math.ts"), "utf8");
    assert.match(math, /^\/\/ Exercise 97\.square: implement `square` in exercises\/97-fixture\.ts\./);
    assert.match(math, /import \{ square \} from "\.\.\/exercises\/97-fixture";\nexport \{ square \};/);
    assert.ok(math.includes("export function half"), "code outside the region stays");
    const test = fs.readFileSync(path.join(out, "test", "exercises", "97-fixture.test.ts"), "utf8");
    assert.ok(test.includes(`import("../../exercises/97-fixture")`));
    const pkg = JSON.parse(fs.readFileSync(path.join(out, "package.json"), "utf8"));
    assert.deepEqual(pkg.scripts, { grade: "y" });
    assert.match(
      fs.readFileSync(path.join(out, "README.md"), "utf8"),
      /## For students: how to work in this copy/,
    );
    assert.equal(fs.readlinkSync(path.join(out, "node_modules", "fixture-lib")), "..");
  });

  it("collects answers from src/ regions and from solutions/ and finds none in the release", () => {
    const { answers, unmarked } = collectAnswers(root);
    assert.deepEqual(
      answers.map((a) => a.origin),
      ["src/math.ts @answer 97.square: square", "solutions/97-fixture.ts: cube"],
    );
    assert.deepEqual(unmarked, []);
    assert.deepEqual(scanForAnswers(out, answers), []);
  });

  it("builds and type-checks the release and reports it clean", () => {
    const { steps, leaks } = verifyRelease({ root, out, notebooks: false });
    assert.deepEqual(
      steps.map((s) => [s.name, s.ok]),
      [
        ["build (tsc -p tsconfig.build.json)", true],
        ["type-check (tsc --noEmit)", true],
        ["answers marked", true],
        ["no answers in the release", true],
      ],
      steps.map((s) => s.detail).join("\n"),
    );
    assert.deepEqual(leaks, []);
    assert.ok(fs.existsSync(path.join(out, "dist", "src", "math.js")));
  });

  it("catches a leaked answer in a notebook, in Markdown and in compiled JavaScript, naming the file", () => {
    const { answers } = collectAnswers(root);
    // The solution's cube, reformatted and commented, in a notebook code cell (JSON-escaped on disk).
    const cell =
      "function cube(x) {\n    const squared = x*x;   // square first\n    return squared * x;\n}\n";
    fs.writeFileSync(
      path.join(out, "notebooks", "97-fixture.ipynb"),
      JSON.stringify({ cells: [{ cell_type: "code", source: cell.split(/(?<=\n)/) }] }),
    );
    fs.writeFileSync(path.join(out, "NOTES.md"), `Hint:\n\n\`\`\`ts\n${SQUARE}\n\`\`\`\n`);
    fs.writeFileSync(
      path.join(out, "dist", "leak.js"),
      "function square(x) {\n  const product = x * x;\n  return product + 0;\n}\n",
    );
    assert.deepEqual(
      scanForAnswers(out, answers)
        .map((l) => `${l.file} <- ${l.origin}`)
        .sort(),
      [
        "NOTES.md <- src/math.ts @answer 97.square: square",
        "dist/leak.js <- src/math.ts @answer 97.square: square",
        "notebooks/97-fixture.ipynb <- solutions/97-fixture.ts: cube",
      ],
    );
  });

  it("flags a solution that re-exports an answer from src/ outside any @answer region", () => {
    fs.writeFileSync(
      path.join(root, "solutions", "97-fixture.ts"),
      `export { square } from "../src/math";\nexport { half as cube } from "../src/math";\nexport { half } from "../src/math";\n`,
    );
    const { unmarked } = collectAnswers(root);
    assert.deepEqual(unmarked, [{ chapter: "97-fixture.ts", name: "cube", file: "src/math.ts" }]);
  });
});
