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

/** The opening of Moby-Dick: clean prose that every quality rule keeps. */
export const PROSE =
  "Call me Ishmael. Some years ago, never mind how long precisely, having little or no money in my purse, and " +
  "nothing particular to interest me on shore, I thought I would sail about a little and see the watery part of " +
  "the world. It is a way I have of driving off the spleen and regulating the circulation. Whenever I find " +
  "myself growing grim about the mouth, whenever it is a damp, drizzly November in my soul, then I account it " +
  "high time to get to sea as soon as I can.";
