/**
 * Reading, validating, clearing and writing Jupyter notebooks (nbformat 4), the way Jupyter itself stores
 * them: JSON with sorted keys, one-space indent, a trailing newline, and multi-line text split into lists of
 * lines. Used by the course runner, the clean-notebook check and the nbclient cross-check.
 */
import fs from "node:fs";
import path from "node:path";

/** Text that nbformat stores either as one string or as a list of lines (each ending in "\n" but the last). */
export type MultilineString = string | string[];

/** A mime bundle: `text/plain`, `text/html`, `image/svg+xml`, … → text (or a JSON object for `…+json`). */
export type MimeBundle = Record<string, unknown>;

export interface StreamOutput {
  output_type: "stream";
  name: "stdout" | "stderr";
  text: MultilineString;
}
export interface DisplayDataOutput {
  output_type: "display_data";
  data: MimeBundle;
  metadata: Record<string, unknown>;
}
export interface ExecuteResultOutput {
  output_type: "execute_result";
  execution_count: number | null;
  data: MimeBundle;
  metadata: Record<string, unknown>;
}
export interface ErrorOutput {
  output_type: "error";
  ename: string;
  evalue: string;
  traceback: string[];
}
export type Output = StreamOutput | DisplayDataOutput | ExecuteResultOutput | ErrorOutput;

export interface CodeCell {
  cell_type: "code";
  id?: string;
  source: MultilineString;
  metadata: Record<string, unknown>;
  execution_count: number | null;
  outputs: Output[];
}
export interface TextCell {
  cell_type: "markdown" | "raw";
  id?: string;
  source: MultilineString;
  metadata: Record<string, unknown>;
  attachments?: Record<string, unknown>;
}
export type Cell = CodeCell | TextCell;

export interface Notebook {
  nbformat: 4;
  nbformat_minor: number;
  metadata: Record<string, unknown> & {
    kernelspec?: { name: string; display_name: string; language?: string };
    language_info?: Record<string, unknown>;
  };
  cells: Cell[];
}

/** Joins a multi-line string. */
export function joinText(text: MultilineString): string {
  return Array.isArray(text) ? text.join("") : text;
}

/** Splits text into lines that keep their "\n", as nbformat writes it (`"a\nb"` → `["a\n", "b"]`). */
export function splitLines(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

/**
 * Problems that make `value` not an nbformat-4 notebook this course can run (empty when it is one).
 * Checks the structure the runner and Jupyter rely on, not every detail of the JSON schema.
 */
export function validateNotebook(value: unknown): string[] {
  const problems: string[] = [];
  const isObject = (v: unknown): v is Record<string, unknown> =>
    typeof v === "object" && v !== null && !Array.isArray(v);
  const isText = (v: unknown) =>
    typeof v === "string" || (Array.isArray(v) && v.every((l) => typeof l === "string"));
  if (!isObject(value)) return ["not a JSON object"];
  if (value.nbformat !== 4) problems.push(`nbformat is ${JSON.stringify(value.nbformat)}, expected 4`);
  if (typeof value.nbformat_minor !== "number") problems.push("nbformat_minor is missing");
  if (!isObject(value.metadata)) problems.push("metadata is not an object");
  if (!Array.isArray(value.cells)) return [...problems, "cells is not a list"];
  const ids = new Set<string>();
  value.cells.forEach((cell: unknown, i: number) => {
    const where = `cell ${i + 1}`;
    if (!isObject(cell)) return problems.push(`${where}: not an object`);
    if (!["code", "markdown", "raw"].includes(cell.cell_type as string)) {
      problems.push(`${where}: unknown cell_type ${JSON.stringify(cell.cell_type)}`);
    }
    if (!isText(cell.source)) problems.push(`${where}: source is not text`);
    if (!isObject(cell.metadata)) problems.push(`${where}: metadata is not an object`);
    if (cell.id !== undefined) {
      if (typeof cell.id !== "string" || !/^[a-zA-Z0-9-_]{1,64}$/.test(cell.id)) {
        problems.push(`${where}: invalid id ${JSON.stringify(cell.id)}`);
      } else if (ids.has(cell.id)) problems.push(`${where}: duplicate id ${cell.id}`);
      else ids.add(cell.id);
    } else if (typeof value.nbformat_minor === "number" && value.nbformat_minor >= 5) {
      problems.push(`${where}: missing id (required by nbformat 4.5)`);
    }
    if (cell.cell_type === "code") {
      if (!Array.isArray(cell.outputs)) problems.push(`${where}: outputs is not a list`);
      if (cell.execution_count !== null && typeof cell.execution_count !== "number") {
        problems.push(`${where}: execution_count is neither null nor a number`);
      }
    }
    return undefined;
  });
  return problems;
}

/** Parses notebook JSON text; throws an Error naming `where` and every problem when it is not valid. */
export function parseNotebook(text: string, where = "notebook"): Notebook {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new Error(`${where}: invalid JSON (${(err as Error).message})`);
  }
  const problems = validateNotebook(value);
  if (problems.length > 0) throw new Error(`${where}: not an nbformat-4 notebook: ${problems.join("; ")}`);
  return value as Notebook;
}

