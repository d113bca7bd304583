/**
 * Executes one notebook top to bottom in a fresh tslab kernel, like "Restart kernel and run all cells" in
 * JupyterLab, and returns the executed copy with a verdict.
 *
 * Verdicts: by default the first failing cell fails the notebook and later cells are left unexecuted.
 * `student` mode (the student release, where graded answers are exercise stubs) keeps going: a cell that
 * throws the `NotImplemented` error of an exercise stub "waits on exercise <task>", errors after it are
 * tolerated as consequences, and any other error is a failure. `continueOnError` executes every cell and
 * fails on any error (the nbclient cross-check uses it to compare all cells).
 *
 * Checks: every line a cell prints that starts with `OK` or `DIFFERS` (what `course.check`, `checkRange` and
 * `checkThat` print) is counted per cell and per notebook. A `DIFFERS` line fails the notebook (a number the
 * prose promises did not come out), except in student mode after a cell that waits on an exercise.
 */
import path from "node:path";
import { Kernel, type CellError } from "./kernel";
import { cellSource, clearOutputs, joinText, readNotebook, type Notebook, type Output } from "./notebook";
import { DisplayRegistry } from "./outputs";

export interface RunOptions {
  /** Kernel working directory (default: the notebook's folder, as in JupyterLab). */
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Per-cell time limit in milliseconds. */
  cellTimeoutMs?: number;
  student?: boolean;
  continueOnError?: boolean;
  /** Called after each code cell (progress display). */
  onCell?: (report: CellReport) => void;
}

export interface CellReport {
  /** 1-based position of the cell among all cells of the notebook. */
  cell: number;
  executionCount: number | null;
  status: "ok" | "error" | "abort" | "timeout" | "dead";
  seconds: number;
  error?: CellError;
  /** Student mode: the exercise task this cell waits on. */
  waitsOn?: string;
  /** Student mode: an error tolerated because an earlier cell waits on an exercise. */
  afterUnimplemented?: boolean;
  /** The check lines this cell printed. */
  checks: CheckLines;
}

/** The `OK` and `DIFFERS` lines of a cell or notebook (the `DIFFERS` lines kept whole, for the report). */
export interface CheckLines {
  ok: number;
  differs: number;
  differing: string[];
}

/** The marks the shared `course.check*` helpers start their lines with (see src/course). */
const CHECK_LINE = /^(OK {5}|DIFFERS)/;

/** Counts the check lines in a cell's stdout (stream outputs to stdout; other outputs are not checks). */
export function countChecks(outputs: Output[]): CheckLines {
  const found: CheckLines = { ok: 0, differs: 0, differing: [] };
  for (const out of outputs) {
    if (out.output_type !== "stream" || out.name !== "stdout") continue;
    for (const line of joinText(out.text).split("\n")) {
      const mark = CHECK_LINE.exec(line)?.[1];
      if (mark === "DIFFERS") {
        found.differs += 1;
        found.differing.push(line.trimEnd());
      } else if (mark !== undefined) found.ok += 1;
    }
  }
  return found;
}

export interface NotebookRun {
  notebook: string;
  ok: boolean;
  seconds: number;
  kernelStartSeconds: number;
  executed: Notebook;
  cells: CellReport[];
  /** The first cell that failed the notebook. */
  failure?: CellReport;
  /** All check lines of the notebook. */
  checks: CheckLines;
  /** The cells whose `DIFFERS` lines failed the notebook (none when they were tolerated in student mode). */
  differsCells: CellReport[];
}

/** The task named by an exercise stub's error, or undefined when the error is not one. */
export function unimplementedTask(error: CellError): string | undefined {
  const text = `${error.evalue}\n${error.traceback.join("\n")}`;
  if (error.ename !== "NotImplemented" && !/is not implemented yet/.test(text)) return undefined;
  return (
    /Exercise (\S+) is not implemented yet/.exec(text)?.[1] ??
    /task: '([^']+)'/.exec(text)?.[1] ??
    "(unknown)"
  );
}

/** A one-line description of a cell's error, e.g. `cell 7 (In [4]): TypeError: boom`. */
export function describeCell(report: CellReport): string {
  const where =
    `cell ${report.cell}` + (report.executionCount !== null ? ` (In [${report.executionCount}])` : "");
  if (!report.error) return where;
  const firstLine = report.error.evalue.split("\n")[0];
  return `${where}: ${report.error.ename}: ${firstLine}`;
}

/** Runs `file` (an .ipynb) and returns the executed notebook and verdict. Never leaves a kernel running. */
export async function runNotebook(file: string, options: RunOptions = {}): Promise<NotebookRun> {
  const started = Date.now();
  const executed = clearOutputs(readNotebook(file));
  const kernel = await Kernel.start({
    cwd: options.cwd ?? path.dirname(path.resolve(file)),
    env: options.env,
  });
  const kernelStartSeconds = (Date.now() - started) / 1000;
  const cells: CellReport[] = [];
  let failure: CellReport | undefined;
  const differsCells: CellReport[] = [];
  try {
    if (kernel.info.language_info)
      executed.metadata.language_info = kernel.info.language_info as Record<string, unknown>;
    const displays = new DisplayRegistry();
    let waiting = false;
    for (let i = 0; i < executed.cells.length; i++) {
      const cell = executed.cells[i];
      if (cell.cell_type !== "code" || cellSource(cell).trim() === "") continue;
      const result = await kernel.execute(cellSource(cell), { timeoutMs: options.cellTimeoutMs, displays });
      cell.outputs = result.outputs;
      cell.execution_count = result.executionCount;
      const report: CellReport = {
        cell: i + 1,
        executionCount: result.executionCount,
        status: result.status,
        seconds: result.ms / 1000,
        error: result.error,
        checks: countChecks(result.outputs),
      };
      let fatal = false;
      if (result.status !== "ok") {
        const task = result.error ? unimplementedTask(result.error) : undefined;
        const kernelGone = result.status === "dead" || result.status === "timeout";
        if (options.student && task !== undefined && !kernelGone) {
          report.waitsOn = task;
          waiting = true;
        } else if (options.student && waiting && !kernelGone) {
          report.afterUnimplemented = true;
        } else {
          failure ??= report;
          fatal = !(options.student || options.continueOnError) || kernelGone;
        }
      }
      if (report.checks.differs > 0 && !(options.student && waiting)) differsCells.push(report);
      cells.push(report);
      options.onCell?.(report);
      if (fatal) break;
    }
  } finally {
    await kernel.shutdown();
  }
  const checks: CheckLines = { ok: 0, differs: 0, differing: [] };
  for (const c of cells) {
    checks.ok += c.checks.ok;
    checks.differs += c.checks.differs;
    checks.differing.push(...c.checks.differing);
  }
  return {
    notebook: path.basename(file),
    ok: failure === undefined && differsCells.length === 0,
    seconds: (Date.now() - started) / 1000,
    kernelStartSeconds,
    executed,
    cells,
    failure,
    checks,
    differsCells,
  };
}
