/**
 * Graded tasks of chapter 03. References: hand-computed softmax and 2×2 attention (the arithmetic is in the
 * comments), tfjs's fused softmax and the library's batched attention as second methods, and parameter
 * counts checked by hand, against GPT-2's published sizes and against the variables of built models.
 * PyTorch's values (test/fixtures/torch, made by make_fixtures.py) as a third reference.
 * Tolerances: 1e-6 relative for float32 results of a few operations (also against torch's float64 values).
 */
import * as assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import { loadChapter, task } from "./harness";
import { initBackend } from "../../src/backend";
import { GPT, GPTConfig, attention, causalMask } from "../../src/model";
import {
  GPT2_MEDIUM,
  GPT2_MEDIUM_PARAMS,
  GPT2_SMALL,
  GPT2_SMALL_PARAMS,
  TINY_GPT2,
} from "../model/gpt2-configs";
import {
  AttentionFixture,
  ParamCountFixture,
  SoftmaxFixture,
  closeTo,
  fromFlat,
  loadTorchFixture,
} from "../fixtures/torch/fixtures";

const ch = loadChapter<typeof import("../../solutions/03-transformer")>("03-transformer");
function assertClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tol: number,
  what: string,
): void {
  assert.equal(
    actual.length,
    expected.length,
    `${what}: expected ${expected.length} values, got ${actual.length}`,
  );
  for (let i = 0; i < expected.length; i++) {
    assert.ok(
      Math.abs(actual[i] - expected[i]) <= tol * (1 + Math.abs(expected[i])),
      `${what}[${i}]: got ${actual[i]}, expected ${expected[i]} (± ${tol})`,
    );
  }
}

before(async () => {
  await initBackend({ quiet: true });
});

task("03.softmax", 2, () => {
  it("gives e^xᵢ / Σ e^xⱼ on a hand example", () => {
    // [1, 2, 3]: e^1, e^2, e^3 = 2.71828, 7.38906, 20.08554; sum 30.19287 → 0.09003, 0.24473, 0.66524
    const y = ch.softmax(tf.tensor1d([1, 2, 3]));
    assertClose(y.dataSync(), [0.0900306, 0.2447285, 0.665241], 1e-6, "softmax([1,2,3])");
  });

  it("is stable for huge logits and gives 0 to −Infinity", () => {
    // [1000, 1001] = 1000 + [0, 1]: 1/(1+e), e/(1+e) = 0.2689414, 0.7310586
    assertClose(
      ch.softmax(tf.tensor1d([1000, 1001])).dataSync(),
      [0.2689414, 0.7310586],
      1e-6,
      "softmax([1000,1001])",
    );
    assertClose(ch.softmax(tf.tensor1d([-Infinity, 0, 0])).dataSync(), [0, 0.5, 0.5], 1e-6, "masked entry");
  });

  it("works along the last axis of a 3-D tensor, matching tf.softmax", () => {
    const x = tf.randomNormal([2, 3, 5], 0, 3, "float32", 1);
    const y = ch.softmax(x);
    assert.deepEqual(y.shape, [2, 3, 5], "shape must be kept");
    assertClose(y.dataSync(), tf.softmax(x).dataSync(), 1e-5, "vs tf.softmax");
  });

  it("matches torch.softmax: random [2, 3, 5], huge logits, a −1e9 entry (float32 vs float64, tol 1e-6)", () => {
    for (const c of loadTorchFixture<SoftmaxFixture>("softmax").cases) {
      const y = ch.softmax(fromFlat(c.x));
      assert.deepEqual(y.shape, c.y.shape, `${c.name}: shape`);
      closeTo(y.dataSync(), c.y.data, 1e-6, `03.softmax vs torch (${c.name})`);
    }
  });
});

