/**
 * The WASM backend's replaced Identity and Cast kernels (src/backend/wasm-kernels.ts): a clone shares its
 * input's data instead of copying it, survives the input's disposal with the same values, and casts that
 * change the dtype still convert.
 */
import * as assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import { initBackend } from "../../src/backend";
import "../../src/backend/gradients";

describe("wasm kernels: Identity and same-dtype Cast share data", () => {
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
});
