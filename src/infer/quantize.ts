/**
 * Weight quantization: symmetric absmax int8 (per tensor and per output channel), asymmetric group-wise
 * int4/int3/int2 by round-to-nearest with the codes packed `bits` bits each (two per byte at 4 bits), GPTQ
 * (Frantar et al. 2022) with the Cholesky factor of the inverse Hessian from ml-matrix, and LLM.int8's outlier
 * split (Dettmers et al. 2022).
 *
 * Layout: our linear weights are `[in, out]` (y = x·W). Per-channel scales are per output column. Group-wise
 * formats group consecutive *input* rows of one output channel (as GPTQ and AWQ do), so they store the
 * weight transposed, `[out, in]`, and the group size must divide `in`.
 */
import { CholeskyDecomposition, Matrix } from "ml-matrix";

// @answer 12.absmaxInt8
/**
 * Symmetric absmax int8: scale = max|w| / 127, q = round(w / scale) in [−127, 127]. An all-zero input gets
 * scale 1 (any scale dequantizes zeros exactly). Dequantize with q · scale.
 */
export function quantizeAbsmaxInt8(w: ArrayLike<number>): { q: Int8Array; scale: number } {
  let max = 0;
  for (let i = 0; i < w.length; i++) max = Math.max(max, Math.abs(w[i]));
  const scale = max > 0 ? max / 127 : 1;
  const q = new Int8Array(w.length);
  for (let i = 0; i < w.length; i++) q[i] = Math.max(-127, Math.min(127, Math.round(w[i] / scale)));
  return { q, scale };
}

/** The values an absmax int8 code stands for: q · scale. */
export function dequantizeAbsmaxInt8(q: ArrayLike<number>, scale: number): Float32Array {
  const out = new Float32Array(q.length);
  for (let i = 0; i < q.length; i++) out[i] = q[i] * scale;
  return out;
}
// @end-answer

/** Per-output-channel absmax int8 of a row-major `[rows, cols]` weight: one scale per column. */
export function quantizeInt8PerChannel(
  w: ArrayLike<number>,
  rows: number,
  cols: number,
): { q: Int8Array; scales: Float32Array } {
  checkShape(w, rows, cols, "quantizeInt8PerChannel");
  const scales = new Float32Array(cols);
  for (let i = 0; i < rows; i++)
    for (let j = 0; j < cols; j++) scales[j] = Math.max(scales[j], Math.abs(w[i * cols + j]));
  for (let j = 0; j < cols; j++) scales[j] = scales[j] > 0 ? scales[j] / 127 : 1;
  const q = new Int8Array(rows * cols);
  for (let i = 0; i < rows; i++)
    for (let j = 0; j < cols; j++)
      q[i * cols + j] = Math.max(-127, Math.min(127, Math.round(w[i * cols + j] / scales[j])));
  return { q, scales };
}

function checkShape(w: ArrayLike<number>, rows: number, cols: number, who: string): void {
  if (w.length !== rows * cols) throw new Error(`${who}: ${w.length} values do not fill [${rows}, ${cols}]`);
}

/** Group-wise asymmetric codes: `bits`-bit unsigned codes, one (scale, zero point) per group of `groupSize` values. */
export interface GroupQuantized {
  bits: number;
  groupSize: number;
  /** How many values are coded. */
  length: number;
  /** The codes as one little-endian bit stream (`packCodes`): ⌈length · bits / 8⌉ bytes. */
  packed: Uint8Array;
  scales: Float32Array;
  /** Integer zero points in [0, 2^bits − 1], one per group. */
  zeros: Uint8Array;
}

/** The (scale, zero) of asymmetric `bits`-bit round-to-nearest for values in [lo, hi] (the range widened to hold 0). */
export function groupParams(lo: number, hi: number, bits: number): { scale: number; zero: number } {
  const levels = 2 ** bits - 1;
  lo = Math.min(lo, 0);
  hi = Math.max(hi, 0);
  const scale = hi > lo ? (hi - lo) / levels : 1;
  const zero = Math.max(0, Math.min(levels, Math.round(-lo / scale)));
  return { scale, zero };
}

