import { strict as assert } from "node:assert";
import * as tf from "@tensorflow/tfjs-core";
import { initBackend } from "../../src/backend";
import { AdamW, clipByGlobalNorm, crossEntropy, perplexity, warmupCosine } from "../../src/train";
import { allClose as close } from "../fixtures/close";

/** Cross-entropy in float64 JS: mean over kept rows of −Σ w·log softmax. */
function refCE(logits: number[][], targets: number[], eps = 0, ignore = -100): number {
  let s = 0;
  let n = 0;
  logits.forEach((z, i) => {
    if (targets[i] === ignore) return;
    const m = Math.max(...z);
    const lse = m + Math.log(z.reduce((a, x) => a + Math.exp(x - m), 0));
    const V = z.length;
    z.forEach((x, v) => {
      const w = (v === targets[i] ? 1 - eps : 0) + eps / V;
      s -= w * (x - lse);
    });
    n++;
  });
  return s / n;
}

describe("train/loss", () => {
  before(async () => {
    await initBackend({ quiet: true });
  });

  it("matches a float64 reference, is stable for huge logits, ignores masked targets, smooths labels", () => {
    const z = [
      [2, 1, 0.5, -1],
      [1000, 999, -1000, 0],
      [0.1, 0.2, 0.3, 0.4],
    ];
    const t = [0, 1, 3];
    const L = tf.tensor2d(z);
    close([crossEntropy(L, t).dataSync()[0]], [refCE(z, t)], 1e-6, "plain");
    // Hand value for row 1 alone: logsumexp − 999 = 1 + log(1 + e^{-1}) = 1.3132617 (no overflow)
    close([crossEntropy(tf.tensor2d([z[1]]), [1]).dataSync()[0]], [1.3132617], 1e-6, "huge logits");
    close([crossEntropy(L, [0, -100, 3]).dataSync()[0]], [refCE(z, [0, -100, 3])], 1e-6, "ignore");
    close(
      [crossEntropy(L, [0, 7, 3], { ignoreIndex: 7 }).dataSync()[0]],
      [refCE(z, [0, 7, 3], 0, 7)],
      1e-6,
      "custom ignore",
    );
    close([crossEntropy(L, t, { labelSmoothing: 0.1 }).dataSync()[0]], [refCE(z, t, 0.1)], 1e-6, "smoothing");
    assert.ok(Number.isNaN(crossEntropy(L, [-100, -100, -100]).dataSync()[0]));
    assert.throws(() => crossEntropy(L, [0, 4, 1]), /target 4 at position 1 is outside \[0, 4\)/);
    assert.throws(() => crossEntropy(L, [0, 1]), /3 positions .* 2 targets/);
    // Uniform logits: loss log V, perplexity V.
    assert.ok(Math.abs(perplexity(crossEntropy(tf.zeros([5, 8]), [1, 2, 3, 4, 5]).dataSync()[0]) - 8) < 1e-4);
    L.dispose();
  });

  it("its gradient matches central finite differences (3-D logits, ignore index, smoothing)", () => {
    const z = tf.randomNormal([2, 3, 5], 0, 2, "float32", 3);
    const t = tf.tensor2d(
      [
        [1, 4, -100],
        [0, 0, 2],
      ],
      [2, 3],
      "int32",
    );
    const opts = { labelSmoothing: 0.2 };
    const [g] = tf.grads((x) => crossEntropy(x, t, opts))([z]);
    const zv = Array.from(z.dataSync());
    const rows = (v: number[]) => Array.from({ length: 6 }, (_, i) => v.slice(i * 5, i * 5 + 5));
    const tv = Array.from(t.dataSync());
    const h = 1e-5;
    const fd = zv.map((_, i) => {
      const p = zv.slice(),
        m = zv.slice();
      p[i] += h;
      m[i] -= h;
      return (refCE(rows(p), tv, 0.2) - refCE(rows(m), tv, 0.2)) / (2 * h);
    });
    close(g.dataSync(), fd, 1e-4, "grad");
    // Ignored row gets zero gradient.
    assert.ok(Array.from(g.dataSync().slice(10, 15)).every((x) => x === 0));
    tf.dispose([z, t, g]);
  });
});

