/**
 * Where a generated data set came from, for the `meta.json` the dataset scripts write next to their results:
 * the CPU model (results are timed and compared as ratios on one machine) and the commit that computed them.
 */
import { execSync } from "node:child_process";
import * as os from "node:os";

/** The CPU model from `lscpu` (Node's `os.cpus()` where lscpu is missing). */
export function machine(): string {
  try {
    const m = /Model name:\s*(.+)/.exec(execSync("lscpu", { encoding: "utf8" }));
    if (m) return m[1].trim();
  } catch {
    /* no lscpu */
  }
  return os.cpus()[0]?.model ?? "unknown";
}

/** The checkout's commit (`short`: git's abbreviated hash), or "unknown" outside a git checkout. */
export function gitCommit(short = false): string {
  try {
    return execSync(`git rev-parse ${short ? "--short " : ""}HEAD`, { encoding: "utf8" }).trim();
  } catch {
    return "unknown";
  }
}
