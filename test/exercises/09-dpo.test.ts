/**
 * Graded tasks of chapter 09. References: PyTorch (test/fixtures/torch/dpo.json, made by
 * make_dpo_fixtures.py with TRL's `dpo_loss` and `get_batch_logps` formulas, float64), hand cases (the loss is
 * ln 2 when the policy equals the reference; a reward is β times a log-ratio), and a second method for the
 * sequence log-prob (a full log-softmax of a real tiny GPT's logits, summed by hand).
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { loadChapter, task } from "./harness";
import { initBackend } from "../../src/backend";
import { GPT, GPT2_STYLE, GPTConfig } from "../../src/model";
import type { PairLogProbs } from "../../src/align/dpo";
import { allClose as near } from "../fixtures/close";

const ch = loadChapter<typeof import("../../solutions/09-dpo")>("09-dpo");

interface Flat {
  shape: number[];
  data: number[];
}
const FIX = JSON.parse(
  fs.readFileSync(path.join(__dirname, "..", "fixtures", "torch", "dpo.json"), "utf8"),
) as {
  policyChosen: number[];
  policyRejected: number[];
  referenceChosen: number[];
  referenceRejected: number[];
  cases: Array<{
    type: string;
    beta: number;
    labelSmoothing: number;
    losses: number[];
    chosenRewards: number[];
    rejectedRewards: number[];
    gradPolicyChosen: number[];
  }>;
  extreme: Record<
    "policyChosen" | "policyRejected" | "referenceChosen" | "referenceRejected" | "losses",
    number[]
  > & {
    beta: number;
  };
  sequence: { logits: Flat; ids: Flat; mask: Flat; sums: number[] };
};

function pairTensors(f: Record<keyof PairLogProbs, number[]>): PairLogProbs {
  return {
    policyChosen: tf.tensor1d(f.policyChosen),
    policyRejected: tf.tensor1d(f.policyRejected),
    referenceChosen: tf.tensor1d(f.referenceChosen),
    referenceRejected: tf.tensor1d(f.referenceRejected),
  };
}

function rows(f: Flat): number[][] {
  const [b, t] = f.shape;
  return Array.from({ length: b }, (_, i) => f.data.slice(i * t, (i + 1) * t));
}

before(async () => {
  await initBackend({ quiet: true });
});

task("09.sequenceLogProbs", 2, () => {
  it("sums the completion tokens' log-probs like PyTorch (the model's logits given), feeding ids[:, :-1]", () => {
    const s = FIX.sequence;
    const [B, T1] = s.ids.shape;
    const seen: number[][][] = [];
    // A stand-in model whose forward returns the fixture's logits (and records what it was fed).
    const fake = {
      config: { vocabSize: s.logits.shape[2], contextLength: 64 },
      forward: (x: tf.Tensor2D) => {
        seen.push(x.arraySync() as number[][]);
        return tf.tensor3d(s.logits.data, s.logits.shape as [number, number, number]);
      },
    } as unknown as GPT;
    const before = tf.memory().numTensors;
    const out = ch.sequenceLogProbs(fake, rows(s.ids), rows(s.mask));
    assert.deepEqual(out.shape, [B]);
    near(out.dataSync(), s.sums, 1e-5, "sums");
    out.dispose();
    assert.equal(tf.memory().numTensors, before, "no tensor left behind");
    assert.deepEqual(
      seen[0],
      rows(s.ids).map((r) => r.slice(0, T1 - 1)),
      "the model is fed ids[:, :-1]",
    );
    // Tensors in, too.
    const ids = tf.tensor2d(rows(s.ids), undefined, "int32");
    const mask = tf.tensor2d(rows(s.mask));
    const out2 = ch.sequenceLogProbs(fake, ids, mask);
    near(out2.dataSync(), s.sums, 1e-5, "sums from tensors");
    tf.dispose([ids, mask, out2]);
  });

  it("equals a full log-softmax of a real GPT summed by hand, and is differentiable", () => {
    const config: GPTConfig = {
      vocabSize: 9,
      contextLength: 8,
      dModel: 8,
      nLayers: 1,
      nHeads: 2,
      dMlp: 16,
      ...GPT2_STYLE,
    };
    const m = new GPT(config, 5);
    const ids = [
      [1, 2, 3, 4, 5, 0],
      [6, 7, 8, 1, 0, 0],
    ];
    const mask = [
      [0, 0, 1, 1, 1, 0],
      [0, 0, 0, 1, 0, 0],
    ];
    const logp = tf.tidy(
      () => tf.logSoftmax(m.forward(ids.map((r) => r.slice(0, -1)))).arraySync() as number[][][],
    );
    const expected = ids.map((r, b) =>
      r.slice(1).reduce((s, id, t) => s + (mask[b][t + 1] ? logp[b][t][id] : 0), 0),
    );
    const out = ch.sequenceLogProbs(m, ids, mask);
    near(out.dataSync(), expected, 1e-5, "sequence log-probs");
    out.dispose();
    const { value, grads } = tf.variableGrads(() => tf.sum(ch.sequenceLogProbs(m, ids, mask)) as tf.Scalar);
    const norm = Object.values(grads).reduce(
      (s, g) => s + tf.tidy(() => tf.sum(tf.square(g)).dataSync()[0]),
      0,
    );
    assert.ok(norm > 0, "gradients reach the model's weights");
    tf.dispose([value, ...Object.values(grads)]);
    m.dispose();
  });

  it("rejects a mask on position 0 and a mask of another shape", () => {
    const fake = {
      config: { vocabSize: 3, contextLength: 8 },
      forward: () => tf.zeros([1, 2, 3]),
    } as unknown as GPT;
    assert.throws(() => ch.sequenceLogProbs(fake, [[0, 1, 2]], [[1, 1, 1]]), /position 0/);
    assert.throws(() => ch.sequenceLogProbs(fake, [[0, 1, 2]], [[0, 1]]), /shape|differ/);
  });
});

task("09.implicitReward", 1, () => {
  it("is β·(log π − log π_ref), like PyTorch's, and 0 when the policy is the reference", () => {
    const lp = pairTensors(FIX);
    for (const c of FIX.cases) {
      const r = ch.implicitReward(lp.policyChosen, lp.referenceChosen, c.beta);
      near(r.dataSync(), c.chosenRewards, 1e-5, `β=${c.beta} chosen`);
      r.dispose();
    }
    const before = tf.memory().numTensors;
    const same = ch.implicitReward(lp.policyRejected, lp.policyRejected, 0.3);
    near(same.dataSync(), new Array(8).fill(0), 0, "policy = reference");
    same.dispose();
    assert.equal(tf.memory().numTensors, before, "no tensor left behind");
    const hand = tf.tidy(() =>
      ch.implicitReward(tf.tensor1d([-3, -10]), tf.tensor1d([-5, -4]), 0.5).dataSync(),
    );
    near(hand, [1, -3], 1e-6, "hand values");
    tf.dispose(Object.values(lp));
  });
});

task("09.dpoLoss", 3, () => {
  it("is ln 2 for every pair when the policy equals the reference, whatever β", () => {
    const ref = [-12, -3.5, -40];
    const rej = [-9, -20, -41];
    const lp = pairTensors({
      policyChosen: ref,
      policyRejected: rej,
      referenceChosen: ref,
      referenceRejected: rej,
    });
    for (const beta of [0.05, 1, 20]) {
      const l = ch.dpoLoss(lp, beta);
      near(l.dataSync(), [Math.LN2, Math.LN2, Math.LN2], 1e-6, `β=${beta}`);
      l.dispose();
    }
    tf.dispose(Object.values(lp));
  });

  it("equals PyTorch's DPO and cDPO losses and gradients (TRL's formula)", () => {
    const lp = pairTensors(FIX);
    for (const c of FIX.cases.filter((x) => x.type !== "ipo")) {
      const what = `${c.type} β=${c.beta} ε=${c.labelSmoothing}`;
      const before = tf.memory().numTensors;
      const l = ch.dpoLoss(lp, c.beta, c.labelSmoothing);
      assert.deepEqual(l.shape, [8], `${what}: one loss per pair`);
      near(l.dataSync(), c.losses, 2e-5, what);
      l.dispose();
      assert.equal(tf.memory().numTensors, before, `${what}: no tensor left behind`);
      const g = tf.grad((pc: tf.Tensor) =>
        tf.mean(ch.dpoLoss({ ...lp, policyChosen: pc as tf.Tensor1D }, c.beta, c.labelSmoothing)),
      )(lp.policyChosen);
      near(g.dataSync(), c.gradPolicyChosen, 1e-5, `${what} gradient`);
      g.dispose();
    }
    tf.dispose(Object.values(lp));
  });

  it("stays finite at huge margins: β·h = +1000, −1000, 0 give 0, 1000, ln 2", () => {
    const e = FIX.extreme;
    const lp = pairTensors(e);
    const l = ch.dpoLoss(lp, e.beta);
    near(l.dataSync(), e.losses, 1e-6, "extreme margins");
    tf.dispose([l, ...Object.values(lp)]);
  });
});
