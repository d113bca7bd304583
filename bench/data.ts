/**
 * Benchmark of near-duplicate detection (MinHash + LSH, verified by exact shingle Jaccard) on the generated
 * crawl. Prints one JSON line:
 *   {"bench":"dedup","docs":…,"seconds":…,"docs_per_s":…,"precision":…,"recall":…, …}
 * Positives are the pairs of extracted documents whose exact Jaccard similarity of word 5-shingles is ≥ 0.8,
 * found exactly by prefix filtering (`exactSimilarPairs`). Extraction (HTML → text) runs before the clock
 * starts and is excluded ("timed": the part measured). Options: --docs N (3000), --seed S (0),
 * --perm K (64), --bands B (16) — rows = ⌊K / B⌋ —, --verify jaccard|estimate|none (jaccard: candidates confirmed
 * by exact shingle Jaccard ≥ 0.8; estimate: by the MinHash estimate ≥ 0.8; none: every LSH candidate counts).
 */
import { generateCrawl } from "../src/data/crawl";
import { exactSimilarPairs, nearDuplicatePairs, type Verify } from "../src/data/dedup";
import { extractText } from "../src/data/extract";
import { shingles } from "../src/data/minhash";

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isFinite(v)) throw new Error(`--${name} needs a number, got ${process.argv[i + 1]}`);
  return v;
}

const docs = arg("docs", 3000);
const seed = arg("seed", 0);
const numPerm = arg("perm", 64);
const bands = arg("bands", 16);
const rows = Math.floor(numPerm / bands);
const threshold = 0.8;
const verifyIndex = process.argv.indexOf("--verify");
const verify = (verifyIndex < 0 ? "jaccard" : process.argv[verifyIndex + 1]) as Verify;
if (!["jaccard", "estimate", "none"].includes(verify)) {
  throw new Error(`--verify must be jaccard, estimate or none, got ${verify}`);
}

const pages = generateCrawl({ documents: docs, seed });
const texts = pages.map((p) => extractText(p.html));

// Reference: exact Jaccard of word 5-shingle strings (interned to integers, so nothing is hashed).
const ids = new Map<string, number>();
const sets = texts.map((t) => {
  const out: number[] = [];
  for (const s of shingles(t, 5)) {
    let id = ids.get(s);
    if (id === undefined) ids.set(s, (id = ids.size));
    out.push(id);
  }
  return Uint32Array.from(out).sort();
});
const truth = exactSimilarPairs(sets, threshold);

const cpu0 = process.cpuUsage();
const start = process.hrtime.bigint();
const result = nearDuplicatePairs(texts, { numPerm, bands, rows, threshold, verify, seed });
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
const cpu = process.cpuUsage(cpu0);
const cpuSeconds = (cpu.user + cpu.system) / 1e6;

const key = (p: { i: number; j: number }): string => `${p.i},${p.j}`;
const truthKeys = new Set(truth.map(key));
const found = result.pairs.filter((p) => truthKeys.has(key(p))).length;
const precision = result.pairs.length === 0 ? 1 : found / result.pairs.length;
const recall = truth.length === 0 ? 1 : found / truth.length;

console.log(
  JSON.stringify({
    bench: "dedup",
    docs: texts.length,
    seconds: Number(seconds.toFixed(3)),
    docs_per_s: Math.round(texts.length / seconds),
    cpu_seconds: Number(cpuSeconds.toFixed(3)),
    docs_per_cpu_s: Math.round(texts.length / cpuSeconds),
    precision: Number(precision.toFixed(4)),
    recall: Number(recall.toFixed(4)),
    positives: truth.length,
    predicted: result.pairs.length,
    candidates: result.candidates,
    threshold,
    shingle: "word-5",
    num_perm: numPerm,
    bands,
    rows,
    verify: verify === "jaccard" ? "exact-jaccard" : verify === "estimate" ? "minhash-estimate" : "none",
    timed: "shingling+minhash+lsh+verification; html extraction excluded",
  }),
);
