/**
 * What the course runner prints per notebook and writes to build/course-summary.json: status, seconds, the
 * failing cell, and the count of check lines (`OK` / `DIFFERS`, printed by `course.check*`).
 */
import { describeCell, type NotebookRun } from "./runner";

/** One entry of build/course-summary.json. */
export interface SummaryEntry {
  notebook: string;
  ok: boolean;
  seconds: number;
  /** Check lines printed by the notebook (`course.check*`): how many held, how many differed, and which. */
  checks: { ok: number; differs: number; differing?: string[] };
  error?: string;
  cell?: number;
  waitsOn?: { cell: number; task: string }[];
  tolerated?: number[];
}

/** The summary entry of one run; a notebook failed by `DIFFERS` lines names the first such cell as its error. */
export function summarize(run: NotebookRun): SummaryEntry {
  const entry: SummaryEntry = {
    notebook: run.notebook,
    ok: run.ok,
    seconds: Math.round(run.seconds * 10) / 10,
    checks: { ok: run.checks.ok, differs: run.checks.differs },
  };
  if (run.checks.differs > 0) entry.checks.differing = run.checks.differing;
  if (run.failure) {
    entry.error = describeCell(run.failure);
    entry.cell = run.failure.cell;
  } else if (run.differsCells.length > 0) {
    const n = run.checks.differs;
    entry.error = `${n} check${n === 1 ? "" : "s"} DIFFERS (${describeCell(run.differsCells[0])})`;
    entry.cell = run.differsCells[0].cell;
  }
  const waits = run.cells.filter((c) => c.waitsOn !== undefined);
  if (waits.length > 0) entry.waitsOn = waits.map((c) => ({ cell: c.cell, task: c.waitsOn as string }));
  const tolerated = run.cells.filter((c) => c.afterUnimplemented).map((c) => c.cell);
  if (tolerated.length > 0) entry.tolerated = tolerated;
  return entry;
}

/** `N OK, M DIFFERS`. */
export function checksText(checks: { ok: number; differs: number }): string {
  return `${checks.ok} OK, ${checks.differs} DIFFERS`;
}

/** The lines the runner prints for one notebook: status, checks, the failing cell, every `DIFFERS` line. */
export function report(run: NotebookRun): string {
  const head = `course: ${run.notebook} ${run.ok ? "ok" : "FAILED"} in ${run.seconds.toFixed(1)} s`;
  const lines = [
    head +
      ` (checks: ${checksText(run.checks)}; ${run.cells.length} code cells, kernel start ${run.kernelStartSeconds.toFixed(1)} s)`,
  ];
  for (const c of run.cells) {
    if (c.checks.differs === 0) continue;
    const tolerated = run.differsCells.includes(c) ? "" : " (tolerated: after an unimplemented exercise)";
    lines.push(`  ${describeCell(c)}${tolerated}:`);
    lines.push(...c.checks.differing.map((l) => `    ${l}`));
  }
  if (run.failure) {
    lines.push(`  ${describeCell(run.failure)}`);
    // The stack below the error line, without the kernel's own frames.
    const frames = (run.failure.error?.traceback ?? [])
      .slice(1)
      .filter((l) => !/node:internal|node:vm|node_modules[\\/]tslab[\\/]/.test(l));
    lines.push(...frames.slice(0, 6).map((l) => `    ${l}`));
  }
  for (const c of run.cells) {
    if (c.waitsOn !== undefined) lines.push(`  cell ${c.cell}: waits on exercise ${c.waitsOn}`);
    if (c.afterUnimplemented) lines.push(`  ${describeCell(c)} (after an unimplemented exercise)`);
  }
  return lines.join("\n");
}
