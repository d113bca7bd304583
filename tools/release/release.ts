/**
 * The student release: a copy of the course in which no file holds the answer to a graded task.
 *
 * `buildRelease` copies the tracked files (git ls-files) minus solutions/, hidden tests and instructor-only
 * tools, replaces every `// @answer` region of src/ by a re-export from the chapter's exercise file, points
 * type imports of solutions/ at exercises/, adds a README section for students, and links node_modules so the
 * copy runs in place (with `llm-ts` resolving to the release itself). `verifyRelease` builds and type-checks the
 * copy, scans it for every answer body, and runs its notebooks in student mode.
 */
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import ts from "typescript";
import {
  type AnswerBody,
  answerBodies,
  findAnswerRegions,
  type Leak,
  replaceAnswerRegions,
  scanForAnswers,
  walkFiles,
} from "./answers";

/** Paths (root-relative, posix) never shipped to students: answers, hidden tests, instructor tooling. */
export const EXCLUDED = [
  "solutions/",
  "grading/hidden/",
  "tools/release/",
  "test/tools/release/",
  "test/tools/grade/drift.test.ts",
  "test/fixtures/grade/drift/",
  ".ci/",
];

const CHAPTER_FILE = /^(\d\d)-[\w.-]+\.ts$/;

export function isExcluded(file: string): boolean {
  return EXCLUDED.some((e) => (e.endsWith("/") ? file.startsWith(e) : file === e));
}

/** Files to ship: tracked files that exist in the working tree (plus untracked, not ignored ones if asked). */
export function listSourceFiles(root: string, includeUntracked = false): string[] {
  const git = (args: string[]) =>
    execFileSync("git", ["ls-files", "-z", ...args], {
      cwd: root,
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
    })
      .split("\0")
      .filter(Boolean);
  const files = new Set(git([]));
  if (includeUntracked) git(["--others", "--exclude-standard"]).forEach((f) => files.add(f));
  return [...files]
    .filter((f) => fs.existsSync(path.join(root, f)) && fs.statSync(path.join(root, f)).isFile())
    .sort();
}

/** Maps a task id to its exercise file (`exercises/01-autoregressive.ts`) among `files`. */
export function exerciseResolver(files: string[]): (id: string) => string {
  return (id: string) => {
    const chapter = id.slice(0, 2);
    const hits = files.filter(
      (f) => f.startsWith("exercises/") && CHAPTER_FILE.exec(path.posix.basename(f))?.[1] === chapter,
    );
    if (hits.length !== 1) {
      throw new Error(
        `@answer ${id}: expected exactly one exercises/${chapter}-*.ts to re-export from, found ${hits.length ? hits.join(", ") : "none"}`,
      );
    }
    return hits[0];
  };
}

