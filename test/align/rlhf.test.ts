/**
 * Chapter 08 library tests: the plain-number formulas by hand (BT loss, GAE, clipped objectives, best-of-n KL,
 * the KL controller), their tensor twins against them, a reward model that learns a preference it can see,
 * PPO that raises its reward model's score with `numTensors` flat over 50 iterations, and best-of-n.
 */
import * as assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import {
  AdaptiveKlController,
  PreferencePair,
  Ppo,
  RewardModel,
  bestOfN,
  bestOfNKl,
  bestOfNSweep,
  bradleyTerryLoss,
  bradleyTerryLossTensor,
  clippedSurrogate,
  clippedValueLoss,
  evaluateRewardModel,
  gae,
  trainRewardModel,
  whiten,
} from "../../src/align";
import { initBackend } from "../../src/backend";
import { GPT } from "../../src/model";
import { ASSISTANT, END, USER, byteChatTokenizer, idPair, tinyConfig } from "./fixture";

const close = (a: number, b: number, tol = 1e-9, what = "") =>
  assert.ok(Math.abs(a - b) <= tol, `${what} ${a} vs ${b}`);

const TINY = tinyConfig(260, 16);

before(async () => {
  await initBackend({ quiet: true });
});

describe("align: RLHF formulas by hand", () => {
  it("Bradley–Terry loss: ln 2 at equal rewards, softplus(−Δ) otherwise, shift-invariant; the tensor form agrees", () => {
    close(bradleyTerryLoss([1, -3], [1, -3]), Math.LN2);
    close(bradleyTerryLoss([2], [0]), Math.log(1 + Math.exp(-2)));
    close(bradleyTerryLoss([0], [2]), Math.log(1 + Math.exp(2)));
    close(bradleyTerryLoss([1000], [0]), 0);
    close(bradleyTerryLoss([0], [1000]), 1000);
    close(bradleyTerryLoss([1.5, 0.2], [0.3, 0.9]), bradleyTerryLoss([11.5, 10.2], [10.3, 10.9]), 1e-12);
    const t = bradleyTerryLossTensor(tf.tensor1d([1.5, 0.2, -4]), tf.tensor1d([0.3, 0.9, 3]));
    close(t.dataSync()[0], bradleyTerryLoss([1.5, 0.2, -4], [0.3, 0.9, 3]), 1e-5);
    assert.throws(() => bradleyTerryLoss([1], [1, 2]), /different lengths/);
  });

  it("GAE: λ = 1 gives Monte-Carlo returns, λ = 0 one-step TD errors, and a 3-step case by hand", () => {
    const r = [0, 0, 1];
    const v = [0.5, 0.2, 0.4];
    const mc = gae(r, v, 1, 1);
    assert.deepEqual(
      mc.returns.map((x) => +x.toFixed(12)),
      [1, 1, 1],
    );
    const td = gae(r, v, 1, 0);
    [0 + 0.2 - 0.5, 0 + 0.4 - 0.2, 1 - 0.4].forEach((d, i) => close(td.advantages[i], d, 1e-12));
    // γ = 0.9, λ = 0.5: δ = [0.9·0.2 − 0.5, 0.9·0.4 − 0.2, 1 − 0.4] = [−0.32, 0.16, 0.6];
    // A₂ = 0.6, A₁ = 0.16 + 0.45·0.6 = 0.43, A₀ = −0.32 + 0.45·0.43 = −0.1265.
    const g = gae(r, v, 0.9, 0.5);
    [-0.1265, 0.43, 0.6].forEach((a, i) => close(g.advantages[i], a, 1e-12, `A${i}`));
    g.returns.forEach((x, i) => close(x, g.advantages[i] + v[i], 1e-12));
    assert.throws(() => gae([1], [1], 1.5, 0.9), /gamma and lambda/);
  });

  it("clipped surrogate: ratio 1 gives −mean(A); gains stop at 1 ± ε in the advantage's direction", () => {
    close(clippedSurrogate([0, 0], [0, 0], [1, -2], 0.2), 0.5);
    // Ratio 2 with A = 1: min(2, 1.2)·1 → −1.2. Ratio 2 with A = −1: min(−2, −1.2) = −2 → +2 (no clipping on the bad side).
    close(clippedSurrogate([Math.LN2], [0], [1], 0.2), -1.2, 1e-12);
    close(clippedSurrogate([Math.LN2], [0], [-1], 0.2), 2, 1e-12);
    // Ratio 0.5: A = 1 → −0.5 (unclipped, worse); A = −1 → −min(−0.5, −0.8) = 0.8.
    close(clippedSurrogate([-Math.LN2], [0], [1], 0.2), -0.5, 1e-12);
    close(clippedSurrogate([-Math.LN2], [0], [-1], 0.2), 0.8, 1e-12);
  });

  it("clipped value loss, whitening, best-of-n KL and the adaptive KL controller", () => {
    // V moves 1.0 from V_old = 0 with clip 0.2: V_clip = 0.2; R = 1: max(0, 0.64)/2 = 0.32.
    close(clippedValueLoss([1], [0], [1], 0.2), 0.32, 1e-12);
    close(clippedValueLoss([0.1], [0], [1], 0.2), 0.5 * 0.81, 1e-12);
    const w = whiten([1, 2, 3, 4]);
    close(
      w.reduce((a, b) => a + b, 0),
      0,
      1e-12,
    );
    close(w[3], 1.5 / Math.sqrt(1.25), 1e-7);
    close(bestOfNKl(1), 0);
    close(bestOfNKl(2), Math.LN2 - 0.5, 1e-12);
    close(bestOfNKl(16), Math.log(16) - 15 / 16, 1e-12);
    const k = new AdaptiveKlController(0.2, 6, 10000);
    close(k.update(12, 100), 0.2 * (1 + 0.2 * 0.01), 1e-12); // error clipped to +0.2
    close(k.update(6, 100), 0.2 * 1.002, 1e-12); // on target: unchanged
    assert.ok(k.update(0, 1000) < 0.2);
  });
});

