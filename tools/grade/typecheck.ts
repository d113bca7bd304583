/**
 * Type-checks the learner's chapter files before grading, so that a mistake the compiler can name (a helper
 * that is not imported, a wrong argument type) is shown in the learner's terms — `exercises/02-tokenization.ts:18:
 * Module '"../src/tokenizer/basics"' has no exported member 'utf8Encode'.` — instead of the runtime error that
 * the type-stripping loader produces later (`(0 , import_basics.utf8Encode) is not a function`).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import ts from "typescript";

/** One compiler error in a learner's file. */
export interface TypeError {
  /** The file, relative to the folder the grader reports from (`exercises/02-tokenization.ts`). */
  file: string;
  line: number;
  column: number;
  message: string;
}

/** The compiler options of `tsconfig` (the repository's tsconfig.json), for checking only. */
export function compilerOptionsOf(tsconfig: string): ts.CompilerOptions {
  const parsed = ts.getParsedCommandLineOfConfigFile(
    tsconfig,
    { noEmit: true },
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, "\n"));
      },
    },
  );
  if (!parsed) throw new Error(`cannot read ${tsconfig}`);
  return { ...parsed.options, noEmit: true };
}

/** `file:line:column message`, the way editors and tsc print it. */
export function formatTypeError(e: TypeError): string {
  return `${e.file}:${e.line}:${e.column} ${e.message}`;
}

/**
 * The type errors in `files` themselves (errors inside the library they import are not the learner's), sorted
 * by file and line. `relativeTo` is the folder paths are shown relative to (the repository root).
 */
export function typeCheckFiles(
  files: string[],
  opts: { tsconfig: string; relativeTo: string; compilerOptions?: ts.CompilerOptions },
): TypeError[] {
  const existing = files.filter((f) => fs.existsSync(f)).map((f) => path.resolve(f));
  if (existing.length === 0) return [];
  const program = ts.createProgram(existing, {
    ...compilerOptionsOf(opts.tsconfig),
    ...opts.compilerOptions,
  });
  const errors: TypeError[] = [];
  for (const file of existing) {
    const sf = program.getSourceFile(file);
    if (!sf) continue;
    const diagnostics = [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)];
    for (const d of diagnostics) {
      if (d.category !== ts.DiagnosticCategory.Error) continue;
      const { line, character } =
        d.start !== undefined ? sf.getLineAndCharacterOfPosition(d.start) : { line: 0, character: 0 };
      errors.push({
        file: path.relative(opts.relativeTo, file).split(path.sep).join("/"),
        line: line + 1,
        column: character + 1,
        message: ts.flattenDiagnosticMessageText(d.messageText, " "),
      });
    }
  }
  return errors.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);
}