task("03.attention", 3, () => {
  it("computes a 2×2 case by hand", () => {
    // q = [[1,0],[0,1]], k = [[1,0],[1,1]], v = [[1,2],[3,4]], headDim 2.
    // Row 0 sees only key 0 → weights [1, 0], out [1, 2].
    // Row 1: scores [q₁·k₀, q₁·k₁]/√2 = [0, 1/√2] → weights [1/(1+e^{0.7071}), e^{0.7071}/(1+e^{0.7071})]
    //        = [0.3302385, 0.6697615]; out = 0.3302385·[1,2] + 0.6697615·[3,4] = [2.339523, 3.339523].
    const q = tf.tensor2d([
      [1, 0],
      [0, 1],
    ]);
    const k = tf.tensor2d([
      [1, 0],
      [1, 1],
    ]);
    const v = tf.tensor2d([
      [1, 2],
      [3, 4],
    ]);
    const { out, weights } = ch.causalSelfAttention(q, k, v);
    assertClose(weights.dataSync(), [1, 0, 0.3302385, 0.6697615], 1e-5, "weights");
    assertClose(out.dataSync(), [1, 2, 2.339523, 3.339523], 1e-5, "out");
  });

  it("is causal: changing later values or keys leaves earlier outputs unchanged", () => {
    const q = tf.randomNormal([5, 4], 0, 1, "float32", 2) as tf.Tensor2D;
    const k = tf.randomNormal([5, 4], 0, 1, "float32", 3) as tf.Tensor2D;
    const v = tf.randomNormal([5, 4], 0, 1, "float32", 4) as tf.Tensor2D;
    const k2 = tf.concat([
      tf.slice(k, [0, 0], [3, 4]),
      tf.randomNormal([2, 4], 0, 1, "float32", 5),
    ]) as tf.Tensor2D;
    const v2 = tf.concat([
      tf.slice(v, [0, 0], [3, 4]),
      tf.randomNormal([2, 4], 0, 1, "float32", 6),
    ]) as tf.Tensor2D;
    const a = ch.causalSelfAttention(q, k, v);
    const b = ch.causalSelfAttention(q, k2, v2);
    assertClose(b.out.dataSync().slice(0, 12), a.out.dataSync().slice(0, 12), 1e-6, "first 3 positions");
    const w = a.weights.arraySync() as number[][];
    w.forEach((row, i) => {
      assertClose([row.reduce((s, x) => s + x, 0)], [1], 1e-5, `row ${i} sum`);
      row.forEach((x, j) => assert.ok(j <= i || x === 0, `weight [${i}][${j}] = ${x} looks at the future`));
    });
  });

  it("matches the library's batched attention on random inputs", () => {
    const q = tf.randomNormal([6, 8], 0, 1, "float32", 7) as tf.Tensor2D;
    const k = tf.randomNormal([6, 8], 0, 1, "float32", 8) as tf.Tensor2D;
    const v = tf.randomNormal([6, 8], 0, 1, "float32", 9) as tf.Tensor2D;
    const ref = attention(
      tf.reshape(q, [1, 1, 6, 8]),
      tf.reshape(tf.transpose(k), [1, 1, 8, 6]),
      tf.reshape(v, [1, 1, 6, 8]),
      causalMask(6, 6),
    );
    assertClose(ch.causalSelfAttention(q, k, v).out.dataSync(), ref.out.dataSync(), 1e-5, "out");
  });

  it("matches PyTorch on a random 6×8 head: out and weights (float32 vs float64, tol 1e-6)", () => {
    const { q, k, v, out, weights } = loadTorchFixture<AttentionFixture>("attention").single;
    const r = ch.causalSelfAttention(
      fromFlat(q) as tf.Tensor2D,
      fromFlat(k) as tf.Tensor2D,
      fromFlat(v) as tf.Tensor2D,
    );
    closeTo(r.weights.dataSync(), weights.data, 1e-6, "03.attention weights vs torch");
    closeTo(r.out.dataSync(), out.data, 1e-6, "03.attention out vs torch");
  });
});

task("03.paramCount", 2, () => {
  const tiny = TINY_GPT2;
  it("counts a tiny GPT-2-style model by hand", () => {
    // wte 40 + wpe 16 + ln_1 8 + c_attn 60 + c_proj 20 + ln_2 8 + c_fc 40 + mlp.c_proj 36 + ln_f 8 + lm_head 40
    assert.equal(ch.paramCount(tiny), 276);
    // Tied: no lm_head.
    assert.equal(ch.paramCount({ ...tiny, tiedEmbeddings: true }), 236);
  });

  it("gives GPT-2 small's 124,439,808 and GPT-2 medium's 354,823,168", () => {
    assert.equal(ch.paramCount(GPT2_SMALL), GPT2_SMALL_PARAMS);
    assert.equal(ch.paramCount(GPT2_MEDIUM), GPT2_MEDIUM_PARAMS);
  });

  it("equals the number of weights of built models (RMSNorm, RoPE, SwiGLU, with and without bias)", () => {
    for (const extra of [
      { norm: "rms", positions: "rope", activation: "swiglu", bias: false },
      { norm: "rms", positions: "learned", activation: "swiglu", bias: true },
      { norm: "layer", positions: "rope", activation: "gelu", bias: false, tiedEmbeddings: true },
    ] as Array<Partial<GPTConfig>>) {
      const cfg = { ...tiny, dMlp: 6, nLayers: 2, ...extra } as GPTConfig;
      const m = new GPT(cfg, 0);
      const n = m.variables().reduce((s, x) => s + x.size, 0);
      m.dispose();
      assert.equal(ch.paramCount(cfg), n, `config ${JSON.stringify(extra)}`);
    }
  });

  it("equals the parameter count of GPT modules built in PyTorch (GPT-2 small, medium, 5 variants; exact)", () => {
    for (const c of loadTorchFixture<ParamCountFixture>("param_count").cases) {
      assert.equal(ch.paramCount(c.config), c.params, c.name);
    }
  });
});
