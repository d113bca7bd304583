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
import { GPT, GPTConfig, attention, causalMask, parameterShapes, resolveConfig } from "../../src/model";
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

/** Attention of one head in float64 JS, optionally without the scaling or the mask (to name a mistake). */
function attentionByHand(
  q: number[][],
  k: number[][],
  v: number[][],
  { scale = true, causal = true } = {},
): { out: number[]; weights: number[] } {
  const hd = q[0].length;
  const weights = q.map((qi, i) => {
    const s = k.map((kj, j) =>
      causal && j > i ? -Infinity : qi.reduce((a, x, c) => a + x * kj[c], 0) / (scale ? Math.sqrt(hd) : 1),
    );
    const m = Math.max(...s);
    const e = s.map((x) => Math.exp(x - m));
    const z = e.reduce((a, b) => a + b, 0);
    return e.map((x) => x / z);
  });
  const out = weights.map((w) => v[0].map((_, c) => w.reduce((a, wj, j) => a + wj * v[j][c], 0)));
  return { out: out.flat(), weights: weights.flat() };
}

/**
 * Checks the learner's attention on `q, k, v` against the hand version; when it differs, says which common
 * mistake it matches (no scaling, no mask, both).
 */
function checkAttention(q: number[][], k: number[][], v: number[][], tol: number): void {
  const r = ch.causalSelfAttention(tf.tensor2d(q), tf.tensor2d(k), tf.tensor2d(v));
  const got = { out: Array.from(r.out.dataSync()), weights: Array.from(r.weights.dataSync()) };
  const same = (a: number[], b: number[]) =>
    a.length === b.length && a.every((x, i) => Math.abs(x - b[i]) <= tol * (1 + Math.abs(b[i])));
  const right = attentionByHand(q, k, v);
  if (same(got.weights, right.weights) && same(got.out, right.out)) return;
  const mistakes: Array<[string, { out: number[]; weights: number[] }]> = [
    ["the scores are not divided by √headDim", attentionByHand(q, k, v, { scale: false })],
    ["the causal mask is missing (positions see the future)", attentionByHand(q, k, v, { causal: false })],
    ["neither scaled by 1/√headDim nor masked", attentionByHand(q, k, v, { scale: false, causal: false })],
  ];
  for (const [what, ref] of mistakes) {
    if (same(got.weights, ref.weights)) assert.fail(`attention weights match attention where ${what}`);
  }
  assertClose(got.weights, right.weights, tol, "weights");
  assertClose(got.out, right.out, tol, "out = weights · v");
}

/**
 * The parameters of `config` by module (weight and bias together, blocks summed over layers) and by tensor,
 * from the shapes a built model has: the parts a count can miss or add.
 */
function paramGroups(config: GPTConfig): { modules: Map<string, number>; tensors: Map<string, number> } {
  const modules = new Map<string, number>();
  const tensors = new Map<string, number>();
  const add = (m: Map<string, number>, k: string, n: number) => m.set(k, (m.get(k) ?? 0) + n);
  for (const [name, shape] of parameterShapes(config)) {
    const n = shape.reduce((a, b) => a * b, 1);
    const inBlock = name.replace(/^h\.\d+\./, "every block's ");
    add(modules, inBlock.replace(/\.(weight|bias)$/, ""), n);
    add(tensors, inBlock, n);
  }
  return { modules, tensors };
}

/** `paramCount(config)` must be `expected`; otherwise the message names the config and the parts that fit the gap. */
function checkCount(config: GPTConfig, expected: number, label: string): void {
  const got = ch.paramCount(config);
  if (got === expected) return;
  const c = resolveConfig(config);
  const desc =
    `${label} (V ${c.vocabSize}, C ${c.contextLength}, d ${c.dModel}, L ${c.nLayers}, m ${c.dMlp}, ` +
    `${c.norm === "layer" ? "LayerNorm" : "RMSNorm"}, ${c.positions} positions, ${c.activation}, ` +
    `${c.tiedEmbeddings ? "tied" : "untied"}, ${c.bias ? "with" : "no"} biases)`;
  const gap = Math.abs(expected - got);
  const { modules, tensors } = paramGroups(config);
  const fits: string[] = [];
  for (const [part, n] of [...modules, ...tensors]) {
    const perBlock = part.startsWith("every block") ? n / c.nLayers : n;
    if (n === gap) fits.push(`${part} (${n})`);
    else if (perBlock === gap) fits.push(`${part} in one block (${gap})`);
  }
  if (expected > got && c.tiedEmbeddings === false && gap === c.dModel * c.vocabSize)
    fits.unshift("the untied output projection lm_head (d·V)");
  if (got > expected && c.tiedEmbeddings && gap === c.dModel * c.vocabSize)
    fits.unshift("an output projection, although it is tied to the token embedding");
  assert.fail(
    `paramCount for ${desc}: got ${got}, expected ${expected} — ${gap} too ${got < expected ? "few" : "many"}` +
      (fits.length ? `; that is the size of: ${fits.join(", or ")}` : "") +
      `. The parts: ${[...modules].map(([p, n]) => `${p} ${n}`).join(", ")}`,
  );
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
    checkAttention(q.arraySync(), k.arraySync(), v.arraySync(), 1e-5);
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
    checkCount(tiny, 276, "the tiny GPT-2-style config");
    // Tied: no lm_head.
    checkCount({ ...tiny, tiedEmbeddings: true }, 236, "the tiny GPT-2-style config, tied");
  });

  it("gives GPT-2 small's 124,439,808 and GPT-2 medium's 354,823,168", () => {
    checkCount(GPT2_SMALL, GPT2_SMALL_PARAMS, "GPT-2 small");
    checkCount(GPT2_MEDIUM, GPT2_MEDIUM_PARAMS, "GPT-2 medium");
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
      checkCount(cfg, n, `a built model ${JSON.stringify(extra)}`);
    }
  });

  it("equals the parameter count of GPT modules built in PyTorch (GPT-2 small, medium, 5 variants; exact)", () => {
    for (const c of loadTorchFixture<ParamCountFixture>("param_count").cases) {
      checkCount(c.config, c.params, `PyTorch's "${c.name}"`);
    }
  });
});
