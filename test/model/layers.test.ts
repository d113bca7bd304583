import { strict as assert } from "node:assert";
import * as tf from "@tensorflow/tfjs-core";
import { initBackend } from "../../src/backend";
import {
  applyRope,
  attention,
  causalMask,
  embedding,
  gelu,
  layerNorm,
  linear,
  rmsNorm,
  multiHeadAttention,
  ropeTables,
  splitHeads,
  swiglu,
} from "../../src/model";
import { Rng } from "../../src/random";
import { allClose as close } from "../fixtures/close";

describe("model/layers", () => {
  before(async () => {
    await initBackend({ quiet: true });
  });

  it("attention on a 2×2 case matches a hand computation", () => {
    // One head, hd = 2, two positions. q = [[1,0],[0,1]], k = [[1,0],[1,1]], v = [[1,2],[3,4]].
    // Scores/√2: row 0 = [1, 1]/√2 but masked → only key 0: out₀ = v₀ = [1, 2].
    // Row 1: q₁·k₀ = 0, q₁·k₁ = 1 → softmax([0, 1/√2]) = [1/(1+e^{.7071}), e^{.7071}/(1+e^{.7071})].
    const q = tf.tensor4d([1, 0, 0, 1], [1, 1, 2, 2]);
    const kT = tf.tensor4d([1, 1, 0, 1], [1, 1, 2, 2]); // kᵀ: rows are dims
    const v = tf.tensor4d([1, 2, 3, 4], [1, 1, 2, 2]);
    const mask = causalMask(2, 2);
    const { out, weights } = attention(q, kT, v, mask);
    const e = Math.exp(1 / Math.SQRT2);
    const w1 = [1 / (1 + e), e / (1 + e)];
    close(weights.dataSync(), [1, 0, w1[0], w1[1]], 1e-6, "weights");
    close(out.dataSync(), [1, 2, w1[0] * 1 + w1[1] * 3, w1[0] * 2 + w1[1] * 4], 1e-6, "out");
    // Without the mask, row 0 sees both keys equally (scores 1/√2 and 1/√2).
    const free = attention(q, kT, v, null);
    close(free.out.dataSync().slice(0, 2), [2, 3], 1e-6, "unmasked row 0");
    tf.dispose([q, kT, v, mask, out, weights, free.out, free.weights]);
  });

  it("causalMask with an offset lets query i see keys ≤ offset + i", () => {
    const m = causalMask(2, 4, 2);
    assert.deepEqual(Array.from(m.dataSync()), [0, 0, 0, -1e9, 0, 0, 0, 0]);
    m.dispose();
  });

  it("layerNorm and rmsNorm match hand values", () => {
    const x = tf.tensor2d([1, 2, 3, 4], [1, 4]);
    const g = tf.tensor1d([1, 2, 1, 1]);
    const b = tf.tensor1d([0, 0, 0, 1]);
    // mean 2.5, biased variance 1.25
    const s = 1 / Math.sqrt(1.25 + 1e-5);
    close(
      layerNorm(x, g, b, 1e-5).dataSync(),
      [-1.5 * s, -0.5 * s * 2, 0.5 * s, 1.5 * s + 1],
      1e-6,
      "layerNorm",
    );
    // mean of squares 7.5
    const r = 1 / Math.sqrt(7.5 + 1e-5);
    close(rmsNorm(x, g, 1e-5).dataSync(), [r, 4 * r, 3 * r, 4 * r], 1e-6, "rmsNorm");
    tf.dispose([x, g, b]);
  });

  it("gelu (tanh form) and swiglu match formulas", () => {
    const x = tf.tensor1d([-1, 0, 1, 3]);
    const ref = [-1, 0, 1, 3].map(
      (v) => 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3))),
    );
    close(gelu(x).dataSync(), ref, 1e-6, "gelu");
    close(ref, [-0.158808, 0, 0.841192, 2.996363], 1e-5, "gelu published values");
    const gu = tf.tensor2d([2, -1, 3, 5], [1, 4]); // gate [2, -1], up [3, 5]
    const silu = (z: number) => z / (1 + Math.exp(-z));
    close(swiglu(gu).dataSync(), [silu(2) * 3, silu(-1) * 5], 1e-6, "swiglu");
    tf.dispose([x, gu]);
  });

  it("RoPE rotates pairs by position·θ and scores depend only on relative position", () => {
    // headDim 2: θ₀ = 1, so position p rotates (a, b) by angle p.
    const [cos, sin] = ropeTables(3, 2, 0, 10000);
    const x = tf.tensor3d([1, 0, 1, 0, 0.5, 2], [1, 3, 2]);
    const y = applyRope(x, cos, sin).dataSync();
    close(
      y,
      [
        1,
        0,
        Math.cos(1),
        Math.sin(1),
        0.5 * Math.cos(2) - 2 * Math.sin(2),
        2 * Math.cos(2) + 0.5 * Math.sin(2),
      ],
      1e-6,
      "rope",
    );
    // headDim 8: ⟨R(m)q, R(n)k⟩ = ⟨R(m+s)q, R(n+s)k⟩.
    const q = tf.tensor2d([[0.3, -1, 2, 0.5, 1, 1, -0.2, 0.7]]);
    const k = tf.tensor2d([[1, 0.4, -0.3, 2, 0.1, -1, 0.6, 0.2]]);
    const dotAt = (m: number, n: number): number => {
      const [cm, sm] = ropeTables(1, 8, m, 10000);
      const [cn, sn] = ropeTables(1, 8, n, 10000);
      const v = tf.sum(tf.mul(applyRope(q, cm, sm), applyRope(k, cn, sn))).dataSync()[0];
      tf.dispose([cm, sm, cn, sn]);
      return v;
    };
    close([dotAt(5, 2)], [dotAt(12, 9)], 1e-5, "relative");
    close([dotAt(0, 3)], [dotAt(7, 10)], 1e-5, "relative");
    tf.dispose([cos, sin, x, q, k]);
  });

  it("linear's custom gradient equals tfjs's own matMul gradient", () => {
    const x = tf.randomNormal([5, 3], 0, 1, "float32", 1) as tf.Tensor2D;
    const w = tf.randomNormal([3, 4], 0, 1, "float32", 2) as tf.Tensor2D;
    const b = tf.randomNormal([4], 0, 1, "float32", 3) as tf.Tensor1D;
    const r = tf.randomNormal([5, 4], 0, 1, "float32", 4);
    const ours = tf.grads((a, c, d) =>
      tf.sum(tf.mul(linear(a as tf.Tensor2D, c as tf.Tensor2D, d as tf.Tensor1D), r)),
    )([x, w, b]);
    const ref = tf.grads((a, c, d) =>
      tf.sum(tf.mul(tf.add(tf.matMul(a as tf.Tensor2D, c as tf.Tensor2D), d), r)),
    )([x, w, b]);
    for (let i = 0; i < 3; i++) close(ours[i].dataSync(), ref[i].dataSync(), 1e-5, `grad ${i}`);
    const noBias = tf.grads((a, c) => tf.sum(tf.mul(linear(a as tf.Tensor2D, c as tf.Tensor2D), r)))([x, w]);
    close(noBias[1].dataSync(), ref[1].dataSync(), 1e-5, "grad w without bias");
    tf.dispose([x, w, b, r, ...ours, ...ref, ...noBias]);
  });

  it("embedding's scatter-add gradient equals the one-hot reference, with repeated ids", () => {
    const V = 7,
      d = 3;
    const table = tf.randomNormal([V, d], 0, 1, "float32", 5) as tf.Tensor2D;
    const ids = tf.tensor2d(
      [
        [1, 4, 1],
        [6, 1, 0],
      ],
      [2, 3],
      "int32",
    );
    const r = tf.randomNormal([2, 3, d], 0, 1, "float32", 6);
    const [g] = tf.grads((t) => tf.sum(tf.mul(embedding(t as tf.Tensor2D, ids), r)))([table]);
    // Reference: d/dtable Σ (onehot(ids) · table) ⊙ r = onehot(ids)ᵀ · r, computed in plain JS.
    const idv = ids.dataSync(),
      rv = r.dataSync();
    const ref = new Float32Array(V * d);
    for (let n = 0; n < 6; n++) for (let j = 0; j < d; j++) ref[idv[n] * d + j] += rv[n * d + j];
    close(g.dataSync(), ref, 1e-6, "embedding grad");
    // Forward: rows of the table.
    const out = embedding(table, ids);
    assert.deepEqual(out.shape, [2, 3, d]);
    close(out.dataSync().slice(0, 3), table.dataSync().slice(3, 6), 0, "row of id 1");
    tf.dispose([table, ids, r, g, out]);
  });

  describe("multiHeadAttention (the backend's fused kernel where it has one, e.g. WASM)", () => {
    const [B, T, H, hd] = [2, 5, 2, 4];
    const d = H * hd;
    /** qkv `[B·T, 3d]` → heads → attention → merged `[B·T, d]`, as a GPT layer does (weights: the maths path). */
    const selfAttention = (
      qkv: tf.Tensor2D,
      mask: tf.Tensor2D | null,
      rope: [tf.Tensor2D, tf.Tensor2D] | null,
      weights?: tf.Tensor4D[],
    ): tf.Tensor2D => {
      const { q, k, v } = splitHeads(qkv, B, T, H, rope);
      return tf.reshape(multiHeadAttention(q, k, v, mask, weights), [B * T, d]) as tf.Tensor2D;
    };
    const rng = new Rng(7);
    const data = Array.from({ length: B * T * 3 * d }, () => rng.normal(0, 1));
    const weights = Array.from({ length: B * T * d }, () => rng.normal(0, 1));

    /** Plain float64 attention, head by head: out[b·T + i, h·hd + e] (the reference). */
    function reference(rope: boolean): number[] {
      const at = (row: number, part: number, h: number, e: number): number =>
        data[row * 3 * d + part * d + h * hd + e];
      const rot = (vec: number[], t: number): number[] => {
        if (!rope) return vec;
        const half = hd / 2;
        return vec.map((x, i) => {
          const j = i % half;
          const angle = t * Math.pow(10000, (-2 * j) / hd);
          const other = i < half ? -vec[i + half] : vec[i - half];
          return x * Math.cos(angle) + other * Math.sin(angle);
        });
      };
      const out = new Array(B * T * d).fill(0);
      for (let b = 0; b < B; b++) {
        for (let h = 0; h < H; h++) {
          const vecs = (part: number) =>
            Array.from({ length: T }, (_, t) =>
              Array.from({ length: hd }, (_, e) => at(b * T + t, part, h, e)),
            );
          const q = vecs(0).map((x, t) => rot(x, t));
          const k = vecs(1).map((x, t) => rot(x, t));
          const v = vecs(2);
          for (let i = 0; i < T; i++) {
            const s = k
              .slice(0, i + 1)
              .map((kj) => kj.reduce((a, x, e) => a + x * q[i][e], 0) / Math.sqrt(hd));
            const m = Math.max(...s);
            const w = s.map((x) => Math.exp(x - m));
            const z = w.reduce((a, x) => a + x, 0);
            for (let e = 0; e < hd; e++) {
              out[(b * T + i) * d + h * hd + e] = w.reduce((a, x, j) => a + (x / z) * v[j][e], 0);
            }
          }
        }
      }
      return out;
    }

    for (const rope of [false, true]) {
      it(`equals a float64 head-by-head computation${rope ? " with RoPE" : ""} (tol 1e-5)`, () => {
        const y = tf.tidy(() => {
          const qkv = tf.tensor2d(data, [B * T, 3 * d]);
          const tables = rope ? ropeTables(T, hd, 0, 10000) : null;
          return selfAttention(qkv, causalMask(T, T), tables).dataSync();
        });
        close(y, reference(rope), 1e-5, "out");
      });
    }

    it("has the gradient of the [B, H, T, hd] path through `attention` (tol 1e-5)", () => {
      const qkv = tf.tensor2d(data, [B * T, 3 * d]);
      const r = tf.tensor2d(weights, [B * T, d]);
      const mask = causalMask(T, T);
      const viaAttention = (x: tf.Tensor): tf.Tensor => {
        const [q, k, v] = tf.split(x, 3, 1).map((t) => tf.reshape(t, [B, T, H, hd]));
        const { out } = attention(
          tf.transpose(q, [0, 2, 1, 3]) as tf.Tensor4D,
          tf.transpose(k, [0, 2, 3, 1]) as tf.Tensor4D,
          tf.transpose(v, [0, 2, 1, 3]) as tf.Tensor4D,
          mask,
        );
        return tf.sum(tf.mul(tf.reshape(tf.transpose(out, [0, 2, 1, 3]), [B * T, d]), r));
      };
      const fast = (x: tf.Tensor): tf.Tensor =>
        tf.sum(tf.mul(selfAttention(x as tf.Tensor2D, mask, null), r));
      const g1 = tf.grad(fast)(qkv);
      const g2 = tf.grad(viaAttention)(qkv);
      close(g1.dataSync(), g2.dataSync(), 1e-5, "d qkv");
      tf.dispose([qkv, r, mask, g1, g2]);
    });

    it("with cached keys (2 new queries after 3 cached positions) equals the maths path, weights rows sum to 1", () => {
      const [Tq, Tk] = [2, 5];
      const rng2 = new Rng(8);
      const randn = (shape: [number, number, number, number]) =>
        tf.tensor(
          Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng2.normal(0, 1)),
          shape,
        ) as tf.Tensor4D;
      const [q, k, v] = [randn([B, Tq, H, hd]), randn([B, Tk, H, hd]), randn([B, Tk, H, hd])];
      const mask = causalMask(Tq, Tk, Tk - Tq);
      const ws: tf.Tensor4D[] = [];
      const plain = multiHeadAttention(q, k, v, mask, ws);
      const fused = multiHeadAttention(q, k, v, mask);
      assert.deepEqual(fused.shape, [B, Tq, H, hd]);
      close(fused.dataSync(), plain.dataSync(), 1e-5, "out");
      assert.deepEqual(ws[0].shape, [B, H, Tq, Tk]);
      const rows = tf.sum(ws[0], -1);
      close(rows.dataSync(), new Array(B * H * Tq).fill(1), 1e-6, "weight rows");
      // Query 0 sits at position 3: it sees keys 0…3, not key 4.
      assert.equal((ws[0].arraySync() as number[][][][])[1][1][0][4], 0);
      tf.dispose([q, k, v, mask, plain, fused, rows, ...ws]);
    });

    it("rejects a qkv that does not fit the shapes", () => {
      const qkv = tf.zeros([B * T + 1, 3 * d]) as tf.Tensor2D;
      assert.throws(
        () => splitHeads(qkv, B, T, H, null),
        /splitHeads: .* does not fit batch 2, time 5, 2 heads/,
      );
      qkv.dispose();
    });
  });
});
