/**
 * src/infer: the cache's memory and exactness, samplers against their target distributions (seeded
 * chi-square), quantization error bounds and packing, GPTQ beating round-to-nearest on correlated inputs,
 * the quantized model and its checkpoint, and speculative decoding's output distribution.
 */
import * as assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import { initBackend } from "../../src/backend";
import { GPT, GPTConfig, KVCache, disposeCache, generate } from "../../src/model";
import { Rng } from "../../src/random";
import * as inf from "../../src/infer";
import { sample, samplerDistribution } from "../../src/model/sampling";

const tiny: GPTConfig = {
  vocabSize: 12,
  contextLength: 32,
  dModel: 32,
  nLayers: 2,
  nHeads: 2,
  dMlp: 64,
  norm: "layer",
  positions: "learned",
  activation: "gelu",
  tiedEmbeddings: false,
};

before(async () => {
  await initBackend({ quiet: true });
});

function draw(p: ArrayLike<number>, n: number, seed: number, f: (rng: Rng) => number): number[] {
  const rng = new Rng(seed);
  const counts = new Array(p.length).fill(0);
  for (let i = 0; i < n; i++) counts[f(rng)]++;
  return counts;
}

describe("infer: KV cache", () => {
  it("memory formula matches the live cache and hand values", () => {
    // GPT-2 small, 1024 positions, fp16: 2·12·1024·768·2 = 37,748,736 bytes.
    assert.equal(inf.kvCacheBytes({ nLayers: 12, positions: 1024, dModel: 768, bytesPerValue: 2 }), 37748736);
    const m = new GPT(tiny, 1);
    const cache: KVCache = { layers: [], length: 0 };
    m.forwardCached([[1, 2, 3, 4, 5]], cache).dispose();
    assert.equal(
      inf.cacheBytes(cache),
      inf.kvCacheBytes({ nLayers: 2, positions: 5, dModel: 32, bytesPerValue: 4 }),
    );
    inf.truncateCache(cache, 3);
    assert.equal(cache.layers[0].k.shape[1], 3);
    assert.throws(() => inf.truncateCache(cache, 4), /length must be an integer in \[0, 3\]/);
    assert.throws(
      () => inf.kvCacheBytes({ nLayers: 0, positions: 1, dModel: 1, bytesPerValue: 1 }),
      /nLayers/,
    );
    disposeCache(cache);
    m.dispose();
  });

  /** Last-position logits of each row: `[batch, time, vocab]` → rows (disposes the tensor). */
  const lastRows = (t: tf.Tensor3D): Float32Array[] => inf.lastLogitsRows(t);
  const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
    let m = 0;
    for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
    return m;
  };
  const llamaTiny: GPTConfig = { ...tiny, norm: "rms", positions: "rope", activation: "swiglu" };

  for (const [name, cfg] of [
    ["GPT-2 style (learned positions)", tiny],
    ["LLaMA style (RoPE)", llamaTiny],
  ] as const) {
    it(`${name}: a left-padded row computes what it computes alone, prefill and cached steps`, () => {
      const m = new GPT(cfg, 2);
      const prompts = [[1, 2, 3, 4, 5], [4], [5, 6, 7], [8, 9]];
      const longest = 5;
      const before = tf.memory().numTensors;
      const cache: KVCache = { layers: [], length: 0, padding: prompts.map((p) => longest - p.length) };
      const padded = prompts.map((p) => [...new Array<number>(longest - p.length).fill(0), ...p]);
      let batch = lastRows(m.forwardCached(padded, cache));
      const alone = prompts.map((): KVCache => ({ layers: [], length: 0 }));
      let single = prompts.map((p, i) => lastRows(m.forwardCached([p], alone[i]))[0]);
      prompts.forEach((_, i) => assert.ok(maxDiff(batch[i], single[i]) < 1e-5, `prefill row ${i}`));
      // Two cached steps, a different token per row.
      for (const step of [
        [3, 7, 1, 10],
        [2, 2, 11, 0],
      ]) {
        batch = lastRows(
          m.forwardCached(
            step.map((t) => [t]),
            cache,
          ),
        );
        single = step.map((t, i) => lastRows(m.forwardCached([[t]], alone[i]))[0]);
        prompts.forEach((_, i) => assert.ok(maxDiff(batch[i], single[i]) < 1e-5, `step row ${i}`));
      }
      // Without the mask the short rows would see their pads: the check has power.
      const unmasked: KVCache = { layers: [], length: 0 };
      const wrong = lastRows(m.forwardCached(padded, unmasked));
      assert.ok(maxDiff(wrong[1], lastRows(m.forward([prompts[1]]))[0]) > 1e-3);
      [cache, unmasked, ...alone].forEach(disposeCache);
      assert.equal(tf.memory().numTensors, before);
      assert.throws(
        () => m.forwardCached([[1, 2]], { layers: [], length: 0, padding: [2] }),
        /padding\[0\] = 2 must be an integer in \[0, 2\)/,
      );
      m.dispose();
    });
  }

  it("batched generation of prompts of different lengths equals one-by-one generation, row by row", () => {
    for (const cfg of [tiny, llamaTiny]) {
      const m = new GPT(cfg, 2);
      const prompts = [[1, 2, 3], [4], [5, 6, 7, 1, 2, 3], [8, 9]];
      for (const o of [
        { temperature: 0.8 },
        { temperature: 0 },
        { temperature: 1, topK: 5, repetitionPenalty: 1.3 },
      ]) {
        const before = tf.memory().numTensors;
        const batched = inf.generateBatch(m, prompts, { ...o, maxNewTokens: 8, seed: 3 });
        assert.equal(tf.memory().numTensors, before);
        prompts.forEach((p, i) => {
          const one = inf.generateBatch(m, [p], { ...o, maxNewTokens: 8, seed: 3 + i });
          assert.deepEqual(batched[i], one[0], `${JSON.stringify(o)} row ${i}`);
        });
      }
      // Greedy with the cache equals model.generate without it.
      const g = inf.generateBatch(m, [[1, 2, 3]], { maxNewTokens: 6, temperature: 0 });
      assert.deepEqual(g[0], generate(m, [1, 2, 3], { maxNewTokens: 6, temperature: 0, useCache: false }));
      assert.throws(
        () => inf.generateBatch(m, [new Array(30).fill(1)], { maxNewTokens: 5 }),
        /contextLength 32/,
      );
      m.dispose();
    }
  });
});

