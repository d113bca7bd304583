/**
 * `npm run models -- [--size quick|full] [--rebuild] <name…>`: builds the named models of the registry ahead of
 * time (default: every recipe), so notebooks load them instead of training. Without --size, LLM_QUICK=1
 * selects "quick", else "full". `npm run models -- --list` prints each recipe's cache status.
 */
import { backend, models } from "../../src";

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  let size: models.Size = models.defaultSize();
  let rebuild = false;
  let list = false;
  const names: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--size") {
      const v = args[++i];
      if (v !== "quick" && v !== "full") throw new Error(`--size must be quick or full, got ${v}`);
      size = v;
    } else if (a === "--rebuild") rebuild = true;
    else if (a === "--list") list = true;
    else if (a.startsWith("-"))
      throw new Error(`unknown option ${a}; use --size quick|full, --rebuild, --list`);
    else names.push(a);
  }
  const targets = names.length ? names : models.recipeNames();
  for (const n of targets) models.recipe(n); // unknown names fail before any work
  if (list) {
    for (const n of targets) {
      const card = models.readCard(n, size);
      console.log(
        `${n.padEnd(12)} ${size.padEnd(6)} ${models.status(n, size).padEnd(8)} key ${models.cacheKey(n, size)}` +
          (card
            ? `  (built ${card.createdAt}, ${card.seconds} s, loss ${card.loss.toFixed(4)}, commit ${card.commit})`
            : ""),
      );
    }
    return;
  }
  await backend.initBackend();
  for (const n of targets) {
    const t0 = Date.now();
    const b = await models.get(n, { size, rebuild });
    console.log(
      `${n} (${size}): ${b.card.parameters.toLocaleString("en-US")} parameters, loss ${b.card.loss.toFixed(4)}, ` +
        `built in ${b.card.seconds} s (this call ${((Date.now() - t0) / 1000).toFixed(1)} s) → ${b.dir}`,
    );
    b.dispose();
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
