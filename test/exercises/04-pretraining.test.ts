/**
 * Graded tasks of chapter 04: the library's training functions, as tensors. References: hand-computed values
 * (the arithmetic is in the comments), the closed-form gradient of cross-entropy, the formulas at chosen
 * steps, and PyTorch's values (test/fixtures/torch, made by make_fixtures.py: F.cross_entropy and its
 * gradient, torch.optim.AdamW, the LR schedulers, clip_grad_norm_). Tolerances: 1e-6 for float32 tensors
 * (relative to 1 + |expected|; also against torch's float64 results), 1e-12 for the float64 schedule.
 */
import * as assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import { loadChapter, task } from "./harness";
import { initBackend } from "../../src/backend";
import { Rng } from "../../src/random";
import {
  AdamWFixture,
  ClipFixture,
  CrossEntropyFixture,
  ScheduleFixture,
  closeTo,
  fromFlat,
  loadTorchFixture,
} from "../fixtures/torch/fixtures";
import { closeRel as close, allClose as closeAll } from "../fixtures/close";

const ch = loadChapter<typeof import("../../solutions/04-pretraining")>("04-pretraining");

/** Runs `f` and fails, naming `what`, if it leaves more than `kept` new tensors alive. */
function noLeaks<T>(what: string, kept: number, f: () => T): T {
  const before = tf.memory().numTensors;
  const out = f();
  const extra = tf.memory().numTensors - before - kept;
  assert.ok(
    extra <= 0,
    `${what} leaves ${extra} intermediate tensor(s) behind (wrap the work in tf.tidy): a training loop ` +
      "calling it every step would run out of memory",
  );
  return out;
}

/** The loss of one call as a number. */
function lossOf(
  logits: number[][],
  targets: number[],
  options?: Parameters<typeof ch.crossEntropy>[2],
): number {
  return tf.tidy(() => {
    const l = ch.crossEntropy(tf.tensor2d(logits), targets, options);
    assert.equal(l.rank, 0, `crossEntropy must return a scalar (rank 0), got shape [${l.shape}]`);
    return l.dataSync()[0];
  });
}

/** (softmax(z) − w)·keep/count in float64: the gradient of the mean loss with respect to the logits. */
function gradByHand(logits: number[][], targets: number[], ignore = -100, eps = 0): number[] {
  const kept = targets.filter((t) => t !== ignore).length;
  return logits.flatMap((z, i) => {
    if (targets[i] === ignore) return z.map(() => 0);
    const m = Math.max(...z);
    const e = z.map((x) => Math.exp(x - m));
    const s = e.reduce((a, b) => a + b, 0);
    return e.map((x, v) => (x / s - ((v === targets[i] ? 1 - eps : 0) + eps / z.length)) / kept);
  });
}

before(async () => {
  await initBackend({ quiet: true });
});