/** Code of one value: clamp(round(w / scale) + zero, 0, 2^bits − 1). */
export function quantizeValue(w: number, scale: number, zero: number, bits: number): number {
  return Math.max(0, Math.min(2 ** bits - 1, Math.round(w / scale) + zero));
}

/**
 * Codes of `bits` bits packed into one little-endian bit stream: code i occupies bits [i·bits, (i+1)·bits),
 * counting from the low bit of byte 0. At 4 bits that is two per byte, code 2i in the low nibble of byte i; at
 * 3 bits, eight codes in three bytes (a code may straddle two bytes); at 2 bits, four per byte.
 */
export function packCodes(codes: ArrayLike<number>, bits: number): Uint8Array {
  const packed = new Uint8Array(Math.ceil((codes.length * bits) / 8));
  for (let i = 0; i < codes.length; i++) {
    const at = i * bits;
    const shifted = codes[i] << (at & 7);
    packed[at >> 3] |= shifted & 255;
    if ((at & 7) + bits > 8) packed[(at >> 3) + 1] |= shifted >> 8;
  }
  return packed;
}

/** Code i of a bit stream written by `packCodes`. */
export function unpackCode(packed: Uint8Array, i: number, bits: number): number {
  const at = i * bits;
  const byte = at >> 3;
  const word = (at & 7) + bits > 8 ? packed[byte] | (packed[byte + 1] << 8) : packed[byte];
  return (word >> (at & 7)) & ((1 << bits) - 1);
}

function checkGroups(length: number, groupSize: number, bits: number, who: string): void {
  if (!Number.isInteger(bits) || bits < 2 || bits > 4)
    throw new Error(`${who}: bits must be 2, 3 or 4 (wider codes are int8's job), got ${bits}`);
  if (!Number.isInteger(groupSize) || groupSize < 1)
    throw new Error(`${who}: groupSize must be a positive integer, got ${groupSize}`);
  if (length % groupSize !== 0)
    throw new Error(
      `${who}: group size ${groupSize} does not divide the ${length} values per channel; ` +
        "pick a divisor (e.g. 32, 64 or 128 for widths that are multiples of them)",
    );
}

// @answer 12.int4
/**
 * Group-wise asymmetric round-to-nearest over consecutive groups of `groupSize` values (default 4 bits): per
 * group scale = (max − min) / (2^bits − 1) with the range widened to include 0, zero = round(−min / scale),
 * q = clamp(round(w / scale) + zero, 0, 2^bits − 1); codes packed `bits` bits each by `packCodes` (at 4 bits:
 * two per byte, low nibble first).
 */
export function quantizeGroupwise(w: ArrayLike<number>, groupSize: number, bits = 4): GroupQuantized {
  checkGroups(w.length, groupSize, bits, "quantizeGroupwise");
  const groups = w.length / groupSize;
  const scales = new Float32Array(groups);
  const zeros = new Uint8Array(groups);
  const codes = new Uint8Array(w.length);
  for (let g = 0; g < groups; g++) {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = g * groupSize; i < (g + 1) * groupSize; i++) {
      lo = Math.min(lo, w[i]);
      hi = Math.max(hi, w[i]);
    }
    const { scale, zero } = groupParams(lo, hi, bits);
    scales[g] = scale;
    zeros[g] = zero;
    for (let i = g * groupSize; i < (g + 1) * groupSize; i++) {
      codes[i] = quantizeValue(w[i], scale, zero, bits);
    }
  }
  return { bits, groupSize, length: w.length, packed: packCodes(codes, bits), scales, zeros };
}

/** The values group-wise codes stand for: (q − zero) · scale, unpacking each code from the bit stream. */
export function dequantizeGroupwise(g: GroupQuantized): Float32Array {
  const out = new Float32Array(g.length);
  for (let i = 0; i < g.length; i++) {
    const q = unpackCode(g.packed, i, g.bits);
    const k = Math.floor(i / g.groupSize);
    out[i] = (q - g.zeros[k]) * g.scales[k];
  }
  return out;
}
// @end-answer

