/**
 * `npm run release:student [-- --verify] [--out build/student] [--untracked] [--no-notebooks]`: writes the
 * student release (see release.ts) and, with `--verify`, checks it builds, type-checks, holds no answer, and
 * runs its notebooks in student mode. Exits non-zero when a check fails.
 */
import * as path from "node:path";
import { parseArgs } from "node:util";
import { buildRelease, verifyRelease } from "./release";

const USAGE = `usage: npm run release:student -- [--verify] [--out DIR] [--untracked] [--no-notebooks]

  --verify        build and type-check the release, scan every file for answers, run its notebooks
  --out DIR       where to write it (default build/student; must be under build/, it is replaced)
  --untracked     also ship untracked files that git does not ignore (default: tracked files only)
  --no-notebooks  with --verify, skip running the notebooks`;

function main(): number {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        verify: { type: "boolean" },
        out: { type: "string" },
        untracked: { type: "boolean" },
        "no-notebooks": { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (err) {
    process.stderr.write(`release: ${err instanceof Error ? err.message : String(err)}\n\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(USAGE + "\n");
    return 0;
  }
  const root = path.resolve(__dirname, "..", "..");
  const out = path.resolve(values.out ?? path.join(root, "build", "student"));
  const release = buildRelease({ root, out, includeUntracked: values.untracked });
  console.log(`release: wrote ${release.files} files to ${path.relative(process.cwd(), out) || "."}`);
  for (const r of release.regions) {
    console.log(`release: ${r.file}: @answer ${r.id} (${r.names.join(", ")}) -> re-export from the exercise`);
  }
  if (!values.verify) return 0;

  const { steps } = verifyRelease({
    root,
    out,
    notebooks: !values["no-notebooks"],
    onStep: (s) => {
      console.log(`release: ${s.ok ? "ok    " : "FAILED"} ${s.name}`);
      if (s.detail) console.log(s.detail.replace(/^/gm, "    "));
    },
  });
  const failed = steps.filter((s) => !s.ok).length;
  console.log(`release: ${steps.length - failed} checks passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

try {
  process.exitCode = main();
} catch (err) {
  process.stderr.write(`release: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
}
