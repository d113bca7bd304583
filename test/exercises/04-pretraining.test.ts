/**
 * Graded tasks of chapter 04. References: hand-computed values (the arithmetic is in the comments), the
 * formulas at chosen steps, central finite differences, and the library's tensor versions (tfjs, float32) as a
 * second method, and PyTorch's values (test/fixtures/torch, made by make_fixtures.py). Tolerances: 1e-9 for
 * float64 arithmetic (1e-12 against torch's float64 results), 1e-5 against float32 tensors.
 */
import * as assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import { loadChapter, task } from "./harness";
import { initBackend } from "../../src/backend";
import { Rng } from "../../src/random";
import { AdamW, clipByGlobalNorm, crossEntropy } from "../../src/train";
import {
  AdamWFixture,
  ClipFixture,
  CrossEntropyFixture,
  ScheduleFixture,
  closeTo,
  loadTorchFixture,
  rows,
} from "../fixtures/torch/fixtures";

const ch = loadChapter<typeof import("../../solutions/04-pretraining")>("04-pretraining");

function close(actual: number, expected: number, tol: number, what: string): void {
  assert.ok(
    Math.abs(actual - expected) <= tol * (1 + Math.abs(expected)),
    `${what}: got ${actual}, expected ${expected} (± ${tol})`,
  );
}

before(async () => {
  await initBackend({ quiet: true });
});

task("04.crossEntropy", 2, () => {
  it("computes hand values, stably", () => {
    // Two equal logits: −log ½ = ln 2.
    close(ch.crossEntropyRows([[0, 0]], [0]), Math.LN2, 1e-9, "[[0, 0]] target 0");
    // [1000, 999, −1000, 0], target 1: logsumexp − 999 = 1 + log(1 + e^{−1}) = 1.3132617 (no overflow).
    close(ch.crossEntropyRows([[1000, 999, -1000, 0]], [1]), 1.31326169, 1e-8, "huge logits");
  });

  it("skips ignored rows and smooths labels", () => {
    // p = [0.25, 0.75] from logits [0, ln 3]. Target 1: −ln 0.75 = 0.2876821; the ignored row is not counted.
    close(
      ch.crossEntropyRows(
        [
          [0, Math.log(3)],
          [5, -5],
        ],
        [1, -100],
      ),
      0.28768207,
      1e-8,
      "ignore −100",
    );
    close(
      ch.crossEntropyRows(
        [
          [0, Math.log(3)],
          [5, -5],
        ],
        [1, 7],
        { ignoreIndex: 7 },
      ),
      0.28768207,
      1e-8,
      "ignoreIndex 7",
    );
    // ε = 0.2, V = 2: w = [0.1, 0.9]; −(0.1·ln 0.25 + 0.9·ln 0.75) = 0.3975433
    close(
      ch.crossEntropyRows([[0, Math.log(3)]], [1], { labelSmoothing: 0.2 }),
      0.3975433,
      1e-8,
      "label smoothing",
    );
    assert.ok(Number.isNaN(ch.crossEntropyRows([[1, 2]], [-100])), "all rows ignored → NaN");
    assert.throws(() => ch.crossEntropyRows([[1, 2]], [2]), "target 2 of 2 classes must be an error");
  });

  it("agrees with the library's tensor cross-entropy on random logits", () => {
    const rng = new Rng(3);
    const logits = Array.from({ length: 6 }, () => Array.from({ length: 9 }, () => rng.normal(0, 4)));
    const targets = [3, -100, 0, 8, 5, 5];
    const ref = crossEntropy(tf.tensor2d(logits), targets, { labelSmoothing: 0.1 }).dataSync()[0];
    close(ch.crossEntropyRows(logits, targets, { labelSmoothing: 0.1 }), ref, 1e-5, "vs tensor version");
  });

  it("matches F.cross_entropy: ignore_index, label_smoothing, logits near 1000 (float64, tol 1e-12)", () => {
    const fx = loadTorchFixture<CrossEntropyFixture>("cross_entropy");
    const logits = rows(fx.logits);
    for (const c of fx.cases) {
      closeTo(
        [ch.crossEntropyRows(logits, c.targets, c.options)],
        [c.loss],
        1e-12,
        `04.crossEntropy (${c.name})`,
      );
    }
  });
});

