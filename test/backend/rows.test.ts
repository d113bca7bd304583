/**
 * gatherRows and scatterAddRows (src/backend/rows.ts): values and gradients by hand, duplicates included, on
 * the active backend (WASM in CI, where tf.gather's own gradient would fail).
 */
import { strict as assert } from "node:assert";
import * as tf from "@tensorflow/tfjs-core";
import { gatherRows, initBackend, scatterAddRows } from "../../src/backend";

before(async () => {
  await initBackend({ quiet: true });
});

describe("backend/rows", () => {
  it("gatherRows picks rows; its gradient adds the picked rows' gradients (row 0 twice)", () => {
    const x = tf.tensor2d([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    const idx = tf.tensor1d([2, 0, 0], "int32");
    assert.deepEqual(gatherRows(x, idx).arraySync(), [
      [5, 6],
      [1, 2],
      [1, 2],
    ]);
    const w = tf.tensor2d([
      [1, 10],
      [100, 1000],
      [2, 20],
    ]);
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(gatherRows(t as tf.Tensor2D, idx), w)))(x);
    // row 0 gets rows 1 and 2 of w; row 1 nothing; row 2 row 0 of w.
    assert.deepEqual(g.arraySync(), [
      [102, 1020],
      [0, 0],
      [1, 10],
    ]);
    tf.dispose([x, idx, w, g]);
  });

  it("scatterAddRows sums duplicates; its gradient gathers", () => {
    const rows = tf.tensor2d([
      [1, 1],
      [2, 3],
      [4, 5],
    ]);
    const idx = tf.tensor1d([1, 3, 1], "int32");
    assert.deepEqual(scatterAddRows(rows, idx, 4).arraySync(), [
      [0, 0],
      [5, 6],
      [0, 0],
      [2, 3],
    ]);
    const w = tf.tensor2d([
      [9, 9],
      [1, 2],
      [9, 9],
      [3, 4],
    ]);
    const g = tf.grad((r: tf.Tensor) => tf.sum(tf.mul(scatterAddRows(r as tf.Tensor2D, idx, 4), w)))(rows);
    assert.deepEqual(g.arraySync(), [
      [1, 2],
      [3, 4],
      [1, 2],
    ]);
    tf.dispose([rows, idx, w, g]);
  });

  it("says what is wrong with bad input", () => {
    const x = tf.zeros([2, 2]) as tf.Tensor2D;
    assert.throws(() => gatherRows(x, tf.tensor1d([0.5])), /indices must be int32/);
    assert.throws(() => scatterAddRows(x, tf.tensor1d([0], "int32"), 3), /1 indices for 2 rows/);
    assert.throws(() => scatterAddRows(x, tf.tensor1d([0, 1], "int32"), 0), /n must be a positive integer/);
    x.dispose();
  });
});