describe("infer: samplers draw from exactly their target distribution", () => {
  const logits = [2.0, 1.5, 1.0, 0.2, -0.5, -1.0, 0.7, 1.2];
  const history = [0, 0, 2, 6];
  const cases: Array<[string, inf.SamplerOptions]> = [
    ["temperature 0.7", { temperature: 0.7 }],
    ["top-k 3", { topK: 3 }],
    ["top-p 0.8", { topP: 0.8 }],
    ["min-p 0.3", { minP: 0.3 }],
    ["repetition 1.5", { repetitionPenalty: 1.5 }],
    ["frequency 0.5 + presence 0.3", { frequencyPenalty: 0.5, presencePenalty: 0.3 }],
  ];
  for (const [name, o] of cases) {
    it(name, () => {
      const p = inf.samplerDistribution(logits, o, history);
      const counts = draw(p, 20000, 7, (rng) => inf.sample(logits, rng, o, history));
      const { pValue } = inf.chiSquareTest(counts, p);
      assert.ok(pValue > 0.001, `${name}: chi-square p = ${pValue}`);
    });
  }
  it("targets agree with hand values; infer's sampler is model's (one implementation)", () => {
    assert.equal(inf.samplerDistribution, samplerDistribution);
    assert.equal(inf.sample, sample);
    const z = [Math.log(0.5), Math.log(0.3), Math.log(0.15), Math.log(0.05)];
    assert.deepEqual([...inf.samplerDistribution(z, { temperature: 0 })], [1, 0, 0, 0]);
    // top-p 0.7: 0.5 + 0.3 crosses 0.7 → keep two, renormalise to 0.625, 0.375.
    const tp = inf.topPFilter([0.5, 0.3, 0.15, 0.05], 0.7);
    assert.ok(Math.abs(tp[0] - 0.625) < 1e-12 && Math.abs(tp[1] - 0.375) < 1e-12 && tp[2] === 0);
    // min-p 0.4: threshold 0.2 keeps 0.5, 0.3.
    assert.ok(Math.abs(inf.minPFilter([0.5, 0.3, 0.15, 0.05], 0.4)[1] - 0.375) < 1e-12);
    // Repetition 2 on logits [2, −2]: 1 and −4.
    assert.deepEqual([...inf.applyPenalties([2, -2, 0], [0, 1], { repetitionPenalty: 2 })], [1, -4, 0]);
    // top-k 2 then top-p 0.7 on [0.5, 0.3, 0.15, 0.05]: top-2 renormalised is [0.625, 0.375]; 0.625 < 0.7, so
    // both stay. top-k 3 → [0.5, 0.3, 0.15]/0.95; top-p 0.5 then keeps 0.5/0.95 = 0.526 ≥ 0.5 alone.
    const kp = inf.samplerDistribution(z, { topK: 2, topP: 0.7 });
    assert.ok(Math.abs(kp[0] - 0.625) < 1e-12 && Math.abs(kp[1] - 0.375) < 1e-12 && kp[2] === 0);
    assert.deepEqual([...inf.samplerDistribution(z, { topK: 3, topP: 0.5 })], [1, 0, 0, 0]);
    assert.throws(() => inf.samplerDistribution(logits, { minP: 2 }), /minP must be in \[0, 1\]/);
    // The test has power: a wrong temperature is rejected.
    const wrong = inf.samplerDistribution(logits, { temperature: 0.8 });
    const counts = draw(wrong, 20000, 7, (rng) => inf.sample(logits, rng, { temperature: 0.7 }));
    assert.ok(inf.chiSquareTest(counts, wrong).pValue < 1e-6);
  });
});

