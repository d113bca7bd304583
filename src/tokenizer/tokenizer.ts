/**
 * `Tokenizer`: byte-level BPE encode/decode with tiktoken's semantics, fast.
 *
 * A tokenizer is a list of byte strings ranked by id (lower id = merged earlier = higher priority), a
 * pre-tokenization regex, and special tokens. Encoding cuts the text into pieces with the regex and runs
 * tiktoken's `byte_pair_merge` on each piece: start from the piece's bytes, repeatedly merge the adjacent pair
 * whose concatenation is the lowest-ranked token (leftmost on ties). This reproduces GPT-2's ids exactly.
 *
 * Speed: (1) a cache from piece to ids (at most `cacheSize` pieces, emptied when full), so the frequent pieces of
 * natural text are looked up, not merged; with GPT-2's pattern a hand-written scanner (scan.ts) replaces the
 * regex and cache hits make no strings at all; (2) the merge loop
 * works on integer ids with a precomputed pair table (a, b) → token, holding every split of every token into two
 * tokens, which is exactly tiktoken's "is the concatenation a token?" test without building byte strings;
 * (3) long pieces (> 64 bytes, e.g. a megabyte without spaces) use a heap and a linked list: O(n log n), not
 * O(n²).
 */
import { bytesKey, concatBytes, showBytes, utf8Decode } from "./bytes";
import type { BpeModel } from "./basics";
import { PairTable } from "./pairtable";
import { gpt2PieceEnd, PieceCache, rangeHash } from "./scan";
import { compilePattern, type PatternName } from "./patterns";
import { checkDisallowed, resolveSpecials, specialRegex, type SpecialOptions } from "./special";

/** What defines a tokenizer. */
export interface TokenizerSpec {
  /** `vocab[id]` = the bytes of token `id`; ids are ranks. Holes (undefined) are allowed; all 256 bytes must exist. */
  vocab: readonly (Uint8Array | undefined)[];
  /** Special token → id (ids outside the ordinary vocabulary). */
  specialTokens?: Record<string, number>;
  /** Pre-tokenization: "gpt2", "gpt4", "none" or a regex source. Default "gpt2". */
  pattern?: PatternName | string;
  /** A name for messages and saved files ("gpt2", "moby-4096" …). */
  name?: string;
  /** Pieces the cache holds before it is emptied (default 50 000; 0 disables the cache). */
  cacheSize?: number;
}

const LONG_PIECE = 64;
const POS_BITS = 2 ** 32; // heap keys: rank * 2^32 + position (exact below 2^53 for ranks < 2^21)

export class Tokenizer {
  /** Name given at construction. */
  readonly name: string;
  /** The pre-tokenization pattern. */
  readonly pattern: PatternName | string;
  /** Special token → id. */
  readonly specialTokens: Readonly<Record<string, number>>;
  private readonly vocab: readonly (Uint8Array | undefined)[];
  private readonly regex: RegExp | null;
  private readonly specials: string[];
  private readonly specialById = new Map<number, Uint8Array>();
  private readonly byteToId = new Int32Array(256);
  private readonly table: PairTable;
  private readonly cache: PieceCache | null;
  private readonly scanGpt2: boolean;
  private readonly encoder = new TextEncoder();
  private scratch = new Uint8Array(1024);
  private readonly idsScratch = new Int32Array(LONG_PIECE);
  private readonly ranksScratch = new Int32Array(LONG_PIECE);
  private mergesCache: [number, number][] | undefined;

