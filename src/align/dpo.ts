/**
 * Direct preference optimisation (Rafailov et al. 2023): the RLHF objective max E[r] − β·KL(π‖π_ref) has the
 * closed-form optimum π*(y|x) ∝ π_ref(y|x)·exp(r(x,y)/β), so r(x,y) = β·log π*(y|x)/π_ref(y|x) + β·log Z(x). Put
 * into the Bradley–Terry likelihood of a preference y_w ≻ y_l the partition function cancels, and the policy
 * itself is trained as the reward model:
 *
 *   L_DPO = −log σ(β·h),   h = [log π(y_w|x) − log π_ref(y_w|x)] − [log π(y_l|x) − log π_ref(y_l|x)].
 *
 * Everything here works on sequence log-probabilities (sums over the completion's tokens), tensors `[batch]`:
 * - `implicitReward`: β·(log π − log π_ref), the reward DPO's policy defines (up to a per-prompt constant);
 * - `dpoLoss`: the per-pair loss, with label smoothing ε (conservative DPO, Mitchell 2023: the label is
 *   flipped with probability ε, loss −(1−ε)·log σ(βh) − ε·log σ(−βh));
 * - `ipoLoss`: IPO (Azar et al. 2023), (h − 1/(2β))², which regresses the margin to a finite target instead of
 *   pushing it to infinity when the preferences are deterministic;
 * - `preferenceLoss`: checks its input and returns the mean loss with the rewards the trainer logs.
 */
import * as tf from "@tensorflow/tfjs-core";
import { GPT } from "../model";
import { Rng } from "../random";
import { AdamW, GradientAccumulator, warmupCosine } from "../train";
import { checkReference, sequenceLogProbs } from "./logprobs";
import {
  PreferenceBatch,
  PreferencePair,
  checkPair,
  disposePreferenceBatch,
  preferenceBatch,
} from "./preferences";

/** Sequence log-probabilities of a batch of preference pairs under the policy and the frozen reference, each `[batch]`. */
export interface PairLogProbs {
  policyChosen: tf.Tensor1D;
  policyRejected: tf.Tensor1D;
  referenceChosen: tf.Tensor1D;
  referenceRejected: tf.Tensor1D;
}

// @answer 09.implicitReward
/**
 * DPO's implicit reward of completions `[batch]`: β·(log π(y|x) − log π_ref(y|x)), from sequence log-probs under
 * the policy and the reference. It is the reward the policy is optimal for, up to β·log Z(x), which does not
 * depend on the completion (so differences between completions of one prompt are exact).
 */
export function implicitReward(
  policyLogProbs: tf.Tensor1D,
  referenceLogProbs: tf.Tensor1D,
  beta: number,
): tf.Tensor1D {
  return tf.tidy(() => tf.mul(tf.sub(policyLogProbs, referenceLogProbs), tf.scalar(beta)));
}
// @end-answer

// @answer 09.dpoLoss
/**
 * The DPO loss of each pair `[batch]` (not averaged): with h = (log π(y_w) − log π_ref(y_w)) − (log π(y_l) −
 * log π_ref(y_l)), −(1 − ε)·log σ(β·h) − ε·log σ(−β·h). ε = 0 is DPO; ε > 0 is conservative DPO, for labels
 * flipped with probability ε. −log σ(z) is computed stably as softplus(−z), so a huge |βh| gives no NaN.
 */
export function dpoLoss(lp: PairLogProbs, beta: number, labelSmoothing = 0): tf.Tensor1D {
  return tf.tidy(() => {
    const chosen = tf.sub(lp.policyChosen, lp.referenceChosen);
    const rejected = tf.sub(lp.policyRejected, lp.referenceRejected);
    const z = tf.mul(tf.sub(chosen, rejected), tf.scalar(beta));
    // −log σ(z) = softplus(−z), stable for any z.
    const agree = tf.mul(tf.softplus(tf.neg(z)), tf.scalar(1 - labelSmoothing));
    if (labelSmoothing === 0) return agree as tf.Tensor1D;
    return tf.add(agree, tf.mul(tf.softplus(z), tf.scalar(labelSmoothing))) as tf.Tensor1D;
  });
}
// @end-answer