describe("infer: quantization", () => {
  const rng = new Rng(5);
  const w = Float32Array.from({ length: 64 * 48 }, () => rng.normal(0, 0.05));
  it("absmax int8 errors are at most half a step; per channel is no worse", () => {
    const { q, scale } = inf.quantizeAbsmaxInt8([0.5, -1.27, 0.01, 0]);
    assert.deepEqual([...q], [50, -127, 1, 0]);
    assert.ok(Math.abs(scale - 0.01) < 1e-12);
    const t = inf.quantizeAbsmaxInt8(w);
    const d = inf.dequantizeAbsmaxInt8(t.q, t.scale);
    w.forEach((v, i) => assert.ok(Math.abs(v - d[i]) <= t.scale / 2 + 1e-7));
    const c = inf.quantizeInt8PerChannel(w, 64, 48);
    let e1 = 0;
    let e2 = 0;
    w.forEach((v, i) => {
      e1 += (v - d[i]) ** 2;
      e2 += (v - c.q[i] * c.scales[i % 48]) ** 2;
    });
    assert.ok(e2 <= e1);
  });
  it("group-wise int4 packs two codes per byte and errors are at most half a step", () => {
    const g = inf.quantizeGroupwise([0, 1.5, -1.5, 0.1], 4, 4);
    // range [−1.5, 1.5]: scale 0.2, zero round(7.5) = 8; codes 8, 16→15 (clamped), 1, 9 (round(0.5)=1 → 9).
    assert.ok(Math.abs(g.scales[0] - 0.2) < 1e-7);
    assert.equal(g.zeros[0], 8);
    assert.deepEqual([...g.packed], [8 | (15 << 4), 1 | (9 << 4)]);
    const big = inf.quantizeGroupwise(w, 32);
    assert.equal(big.packed.length, w.length / 2);
    const d = inf.dequantizeGroupwise(big);
    for (let i = 0; i < w.length; i++) {
      const s = big.scales[Math.floor(i / 32)];
      // The clamped top code can be off by up to one step; everything else by half.
      assert.ok(Math.abs(w[i] - d[i]) <= s + 1e-6);
    }
    assert.throws(() => inf.quantizeGroupwise(w, 100), /group size 100 does not divide/);
  });
  it("codes of 2, 3 and 4 bits pack into a bit stream of ⌈n·bits/8⌉ bytes and unpack to the same codes", () => {
    for (const bits of [2, 3, 4]) {
      const codes = Array.from({ length: 37 }, () => rng.int(2 ** bits));
      const packed = inf.packCodes(codes, bits);
      assert.equal(packed.length, Math.ceil((37 * bits) / 8));
      assert.deepEqual(
        codes.map((_, i) => inf.unpackCode(packed, i, bits)),
        codes,
        `${bits} bits`,
      );
    }
    // A second method: the bit stream written out as a binary string, low bit first.
    const codes = [5, 2, 7, 1, 6, 0, 3, 4, 6];
    const bitString = codes.map((c) => [0, 1, 2].map((b) => (c >> b) & 1).join("")).join("");
    const packed = inf.packCodes(codes, 3);
    const fromBytes = [...packed].map((b) => [...Array(8).keys()].map((k) => (b >> k) & 1).join("")).join("");
    assert.equal(fromBytes.slice(0, bitString.length), bitString);
    assert.equal(fromBytes.slice(bitString.length), "0".repeat(fromBytes.length - bitString.length));
    assert.equal(inf.quantizeGroupwise(w, 32, 3).packed.length, (w.length * 3) / 8);
    assert.equal(inf.quantizeGroupwise(w, 32, 2).packed.length, w.length / 4);
  });
  it("GPTQ has lower output error than round-to-nearest on correlated inputs", () => {
    const n = 256;
    const inDim = 64;
    const outDim = 48;
    const base = Float32Array.from({ length: n * 8 }, () => rng.normal());
    const x = new Float32Array(n * inDim);
    for (let r = 0; r < n; r++)
      for (let i = 0; i < inDim; i++) x[r * inDim + i] = base[r * 8 + (i % 8)] + 0.3 * rng.normal();
    const h = inf.gptqHessian(x, n, inDim);
    const err = (wq: Float32Array): number => {
      let s = 0;
      for (let r = 0; r < n; r++)
        for (let o = 0; o < outDim; o++) {
          let a = 0;
          for (let i = 0; i < inDim; i++) a += x[r * inDim + i] * (w[i * outDim + o] - wq[i * outDim + o]);
          s += a * a;
        }
      return s;
    };
    const asWeight = (g: inf.GroupQuantized): Float32Array =>
      inf.dequantizeWeight({ kind: "group", inDim, outDim, ...g });
    const rtn = asWeight(inf.quantizeGroupwise(inf.transpose(w, inDim, outDim), 32, 3));
    const gq = asWeight(inf.gptqQuantize(w, inDim, outDim, h, { bits: 3, groupSize: 32 }));
    assert.ok(err(gq) < 0.7 * err(rtn), `GPTQ ${err(gq)} vs RTN ${err(rtn)}`);
  });
  it("LLM.int8 keeps outlier features in float", () => {
    const n = 8;
    const x = Float32Array.from({ length: n * 64 }, (_, i) => (i % 64 === 5 ? 40 : rng.normal()));
    const { y, outliers } = inf.int8OutlierMatmul(x, n, 64, w, 48);
    assert.deepEqual(outliers, [5]);
    let maxErr = 0;
    for (let r = 0; r < n; r++)
      for (let o = 0; o < 48; o++) {
        let a = 0;
        for (let i = 0; i < 64; i++) a += x[r * 64 + i] * w[i * 48 + o];
        maxErr = Math.max(maxErr, Math.abs(a - y[r * 48 + o]));
      }
    assert.ok(maxErr < 0.02, `max error ${maxErr}`);
  });
  it("the quantized model shrinks, stays close, saves and loads, and the fused kernel agrees", () => {
    const m = new GPT({ ...tiny, dModel: 64, dMlp: 128 }, 4);
    const ids = [[1, 2, 3, 4, 5, 6, 7, 8]];
    const ref = m.forward(ids);
    for (const s of [
      { kind: "int8-channel" },
      { kind: "rtn", bits: 4, groupSize: 32 },
      { kind: "gptq", bits: 4, groupSize: 32 },
      { kind: "gptq", bits: 3, groupSize: 32 },
    ] as inf.QuantScheme[]) {
      const q = inf.quantizeModel(m, s, [[1, 3, 5, 7, 9, 11, 2, 4, 6, 8, 10, 0]]);
      assert.ok(q.bytes() < 0.5 * inf.floatBytes(m), `${inf.schemeName(s)} bytes`);
      const before = tf.memory().numTensors;
      const out = q.forward(ids);
      assert.equal(tf.memory().numTensors, before + 1);
      const diff = tf.max(tf.abs(tf.sub(out, ref))).dataSync()[0];
      assert.ok(diff < 0.1, `${inf.schemeName(s)}: max logit difference ${diff}`);
      // Decoding rows (≤ FUSED_MAX_ROWS) go through the fused kernel, longer inputs through dequantize + matMul:
      // the same logits to float rounding.
      assert.equal(ids[0].length, inf.FUSED_MAX_ROWS);
      const twice = q.forward([ids[0], ids[0]]); // 16 rows: the dequantize path
      const d2 = tf.tidy(
        () => tf.max(tf.abs(tf.sub(tf.slice(twice, [0, 0, 0], [1, -1, -1]), out))).dataSync()[0],
      );
      assert.ok(d2 < 1e-4, `${inf.schemeName(s)}: fused vs dequantized forward differ by ${d2}`);
      twice.dispose();
      const back = inf.decodeQuantized(inf.encodeQuantized(q));
      const out2 = back.forward(ids);
      assert.deepEqual([...out2.dataSync()], [...out.dataSync()]);
      // Fused kernel vs dequantize-then-multiply.
      const [name, qw] = [...q.quantized][0];
      void name;
      const x = Float32Array.from({ length: 2 * qw.inDim }, () => rng.normal());
      const fused = inf.fusedMatmul(x, 2, qw);
      const plain = tf.matMul(
        tf.tensor2d(x, [2, qw.inDim]),
        tf.tensor2d(inf.dequantizeWeight(qw), [qw.inDim, qw.outDim]),
      );
      const pd = plain.dataSync();
      fused.forEach((v, i) => assert.ok(Math.abs(v - pd[i]) < 1e-4));
      tf.dispose([out, out2, plain]);
      q.dispose();
      back.dispose();
    }
    assert.throws(
      () => inf.quantizeModel(m, { kind: "rtn", bits: 4, groupSize: 48 }),
      /does not divide the input width 64/,
    );
    ref.dispose();
    m.dispose();
  });
});

