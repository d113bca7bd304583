/**
 * Saving and loading tokenizers.
 *
 * - tiktoken's rank format (`.tiktoken`): one line per token, `base64(bytes) + " " + rank`. Special tokens and
 *   the pattern are not part of the format (tiktoken keeps them in code); pass them when loading.
 * - A readable JSON file (`format: "llm-ts-bpe"`): pattern, special tokens, the id of each byte, and the merges
 *   in order as `[left, right, id, text]` (text is a readable form of the new token, for people; it is ignored
 *   when loading).
 * - GPT-2: built from the ranks that the `js-tiktoken` npm package ships (`js-tiktoken/ranks/gpt2`, MIT
 *   licence; the ranks are OpenAI's GPT-2 encoder, also MIT), so nothing is downloaded.
 */
import { base64Decode, base64Encode, concatBytes, showBytes } from "./bytes";
import type { PatternName } from "./patterns";
import { Tokenizer } from "./tokenizer";

/** The tokenizer in tiktoken's rank format: `base64 rank` per line, ordinary tokens only. */
export function toTiktoken(tokenizer: Tokenizer): string {
  const lines: string[] = [];
  const vocab = tokenizer.vocabulary();
  for (let id = 0; id < vocab.length; id++) {
    const bytes = vocab[id];
    if (bytes !== undefined) lines.push(`${base64Encode(bytes)} ${id}`);
  }
  return lines.join("\n") + "\n";
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Parses tiktoken's rank format. A corrupt line (not `base64 rank`, a repeated rank or token) is an error that
 * names the line number and shows it.
 */
export function parseTiktoken(text: string, source = "rank file"): Uint8Array[] {
  const vocab: Uint8Array[] = [];
  const seen = new Set<string>();
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].replace(/\r$/, "");
    if (line.length === 0) continue;
    const bad = (why: string): Error =>
      new Error(
        `${source}, line ${i + 1}: ${why} (the line is ${JSON.stringify(line.slice(0, 80))}); ` +
          `each line must be "<base64 token> <rank>"`,
      );
    const parts = line.split(" ");
    if (parts.length !== 2) throw bad(`expected 2 fields separated by one space, found ${parts.length}`);
    const [b64, rankStr] = parts;
    const bytes = BASE64.test(b64) ? base64Decode(b64) : null;
    if (bytes === null || b64.length === 0) throw bad(`"${b64}" is not base64`);
    if (!/^\d+$/.test(rankStr)) throw bad(`rank "${rankStr}" is not a non-negative integer`);
    const rank = Number(rankStr);
    if (vocab[rank] !== undefined) throw bad(`rank ${rank} appears twice`);
    if (seen.has(b64)) throw bad(`token ${b64} appears twice`);
    seen.add(b64);
    if (bytes.length === 0) throw bad("the token is empty");
    vocab[rank] = bytes;
  }
  return vocab;
}

/** A tokenizer from tiktoken's rank format, with the pattern and special tokens to use. */
export function fromTiktoken(
  text: string,
  options: { pattern?: PatternName | string; specialTokens?: Record<string, number>; name?: string } = {},
): Tokenizer {
  return new Tokenizer({ vocab: parseTiktoken(text, options.name ?? "rank file"), ...options });
}

/** The readable JSON form. */
export interface TokenizerJson {
  format: "llm-ts-bpe";
  version: 1;
  name: string;
  pattern: string;
  specialTokens: Record<string, number>;
  /** byteIds[b] = the id of the single-byte token b. */
  byteIds: number[];
  /** Merges in rank order: [left id, right id, new id, readable text of the new token]. */
  merges: [number, number, number, string][];
}

/** The tokenizer as readable JSON (pretty-printed, one merge per line). */
export function toJson(tokenizer: Tokenizer): string {
  const vocab = tokenizer.vocabulary();
  const byteIds: number[] = new Array(256);
  for (let id = 0; id < vocab.length; id++) {
    const bytes = vocab[id];
    if (bytes !== undefined && bytes.length === 1 && byteIds[bytes[0]] === undefined) byteIds[bytes[0]] = id;
  }
  const merges: [number, number, number, string][] = [];
  const pairs = tokenizer.merges();
  let k = 0;
  for (let id = 0; id < vocab.length; id++) {
    const bytes = vocab[id];
    if (bytes === undefined || bytes.length < 2) continue;
    merges.push([pairs[k][0], pairs[k][1], id, showBytes(bytes)]);
    k++;
  }
  const head = {
    format: "llm-ts-bpe",
    version: 1,
    name: tokenizer.name,
    pattern: tokenizer.pattern,
    specialTokens: tokenizer.specialTokens,
    byteIds,
  };
  const headJson = JSON.stringify(head, null, 2);
  const mergeLines = merges.map((m) => "    " + JSON.stringify(m)).join(",\n");
  return headJson.slice(0, -2) + `,\n  "merges": [\n${mergeLines}\n  ]\n}\n`;
}

