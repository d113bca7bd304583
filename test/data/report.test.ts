import { strict as assert } from "node:assert";
import { exactHash, exactSimilarPairs } from "../../src/data/dedup";
import { shingleHashes } from "../../src/data/minhash";
import { generateCrawl, type CrawlPage } from "../../src/data/crawl";
import {
  cleanCrawl,
  cleaningStages,
  trainQualityClassifier,
  type CleaningReport,
} from "../../src/data/report";
import { smallCrawl } from "./fixture";

describe("data/report: the cleaning pipeline on the generated crawl", () => {
  let pages: CrawlPage[] = [];
  let report: CleaningReport;
  before(() => {
    pages = smallCrawl().pages;
    // The classifier learns from another crawl (another seed), as it would from labelled data in practice.
    const classifier = trainQualityClassifier(generateCrawl({ documents: 600, seed: 8 }), 8);
    report = cleanCrawl(pages, cleaningStages({ classifier }));
  });

  it("accounts for every page: kept + removed per stage and per kind", () => {
    const removed = report.removals.reduce((a, r) => a + r.removed, 0);
    assert.equal(report.kept.length + removed, pages.length);
    assert.deepEqual(
      report.stats.map((s) => s.stage),
      ["extract", "quality", "c4", "classifier", "exact-dedup", "near-dedup"],
    );
    for (let i = 1; i < report.stats.length; i++)
      assert.equal(report.stats[i].seen, report.stats[i - 1].kept);
    for (const r of report.removals) {
      assert.equal(
        Object.values(r.byKind).reduce((a, b) => a + (b ?? 0), 0),
        r.removed,
      );
    }
  });

  it("removes junk, thin pages and most spam, keeps most prose, and leaves no exact or near duplicates", () => {
    const count = (kind: string): number => pages.filter((p) => p.truth.kind === kind).length;
    assert.equal(report.keptByKind.junk ?? 0, 0, "junk survived");
    assert.equal(report.keptByKind.thin ?? 0, 0, "thin pages survived");
    const prose = pages.filter((p) => p.truth.kind === "original" && p.truth.domain !== "mail");
    const keptIds = new Set(report.kept.map((d) => d.id));
    const keptProse = prose.filter((p) => keptIds.has(p.id)).length;
    assert.ok(keptProse / prose.length > 0.8, `only ${keptProse} of ${prose.length} prose originals kept`);
    assert.ok(
      (report.keptByKind.spam ?? 0) < count("spam") / 2,
      "most spam should go even without the classifier",
    );
    const keys = report.kept.map((d) => exactHash(d.text));
    assert.equal(new Set(keys).size, keys.length, "two kept pages are exact duplicates");
    const near = exactSimilarPairs(
      report.kept.map((d) => shingleHashes(d.text)),
      0.8,
    );
    assert.equal(near.length, 0, `${near.length} kept pairs have Jaccard ≥ 0.8`);
  });
});