task("04.crossEntropy", 2, () => {
  it("computes hand values, stably, as a scalar", () => {
    // Two equal logits: −log ½ = ln 2.
    close(lossOf([[0, 0]], [0]), Math.LN2, 1e-6, "[[0, 0]] target 0");
    // [1000, 999, −1000, 0], target 1: logsumexp − 999 = 1 + log(1 + e^{−1}) = 1.3132617 (no overflow).
    const huge = lossOf([[1000, 999, -1000, 0]], [1]);
    assert.ok(
      !Number.isNaN(huge),
      "[[1000, 999, −1000, 0]] gave NaN: exp(1000) overflows; subtract the row max",
    );
    close(huge, 1.31326169, 1e-6, "huge logits");
    // Mean over rows: ln 2 and −ln 0.75 = 0.2876821 → 0.4904
    close(
      lossOf(
        [
          [0, 0],
          [0, Math.log(3)],
        ],
        [1, 1],
      ),
      (Math.LN2 + 0.28768207) / 2,
      1e-6,
      "mean of two rows",
    );
  });

  it("skips ignored rows, smooths labels, NaN when nothing is kept, rejects bad targets", () => {
    // p = [0.25, 0.75] from logits [0, ln 3]. Target 1: −ln 0.75 = 0.2876821; the ignored row is not counted.
    const two = [
      [0, Math.log(3)],
      [5, -5],
    ];
    close(lossOf(two, [1, -100]), 0.28768207, 1e-6, "ignore −100 (the mean is over kept rows only)");
    close(lossOf(two, [1, 7], { ignoreIndex: 7 }), 0.28768207, 1e-6, "ignoreIndex 7");
    // ε = 0.2, V = 2: w = [0.1, 0.9]; −(0.1·ln 0.25 + 0.9·ln 0.75) = 0.3975433
    close(lossOf([[0, Math.log(3)]], [1], { labelSmoothing: 0.2 }), 0.3975433, 1e-6, "label smoothing 0.2");
    assert.ok(Number.isNaN(lossOf([[1, 2]], [-100])), "every row ignored: the mean of nothing must be NaN");
    assert.throws(() => lossOf([[1, 2]], [2]), "target 2 with 2 classes must be an error");
  });

  it("takes the model's [batch, time, V] logits with [batch, time] int32 targets, and leaves no tensors", () => {
    const rng = new Rng(3);
    const z = Array.from({ length: 6 }, () => Array.from({ length: 5 }, () => rng.normal(0, 3)));
    const t = [3, 0, 4, 1, 2, 2];
    const flat = lossOf(z, t);
    const logits = tf.tensor3d(z.flat(), [2, 3, 5]);
    const targets = tf.tensor2d(t, [2, 3], "int32");
    const l = noLeaks("crossEntropy", 1, () => ch.crossEntropy(logits, targets));
    close(l.dataSync()[0], flat, 1e-6, "[2, 3, 5] logits vs the same 6 rows as [6, 5]");
    tf.dispose([logits, targets, l]);
  });

  it("has the gradient (softmax − w)·keep / count with respect to the logits (hand formula, float64)", () => {
    const rng = new Rng(4);
    const z = Array.from({ length: 5 }, () => Array.from({ length: 7 }, () => rng.normal(0, 2)));
    const t = [6, -100, 0, 3, 3];
    const g = tf.tidy(() =>
      tf
        .grad((x: tf.Tensor) => ch.crossEntropy(x, t, { labelSmoothing: 0.1 }))(tf.tensor2d(z))
        .dataSync(),
    );
    closeAll(g, gradByHand(z, t, -100, 0.1), 1e-6, "d loss / d logits (ignored row: 0)");
  });

  it("matches F.cross_entropy and its gradient: ignore_index, label_smoothing, logits near 1000 (tol 1e-6)", () => {
    const fx = loadTorchFixture<CrossEntropyFixture>("cross_entropy");
    for (const c of fx.cases) {
      const f = (z: tf.Tensor) => ch.crossEntropy(z, c.targets, c.options);
      const z = fromFlat(fx.logits);
      closeTo(f(z).dataSync(), [c.loss], 1e-6, `04.crossEntropy loss vs torch (${c.name})`);
      closeTo(tf.grad(f)(z).dataSync(), c.grad.data, 1e-6, `04.crossEntropy gradient vs torch (${c.name})`);
    }
  });
});

