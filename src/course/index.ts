/**
 * What every notebook of the course shares: the "what you should see" checks and the exercise cell that grades
 * the learner's file. Notebooks import it by name (`import { course } from "llm-ts"`) instead of pasting a
 * `check` function and a grader cell into each lesson.
 *
 * A check prints one line that starts with `OK` or `DIFFERS`; the course runner (`npm run course`) counts those
 * lines per notebook and fails a notebook with any `DIFFERS`, so a number the prose promises is a tested number.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { currentSink, newDisplayId } from "../plot/sink";

/** True in quick mode (`LLM_QUICK=1`, what CI runs): fewer steps and less data. */
export function isQuick(): boolean {
  return process.env.LLM_QUICK === "1";
}

/** The marks a check line starts with; the course runner reads them. */
export const CHECK_OK = "OK     ";
export const CHECK_DIFFERS = "DIFFERS";

const tally = { ok: 0, differs: 0 };

function shown(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  return Number.isInteger(x) ? String(x) : String(+x.toPrecision(6));
}

function record(ok: boolean, line: string): void {
  if (ok) tally.ok += 1;
  else tally.differs += 1;
  console.log(`${ok ? CHECK_OK : CHECK_DIFFERS}  ${line}`);
}

/**
 * Checks a number the text promises: prints `OK  label: value (expected e ± tol)` or `DIFFERS  …`.
 * A NaN value always differs. Returns nothing, so a check as a cell's last line prints only its line
 * (`checkCounts()` has the tally).
 */
export function check(label: string, value: number, expected: number, tolerance: number): void {
  const ok = Number.isFinite(value) && Math.abs(value - expected) <= tolerance;
  record(ok, `${label}: ${shown(value)} (expected ${shown(expected)} ± ${shown(tolerance)})`);
}

/** Checks a number against a range `[low, high]` (inclusive), for promises such as "between 0.6 and 0.9". */
export function checkRange(label: string, value: number, low: number, high: number): void {
  const ok = Number.isFinite(value) && value >= low && value <= high;
  record(ok, `${label}: ${shown(value)} (expected in [${shown(low)}, ${shown(high)}])`);
}

/** Checks a statement that is not one number (`detail` says what was seen), e.g. "ids equal tiktoken's". */
export function checkThat(label: string, ok: boolean, detail = ""): void {
  record(ok, detail ? `${label}: ${detail}` : label);
}

/** How many checks held and differed so far in this kernel. */
export function checkCounts(): { ok: number; differs: number } {
  return { ...tally };
}

/** Prints `checks: N OK, M DIFFERS` (the end of a "what you should see" section); `checkCounts()` has them. */
export function checkSummary(): void {
  console.log(`checks: ${tally.ok} OK, ${tally.differs} DIFFERS`);
}

/** Forgets the counts (tests). */
export function resetChecks(): void {
  tally.ok = 0;
  tally.differs = 0;
}

/** The repository root: the nearest folder above this module whose package.json is `llm-ts`'s. */
export function repositoryRoot(from: string = __dirname): string {
  let dir = path.resolve(from);
  for (;;) {
    const pkg = path.join(dir, "package.json");
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, "utf8")) as { name?: string }).name === "llm-ts") return dir;
      } catch {
        // not a readable package.json: keep looking upwards
      }
    }
    const up = path.dirname(dir);
    if (up === dir)
      throw new Error(`course: no llm-ts package.json above ${from}; is the library installed?`);
    dir = up;
  }
}

/**
 * The exercise cell: grades the learner's `exercises/NN-*.ts` with `npm run grade -- NN` in a child process and
 * shows the table (HTML in a notebook, text in a script), or says why the grader produced none.
 */
export function grade(chapter: string, options: { timeoutMs?: number } = {}): void {
  const sink = currentSink();
  const graded = spawnSync("npm", ["run", "-s", "grade", "--", chapter, "--format", sink ? "html" : "text"], {
    cwd: repositoryRoot(),
    encoding: "utf8",
    timeout: options.timeoutMs ?? 600_000,
    shell: process.platform === "win32",
  });
  const out = typeof graded.stdout === "string" ? graded.stdout : "";
  if (sink && out.includes("<table")) {
    sink.display({ "text/html": out, "text/plain": out.replace(/<[^>]+>/g, "") }, newDisplayId());
  } else if (out.trim()) {
    console.log(out);
  } else {
    const why = graded.error ? graded.error.message : `exit status ${graded.status}`;
    console.log(`The grader did not produce a table (${why}).\n${graded.stderr ?? ""}`);
  }
}
