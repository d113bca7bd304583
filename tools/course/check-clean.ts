/**
 * `npm run check:notebooks [-- --fix] [files…]`: notebooks are source, so the committed notebooks/*.ipynb must
 * be valid nbformat-4 notebooks for the tslab kernel and carry no outputs, execution counts or execution
 * timings. Names every offending file and cell and exits 1; `--fix` strips the outputs (Jupyter's format).
 */
import fs from "node:fs";
import path from "node:path";
import { KERNEL_NAME, REPO_ROOT } from "../lab/kernelspec";
import { clearOutputs, dirtyCells, parseNotebook, writeNotebook, type Notebook } from "./notebook";

/** Problems of one notebook file; `fixable` ones go away with --fix. */
export function checkNotebookText(text: string, file: string): { fixable: string[]; other: string[] } {
  let nb: Notebook;
  try {
    nb = parseNotebook(text, file);
  } catch (err) {
    return { fixable: [], other: [(err as Error).message] };
  }
  const other: string[] = [];
  const kernel = nb.metadata.kernelspec?.name;
  if (kernel !== KERNEL_NAME) {
    other.push(
      `${file}: metadata.kernelspec.name is ${JSON.stringify(kernel)}, expected "${KERNEL_NAME}" ` +
        `(the kernel \`npm run lab\` and \`npm run course\` provide)`,
    );
  }
  const fixable = dirtyCells(nb).map((d) => {
    const what = [
      d.outputs > 0 ? `${d.outputs} output${d.outputs === 1 ? "" : "s"}` : "",
      d.executionCount !== null ? `execution_count ${d.executionCount}` : "",
      d.timings ? "execution timings in metadata" : "",
    ].filter(Boolean);
    return `${file}: cell ${d.cell} has ${what.join(", ")}`;
  });
  return { fixable, other };
}

function main(): void {
  const argv = process.argv.slice(2);
  const fix = argv.includes("--fix");
  const unknown = argv.filter((a) => a.startsWith("-") && a !== "--fix");
  if (unknown.length > 0) {
    console.error(
      `check:notebooks: unknown option ${unknown.join(" ")}; usage: check:notebooks [-- --fix] [files…]`,
    );
    process.exit(2);
  }
  let files = argv.filter((a) => !a.startsWith("-")).map((f) => path.resolve(f));
  if (files.length === 0) {
    const dir = path.join(REPO_ROOT, "notebooks");
    files = fs.existsSync(dir)
      ? fs
          .readdirSync(dir)
          .filter((f) => f.endsWith(".ipynb"))
          .sort()
          .map((f) => path.join(dir, f))
      : [];
  }
  let problems = 0;
  for (const file of files) {
    const rel = path.relative(process.cwd(), file);
    const { fixable, other } = checkNotebookText(fs.readFileSync(file, "utf8"), rel);
    for (const p of other) console.log(p);
    if (fix && fixable.length > 0) {
      writeNotebook(file, clearOutputs(parseNotebook(fs.readFileSync(file, "utf8"), rel)));
      console.log(`${rel}: stripped outputs from ${fixable.length} cell${fixable.length === 1 ? "" : "s"}`);
    } else {
      for (const p of fixable) console.log(p);
      problems += fixable.length;
    }
    problems += other.length;
  }
  if (problems > 0) {
    console.log(
      `check:notebooks: ${problems} problem${problems === 1 ? "" : "s"} in ${files.length} notebooks` +
        (fix ? "" : " (run `npm run check:notebooks -- --fix` to strip outputs)"),
    );
    process.exit(1);
  }
  console.log(`check:notebooks: ${files.length} notebooks clean`);
}

if (require.main === module) main();
