/**
 * A hand-written scanner for GPT-2's pre-tokenization pattern, and a cache keyed by text ranges.
 *
 * `text.match(regex)` allocates one string per piece and the cache then hashes each of them; on natural text that
 * costs more than the merges. The scanner finds the same pieces by looking at character codes, and the cache
 * finds a piece's ids by a hash of its characters and a `startsWith` comparison, so a cache hit allocates nothing.
 * The tests check that the scanner cuts exactly like the regex (`GPT2_PATTERN`) on random Unicode text.
 *
 * GPT-2's pattern, alternative by alternative (first match wins, each quantifier greedy):
 *   's|'t|'re|'ve|'m|'ll|'d   a contraction
 *   ` ?\p{L}+` / ` ?\p{N}+` / ` ?[^\s\p{L}\p{N}]+`   a run of letters / numbers / other symbols, with one
 *                             optional leading space
 *   `\s+(?!\S)`               a whitespace run not followed by a non-space: all of it at the end of the text,
 *                             else all but its last character (which then leads the next piece)
 *   `\s+`                     a single whitespace character before a non-space
 */

/** Character classes of the pattern. */
const OTHER = 0;
const LETTER = 1;
const NUMBER = 2;
const SPACE = 3;

const asciiClass = new Uint8Array(128);
const classCache = new Map<number, number>();

function computeClass(cp: number): number {
  const s = String.fromCodePoint(cp);
  if (/\p{L}/u.test(s)) return LETTER;
  if (/\p{N}/u.test(s)) return NUMBER;
  if (/\p{White_Space}/u.test(s)) return SPACE;
  return OTHER;
}
for (let c = 0; c < 128; c++) asciiClass[c] = computeClass(c);

/** The class of code point `cp` (lone surrogates are OTHER, as in a `u` regex). */
function classOf(cp: number): number {
  if (cp < 128) return asciiClass[cp];
  let c = classCache.get(cp);
  if (c === undefined) {
    c = computeClass(cp);
    classCache.set(cp, c);
  }
  return c;
}

/** The code point at `i` (a lone surrogate is its own code point). */
function codePointAt(text: string, i: number, end: number): number {
  const c = text.charCodeAt(i);
  if (c >= 0xd800 && c <= 0xdbff && i + 1 < end) {
    const d = text.charCodeAt(i + 1);
    if (d >= 0xdc00 && d <= 0xdfff) return (c - 0xd800) * 0x400 + (d - 0xdc00) + 0x10000;
  }
  return c;
}

/** The end of the run of class `cls` starting at `i`. */
function runEnd(text: string, i: number, end: number, cls: number): number {
  while (i < end) {
    const c = text.charCodeAt(i);
    if (c < 128) {
      if (asciiClass[c] !== cls) return i;
      i++;
    } else {
      const cp = codePointAt(text, i, end);
      if (classOf(cp) !== cls) return i;
      i += cp > 0xffff ? 2 : 1;
    }
  }
  return i;
}

/** The end of the GPT-2 piece that starts at `i` in `text[start, end)` (i < end). */
export function gpt2PieceEnd(text: string, i: number, end: number): number {
  const c0 = text.charCodeAt(i);
  if (c0 === 0x27 && i + 1 < end) {
    const c1 = text.charCodeAt(i + 1);
    if (c1 === 0x73 || c1 === 0x74 || c1 === 0x6d || c1 === 0x64) return i + 2; // 's 't 'm 'd
    if (i + 2 < end) {
      const c2 = text.charCodeAt(i + 2);
      if ((c1 === 0x72 || c1 === 0x76) && c2 === 0x65) return i + 3; // 're 've
      if (c1 === 0x6c && c2 === 0x6c) return i + 3; // 'll
    }
  }
  let j = i;
  let cp = c0 < 128 ? c0 : codePointAt(text, i, end);
  let cls = classOf(cp);
  if (c0 === 0x20 && i + 1 < end) {
    const cp1 = codePointAt(text, i + 1, end);
    const cls1 = classOf(cp1);
    if (cls1 !== SPACE) {
      j = i + 1;
      cp = cp1;
      cls = cls1;
    }
  }
  if (cls !== SPACE) return runEnd(text, j + (cp > 0xffff ? 2 : 1), end, cls);
  // Whitespace: White_Space has no characters outside the BMP, so each is one code unit.
  const k = runEnd(text, i + 1, end, SPACE);
  if (k === end) return k;
  return k - 1 > i ? k - 1 : k;
}

/** GPT-2's pieces of `text`, by the scanner (the same as `pretokenize(text, "gpt2")`). */
export function scanGpt2(text: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length;) {
    const e = gpt2PieceEnd(text, i, text.length);
    out.push(text.slice(i, e));
    i = e;
  }
  return out;
}

/** FNV-1a over the UTF-16 code units of `text[start, end)`. */
export function rangeHash(text: string, start: number, end: number): number {
  let h = 0x811c9dc5 | 0;
  for (let i = start; i < end; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h;
}

/**
 * A bounded cache from piece text to ids, looked up by (text, start, end) without making the piece's string.
 * When it holds `maxEntries` pieces it is emptied (simple and bounded; natural text refills the frequent pieces
 * at once).
 */
export class PieceCache {
  private keys: (string | undefined)[];
  private hashes: Int32Array;
  private values: (number | number[] | undefined)[];
  private mask: number;
  private count = 0;
  readonly maxEntries: number;

  constructor(maxEntries: number) {
    this.maxEntries = Math.max(1, maxEntries);
    let cap = 16;
    while (cap < this.maxEntries * 2) cap *= 2;
    this.keys = new Array(cap).fill(undefined);
    this.hashes = new Int32Array(cap);
    this.values = new Array(cap).fill(undefined);
    this.mask = cap - 1;
  }

  /** The ids of the piece `text[start, end)` with hash `hash`, or undefined. */
  get(text: string, start: number, end: number, hash: number): number | number[] | undefined {
    const len = end - start;
    for (let i = hash & this.mask; ; i = (i + 1) & this.mask) {
      const key = this.keys[i];
      if (key === undefined) return undefined;
      if (this.hashes[i] === hash && key.length === len && text.startsWith(key, start)) return this.values[i];
    }
  }

  /** Stores the ids of `piece` (whose hash is `hash`); the caller has checked it is absent. */
  set(piece: string, hash: number, ids: number | number[]): void {
    if (this.count >= this.maxEntries) this.clear();
    let i = hash & this.mask;
    while (this.keys[i] !== undefined) i = (i + 1) & this.mask;
    this.keys[i] = piece;
    this.hashes[i] = hash;
    this.values[i] = ids;
    this.count++;
  }

  /** Empties the cache. */
  clear(): void {
    this.keys.fill(undefined);
    this.values.fill(undefined);
    this.count = 0;
  }

  /** Pieces stored. */
  get size(): number {
    return this.count;
  }
}
