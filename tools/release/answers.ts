/**
 * Answers to graded tasks, where they live, and how the student release removes and then hunts for them.
 *
 * Library answers sit in src/ between `// @answer NN.task` and `// @end-answer` comment lines; the release
 * replaces each region by a re-export of the same names from the chapter's exercise file, so the notebooks
 * keep calling `lm.bigramCounts` and get the learner's version. Solutions written in solutions/ (not re-exported
 * from src) are answers too. The scan normalises code (comments and whitespace removed) and looks for every
 * answer body, as TypeScript and as compiled JavaScript, in every file of the release.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import ts from "typescript";

export {
  type AnswerRegion,
  exportedNames,
  findAnswerRegions,
  moduleSpecifier,
  replaceAnswerRegions,
} from "../grade/regions";

/** `text` reduced to its tokens, comments and whitespace removed (the TypeScript scanner, so strings stay intact). */
export function normaliseCode(text: string): string {
  const scanner = ts.createScanner(ts.ScriptTarget.Latest, true, ts.LanguageVariant.Standard, text);
  let out = "";
  for (let kind = scanner.scan(); kind !== ts.SyntaxKind.EndOfFileToken; kind = scanner.scan()) {
    out += scanner.getTokenText();
  }
  return out;
}

/** `text` without any whitespace (for prose and data files, where a code scanner would misread the text). */
export function stripWhitespace(text: string): string {
  return text.replace(/\s+/g, "");
}

/** One answer body to hunt for, in its normalised forms. */
export interface AnswerBody {
  /** Where it came from: `src/lm/nll.ts @answer 01.nll: nll` or `solutions/02-x.ts: helper`. */
  origin: string;
  /** Normalised TypeScript body, and the same body compiled to JavaScript and normalised. */
  forms: string[];
}

/** Bodies shorter than this (normalised) are too generic to search for (`{return a+b;}`). */
export const MIN_BODY = 24;
/** Functions nested in an answer (callbacks, comparators) must be longer to count as an answer on their own. */
export const MIN_NESTED_BODY = 60;

/** Every function body (and top-level const initializer) inside `code`, with the name it belongs to. */
function bodiesOf(code: string, fileName: string): { name: string; text: string; nested: boolean }[] {
  const sf = ts.createSourceFile(fileName, code, ts.ScriptTarget.Latest, true);
  const found: { name: string; text: string; nested: boolean }[] = [];
  const nested = (n: ts.Node) => {
    for (let p = n.parent; p; p = p.parent) if (ts.isFunctionLike(p)) return true;
    return false;
  };
  const nameOf = (n: ts.Node): string => {
    for (let p: ts.Node | undefined = n; p; p = p.parent) {
      if ((ts.isFunctionDeclaration(p) || ts.isClassDeclaration(p) || ts.isMethodDeclaration(p)) && p.name) {
        return p.name.getText(sf);
      }
      if (ts.isVariableDeclaration(p)) return p.name.getText(sf);
    }
    return "(anonymous)";
  };
  const visit = (n: ts.Node) => {
    if (ts.isFunctionLike(n) && "body" in n && n.body) {
      found.push({ name: nameOf(n), text: n.body.getText(sf), nested: nested(n) });
    }
    if (ts.isClassDeclaration(n)) found.push({ name: nameOf(n), text: n.getText(sf), nested: nested(n) });
    if (ts.isVariableStatement(n) && n.parent === sf) {
      for (const d of n.declarationList.declarations) {
        if (d.initializer)
          found.push({ name: d.name.getText(sf), text: d.initializer.getText(sf), nested: false });
      }
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return found;
}

/** The answer bodies of one piece of answer code (a region, or a solution file), TS and compiled JS forms. */
export function answerBodies(code: string, origin: string): AnswerBody[] {
  const ts_ = bodiesOf(code, "answer.ts");
  const js = ts.transpileModule(code, {
    compilerOptions: { target: ts.ScriptTarget.ES2020, module: ts.ModuleKind.CommonJS, removeComments: true },
  }).outputText;
  const jsBodies = bodiesOf(js, "answer.js");
  const out: AnswerBody[] = [];
  ts_.forEach((b, i) => {
    const forms = [normaliseCode(b.text)];
    const compiled = jsBodies[i]?.name === b.name ? normaliseCode(jsBodies[i].text) : undefined;
    if (compiled && !forms.includes(compiled)) forms.push(compiled);
    const kept = forms.filter((f) => f.length >= (b.nested ? MIN_NESTED_BODY : MIN_BODY));
    if (kept.length) out.push({ origin: `${origin}: ${b.name}`, forms: kept });
  });
  return out;
}

/** Files worth scanning: text, not too large. */
function readText(file: string): string | undefined {
  const stat = fs.statSync(file);
  if (stat.size > 20 * 1024 * 1024) return undefined;
  const buf = fs.readFileSync(file);
  if (buf.subarray(0, 8000).includes(0)) return undefined;
  return buf.toString("utf8");
}

/** Fenced code blocks of Markdown text. */
function fencedBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^\s*(`{3,}|~{3,})[^\n]*\n([\s\S]*?)^\s*\1/gm)].map((m) => m[2]);
}

/** Prose: whitespace stripped, plus each fenced code block read as code. */
function proseViews(markdown: string): string[] {
  return [stripWhitespace(markdown), ...fencedBlocks(markdown).map(normaliseCode)];
}

/**
 * The normalised views of one file to search in: code read by the TypeScript scanner (comments and
 * whitespace dropped), prose and data with whitespace stripped; notebooks cell by cell (JSON escapes would
 * hide code from a plain search), Markdown cells and files with their fenced code blocks read as code.
 */
export function searchViews(file: string, text: string): string[] {
  if (file.endsWith(".ipynb")) {
    try {
      const nb = JSON.parse(text) as { cells?: { cell_type?: string; source?: string | string[] }[] };
      return (nb.cells ?? []).flatMap((c) => {
        const src = Array.isArray(c.source) ? c.source.join("") : (c.source ?? "");
        return c.cell_type === "code" ? [normaliseCode(src), stripWhitespace(src)] : proseViews(src);
      });
    } catch {
      // not JSON: fall through to the generic views
    }
  }
  if (/\.(md|markdown)$/i.test(file)) return proseViews(text);
  return [normaliseCode(text), stripWhitespace(text)];
}

/** Every file under `dir`, relative posix paths, not following links and skipping node_modules and .git. */
export function walkFiles(dir: string, skip = new Set(["node_modules", ".git"])): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory() && !skip.has(e.name)) walk(r);
      else if (e.isFile()) out.push(r);
    }
  };
  walk("");
  return out.sort();
}

/** A file of `root` that holds an answer body. */
export interface Leak {
  file: string;
  origin: string;
}

/** Searches every text file under `root` for every answer body; returns each (file, answer) found. */
export function scanForAnswers(root: string, answers: AnswerBody[]): Leak[] {
  const leaks: Leak[] = [];
  for (const file of walkFiles(root)) {
    const text = readText(path.join(root, file));
    if (text === undefined) continue;
    const haystacks = searchViews(file, text);
    for (const a of answers) {
      if (a.forms.some((f) => haystacks.some((h) => h.includes(f)))) leaks.push({ file, origin: a.origin });
    }
  }
  return leaks;
}