/** Pairs whose chosen completion ends in "!" and the rejected one in "?": visible to a reward model. */
function toyPairs(n: number): PreferencePair[] {
  return Array.from({ length: n }, (_, i) => {
    const body = [97 + (i % 7), 98 + (i % 5)];
    return idPair([USER, 65 + (i % 3), END, ASSISTANT], [...body, 33, END], [...body, 63, END], {
      passage: `p${i}`,
    });
  });
}

describe("align: reward model, PPO and best-of-n", () => {
  it("a reward model learns a preference it can see (held-out accuracy 1) with flat tensor counts", async () => {
    const rm = new RewardModel(new GPT(TINY, 1), { seed: 1 });
    const pairs = toyPairs(40);
    const before = tf.memory().numTensors;
    const log = await trainRewardModel({
      rewardModel: rm,
      pairs: pairs.slice(0, 30),
      padId: END,
      steps: 40,
      batchSize: 8,
      lr: 1e-2,
    });
    assert.equal(tf.memory().numTensors, before);
    assert.ok(log[log.length - 1].loss < log[0].loss, `loss ${log[0].loss} → ${log[log.length - 1].loss}`);
    const ev = evaluateRewardModel(rm, pairs.slice(30), END);
    assert.equal(ev.accuracy, 1);
    assert.ok(ev.margin > 0);
    assert.equal(tf.memory().numTensors, before);
    // The head round-trips through named tensors (how the registry stores it).
    const head = rm.head();
    const copy = new RewardModel(new GPT(TINY, 1), { head });
    copy.trunk.setParams(rm.trunk.params);
    const a = rm.scoreSequences([pairs[0].prompt.concat(pairs[0].chosen)], END);
    const b = copy.scoreSequences([pairs[0].prompt.concat(pairs[0].chosen)], END);
    close(a[0], b[0], 1e-5);
    tf.dispose([...head.values()]);
    copy.dispose();
    rm.dispose();
  });

  it("PPO raises the reward model's score, and numTensors stays flat over 50 iterations", async function () {
    this.timeout(240000);
    const tok = byteChatTokenizer();
    // The reward model: a random trunk whose head is trained to like completions with "!" (toy pairs).
    const rm = new RewardModel(new GPT(TINY, 7), { seed: 2 });
    await trainRewardModel({
      rewardModel: rm,
      pairs: toyPairs(30),
      padId: END,
      steps: 30,
      batchSize: 8,
      lr: 1e-2,
    });
    const policy = new GPT(TINY, 3);
    const reference = new GPT(TINY, 3);
    const prompts = [0, 1, 2].map((i) => [USER, 65 + i, END, ASSISTANT]);
    const ppo = new Ppo({
      policy,
      reference,
      rewardModel: rm,
      tokenizer: tok,
      prompts,
      batchSize: 8,
      minibatches: 2,
      epochs: 2,
      maxNewTokens: 6,
      lr: 3e-3,
      klCoef: 0.05,
      seed: 1,
    });
    const rewards: number[] = [];
    let before = 0;
    for (let i = 1; i <= 50; i++) {
      const s = await ppo.step();
      rewards.push(s.reward);
      assert.ok(
        Number.isFinite(s.kl) && Number.isFinite(s.valueLoss) && s.clipFraction >= 0 && s.clipFraction <= 1,
      );
      if (i === 2) before = tf.memory().numTensors;
      if (i > 2) assert.equal(tf.memory().numTensors, before, `iteration ${i}`);
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    assert.ok(
      mean(rewards.slice(-10)) > mean(rewards.slice(0, 10)),
      `reward ${mean(rewards.slice(0, 10))} → ${mean(rewards.slice(-10))}`,
    );
    // Best-of-n with the same reward model: the best of 8 scores at least as well as the first sample.
    const b1 = bestOfN(reference, rm, tok, prompts, 1, { maxNewTokens: 6, seed: 5 });
    const b8 = bestOfN(reference, rm, tok, prompts, 8, { maxNewTokens: 6, seed: 5 });
    b8.forEach((b, i) => assert.ok(b.reward >= b1[i].reward - 1e-6));
    // The sweep draws max(ns) samples per prompt once; its n = 8 point is best-of-8 with the same seeds, and the
    // reward-model score can only grow with n (a maximum over a longer prefix of the same samples).
    const sweep = bestOfNSweep(reference, [rm], tok, prompts, [1, 2, 8], { maxNewTokens: 6, seed: 5 });
    assert.deepEqual(
      sweep.map((p) => p.n),
      [1, 2, 8],
    );
    close(sweep[2].reward, b8.reduce((a, b) => a + b.reward, 0) / b8.length, 1e-5, "n = 8");
    close(sweep[2].kl, bestOfNKl(8), 1e-12);
    assert.ok(sweep[0].reward <= sweep[1].reward + 1e-6 && sweep[1].reward <= sweep[2].reward + 1e-6);
    ppo.dispose();
    [policy, reference].forEach((m) => m.dispose());
    rm.dispose();
  });

  it("Ppo rejects a reference with another vocabulary and prompts too long for the context", () => {
    const tok = byteChatTokenizer();
    const rm = new RewardModel(new GPT(TINY, 0));
    const policy = new GPT(TINY, 0);
    const other = new GPT({ ...TINY, vocabSize: 300 }, 0);
    assert.throws(
      () => new Ppo({ policy, reference: other, rewardModel: rm, tokenizer: tok, prompts: [[1]] }),
      /vocabulary of 260 ids, the reference 300/,
    );
    const ref = new GPT(TINY, 0);
    assert.throws(
      () =>
        new Ppo({
          policy,
          reference: ref,
          rewardModel: rm,
          tokenizer: tok,
          prompts: [Array(10).fill(1)],
          maxNewTokens: 8,
        }),
      /prompt 0 has 10 tokens/,
    );
    [policy, other, ref].forEach((m) => m.dispose());
    rm.dispose();
  });
});
