/**
 * Stubs and solutions cannot drift: for every `exercises/NN-*.ts`, `solutions/NN-*.ts` must export exactly the
 * same names with the same types (compared as strings through the TypeScript checker, parameter names
 * ignored), and every stub function must throw `NotImplemented("NN.task", …)` naming a task that has a test.
 * (That no task scores on the untouched stubs is proven by running them: `npm run grade -- --expect zero`.)
 * Exercise tests must reach chapter code only through `loadChapter` (type-only imports of solutions/ are fine).
 *
 * Learners fill in the stubs, and that must not turn `npm test` red: outside CI the stubs checked are the
 * PRISTINE ones — a stub in which some function no longer throws NotImplemented is checked in its newest
 * committed version that still does (`pristineStubs`). CI (`CI` or `LLM_INSTRUCTOR` set) checks the files as
 * they are, so a stub committed without its `throw` still fails there.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import ts from "typescript";
import { discoverTasks, listTsFiles } from "./tasks";
import { compilerOptionsOf } from "./typecheck";

export interface DriftOptions {
  exercisesDir: string;
  solutionsDir: string;
  /** Folders of exercise tests (task declarations). */
  testRoots: string[];
  /** tsconfig.json whose compiler options are used (default: the repository's). */
  tsconfig?: string;
  /** Options that override the tsconfig's (e.g. `{ types: [] }` for a self-contained fixture: faster). */
  compilerOptions?: ts.CompilerOptions;
  /** The text to check for a stub file instead of what is on disk (its pristine version); undefined = disk. */
  stubText?: (file: string) => string | undefined;
}

/** Whether every exported function of a stub's text still throws NotImplemented (no answer written yet). */
export function looksPristine(text: string): boolean {
  const sf = ts.createSourceFile("stub.ts", text, ts.ScriptTarget.Latest, true);
  return stubFunctions(sf).every(({ node }) => notImplementedIds(node).length > 0);
}

/**
 * The newest committed version of `file` that looks pristine (every function throws NotImplemented), read from
 * git history (`git log` + `git show`); undefined without git or without such a version.
 */
export function pristineFromGit(root: string, file: string): string | undefined {
  const rel = path.relative(root, file).split(path.sep).join("/");
  const log = spawnSync("git", ["log", "--format=%H", "--", rel], { cwd: root, encoding: "utf8" });
  if (log.status !== 0) return undefined;
  for (const commit of log.stdout.split("\n").filter(Boolean)) {
    const shown = spawnSync("git", ["show", `${commit}:${rel}`], {
      cwd: root,
      encoding: "utf8",
      maxBuffer: 1 << 26,
    });
    if (shown.status === 0 && looksPristine(shown.stdout)) return shown.stdout;
  }
  return undefined;
}

/** Where the stub text checked came from. */
export type PristineSource = "file" | "history" | "unavailable";

/**
 * The pristine text of each stub in `exercisesDir`: the file itself while every function still throws
 * NotImplemented (`file`; also an instructor's edit), else — the learner has written answers — the newest such
 * version from `history` (git by default: `history`), or nothing (`unavailable`: the caller skips it).
 */
export function pristineStubs(
  exercisesDir: string,
  history: (file: string) => string | undefined,
): Map<string, { source: PristineSource; text?: string }> {
  const out = new Map<string, { source: PristineSource; text?: string }>();
  for (const f of chapterFiles(exercisesDir)) {
    const file = path.resolve(exercisesDir, f);
    if (looksPristine(fs.readFileSync(file, "utf8"))) out.set(file, { source: "file" });
    else {
      const text = history(file);
      out.set(file, text !== undefined ? { source: "history", text } : { source: "unavailable" });
    }
  }
  return out;
}

const CHAPTER_FILE = /^(\d\d)-[\w.-]+\.ts$/;

function chapterFiles(dir: string): string[] {
  return fs.existsSync(dir)
    ? fs
        .readdirSync(dir)
        .filter((f) => CHAPTER_FILE.test(f))
        .sort()
    : [];
}

const FLAGS = ts.TypeFormatFlags.NoTruncation;

