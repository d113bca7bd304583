/**
 * `// @answer NN.task` … `// @end-answer` regions: where library answers to graded tasks sit in src/.
 *
 * The student release replaces each region by a re-export of the same names from the chapter's exercise file
 * (tools/release); batch grading does the same in each student's scratch copy of src/, so a submission runs
 * exactly as it would in the student's release (library calls reach the student's own functions).
 */
import * as path from "node:path";
import ts from "typescript";

/** One `// @answer ID` … `// @end-answer` region of a source file. */
export interface AnswerRegion {
  id: string;
  /** 0-based line numbers of the two marker lines. */
  startLine: number;
  endLine: number;
  /** Source text between the markers. */
  text: string;
  /** Names the region exports (functions, consts, classes, types). */
  names: string[];
  /** Indentation of the opening marker. */
  indent: string;
}

const START = /^(\s*)\/\/\s*@answer\s+(\S+)\s*$/;
const END = /^\s*\/\/\s*@end-answer\s*$/;
const TASK_ID = /^\d\d\.[A-Za-z]\w*$/;

/** The names exported by top-level declarations in `code` (`export function f`, `export const a, b`, …). */
export function exportedNames(code: string): string[] {
  const sf = ts.createSourceFile("region.ts", code, ts.ScriptTarget.Latest, true);
  const names: string[] = [];
  const exported = (n: ts.Node) =>
    ts.canHaveModifiers(n) && (ts.getModifiers(n) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
  for (const st of sf.statements) {
    if (!exported(st)) continue;
    if (
      (ts.isFunctionDeclaration(st) ||
        ts.isClassDeclaration(st) ||
        ts.isInterfaceDeclaration(st) ||
        ts.isTypeAliasDeclaration(st) ||
        ts.isEnumDeclaration(st)) &&
      st.name
    ) {
      if (!names.includes(st.name.text)) names.push(st.name.text); // overloads declare a name twice
    } else if (ts.isVariableStatement(st)) {
      for (const d of st.declarationList.declarations) {
        if (ts.isIdentifier(d.name)) names.push(d.name.text);
      }
    }
  }
  return names;
}

/** The @answer regions of one file; throws on an unterminated, nested or stray marker, or a bad id. */
export function findAnswerRegions(text: string, file: string): AnswerRegion[] {
  const lines = text.split("\n");
  const regions: AnswerRegion[] = [];
  let open: { id: string; line: number; indent: string } | undefined;
  lines.forEach((line, i) => {
    const start = START.exec(line);
    if (start) {
      if (open)
        throw new Error(
          `${file}:${i + 1}: @answer ${start[2]} inside @answer ${open.id} (line ${open.line + 1})`,
        );
      if (!TASK_ID.test(start[2]))
        throw new Error(`${file}:${i + 1}: @answer "${start[2]}" is not a task id like 01.name`);
      open = { id: start[2], line: i, indent: start[1] };
    } else if (END.test(line)) {
      if (!open) throw new Error(`${file}:${i + 1}: @end-answer without @answer`);
      const body = lines.slice(open.line + 1, i).join("\n");
      const names = exportedNames(body);
      if (names.length === 0) throw new Error(`${file}:${open.line + 1}: @answer ${open.id} exports nothing`);
      regions.push({ id: open.id, startLine: open.line, endLine: i, text: body, names, indent: open.indent });
      open = undefined;
    } else if (/\/\/\s*@(end-)?answer\b/.test(line) && /^\s*\/\//.test(line)) {
      throw new Error(
        `${file}:${i + 1}: malformed marker "${line.trim()}" (use "// @answer 01.name" / "// @end-answer")`,
      );
    }
  });
  if (open) throw new Error(`${file}:${open.line + 1}: @answer ${open.id} has no // @end-answer`);
  return regions;
}

/** A module specifier from `fromFile` to `toFile` (both relative to the same root), without `.ts`. */
export function moduleSpecifier(fromFile: string, toFile: string): string {
  let rel = path.posix.relative(path.posix.dirname(fromFile), toFile).replace(/\.ts$/, "");
  if (!rel.startsWith(".")) rel = `./${rel}`;
  return rel;
}

/**
 * Replaces each @answer region of `text` (the file at `file`, a root-relative posix path) by an import and
 * re-export of its names from `exerciseFor(id)` (a root-relative path such as `exercises/01-autoregressive.ts`),
 * with a comment telling the learner what to implement. The import also keeps the names in scope for the rest
 * of the file.
 */
export function replaceAnswerRegions(
  text: string,
  file: string,
  exerciseFor: (id: string) => string,
): string {
  const regions = findAnswerRegions(text, file);
  if (regions.length === 0) return text;
  const lines = text.split("\n");
  for (const r of [...regions].reverse()) {
    const exercise = exerciseFor(r.id);
    const names = r.names.join(", ");
    const replacement = [
      `${r.indent}// Exercise ${r.id}: implement ${r.names.map((n) => `\`${n}\``).join(", ")} in ${exercise}.`,
      `${r.indent}// This library re-exports your version; after editing it run \`npm run build\` and restart the kernel.`,
      `${r.indent}import { ${names} } from "${moduleSpecifier(file, exercise)}";`,
      `${r.indent}export { ${names} };`,
    ];
    lines.splice(r.startLine, r.endLine - r.startLine + 1, ...replacement);
  }
  return lines.join("\n");
}
