/**
 * Data sets vendored in the repository under `datasets/<name>/` (copies of public data that no npm package
 * ships): where they are, and the two formats they come in (CSV, JSON lines). Node only. A corpus module built
 * on these still loads through `cached` and adds its entry to `SOURCES`.
 */

/* eslint-disable @typescript-eslint/no-require-imports */
const fs = (): typeof import("node:fs") => require("node:fs") as typeof import("node:fs");
const path = (): typeof import("node:path") => require("node:path") as typeof import("node:path");
/* eslint-enable @typescript-eslint/no-require-imports */

let root: string | undefined;

/** The repository root: the nearest folder above this file with llm-ts's package.json (src/ or dist/src/). */
function repositoryRoot(): string {
  if (root !== undefined) return root;
  let dir = __dirname;
  for (;;) {
    const pkg = path().join(dir, "package.json");
    if (
      fs().existsSync(pkg) &&
      (JSON.parse(fs().readFileSync(pkg, "utf8")) as { name?: string }).name === "llm-ts"
    ) {
      root = dir;
      return dir;
    }
    const up = path().dirname(dir);
    if (up === dir)
      throw new Error(`Cannot find the llm-ts repository above ${__dirname} (no package.json named llm-ts)`);
    dir = up;
  }
}

/**
 * The absolute path of `datasets/<parts…>` in the repository, e.g. `datasetPath("crawl", "README.md")`. Throws,
 * naming the path, when it does not exist.
 */
export function datasetPath(...parts: string[]): string {
  const file = path().join(repositoryRoot(), "datasets", ...parts);
  if (!fs().existsSync(file)) {
    throw new Error(
      `datasets/${parts.join("/")} not found (looked for ${file}). Vendored data sets live in the repository's ` +
        `datasets/ folder (see datasets/README.md); check the name, or restore it with 'git checkout -- datasets'.`,
    );
  }
  return file;
}

/**
 * Parses CSV text (RFC 4180: fields may be quoted, quotes doubled inside quotes, newlines inside quotes) into
 * one object per row keyed by the header line. Values stay strings; a row with another number of fields than
 * the header is an error naming its line.
 */
export function parseCsv(text: string): Record<string, string>[] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      row.push(field);
      field = "";
    } else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && text[i + 1] === "\n") i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
    } else field += ch;
  }
  if (field.length > 0 || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  const nonEmpty = rows.filter((r) => !(r.length === 1 && r[0] === ""));
  if (nonEmpty.length === 0) return [];
  const [header, ...body] = nonEmpty;
  return body.map((r, i) => {
    if (r.length !== header.length) {
      throw new Error(`parseCsv: row ${i + 2} has ${r.length} fields, the header has ${header.length}`);
    }
    return Object.fromEntries(header.map((h, j) => [h, r[j]]));
  });
}

/** Reads a vendored CSV file (`readCsv("chinchilla", "runs.csv")`) with `parseCsv`. */
export function readCsv(...parts: string[]): Record<string, string>[] {
  return parseCsv(fs().readFileSync(datasetPath(...parts), "utf8"));
}

/** Parses JSON lines: one JSON value per non-empty line; a bad line is an error naming `source` and the line. */
export function parseJsonLines<T = unknown>(text: string, source = "JSON lines"): T[] {
  return text
    .split("\n")
    .map((line, i) => [line.trim(), i + 1] as const)
    .filter(([line]) => line.length > 0)
    .map(([line, n]) => {
      try {
        return JSON.parse(line) as T;
      } catch (err) {
        throw new Error(`${source}:${n}: not JSON (${err instanceof Error ? err.message : String(err)})`);
      }
    });
}

/** Reads a vendored JSON-lines file (`readJsonLines("llmfao", "prompts.jsonl")`) with `parseJsonLines`. */
export function readJsonLines<T = unknown>(...parts: string[]): T[] {
  const file = datasetPath(...parts);
  return parseJsonLines<T>(fs().readFileSync(file, "utf8"), file);
}
