/**
 * Lower precision, simulated: round float32 values to bfloat16 or IEEE half (fp16) and back, to measure how
 * much a model's loss changes when its weights (or activations) are stored with fewer bits.
 *
 * - bf16: 8 exponent bits (float32's range), 7 mantissa bits — the top 16 bits of a float32, rounded to
 *   nearest, ties to even.
 * - fp16: 5 exponent bits (largest finite 65504, smallest subnormal 2⁻²⁴ ≈ 5.96e−8), 10 mantissa bits —
 *   overflow becomes ±Infinity, tiny values become subnormal or 0. Round to nearest, ties to even.
 */
import * as tf from "@tensorflow/tfjs-core";

export type LowPrecision = "bf16" | "fp16";

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** The value of `x` rounded to bfloat16 (returned as a float32-representable number). */
export function roundBf16(x: number): number {
  f32[0] = x;
  const u = u32[0];
  if ((u & 0x7f800000) === 0x7f800000) return f32[0]; // Inf and NaN unchanged
  u32[0] = ((u + 0x7fff + ((u >>> 16) & 1)) & 0xffff0000) >>> 0;
  return f32[0];
}

/** The bits of `x` as an IEEE half (round to nearest, ties to even). */
export function toHalfBits(x: number): number {
  f32[0] = x;
  const u = u32[0];
  const sign = (u >>> 16) & 0x8000;
  const exp = (u >>> 23) & 0xff;
  let mant = u & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rem > halfway || (rem === halfway && half & 1)) half++;
    return sign | half;
  }
  let half = sign | (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && half & 1)) half++; // a carry may round up to Infinity: correct
  return half;
}

/** The number an IEEE half's bits stand for. */
export function fromHalfBits(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 31) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

/** The value of `x` rounded to fp16. */
export function roundFp16(x: number): number {
  return fromHalfBits(toHalfBits(x));
}

/** A copy of `values` rounded to the format. */
export function roundArray(values: ArrayLike<number>, format: LowPrecision): Float32Array {
  const round = format === "bf16" ? roundBf16 : roundFp16;
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = round(values[i]);
  return out;
}

/** A new float32 tensor holding `t` rounded to the format (reads the values back). */
export function roundTensor(t: tf.Tensor, format: LowPrecision): tf.Tensor {
  return tf.tensor(roundArray(t.dataSync(), format), t.shape, "float32");
}

/**
 * Runs `fn` with every variable in `params` rounded to the format, then restores the exact float32 values
 * (also when `fn` throws). E.g. the validation loss of a model stored in bf16.
 */
export function withRoundedWeights<T>(
  params: Map<string, tf.Variable>,
  format: LowPrecision,
  fn: () => T,
): T {
  const saved = new Map<string, tf.Tensor>();
  for (const [name, v] of params) {
    saved.set(name, tf.clone(v));
    const r = roundTensor(v, format);
    v.assign(r);
    r.dispose();
  }
  try {
    return fn();
  } finally {
    for (const [name, v] of params) v.assign(saved.get(name) as tf.Tensor);
    tf.dispose([...saved.values()]);
  }
}
