/**
 * Library tests of chapter 09's losses (src/align/dpo.ts): DPO, conservative DPO and IPO against PyTorch's
 * values (test/fixtures/torch/dpo.json, made by make_dpo_fixtures.py with TRL's formulas), gradients by
 * autograd there and by tfjs here, hand cases (ln 2 when the policy is the reference; IPO's minimum at a
 * margin of 1/(2β)), stability at huge margins, and the input checks.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import {
  PairLogProbs,
  dpo,
  dpoLoss,
  evaluatePreferences,
  ipoLoss,
  preferenceLoss,
  rewardStats,
  scorePairs,
} from "../../src/align/dpo";
import { sequenceLogProbs } from "../../src/align/logprobs";
import { meanSe } from "../../src/align/frontier";
import { PreferencePair } from "../../src/align/preferences";
import { initBackend } from "../../src/backend";
import { GPT } from "../../src/model";
import { idPair, tinyConfig } from "./fixture";
import { allClose as near } from "../fixtures/close";

interface DpoCase {
  type: "dpo" | "cdpo" | "ipo";
  beta: number;
  labelSmoothing: number;
  losses: number[];
  mean: number;
  chosenRewards: number[];
  rejectedRewards: number[];
  gradPolicyChosen: number[];
  gradPolicyRejected: number[];
}
interface DpoFixture {
  policyChosen: number[];
  policyRejected: number[];
  referenceChosen: number[];
  referenceRejected: number[];
  cases: DpoCase[];
  extreme: {
    policyChosen: number[];
    policyRejected: number[];
    referenceChosen: number[];
    referenceRejected: number[];
    beta: number;
    losses: number[];
  };
}

const FIX = JSON.parse(
  fs.readFileSync(path.join(__dirname, "..", "fixtures", "torch", "dpo.json"), "utf8"),
) as DpoFixture;

function pairs(f: Omit<PairLogProbs, never> | Record<keyof PairLogProbs, number[]>): PairLogProbs {
  const r = f as Record<keyof PairLogProbs, number[]>;
  return {
    policyChosen: tf.tensor1d(r.policyChosen),
    policyRejected: tf.tensor1d(r.policyRejected),
    referenceChosen: tf.tensor1d(r.referenceChosen),
    referenceRejected: tf.tensor1d(r.referenceRejected),
  };
}

describe("align: DPO, cDPO and IPO losses (src/align/dpo.ts)", () => {
  before(async () => {
    await initBackend({ quiet: true });
  });

  it("equal PyTorch's per-pair losses, mean, rewards and gradients for every case", () => {
    const lp = pairs(FIX);
    for (const c of FIX.cases) {
      const what = `${c.type} β=${c.beta} ε=${c.labelSmoothing}`;
      const per = c.type === "ipo" ? ipoLoss(lp, c.beta) : dpoLoss(lp, c.beta, c.labelSmoothing);
      near(per.dataSync(), c.losses, 2e-5, `${what} losses`);
      per.dispose();
      const options = { beta: c.beta, type: c.type, labelSmoothing: c.labelSmoothing };
      const r = preferenceLoss(lp, options);
      near(r.loss.dataSync(), [c.mean], 2e-5, `${what} mean`);
      near(r.chosenRewards.dataSync(), c.chosenRewards, 2e-5, `${what} chosen rewards`);
      near(r.rejectedRewards.dataSync(), c.rejectedRewards, 2e-5, `${what} rejected rewards`);
      tf.dispose([r.loss, r.chosenRewards, r.rejectedRewards]);
      const g = tf.grads((pc: tf.Tensor, pr: tf.Tensor) =>
        tf.tidy(() => {
          const out = preferenceLoss(
            { ...lp, policyChosen: pc as tf.Tensor1D, policyRejected: pr as tf.Tensor1D },
            options,
          );
          return out.loss;
        }),
      )([lp.policyChosen, lp.policyRejected]);
      near(g[0].dataSync(), c.gradPolicyChosen, 1e-5, `${what} d/dπ_c`);
      near(g[1].dataSync(), c.gradPolicyRejected, 1e-5, `${what} d/dπ_r`);
      tf.dispose(g);
    }
    tf.dispose(Object.values(lp));
  });

  it("is ln 2 for every pair when the policy is the reference (any β), with zero rewards and gradient ∓β/2", () => {
    const ref = [-12, -3.5, -40];
    const rej = [-9, -20, -41];
    const lp = pairs({
      policyChosen: ref,
      policyRejected: rej,
      referenceChosen: ref,
      referenceRejected: rej,
    });
    for (const beta of [0.01, 0.1, 1, 10]) {
      const r = preferenceLoss(lp, { beta });
      near(r.loss.dataSync(), [Math.LN2], 1e-6, `β=${beta}`);
      near(r.chosenRewards.dataSync(), [0, 0, 0], 0, "chosen rewards");
      const s = rewardStats(r.chosenRewards, r.rejectedRewards);
      assert.equal(s.accuracy, 0, "ties count as wrong");
      tf.dispose([r.loss, r.chosenRewards, r.rejectedRewards]);
      // d/dπ_c of mean(−log σ(βh)) at h = 0 is −β·σ(0)/n = −β/(2n).
      const g = tf.grad(
        (pc: tf.Tensor) => preferenceLoss({ ...lp, policyChosen: pc as tf.Tensor1D }, { beta }).loss,
      )(lp.policyChosen);
      near(g.dataSync(), [-beta / 6, -beta / 6, -beta / 6], 1e-6, `gradient β=${beta}`);
      g.dispose();
    }
    // cDPO at h = 0 is ln 2 too ((1 − ε)·ln 2 + ε·ln 2); IPO is (1/(2β))².
    const c = preferenceLoss(lp, { beta: 0.5, type: "cdpo", labelSmoothing: 0.2 });
    near(c.loss.dataSync(), [Math.LN2], 1e-6, "cdpo");
    const i = preferenceLoss(lp, { beta: 0.5, type: "ipo" });
    near(i.loss.dataSync(), [1], 1e-6, "ipo (1/(2·0.5))² = 1");
    tf.dispose([c.loss, c.chosenRewards, c.rejectedRewards, i.loss, i.chosenRewards, i.rejectedRewards]);
    tf.dispose(Object.values(lp));
  });

  it("IPO is 0 at a margin of 1/(2β); cDPO is smallest at the margin log((1−ε)/ε)/β, not at infinity", () => {
    const beta = 0.25;
    const at = (h: number, type: "ipo" | "cdpo") => {
      const lp = pairs({
        policyChosen: [h],
        policyRejected: [0],
        referenceChosen: [0],
        referenceRejected: [0],
      });
      const r = preferenceLoss(lp, { beta, type, labelSmoothing: type === "cdpo" ? 0.1 : undefined });
      const v = r.loss.dataSync()[0];
      tf.dispose([r.loss, r.chosenRewards, r.rejectedRewards, ...Object.values(lp)]);
      return v;
    };
    near([at(1 / (2 * beta), "ipo")], [0], 1e-6, "IPO at its target");
    assert.ok(at(3, "ipo") > 0 && at(1, "ipo") > 0);
    const hStar = Math.log(0.9 / 0.1) / beta; // σ(βh) = 1 − ε
    const best = at(hStar, "cdpo");
    assert.ok(best < at(hStar * 0.8, "cdpo") && best < at(hStar * 1.25, "cdpo"), "minimum at h*");
    assert.ok(at(100, "cdpo") > best + 1, "cDPO does not reward an infinite margin");
  });

  it("stays finite at huge margins (stable log σ): β·h = +1000, −1000, 0 → 0, 1000, ln 2", () => {
    const e = FIX.extreme;
    const lp = pairs(e);
    const per = dpoLoss(lp, e.beta);
    near(per.dataSync(), e.losses, 1e-6, "extreme");
    tf.dispose([per, ...Object.values(lp)]);
  });

  it("rejects β ≤ 0, mismatched batch sizes, a non-[batch] tensor, an empty batch and bad label smoothing", () => {
    const lp = pairs({
      policyChosen: [-1, -2],
      policyRejected: [-1, -2],
      referenceChosen: [-1, -2],
      referenceRejected: [-1, -2],
    });
    assert.throws(() => preferenceLoss(lp, { beta: 0 }), /beta must be a finite number > 0, got 0/);
    assert.throws(() => preferenceLoss(lp, { beta: -0.1 }), /beta/);
    assert.throws(() => preferenceLoss(lp, { beta: NaN }), /beta/);
    const short = tf.tensor1d([-1]);
    assert.throws(
      () => preferenceLoss({ ...lp, referenceRejected: short }, { beta: 0.1 }),
      /batch sizes differ.*referenceRejected 1/,
    );
    const matrix = tf.tensor2d([[-1, -2]]);
    assert.throws(
      () => preferenceLoss({ ...lp, policyChosen: matrix as unknown as tf.Tensor1D }, { beta: 0.1 }),
      /policyChosen must be a \[batch\] tensor/,
    );
    const empty = tf.tensor1d([]);
    assert.throws(
      () =>
        preferenceLoss(
          { policyChosen: empty, policyRejected: empty, referenceChosen: empty, referenceRejected: empty },
          { beta: 0.1 },
        ),
      /empty/,
    );
    assert.throws(() => preferenceLoss(lp, { beta: 0.1, labelSmoothing: 0.1 }), /use type "cdpo"/);
    assert.throws(() => preferenceLoss(lp, { beta: 0.1, type: "cdpo", labelSmoothing: 0.5 }), /\(0, 0.5\)/);
    assert.throws(() => preferenceLoss(lp, { beta: 0.1, type: "kto" as "dpo" }), /unknown loss type "kto"/);
    tf.dispose([short, matrix, empty, ...Object.values(lp)]);
  });

  it("leaves no tensor behind", () => {
    const lp = pairs(FIX);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) {
      const r = preferenceLoss(lp, { beta: 0.1, type: i % 2 ? "ipo" : "cdpo" });
      tf.dispose([r.loss, r.chosenRewards, r.rejectedRewards]);
    }
    assert.equal(tf.memory().numTensors, before);
    tf.dispose(Object.values(lp));
  });
});

const TINY = tinyConfig(12, 12);

/** Pairs over ids 0–11: the prompt [1, 2] or [3], chosen completions of 5s and 6s, rejected ones of 7s (lengths differ). */
function toyPairs(): PreferencePair[] {
  const make = (prompt: number[], chosen: number[], rejected: number[]) => idPair(prompt, chosen, rejected);
  return [
    make([1, 2], [5, 6, 5], [7, 7]),
    make([3], [6, 5], [7, 8, 7, 7]),
    make([1, 2], [5, 5], [7, 7, 7]),
    make([3], [6], [8, 7]),
  ];
}

