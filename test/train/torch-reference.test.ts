/**
 * The training maths against PyTorch (fixtures made by test/fixtures/torch/make_fixtures.py, torch 1.13,
 * float64 references from float32-exact inputs): the tensor cross-entropy and its gradient against
 * F.cross_entropy, our AdamW against torch.optim.AdamW over five steps with two groups, and global-norm
 * clipping against clip_grad_norm_. Our tensors are float32, so tolerances are float32-sized, stated per test.
 */
import { strict as assert } from "node:assert";
import * as tf from "@tensorflow/tfjs-core";
import { initBackend } from "../../src/backend";
import { AdamW, clipByGlobalNorm, crossEntropy } from "../../src/train";
import {
  AdamWFixture,
  ClipFixture,
  CrossEntropyFixture,
  closeTo,
  fromFlat,
  loadTorchFixture,
} from "../fixtures/torch/fixtures";

describe("train vs PyTorch", () => {
  before(async () => {
    await initBackend({ quiet: true });
  });

  it("crossEntropy and its gradient match F.cross_entropy (ignore_index, label_smoothing; tol 1e-6)", () => {
    const fx = loadTorchFixture<CrossEntropyFixture>("cross_entropy");
    for (const c of fx.cases) {
      tf.tidy(() => {
        const z = fromFlat(fx.logits);
        const f = (x: tf.Tensor) => crossEntropy(x, c.targets, c.options);
        closeTo(f(z).dataSync(), [c.loss], 1e-6, "crossEntropy loss");
        closeTo(tf.grad(f)(z).dataSync(), c.grad.data, 1e-6, "crossEntropy grad");
      });
    }
  });

  it("AdamW follows torch.optim.AdamW for 5 steps, decay and no-decay groups, lr changing (tol 1e-6)", () => {
    const fx = loadTorchFixture<AdamWFixture>("adamw");
    const params = new Map(Object.entries(fx.initial).map(([n, t]) => [n, tf.variable(fromFlat(t))]));
    const opt = new AdamW(params, fx.hyper);
    for (const n of params.keys()) assert.equal(opt.decays(n), !fx.noDecay.includes(n), `group of ${n}`);
    for (const step of fx.steps) {
      const grads = new Map(Object.entries(step.grads).map(([n, t]) => [n, fromFlat(t)]));
      opt.apply(grads, step.lr);
      tf.dispose([...grads.values()]);
      const state = opt.getState();
      for (const [n, ref] of Object.entries(step.after)) {
        closeTo(params.get(n)!.dataSync(), ref.param.data, 1e-6, "AdamW param");
        // m mixes gradients of both signs (entries near 0 after cancellation): relative to its largest entry.
        const mScale = Math.max(...ref.m.data.map(Math.abs));
        closeTo(state.m.get(n)!.dataSync(), ref.m.data, 1e-6, "AdamW m", mScale);
        closeTo(state.v.get(n)!.dataSync(), ref.v.data, 1e-6, "AdamW v", 0);
      }
      tf.dispose([...state.m.values(), ...state.v.values()]);
    }
    opt.dispose();
    tf.dispose([...params.values()]);
  });

  it("clipByGlobalNorm matches clip_grad_norm_: total norm (tol 1e-6) and clipped gradients (tol 1e-6)", () => {
    const fx = loadTorchFixture<ClipFixture>("clip");
    for (const c of fx.cases) {
      tf.tidy(() => {
        const { grads, norm } = clipByGlobalNorm(c.grads.map(fromFlat), c.maxNorm);
        closeTo([norm], [c.norm], 1e-6, "clip norm", 0);
        grads.forEach((g, i) => closeTo(g.dataSync(), c.clipped[i].data, 1e-6, "clip grads"));
      });
    }
  });
});
