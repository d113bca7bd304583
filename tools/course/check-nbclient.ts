/**
 * `npm run check:nbclient [-- NN] [--timeout S]`: executes one notebook (default 00) twice — with Jupyter's own
 * nbclient (Debian python3-nbclient, the project-local tslab kernelspec on JUPYTER_PATH) and with our runner —
 * and compares the outputs cell by cell: the same output types, the same mime types, and the same
 * `text/plain` and stream text once volatile parts (timings, memory addresses, the backend line, stack frame
 * positions) are normalised. Prints what differs and exits 1 if anything does. A CI check, not a unit test.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { jupyterEnv, REPO_ROOT, writeKernelspec } from "../lab/kernelspec";
import {
  cellSource,
  joinText,
  listCourseNotebooks,
  readNotebook,
  writeNotebook,
  type Output,
} from "./notebook";
import { tidyStreams } from "./outputs";
import { runNotebook } from "./runner";

/** Debian's python3 has python3-nbclient; a pyenv/conda `python3` on PATH usually does not. LLM_PYTHON overrides. */
const PYTHON = process.env.LLM_PYTHON ?? (fs.existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3");

/** Runs a notebook through nbclient in `cwd`, all cells even after errors; writes the executed copy to argv[2]. */
const NBCLIENT_SCRIPT = `
import sys, time, nbformat
from nbclient import NotebookClient
src, out, cwd, timeout = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
nb = nbformat.read(src, as_version=4)
t = time.time()
NotebookClient(nb, kernel_name="tslab", timeout=timeout, allow_errors=True,
               resources={"metadata": {"path": cwd}}).execute()
nbformat.write(nb, out)
print("%.1f" % (time.time() - t))
`;

/** Replaces the parts of output text that legitimately differ between two runs. */
export function normalizeText(text: string): string {
  return text
    .replace(/^backend: .*$/gm, "backend: <line>")
    .replace(/0x[0-9a-f]{4,}/gi, "0x<addr>")
    .replace(/\b\d+(\.\d+)?\s?(ms|µs|us|ns|s|sec|secs|seconds|min|minutes)\b/g, "<time>")
    .replace(/\b\d+(\.\d+)?\s?(tokens|steps|it|samples)\/s\b/g, "<rate>")
    .replace(/\b\d+(\.\d+)?\s?([KMGT]?FLOP|[KMG]?B|docs|names)\/s\b/g, "<rate>")
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z?/g, "<date>")
    .replace(/(evalmachine\.<anonymous>|\.js|\.ts):\d+(:\d+)?/g, "$1:<pos>")
    .replace(/[ \t]+$/gm, "");
}

/** The comparable view of one output: its type, mime types and normalised text. */
function view(out: Output): string {
  switch (out.output_type) {
    case "stream":
      return `stream ${out.name}: ${normalizeText(joinText(out.text))}`;
    case "error":
      return `error ${out.ename}: ${normalizeText(out.evalue)}`;
    default: {
      const plain = out.data["text/plain"];
      const mimes = Object.keys(out.data).sort().join(",");
      const text = plain === undefined ? "" : normalizeText(joinText(plain as string | string[]));
      return `${out.output_type} [${mimes}] ${text}`;
    }
  }
}

