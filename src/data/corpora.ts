/**
 * The clean prose of the synthetic crawl (chapter 05), built on the corpora layer: Moby-Dick's chapters, the
 * State of the Union addresses and the Brown corpus as lists of paragraphs, each with the mixture domain the
 * data chapter gives it. Cached in the corpora cache.
 */
import { brownDocuments, cached, mobyDickChapters, sotuSpeeches, type BrownGenre } from "../corpora";

/** A passage of clean text with where it came from. */
export interface Passage {
  source: "moby-dick" | "sotu" | "brown";
  /** Mixture domain: "books", "speeches", "news", "fiction" or "nonfiction". */
  domain: string;
  title: string;
  /** Paragraphs of the passage. */
  paragraphs: string[];
}

/** Paragraphs with their word counts, for cutting passages quickly. */
export interface ParagraphList {
  source: Passage["source"];
  domain: string;
  title: string;
  paragraphs: string[];
  words: number[];
}

/** Brown genre → mixture domain. */
const BROWN_DOMAIN: Record<BrownGenre, string> = {
  news: "news",
  editorial: "news",
  reviews: "news",
  fiction: "fiction",
  mystery: "fiction",
  science_fiction: "fiction",
  adventure: "fiction",
  romance: "fiction",
  humor: "fiction",
  belles_lettres: "nonfiction",
  government: "nonfiction",
  hobbies: "nonfiction",
  learned: "nonfiction",
  lore: "nonfiction",
  religion: "nonfiction",
};

const countWords = (p: string): number => p.split(/\s+/).filter(Boolean).length;

/**
 * Every clean-prose document of the three corpora as paragraphs: Moby-Dick's numbered chapters and epilogue,
 * each State of the Union address cut into paragraphs of 5 sentences (the package has none), and each Brown
 * file.
 */
export function proseDocuments(): readonly ParagraphList[] {
  return cached("data/prose", () => {
    const out: ParagraphList[] = [];
    const add = (source: Passage["source"], domain: string, title: string, paragraphs: string[]): void => {
      out.push({ source, domain, title, paragraphs, words: paragraphs.map(countWords) });
    };
    for (const ch of mobyDickChapters()) {
      if (!/^\d+$/.test(ch.chapter) && ch.chapter !== "Epilogue") continue;
      const paras = ch.text
        .split(/\n\s*\n/)
        .map((p) => p.replace(/\s+/g, " ").trim())
        .filter((p) => p.length > 0 && !/^CHAPTER \d+/i.test(p));
      add("moby-dick", "books", `Moby-Dick, chapter ${ch.chapter}: ${ch.title}`, paras);
    }
    for (const s of sotuSpeeches()) {
      const sentences = s.text.split(/(?<=[.!?])\s+(?=["'A-Z])/);
      const paras: string[] = [];
      for (let i = 0; i < sentences.length; i += 5)
        paras.push(
          sentences
            .slice(i, i + 5)
            .join(" ")
            .trim(),
        );
      add(
        "sotu",
        "speeches",
        `State of the Union ${s.year} — ${s.president}`,
        paras.filter((p) => p.length > 0),
      );
    }
    for (const d of brownDocuments()) {
      const title = `${d.genre.replace(/_/g, " ")} (${d.file})`;
      add("brown", BROWN_DOMAIN[d.genre], title[0].toUpperCase() + title.slice(1), d.paragraphs);
    }
    return out;
  });
}