/** Rewrites module specifiers that reach into solutions/ (type imports in tests) to exercises/. */
export function pointAtExercises(text: string): string {
  return text.replace(/(["'])((?:\.\.?\/)+)solutions\/(\d\d-[\w.-]+)\1/g, "$1$2exercises/$3$1");
}

export const STUDENT_README = `## For students: how to work in this copy

This is the student copy of the course: the answers to the graded exercises are not in it.

- Write your answers in \`exercises/NN-topic.ts\`, replacing each \`throw new NotImplemented(...)\`.
- \`npm run grade\` grades all chapters, \`npm run grade -- 01\` one chapter: a table of points per task and a total
  (each task is all-or-nothing; a task that loops forever is stopped after 60 s). The exercise cell at the end
  of each notebook shows the same table.
- Some library functions the notebooks call (\`lm.bigramCounts\`, …) are exercises: \`src/\` re-exports them from
  your \`exercises/\` file (the comment there says which). Until you write them, a notebook cell that needs one
  stops with "Exercise NN.x is not implemented yet". After implementing a library exercise run
  \`npm run build\` and restart the notebook kernel, so the notebooks use your version.
- \`npm test\` also runs the graded exercise tests, which fail until you have written the exercises.

`;

/** Inserts the student section after the README's title (or makes a README holding only it). */
export function studentReadme(readme: string | undefined): string {
  if (!readme) return `# Building LLMs in TypeScript — student copy\n\n${STUDENT_README}`;
  const lines = readme.split("\n");
  const title = lines.findIndex((l) => l.startsWith("# "));
  if (title < 0) return STUDENT_README + readme;
  // After the title and its first paragraph.
  let at = title + 1;
  while (at < lines.length && lines[at].trim() === "") at++;
  while (at < lines.length && lines[at].trim() !== "") at++;
  return [...lines.slice(0, at), "", STUDENT_README.trimEnd(), ...lines.slice(at)].join("\n");
}

/** Links every entry of the repository's node_modules into the release, except `llm-ts`, which points at it. */
export function linkNodeModules(root: string, out: string, packageName: string): void {
  const from = path.join(root, "node_modules");
  const to = path.join(out, "node_modules");
  fs.rmSync(to, { recursive: true, force: true });
  fs.mkdirSync(to, { recursive: true });
  for (const entry of fs.existsSync(from) ? fs.readdirSync(from) : []) {
    if (entry === packageName) continue;
    fs.symlinkSync(path.join(from, entry), path.join(to, entry), "junction");
  }
  fs.symlinkSync("..", path.join(to, packageName), "junction");
}

export interface ReleaseResult {
  out: string;
  files: number;
  /** Each replaced region: file, task id, names. */
  regions: { file: string; id: string; names: string[] }[];
}

/** Writes the student release to `out` (deleted first). */
export function buildRelease(opts: { root: string; out: string; includeUntracked?: boolean }): ReleaseResult {
  const { root, out } = opts;
  const rel = path.relative(root, out);
  if (!rel || rel.startsWith("..") || path.isAbsolute(rel) || !rel.startsWith("build")) {
    throw new Error(
      `--out ${out}: the release must go under ${path.join(root, "build")} (it is deleted first)`,
    );
  }
  const files = listSourceFiles(root, opts.includeUntracked).filter(
    (f) => !isExcluded(f) && !f.startsWith(`${rel}/`),
  );
  const resolveExercise = exerciseResolver(files);
  // Transform first, so a bad marker or a missing exercise file stops the release before anything is written.
  const regions: ReleaseResult["regions"] = [];
  const transformed = new Map<string, string>();
  for (const f of files.filter((f) => f.endsWith(".ts"))) {
    let text = fs.readFileSync(path.join(root, f), "utf8");
    if (f.startsWith("src/")) {
      for (const r of findAnswerRegions(text, f)) regions.push({ file: f, id: r.id, names: r.names });
      text = replaceAnswerRegions(text, f, resolveExercise);
    }
    transformed.set(f, pointAtExercises(text));
  }
  fs.rmSync(out, { recursive: true, force: true });
  for (const f of files) {
    const dest = path.join(out, f);
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    const text = transformed.get(f);
    if (text === undefined) fs.copyFileSync(path.join(root, f), dest);
    else fs.writeFileSync(dest, text);
  }

  const pkgFile = path.join(out, "package.json");
  const pkg = JSON.parse(fs.readFileSync(pkgFile, "utf8")) as {
    name: string;
    scripts?: Record<string, string>;
  };
  if (pkg.scripts) delete pkg.scripts["release:student"];
  fs.writeFileSync(pkgFile, JSON.stringify(pkg, null, 2) + "\n");
  const readme = path.join(out, "README.md");
  fs.writeFileSync(
    readme,
    studentReadme(fs.existsSync(readme) ? fs.readFileSync(readme, "utf8") : undefined),
  );
  linkNodeModules(root, out, pkg.name);
  return { out, files: files.length, regions };
}

/** An answer that lives in src/ outside any @answer region: the release would ship it. */
export interface UnmarkedAnswer {
  chapter: string;
  name: string;
  file: string;
}

/**
 * Every answer body in the repository: the bodies inside src/ @answer regions and everything written in
 * solutions/. Also lists solutions that re-export from src/ a function that is not inside an @answer region
 * (while the stub declares its own): such an answer would ship in the release.
 */
export function collectAnswers(root: string): { answers: AnswerBody[]; unmarked: UnmarkedAnswer[] } {
  const answers: AnswerBody[] = [];
  const regionsByFile = new Map<string, { start: number; end: number }[]>();
  const srcDir = path.join(root, "src");
  const srcFiles = fs.existsSync(srcDir) ? walkFiles(srcDir).filter((f) => f.endsWith(".ts")) : [];
  for (const f of srcFiles) {
    const file = `src/${f}`;
    const text = fs.readFileSync(path.join(root, file), "utf8");
    const regions = findAnswerRegions(text, file);
    regionsByFile.set(
      path.join(root, file),
      regions.map((r) => ({ start: r.startLine, end: r.endLine })),
    );
    for (const r of regions) answers.push(...answerBodies(r.text, `${file} @answer ${r.id}`));
  }

  const solDir = path.join(root, "solutions");
  const chapters = fs.existsSync(solDir)
    ? fs
        .readdirSync(solDir)
        .filter((f) => CHAPTER_FILE.test(f))
        .sort()
    : [];
  for (const f of chapters) {
    answers.push(...answerBodies(fs.readFileSync(path.join(solDir, f), "utf8"), `solutions/${f}`));
  }

  const unmarked: UnmarkedAnswer[] = [];
  const pairs = chapters.filter((f) => fs.existsSync(path.join(root, "exercises", f)));
  if (pairs.length > 0) {
    const program = ts.createProgram(
      pairs.flatMap((f) => [path.join(solDir, f), path.join(root, "exercises", f)]),
      // Only symbols are needed (where each export is declared): no default lib, no global types.
      { noEmit: true, noLib: true, types: [], skipLibCheck: true, module: ts.ModuleKind.CommonJS },
    );
    const checker = program.getTypeChecker();
    const exportsOf = (file: string) => {
      const sf = program.getSourceFile(file);
      const mod = sf && checker.getSymbolAtLocation(sf);
      return new Map((mod ? checker.getExportsOfModule(mod) : []).map((s) => [s.name, s]));
    };
    for (const f of pairs) {
      const stub = exportsOf(path.join(root, "exercises", f));
      for (const [name, sym] of exportsOf(path.join(solDir, f))) {
        if (!(sym.flags & ts.SymbolFlags.Alias)) continue; // written in solutions/: scanned above
        const stubSym = stub.get(name);
        if (stubSym && stubSym.flags & ts.SymbolFlags.Alias) continue; // a helper both re-export, not an answer
        const target = checker.getAliasedSymbol(sym);
        if (!(target.flags & ts.SymbolFlags.Value)) continue; // types are not answers
        for (const decl of target.declarations ?? []) {
          const sf = decl.getSourceFile();
          const line = sf.getLineAndCharacterOfPosition(decl.getStart()).line;
          const inRegion = (regionsByFile.get(path.resolve(sf.fileName)) ?? []).some(
            (r) => line > r.start && line < r.end,
          );
          if (!inRegion) unmarked.push({ chapter: f, name, file: path.relative(root, sf.fileName) });
        }
      }
    }
  }
  return { answers, unmarked };
}

export interface VerifyStep {
  name: string;
  ok: boolean;
  detail: string;
}

function runStep(
  name: string,
  cmd: string,
  args: string[],
  cwd: string,
  env?: NodeJS.ProcessEnv,
): VerifyStep {
  const r = spawnSync(cmd, args, {
    cwd,
    encoding: "utf8",
    env: env ?? process.env,
    maxBuffer: 64 * 1024 * 1024,
  });
  const output = `${r.stdout ?? ""}${r.stderr ?? ""}`.trim();
  const tail = output.split("\n").slice(-25).join("\n");
  return {
    name,
    ok: r.status === 0,
    detail: r.status === 0 ? tail.split("\n").slice(-3).join("\n") : tail || String(r.error),
  };
}

/**
 * Checks the release: (b) it builds (dist/) and type-checks, (a) no file holds an answer body (dist/ included)
 * and no answer is left unmarked in src/, (c) its notebooks run in student mode (`npm run course -- --student`),
 * when the course runner and notebooks exist and `notebooks` is not false.
 */
export function verifyRelease(opts: {
  root: string;
  out: string;
  notebooks?: boolean;
  onStep?: (s: VerifyStep) => void;
}): { steps: VerifyStep[]; leaks: Leak[] } {
  const { root, out } = opts;
  const steps: VerifyStep[] = [];
  const step = (s: VerifyStep) => {
    steps.push(s);
    opts.onStep?.(s);
  };
  const tsc = require.resolve("typescript/bin/tsc", { paths: [root, __dirname] });
  step(
    runStep("build (tsc -p tsconfig.build.json)", process.execPath, [tsc, "-p", "tsconfig.build.json"], out),
  );
  step(runStep("type-check (tsc --noEmit)", process.execPath, [tsc, "-p", "tsconfig.json", "--noEmit"], out));

  const { answers, unmarked } = collectAnswers(root);
  step({
    name: "answers marked",
    ok: unmarked.length === 0,
    detail: unmarked.length
      ? unmarked
          .map(
            (u) => `solutions/${u.chapter} re-exports ${u.name} from ${u.file} outside any // @answer region`,
          )
          .join("\n")
      : `${answers.length} answer bodies collected`,
  });
  const leaks = scanForAnswers(out, answers);
  const excluded = walkFiles(out).filter(isExcluded);
  step({
    name: "no answers in the release",
    ok: leaks.length === 0 && excluded.length === 0,
    detail:
      [
        ...leaks.map((l) => `${l.file} holds the answer ${l.origin}`),
        ...excluded.map((f) => `${f} must not ship`),
      ].join("\n") ||
      `searched ${walkFiles(out).length} files for ${answers.length} answer bodies: none found`,
  });

  const notebooks = fs.existsSync(path.join(out, "notebooks"))
    ? fs.readdirSync(path.join(out, "notebooks")).filter((f) => f.endsWith(".ipynb"))
    : [];
  if (
    opts.notebooks !== false &&
    fs.existsSync(path.join(out, "tools", "course", "cli.ts")) &&
    notebooks.length > 0
  ) {
    const npm = process.platform === "win32" ? "npm.cmd" : "npm";
    step(
      runStep(
        "notebooks (npm run course -- --student)",
        npm,
        ["run", "-s", "course", "--", "--student"],
        out,
        {
          ...process.env,
          LLM_QUICK: process.env.LLM_QUICK ?? "1",
        },
      ),
    );
  }
  return { steps, leaks };
}