/** Transposes a row-major `[rows, cols]` array. */
export function transpose(w: ArrayLike<number>, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = w[i * cols + j];
  return out;
}

/**
 * The Hessian of the layer-wise objective ‖X·W − X·Ŵ‖² with respect to each output channel's weights:
 * H = 2·XᵀX / n from calibration inputs `x: [n, in]` (row-major), as float64 `[in, in]`.
 */
export function gptqHessian(x: ArrayLike<number>, n: number, inDim: number): Float64Array {
  checkShape(x, n, inDim, "gptqHessian");
  const h = new Float64Array(inDim * inDim);
  for (let r = 0; r < n; r++) {
    const o = r * inDim;
    for (let i = 0; i < inDim; i++) {
      const xi = x[o + i];
      if (xi === 0) continue;
      for (let j = i; j < inDim; j++) h[i * inDim + j] += xi * x[o + j];
    }
  }
  for (let i = 0; i < inDim; i++)
    for (let j = i; j < inDim; j++) {
      h[i * inDim + j] *= 2 / n;
      h[j * inDim + i] = h[i * inDim + j];
    }
  return h;
}

export interface GptqOptions {
  bits?: number;
  groupSize?: number;
  /** Dampening added to the diagonal, as a fraction of its mean (GPTQ uses 0.01). */
  damp?: number;
}

/**
 * GPTQ (Frantar et al. 2022) on a weight `[in, out]` given the Hessian `h: [in, in]`: quantize one input row at
 * a time (for all output channels at once), and spread its rounding error over the rows not yet quantized
 * using the upper Cholesky factor U of H⁻¹ (H⁻¹ = UᵀU): err = (w − ŵ) / U[i,i]; w_j −= err · U[i,j] for j > i.
 * Group (scale, zero) parameters are taken from the error-updated weights when a group starts. Rows whose
 * input never fires (H[i,i] = 0) are set to H[i,i] = 1 with their weights zeroed, as the reference code does.
 * Returns the same group-wise format as `quantizeGroupwise` over the transposed weight `[out, in]`.
 */
export function gptqQuantize(
  w: ArrayLike<number>,
  inDim: number,
  outDim: number,
  h: ArrayLike<number>,
  options: GptqOptions = {},
): GroupQuantized {
  const { bits = 4, groupSize = 128, damp = 0.01 } = options;
  checkShape(w, inDim, outDim, "gptqQuantize");
  checkShape(h, inDim, inDim, "gptqQuantize (Hessian)");
  checkGroups(inDim, groupSize, bits, "gptqQuantize");
  const W = Float64Array.from(w as ArrayLike<number>); // [in, out], updated in place
  const H = new Matrix(inDim, inDim);
  let meanDiag = 0;
  for (let i = 0; i < inDim; i++) meanDiag += h[i * inDim + i] / inDim;
  for (let i = 0; i < inDim; i++) {
    for (let j = 0; j < inDim; j++) H.set(i, j, h[i * inDim + j]);
    if (h[i * inDim + i] === 0) {
      H.set(i, i, 1);
      for (let o = 0; o < outDim; o++) W[i * outDim + o] = 0;
    }
  }
  const lambda = damp * (meanDiag > 0 ? meanDiag : 1);
  for (let i = 0; i < inDim; i++) H.set(i, i, H.get(i, i) + lambda);
  const cholH = new CholeskyDecomposition(H);
  if (!cholH.isPositiveDefinite())
    throw new Error("gptqQuantize: the dampened Hessian is not positive definite");
  const Hinv = cholH.solve(Matrix.eye(inDim, inDim));
  // Symmetrise against round-off before the second factorisation.
  const S = new Matrix(inDim, inDim);
  for (let i = 0; i < inDim; i++)
    for (let j = 0; j < inDim; j++) S.set(i, j, 0.5 * (Hinv.get(i, j) + Hinv.get(j, i)));
  const L = new CholeskyDecomposition(S).lowerTriangularMatrix; // H⁻¹ = L·Lᵀ, so U = Lᵀ
  const groupsPerChannel = inDim / groupSize;
  const scales = new Float32Array(outDim * groupsPerChannel);
  const zeros = new Uint8Array(outDim * groupsPerChannel);
  const codes = new Uint8Array(outDim * inDim); // [out, in]
  for (let i = 0; i < inDim; i++) {
    const g = Math.floor(i / groupSize);
    if (i % groupSize === 0) {
      for (let o = 0; o < outDim; o++) {
        let lo = Infinity;
        let hi = -Infinity;
        for (let r = i; r < i + groupSize; r++) {
          lo = Math.min(lo, W[r * outDim + o]);
          hi = Math.max(hi, W[r * outDim + o]);
        }
        const { scale, zero } = groupParams(lo, hi, bits);
        scales[o * groupsPerChannel + g] = scale;
        zeros[o * groupsPerChannel + g] = zero;
      }
    }
    const d = L.get(i, i);
    const err = new Float64Array(outDim);
    for (let o = 0; o < outDim; o++) {
      const k = o * groupsPerChannel + g;
      const q = quantizeValue(W[i * outDim + o], scales[k], zeros[k], bits);
      codes[o * inDim + i] = q;
      err[o] = (W[i * outDim + o] - (q - zeros[k]) * scales[k]) / d;
    }
    for (let j = i + 1; j < inDim; j++) {
      const u = L.get(j, i);
      if (u === 0) continue;
      const row = j * outDim;
      for (let o = 0; o < outDim; o++) W[row + o] -= err[o] * u;
    }
  }
  return { bits, groupSize, length: outDim * inDim, packed: packCodes(codes, bits), scales, zeros };
}

