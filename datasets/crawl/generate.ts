/**
 * Writes the synthetic crawl of chapter 05 as JSON lines: `npm run datasets:crawl -- [--docs N] [--seed S]
 * [--out FILE] [--stages]` (default 3000 pages, seed 0, build/crawl/crawl-seed0.jsonl). Each line is one page: id, url,
 * the ground truth (source, domain, kind, is_duplicate_of, near_duplicate_of, junk, spam, thin, edit_rate)
 * and the raw html. The library builds the same crawl in memory (`data.generateCrawl`), so notebooks, tests
 * and the benchmark never need this file; it is for looking at the pages and for other tools. `--stages` also
 * runs the cleaning pipeline on it and prints, as Markdown tables, what each stage removed per page kind.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { crawlRecord, generateCrawl } from "../../src/data/crawl";
import { cleanCrawl, cleaningStages, trainQualityClassifier } from "../../src/data/report";

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? undefined : process.argv[i + 1];
}

function numberOption(name: string, fallback: number): number {
  const raw = option(name);
  if (raw === undefined) return fallback;
  const v = Number(raw);
  if (!Number.isInteger(v)) throw new Error(`--${name} needs an integer, got "${raw}"`);
  return v;
}

const docs = numberOption("docs", 3000);
const seed = numberOption("seed", 0);
const out = path.resolve(option("out") ?? path.join("build", "crawl", `crawl-seed${seed}.jsonl`));

const start = Date.now();
const pages = generateCrawl({ documents: docs, seed });
const seconds = (Date.now() - start) / 1000;
fs.mkdirSync(path.dirname(out), { recursive: true });
const fd = fs.openSync(out, "w");
let bytes = 0;
for (const page of pages) {
  const line = JSON.stringify(crawlRecord(page)) + "\n";
  bytes += Buffer.byteLength(line);
  fs.writeSync(fd, line);
}
fs.closeSync(fd);

const kinds: Record<string, number> = {};
for (const p of pages) kinds[p.truth.kind] = (kinds[p.truth.kind] ?? 0) + 1;
console.log(
  `crawl: ${pages.length} pages (${Object.entries(kinds)
    .map(([k, n]) => `${n} ${k}`)
    .join(
      ", ",
    )}), ${(bytes / 1e6).toFixed(1)} MB, generated in ${seconds.toFixed(1)} s → ${path.relative(process.cwd(), out)}`,
);

// --stages: run the cleaning pipeline (classifier trained on the crawl with seed + 1) and print its table.
if (process.argv.includes("--stages")) {
  const classifier = trainQualityClassifier(generateCrawl({ documents: docs, seed: seed + 1 }), seed);
  const report = cleanCrawl(pages, cleaningStages({ classifier }));
  const kindsOrder = ["original", "exact-copy", "near-copy", "junk", "spam", "thin"] as const;
  console.log(`\n| stage | reason | removed | ${kindsOrder.join(" | ")} |`);
  console.log(`|---|---|---|${kindsOrder.map(() => "---|").join("")}`);
  for (const r of report.removals) {
    console.log(
      `| ${r.stage} | ${r.reason} | ${r.removed} | ${kindsOrder.map((k) => r.byKind[k] ?? 0).join(" | ")} |`,
    );
  }
  console.log(
    `| **kept** | | ${report.kept.length} | ${kindsOrder.map((k) => report.keptByKind[k] ?? 0).join(" | ")} |`,
  );
  console.log(
    "\n| stage | seen | kept | removed | tokens seen | tokens removed |\n|---|---|---|---|---|---|",
  );
  for (const s of report.stats) {
    console.log(
      `| ${s.stage} | ${s.seen} | ${s.kept} | ${s.removed} | ${s.tokensSeen} | ${s.tokensRemoved} |`,
    );
  }
}