describe("train/adamw", () => {
  it("two steps equal a hand computation in JS, with decay only for the decay group", () => {
    const w0 = [0.5, -1, 2, 0.25];
    const b0 = [0.1, -0.2];
    const params = new Map<string, tf.Variable>([
      ["h.0.mlp.c_fc.weight", tf.variable(tf.tensor2d(w0, [2, 2]))],
      ["h.0.mlp.c_fc.bias", tf.variable(tf.tensor1d(b0))],
    ]);
    const opt = new AdamW(params, { beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0.1 });
    assert.ok(opt.decays("h.0.mlp.c_fc.weight"));
    assert.ok(!opt.decays("h.0.mlp.c_fc.bias"));
    const gradsW = [
      [0.1, -0.3, 0.5, 1.0],
      [0.2, 0.1, -0.4, 0.3],
    ];
    const gradsB = [
      [1, -1],
      [0.5, 0.5],
    ];
    const lrs = [0.01, 0.02];
    // Reference.
    const ref = (p0: number[], gs: number[][], decay: boolean): number[] => {
      const p = p0.slice(),
        m = p0.map(() => 0),
        v = p0.map(() => 0);
      gs.forEach((g, s) => {
        const t = s + 1,
          lr = lrs[s];
        for (let i = 0; i < p.length; i++) {
          if (decay) p[i] -= lr * 0.1 * p[i];
          m[i] = 0.9 * m[i] + 0.1 * g[i];
          v[i] = 0.99 * v[i] + 0.01 * g[i] * g[i];
          const mh = m[i] / (1 - 0.9 ** t),
            vh = v[i] / (1 - 0.99 ** t);
          p[i] -= (lr * mh) / (Math.sqrt(vh) + 1e-8);
        }
      });
      return p;
    };
    for (let s = 0; s < 2; s++) {
      const g = new Map<string, tf.Tensor>([
        ["h.0.mlp.c_fc.weight", tf.tensor2d(gradsW[s], [2, 2])],
        ["h.0.mlp.c_fc.bias", tf.tensor1d(gradsB[s])],
      ]);
      opt.apply(g, lrs[s]);
      tf.dispose([...g.values()]);
    }
    assert.equal(opt.step, 2);
    close(params.get("h.0.mlp.c_fc.weight")!.dataSync(), ref(w0, gradsW, true), 1e-6, "weight");
    close(params.get("h.0.mlp.c_fc.bias")!.dataSync(), ref(b0, gradsB, false), 1e-6, "bias");
    // First step moves each weight by ≈ lr (Adam's sign-like first step): sanity on the reference itself.
    assert.ok(Math.abs(ref([0], [[5]], false)[0] + 0.01) < 1e-8);
    // State round trip.
    const st = opt.getState();
    const opt2 = new AdamW(params, { beta1: 0.9, beta2: 0.99, weightDecay: 0.1 });
    opt2.setState(st);
    assert.equal(opt2.step, 2);
    close(
      opt2.getState().v.get("h.0.mlp.c_fc.bias")!.dataSync(),
      st.v.get("h.0.mlp.c_fc.bias")!.dataSync(),
      0,
    );
    assert.throws(() => opt.apply(new Map(), 0.1), /no gradient for "h.0.mlp.c_fc.weight"/);
    tf.dispose([...st.m.values(), ...st.v.values(), ...params.values()]);
    opt.dispose();
    opt2.dispose();
  });
});

describe("train/schedule and clipping", () => {
  it("warmup + cosine equals the formula at chosen steps", () => {
    const lr = warmupCosine({ maxLr: 1e-3, minLr: 1e-4, warmupSteps: 10, totalSteps: 110 });
    close([lr(0)], [1e-4], 1e-12, "first warmup step (1/10 of max)");
    close([lr(4)], [5e-4], 1e-12);
    close([lr(9)], [1e-3], 1e-12, "end of warmup");
    close([lr(10)], [1e-3], 1e-12, "start of cosine");
    close([lr(60)], [1e-4 + 0.5 * 9e-4], 1e-12, "half way: mean of max and min");
    close([lr(35)], [1e-4 + 0.5 * (1 + Math.cos(Math.PI / 4)) * 9e-4], 1e-12, "quarter");
    close([lr(110)], [1e-4], 1e-12);
    close([lr(500)], [1e-4], 1e-12);
    assert.throws(() => warmupCosine({ maxLr: 1, warmupSteps: 10, totalSteps: 10 }), /totalSteps/);
  });

  it("global-norm clipping scales all gradients together", () => {
    const g = [tf.tensor1d([3, 0]), tf.tensor2d([[0, 4]])];
    const { grads, norm } = clipByGlobalNorm(g, 1);
    assert.equal(norm, 5);
    const s = 1 / (5 + 1e-6);
    close(grads[0].dataSync(), [3 * s, 0], 1e-7);
    close(grads[1].dataSync(), [0, 4 * s], 1e-7);
    const same = clipByGlobalNorm(g, 10);
    close(same.grads[0].dataSync(), [3, 0], 0);
    tf.dispose([...g, ...grads, ...same.grads]);
  });
});