/**
 * LLM.int8's mixed-precision product (Dettmers et al. 2022) of `x: [n, in]` and `w: [in, out]`: the input
 * features with any |x| ≥ `threshold` (outlier features) are multiplied in float; the rest in int8, x
 * quantized per row (vector-wise absmax) and w per output column, accumulated in integers and rescaled.
 * Returns the product and the outlier feature indices.
 */
export function int8OutlierMatmul(
  x: ArrayLike<number>,
  n: number,
  inDim: number,
  w: ArrayLike<number>,
  outDim: number,
  threshold = 6,
): { y: Float32Array; outliers: number[] } {
  checkShape(x, n, inDim, "int8OutlierMatmul (x)");
  checkShape(w, inDim, outDim, "int8OutlierMatmul (w)");
  const isOut = new Uint8Array(inDim);
  for (let r = 0; r < n; r++)
    for (let i = 0; i < inDim; i++) if (Math.abs(x[r * inDim + i]) >= threshold) isOut[i] = 1;
  const outliers = [...isOut.keys()].filter((i) => isOut[i]);
  // Per-column int8 weights over the regular features only.
  const wReg = new Float32Array(inDim * outDim);
  for (let i = 0; i < inDim; i++)
    if (!isOut[i]) for (let o = 0; o < outDim; o++) wReg[i * outDim + o] = w[i * outDim + o];
  const { q: wq, scales: ws } = quantizeInt8PerChannel(wReg, inDim, outDim);
  const y = new Float32Array(n * outDim);
  const acc = new Int32Array(outDim);
  for (let r = 0; r < n; r++) {
    const row = Array.from({ length: inDim }, (_, i) => (isOut[i] ? 0 : x[r * inDim + i]));
    const { q: xq, scale: xs } = quantizeAbsmaxInt8(row);
    acc.fill(0);
    for (let i = 0; i < inDim; i++) {
      if (xq[i] === 0) continue;
      for (let o = 0; o < outDim; o++) acc[o] += xq[i] * wq[i * outDim + o];
    }
    for (let o = 0; o < outDim; o++) {
      let v = acc[o] * xs * ws[o];
      for (const i of outliers) v += x[r * inDim + i] * w[i * outDim + o];
      y[r * outDim + o] = v;
    }
  }
  return { y, outliers };
}
