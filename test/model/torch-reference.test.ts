/**
 * The model against PyTorch (fixtures made by test/fixtures/torch/make_fixtures.py, torch 1.13, float64
 * references from float32-exact inputs): batched attention, LayerNorm and GELU with their gradients, the
 * parameter names, shapes and counts of GPT modules built in torch, and one whole tiny GPT-2 — logits, loss
 * and the gradient of every parameter — with identical weights loaded through `setParams`.
 * Our side runs in float32, so tolerances are float32-sized and stated per test.
 */
import { strict as assert } from "node:assert";
import * as tf from "@tensorflow/tfjs-core";
import { initBackend } from "../../src/backend";
import { GPT, attention, causalMask, gelu, layerNorm, parameterShapes } from "../../src/model";
import { crossEntropy } from "../../src/train";
import {
  AttentionFixture,
  LayerNormGeluFixture,
  ParamCountFixture,
  TinyGptFixture,
  closeTo,
  fromFlat,
  loadTorchFixture,
} from "../fixtures/torch/fixtures";

describe("model vs PyTorch", () => {
  before(async () => {
    await initBackend({ quiet: true });
  });

  it("batched causal attention [2, 2, 5, 4] matches torch (out and weights, tol 1e-6)", () => {
    const fx = loadTorchFixture<AttentionFixture>("attention");
    const { q, k, v, out, weights } = fx.batched;
    tf.tidy(() => {
      const kT = tf.transpose(fromFlat(k), [0, 1, 3, 2]) as tf.Tensor4D;
      const r = attention(fromFlat(q) as tf.Tensor4D, kT, fromFlat(v) as tf.Tensor4D, causalMask(5, 5));
      assert.deepEqual(r.out.shape, out.shape);
      closeTo(r.weights.dataSync(), weights.data, 1e-6, "model attention weights");
      closeTo(r.out.dataSync(), out.data, 1e-6, "model attention out");
    });
  });

  it("layerNorm forward and gradients (x, gain, bias) match F.layer_norm (tol 1e-6)", () => {
    const { layerNorm: fx } = loadTorchFixture<LayerNormGeluFixture>("layernorm_gelu");
    tf.tidy(() => {
      const [x, gain, bias, dy] = [fx.x, fx.gain, fx.bias, fx.dy].map(fromFlat);
      const f = (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) =>
        layerNorm(a, g as tf.Tensor1D, b as tf.Tensor1D, fx.eps);
      closeTo(f(x, gain, bias).dataSync(), fx.y.data, 1e-6, "layerNorm y");
      const [dx, dgain, dbias] = tf.grads(f)([x, gain, bias], dy);
      closeTo(dx.dataSync(), fx.dx.data, 1e-6, "layerNorm dx");
      closeTo(dgain.dataSync(), fx.dgain.data, 1e-6, "layerNorm dgain");
      closeTo(dbias.dataSync(), fx.dbias.data, 1e-6, "layerNorm dbias");
    });
  });

  it("gelu forward and gradient match F.gelu(approximate='tanh') on [−6, 6] (tol 1e-6)", () => {
    const { gelu: fx } = loadTorchFixture<LayerNormGeluFixture>("layernorm_gelu");
    tf.tidy(() => {
      const x = fromFlat(fx.x);
      closeTo(gelu(x).dataSync(), fx.y.data, 1e-6, "gelu y");
      closeTo(tf.grad(gelu)(x, fromFlat(fx.dy)).dataSync(), fx.dx.data, 1e-6, "gelu dx");
    });
  });

  describe("parameters of GPT modules built in torch", () => {
    const fx = loadTorchFixture<ParamCountFixture>("param_count");

    it("parameterShapes adds up to torch's count for GPT-2 small (124,439,808), medium and variants (exact)", () => {
      assert.equal(fx.cases[0].params, 124_439_808, "the fixture's GPT-2 small");
      for (const c of fx.cases) {
        const n = parameterShapes(c.config).reduce((s, [, shape]) => s + shape.reduce((a, b) => a * b, 1), 0);
        assert.equal(n, c.params, c.name);
      }
    });

    it("a built GPT has torch's parameter names and shapes (lm_head transposed: ours is [d, vocab])", () => {
      for (const c of fx.cases.filter((x) => x.shapes)) {
        const model = new GPT(c.config, 0);
        const ours = [...model.params].map(([name, p]) => [
          name,
          name === "lm_head.weight" ? [...p.shape].reverse() : p.shape,
        ]);
        model.dispose();
        assert.deepEqual(ours, c.shapes, c.name);
      }
    });
  });

  describe("a tiny GPT-2 with torch's weights (vocab 11, context 8, width 16, 2 layers, 2 heads, MLP 64, tied)", () => {
    const fx = loadTorchFixture<TinyGptFixture>("tiny_gpt");
    let model: GPT;
    before(() => {
      model = new GPT(fx.config, 0);
      const weights = new Map(
        Object.entries(fx.weights).map(([name, w]) => [
          name,
          tf.tensor(
            w.k.map((k) => k * w.unit + w.offset),
            w.shape,
            "float32",
          ),
        ]),
      );
      model.setParams(weights);
      tf.dispose([...weights.values()]);
    });
    after(() => model.dispose());

    it("has exactly the parameters torch's module has", () => {
      assert.deepEqual([...model.params.keys()], Object.keys(fx.weights));
    });

    it("gives torch's logits (tol 1e-5) and loss (tol 1e-6)", () => {
      tf.tidy(() => {
        const logits = model.forward(fx.ids);
        assert.deepEqual(logits.shape, fx.logits.shape);
        closeTo(logits.dataSync(), fx.logits.data, 1e-5, "tiny GPT logits");
        const loss = crossEntropy(logits, fx.targets.flat());
        closeTo(loss.dataSync(), [fx.loss], 1e-6, "tiny GPT loss");
      });
    });

    it("gives torch's gradient for every parameter: norm (tol 1e-5) and sampled entries (tol 1e-5 of the largest)", () => {
      tf.tidy(() => {
        const ids = tf.tensor2d(fx.ids, undefined, "int32");
        const { grads } = tf.variableGrads(
          () => crossEntropy(model.forward(ids), fx.targets.flat()),
          model.variables(),
        );
        for (const [name, p] of model.params) {
          const ref = fx.grads[name];
          const g = grads[p.name].dataSync();
          const ours = ref.index.map((i) => g[i]);
          let sq = 0;
          for (const x of g) sq += x * x;
          closeTo([Math.sqrt(sq)], [ref.norm], 1e-5, `tiny GPT grad norm`, 0);
          // Entries relative to the tensor's largest gradient: small entries carry float32 rounding of the big ones.
          closeTo(ours, ref.values, 1e-5, `tiny GPT grad entries`, ref.maxAbs);
        }
      });
    });
  });
});