  constructor(spec: TokenizerSpec) {
    this.name = spec.name ?? "bpe";
    this.pattern = spec.pattern ?? "gpt2";
    this.regex = compilePattern(this.pattern);
    this.vocab = spec.vocab;
    const cacheSize = spec.cacheSize ?? 50_000;
    this.cache = cacheSize > 0 ? new PieceCache(cacheSize) : null;
    this.scanGpt2 = this.pattern === "gpt2";

    // The id of each byte string (the lowest id when two tokens share bytes), and each single byte.
    const idOf = new Map<string, number>();
    const keys: (string | undefined)[] = new Array(spec.vocab.length);
    for (let id = 0; id < spec.vocab.length; id++) {
      const bytes = spec.vocab[id];
      if (bytes === undefined) continue;
      if (bytes.length === 0) throw new Error(`Tokenizer ${this.name}: token ${id} has no bytes`);
      const key = bytesKey(bytes);
      keys[id] = key;
      if (!idOf.has(key)) idOf.set(key, id);
    }
    for (let b = 0; b < 256; b++) {
      const id = idOf.get(String.fromCharCode(b));
      if (id === undefined) {
        throw new Error(
          `Tokenizer ${this.name}: no token for the single byte 0x${b.toString(16).padStart(2, "0")}; ` +
            `a byte-level vocabulary needs all 256 bytes`,
        );
      }
      this.byteToId[b] = id;
    }
    // Every way to split a token into two tokens.
    this.table = new PairTable(spec.vocab.length * 4);
    for (let id = 0; id < keys.length; id++) {
      const key = keys[id];
      if (key === undefined || key.length < 2 || idOf.get(key) !== id) continue;
      for (let k = 1; k < key.length; k++) {
        const left = idOf.get(key.slice(0, k));
        if (left === undefined) continue;
        const right = idOf.get(key.slice(k));
        if (right !== undefined) this.table.setMin(left, right, id);
      }
    }

    this.specialTokens = { ...(spec.specialTokens ?? {}) };
    this.specials = Object.keys(this.specialTokens);
    for (const [text, id] of Object.entries(this.specialTokens)) {
      if (!Number.isInteger(id) || id < 0)
        throw new Error(`special token ${JSON.stringify(text)}: bad id ${id}`);
      if (spec.vocab[id] !== undefined || this.specialById.has(id)) {
        throw new Error(`special token ${JSON.stringify(text)} has id ${id}, which is already taken`);
      }
      this.specialById.set(id, this.encoder.encode(text));
    }
  }

  /** A tokenizer from a trained model (merges + vocabulary), e.g. the result of `trainBpe`. */
  static fromModel(
    model: BpeModel & { specialTokens?: Record<string, number>; pattern?: PatternName | string },
    options: { name?: string; pattern?: PatternName | string; cacheSize?: number } = {},
  ): Tokenizer {
    return new Tokenizer({
      vocab: model.vocab,
      specialTokens: model.specialTokens,
      pattern: options.pattern ?? model.pattern ?? "gpt2",
      name: options.name,
      cacheSize: options.cacheSize,
    });
  }

  /** One more than the largest id (ordinary or special). */
  get vocabSize(): number {
    let n = this.vocab.length;
    for (const id of this.specialById.keys()) n = Math.max(n, id + 1);
    return n;
  }

  /** The number of ordinary (non-special) tokens. */
  get ordinarySize(): number {
    let n = 0;
    for (const v of this.vocab) if (v !== undefined) n++;
    return n;
  }

  /** The bytes of token `id` (special tokens: their UTF-8 text). Throws for an unknown id. */
  tokenBytes(id: number): Uint8Array {
    const bytes = this.vocab[id] ?? this.specialById.get(id);
    if (bytes === undefined) throw new Error(this.unknownId(id));
    return bytes;
  }

  /** A readable form of token `id` (text, with \xNN for bytes that are not whole UTF-8 characters). */
  tokenString(id: number): string {
    return showBytes(this.tokenBytes(id));
  }

  /** The ordinary vocabulary, `vocab[id]` = bytes (a copy of the array, sharing the byte arrays). */
  vocabulary(): (Uint8Array | undefined)[] {
    return [...this.vocab];
  }

  private unknownId(id: number): string {
    return (
      `unknown token id ${id}: ${this.name} has ids 0–${this.vocabSize - 1}` +
      (Number.isInteger(id) ? "" : " (ids are integers)")
    );
  }

  /**
   * Encodes `text` to token ids. Special tokens follow tiktoken: by default any special token in the text is an
   * error naming it; `allowedSpecial` lists those to encode as their id ("all" for every one);
   * `disallowedSpecial: []` encodes the rest as ordinary text.
   */
  encode(text: string, options: SpecialOptions = {}): number[] {
    const out: number[] = [];
    this.encodeInto(text, options, out);
    return out;
  }

  /** Encodes `text` ignoring special tokens entirely (they are ordinary text). */
  encodeOrdinary(text: string): number[] {
    const out: number[] = [];
    this.encodeOrdinaryInto(text, out);
    return out;
  }

