/**
 * Graded tasks of chapter 11. References: hand cases (the arithmetic is in the comments: a uniform router's
 * balance loss is exactly 1, a collapsed one's E/k; zero logits give a z-loss of (ln E)²), and values from
 * the papers' formulas computed independently in NumPy float64 (test/fixtures/moe/make_fixtures.py → moe.json),
 * gradients included (derived by hand there, by tfjs's autodiff here, on the active backend — WASM in CI).
 * Tolerances: 1e-5 relative for float32 results of a few operations.
 */
import * as assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import { loadChapter, task } from "./harness";
import { initBackend } from "../../src/backend";
import { fromFlat, loadMoEFixture, near } from "../fixtures/moe/fixture";

const ch = loadChapter<typeof import("../../solutions/11-moe")>("11-moe");
const fx = loadMoEFixture();
const ORDERS = ["softmax-topk", "topk-softmax"] as const;

before(async () => {
  await initBackend({ quiet: true });
});

task("11.topK", 2, () => {
  it("picks each token's k experts, best first, ties in expert order (NumPy reference)", () => {
    const z = fromFlat(fx.topk.logits) as tf.Tensor2D;
    for (const order of ORDERS) {
      const r = ch.routeTopK(z, fx.topk.k, order);
      assert.deepEqual(r.experts, fx.topk.orders[order].experts, `${order}: experts`);
      tf.dispose([r.probs, r.gates]);
    }
  });

  it("gives the probabilities and the gates of both orders", () => {
    const z = fromFlat(fx.topk.logits) as tf.Tensor2D;
    for (const order of ORDERS) {
      const r = ch.routeTopK(z, fx.topk.k, order);
      assert.deepEqual(r.gates.shape, fx.topk.orders[order].gates.shape, `${order}: gates shape [N, E]`);
      near(r.probs.dataSync(), fx.topk.orders[order].probs.data, 1e-5, `${order}: probs`);
      near(r.gates.dataSync(), fx.topk.orders[order].gates.data, 1e-5, `${order}: gates`);
      tf.dispose([r.probs, r.gates]);
    }
  });

  it("Mixtral's gates sum to 1; with k = 1 its gate is 1, Switch's is the probability", () => {
    // logits [0, ln 3]: probabilities 1/4, 3/4. Top-1 is expert 1: Switch gate 0.75, Mixtral gate 1.
    const z = tf.tensor2d([[0, Math.log(3)]]);
    const sw = ch.routeTopK(z, 1, "softmax-topk");
    const mx = ch.routeTopK(z, 1, "topk-softmax");
    assert.deepEqual(sw.experts, [[1]]);
    near(sw.gates.dataSync(), [0, 0.75], 1e-6, "Switch gates");
    near(mx.gates.dataSync(), [0, 1], 1e-6, "Mixtral gates");
    const two = ch.routeTopK(fromFlat(fx.topk.logits) as tf.Tensor2D, 2, "topk-softmax");
    near(tf.sum(two.gates, 1).dataSync(), new Array(7).fill(1), 1e-6, "row sums, k = 2");
    tf.dispose([z, sw.probs, sw.gates, mx.probs, mx.gates, two.probs, two.gates]);
  });

  it("passes the gradient through the gates to the logits (on this backend)", () => {
    const z = fromFlat(fx.topk.logits) as tf.Tensor2D;
    const w = fromFlat(fx.topk.w);
    for (const order of ORDERS) {
      const g = tf.grad((x: tf.Tensor) => {
        const r = ch.routeTopK(x as tf.Tensor2D, fx.topk.k, order);
        return tf.sum(tf.mul(r.gates, w));
      })(z);
      near(g.dataSync(), fx.topk.orders[order].dlogits.data, 1e-5, `${order}: d Σ(gates·w) / d logits`);
      g.dispose();
    }
  });
});

task("11.balance", 2, () => {
  it("is exactly 1 for a uniform router (hand case)", () => {
    // 4 tokens, 4 experts, p = 1/4 everywhere, top-1 choices 0, 1, 2, 3: f = P = 1/4, E·Σ f·P = 4·4/16 = 1.
    const probs = tf.fill([4, 4], 0.25) as tf.Tensor2D;
    const l = ch.balanceLoss(probs, [[0], [1], [2], [3]]);
    near([l.dataSync()[0]], [1], 1e-6, "uniform top-1");
    // Top-2 over 4 experts, each expert chosen twice: f = 2/8 each, still 1.
    const l2 = ch.balanceLoss(probs, [
      [0, 1],
      [2, 3],
      [1, 2],
      [3, 0],
    ]);
    near([l2.dataSync()[0]], [1], 1e-6, "uniform top-2");
    tf.dispose([probs, l, l2]);
  });

  it("reaches E/k when the router collapses onto k experts (hand case: 4 experts, top-2 → 2)", () => {
    const c = fx.balance.collapsed;
    const l = ch.balanceLoss(fromFlat(c.probs) as tf.Tensor2D, c.experts);
    near([l.dataSync()[0]], [c.loss], 1e-6, "collapsed");
    assert.equal(c.loss, 2);
    l.dispose();
  });

  it("matches the NumPy value and gradient (d loss / d probs = E·fᵢ/N)", () => {
    const p = fromFlat(fx.balance.probs) as tf.Tensor2D;
    const l = ch.balanceLoss(p, fx.balance.experts);
    near([l.dataSync()[0]], [fx.balance.loss], 1e-5, "balance loss");
    const g = tf.grad((x: tf.Tensor) => ch.balanceLoss(x as tf.Tensor2D, fx.balance.experts))(p);
    near(g.dataSync(), fx.balance.dprobs.data, 1e-5, "d loss / d probs");
    tf.dispose([p, l, g]);
  });
});

