/**
 * A GPT whose linear weights are stored quantized — int8 (Int8Array) or 4/3/2-bit codes packed as a bit stream —
 * and dequantized on the fly, one matrix at a time inside the forward pass, so the resident model really
 * shrinks. Also: the fused dequantize-matmul kernel, and quantized safetensors checkpoints.
 */
import * as tf from "@tensorflow/tfjs-core";
import { GPT } from "../model";
import { SafeTensor, decodeSafetensors, encodeSafetensors, roundArray } from "../train";
import {
  GroupQuantized,
  dequantizeGroupwise,
  gptqHessian,
  gptqQuantize,
  quantizeAbsmaxInt8,
  quantizeGroupwise,
  quantizeInt8PerChannel,
  transpose,
  unpackCode,
} from "./quantize";

/** How the linear weights are stored. */
export type QuantScheme =
  | { kind: "float32" }
  | { kind: "bf16" }
  | { kind: "int8-tensor" }
  | { kind: "int8-channel" }
  | { kind: "rtn"; bits: number; groupSize: number }
  | { kind: "gptq"; bits: number; groupSize: number };

/** One stored linear weight `[in, out]`. */
export type QuantWeight =
  | { kind: "int8"; inDim: number; outDim: number; q: Int8Array; scales: Float32Array }
  | ({ kind: "group"; inDim: number; outDim: number } & GroupQuantized);

/** A readable name for a scheme: "int4 g128 RTN", "int8 per channel", … */
export function schemeName(s: QuantScheme): string {
  switch (s.kind) {
    case "float32":
      return "float32";
    case "bf16":
      return "bf16";
    case "int8-tensor":
      return "int8 per tensor";
    case "int8-channel":
      return "int8 per channel";
    case "rtn":
      return `int${s.bits} g${s.groupSize} RTN`;
    case "gptq":
      return `int${s.bits} g${s.groupSize} GPTQ`;
  }
}

/** The linear weights a scheme quantizes: every block's matrices and an untied output head (embeddings stay float). */
export function linearWeightNames(model: GPT): string[] {
  return [...model.params.entries()]
    .filter(([n, v]) => v.rank === 2 && (/^h\.\d+\..*\.weight$/.test(n) || n === "lm_head.weight"))
    .map(([n]) => n);
}

/** Dequantizes one stored weight to a float32 `[in, out]` array. */
export function dequantizeWeight(w: QuantWeight): Float32Array {
  if (w.kind === "int8") {
    const out = new Float32Array(w.q.length);
    const { inDim, outDim, q, scales } = w;
    const perTensor = scales.length === 1;
    for (let i = 0; i < inDim; i++) {
      const row = i * outDim;
      for (let o = 0; o < outDim; o++) out[row + o] = q[row + o] * scales[perTensor ? 0 : o];
    }
    return out;
  }
  return transpose(dequantizeGroupwise(w), w.outDim, w.inDim);
}

/** Bytes a stored weight occupies: codes plus float32 scales (plus one byte per zero point). */
export function weightBytes(w: QuantWeight): number {
  return w.kind === "int8"
    ? w.q.byteLength + w.scales.byteLength
    : w.packed.byteLength + w.scales.byteLength + w.zeros.byteLength;
}

/**
 * Fused dequantize-matmul for a few rows `x: [n, in]` (decoding: n = batch): y = x · deq(W) without ever
 * materialising deq(W) — int8 accumulates x·q per column and scales once; group-wise codes are unpacked in
 * the inner loop and each group's sum is scaled once.
 */
