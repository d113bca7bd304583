/**
 * Bytes and UTF-8: the alphabet of a byte-level tokenizer is the 256 byte values, so any string can be encoded.
 *
 * JavaScript strings are UTF-16 and may hold lone surrogates (half of a surrogate pair), which are not valid
 * Unicode and have no UTF-8 encoding. Like `TextEncoder` (and every UTF-8 encoder that follows the WHATWG
 * Encoding standard), we encode each lone surrogate as U+FFFD (bytes EF BF BD). So for every string `s`,
 * `decode(encode(s)) === toWellFormed(s)`: equal to `s` when `s` is well-formed, with each lone surrogate
 * replaced by U+FFFD otherwise.
 */

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true });

/** UTF-8 bytes of `text` (lone surrogates become U+FFFD, EF BF BD). */
export function utf8Encode(text: string): Uint8Array {
  return encoder.encode(text);
}

/**
 * The string that `bytes` encode in UTF-8. Never throws: each maximal invalid subsequence becomes U+FFFD (the
 * WHATWG decoder's rule), so ids that split a character decode to U+FFFD rather than failing. A leading byte
 * order mark is kept (it is text, not a marker, inside a token stream).
 */
export function utf8Decode(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

/** `text` with every lone surrogate replaced by U+FFFD: what survives a trip through UTF-8. */
export function toWellFormed(text: string): string {
  return text.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "\uFFFD");
}

/**
 * A byte sequence as a "binary string": one UTF-16 code unit per byte (0–255). Used as a compact Map key for
 * byte sequences (a Map cannot key on Uint8Array contents).
 */
export function bytesKey(bytes: ArrayLike<number>, start = 0, end = bytes.length): string {
  let s = "";
  for (let i = start; i < end; i++) s += String.fromCharCode(bytes[i]);
  return s;
}

/** `a` followed by `b`, as a new array. */
export function concatBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/**
 * A human-readable form of a token's bytes: the text when they are valid UTF-8, otherwise hex escapes for the
 * bytes that are not (`"\\xe2\\x80"`). Used in notebooks, tables and error messages.
 */
export function showBytes(bytes: Uint8Array): string {
  const strict = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
  try {
    return strict.decode(bytes);
  } catch {
    let out = "";
    let i = 0;
    while (i < bytes.length) {
      // Take the longest valid UTF-8 character starting at i, else one escaped byte.
      let done = false;
      for (let len = Math.min(4, bytes.length - i); len >= 1 && !done; len--) {
        try {
          out += strict.decode(bytes.subarray(i, i + len));
          i += len;
          done = true;
        } catch {
          /* try a shorter character */
        }
      }
      if (!done) {
        out += "\\x" + bytes[i].toString(16).padStart(2, "0");
        i += 1;
      }
    }
    return out;
  }
}

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const B64_INDEX = new Int16Array(128).fill(-1);
for (let i = 0; i < B64.length; i++) B64_INDEX[B64.charCodeAt(i)] = i;

/** Standard base64 (with padding) of `bytes`; portable (no Node Buffer), so the tokenizer also runs in browsers. */
export function base64Encode(bytes: Uint8Array): string {
  let out = "";
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out += B64[n >> 18] + B64[(n >> 12) & 63] + B64[(n >> 6) & 63] + B64[n & 63];
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i] << 16;
    out += B64[n >> 18] + B64[(n >> 12) & 63] + "==";
  } else if (rest === 2) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8);
    out += B64[n >> 18] + B64[(n >> 12) & 63] + B64[(n >> 6) & 63] + "=";
  }
  return out;
}

/** The bytes of standard base64 text; `null` when it is not valid base64 (length, alphabet or padding). */
export function base64Decode(text: string): Uint8Array | null {
  if (text.length % 4 !== 0) return null;
  let pad = 0;
  if (text.endsWith("==")) pad = 2;
  else if (text.endsWith("=")) pad = 1;
  const out = new Uint8Array((text.length / 4) * 3 - pad);
  let o = 0;
  for (let i = 0; i < text.length; i += 4) {
    let n = 0;
    for (let k = 0; k < 4; k++) {
      const c = text.charCodeAt(i + k);
      let v: number;
      if (c === 61 && i + k >= text.length - pad)
        v = 0; // "=" padding at the end only
      else {
        v = c < 128 ? B64_INDEX[c] : -1;
        if (v < 0) return null;
      }
      n = (n << 6) | v;
    }
    if (o < out.length) out[o++] = (n >> 16) & 255;
    if (o < out.length) out[o++] = (n >> 8) & 255;
    if (o < out.length) out[o++] = n & 255;
  }
  return out;
}