task("11.zLoss", 1, () => {
  it("gives (ln E)² for zero logits (hand case)", () => {
    const l = ch.zLoss(tf.zeros([3, 4]) as tf.Tensor2D);
    near([l.dataSync()[0]], [Math.log(4) ** 2], 1e-6, "zero logits");
    l.dispose();
  });

  it("matches the NumPy value and gradient, finite for logits near 60", () => {
    const z = fromFlat(fx.zloss.logits) as tf.Tensor2D;
    const l = ch.zLoss(z);
    near([l.dataSync()[0]], [fx.zloss.loss], 1e-5, "z-loss");
    const g = tf.grad((x: tf.Tensor) => ch.zLoss(x as tf.Tensor2D))(z);
    near(g.dataSync(), fx.zloss.dlogits.data, 1e-5, "d z-loss / d logits");
    tf.dispose([z, l, g]);
  });
});

task("11.capacity", 2, () => {
  it("serves first choices before second choices, tokens in order (hand case)", () => {
    // 3 tokens, 2 experts, capacity 2. First choices: t0→0, t1→0, t2→0: expert 0 takes t0, t1; t2's first
    // choice is dropped. Second choices: t0→1, t1→1, t2→1: expert 1 takes t0, t1; t2 dropped again.
    const plan = ch.assignCapacity(
      [
        [0, 1],
        [0, 1],
        [0, 1],
      ],
      2,
      2,
    );
    assert.deepEqual(plan.tokens, [
      [0, 1],
      [0, 1],
    ]);
    assert.deepEqual(plan.choices, [
      [0, 0],
      [1, 1],
    ]);
    assert.equal(plan.dropped, 2);
    // A second choice never displaces a later token's first choice: t1's first choice (expert 1) wins the
    // only place over t0's second choice.
    const p2 = ch.assignCapacity(
      [
        [0, 1],
        [1, 0],
      ],
      2,
      1,
    );
    assert.deepEqual(p2.tokens, [[0], [1]]);
    assert.equal(p2.dropped, 2);
  });

  it("matches the NumPy plan (all assignments sorted by rank, then token)", () => {
    const c = fx.capacity;
    const plan = ch.assignCapacity(c.experts, c.numExperts, c.capacity);
    assert.deepEqual(plan.tokens, c.tokens);
    assert.deepEqual(plan.choices, c.choices);
    assert.equal(plan.dropped, c.dropped);
  });

  it("drops nothing without a limit, and keeps every expert listed", () => {
    const plan = ch.assignCapacity(fx.capacity.experts, 6, Infinity);
    assert.equal(plan.dropped, 0);
    assert.equal(plan.tokens.length, 6);
    assert.deepEqual(plan.tokens[4], []);
    assert.equal(
      plan.tokens.reduce((s, t) => s + t.length, 0),
      20,
    );
  });
});

task("11.combine", 2, () => {
  const c = fx.combine;
  it("adds each token's gate-weighted expert outputs (NumPy reference)", () => {
    const outputs = c.outputs.map((o) => fromFlat(o) as tf.Tensor2D);
    const y = ch.combineExperts(outputs, c.tokens, fromFlat(c.gates) as tf.Tensor2D, c.numTokens);
    assert.deepEqual(y.shape, c.y.shape);
    near(y.dataSync(), c.y.data, 1e-5, "combined output");
    tf.dispose([...outputs, y]);
  });

  it("gives zero to a token no expert computed, and accepts an expert without tokens", () => {
    // Token 1 was dropped everywhere; expert 1 took nothing. y[0] = 0.5·[1, 2] + 0.25·[4, 4] = [1.5, 2].
    const out0 = tf.tensor2d([[1, 2]]);
    const out2 = tf.tensor2d([[4, 4]]);
    const gates = tf.tensor2d([
      [0.5, 0, 0.25],
      [0.6, 0.4, 0],
    ]);
    const outputs = [out0, undefined as unknown as tf.Tensor2D, out2];
    const y = ch.combineExperts(outputs, [[0], [], [0]], gates, 2);
    near(y.dataSync(), [1.5, 2, 0, 0], 1e-6, "y");
    tf.dispose([out0, out2, gates, y]);
  });

  it("passes gradients to the outputs and the gates (on this backend)", () => {
    const outputs = c.outputs.map((o) => fromFlat(o) as tf.Tensor2D);
    const gates = fromFlat(c.gates) as tf.Tensor2D;
    const dy = fromFlat(c.dy);
    const grads = tf.grads((g: tf.Tensor, ...outs: tf.Tensor[]) =>
      tf.sum(tf.mul(ch.combineExperts(outs as tf.Tensor2D[], c.tokens, g as tf.Tensor2D, c.numTokens), dy)),
    )([gates, ...outputs]);
    near(grads[0].dataSync(), c.dgates.data, 1e-5, "d/d gates");
    grads.slice(1).forEach((g, e) => near(g.dataSync(), c.doutputs[e].data, 1e-5, `d/d outputs[${e}]`));
    tf.dispose([...outputs, gates, dy, ...grads]);
  });
});