export function fusedMatmul(x: Float32Array, n: number, w: QuantWeight): Float32Array {
  const { inDim, outDim } = w;
  if (x.length !== n * inDim)
    throw new Error(`fusedMatmul: x has ${x.length} values, expected [${n}, ${inDim}]`);
  const y = new Float32Array(n * outDim);
  if (w.kind === "int8") {
    const acc = new Float32Array(outDim);
    for (let r = 0; r < n; r++) {
      acc.fill(0);
      for (let i = 0; i < inDim; i++) {
        const xi = x[r * inDim + i];
        const row = i * outDim;
        for (let o = 0; o < outDim; o++) acc[o] += xi * w.q[row + o];
      }
      for (let o = 0; o < outDim; o++) y[r * outDim + o] = acc[o] * w.scales[w.scales.length === 1 ? 0 : o];
    }
    return y;
  }
  const gs = w.groupSize;
  const groups = inDim / gs;
  const nibbles = w.bits === 4; // the common case reads nibbles directly; 3 and 2 bits go through unpackCode
  for (let o = 0; o < outDim; o++) {
    for (let g = 0; g < groups; g++) {
      const scale = w.scales[o * groups + g];
      const zero = w.zeros[o * groups + g];
      const base = o * inDim + g * gs;
      for (let r = 0; r < n; r++) {
        let s = 0;
        let xs = 0;
        const xo = r * inDim + g * gs;
        for (let k = 0; k < gs; k++) {
          const idx = base + k;
          const xv = x[xo + k];
          if (nibbles) {
            const b = w.packed[idx >> 1];
            s += xv * (idx & 1 ? b >> 4 : b & 15);
          } else s += xv * unpackCode(w.packed, idx, w.bits);
          xs += xv;
        }
        y[r * outDim + o] += scale * (s - zero * xs);
      }
    }
  }
  return y;
}

/** Calibration inputs for GPTQ: the inputs `[n, in]` each linear weight sees, by weight name. */
export type Calibration = Map<string, { x: Float32Array; n: number }>;

/** Records the inputs every linear layer of the float `model` sees on `ids: [batch, time]` (GPTQ's calibration data). */
export function collectCalibration(model: GPT, ids: number[][]): Calibration {
  const inputs = new Map<string, tf.Tensor2D>();
  model.forward(ids, { linearInputs: inputs }).dispose();
  const out: Calibration = new Map();
  for (const [name, t] of inputs) {
    out.set(`${name}.weight`, { x: t.dataSync() as Float32Array, n: t.shape[0] });
    t.dispose();
  }
  return out;
}

/** Up to this many input rows a quantized linear multiplies the codes directly (`fusedMatmul`). */
export const FUSED_MAX_ROWS = 8;

/**
 * A GPT whose linear weights are held quantized. `param(name)` — how the forward pass reads every weight —
 * dequantizes a quantized weight into a temporary tensor that the forward's `tf.tidy` frees, so only one
 * float copy of one matrix exists at a time. Build it with `quantizeModel`.
 */
export class QuantizedGPT extends GPT {
  readonly scheme: QuantScheme;
  readonly quantized: Map<string, QuantWeight>;

  constructor(
    source: GPT,
    scheme: QuantScheme,
    weights: Map<string, QuantWeight>,
    floats: Map<string, Float32Array>,
  ) {
    super(source.config, 0);
    this.scheme = scheme;
    this.quantized = weights;
    for (const [name, v] of [...this.params]) {
      if (weights.has(name)) {
        v.dispose();
        this.params.delete(name);
      } else {
        const data = floats.get(name);
        if (!data) throw new Error(`QuantizedGPT: no value for "${name}"`);
        tf.tidy(() => v.assign(tf.tensor(data, v.shape, "float32")));
      }
    }
  }

  /**
   * Decoding (at most `FUSED_MAX_ROWS` rows, e.g. one new token per sequence) multiplies the packed codes
   * directly with `fusedMatmul`, never building a float matrix; longer inputs (prompts, perplexity windows)
   * dequantize the matrix once and use the backend's product, which is faster there.
   */
  protected override linearProduct(x: tf.Tensor2D, name: string): tf.Tensor2D {
    const w = this.quantized.get(`${name}.weight`);
    const n = x.shape[0];
    if (!w || n > FUSED_MAX_ROWS) return super.linearProduct(x, name);
    const y = tf.tensor2d(fusedMatmul(x.dataSync() as Float32Array, n, w), [n, w.outDim]);
    const bias = this.params.get(`${name}.bias`);
    return bias ? (tf.add(y, bias) as tf.Tensor2D) : y;
  }

  protected override paramIfAny(name: string): tf.Tensor | undefined {
    return this.quantized.has(name) ? this.param(name) : super.paramIfAny(name);
  }