describe("align: the DPO trainer (src/align/dpo.ts)", () => {
  before(async () => {
    await initBackend({ quiet: true });
  });

  it("scorePairs equals sequenceLogProbs of each side alone (padding and batching change nothing)", () => {
    const m = new GPT(TINY, 3);
    const pairs = toyPairs();
    const s = scorePairs(m, pairs, { batchSize: 3, padId: 11 });
    pairs.forEach((p, i) => {
      for (const [side, got] of [
        ["chosen", s.chosen[i]],
        ["rejected", s.rejected[i]],
      ] as const) {
        const ids = [...p.prompt, ...p[side]];
        const mask = ids.map((_, t) => (t >= p.prompt.length ? 1 : 0));
        const lp = sequenceLogProbs(m, [ids], [mask]);
        near([got], [lp.dataSync()[0]], 1e-5, `pair ${i} ${side}`);
        lp.dispose();
      }
    });
    m.dispose();
  });

  it("learns the preferences: accuracy 1, growing margins, loss below ln 2; numTensors flat", async () => {
    const reference = new GPT(TINY, 1);
    const policy = new GPT(TINY, 1);
    const pairs = toyPairs();
    const counts: number[] = [];
    const before = evaluatePreferences(policy, pairs, scorePairs(reference, pairs), { beta: 0.5 });
    near([before.loss], [Math.LN2], 1e-5, "the policy starts as the reference");
    const r = await dpo({
      policy,
      reference,
      pairs,
      steps: 30,
      batchSize: 4,
      beta: 1,
      lr: 1e-2,
      onStep: () => {
        counts.push(tf.memory().numTensors);
      },
    });
    const last = r.history[r.history.length - 1];
    assert.equal(r.history.length, 30);
    assert.ok(last.loss < 0.2, `final loss ${last.loss}`);
    assert.equal(last.accuracy, 1);
    assert.ok(last.margin > r.history[0].margin + 1, `margins ${r.history[0].margin} → ${last.margin}`);
    assert.ok(last.chosen > 0 && last.rejected < 0, "chosen up, rejected down");
    assert.equal(counts[counts.length - 1], counts[1], "tensor count flat across steps");
    const after = evaluatePreferences(policy, pairs, r.referenceScores, { beta: 1 });
    assert.equal(after.accuracy, 1);
    // The reference did not move.
    const again = scorePairs(reference, pairs);
    near(again.chosen, [...r.referenceScores.chosen], 1e-6, "reference unchanged");
    // IPO and cDPO run on the same machinery.
    for (const type of ["ipo", "cdpo"] as const) {
      const p2 = new GPT(TINY, 1);
      const r2 = await dpo({
        policy: p2,
        reference,
        pairs,
        steps: 20,
        batchSize: 4,
        beta: 0.5,
        lr: 1e-2,
        type,
      });
      assert.equal(r2.history[r2.history.length - 1].accuracy, 1, type);
      p2.dispose();
    }
    tf.dispose([policy, reference].flatMap((m) => m.variables()));
  });

  it("rejects a reference with another vocabulary, β ≤ 0, identical or empty completions, pairs longer than the context", async () => {
    const policy = new GPT(TINY, 1);
    const other = new GPT({ ...TINY, vocabSize: 13 }, 1);
    const reference = new GPT(TINY, 2);
    const pairs = toyPairs();
    await assert.rejects(
      dpo({ policy, reference: other, pairs, steps: 1 }),
      /vocabulary of 12 ids, the reference 13/,
    );
    await assert.rejects(
      dpo({ policy, reference, pairs, steps: 1, beta: 0 }),
      /beta must be a finite number > 0/,
    );
    const same = { ...pairs[0], rejected: [...pairs[0].chosen] };
    await assert.rejects(dpo({ policy, reference, pairs: [same], steps: 1 }), /identical/);
    const empty = { ...pairs[0], chosen: [] };
    await assert.rejects(dpo({ policy, reference, pairs: [empty], steps: 1 }), /empty completion/);
    const long = { ...pairs[0], chosen: Array.from({ length: 12 }, () => 5) };
    await assert.rejects(
      dpo({ policy, reference, pairs: [long], steps: 1 }),
      /longer than the context of 12/,
    );
    [policy, other, reference].forEach((m) => m.dispose());
  });
});

describe("align: frontier helpers (src/align/frontier.ts)", () => {
  it("meanSe gives the mean and the standard error of the mean", () => {
    const r = meanSe([1, 2, 3, 4]);
    near([r.mean, r.se], [2.5, Math.sqrt(5 / 3 / 4)], 1e-12, "mean, se");
    assert.ok(Number.isNaN(meanSe([]).mean));
  });
});
