/**
 * Executes one notebook top to bottom in a fresh tslab kernel, like "Restart kernel and run all cells" in
 * JupyterLab, and returns the executed copy with a verdict.
 *
 * Verdicts: by default the first failing cell fails the notebook and later cells are left unexecuted.
 * `student` mode (the student release, where graded answers are exercise stubs) keeps going: a cell that
 * throws the `NotImplemented` error of an exercise stub "waits on exercise <task>", errors after it are
 * tolerated as consequences, and any other error is a failure. `continueOnError` executes every cell and
 * fails on any error (the nbclient cross-check uses it to compare all cells).
 */
import path from "node:path";
import { Kernel, type CellError } from "./kernel";
import { cellSource, clearOutputs, readNotebook, type Notebook } from "./notebook";
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
      cells.push(report);
      options.onCell?.(report);
      if (fatal) break;
    }
  } finally {
    await kernel.shutdown();
  }
  return {
    notebook: path.basename(file),
    ok: failure === undefined,
    seconds: (Date.now() - started) / 1000,
    kernelStartSeconds,
    executed,
    cells,
    failure,
  };
}
