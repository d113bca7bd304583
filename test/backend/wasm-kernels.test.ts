/**
 * The WASM backend's replaced Identity and Cast kernels (src/backend/wasm-kernels.ts): a clone shares its
 * input's data instead of copying it, survives the input's disposal with the same values, and casts that
 * change the dtype still convert.
 */
import * as assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import { initBackend } from "../../src/backend";
import "../../src/backend/gradients";

describe("wasm kernels: Identity and same-dtype Cast share data, GatherV2 copies rows", () => {
  before(async function () {
    const info = await initBackend({ quiet: true });
    if (info.tfName !== "wasm") this.skip(); // these kernels exist for WASM only
  });

  it("clone and float32→float32 cast add no memory and keep values after the original is disposed", () => {
    const x = tf.tensor1d([1.5, -2, 3.25]);
    const before = tf.memory().numDataBuffers;
    const c = tf.clone(x);
    const k = tf.cast(x, "float32");
    assert.equal(tf.memory().numDataBuffers, before, "no new data buffer: the data is shared");
    x.dispose();
    assert.deepEqual([...c.dataSync()], [1.5, -2, 3.25]);
    assert.deepEqual([...k.dataSync()], [1.5, -2, 3.25]);
    c.dispose();
    assert.deepEqual([...k.dataSync()], [1.5, -2, 3.25], "the last holder keeps the data alive");
    k.dispose();
  });

  it("casts that change the dtype still convert", () => {
    const x = tf.tensor1d([1.7, -2.2, 0]);
    assert.deepEqual([...tf.cast(x, "int32").dataSync()], [1, -2, 0]);
    x.dispose();
  });

  it("gradients that clone saved tensors are unchanged (d/dx Σ x² = 2x)", () => {
    const x = tf.tensor1d([1, -3, 0.5]);
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.square(t)))(x);
    assert.deepEqual([...g.dataSync()], [2, -6, 1]);
    tf.dispose([x, g]);
  });

  it("gathers rows along axis 0 and 1, repeated indices included, like indexing by hand", () => {
    const x = tf.tensor3d([...Array(24).keys()], [2, 3, 4]); // x[a][b][c] = 12a + 4b + c
    const ids = tf.tensor1d([2, 0, 2], "int32");
    const g1 = tf.gather(x, ids, 1); // [2, 3, 4]: g1[a][k][c] = x[a][ids[k]][c]
    const expected1: number[] = [];
    for (const a of [0, 1])
      for (const b of [2, 0, 2]) for (let c = 0; c < 4; c++) expected1.push(12 * a + 4 * b + c);
    assert.deepEqual(g1.shape, [2, 3, 4]);
    assert.deepEqual([...g1.dataSync()], expected1);
    const table = tf.tensor2d([10, 11, 20, 21, 30, 31], [3, 2]);
    const rows = tf.gather(table, tf.tensor2d([1, 1, 0, 2], [2, 2], "int32"));
    assert.deepEqual(rows.shape, [2, 2, 2]);
    assert.deepEqual([...rows.dataSync()], [20, 21, 20, 21, 10, 11, 30, 31]);
    tf.dispose([x, ids, g1, table, rows]);
  });

  it("rejects an index outside the axis, naming it", () => {
    const table = tf.tensor2d([1, 2, 3, 4], [2, 2]);
    const bad = tf.tensor1d([0, 5], "int32");
    assert.throws(() => tf.gather(table, bad), /index value 5 is not in \[0, 1\]/);
    tf.dispose([table, bad]);
  });

  it("slices and splits any axis like indexing by hand (merged whole trailing axes, empty pieces)", () => {
    const x = tf.tensor3d([...Array(60).keys()], [3, 4, 5]); // x[a][b][c] = 20a + 5b + c
    const s = tf.slice(x, [1, 1, 2], [2, 2, 3]);
    const expected: number[] = [];
    for (const a of [1, 2])
      for (const b of [1, 2]) for (const c of [2, 3, 4]) expected.push(20 * a + 5 * b + c);
    assert.deepEqual([...s.dataSync()], expected);
    const rows = tf.slice(x, [1, 0, 0], [1, 4, 5]); // whole trailing axes: one contiguous run
    assert.deepEqual(
      [...rows.dataSync()],
      [...Array(20).keys()].map((i) => 20 + i),
    );
    const [p, q, r] = tf.split(x, [1, 0, 4], 2);
    assert.deepEqual(p.shape, [3, 4, 1]);
    assert.deepEqual(q.shape, [3, 4, 0]);
    assert.deepEqual(
      [...p.dataSync()],
      [...Array(12).keys()].map((i) => 5 * i),
    );
    assert.deepEqual([...r.dataSync()].slice(0, 5), [1, 2, 3, 4, 6]);
    const ints = tf.slice(tf.tensor1d([7, 8, 9], "int32"), 1, 2);
    assert.equal(ints.dtype, "int32");
    assert.deepEqual([...ints.dataSync()], [8, 9]);
    tf.dispose([x, s, rows, p, q, r, ints]);
  });
});