/** A type as text, with functions written by parameter types only (stubs may name parameters `_x`). */
function typeText(checker: ts.TypeChecker, type: ts.Type, depth = 0): string {
  const calls = type.getCallSignatures();
  const ctors = type.getConstructSignatures();
  const sig = (s: ts.Signature, kind: string) => {
    const params = s.getParameters().map((p) => {
      const decl = p.valueDeclaration;
      const rest = decl && ts.isParameter(decl) && decl.dotDotDotToken ? "..." : "";
      const optional = decl && ts.isParameter(decl) && (decl.questionToken || decl.initializer) ? "?" : "";
      let text = checker.typeToString(checker.getTypeOfSymbol(p), undefined, FLAGS);
      // `x?: T` reads as `T | undefined`, `x = v` as `T`: the same parameter to a caller.
      if (optional) text = text.replace(/ \| undefined$/, "");
      return `${rest}${optional}: ${text}`;
    });
    const tps = s.getTypeParameters()?.length ?? 0;
    return `${kind}${tps ? `<${tps}>` : ""}(${params.join(", ")}) => ${checker.typeToString(s.getReturnType(), undefined, FLAGS)}`;
  };
  if (calls.length + ctors.length > 0) {
    return [...calls.map((s) => sig(s, "")), ...ctors.map((s) => sig(s, "new "))].join(" & ");
  }
  const text = checker.typeToString(type, undefined, FLAGS);
  // Private and protected members are implementation details a stub need not share.
  const props = type.getProperties().filter((p) => {
    if (p.name.startsWith("#")) return false;
    const decl = p.valueDeclaration ?? p.declarations?.[0];
    return (
      !decl || !(ts.getCombinedModifierFlags(decl) & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected))
    );
  });
  if (depth > 0 || props.length === 0 || !(type.flags & ts.TypeFlags.Object)) return text;
  // Named object types print as their name only: spell out their members one level deep.
  const members = props.map((p) => {
    const optional = p.flags & ts.SymbolFlags.Optional ? "?" : "";
    return `${p.name}${optional}: ${typeText(checker, checker.getTypeOfSymbol(p), depth + 1)}`;
  });
  return `${text} { ${members.join("; ")} }`;
}

/** What one export is, as text: its value type and/or declared type. */
function exportText(checker: ts.TypeChecker, symbol: ts.Symbol): string {
  const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
  const parts: string[] = [];
  if (target.flags & ts.SymbolFlags.Value)
    parts.push(`value ${typeText(checker, checker.getTypeOfSymbol(target))}`);
  if (target.flags & (ts.SymbolFlags.Type | ts.SymbolFlags.Class)) {
    parts.push(`type ${typeText(checker, checker.getDeclaredTypeOfSymbol(target))}`);
  }
  return parts.join(" | ");
}

/** The task ids named by `throw new NotImplemented("…")` anywhere inside `node`. */
function notImplementedIds(node: ts.Node): string[] {
  const ids: string[] = [];
  const visit = (n: ts.Node) => {
    if (
      ts.isThrowStatement(n) &&
      n.expression &&
      ts.isNewExpression(n.expression) &&
      ts.isIdentifier(n.expression.expression) &&
      n.expression.expression.text === "NotImplemented"
    ) {
      const first = n.expression.arguments?.[0];
      ids.push(first && ts.isStringLiteralLike(first) ? first.text : "<not a string literal>");
    }
    ts.forEachChild(n, visit);
  };
  visit(node);
  return ids;
}

