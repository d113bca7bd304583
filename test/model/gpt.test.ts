import { strict as assert } from "node:assert";
import * as tf from "@tensorflow/tfjs-core";
import { initBackend } from "../../src/backend";
import { Rng } from "../../src/random";
import {
  GPT,
  GPTConfig,
  KVCache,
  disposeCache,
  generate,
  paramCount,
  sample,
  samplerDistribution,
  GPT2_STYLE,
} from "../../src/model";

const base: GPTConfig = {
  vocabSize: 11,
  contextLength: 8,
  dModel: 8,
  nLayers: 2,
  nHeads: 2,
  dMlp: 16,
  ...GPT2_STYLE,
};
const llama: GPTConfig = {
  ...base,
  norm: "rms",
  positions: "rope",
  activation: "swiglu",
  tiedEmbeddings: false,
  bias: false,
};
const variants: Array<[string, GPTConfig]> = [
  ["GPT-2 style", base],
  ["LLaMA style", llama],
];

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe("model/gpt", () => {
  before(async () => {
    await initBackend({ quiet: true });
  });

  for (const [label, cfg] of variants) {
    describe(label, () => {
      let model: GPT;
      before(() => {
        model = new GPT(cfg, 7);
      });
      after(() => model.dispose());

      it("maps [batch, time] ids to [batch, time, vocab] logits, with paramCount parameters", () => {
        const logits = model.forward([
          [1, 2, 3],
          [4, 5, 6],
        ]);
        assert.deepEqual(logits.shape, [2, 3, cfg.vocabSize]);
        assert.ok(Array.from(logits.dataSync()).every(Number.isFinite));
        logits.dispose();
        const n = model.variables().reduce((s, v) => s + v.size, 0);
        assert.equal(n, paramCount(cfg));
      });

      it("is causal: changing a later token leaves earlier logits unchanged", () => {
        const a = model.forward([[1, 2, 3, 4, 5]]);
        const b = model.forward([[1, 2, 3, 9, 0]]);
        const V = cfg.vocabSize;
        const da = a.dataSync(),
          db = b.dataSync();
        assert.ok(maxAbsDiff(da.slice(0, 3 * V), db.slice(0, 3 * V)) < 1e-6);
        assert.ok(maxAbsDiff(da.slice(3 * V), db.slice(3 * V)) > 1e-4);
        tf.dispose([a, b]);
      });

      it("the KV cache gives the same logits as a full forward", () => {
        const ids = [3, 1, 4, 1, 5, 9, 2];
        const full = model.forward([ids]).dataSync();
        const cache: KVCache = { layers: [], length: 0 };
        const parts: number[] = [];
        const chunks = [[3, 1, 4], [1], [5, 9], [2]];
        for (const c of chunks) {
          const l = model.forwardCached([c], cache);
          parts.push(...l.dataSync());
          l.dispose();
        }
        assert.equal(cache.length, 7);
        assert.ok(maxAbsDiff(parts, full) < 1e-5, `max diff ${maxAbsDiff(parts, full)}`);
        assert.throws(() => model.forwardCached([[1, 2]], cache), /exceeds contextLength=8/);
        disposeCache(cache);
      });

      it("generates the same tokens with and without the cache (same seed), past the context length", () => {
        for (const opts of [
          { temperature: 0 },
          { temperature: 1 },
          { temperature: 0.8, topK: 4 },
          { temperature: 1.2, topP: 0.9 },
        ]) {
          const a = generate(model, [1, 2], { ...opts, maxNewTokens: 12, seed: 3, useCache: true });
          const b = generate(model, [1, 2], { ...opts, maxNewTokens: 12, seed: 3, useCache: false });
          assert.equal(a.length, 12);
          assert.deepEqual(a, b, JSON.stringify(opts));
        }
      });

      it("gradients of the whole model match central finite differences", function () {
        this.timeout(120000);
        // A wider init (std 0.3) so a finite step is small next to the residual stream's scale (LayerNorm
        // divides by it); float32 central differences with eps 3e-3.
        const fdModel = new GPT({ ...cfg, initStd: 0.3 }, 5);
        const ids = tf.tensor2d([[1, 2, 3, 4]], [1, 4], "int32");
        const r = tf.randomNormal([1, 4, cfg.vocabSize], 0, 1, "float32", 11);
        const loss = (): tf.Scalar => tf.sum(tf.mul(fdModel.forward(ids), r)) as tf.Scalar;
        const { grads } = tf.variableGrads(loss, fdModel.variables());
        const rng = new Rng(1);
        const names = [...fdModel.params.keys()];
        const eps = 3e-3;
        let checked = 0;
        for (const name of names) {
          const v = fdModel.param(name);
          const g = grads[v.name].dataSync();
          // Two entries per parameter, one of them the largest-gradient entry.
          let big = 0;
          for (let i = 1; i < g.length; i++) if (Math.abs(g[i]) > Math.abs(g[big])) big = i;
          for (const idx of [big, rng.int(v.size)]) {
            const orig = v.dataSync().slice();
            const bump = (delta: number): number => {
              const w = orig.slice();
              w[idx] += delta;
              v.assign(tf.tensor(w, v.shape));
              return tf.tidy(() => loss().dataSync()[0]);
            };
            const fd = (bump(eps) - bump(-eps)) / (2 * eps);
            v.assign(tf.tensor(orig, v.shape));
            const tol = 1e-2 * Math.max(1, Math.abs(fd)) + 1e-2;
            assert.ok(
              Math.abs(fd - g[idx]) < tol,
              `${name}[${idx}]: autodiff ${g[idx]} vs finite difference ${fd}`,
            );
            checked++;
          }
        }
        assert.ok(checked >= 2 * names.length);
        tf.dispose([ids, r, ...Object.values(grads)]);
        fdModel.dispose();
      });
    });
  }

  it("initialises GPT-2 style from the seed: std 0.02, residual projections 0.02/√(2L), biases 0, gains 1", () => {
    const cfg: GPTConfig = { ...base, dModel: 64, nHeads: 4, dMlp: 256, nLayers: 8 };
    const m = new GPT(cfg, 1);
    const std = (name: string): number => {
      const d = m.param(name).dataSync();
      let s = 0;
      for (const x of d) s += x * x;
      return Math.sqrt(s / d.length);
    };
    assert.ok(Math.abs(std("h.0.mlp.c_fc.weight") - 0.02) < 0.001);
    assert.ok(Math.abs(std("h.3.mlp.c_proj.weight") - 0.02 / 4) < 0.0003);
    assert.ok(Math.abs(std("h.3.attn.c_proj.weight") - 0.02 / 4) < 0.0005);
    assert.equal(std("h.0.attn.c_attn.bias"), 0);
    assert.ok(Array.from(m.param("ln_f.weight").dataSync()).every((x) => x === 1));
    const again = new GPT(cfg, 1);
    const other = new GPT(cfg, 2);
    assert.deepEqual(again.param("wte.weight").dataSync(), m.param("wte.weight").dataSync());
    assert.notDeepEqual(other.param("wte.weight").dataSync(), m.param("wte.weight").dataSync());
    [m, again, other].forEach((x) => x.dispose());
  });

  it("rejects sequences longer than the context and ids outside the vocabulary", () => {
    const m = new GPT(base, 0);
    assert.throws(
      () => m.forward([[1, 2, 3, 4, 5, 6, 7, 8, 9]]),
      /sequence length 9 exceeds contextLength=8/,
    );
    assert.throws(() => m.forward([[1, 11]]), /token id 11 .* outside \[0, vocabSize=11\)/);
    assert.throws(() => m.forward([[1, -1]]), /token id -1/);
    m.dispose();
  });

  it("sampling: temperature, top-k and top-p keep the right tokens", () => {
    const logits = [Math.log(0.1), Math.log(0.4), Math.log(0.2), Math.log(0.3)];
    const all = samplerDistribution(logits);
    assert.ok(maxAbsDiff(all, [0.1, 0.4, 0.2, 0.3]) < 1e-12);
    assert.deepEqual(Array.from(samplerDistribution(logits, { temperature: 0 })), [0, 1, 0, 0]);
    const k2 = samplerDistribution(logits, { topK: 2 });
    assert.ok(maxAbsDiff(k2, [0, 4 / 7, 0, 3 / 7]) < 1e-12);
    // top-p 0.65: 0.4 + 0.3 = 0.7 ≥ 0.65 → keep {1, 3}; top-p 0.75 adds 0.2.
    assert.ok(maxAbsDiff(samplerDistribution(logits, { topP: 0.65 }), [0, 4 / 7, 0, 3 / 7]) < 1e-12);
    assert.ok(maxAbsDiff(samplerDistribution(logits, { topP: 0.75 }), [0, 4 / 9, 2 / 9, 3 / 9]) < 1e-12);
    // temperature 2 → p ∝ √p
    const t2 = samplerDistribution(logits, { temperature: 2 });
    const s = [0.1, 0.4, 0.2, 0.3].map(Math.sqrt);
    const z = s.reduce((a, b) => a + b);
    assert.ok(
      maxAbsDiff(
        t2,
        s.map((x) => x / z),
      ) < 1e-12,
    );
    // Seeded draws follow the distribution (20 000 draws, 4σ bounds) and repeat with the seed.
    const rng = new Rng(5);
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 20000; i++) counts[sample(logits, rng)]++;
    [0.1, 0.4, 0.2, 0.3].forEach((p, i) =>
      assert.ok(Math.abs(counts[i] / 20000 - p) < 4 * Math.sqrt((p * (1 - p)) / 20000)),
    );
    assert.throws(() => samplerDistribution(logits, { topP: 0 }), /topP/);
    assert.throws(() => samplerDistribution(logits, { temperature: -1 }), /temperature/);
  });
});