describe("infer: quantizing a mixture-of-experts model", () => {
  it("expert and router weights are quantized and read through the same hook", () => {
    const m = new GPT({ ...tiny, moe: { experts: 4, topK: 2 } }, 1);
    const q = inf.quantizeModel(m, { kind: "int8-channel" });
    assert.ok([...q.quantized.keys()].some((n) => n.includes(".moe.")));
    const ids = [[1, 2, 3, 4]];
    const a = m.forward(ids);
    const b = q.forward(ids);
    const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
    assert.ok(diff < 0.05, `int8 MoE logits differ by ${diff}`);
    tf.dispose([a, b]);
    q.dispose();
    m.dispose();
  });
});

describe("infer: speculative decoding", () => {
  it("the accept/reject step gives exactly p when proposals come from q", () => {
    const p = [0.5, 0.2, 0.2, 0.1];
    const q = [0.1, 0.6, 0.1, 0.2];
    const counts = draw(
      p,
      20000,
      11,
      (rng) => inf.speculativeStep(p, q, rng.categorical(q), rng.next(), rng.next()).token,
    );
    assert.ok(inf.chiSquareTest(counts, p).pValue > 0.001);
    assert.equal(inf.expectedTokensPerStep(0.5, 3), 1.875);
  });
  it("greedy speculative output equals the target's greedy output; sampled first tokens follow the target", () => {
    const target = new GPT(tiny, 21);
    const draft = new GPT({ ...tiny, nLayers: 1 }, 22);
    const prompt = [3, 1, 4];
    const r = inf.speculativeGenerate(target, draft, prompt, { gamma: 3, maxNewTokens: 10, temperature: 0 });
    assert.deepEqual(r.tokens, generate(target, prompt, { maxNewTokens: 10, temperature: 0 }));
    assert.ok(r.targetForwards <= 10 && r.accepted <= r.proposed);
    // Second token's distribution (after the first drafted one) against the target's exact marginal.
    const logits = target.forward([prompt]);
    const z = logits.dataSync().slice(2 * 12, 3 * 12);
    logits.dispose();
    const p = inf.samplerDistribution(z);
    const counts = new Array(12).fill(0);
    for (let s = 0; s < 600; s++)
      counts[
        inf.speculativeGenerate(target, draft, prompt, { gamma: 2, maxNewTokens: 1, seed: s }).tokens[0]
      ]++;
    assert.ok(inf.chiSquareTest(counts, p).pValue > 0.001);
    assert.throws(
      () =>
        inf.speculativeGenerate(target, new GPT({ ...tiny, vocabSize: 13 }), prompt, {
          gamma: 2,
          maxNewTokens: 2,
        }),
      /vocabulary \(13\)/,
    );
    target.dispose();
    draft.dispose();
  });
});
