/**
 * `npm run stubs:pin`: records the git blob id of every pristine stub `exercises/NN-*.ts` in
 * `test/exercises/stubs.json`. The drift test checks the pinned (pristine) stubs, so a learner's filled-in
 * exercises do not turn `npm test` red; run this after changing a stub on purpose (CI fails until you do).
 * `--check` only compares, and exits 1 when a pin is stale.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { pinStubs, type StubPins } from "./drift";
import { REPO_ROOT } from "./grade";

export const PINS_FILE = path.join(REPO_ROOT, "test", "exercises", "stubs.json");

function main(): number {
  const pins = pinStubs(path.join(REPO_ROOT, "exercises"));
  const text = JSON.stringify(pins, null, 2) + "\n";
  if (process.argv.includes("--check")) {
    const old = fs.existsSync(PINS_FILE) ? (JSON.parse(fs.readFileSync(PINS_FILE, "utf8")) as StubPins) : {};
    const stale = Object.keys({ ...old, ...pins }).filter((f) => old[f] !== pins[f]);
    for (const f of stale)
      console.log(`stubs:pin: exercises/${f} differs from its pin in ${path.relative(REPO_ROOT, PINS_FILE)}`);
    return stale.length > 0 ? 1 : 0;
  }
  fs.writeFileSync(PINS_FILE, text);
  console.log(
    `stubs:pin: pinned ${Object.keys(pins).length} stubs in ${path.relative(REPO_ROOT, PINS_FILE)}`,
  );
  return 0;
}

process.exit(main());