/**
 * The IPO loss of each pair `[batch]`: (h − 1/(2β))² with h the log-ratio margin of `dpoLoss`. Its minimum is a
 * margin of 1/(2β) nats, however certain the preference: the policy cannot run off to infinite log-ratios.
 * (TRL's IPO averages log-probs over tokens; here h uses sums like DPO, so one β scale serves both.)
 */
export function ipoLoss(lp: PairLogProbs, beta: number): tf.Tensor1D {
  return tf.tidy(() => {
    const chosen = tf.sub(lp.policyChosen, lp.referenceChosen);
    const rejected = tf.sub(lp.policyRejected, lp.referenceRejected);
    return tf.square(tf.sub(tf.sub(chosen, rejected), tf.scalar(1 / (2 * beta)))) as tf.Tensor1D;
  });
}

/** Which preference loss: "dpo" (with `labelSmoothing` ε > 0 it is conservative DPO, "cdpo") or "ipo". */
export type PreferenceLossType = "dpo" | "cdpo" | "ipo";

export interface PreferenceLossOptions {
  /** β > 0: the strength of the KL leash (small β: the policy may move far from the reference). */
  beta: number;
  /** Default "dpo". */
  type?: PreferenceLossType;
  /** ε in [0, 0.5) for "cdpo" (default 0.1 there); must be 0 (or absent) for "dpo" and "ipo". */
  labelSmoothing?: number;
}

/** What `preferenceLoss` returns; the caller disposes the tensors. */
export interface PreferenceLossResult {
  /** Mean loss over the pairs (scalar, differentiable). */
  loss: tf.Scalar;
  /** Implicit rewards β·(log π − log π_ref) of the chosen and the rejected completions, `[batch]`. */
  chosenRewards: tf.Tensor1D;
  rejectedRewards: tf.Tensor1D;
}

/** The batch size of `lp`, after checking that the four tensors are `[batch]` with one batch size. */
export function checkPairLogProbs(lp: PairLogProbs, who = "preferenceLoss"): number {
  const names = ["policyChosen", "policyRejected", "referenceChosen", "referenceRejected"] as const;
  for (const n of names) {
    const t = lp[n];
    if (!t || t.rank !== 1)
      throw new Error(`${who}: ${n} must be a [batch] tensor of sequence log-probs, got shape [${t?.shape}]`);
  }
  const sizes = names.map((n) => lp[n].shape[0]);
  if (new Set(sizes).size !== 1)
    throw new Error(
      `${who}: the batch sizes differ (${names.map((n, i) => `${n} ${sizes[i]}`).join(", ")}); ` +
        "score the same pairs under the policy and the reference",
    );
  if (sizes[0] === 0) throw new Error(`${who}: the batch is empty`);
  return sizes[0];
}

/** β and ε checked and filled in; an error that says what to use otherwise. */
export function resolvePreferenceOptions(
  o: PreferenceLossOptions,
  who = "preferenceLoss",
): Required<PreferenceLossOptions> {
  const type = o.type ?? "dpo";
  if (type !== "dpo" && type !== "cdpo" && type !== "ipo")
    throw new Error(`${who}: unknown loss type "${String(type)}"; use "dpo", "cdpo" or "ipo"`);
  if (!(o.beta > 0) || !Number.isFinite(o.beta))
    throw new Error(
      `${who}: beta must be a finite number > 0, got ${o.beta} (typical values 0.05–0.5; β → 0 removes the KL leash)`,
    );
  const eps = o.labelSmoothing ?? (type === "cdpo" ? 0.1 : 0);
  if (type === "cdpo" && !(eps > 0 && eps < 0.5))
    throw new Error(`${who}: cdpo needs labelSmoothing in (0, 0.5), got ${eps}`);
  if (type !== "cdpo" && eps !== 0)
    throw new Error(
      `${who}: labelSmoothing ${eps} is conservative DPO; use type "cdpo" (it is not defined for "${type}")`,
    );
  return { beta: o.beta, type, labelSmoothing: eps };
}

