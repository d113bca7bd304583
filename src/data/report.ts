/**
 * The whole cleaning pipeline on a generated crawl, scored against its ground truth: which stage removed how
 * many pages of each kind, and why. This is what the chapter's tables show.
 */
import { QualityClassifier, classifierStage } from "./classifier";
import type { CrawlKind, CrawlPage } from "./crawl";
import { exactDedupStage, nearDedupStage, type NearDedupOptions } from "./dedup";
import { extract } from "./extract";
import { c4Stage, qualityStage } from "./quality";
import { Pipeline, type DataDoc, type Stage, type StageStats } from "./stream";

/** A crawl page as a pipeline document (text empty until the extract stage). */
export function pageToDoc(page: CrawlPage): DataDoc {
  return { id: page.id, text: "", html: page.html, url: page.url, domain: page.truth.domain };
}

/** HTML → main text; drops pages where nothing is left (reason `empty`). Frees the HTML. */
export function extractStage<D extends DataDoc = DataDoc>(): Stage<D> {
  return {
    name: "extract",
    apply(doc) {
      if (doc.html === undefined) return { keep: true, doc };
      const text = extract(doc.html).text;
      if (!text) return { keep: false, reason: "empty" };
      return { keep: true, doc: { ...doc, text, html: undefined } };
    },
  };
}

/** Trains the quality classifier on a crawl's originals (good) and its spam and junk (bad). */
export function trainQualityClassifier(pages: readonly CrawlPage[], seed = 0): QualityClassifier {
  const use = pages.filter((p) => p.truth.kind === "original" || p.truth.junk || p.truth.spam);
  const model = new QualityClassifier();
  model.fit(
    use.map((p) => extract(p.html).text),
    use.map((p) => (p.truth.junk || p.truth.spam ? 0 : 1)),
    { seed },
  );
  return model;
}

export interface CleaningOptions {
  /** Apply C4's line filters (default true). */
  c4?: boolean;
  /** A trained classifier; without one the classifier stage is left out. */
  classifier?: QualityClassifier;
  /** Keep pages the classifier scores at least this (default 0.5). */
  classifierThreshold?: number;
  /** Near-dedup settings (default 64 permutations, 16 bands × 4 rows, threshold 0.8, exact verification). */
  near?: NearDedupOptions;
}

/** The stages in order: extract → quality → c4 → classifier → exact-dedup → near-dedup. */
export function cleaningStages(options: CleaningOptions = {}): Stage[] {
  const stages: Stage[] = [extractStage(), qualityStage()];
  if (options.c4 ?? true) stages.push(c4Stage());
  if (options.classifier)
    stages.push(classifierStage(options.classifier, options.classifierThreshold ?? 0.5));
  stages.push(exactDedupStage());
  stages.push(
    nearDedupStage({ numPerm: 64, bands: 16, rows: 4, verify: "jaccard", ...(options.near ?? {}) }),
  );
  return stages;
}

/** One row of the removal table: pages a stage removed for one reason, per page kind. */
export interface RemovalRow {
  stage: string;
  reason: string;
  removed: number;
  byKind: Partial<Record<CrawlKind, number>>;
}

export interface CleaningReport {
  stats: StageStats[];
  removals: RemovalRow[];
  /** Pages that survived every stage, per kind. */
  keptByKind: Partial<Record<CrawlKind, number>>;
  kept: DataDoc[];
}

/** Runs the stages over the crawl, streaming, and tabulates what each removed per ground-truth kind. */
export function cleanCrawl(pages: Iterable<CrawlPage>, stages: Stage[] = cleaningStages()): CleaningReport {
  const kindOf = new Map<string, CrawlKind>();
  const rows = new Map<string, RemovalRow>();
  const pipe = new Pipeline(stages, {
    onDrop: ({ stage, reason, doc }) => {
      const key = `${stage}\u0000${reason}`;
      const row = rows.get(key) ?? { stage, reason, removed: 0, byKind: {} };
      const kind = kindOf.get(doc.id)!;
      row.removed++;
      row.byKind[kind] = (row.byKind[kind] ?? 0) + 1;
      rows.set(key, row);
    },
  });
  const kept: DataDoc[] = [];
  const keptByKind: Partial<Record<CrawlKind, number>> = {};
  for (const page of pages) {
    kindOf.set(page.id, page.truth.kind);
    const out = pipe.process(pageToDoc(page));
    if (out === null) continue;
    kept.push(out);
    keptByKind[page.truth.kind] = (keptByKind[page.truth.kind] ?? 0) + 1;
  }
  const order = new Map(stages.map((s, i) => [s.name, i]));
  const removals = [...rows.values()].sort(
    (a, b) => order.get(a.stage)! - order.get(b.stage)! || b.removed - a.removed,
  );
  return { stats: pipe.stats(), removals, keptByKind, kept };
}
