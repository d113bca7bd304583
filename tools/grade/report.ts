/** Grade reports: totals, the plain-text table, the HTML table (for notebooks), JSON and CSV. */
import type { TaskResult } from "./run";
import { formatTypeError, type TypeError } from "./typecheck";

export interface GradeReport {
  /** Folder whose chapter files were graded. */
  target: string;
  createdAt: string;
  timeoutSeconds: number;
  /** Whether tests under grading/hidden were included. */
  hiddenTests: boolean;
  tasks: TaskResult[];
  totals: Totals;
  /** Type errors in the graded files of tasks that failed (checked only when a task failed, errored or crashed). */
  typeErrors?: TypeError[];
}

export interface Totals {
  tasks: number;
  passed: number;
  points: number;
  possible: number;
}

export const SCORING_NOTE =
  "Points are all-or-nothing per task: a task earns its points only when every one of its test cases passes.";

/** Sums a list of task results. */
export function totals(results: TaskResult[]): Totals {
  return {
    tasks: results.length,
    passed: results.filter((r) => r.status === "passed").length,
    points: results.reduce((s, r) => s + r.earned, 0),
    possible: results.reduce((s, r) => s + r.points, 0),
  };
}

/** The machine-countable last line: `grade: 7/7 tasks, 15/15 points`. */
export function summaryLine(t: Totals): string {
  return `grade: ${t.passed}/${t.tasks} tasks, ${t.points}/${t.possible} points`;
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + " ".repeat(n - s.length);
}

/** The plain-text table: task, points earned/possible, status, message; then the total and the summary line. */
export function formatText(report: GradeReport): string {
  const rows = report.tasks.map((r) => [r.id, `${r.earned}/${r.points}`, r.status, r.message]);
  const head = ["task", "points", "status", "message"];
  const widths = [0, 1, 2].map((c) => Math.max(head[c].length, ...rows.map((r) => r[c].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i < 3 ? pad(c, widths[i]) : c))
      .join("  ")
      .trimEnd();
  const t = report.totals;
  const typeErrors = report.typeErrors ?? [];
  const typeLines = typeErrors.length
    ? [
        `Type errors (fix these first; each task's message shows the first one in its file):`,
        ...typeErrors.map((e) => `  ${formatTypeError(e)}`),
        "",
      ]
    : [];
  return [
    ...typeLines,
    line(head),
    line(widths.map((w) => "-".repeat(w)).concat("-------")),
    ...rows.map(line),
    line(["total", `${t.points}/${t.possible}`, `${t.passed}/${t.tasks} passed`, ""]),
    "",
    SCORING_NOTE,
    summaryLine(t),
  ].join("\n");
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const STATUS_COLOUR: Record<string, string> = {
  passed: "#1a7f37",
  failed: "#cf222e",
  "not implemented": "#9a6700",
  "timed out": "#cf222e",
  crashed: "#cf222e",
  error: "#cf222e",
};

/** A self-contained HTML table (inline styles only) for display in a notebook cell. */
export function formatHtml(report: GradeReport): string {
  const cell = "padding:2px 8px;border-bottom:1px solid #ddd;text-align:left;vertical-align:top";
  const rows = report.tasks.map((r) => {
    const mark = r.status === "passed" ? "✔" : "✘";
    const colour = STATUS_COLOUR[r.status] ?? "#cf222e";
    return (
      `<tr><td style="${cell}"><code>${escapeHtml(r.id)}</code></td>` +
      `<td style="${cell}">${r.earned}/${r.points}</td>` +
      `<td style="${cell};color:${colour}">${mark} ${escapeHtml(r.status)}</td>` +
      `<td style="${cell}">${escapeHtml(r.message)}</td></tr>`
    );
  });
  const t = report.totals;
  const typeErrors = report.typeErrors ?? [];
  const typeBlock = typeErrors.length
    ? `<p style="font-family:sans-serif;font-size:13px;color:#cf222e">Type errors (fix these first; each task's ` +
      `message shows the first one in its file):</p>\n<pre style="font-size:12px">` +
      typeErrors.map((e) => escapeHtml(formatTypeError(e))).join("\n") +
      `</pre>`
    : "";
  return [
    ...(typeBlock ? [typeBlock] : []),
    `<table style="border-collapse:collapse;font-family:sans-serif;font-size:13px">`,
    `<thead><tr><th style="${cell}">task</th><th style="${cell}">points</th>` +
      `<th style="${cell}">status</th><th style="${cell}">message</th></tr></thead>`,
    `<tbody>${rows.join("")}</tbody>`,
    `<tfoot><tr><th style="${cell}">total</th><th style="${cell}">${t.points}/${t.possible}</th>` +
      `<th style="${cell}">${t.passed}/${t.tasks} passed</th><th style="${cell}"></th></tr></tfoot>`,
    `</table>`,
    `<p style="font-family:sans-serif;font-size:12px;color:#555">${escapeHtml(SCORING_NOTE)}</p>`,
  ].join("\n");
}

/** One CSV field, quoted when it holds a comma, quote or newline. */
export function csvField(value: string | number): string {
  const s = String(value);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One CSV row per student: student, points per task id (in `taskIds` order), total, note. */
export function formatCsv(
  taskIds: string[],
  students: { student: string; results: TaskResult[]; note: string }[],
): string {
  const lines = [["student", ...taskIds, "total", "note"].map(csvField).join(",")];
  for (const s of students) {
    const byId = new Map(s.results.map((r) => [r.id, r.earned]));
    const total = s.results.reduce((sum, r) => sum + r.earned, 0);
    lines.push([s.student, ...taskIds.map((id) => byId.get(id) ?? 0), total, s.note].map(csvField).join(","));
  }
  return lines.join("\n") + "\n";
}
