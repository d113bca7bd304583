/**
 * The safetensors format (Hugging Face), written and read without dependencies, so PyTorch, JAX and the
 * `safetensors` Python package can open our checkpoints:
 *
 *   [8 bytes: N, unsigned little-endian 64-bit] [N bytes: JSON header] [raw tensor bytes]
 *
 * The header maps each tensor name to `{"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}`, offsets
 * relative to the start of the data section, plus an optional `"__metadata__"` map of strings to strings.
 * Data is little-endian, row-major, packed in header order without gaps; the header is padded with spaces
 * to a multiple of 8 bytes so the data is aligned.
 *
 * Portable: no Node API (no `Buffer`, no `os`), so the browser bundle reads checkpoints from an `ArrayBuffer`.
 */

export type SafeDType = "F32" | "I32" | "I8" | "U8";

export interface SafeTensor {
  dtype: SafeDType;
  shape: number[];
  /** Float32Array for F32, Int32Array for I32, Int8Array for I8 (int8 weights), Uint8Array for U8 (packed int4). */
  data: Float32Array | Int32Array | Int8Array | Uint8Array;
}

const BYTES: Record<SafeDType, number> = { F32: 4, I32: 4, I8: 1, U8: 1 };
const ARRAYS = { F32: Float32Array, I32: Int32Array, I8: Int8Array, U8: Uint8Array } as const;

function checkEndianness(): void {
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1)
    throw new Error("safetensors: this writer assumes a little-endian machine");
}

/** Serialises tensors (in the given order) and string metadata into one safetensors buffer. */
export function encodeSafetensors(
  tensors: Map<string, SafeTensor> | Record<string, SafeTensor>,
  metadata?: Record<string, string>,
): Uint8Array {
  checkEndianness();
  const entries = tensors instanceof Map ? [...tensors] : Object.entries(tensors);
  const header: Record<string, unknown> = {};
  if (metadata) {
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== "string") throw new Error(`safetensors: metadata "${k}" must be a string`);
    }
    header.__metadata__ = metadata;
  }
  let offset = 0;
  for (const [name, t] of entries) {
    if (name === "__metadata__") throw new Error(`safetensors: "__metadata__" cannot name a tensor`);
    if (!(t.dtype in BYTES)) throw new Error(`safetensors: unsupported dtype ${t.dtype} for "${name}"`);
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (count !== t.data.length)
      throw new Error(`safetensors: "${name}" has shape [${t.shape}] but ${t.data.length} values`);
    const expected = ARRAYS[t.dtype];
    if (!(t.data instanceof expected))
      throw new Error(`safetensors: "${name}" is ${t.dtype} but its data is not a ${expected.name}`);
    const nbytes = count * BYTES[t.dtype];
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + nbytes] };
    offset += nbytes;
  }
  const text = JSON.stringify(header);
  const utf8 = new TextEncoder().encode(text);
  const json = new Uint8Array(utf8.length + ((8 - (utf8.length % 8)) % 8)).fill(0x20);
  json.set(utf8);
  const out = new Uint8Array(8 + json.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let pos = 8 + json.length;
  for (const [, t] of entries) {
    const bytes = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    out.set(bytes, pos);
    pos += bytes.length;
  }
  return out;
}

/** Parses a safetensors buffer; every inconsistency (truncation, overlapping or gapped offsets, bad shapes) is an error. */
export function decodeSafetensors(bytes: Uint8Array): {
  tensors: Map<string, SafeTensor>;
  metadata: Record<string, string>;
} {
  checkEndianness();
  if (bytes.length < 8)
    throw new Error(`safetensors: ${bytes.length} bytes is too short for the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(view.getBigUint64(0, true));
  if (n < 2 || 8 + n > bytes.length)
    throw new Error(
      `safetensors: header length ${n} does not fit in ${bytes.length} bytes (truncated file?)`,
    );
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
  } catch (err) {
    throw new Error(`safetensors: the header is not valid JSON (${(err as Error).message})`);
  }
  const dataStart = 8 + n;
  const dataLen = bytes.length - dataStart;
  const metadata = (header.__metadata__ ?? {}) as Record<string, string>;
  const items = Object.entries(header).filter(([k]) => k !== "__metadata__") as Array<
    [string, { dtype: string; shape: number[]; data_offsets: [number, number] }]
  >;
  const sorted = [...items].sort((a, b) => a[1].data_offsets[0] - b[1].data_offsets[0]);
  let expectStart = 0;
  for (const [name, info] of sorted) {
    const [b, e] = info.data_offsets ?? [];
    if (b !== expectStart)
      throw new Error(`safetensors: "${name}" starts at ${b}, expected ${expectStart} (gap or overlap)`);
    expectStart = e;
  }
  if (expectStart !== dataLen)
    throw new Error(
      `safetensors: tensors cover ${expectStart} bytes but the data section has ${dataLen} (truncated file?)`,
    );
  const tensors = new Map<string, SafeTensor>();
  for (const [name, info] of items) {
    const dtype = info.dtype as SafeDType;
    if (!(dtype in BYTES))
      throw new Error(
        `safetensors: "${name}" has dtype ${info.dtype}; this reader knows F32, I32, I8 and U8`,
      );
    const count = info.shape.reduce((a, b) => a * b, 1);
    const [b, e] = info.data_offsets;
    if (e - b !== count * BYTES[dtype])
      throw new Error(
        `safetensors: "${name}" shape [${info.shape}] needs ${count * BYTES[dtype]} bytes, offsets give ${e - b}`,
      );
    // A fresh, aligned copy (Buffer#slice would return a view into a shared pool).
    const copy = new Uint8Array(e - b);
    copy.set(bytes.subarray(dataStart + b, dataStart + e));
    const data = new ARRAYS[dtype](copy.buffer);
    tensors.set(name, { dtype, shape: info.shape, data });
  }
  return { tensors, metadata };
}