/**
 * The mean preference loss of a batch and the implicit rewards of its chosen and rejected completions. Checks
 * β > 0, ε, and that the four log-prob tensors are `[batch]` of one size.
 */
export function preferenceLoss(lp: PairLogProbs, options: PreferenceLossOptions): PreferenceLossResult {
  checkPairLogProbs(lp);
  const { beta, type, labelSmoothing } = resolvePreferenceOptions(options);
  return tf.tidy(() => {
    const perPair = type === "ipo" ? ipoLoss(lp, beta) : dpoLoss(lp, beta, labelSmoothing);
    return {
      loss: tf.mean(perPair) as tf.Scalar,
      chosenRewards: implicitReward(lp.policyChosen, lp.referenceChosen, beta),
      rejectedRewards: implicitReward(lp.policyRejected, lp.referenceRejected, beta),
    };
  });
}

/** Summary numbers of a batch's implicit rewards (what the trainer logs). */
export interface RewardStats {
  /** Mean implicit reward of the chosen and the rejected completions. */
  chosen: number;
  rejected: number;
  /** Mean of chosen − rejected. */
  margin: number;
  /** Share of pairs whose chosen completion has the larger implicit reward (ties count as wrong). */
  accuracy: number;
}

/** Means, margin and preference accuracy from the rewards `[batch]` (reads them back; disposes nothing). */
export function rewardStats(chosenRewards: tf.Tensor1D, rejectedRewards: tf.Tensor1D): RewardStats {
  const c = chosenRewards.dataSync();
  const r = rejectedRewards.dataSync();
  let sc = 0;
  let sr = 0;
  let right = 0;
  for (let i = 0; i < c.length; i++) {
    sc += c[i];
    sr += r[i];
    if (c[i] > r[i]) right++;
  }
  const n = c.length;
  return { chosen: sc / n, rejected: sr / n, margin: (sc - sr) / n, accuracy: right / n };
}

// ------------------------------------------------------------------------------------------------- training

/** Sequence log-probs of pairs' chosen and rejected completions under one model (plain numbers, one per pair). */
export interface PairScores {
  chosen: Float32Array;
  rejected: Float32Array;
}

export interface ScoreOptions {
  /** Pairs per forward pass (default 32; the chosen and rejected sides share it). */
  batchSize?: number;
  /** Input id at padded positions (masked out; any valid id, default 0). */
  padId?: number;
}

/** The chosen and rejected rows of a padded preference batch as one `[2·batch, time]` batch: chosen first. */
function bothSides(b: PreferenceBatch): { ids: tf.Tensor2D; mask: tf.Tensor2D } {
  return {
    ids: tf.concat([b.chosen.ids, b.rejected.ids], 0) as tf.Tensor2D,
    mask: tf.concat([b.chosen.mask, b.rejected.mask], 0) as tf.Tensor2D,
  };
}

/**
 * Sequence log-probs (sums over each completion's tokens, `align.sequenceLogProbs`) of every pair's chosen and
 * rejected completion under `model`, without gradients. DPO's reference is frozen, so its scores are computed
 * once before training (TRL's `precompute_ref_log_probs`); the policy's are computed again at every step.
 */
export function scorePairs(
  model: GPT,
  pairs: readonly PreferencePair[],
  options: ScoreOptions = {},
): PairScores {
  const { batchSize = 32, padId = 0 } = options;
  const chosen = new Float32Array(pairs.length);
  const rejected = new Float32Array(pairs.length);
  for (let start = 0; start < pairs.length; start += batchSize) {
    const part = pairs.slice(start, start + batchSize);
    const b = preferenceBatch(part, { padId, maxLength: model.config.contextLength });
    try {
      const lp = tf.tidy(() => {
        const s = bothSides(b);
        return sequenceLogProbs(model, s.ids, s.mask).dataSync();
      });
      for (let i = 0; i < part.length; i++) {
        chosen[start + i] = lp[i];
        rejected[start + i] = lp[part.length + i];
      }
    } finally {
      disposePreferenceBatch(b);
    }
  }
  return { chosen, rejected };
}

