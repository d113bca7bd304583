/**
 * The mixture-of-experts option of the GPT (src/model/moe.ts): config errors, parameter and FLOP counts,
 * one MoE layer against an independent NumPy implementation (GShard's dense dispatch/combine formulation,
 * test/fixtures/moe), a second method (E identical experts with normalised gates = the dense MLP), training on
 * the active backend (WASM in CI) with the auxiliary losses, checkpoints, and cached generation.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { initBackend } from "../../src/backend";
import {
  ConfigError,
  GPT,
  GPTConfig,
  KVCache,
  MoELayerStats,
  disposeCache,
  disposeMoEStats,
  expertCapacity,
  flopsBreakdown,
  moeBlock,
  paramCount,
  paramCounts,
  parameterShapes,
  resolveConfig,
  GPT2_STYLE,
} from "../../src/model";
import { Rng } from "../../src/random";
import {
  AdamW,
  StepInfo,
  TokenBatcher,
  loadCheckpoint,
  microBatchGradients,
  saveCheckpoint,
  trainLoop,
  trainStep,
} from "../../src/train";
import { fromFlat, loadMoEFixture, near } from "../fixtures/moe/fixture";

const dense: GPTConfig = {
  vocabSize: 13,
  contextLength: 8,
  dModel: 8,
  nLayers: 2,
  nHeads: 2,
  dMlp: 16,
  ...GPT2_STYLE,
};
const moe: GPTConfig = { ...dense, moe: { experts: 4, topK: 2, dExpert: 8 } };

function fieldOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`);
    return err.field;
  }
  throw new Error("expected a ConfigError");
}

function ids(rng: Rng, b: number, t: number, v: number): tf.Tensor2D {
  return tf.tensor2d(
    Array.from({ length: b }, () => Array.from({ length: t }, () => rng.int(v))),
    undefined,
    "int32",
  );
}

before(async () => {
  await initBackend({ quiet: true });
});

describe("model/moe: config and counts", () => {
  it("fills in the papers' defaults", () => {
    const c = resolveConfig({ ...dense, moe: { experts: 8, topK: 2 } });
    assert.deepEqual(c.moe, {
      experts: 8,
      topK: 2,
      dExpert: 16,
      router: "topk-softmax",
      capacityFactor: 1.25,
      balanceCoef: 0.01,
      zLossCoef: 1e-3,
      layers: [0, 1],
    });
    assert.equal(resolveConfig(dense).moe, undefined);
  });

  it("names the bad field", () => {
    const bad = (m: object): string => fieldOf(() => resolveConfig({ ...dense, moe: m as never }));
    assert.equal(bad({ experts: 1, topK: 1 }), "moe.experts");
    assert.equal(bad({ experts: 4, topK: 5 }), "moe.topK");
    assert.equal(bad({ experts: 4, topK: 0 }), "moe.topK");
    assert.equal(bad({ experts: 4, topK: 2, dExpert: 2.5 }), "moe.dExpert");
    assert.equal(bad({ experts: 4, topK: 2, router: "sparsemax" }), "moe.router");
    assert.equal(bad({ experts: 4, topK: 2, capacityFactor: 0 }), "moe.capacityFactor");
    assert.equal(bad({ experts: 4, topK: 2, capacityFactor: Infinity }), "moe.capacityFactor");
    assert.equal(bad({ experts: 4, topK: 2, balanceCoef: -1 }), "moe.balanceCoef");
    assert.equal(bad({ experts: 4, topK: 2, zLossCoef: NaN }), "moe.zLossCoef");
    assert.equal(bad({ experts: 4, topK: 2, layers: [2] }), "moe.layers");
    assert.equal(bad({ experts: 4, topK: 2, layers: [0, 0] }), "moe.layers");
    assert.equal(bad({ experts: 4, topK: 2, layers: [] }), "moe.layers");
    assert.match(
      (() => {
        try {
          resolveConfig({ ...dense, moe: { experts: 4, topK: 9 } });
        } catch (e) {
          return String(e);
        }
        return "";
      })(),
      /moe\.topK.*\[1, 4\].*got 9/,
    );
  });

  it("counts total and active parameters by hand", () => {
    // d 8, dExpert 8, GELU, biases: one expert = 8·8 + 8 + 8·8 + 8 = 144; router 8·4 = 32 per block.
    // The dense MLP (16 wide) has 8·16 + 16 + 16·8 + 8 = 280 per block; everything else is shared.
    const shared = paramCount(dense) - 2 * 280;
    const pc = paramCounts(moe);
    assert.equal(pc.total, shared + 2 * (32 + 4 * 144));
    assert.equal(pc.active, shared + 2 * (32 + 2 * 144));
    assert.equal(
      pc.total,
      parameterShapes(moe).reduce((s, [, sh]) => s + sh.reduce((a, b) => a * b, 1), 0),
    );
    assert.deepEqual(paramCounts(dense), { total: paramCount(dense), active: paramCount(dense) });
    // Only block 1 is MoE: one block's worth of difference.
    const one = paramCounts({ ...moe, moe: { experts: 4, topK: 2, dExpert: 8, layers: [1] } });
    assert.equal(one.total, paramCount(dense) - 280 + 32 + 4 * 144);
  });

  it("counts active FLOPs: k experts of width m/k cost the dense MLP's FLOPs plus the router", () => {
    const fd = flopsBreakdown(dense);
    const fm = flopsBreakdown(moe);
    // Per block: 2 experts of 144 = 288 vs the dense 280 (one bias of 8 more), plus the router 32.
    assert.equal(fm.matmulParams - fd.matmulParams, 2 * (288 - 280 + 32));
    assert.equal(fm.attention, fd.attention);
  });

  it("names the parameters like the dense model, with the MLP replaced", () => {
    const names = parameterShapes(moe).map(([n]) => n);
    assert.ok(names.includes("h.0.moe.gate.weight"));
    assert.ok(names.includes("h.1.moe.experts.3.c_proj.bias"));
    assert.ok(!names.some((n) => n.includes(".mlp.")));
  });

  it("computes the capacity as ceil(factor · k · N / E)", () => {
    const c = resolveConfig(moe).moe!;
    assert.equal(expertCapacity(c, 10), Math.ceil((1.25 * 2 * 10) / 4));
    assert.equal(expertCapacity({ ...c, capacityFactor: null }, 10), Infinity);
  });
});

describe("model/moe: the layer", () => {
  const fx = loadMoEFixture().layer;
  for (const order of ["softmax-topk", "topk-softmax"] as const) {
    it(`matches a NumPy MoE layer with dense dispatch/combine matrices (${order}, capacity ${fx.capacity})`, () => {
      const cfg = resolveConfig({
        ...dense,
        dModel: 6,
        nHeads: 2,
        moe: {
          experts: fx.experts,
          topK: fx.topK,
          dExpert: fx.dExpert,
          capacityFactor: fx.capacityFactor,
          router: order,
        },
      });
      const params = new Map(Object.entries(fx.params).map(([k, v]) => [`h.0.moe.${k}`, fromFlat(v)]));
      const stats: MoELayerStats[] = [];
      const x = fromFlat(fx.x) as tf.Tensor2D;
      const y = moeBlock(x, (n) => params.get(n), cfg, { layer: 0, stats });
      const want = fx.orders[order];
      near(y.dataSync(), want.y.data, 1e-5, `${order}: y`);
      const s = stats[0];
      assert.deepEqual(s.experts, want.experts);
      assert.equal(s.capacity, fx.capacity);
      assert.equal(s.dropped, want.dropped);
      assert.ok(want.dropped > 0, "the fixture should exercise dropping");
      assert.equal(s.droppedTokens, want.droppedTokens);
      assert.deepEqual(
        s.kept.reduce((a, b) => a + b, 0),
        10 * fx.topK - want.dropped,
      );
      near([s.balanceLoss.dataSync()[0]], [want.balance], 1e-5, "balance");
      near([s.zLoss.dataSync()[0]], [want.zloss], 1e-5, "z-loss");
      disposeMoEStats(stats);
      tf.dispose([x, y, ...params.values()]);
    });
  }

  it("equals the dense model when all E experts are the dense MLP and the gates sum to 1", () => {
    // topk-softmax gates sum to 1, so Σ gate · MLP(x) = MLP(x): a second method for the whole forward pass.
    const cfg: GPTConfig = { ...dense, moe: { experts: 3, topK: 2, dExpert: 16, capacityFactor: null } };
    const d = new GPT(dense, 3);
    const m = new GPT(cfg, 4);
    const values = new Map<string, tf.Tensor>();
    for (const [name] of m.params) {
      const mm = /^h\.(\d+)\.moe\.experts\.\d+\.(.*)$/.exec(name);
      if (mm) values.set(name, d.param(`h.${mm[1]}.mlp.${mm[2]}`));
      else if (!name.includes(".moe.gate.")) values.set(name, d.param(name));
      else values.set(name, m.param(name).clone());
    }
    m.setParams(values);
    const x = ids(new Rng(1), 2, 8, 13);
    const a = d.forward(x);
    const b = m.forward(x);
    near(b.dataSync(), a.dataSync(), 1e-5, "MoE of identical experts vs dense");
    tf.dispose([x, a, b]);
    d.dispose();
    m.dispose();
  });
});

describe("model/moe: training and saving", () => {
  it("trains on this backend: every parameter gets a gradient, aux losses are reported, no tensor leaks", () => {
    const model = new GPT(moe, 0);
    const opt = new AdamW(model.params, { weightDecay: 0 });
    const rng = new Rng(5);
    const data = new TokenBatcher(
      Array.from({ length: 400 }, (_, i) => (i * 7) % 13),
      4,
      8,
    );
    const batch = data.sample(rng);
    const g = microBatchGradients(model, batch);
    assert.ok(g.moe, "a MoE model reports its auxiliary losses");
    assert.ok(g.moe.balance >= 1 - 1e-6 && g.moe.balance < 4, `balance ${g.moe.balance}`);
    assert.ok(g.moe.z > 0);
    const names = [...model.params.keys()];
    const norm = (i: number): number => tf.tidy(() => tf.norm(g.grads[i]).dataSync()[0]);
    const router = names.indexOf("h.0.moe.gate.weight");
    assert.ok(norm(router) > 0, "the router learns through the gates and the aux losses");
    g.grads.forEach((t, i) => assert.deepEqual(t.shape, model.param(names[i]).shape));
    tf.dispose(g.grads);
    const before = tf.memory().numTensors;
    const losses: number[] = [];
    for (let s = 0; s < 12; s++) losses.push(trainStep(model, opt, [batch], 1e-2).loss);
    assert.equal(tf.memory().numTensors, before, "tensors leaked across steps");
    assert.ok(
      losses[11] < losses[0] - 0.3,
      `loss should fall on one repeated batch: ${losses[0]} → ${losses[11]}`,
    );
    tf.dispose([batch.x, batch.y]);
    model.dispose();
  });

  it("gives a zero gradient to an expert no token chose", () => {
    // A zero router gives equal logits; ties go to the lower index, so with top-1 every token picks expert 0.
    const cfg: GPTConfig = { ...dense, moe: { experts: 3, topK: 1, layers: [0] } };
    const model = new GPT(cfg, 0);
    const gate = model.param("h.0.moe.gate.weight");
    const zero = tf.zerosLike(gate);
    gate.assign(zero);
    zero.dispose();
    const rng = new Rng(1);
    const batch = { x: ids(rng, 2, 8, 13), y: ids(rng, 2, 8, 13) };
    const g = microBatchGradients(model, batch);
    const names = [...model.params.keys()];
    const at = (n: string): number => tf.tidy(() => tf.norm(g.grads[names.indexOf(n)]).dataSync()[0]);
    assert.equal(at("h.0.moe.experts.2.c_fc.weight"), 0);
    assert.ok(at("h.0.moe.experts.0.c_fc.weight") > 0);
    assert.equal(
      g.moe!.droppedFraction > 0,
      true,
      "16 tokens into capacity ceil(1.25·16/3) = 7: most dropped",
    );
    tf.dispose([...g.grads, batch.x, batch.y]);
    model.dispose();
  });

  it("reports the aux losses through trainLoop's onStep", async () => {
    const model = new GPT(moe, 1);
    const infos: StepInfo[] = [];
    await trainLoop({
      model,
      optimizer: new AdamW(model.params),
      schedule: () => 1e-3,
      train: new TokenBatcher(
        Array.from({ length: 300 }, (_, i) => i % 13),
        2,
        8,
      ),
      steps: 2,
      rng: new Rng(0),
      onStep: (i) => {
        infos.push(i);
      },
      yieldToEventLoop: false,
    });
    assert.equal(infos.length, 2);
    assert.ok(infos.every((i) => i.moe && Number.isFinite(i.moe.balance) && Number.isFinite(i.moe.z)));
    model.dispose();
  });

  it("saves and loads like the dense model (every expert by name)", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "moe-ckpt-"));
    try {
      const model = new GPT(moe, 2);
      const p = saveCheckpoint(dir, model, new AdamW(model.params), new Rng(0));
      const data = loadCheckpoint(p);
      const again = new GPT(data.config, 99);
      again.setParams(data.params);
      const x = ids(new Rng(2), 1, 8, 13);
      const [a, b] = [model.forward(x), again.forward(x)];
      assert.deepEqual(b.dataSync(), a.dataSync());
      assert.deepEqual(again.config, model.config);
      tf.dispose([x, a, b, ...data.params.values()]);
      model.dispose();
      again.dispose();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("generates with a KV cache, never dropping: the cached logits match a full forward without a limit", () => {
    const noLimit = new GPT({ ...moe, moe: { ...moe.moe!, capacityFactor: null } }, 3);
    const x = ids(new Rng(3), 3, 6, 13);
    const full = noLimit.forward(x);
    const cache: KVCache = { layers: [], length: 0 };
    const parts = [0, 1, 2, 3, 4, 5].map((t) =>
      noLimit.forwardCached(tf.slice(x, [0, t], [3, 1]) as tf.Tensor2D, cache),
    );
    const cached = tf.concat(parts, 1);
    near(cached.dataSync(), full.dataSync(), 1e-5, "cached vs full");
    tf.dispose([x, full, cached, ...parts]);
    disposeCache(cache);
    noLimit.dispose();
  });
});
