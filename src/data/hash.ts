/**
 * Small non-cryptographic string hashes for deduplication. Pure JavaScript so the library runs in a browser
 * as well as in Node (no `node:crypto`).
 */

/** murmur3's 32-bit finaliser: spreads every input bit over the whole word. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A 32-bit hash of a string's UTF-16 code units (FNV-1a with a seed, then `fmix32`). */
export function hashString32(text: string, seed = 0): number {
  let h = (0x811c9dc5 ^ Math.imul(seed, 0x9e3779b1)) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return fmix32(h ^ text.length);
}

/**
 * A 64-bit hash of a string as 16 hex digits (two independent 32-bit hashes). With n distinct texts the chance
 * of any collision is about n² / 2^65: negligible for exact deduplication of millions of documents.
 */
export function hash64Hex(text: string): string {
  const a = hashString32(text, 0x2545f491);
  const b = hashString32(text, 0x6c8e9cf5);
  return a.toString(16).padStart(8, "0") + b.toString(16).padStart(8, "0");
}