/** Exported functions declared in the stub file itself (re-exported helpers are not stubs). */
function stubFunctions(sf: ts.SourceFile): { name: string; node: ts.Node }[] {
  const isExported = (n: ts.Node) =>
    ts.canHaveModifiers(n) && (ts.getModifiers(n) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
  const out: { name: string; node: ts.Node }[] = [];
  for (const st of sf.statements) {
    if (ts.isFunctionDeclaration(st) && st.name && st.body && isExported(st))
      out.push({ name: st.name.text, node: st });
    if (ts.isVariableStatement(st) && isExported(st)) {
      for (const d of st.declarationList.declarations) {
        const init = d.initializer;
        if (ts.isIdentifier(d.name) && init && (ts.isArrowFunction(init) || ts.isFunctionExpression(init))) {
          out.push({ name: d.name.text, node: init });
        }
      }
    }
  }
  return out;
}

/** Runtime imports of chapter files (solutions/ or exercises/) from a test file: they bypass loadChapter. */
function runtimeChapterImports(file: string): string[] {
  const sf = ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
  const bad: string[] = [];
  const chapterPath = /(^|\/)(solutions|exercises)\/\d\d-/;
  const visit = (n: ts.Node) => {
    if (
      ts.isImportDeclaration(n) &&
      ts.isStringLiteral(n.moduleSpecifier) &&
      chapterPath.test(n.moduleSpecifier.text)
    ) {
      const clause = n.importClause;
      const typeOnly =
        clause?.isTypeOnly ||
        (clause && !clause.name && clause.namedBindings && ts.isNamedImports(clause.namedBindings)
          ? clause.namedBindings.elements.every((e) => e.isTypeOnly)
          : false);
      if (!typeOnly) bad.push(n.moduleSpecifier.text);
    }
    if (
      ts.isCallExpression(n) &&
      (n.expression.kind === ts.SyntaxKind.ImportKeyword ||
        (ts.isIdentifier(n.expression) && n.expression.text === "require")) &&
      n.arguments[0] &&
      ts.isStringLiteralLike(n.arguments[0]) &&
      chapterPath.test(n.arguments[0].text)
    ) {
      bad.push(n.arguments[0].text);
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return bad;
}

/** All drift problems, one line each (empty when stubs, solutions and tests agree). */
export function checkDrift(opts: DriftOptions): string[] {
  const problems: string[] = [];
  const rel = (f: string) => path.relative(process.cwd(), f) || f;
  const stubs = chapterFiles(opts.exercisesDir);
  const sols = chapterFiles(opts.solutionsDir);
  for (const f of sols.filter((s) => !stubs.includes(s))) {
    problems.push(`${rel(path.join(opts.solutionsDir, f))}: no matching exercises/${f} stub file`);
  }
  const pairs = stubs.filter((f) => {
    if (sols.includes(f)) return true;
    problems.push(`${rel(path.join(opts.exercisesDir, f))}: no matching solutions/${f}`);
    return false;
  });

  const tasks = discoverTasks(opts.testRoots);
  const taskIds = new Set(tasks.map((t) => t.id));
  for (const root of opts.testRoots) {
    for (const file of listTsFiles(root)) {
      for (const spec of runtimeChapterImports(file)) {
        problems.push(
          `${rel(file)}: imports "${spec}" at run time; load chapters with loadChapter() instead`,
        );
      }
    }
  }
  if (pairs.length === 0) return problems;

  const files = pairs.flatMap((f) => [path.join(opts.exercisesDir, f), path.join(opts.solutionsDir, f)]);
  const tsconfig = opts.tsconfig ?? path.resolve(__dirname, "..", "..", "tsconfig.json");
  const options = { ...compilerOptionsOf(tsconfig), ...opts.compilerOptions };
  const host = ts.createCompilerHost(options);
  if (opts.stubText) {
    const override = new Map<string, string>();
    for (const f of pairs) {
      const file = path.resolve(opts.exercisesDir, f);
      const text = opts.stubText(file);
      if (text !== undefined) override.set(file, text);
    }
    const readFile = host.readFile.bind(host);
    const getSourceFile = host.getSourceFile.bind(host);
    host.readFile = (file) => override.get(path.resolve(file)) ?? readFile(file);
    host.getSourceFile = (file, languageVersion, onError, shouldCreate) => {
      const text = override.get(path.resolve(file));
      return text !== undefined
        ? ts.createSourceFile(file, text, languageVersion, true)
        : getSourceFile(file, languageVersion, onError, shouldCreate);
    };
  }
  const program = ts.createProgram(files, options, host);
  const checker = program.getTypeChecker();

  for (const f of pairs) {
    const stubPath = path.join(opts.exercisesDir, f);
    const solPath = path.join(opts.solutionsDir, f);
    const chapter = CHAPTER_FILE.exec(f)![1];
    const exportsOf = (file: string) => {
      const sf = program.getSourceFile(file)!;
      const syntax = program.getSyntacticDiagnostics(sf);
      if (syntax.length) {
        problems.push(`${rel(file)}: ${ts.flattenDiagnosticMessageText(syntax[0].messageText, " ")}`);
      }
      const mod = checker.getSymbolAtLocation(sf);
      return { sf, exports: new Map((mod ? checker.getExportsOfModule(mod) : []).map((s) => [s.name, s])) };
    };
    const stub = exportsOf(stubPath);
    const sol = exportsOf(solPath);
    for (const name of stub.exports.keys()) {
      if (!sol.exports.has(name)) problems.push(`${rel(solPath)}: does not export "${name}" (the stub does)`);
    }
    for (const [name, solSym] of sol.exports) {
      const stubSym = stub.exports.get(name);
      if (!stubSym) {
        problems.push(`${rel(stubPath)}: does not export "${name}" (the solution does)`);
        continue;
      }
      const a = exportText(checker, stubSym);
      const b = exportText(checker, solSym);
      if (a !== b) problems.push(`${rel(stubPath)}: "${name}" has type ${a} but the solution's is ${b}`);
    }

    for (const { name, node } of stubFunctions(stub.sf)) {
      const ids = notImplementedIds(node);
      if (ids.length === 0) problems.push(`${rel(stubPath)}: stub "${name}" does not throw NotImplemented`);
      for (const id of ids) {
        if (!taskIds.has(id)) {
          problems.push(
            `${rel(stubPath)}: stub "${name}" throws NotImplemented("${id}") but no test declares task ${id}`,
          );
        } else if (!id.startsWith(`${chapter}.`)) {
          problems.push(`${rel(stubPath)}: stub "${name}" names task ${id} of another chapter`);
        }
      }
    }
  }
  return problems;
}