/** Differences between two executed copies of one notebook, as readable lines (empty when they agree). */
export function compareOutputs(
  a: { cells: { cell_type: string; outputs?: Output[] }[] },
  b: { cells: { cell_type: string; outputs?: Output[] }[] },
  names: [string, string] = ["nbclient", "runner"],
): string[] {
  const diffs: string[] = [];
  a.cells.forEach((cell, i) => {
    if (cell.cell_type !== "code") return;
    const va = tidyStreams(structuredClone(cell.outputs ?? [])).map(view);
    const vb = tidyStreams(structuredClone(b.cells[i]?.outputs ?? [])).map(view);
    if (va.length !== vb.length) {
      diffs.push(`cell ${i + 1}: ${names[0]} has ${va.length} outputs, ${names[1]} has ${vb.length}`);
    }
    for (let j = 0; j < Math.max(va.length, vb.length); j++) {
      if (va[j] !== vb[j]) {
        const show = (s: string | undefined) =>
          s === undefined ? "(none)" : JSON.stringify(s.slice(0, 300));
        diffs.push(
          `cell ${i + 1} output ${j + 1}:\n  ${names[0]}: ${show(va[j])}\n  ${names[1]}: ${show(vb[j])}`,
        );
      }
    }
  });
  return diffs;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  let number = "00";
  let timeoutS = 600;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--timeout") timeoutS = Number(argv[++i]);
    else if (/^\d{1,2}$/.test(argv[i])) number = argv[i].padStart(2, "0");
    else if (argv[i].endsWith(".ipynb")) number = argv[i];
    else {
      console.error(
        `check:nbclient: unknown argument ${argv[i]}; usage: check:nbclient [-- NN|file.ipynb] [--timeout S]`,
      );
      process.exit(2);
    }
  }
  const probe = spawnSync(PYTHON, ["-c", "import nbclient, nbformat"], { encoding: "utf8" });
  if (probe.status !== 0) {
    console.error(
      `check:nbclient: Jupyter's nbclient is not installed for ${PYTHON}. Install it with\n` +
        `  sudo apt-get install python3-nbclient jupyter-client\n(or: pip install nbclient)`,
    );
    process.exit(1);
  }
  const file = number.endsWith(".ipynb")
    ? path.resolve(number)
    : listCourseNotebooks(path.join(REPO_ROOT, "notebooks")).find((f) =>
        path.basename(f).startsWith(`${number}-`),
      );
  if (!file || !fs.existsSync(file)) {
    console.error(`check:nbclient: no notebook ${number}-*.ipynb in notebooks/`);
    process.exit(2);
  }
  const name = path.basename(file);
  const cwd = path.dirname(file);
  const { jupyterPath } = writeKernelspec();
  const outDir = path.join(REPO_ROOT, "build", "nbclient");
  fs.mkdirSync(outDir, { recursive: true });
  const nbclientOut = path.join(outDir, name);

  console.log(`check:nbclient: ${name} with nbclient (${PYTHON}, JUPYTER_PATH=${jupyterPath}) …`);
  const py = spawnSync(PYTHON, ["-c", NBCLIENT_SCRIPT, file, nbclientOut, cwd, String(timeoutS)], {
    env: jupyterEnv(jupyterPath),
    encoding: "utf8",
    timeout: (timeoutS + 120) * 1000,
  });
  if (py.status !== 0) {
    console.error(`check:nbclient: nbclient failed (exit ${py.status}):\n${(py.stderr || "").slice(-3000)}`);
    process.exit(1);
  }
  const nbclientSeconds = py.stdout.trim().split("\n").pop();

  console.log(`check:nbclient: ${name} with our runner …`);
  const run = await runNotebook(file, { cwd, continueOnError: true, cellTimeoutMs: timeoutS * 1000 });
  writeNotebook(path.join(outDir, name.replace(/\.ipynb$/, ".runner.ipynb")), run.executed);

  const theirs = readNotebook(nbclientOut);
  const diffs = compareOutputs(theirs, run.executed);
  const codeCells = run.executed.cells.filter(
    (c) => c.cell_type === "code" && cellSource(c).trim() !== "",
  ).length;
  const outputs = run.executed.cells.reduce((n, c) => n + (c.cell_type === "code" ? c.outputs.length : 0), 0);
  console.log(
    `check:nbclient: ${name}: ${codeCells} code cells, ${outputs} outputs; ` +
      `nbclient ${nbclientSeconds} s, runner ${run.seconds.toFixed(1)} s ` +
      `(executed copies in ${path.relative(process.cwd(), outDir)}/)`,
  );
  if (diffs.length > 0) {
    console.log(diffs.join("\n"));
    console.log(`check:nbclient: ${name}: ${diffs.length} differences between nbclient and the runner`);
    if (run.failure) {
      console.log(
        `check:nbclient: note: cell ${run.failure.cell} failed; tslab cancels requests that arrive within 200 ms ` +
          "of a failed cell, which nbclient sends at once (the runner waits), so later cells can differ",
      );
    }
    process.exit(1);
  }
  console.log(`check:nbclient: ${name}: outputs agree cell by cell`);
}

if (require.main === module) {
  main().catch((err) => {
    console.error(`check:nbclient: ${(err as Error).stack ?? err}`);
    process.exit(1);
  });
}
