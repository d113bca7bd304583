/**
 * Text helpers shared by every stage of the data pipeline: normalisation, words, lines, paragraphs and a
 * simple token counter.
 *
 * All stages see text in one canonical form (`normalizeText`): Unicode NFC, no control characters, spaces
 * collapsed inside a line, at most one blank line between paragraphs. Two pages that differ only in those
 * respects then hash and shingle the same.
 */

/** Characters that are whitespace but not a line break (tabs, no-break and other Unicode spaces). */
const INLINE_SPACE = /[^\S\n]+/g;
/** C0/C1 control characters other than tab and newline, and zero-width characters. */
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u200b-\u200d\u2060\ufeff]/g;

/**
 * Canonical text: NFC, CRLF → LF, control and zero-width characters removed, runs of spaces/tabs → one space,
 * lines trimmed, 3+ line breaks → one blank line, no leading/trailing blank lines.
 */
export function normalizeText(text: string): string {
  return text
    .normalize("NFC")
    .replace(/\r\n?/g, "\n")
    .replace(CONTROL, "")
    .replace(INLINE_SPACE, " ")
    .replace(/ ?\n ?/g, "\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

/**
 * A stricter key for exact deduplication: `normalizeText`, then lower case, and every run of punctuation and
 * whitespace → one space. Two pages with the same words in the same order get the same key.
 */
export function dedupKey(text: string): string {
  return normalizeText(text)
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();
}

/** Whitespace-separated words (punctuation stays attached: `"whale,"`), as Gopher's rules count them. */
export function words(text: string): string[] {
  const out = text.split(/\s+/);
  if (out.length > 0 && out[0] === "") out.shift();
  if (out.length > 0 && out[out.length - 1] === "") out.pop();
  return out;
}

/** Lower-cased words with surrounding punctuation removed (`"Whale,"` → `"whale"`); empty ones dropped. */
export function bareWords(text: string): string[] {
  const out: string[] = [];
  for (const w of words(text)) {
    const bare = w.toLowerCase().replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, "");
    if (bare) out.push(bare);
  }
  return out;
}

/** Non-empty lines, trimmed. */
export function lines(text: string): string[] {
  return text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
}

/** Paragraphs: blocks separated by blank lines, trimmed, non-empty. */
export function paragraphs(text: string): string[] {
  return text
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
}

const TOKEN = /[\p{L}\p{M}\p{N}]+|[^\s\p{L}\p{M}\p{N}]/gu;

/**
 * An approximate token count: runs of letters/digits count one each, every other non-space character
 * counts one. It tracks a BPE tokenizer's count to within a small factor on English prose, which is all a
 * mixture table needs; pass a real tokenizer's counter where exact counts matter.
 */
export function countTokens(text: string): number {
  let n = 0;
  TOKEN.lastIndex = 0;
  while (TOKEN.exec(text) !== null) n++;
  return n;
}
