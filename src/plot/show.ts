/**
 * Putting things in the notebook: a figure as one mime bundle, a table as HTML. Outside a tslab kernel the same
 * calls print plain text, so library code can call them from scripts and tests too.
 */
import { describe, mimeBundle } from "./render";
import { currentSink, newDisplayId } from "./sink";
import type { Figure } from "./spec";

/**
 * Show a figure: inside tslab ONE `display_data` holding Vega-Lite (object) + SVG + text/plain; in a plain script
 * one line of text describing the chart.
 */
export async function show(fig: Figure): Promise<void> {
  const sink = currentSink();
  if (!sink) {
    console.log(describe(fig));
    return;
  }
  sink.display(await mimeBundle(fig), newDisplayId());
}

/** Options of {@link table}. */
export interface TableOptions {
  /** Rows shown (default 20); the rest are counted in a footer. */
  limit?: number;
  title?: string;
  /** Decimal places of non-integer numbers (default 4). */
  digits?: number;
}

interface ColumnTableLike {
  numRows(): number;
  columnNames(): string[];
  objects(opts?: { limit?: number }): Record<string, unknown>[];
}

function isColumnTable(t: unknown): t is ColumnTableLike {
  const c = t as Partial<ColumnTableLike> | null;
  return (
    !!c &&
    typeof c.numRows === "function" &&
    typeof c.columnNames === "function" &&
    typeof c.objects === "function"
  );
}

function formatCell(v: unknown, digits: number): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "number") {
    if (Number.isInteger(v) || !Number.isFinite(v)) return String(v);
    const a = Math.abs(v);
    return a !== 0 && (a < 10 ** -digits || a >= 1e9) ? v.toExponential(digits - 1) : v.toFixed(digits);
  }
  if (v instanceof Date) return v.toISOString();
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** The rows, columns and total count of a table given as an arquero ColumnTable or an array of records. */
function tableRows(
  t: unknown,
  limit: number,
): { columns: string[]; rows: Record<string, unknown>[]; total: number } {
  if (isColumnTable(t)) return { columns: t.columnNames(), rows: t.objects({ limit }), total: t.numRows() };
  if (Array.isArray(t)) {
    const columns: string[] = [];
    const seen = new Set<string>();
    for (const r of t) {
      if (r === null || typeof r !== "object") {
        throw new TypeError("plot.table: expected an arquero table or an array of objects (one per row).");
      }
      for (const k of Object.keys(r)) {
        if (!seen.has(k)) {
          seen.add(k);
          columns.push(k);
        }
      }
    }
    return { columns, rows: (t as Record<string, unknown>[]).slice(0, limit), total: t.length };
  }
  throw new TypeError("plot.table: expected an arquero table or an array of objects (one per row).");
}

/** Render a table as `{ html, text }`: an HTML table and an aligned plain-text one. */
export function tableBundle(
  t: unknown,
  opts: TableOptions = {},
): { "text/html": string; "text/plain": string } {
  const limit = opts.limit ?? 20;
  const digits = opts.digits ?? 4;
  if (!(Number.isInteger(limit) && limit >= 0))
    throw new RangeError(`plot.table: limit must be an integer ≥ 0, got ${limit}.`);
  const { columns, rows, total } = tableRows(t, limit);
  const cells = rows.map((r) => columns.map((c) => formatCell(r[c], digits)));
  const numeric = columns.map(
    (c) => rows.length > 0 && rows.every((r) => typeof r[c] === "number" || r[c] == null),
  );
  const more = total > rows.length ? `… ${total - rows.length} more rows (${total} in all)` : "";

  const align = (j: number) => (numeric[j] ? ' style="text-align:right"' : ' style="text-align:left"');
  const html = [
    '<table class="llm-ts-table">',
    opts.title ? `<caption>${escapeHtml(opts.title)}</caption>` : "",
    "<thead><tr>" + columns.map((c, j) => `<th${align(j)}>${escapeHtml(c)}</th>`).join("") + "</tr></thead>",
    "<tbody>",
    ...cells.map((r) => "<tr>" + r.map((v, j) => `<td${align(j)}>${escapeHtml(v)}</td>`).join("") + "</tr>"),
    "</tbody>",
    more ? `<tfoot><tr><td colspan="${columns.length}">${escapeHtml(more)}</td></tr></tfoot>` : "",
    "</table>",
  ].join("");

  const widths = columns.map((c, j) => Math.max(c.length, ...cells.map((r) => r[j].length)));
  const pad = (s: string, j: number) => (numeric[j] ? s.padStart(widths[j]) : s.padEnd(widths[j]));
  const text = [
    ...(opts.title ? [opts.title] : []),
    columns.map(pad).join("  "),
    widths.map((w) => "-".repeat(w)).join("  "),
    ...cells.map((r) => r.map(pad).join("  ")),
    ...(more ? [more] : []),
  ].join("\n");
  return { "text/html": html, "text/plain": text };
}

/**
 * Show a table (an arquero ColumnTable or an array of row objects): HTML plus text/plain inside tslab, the aligned
 * text in a plain script.
 */
export function table(t: unknown, opts: TableOptions = {}): void {
  const bundle = tableBundle(t, opts);
  const sink = currentSink();
  if (sink) sink.display(bundle, newDisplayId());
  else console.log(bundle["text/plain"]);
}