  override param(name: string): tf.Variable {
    const w = this.quantized.get(name);
    if (!w) return super.param(name);
    // Not a Variable, but the forward pass only reads it; the caller's tidy disposes it.
    return tf.tensor2d(dequantizeWeight(w), [w.inDim, w.outDim]) as unknown as tf.Variable;
  }

  /**
   * Bytes of the weights as stored: float parameters (4 bytes each; 2 for the bf16 scheme, whose values are
   * bf16-exact though held in float32 tensors here) plus quantized codes, scales and zero points.
   */
  bytes(): number {
    let n = 0;
    const per = this.scheme.kind === "bf16" ? 2 : 4;
    for (const v of this.params.values()) n += per * v.size;
    for (const w of this.quantized.values()) n += weightBytes(w);
    return n;
  }
}

/** Bytes of a float32 model's weights. */
export function floatBytes(model: GPT): number {
  let n = 0;
  for (const v of model.params.values()) n += 4 * v.size;
  return n;
}

/** Quantizes one `[in, out]` weight with a scheme (GPTQ needs its calibration inputs). */
export function quantizeWeight(
  w: Float32Array,
  inDim: number,
  outDim: number,
  scheme: QuantScheme,
  calib?: { x: Float32Array; n: number },
): QuantWeight {
  switch (scheme.kind) {
    case "int8-tensor": {
      const { q, scale } = quantizeAbsmaxInt8(w);
      return { kind: "int8", inDim, outDim, q, scales: Float32Array.of(scale) };
    }
    case "int8-channel": {
      const { q, scales } = quantizeInt8PerChannel(w, inDim, outDim);
      return { kind: "int8", inDim, outDim, q, scales };
    }
    case "rtn":
      return {
        kind: "group",
        inDim,
        outDim,
        ...quantizeGroupwise(transpose(w, inDim, outDim), Math.min(scheme.groupSize, inDim), scheme.bits),
      };
    case "gptq": {
      if (!calib) throw new Error("quantizeWeight: GPTQ needs calibration inputs (see collectCalibration)");
      const h = gptqHessian(calib.x, calib.n, inDim);
      return {
        kind: "group",
        inDim,
        outDim,
        ...gptqQuantize(w, inDim, outDim, h, {
          bits: scheme.bits,
          groupSize: Math.min(scheme.groupSize, inDim),
        }),
      };
    }
    default:
      throw new Error(`quantizeWeight: ${scheme.kind} is not an integer scheme`);
  }
}

/**
 * A quantized copy of `model`: "float32" is a plain copy, "bf16" rounds every weight to bf16, the integer
 * schemes quantize every linear weight (embeddings stay float32). GPTQ calibrates on `calibration` token
 * ids `[batch, time]` run through the float model.
 */
export function quantizeModel(model: GPT, scheme: QuantScheme, calibration?: number[][]): QuantizedGPT {
  const names = linearWeightNames(model);
  const floats = new Map<string, Float32Array>();
  for (const [name, v] of model.params) {
    const data = v.dataSync() as Float32Array;
    floats.set(name, scheme.kind === "bf16" ? roundArray(data, "bf16") : Float32Array.from(data));
  }
  const weights = new Map<string, QuantWeight>();
  if (scheme.kind !== "float32" && scheme.kind !== "bf16") {
    if (scheme.kind === "gptq" && !calibration)
      throw new Error("quantizeModel: GPTQ needs calibration token ids");
    const calib = scheme.kind === "gptq" ? collectCalibration(model, calibration as number[][]) : undefined;
    for (const name of names) {
      const [inDim, outDim] = model.param(name).shape;
      if (scheme.kind === "rtn" || scheme.kind === "gptq") {
        const gs = Math.min(scheme.groupSize, inDim);
        if (inDim % gs !== 0)
          throw new Error(
            `quantizeModel: group size ${scheme.groupSize} does not divide the input width ${inDim} of "${name}"; ` +
              "use a divisor of the model's widths",
          );
      }
      weights.set(
        name,
        quantizeWeight(floats.get(name) as Float32Array, inDim, outDim, scheme, calib?.get(name)),
      );
    }
  }
  return new QuantizedGPT(model, scheme, weights, floats);
}