/** What the DPO trainer reports after each step (means over the step's batch). */
export interface DpoStepInfo extends RewardStats {
  step: number;
  loss: number;
  lr: number;
  /** Global gradient norm before clipping. */
  gradNorm: number;
  /** Positions in the step's batch (both sides, padded) and the wall time of the step. */
  tokens: number;
  ms: number;
}

/** The preference loss and implicit-reward statistics of a set of pairs (held-out evaluation). */
export interface DpoEvaluation extends RewardStats {
  loss: number;
  pairs: number;
}

/**
 * The preference loss and implicit-reward statistics of `pairs` for a policy against its reference (no
 * gradients). Pass the reference's `scorePairs` of the same pairs as `referenceScores`.
 */
export function evaluatePreferences(
  policy: GPT,
  pairs: readonly PreferencePair[],
  referenceScores: PairScores,
  options: PreferenceLossOptions & ScoreOptions,
): DpoEvaluation {
  if (referenceScores.chosen.length !== pairs.length)
    throw new Error(
      `evaluatePreferences: ${referenceScores.chosen.length} reference scores for ${pairs.length} pairs; score the same pairs`,
    );
  const p = scorePairs(policy, pairs, options);
  return tf.tidy(() => {
    const r = preferenceLoss(
      {
        policyChosen: tf.tensor1d(p.chosen),
        policyRejected: tf.tensor1d(p.rejected),
        referenceChosen: tf.tensor1d(referenceScores.chosen),
        referenceRejected: tf.tensor1d(referenceScores.rejected),
      },
      options,
    );
    return {
      loss: r.loss.dataSync()[0],
      pairs: pairs.length,
      ...rewardStats(r.chosenRewards, r.rejectedRewards),
    };
  });
}

export interface DpoOptions {
  /** The policy, trained in place (start it from the reference: the SFT model). */
  policy: GPT;
  /** The frozen reference (the SFT model, a separate copy); it must share the policy's vocabulary. */
  reference: GPT;
  pairs: readonly PreferencePair[];
  steps: number;
  /** Pairs per step (default 16). */
  batchSize?: number;
  /** β (default 0.1), the loss type (default "dpo") and ε for "cdpo". */
  beta?: number;
  type?: PreferenceLossType;
  labelSmoothing?: number;
  /** Peak learning rate (default 1e-4), warmup 10 % of the steps, cosine to a tenth. */
  lr?: number;
  weightDecay?: number;
  clipNorm?: number;
  /** Draws the batches (default 0). */
  seed?: number;
  /** Input id at padded positions (default 0). */
  padId?: number;
  /** The reference's scores of `pairs`, when already computed (else `scorePairs` runs first). */
  referenceScores?: PairScores;
  onStep?: (info: DpoStepInfo) => void | Promise<void>;
}

export interface DpoResult {
  history: DpoStepInfo[];
  /** The reference's scores of the training pairs (reuse them for another run on the same pairs). */
  referenceScores: PairScores;
}

/**
 * DPO (or IPO, cDPO) on preference pairs: the reference's sequence log-probs once, then per step a batch of
 * pairs drawn with replacement, the policy's log-probs of both sides in one forward pass, `preferenceLoss`,
 * gradients, and chapter 04's update (`train.GradientAccumulator`: clip by global norm, AdamW with warmup +
 * cosine). Every step runs in `tf.tidy`: `tf.memory().numTensors` is flat across steps.
 */