task("04.adamw", 3, () => {
  const h = { lr: 0.1, beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0.1 };
  /** One update on plain arrays (the tensors are made and read back here). */
  const update = (
    s: { param: number[]; m: number[]; v: number[]; step: number },
    g: number[],
    hyper = h,
  ): { param: number[]; m: number[]; v: number[]; step: number } =>
    tf.tidy(() => {
      const out = ch.adamwUpdate(
        { param: tf.tensor1d(s.param), m: tf.tensor1d(s.m), v: tf.tensor1d(s.v), step: s.step },
        tf.tensor1d(g),
        hyper,
      );
      const read = (x: tf.Tensor, what: string) => {
        assert.deepEqual(x.shape, [s.param.length], `${what} must keep the parameter's shape`);
        return Array.from(x.dataSync());
      };
      return { param: read(out.param, "param"), m: read(out.m, "m"), v: read(out.v, "v"), step: out.step };
    });

  it("two steps by hand", () => {
    // p₀ = 1, g = 0.5 then −1.
    // Step 1: p = 0.99; m = 0.05; v = 0.0025; m̂ = 0.5, v̂ = 0.25 → p = 0.99 − 0.1·0.5/0.5 = 0.89.
    // Step 2: p = 0.8811; m = −0.055; v = 0.012475; m̂ = −0.055/0.19, v̂ = 0.012475/0.0199 → p = 0.91766077.
    const s1 = update({ param: [1], m: [0], v: [0], step: 0 }, [0.5]);
    close(s1.m[0], 0.05, 1e-6, "step 1 m = β₁·0 + (1 − β₁)·g");
    close(s1.v[0], 0.0025, 1e-6, "step 1 v = β₂·0 + (1 − β₂)·g²");
    close(s1.param[0], 0.89, 1e-6, "step 1 param (decay to 0.99, then − lr·m̂/(√v̂ + ε) with t = 1)");
    assert.equal(s1.step, 1, "the returned step must be t = step + 1");
    const s2 = update(s1, [-1]);
    close(s2.v[0], 0.012475, 1e-6, "step 2 v");
    close(s2.param[0], 0.9176607728517224, 1e-6, "step 2 param (bias corrections with t = 2)");
    assert.equal(s2.step, 2);
  });

  it("without weight decay the first step moves every weight by ≈ lr against its gradient's sign", () => {
    const s = update({ param: [0, 0, 0], m: [0, 0, 0], v: [0, 0, 0], step: 0 }, [3, -0.001, 50], {
      ...h,
      weightDecay: 0,
    });
    s.param.forEach((p, i) => close(p, [-0.1, 0.1, -0.1][i], 1e-5, `param ${i} (m̂/√v̂ = sign(g) at t = 1)`));
  });

  it("leaves its inputs alone and no tensors behind", () => {
    const slot = {
      param: tf.tensor2d([
        [1, 2],
        [3, 4],
      ]),
      m: tf.zeros([2, 2]),
      v: tf.zeros([2, 2]),
      step: 0,
    };
    const g = tf.tensor2d([
      [0.5, -1],
      [2, 0],
    ]);
    const out = noLeaks("adamwUpdate", 3, () => ch.adamwUpdate(slot, g, h));
    closeAll(slot.param.dataSync(), [1, 2, 3, 4], 0, "the input param (must not change)");
    closeAll(slot.m.dataSync(), [0, 0, 0, 0], 0, "the input m (must not change)");
    assert.deepEqual(out.param.shape, [2, 2], "param keeps its shape [2, 2]");
    tf.dispose([slot.param, slot.m, slot.v, g, out.param, out.m, out.v]);
  });

  it("follows torch.optim.AdamW for 5 steps, a decay and a no-decay group, lr changing (tol 1e-6)", () => {
    const fx = loadTorchFixture<AdamWFixture>("adamw");
    for (const [name, init] of Object.entries(fx.initial)) {
      const zeros = init.data.map(() => 0);
      let slot = { param: init.data, m: zeros, v: zeros, step: 0 };
      const weightDecay = fx.noDecay.includes(name) ? 0 : fx.hyper.weightDecay;
      for (const [i, step] of fx.steps.entries()) {
        slot = update(slot, step.grads[name].data, { ...fx.hyper, weightDecay, lr: step.lr });
        const ref = step.after[name];
        const what = `04.adamw ${name} after update ${i + 1}`;
        closeTo(slot.param, ref.param.data, 1e-6, `${what}: param vs torch`);
        // m mixes gradients of both signs (entries near 0 after cancellation): relative to its largest entry.
        const mScale = Math.max(...ref.m.data.map(Math.abs));
        closeTo(slot.m, ref.m.data, 1e-6, `${what}: m vs torch`, mScale);
        closeTo(slot.v, ref.v.data, 1e-6, `${what}: v vs torch`, 0);
      }
      assert.equal(slot.step, fx.steps.length);
    }
  });
});