  private encodeInto(text: string, options: SpecialOptions, out: number[]): void {
    if (this.specials.length === 0) {
      this.encodeOrdinaryInto(text, out);
      return;
    }
    const { allowed, disallowed } = resolveSpecials(this.specials, options);
    checkDisallowed(text, disallowed);
    const re = specialRegex(allowed);
    if (re === null) {
      this.encodeOrdinaryInto(text, out);
      return;
    }
    let start = 0;
    for (const m of text.matchAll(re)) {
      const at = m.index as number;
      if (at > start) this.encodeOrdinaryInto(text.slice(start, at), out);
      out.push(this.specialTokens[m[0]]);
      start = at + m[0].length;
    }
    if (start < text.length) this.encodeOrdinaryInto(text.slice(start), out);
  }

  private encodeOrdinaryInto(text: string, out: number[]): void {
    if (text.length === 0) return;
    if (this.scanGpt2) {
      this.encodeScanned(text, out);
      return;
    }
    const pieces = this.regex === null ? [text] : text.match(this.regex);
    if (pieces !== null) this.encodePieces(pieces, pieces.length, out);
  }

  /** GPT-2's pattern without regex or substrings: scan, hash the range, look it up. */
  private encodeScanned(text: string, out: number[]): void {
    const cache = this.cache;
    const end = text.length;
    for (let i = 0; i < end;) {
      const e = gpt2PieceEnd(text, i, end);
      let ids: number | number[] | undefined;
      if (cache !== null) {
        const hash = rangeHash(text, i, e);
        ids = cache.get(text, i, e, hash);
        if (ids === undefined) {
          const piece = text.slice(i, e);
          ids = this.encodePiece(piece);
          cache.set(piece, hash, ids);
        }
      } else {
        ids = this.encodePiece(text.slice(i, e));
      }
      if (typeof ids === "number") out.push(ids);
      else for (let k = 0; k < ids.length; k++) out.push(ids[k]);
      i = e;
    }
  }

  /** Appends the ids of pieces[0 .. count) to `out`, through the cache. */
  private encodePieces(pieces: readonly string[], count: number, out: number[]): void {
    const cache = this.cache;
    for (let p = 0; p < count; p++) {
      const piece = pieces[p];
      let ids: number | number[] | undefined;
      if (cache !== null) {
        const hash = rangeHash(piece, 0, piece.length);
        ids = cache.get(piece, 0, piece.length, hash);
        if (ids === undefined) {
          ids = this.encodePiece(piece);
          cache.set(piece, hash, ids);
        }
      } else {
        ids = this.encodePiece(piece);
      }
      if (typeof ids === "number") out.push(ids);
      else for (let i = 0; i < ids.length; i++) out.push(ids[i]);
    }
  }

  /** Empties the piece cache (benchmarks use it to time encoding from a cold cache). */
  clearCache(): void {
    this.cache?.clear();
  }

  /** The ids of one pre-tokenized piece (a number when it is one token). */
  private encodePiece(piece: string): number | number[] {
    // UTF-8 into a reusable buffer (at most 3 bytes per UTF-16 code unit).
    if (this.scratch.length < piece.length * 3) this.scratch = new Uint8Array(piece.length * 3);
    const n = this.encoder.encodeInto(piece, this.scratch).written as number;
    const bytes = this.scratch;
    if (n === 1) return this.byteToId[bytes[0]];
    const ids = n > LONG_PIECE ? this.mergeLong(bytes, n) : this.mergeShort(bytes, n);
    return ids.length === 1 ? ids[0] : ids;
  }

  /** tiktoken's byte_pair_merge on ids: O(n²), fastest for short pieces (n ≤ LONG_PIECE). */
  private mergeShort(bytes: Uint8Array, n: number): number[] {
    const table = this.table;
    const ids = this.idsScratch;
    const ranks = this.ranksScratch;
    for (let i = 0; i < n; i++) ids[i] = this.byteToId[bytes[i]];
    for (let i = 0; i + 1 < n; i++) ranks[i] = table.get(ids[i], ids[i + 1]);
    let m = n;
    for (;;) {
      let at = -1;
      let best = 0x7fffffff;
      for (let i = 0; i + 1 < m; i++) {
        const r = ranks[i];
        if (r >= 0 && r < best) {
          best = r;
          at = i;
        }
      }
      if (at < 0) break;
      ids[at] = best;
      ids.copyWithin(at + 1, at + 2, m);
      ranks.copyWithin(at, at + 1, m - 1);
      m--;
      if (at > 0) ranks[at - 1] = table.get(ids[at - 1], ids[at]);
      if (at + 1 < m) ranks[at] = table.get(ids[at], ids[at + 1]);
    }
    const out: number[] = new Array(m);
    for (let i = 0; i < m; i++) out[i] = ids[i];
    return out;
  }

