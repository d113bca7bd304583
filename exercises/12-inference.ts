/**
 * Chapter 12 exercises: the arithmetic of efficient inference — absmax int8, group-wise int4 with two codes
 * per byte (and 3 or 2 bits in a bit stream), the top-p filter, one speculative-decoding accept/reject step and the KV cache's memory.
 *
 * Write your answers here, replacing each `throw new NotImplemented(...)`. Grade them with
 * `npm run grade -- 12` (or the last cell of notebooks/12-inference.ipynb).
 */
import { NotImplemented } from "../src/errors";
import type { CacheShape } from "../src/infer/cache";
import type { GroupQuantized } from "../src/infer/quantize";

/**
 * Task 12.absmaxInt8 — symmetric absmax int8.
 *
 * scale = max|w| / 127 (1 when every w is 0); q = round(w / scale), an Int8Array in [−127, 127].
 * `dequantizeAbsmaxInt8(q, scale)` returns q · scale as a Float32Array.
 */
export function quantizeAbsmaxInt8(w: ArrayLike<number>): { q: Int8Array; scale: number } {
  void w;
  throw new NotImplemented("12.absmaxInt8", "one scale for the whole array, from its largest magnitude");
}

/** Task 12.absmaxInt8 (second half): the values the codes stand for. */
export function dequantizeAbsmaxInt8(q: ArrayLike<number>, scale: number): Float32Array {
  void q;
  void scale;
  throw new NotImplemented("12.absmaxInt8", "multiply back by the scale");
}

/**
 * Task 12.int4 — group-wise asymmetric round-to-nearest, packed two 4-bit codes per byte.
 *
 * Split w into consecutive groups of `groupSize` (throw an Error saying the group size does not divide the
 * length when it does not). Per group: widen [min, max] to contain 0; scale = (max − min) / (2^bits − 1)
 * (1 when max = min); zero = round(−min / scale); code = clamp(round(w / scale) + zero, 0, 2^bits − 1).
 * Pack the codes into one little-endian bit stream of ⌈length · bits / 8⌉ bytes: code i occupies bits
 * [i·bits, (i+1)·bits) counting from the low bit of byte 0 — at 4 bits, value 2i in the low nibble of byte i and
 * value 2i+1 in the high nibble; at 3 bits a code may straddle two bytes. Return `{ bits, groupSize, length, packed, scales (Float32Array), zeros (Uint8Array) }`.
 * `dequantizeGroupwise` unpacks and returns (code − zero) · scale per value.
 */
export function quantizeGroupwise(w: ArrayLike<number>, groupSize: number, bits = 4): GroupQuantized {
  void w;
  void groupSize;
  void bits;
  throw new NotImplemented(
    "12.int4",
    "one (scale, zero) per group; code i starts at bit i·bits of the stream — what overflows its byte goes to the next",
  );
}

/** Task 12.int4 (second half): unpack each code from the bit stream and dequantize. */
export function dequantizeGroupwise(g: GroupQuantized): Float32Array {
  void g;
  throw new NotImplemented(
    "12.int4",
    "at 4 bits: low nibble = byte & 15, high = byte >> 4; a 3-bit code may need two bytes; group = i / groupSize",
  );
}

/**
 * Task 12.topP — nucleus filtering.
 *
 * Order tokens by probability (ties: lower id first); keep the shortest prefix whose mass reaches p (the
 * token that crosses p is kept); zero the others and renormalise. Return a new Float64Array. Throw an Error
 * when p is not in (0, 1].
 */
export function topPFilter(probs: ArrayLike<number>, p: number): Float64Array {
  void probs;
  void p;
  throw new NotImplemented("12.topP", "sort indices, not values, so you know which tokens to keep");
}

/**
 * Task 12.speculativeStep — one accept/reject decision of speculative decoding.
 *
 * p: the target's distribution, q: the draft's, `token` the draft's proposal, u and v uniforms in [0, 1).
 * Accept when u < min(1, p[token] / q[token]) → `{ accepted: true, token }`. Otherwise sample from the
 * residual r = max(0, p − q): return `{ accepted: false, token: i }` for the first i whose cumulative residual
 * exceeds v · Σ r. Throw when p and q have different lengths.
 */
export function speculativeStep(
  p: ArrayLike<number>,
  q: ArrayLike<number>,
  token: number,
  u: number,
  v: number,
): { accepted: boolean; token: number } {
  void p;
  void q;
  void token;
  void u;
  void v;
  throw new NotImplemented(
    "12.speculativeStep",
    "the residual is where the target wants more than the draft gave",
  );
}

/**
 * Task 12.kvCacheBytes — memory of a KV cache: 2 (keys and values) · layers · positions · dModel ·
 * bytesPerValue · batch (batch defaults to 1). Throw an Error naming the field when a size is not > 0.
 */
export function kvCacheBytes(shape: CacheShape): number {
  void shape;
  throw new NotImplemented(
    "12.kvCacheBytes",
    "keys and values: two vectors of width dModel per layer per position",
  );
}