task("04.adamw", 3, () => {
  const h = { lr: 0.1, beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0.1 };
  it("two steps by hand", () => {
    // p₀ = 1, g = 0.5 then −1.
    // Step 1: p = 0.99; m = 0.05; v = 0.0025; m̂ = 0.5, v̂ = 0.25 → p = 0.99 − 0.1·0.5/0.5 = 0.89.
    // Step 2: p = 0.8811; m = −0.055; v = 0.012475; m̂ = −0.055/0.19, v̂ = 0.012475/0.0199 → p = 0.91766077.
    const s1 = ch.adamwStep({ param: [1], m: [0], v: [0], step: 0 }, [0.5], h);
    close(s1.param[0], 0.89, 1e-8, "step 1 param");
    close(s1.m[0], 0.05, 1e-12, "step 1 m");
    close(s1.v[0], 0.0025, 1e-12, "step 1 v");
    assert.equal(s1.step, 1);
    const s2 = ch.adamwStep(s1, [-1], h);
    close(s2.param[0], 0.9176607728517224, 1e-9, "step 2 param");
    close(s2.v[0], 0.012475, 1e-12, "step 2 v");
    assert.equal(s1.param[0], s1.param[0], "inputs unchanged");
  });

  it("without weight decay the first step moves every weight by ≈ lr against its gradient's sign", () => {
    const s = ch.adamwStep({ param: [0, 0, 0], m: [0, 0, 0], v: [0, 0, 0], step: 0 }, [3, -0.001, 50], {
      ...h,
      weightDecay: 0,
    });
    s.param.forEach((p, i) => close(p, [-0.1, 0.1, -0.1][i], 1e-5, `param ${i}`));
  });

  it("matches the library's tensor AdamW over three steps", () => {
    const p0 = [0.5, -1, 2, 0.25];
    const grads = [
      [0.1, -0.3, 0.5, 1],
      [0.2, 0.1, -0.4, 0.3],
      [-1, 2, 0, 0.5],
    ];
    const params = new Map([["w.weight", tf.variable(tf.tensor2d(p0, [2, 2]))]]);
    const opt = new AdamW(params, { beta1: h.beta1, beta2: h.beta2, eps: h.eps, weightDecay: h.weightDecay });
    let slot = { param: p0, m: [0, 0, 0, 0], v: [0, 0, 0, 0], step: 0 };
    grads.forEach((g, i) => {
      const lr = 0.01 * (i + 1);
      opt.apply(new Map([["w.weight", tf.tensor2d(g, [2, 2])]]), lr);
      slot = ch.adamwStep(slot, g, { ...h, lr });
    });
    const ref = params.get("w.weight")!.dataSync();
    slot.param.forEach((p, i) => close(p, ref[i], 1e-5, `param ${i}`));
  });

  it("follows torch.optim.AdamW for 5 steps, a decay and a no-decay group, lr changing (float64, tol 1e-12)", () => {
    const fx = loadTorchFixture<AdamWFixture>("adamw");
    for (const [name, init] of Object.entries(fx.initial)) {
      const zeros = init.data.map(() => 0);
      let slot = { param: init.data, m: zeros, v: zeros, step: 0 };
      const weightDecay = fx.noDecay.includes(name) ? 0 : fx.hyper.weightDecay;
      for (const step of fx.steps) {
        slot = ch.adamwStep(slot, step.grads[name].data, { ...fx.hyper, weightDecay, lr: step.lr });
        const ref = step.after[name];
        closeTo(slot.param, ref.param.data, 1e-12, "04.adamw param vs torch");
        // m mixes gradients of both signs (entries near 0 after cancellation): relative to its largest entry.
        const mScale = Math.max(...ref.m.data.map(Math.abs));
        closeTo(slot.m, ref.m.data, 1e-12, "04.adamw m vs torch", mScale);
        closeTo(slot.v, ref.v.data, 1e-12, "04.adamw v vs torch", 0);
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
    const { grads, norm } = ch.clipGradNorm([[3], [0, 4]], 1);
    close(norm, 5, 1e-12, "norm");
    const s = 1 / (5 + 1e-6);
    close(grads[0][0], 3 * s, 1e-12, "g[0][0]");
    close(grads[1][1], 4 * s, 1e-12, "g[1][1]");
    const same = ch.clipGradNorm([[3], [0, 4]], 10);
    assert.deepEqual(same.grads, [[3], [0, 4]]);
  });

  it("matches the library's tensor clipping", () => {
    const g = [
      [0.5, -2, 1],
      [3, 0.25],
    ];
    const ref = clipByGlobalNorm(
      g.map((x) => tf.tensor1d(x)),
      1.5,
    );
    const mine = ch.clipGradNorm(g, 1.5);
    close(mine.norm, ref.norm, 1e-6, "norm");
    mine.grads
      .flat()
      .forEach((x, i) =>
        close(x, [...ref.grads[0].dataSync(), ...ref.grads[1].dataSync()][i], 1e-6, `g ${i}`),
      );
  });

  it("matches torch.nn.utils.clip_grad_norm_: norm and clipped gradients (float64, tol 1e-12)", () => {
    for (const c of loadTorchFixture<ClipFixture>("clip").cases) {
      const mine = ch.clipGradNorm(
        c.grads.map((g) => g.data),
        c.maxNorm,
      );
      closeTo([mine.norm], [c.norm], 1e-12, "04.clip norm vs torch", 0);
      mine.grads.forEach((g, i) => closeTo(g, c.clipped[i].data, 1e-12, "04.clip grads vs torch"));
    }
  });
});