  /** The same merges for long pieces: a linked list of parts and a min-heap of (rank, position). */
  private mergeLong(bytes: Uint8Array, n: number): number[] {
    const table = this.table;
    const ids = new Int32Array(n);
    const next = new Int32Array(n);
    const prev = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      ids[i] = this.byteToId[bytes[i]];
      next[i] = i + 1 < n ? i + 1 : -1;
      prev[i] = i - 1;
    }
    const heap: number[] = [];
    const push = (key: number): void => {
      let i = heap.length;
      heap.push(key);
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (heap[parent] <= key) break;
        heap[i] = heap[parent];
        i = parent;
      }
      heap[i] = key;
    };
    const pop = (): number => {
      const top = heap[0];
      const last = heap.pop() as number;
      const size = heap.length;
      if (size > 0) {
        let i = 0;
        for (;;) {
          const l = 2 * i + 1;
          if (l >= size) break;
          const c = l + 1 < size && heap[l + 1] < heap[l] ? l + 1 : l;
          if (heap[c] >= last) break;
          heap[i] = heap[c];
          i = c;
        }
        heap[i] = last;
      }
      return top;
    };
    for (let i = 0; i + 1 < n; i++) {
      const r = table.get(ids[i], ids[i + 1]);
      if (r >= 0) push(r * POS_BITS + i);
    }
    const alive = new Uint8Array(n).fill(1);
    while (heap.length > 0) {
      const key = pop();
      const rank = Math.floor(key / POS_BITS);
      const p = key - rank * POS_BITS;
      const q = next[p];
      if (!alive[p] || q < 0 || table.get(ids[p], ids[q]) !== rank) continue; // out of date
      ids[p] = rank;
      alive[q] = 0;
      next[p] = next[q];
      if (next[q] >= 0) prev[next[q]] = p;
      if (prev[p] >= 0) {
        const r = table.get(ids[prev[p]], ids[p]);
        if (r >= 0) push(r * POS_BITS + prev[p]);
      }
      if (next[p] >= 0) {
        const r = table.get(ids[p], ids[next[p]]);
        if (r >= 0) push(r * POS_BITS + p);
      }
    }
    const out: number[] = [];
    for (let i = 0; i >= 0; i = next[i]) out.push(ids[i]);
    return out;
  }

  /** The bytes of `ids` concatenated. Unknown ids are an error naming the id. */
  decodeBytes(ids: ArrayLike<number>): Uint8Array {
    let length = 0;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      const bytes = this.vocab[id] ?? this.specialById.get(id);
      if (bytes === undefined) throw new Error(this.unknownId(id));
      length += bytes.length;
    }
    const out = new Uint8Array(length);
    let at = 0;
    for (let i = 0; i < ids.length; i++) {
      const bytes = (this.vocab[ids[i]] ?? this.specialById.get(ids[i])) as Uint8Array;
      out.set(bytes, at);
      at += bytes.length;
    }
    return out;
  }

  /**
   * The text of `ids`. Never throws on bytes that are not valid UTF-8 (a token may hold part of a character):
   * those become U+FFFD. An unknown id is an error naming it.
   */
  decode(ids: ArrayLike<number>): string {
    return utf8Decode(this.decodeBytes(ids));
  }

  /**
   * The merges this vocabulary implies, in rank order: for each multi-byte token, the pair of tokens that BPE on
   * its own bytes (with lower ranks only) ends with. Throws when a token is not reachable by merges.
   */
  merges(): [number, number][] {
    if (this.mergesCache !== undefined) return this.mergesCache;
    const out: [number, number][] = [];
    for (let id = 0; id < this.vocab.length; id++) {
      const bytes = this.vocab[id];
      if (bytes === undefined || bytes.length < 2) continue;
      const parts = this.mergeBelow(bytes, id);
      if (parts.length !== 2) {
        throw new Error(
          `token ${id} (${JSON.stringify(showBytes(bytes))}) is not the merge of two lower-ranked tokens ` +
            `(BPE on its bytes ends with ${parts.length} parts), so this vocabulary has no merge list`,
        );
      }
      out.push([parts[0], parts[1]]);
    }
    this.mergesCache = out;
    return out;
  }

  /** byte_pair_merge on `bytes` using only tokens ranked below `limit`. */
  private mergeBelow(bytes: Uint8Array, limit: number): number[] {
    const ids = Array.from(bytes, (b) => this.byteToId[b]);
    for (;;) {
      let at = -1;
      let best = limit;
      for (let i = 0; i + 1 < ids.length; i++) {
        const r = this.table.get(ids[i], ids[i + 1]);
        if (r >= 0 && r < best) {
          best = r;
          at = i;
        }
      }
      if (at < 0) return ids;
      ids.splice(at, 2, best);
    }
  }

  /** Concatenated bytes of two tokens (used by tools that inspect merges). */
  pairBytes(a: number, b: number): Uint8Array {
    return concatBytes(this.tokenBytes(a), this.tokenBytes(b));
  }

  /**
   * Encodes a stream of text chunks (strings, or bytes decoded as UTF-8 across chunk boundaries) and yields the
   * ids in batches, holding only the not-yet-final tail of the text (never all the ids). The result is the same
   * as `encode` on the whole text, wherever the chunks are cut: a batch ends only at a piece boundary that more
   * text cannot move, and never inside a possible special token.
   *
   * Why a cut is safe (GPT-2 and GPT-4 patterns): matching at a piece start reads at most its own piece plus one
   * character, a contraction (3 characters), or a whitespace run up to the next non-whitespace character. So a
   * piece is final when it is not the last piece, starts at or before the last non-whitespace character, and
   * starts at least 4 characters before the end. With "none" or a custom pattern the whole text is held until
   * the stream ends (or cut only after special tokens).
   */
  async *encodeStream(
    chunks: AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>,
    options: SpecialOptions = {},
  ): AsyncGenerator<number[], void, undefined> {
    const decoder = new TextDecoder("utf-8");
    const { allowed, disallowed } = resolveSpecials(this.specials, options);
    const allowedRe = specialRegex(allowed);
    const maxSpecial = Math.max(0, ...this.specials.map((s) => s.length));
    const cuttable = this.regex !== null && (this.pattern === "gpt2" || this.pattern === "gpt4");
    let buffer = "";
    for await (const chunk of chunks as AsyncIterable<string | Uint8Array>) {
      buffer += typeof chunk === "string" ? chunk : decoder.decode(chunk, { stream: true });
      checkDisallowed(buffer, disallowed);
      // Ordinary text after the last allowed special: the only place a cut needs care.
      let segStart = 0;
      if (allowedRe !== null) {
        for (const m of buffer.matchAll(allowedRe)) segStart = (m.index as number) + m[0].length;
      }
      const out: number[] = [];
      if (segStart > 0) this.encodeInto(buffer.slice(0, segStart), options, out);
      let cut = segStart;
      if (cuttable) {
        const segment = buffer.slice(segStart);
        const pieces = segment.match(this.regex as RegExp) ?? [];
        let lastNonWs = segment.length - 1;
        while (lastNonWs >= 0 && WHITESPACE.test(segment[lastNonWs])) lastNonWs--;
        const limit = Math.min(segment.length - 4, lastNonWs, segment.length - maxSpecial);
        let k = 0;
        let end = 0;
        // Piece k is final when it starts within the limit and is not the last piece.
        while (
          k + 1 < pieces.length &&
          end <= limit &&
          end + pieces[k].length <= segment.length - maxSpecial
        ) {
          end += pieces[k].length;
          k++;
        }
        this.encodePieces(pieces, k, out);
        cut = segStart + end;
      }
      buffer = buffer.slice(cut);
      if (out.length > 0) yield out;
    }
    buffer += decoder.decode();
    if (buffer.length > 0) {
      const out: number[] = [];
      this.encodeInto(buffer, options, out);
      yield out;
    }
  }
}

const WHITESPACE = /\p{White_Space}/u;