/** Reads and validates a .ipynb file. */
export function readNotebook(file: string): Notebook {
  return parseNotebook(fs.readFileSync(file, "utf8"), file);
}

/** Mime types whose string values nbformat splits into lines (text/*, SVG, JavaScript). */
function splitsMime(mime: string): boolean {
  return mime.startsWith("text/") || mime === "image/svg+xml" || mime === "application/javascript";
}

/** A copy of an output in nbformat's on-disk shape (long text split into lines). */
function outputForDisk(out: Output): Output {
  if (out.output_type === "stream") return { ...out, text: splitLines(joinText(out.text)) };
  if (out.output_type === "display_data" || out.output_type === "execute_result") {
    const data: MimeBundle = {};
    for (const [mime, v] of Object.entries(out.data)) {
      data[mime] = splitsMime(mime) && typeof v === "string" ? splitLines(v) : v;
    }
    return { ...out, data };
  }
  return out;
}

/** Recursively sorts object keys (arrays keep their order), as Jupyter's writer does. */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) out[k] = sortKeys((value as Record<string, unknown>)[k]);
    return out;
  }
  return value;
}

/** The notebook as Jupyter writes it: sorted keys, indent 1, text split into lines, trailing newline. */
export function serializeNotebook(nb: Notebook): string {
  const cells = nb.cells.map((c) => {
    const source = splitLines(joinText(c.source));
    return c.cell_type === "code"
      ? { ...c, source, outputs: c.outputs.map(outputForDisk) }
      : { ...c, source };
  });
  return JSON.stringify(sortKeys({ ...nb, cells }), null, 1) + "\n";
}

/** Writes a notebook (creating its folder). */
export function writeNotebook(file: string, nb: Notebook): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, serializeNotebook(nb));
}

/** A copy with every code cell's outputs emptied and execution counts set to null. */
export function clearOutputs(nb: Notebook): Notebook {
  return {
    ...nb,
    cells: nb.cells.map((c) => {
      if (c.cell_type !== "code") return c;
      // nbclient records per-cell timings in metadata.execution: volatile, like the outputs.
      const { execution: _timings, ...metadata } = c.metadata;
      return { ...c, metadata, outputs: [], execution_count: null };
    }),
  };
}

/** A code cell that carries results of a run. */
export interface DirtyCell {
  /** 1-based position among all cells. */
  cell: number;
  outputs: number;
  executionCount: number | null;
  /** nbclient's metadata.execution timestamps. */
  timings: boolean;
}

/** 1-based numbers of the code cells that carry outputs or an execution count (empty for a clean notebook). */
export function dirtyCells(nb: Notebook): DirtyCell[] {
  const dirty: DirtyCell[] = [];
  nb.cells.forEach((c, i) => {
    const timed = c.metadata.execution !== undefined;
    if (c.cell_type === "code" && (c.outputs.length > 0 || c.execution_count !== null || timed)) {
      dirty.push({
        cell: i + 1,
        outputs: c.outputs.length,
        executionCount: c.execution_count,
        timings: timed,
      });
    }
  });
  return dirty;
}

/** The source of a cell as one string. */
export function cellSource(cell: Cell): string {
  return joinText(cell.source);
}

/** The notebooks/NN-topic.ipynb files of a folder, sorted by name. */
export function listCourseNotebooks(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => /^\d\d-.*\.ipynb$/.test(f))
    .sort()
    .map((f) => path.join(dir, f));
}