/**
 * A quantized checkpoint in safetensors: int8 codes as I8, packed 4/3/2-bit codes (the bit stream) as U8,
 * scales as F32, zero points as U8 (`<name>.qweight`, `<name>.scales`, `<name>.zeros`), the other parameters as
 * F32; the scheme and each weight's shape in the metadata.
 */
export function encodeQuantized(model: QuantizedGPT): Uint8Array {
  const tensors = new Map<string, SafeTensor>();
  for (const [name, v] of model.params)
    tensors.set(name, {
      dtype: "F32",
      shape: v.shape,
      data: Float32Array.from(v.dataSync() as Float32Array),
    });
  const shapes: Record<string, [number, number]> = {};
  for (const [name, w] of model.quantized) {
    shapes[name] = [w.inDim, w.outDim];
    if (w.kind === "int8") {
      tensors.set(`${name}.qweight`, { dtype: "I8", shape: [w.inDim, w.outDim], data: w.q });
      tensors.set(`${name}.scales`, { dtype: "F32", shape: [w.scales.length], data: w.scales });
    } else {
      tensors.set(`${name}.qweight`, { dtype: "U8", shape: [w.packed.length], data: w.packed });
      tensors.set(`${name}.scales`, { dtype: "F32", shape: [w.scales.length], data: w.scales });
      tensors.set(`${name}.zeros`, { dtype: "U8", shape: [w.zeros.length], data: w.zeros });
    }
  }
  return encodeSafetensors(tensors, {
    format: "llm-ts-quantized",
    scheme: JSON.stringify(model.scheme),
    config: JSON.stringify(model.config),
    shapes: JSON.stringify(shapes),
  });
}

/** Reads a checkpoint written by `encodeQuantized` back into a QuantizedGPT (bit-identical codes). */
export function decodeQuantized(bytes: Uint8Array): QuantizedGPT {
  const { tensors, metadata } = decodeSafetensors(bytes);
  if (metadata.format !== "llm-ts-quantized")
    throw new Error("decodeQuantized: not a quantized llm-ts checkpoint (metadata.format is missing)");
  const scheme = JSON.parse(metadata.scheme) as QuantScheme;
  const shell = new GPT(JSON.parse(metadata.config), 0);
  const shapes = JSON.parse(metadata.shapes) as Record<string, [number, number]>;
  const weights = new Map<string, QuantWeight>();
  const floats = new Map<string, Float32Array>();
  for (const [name, [inDim, outDim]] of Object.entries(shapes)) {
    const q = tensors.get(`${name}.qweight`);
    const scales = tensors.get(`${name}.scales`)?.data as Float32Array;
    if (!q || !scales) throw new Error(`decodeQuantized: "${name}" lacks its qweight or scales`);
    if (q.dtype === "I8") weights.set(name, { kind: "int8", inDim, outDim, q: q.data as Int8Array, scales });
    else {
      const bits = scheme.kind === "rtn" || scheme.kind === "gptq" ? scheme.bits : 4;
      const groupSize = (inDim * outDim) / scales.length;
      const zeros = tensors.get(`${name}.zeros`)?.data as Uint8Array;
      const expected = Math.ceil((inDim * outDim * bits) / 8);
      if (q.data.length !== expected)
        throw new Error(
          `decodeQuantized: "${name}" holds ${q.data.length} bytes of ${bits}-bit codes, expected ${expected} for ` +
            `[${inDim}, ${outDim}]; a checkpoint from before codes were bit-packed stored 3/2-bit codes in 4-bit ` +
            "slots: quantize the float model again and save it",
        );
      weights.set(name, {
        kind: "group",
        inDim,
        outDim,
        bits,
        groupSize,
        length: inDim * outDim,
        packed: q.data as Uint8Array,
        scales,
        zeros,
      });
    }
  }
  for (const [name, t] of tensors)
    if (t.dtype === "F32" && !/\.(scales)$/.test(name)) floats.set(name, t.data as Float32Array);
  const m = new QuantizedGPT(shell, scheme, weights, floats);
  shell.dispose();
  return m;
}
