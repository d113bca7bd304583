import { strict as assert } from "node:assert";
import { decodeSafetensors, encodeSafetensors } from "../../src/train";

describe("train/safetensors", () => {
  it("reads a hand-made file", () => {
    // Header written by hand; data: F32 [1, -2] = 00 00 80 3f | 00 00 00 c0, I32 [[7], [-1]].
    const json =
      '{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"i":{"dtype":"I32","shape":[2,1],"data_offsets":[8,16]},"__metadata__":{"format":"pt"}}';
    const header = Buffer.from(json + " ".repeat((8 - (json.length % 8)) % 8));
    const len = Buffer.alloc(8);
    len[0] = header.length & 0xff;
    len[1] = header.length >> 8;
    const data = Buffer.from([0, 0, 0x80, 0x3f, 0, 0, 0, 0xc0, 7, 0, 0, 0, 0xff, 0xff, 0xff, 0xff]);
    const { tensors, metadata } = decodeSafetensors(Buffer.concat([len, header, data]));
    assert.deepEqual(metadata, { format: "pt" });
    assert.deepEqual(Array.from(tensors.get("w")!.data), [1, -2]);
    assert.deepEqual(tensors.get("i")!.shape, [2, 1]);
    assert.deepEqual(Array.from(tensors.get("i")!.data), [7, -1]);
  });

  it("writes bytes an independent parser understands", () => {
    const bytes = encodeSafetensors(
      new Map([
        ["a.weight", { dtype: "F32" as const, shape: [2, 2], data: new Float32Array([1.5, -0.25, 3, 1e-8]) }],
        ["b", { dtype: "I32" as const, shape: [3], data: new Int32Array([1, -2, 2147483647]) }],
      ]),
      { step: "12" },
    );
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const n = dv.getUint32(0, true) + dv.getUint32(4, true) * 2 ** 32;
    assert.equal(n % 8, 0, "header padded to 8 bytes");
    const header = JSON.parse(Buffer.from(bytes.subarray(8, 8 + n)).toString("utf8"));
    assert.deepEqual(header.__metadata__, { step: "12" });
    assert.deepEqual(header["a.weight"], { dtype: "F32", shape: [2, 2], data_offsets: [0, 16] });
    assert.deepEqual(header.b, { dtype: "I32", shape: [3], data_offsets: [16, 28] });
    assert.equal(bytes.length, 8 + n + 28);
    const base = 8 + n;
    assert.deepEqual(
      [0, 1, 2, 3].map((i) => dv.getFloat32(base + 4 * i, true)),
      [1.5, -0.25, 3, Math.fround(1e-8)],
    );
    assert.deepEqual(
      [0, 1, 2].map((i) => dv.getInt32(base + 16 + 4 * i, true)),
      [1, -2, 2147483647],
    );
    // Round trip.
    const back = decodeSafetensors(bytes);
    assert.deepEqual(Array.from(back.tensors.get("a.weight")!.data), [1.5, -0.25, 3, Math.fround(1e-8)]);
  });

  it("rejects truncated and inconsistent files with a clear message", () => {
    const bytes = encodeSafetensors({ x: { dtype: "F32", shape: [4], data: new Float32Array(4) } });
    assert.throws(() => decodeSafetensors(bytes.subarray(0, bytes.length - 1)), /truncated/);
    assert.throws(() => decodeSafetensors(bytes.subarray(0, 5)), /too short/);
    assert.throws(
      () => encodeSafetensors({ x: { dtype: "F32", shape: [3], data: new Float32Array(4) } }),
      /shape \[3\] but 4 values/,
    );
  });
});
