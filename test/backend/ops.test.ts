/**
 * The backend-aware ops (src/backend/ops.ts) compute the same functions as tfjs's plain ops on whichever
 * backend is active; on WASM these tests exercise the depthwise-convolution products and the halving sums.
 */
import { strict as assert } from "node:assert";
import * as tf from "@tensorflow/tfjs-core";
import { batchedMatMul, columnSum, fusedAttention, initBackend } from "../../src/backend";
import "../../src/backend/gradients";
import { Rng } from "../../src/random";
import { allClose as close } from "../fixtures/close";

describe("backend ops", () => {
  before(async () => {
    await initBackend({ quiet: true });
  });

  it("batchedMatMul and its gradient equal tf.matMul's on a 4-D, non-square case", () => {
    const a = tf.randomNormal([2, 3, 5, 4], 0, 1, "float32", 5);
    const b = tf.randomNormal([2, 3, 4, 6], 0, 1, "float32", 6);
    const r = tf.randomNormal([2, 3, 5, 6], 0, 1, "float32", 7);
    const ours = batchedMatMul(a, b);
    const ref = tf.matMul(a, b);
    assert.deepEqual(ours.shape, [2, 3, 5, 6]);
    close(ours.dataSync(), ref.dataSync(), 1e-5, "value");
    // Entry (0, 1, 2, 3) by hand: Σₖ a[0,1,2,k] · b[0,1,k,3].
    const av = a.arraySync() as number[][][][];
    const bv = b.arraySync() as number[][][][];
    const hand = [0, 1, 2, 3].reduce((s, k) => s + av[0][1][2][k] * bv[0][1][k][3], 0);
    close([(ours.arraySync() as number[][][][])[0][1][2][3]], [hand], 1e-5, "hand entry");
    const g = tf.grads((x, y) => tf.sum(tf.mul(batchedMatMul(x, y), r)))([a, b]);
    const gRef = tf.grads((x, y) => tf.sum(tf.mul(tf.matMul(x, y), r)))([a, b]);
    close(g[0].dataSync(), gRef[0].dataSync(), 1e-5, "da");
    close(g[1].dataSync(), gRef[1].dataSync(), 1e-5, "db");
    assert.throws(() => batchedMatMul(a, tf.zeros([2, 3, 5, 6])), /inner sizes differ/);
    assert.throws(() => batchedMatMul(a, tf.zeros([3, 3, 4, 6])), /same batch dims/);
    tf.dispose([a, b, r, ours, ref, ...g, ...gRef]);
  });

  it("columnSum equals float64 sums, for an odd row count on the halving path and a small matrix", () => {
    const rng = new Rng(3);
    for (const [n, k] of [
      [1031, 130], // 134,030 numbers: the halving path (n odd at several rounds)
      [5, 3],
    ]) {
      const data = Float32Array.from({ length: n * k }, () => rng.normal(0, 1));
      const expected = Array.from({ length: k }, (_, j) => {
        let s = 0;
        for (let i = 0; i < n; i++) s += data[i * k + j];
        return s;
      });
      const m = tf.tensor2d(data, [n, k]);
      const got = columnSum(m);
      assert.deepEqual(got.shape, [k]);
      close(got.dataSync(), expected, 1e-4, `[${n}, ${k}]`);
      tf.dispose([m, got]);
    }
  });

  it("fusedAttention is null or equals softmax(q·kᵀ·scale + mask)·v per head", () => {
    const [B, Tq, Tk, H, hd] = [2, 3, 4, 2, 4];
    const rng = new Rng(9);
    const randn = (shape: [number, number, number, number]) =>
      tf.tensor(
        Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal(0, 1)),
        shape,
      ) as tf.Tensor4D;
    const [q, k, v] = [randn([B, Tq, H, hd]), randn([B, Tk, H, hd]), randn([B, Tk, H, hd])];
    const mask = tf.tensor2d([0, 0, -1e9, -1e9, 0, 0, 0, -1e9, 0, 0, 0, 0], [Tq, Tk]);
    const out = fusedAttention(q, k, v, mask, 0.5);
    if (tf.getBackend() !== "wasm") assert.equal(out, null, "only WASM has a fused kernel");
    if (out) {
      assert.deepEqual(out.shape, [B, Tq, H, hd]);
      const [qa, ka, va] = [q, k, v].map((t) => t.arraySync() as number[][][][]);
      const ma = mask.arraySync();
      const got = out.arraySync() as number[][][][];
      for (let b = 0; b < B; b++) {
        for (let h = 0; h < H; h++) {
          for (let i = 0; i < Tq; i++) {
            const s = ka[b].map(
              (kj, j) => kj[h].reduce((acc, x, e) => acc + x * qa[b][i][h][e], 0) * 0.5 + ma[i][j],
            );
            const m = Math.max(...s);
            const w = s.map((x) => Math.exp(x - m));
            const z = w.reduce((a2, x) => a2 + x, 0);
            const want = Array.from({ length: hd }, (_, e) =>
              w.reduce((a2, x, j) => a2 + (x / z) * va[b][j][h][e], 0),
            );
            close(got[b][i][h], want, 1e-5, `out[${b}, ${i}, ${h}]`);
          }
        }
      }
      out.dispose();
    }
    tf.dispose([q, k, v, mask]);
  });
});