task("04.schedule", 2, () => {
  it("equals the formula at chosen steps", () => {
    const lr = ch.warmupCosine({ maxLr: 1e-3, minLr: 1e-4, warmupSteps: 10, totalSteps: 110 });
    close(lr(0), 1e-4, 1e-12, "step 0 = max/10");
    close(lr(4), 5e-4, 1e-12, "step 4");
    close(lr(9), 1e-3, 1e-12, "step 9: end of warmup");
    close(lr(10), 1e-3, 1e-12, "step 10: cosine starts at max");
    close(lr(35), 1e-4 + 0.5 * (1 + Math.cos(Math.PI / 4)) * 9e-4, 1e-12, "step 35: a quarter of the way");
    close(lr(60), 5.5e-4, 1e-12, "step 60: half way = (max + min)/2");
    close(lr(110), 1e-4, 1e-12, "step 110 = min");
    close(lr(1000), 1e-4, 1e-12, "after the end = min");
    close(ch.warmupCosine({ maxLr: 1, warmupSteps: 0, totalSteps: 4 })(2), 0.5, 1e-12, "no warmup, minLr 0");
  });

  it("gives torch's LinearLR + CosineAnnealingLR rates up to totalSteps, and LambdaLR's after (tol 1e-12)", () => {
    for (const c of loadTorchFixture<ScheduleFixture>("schedule").cases) {
      const lr = ch.warmupCosine(c.options);
      const scale = c.options.maxLr;
      closeTo(
        c.builtin.map((_, s) => lr(s)),
        c.builtin,
        1e-12,
        "04.schedule vs torch schedulers",
        scale,
      );
      closeTo(
        c.lambda.map((_, s) => lr(s)),
        c.lambda,
        1e-12,
        "04.schedule vs LambdaLR",
        scale,
      );
    }
  });

  it("rejects bad options", () => {
    assert.throws(() => ch.warmupCosine({ maxLr: 0, warmupSteps: 1, totalSteps: 5 }), /maxLr/);
    assert.throws(() => ch.warmupCosine({ maxLr: 1, minLr: 2, warmupSteps: 1, totalSteps: 5 }), /minLr/);
    assert.throws(() => ch.warmupCosine({ maxLr: 1, warmupSteps: 5, totalSteps: 5 }), /totalSteps/);
  });
});

task("04.clip", 2, () => {
  it("clips [3] and [0, 4] (norm 5) to norm 1, and leaves small gradients alone", () => {
    const g = [tf.tensor1d([3]), tf.tensor1d([0, 4])];
    const { grads, norm } = noLeaks("clipByGlobalNorm", 2, () => ch.clipByGlobalNorm(g, 1));
    if (Math.abs(norm - 4) < 1e-6 || Math.abs(norm - 7) < 1e-6) {
      assert.fail(
        `norm ${norm}: that is one tensor's norm (or a sum of norms); take √(Σ g²) over all tensors together`,
      );
    }
    close(norm, 5, 1e-6, "norm = √(3² + 0² + 4²)");
    const s = 1 / (5 + 1e-6);
    closeAll(
      [...grads[0].dataSync(), ...grads[1].dataSync()],
      [3 * s, 0, 4 * s],
      1e-6,
      "clipped: g · maxNorm/(norm + 1e-6)",
    );
    const same = ch.clipByGlobalNorm(g, 10);
    close(same.norm, 5, 1e-6, "norm when not clipping");
    closeAll(
      [...same.grads[0].dataSync(), ...same.grads[1].dataSync()],
      [3, 0, 4],
      0,
      "norm 5 ≤ maxNorm 10: unchanged",
    );
    closeAll(g[1].dataSync(), [0, 4], 0, "the input gradients (must stay usable and unchanged)");
    tf.dispose([...g, ...grads, ...same.grads]);
  });

  it("keeps shapes and order, and rejects maxNorm ≤ 0", () => {
    const g = [tf.zeros([2, 3]), tf.ones([4])];
    const { grads } = ch.clipByGlobalNorm(g, 0.5);
    assert.deepEqual(
      grads.map((x) => x.shape),
      [[2, 3], [4]],
      "one clipped tensor per input, same shapes",
    );
    assert.throws(() => ch.clipByGlobalNorm(g, 0), "maxNorm 0 must be an error");
    tf.dispose([...g, ...grads]);
  });

  it("matches torch.nn.utils.clip_grad_norm_: norm and clipped gradients (tol 1e-6)", () => {
    for (const [i, c] of loadTorchFixture<ClipFixture>("clip").cases.entries()) {
      const g = c.grads.map(fromFlat);
      const mine = ch.clipByGlobalNorm(g, c.maxNorm);
      closeTo([mine.norm], [c.norm], 1e-6, `04.clip norm vs torch (case ${i + 1})`, 0);
      mine.grads.forEach((x, j) =>
        closeTo(
          x.dataSync(),
          c.clipped[j].data,
          1e-6,
          `04.clip gradient ${j} vs torch (case ${i + 1}, maxNorm ${c.maxNorm})`,
        ),
      );
      tf.dispose([...g, ...mine.grads]);
    }
  });
});