/** Loads the readable JSON form (checks its shape and says what is wrong). */
export function fromJson(json: string | TokenizerJson): Tokenizer {
  const data = (typeof json === "string" ? JSON.parse(json) : json) as TokenizerJson;
  if (data?.format !== "llm-ts-bpe")
    throw new Error(`not an llm-ts-bpe tokenizer file (format: ${data?.format})`);
  if (!Array.isArray(data.byteIds) || data.byteIds.length !== 256) {
    throw new Error("tokenizer JSON: byteIds must list the id of each of the 256 bytes");
  }
  const vocab: Uint8Array[] = [];
  data.byteIds.forEach((id, b) => (vocab[id] = Uint8Array.of(b)));
  data.merges.forEach((m, i) => {
    const [a, b, id] = m;
    const left = vocab[a];
    const right = vocab[b];
    if (left === undefined || right === undefined || vocab[id] !== undefined) {
      throw new Error(
        `tokenizer JSON: merge ${i} ${JSON.stringify(m)} uses an unknown id or reuses id ${id}`,
      );
    }
    vocab[id] = concatBytes(left, right);
  });
  return new Tokenizer({ vocab, pattern: data.pattern, specialTokens: data.specialTokens, name: data.name });
}

/** js-tiktoken's compressed rank format: lines of `<ignored> <first rank> <base64> <base64> …`. */
export function parseJsTiktokenRanks(bpeRanks: string): Uint8Array[] {
  const vocab: Uint8Array[] = [];
  for (const line of bpeRanks.split("\n")) {
    if (line.length === 0) continue;
    const fields = line.split(" ");
    const offset = Number.parseInt(fields[1], 10);
    for (let i = 2; i < fields.length; i++) {
      const bytes = base64Decode(fields[i]);
      if (bytes === null) throw new Error(`js-tiktoken ranks: "${fields[i]}" is not base64`);
      vocab[offset + i - 2] = bytes;
    }
  }
  return vocab;
}

/** What a `js-tiktoken/ranks/<name>` module exports. */
export interface JsTiktokenRanks {
  pat_str: string;
  special_tokens: Record<string, number>;
  bpe_ranks: string;
}

/**
 * A tokenizer from a `js-tiktoken/ranks/<name>` module's contents, e.g. fetched as JSON in a browser page, where
 * `loadGpt2` cannot `require` the ranks (the browser bundle leaves them out: 0.5–2 MB each).
 */
export function fromJsTiktokenRanks(ranks: JsTiktokenRanks, pattern: PatternName, name: string): Tokenizer {
  return new Tokenizer({
    vocab: parseJsTiktokenRanks(ranks.bpe_ranks),
    specialTokens: ranks.special_tokens,
    pattern,
    name,
  });
}

let gpt2: Tokenizer | undefined;
let gpt4: Tokenizer | undefined;

/**
 * GPT-2's tokenizer (50 257 ids: 50 256 BPE tokens + `<|endoftext|>` = 50256), from js-tiktoken's shipped
 * ranks; token-identical to tiktoken's "gpt2" encoding. Built once (~0.2 s) and shared.
 */
export function loadGpt2(): Tokenizer {
  if (gpt2 === undefined) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    gpt2 = fromJsTiktokenRanks(require("js-tiktoken/ranks/gpt2") as JsTiktokenRanks, "gpt2", "gpt2");
  }
  return gpt2;
}

/** GPT-4's tokenizer (cl100k_base) from js-tiktoken's shipped ranks; token-identical to tiktoken's cl100k_base. */
export function loadCl100k(): Tokenizer {
  if (gpt4 === undefined) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const ranks = require("js-tiktoken/ranks/cl100k_base") as JsTiktokenRanks;
    gpt4 = fromJsTiktokenRanks(ranks, "gpt4", "cl100k_base");
  }
  return gpt4;
}
