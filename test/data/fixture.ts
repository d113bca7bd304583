/** One small generated crawl shared by the data tests (generated once per mocha process). */
import { generateCrawl, type CrawlPage } from "../../src/data/crawl";
import { extractText } from "../../src/data/extract";

let cached: { pages: CrawlPage[]; texts: string[]; byId: Map<string, number> } | null = null;

/** 800 pages, seed 7, with their extracted texts. */
export function smallCrawl(): { pages: CrawlPage[]; texts: string[]; byId: Map<string, number> } {
  if (cached) return cached;
  const pages = generateCrawl({ documents: 800, seed: 7 });
  const texts = pages.map((p) => extractText(p.html));
  cached = { pages, texts, byId: new Map(pages.map((p, i) => [p.id, i])) };
  return cached;
}