export async function dpo(o: DpoOptions): Promise<DpoResult> {
  const { steps, batchSize = 16, lr = 1e-4, weightDecay = 0, clipNorm = 1, seed = 0, padId = 0 } = o;
  const loss = resolvePreferenceOptions(
    { beta: o.beta ?? 0.1, type: o.type, labelSmoothing: o.labelSmoothing },
    "dpo",
  );
  checkReference(o.policy, o.reference, "dpo");
  if (!Number.isInteger(steps) || steps < 1)
    throw new Error(`dpo: steps must be a positive integer, got ${steps}`);
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new Error(`dpo: batchSize must be a positive integer, got ${batchSize}`);
  if (o.pairs.length === 0) throw new Error("dpo: no preference pairs");
  o.pairs.forEach(checkPair);
  const ctx = o.policy.config.contextLength;
  const long = o.pairs.findIndex((p) => p.prompt.length + Math.max(p.chosen.length, p.rejected.length) > ctx);
  if (long >= 0)
    throw new Error(
      `dpo: pair ${long} is longer than the context of ${ctx} tokens; drop it or shorten its prompt`,
    );
  const ref = o.referenceScores ?? scorePairs(o.reference, o.pairs, { padId });
  if (ref.chosen.length !== o.pairs.length)
    throw new Error(`dpo: ${ref.chosen.length} reference scores for ${o.pairs.length} pairs`);
  const schedule = warmupCosine({
    maxLr: lr,
    minLr: lr / 10,
    warmupSteps: Math.max(1, Math.round(steps / 10)),
    totalSteps: steps,
  });
  const optimizer = new AdamW(o.policy.params, { weightDecay });
  const rng = new Rng(seed);
  const vars = o.policy.variables();
  const history: DpoStepInfo[] = [];
  try {
    for (let s = 0; s < steps; s++) {
      const t0 = performance.now();
      const rows = Array.from({ length: batchSize }, () => rng.int(o.pairs.length));
      const batch = preferenceBatch(
        rows.map((i) => o.pairs[i]),
        { padId, maxLength: ctx },
      );
      const acc = new GradientAccumulator();
      let stats: RewardStats;
      let value: number;
      try {
        const refChosen = tf.tensor1d(rows.map((i) => ref.chosen[i]));
        const refRejected = tf.tensor1d(rows.map((i) => ref.rejected[i]));
        const both = bothSides(batch);
        let rewards: [tf.Tensor1D, tf.Tensor1D] | null = null;
        try {
          const { value: v, grads } = tf.variableGrads(() => {
            const lp = sequenceLogProbs(o.policy, both.ids, both.mask);
            const r = preferenceLoss(
              {
                policyChosen: tf.slice(lp, 0, batchSize) as tf.Tensor1D,
                policyRejected: tf.slice(lp, batchSize, batchSize) as tf.Tensor1D,
                referenceChosen: refChosen,
                referenceRejected: refRejected,
              },
              loss,
            );
            rewards = [tf.keep(r.chosenRewards), tf.keep(r.rejectedRewards)];
            return r.loss;
          }, vars);
          value = v.dataSync()[0];
          v.dispose();
          const [c, r] = rewards as unknown as [tf.Tensor1D, tf.Tensor1D];
          stats = rewardStats(c, r);
          acc.add({ loss: value, grads: vars.map((x) => grads[x.name] ?? tf.zerosLike(x)) });
        } finally {
          tf.dispose([refChosen, refRejected, both.ids, both.mask, ...(rewards ?? [])]);
        }
        const lrNow = schedule(s);
        const res = acc.apply(o.policy, optimizer, lrNow, { clipNorm });
        if (!res.finite)
          throw new Error(
            `dpo: step ${s + 1}: loss ${res.loss}, gradient norm ${res.gradNorm} is not finite; lower the learning rate`,
          );
        const ms = performance.now() - t0;
        const info: DpoStepInfo = {
          step: s + 1,
          loss: value,
          lr: lrNow,
          gradNorm: res.gradNorm,
          tokens: 2 * batch.size * batch.time,
          ms,
          ...stats,
        };
        history.push(info);
        if (o.onStep) await o.onStep(info);
      } finally {
        acc.dispose();
        disposePreferenceBatch(batch);
      }
      await new Promise((res) => setImmediate(res));
    }
  } finally {
    optimizer.dispose();
  }
  return { history, referenceScores: ref };
}
