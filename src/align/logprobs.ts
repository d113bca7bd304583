/**
 * Log-probabilities of sequences under a GPT, the quantity every preference method is built on (chapters 08
 * and 09): per-token log-probs of given ids, their sum over a completion mask, and estimators of the KL
 * divergence between a policy and a frozen reference from the tokens the policy sampled.
 *
 * Conventions. A batch is `ids: [batch, time]` (int32, right-padded) with a mask `[batch, time]` over the same
 * positions: `mask[b][t] = 1` when `ids[b][t]` is a completion token (one the policy wrote), 0 for the prompt
 * and the padding. Position t's logits predict token t + 1, so per-token log-probs are `[batch, time − 1]`:
 * `logp[b][t] = log π(ids[b][t+1] | ids[b][0..t])`, and the mask that goes with them is `mask[:, 1:]`
 * (`shiftMask`). Everything returns tensors that gradients flow through, and trains on WASM: the target's
 * log-prob is picked with a one-hot product and its gradient (onehot − softmax) is written out, so no
 * `tf.gather` gradient (an UnsortedSegmentSum, missing on WASM) is needed.
 */
import * as tf from "@tensorflow/tfjs-core";
import { withGrad } from "../backend/ops";
import { GPT } from "../model";

type Ids = tf.Tensor2D | readonly (readonly number[])[];

function toInt2d(x: Ids, what: string): tf.Tensor2D {
  if (x instanceof tf.Tensor) {
    if (x.rank !== 2) throw new Error(`${what} must be [batch, time], got shape [${x.shape}]`);
    if (x.dtype !== "int32") throw new Error(`${what} must be int32, got ${x.dtype}`);
    return x;
  }
  const rows = x as readonly (readonly number[])[];
  if (rows.length === 0) throw new Error(`${what}: no rows`);
  const T = rows[0].length;
  rows.forEach((r, b) => {
    if (r.length !== T)
      throw new Error(
        `${what}: row ${b} has ${r.length} entries, row 0 has ${T}; pad the rows to one length`,
      );
  });
  return tf.tensor2d(
    rows.map((r) => [...r]),
    [rows.length, T],
    "int32",
  );
}

function toFloat2d(x: tf.Tensor2D | readonly (readonly number[])[], what: string): tf.Tensor2D {
  if (x instanceof tf.Tensor) {
    if (x.rank !== 2) throw new Error(`${what} must be [batch, time], got shape [${x.shape}]`);
    return x.dtype === "float32" ? x : (tf.cast(x, "float32") as tf.Tensor2D);
  }
  const rows = x as readonly (readonly number[])[];
  if (rows.length === 0) throw new Error(`${what}: no rows`);
  const T = rows[0].length;
  rows.forEach((r, b) => {
    if (r.length !== T) throw new Error(`${what}: row ${b} has ${r.length} entries, row 0 has ${T}`);
  });
  return tf.tensor2d(
    rows.map((r) => [...r]),
    [rows.length, T],
    "float32",
  );
}

function sameShape(a: readonly number[], b: readonly number[], what: string): void {
  if (a.join(",") !== b.join(","))
    throw new Error(`${what}: shapes differ, [${a}] and [${b}]; give one value per position`);
}

/**
 * `log softmax(logits)[target]` at every position: `logits: [batch, time, V]`, int32 `targets: [batch, time]`
 * → `[batch, time]`. Stable (row maximum subtracted); the gradient with respect to the logits is
 * dy · (onehot(target) − softmax), written out (one Exp over the logits, no gather).
 */
export function targetLogProbs(logits: tf.Tensor3D, targets: tf.Tensor2D): tf.Tensor2D {
  if (logits.rank !== 3)
    throw new Error(`targetLogProbs: logits must be [batch, time, V], got [${logits.shape}]`);
  const [B, T, V] = logits.shape;
  sameShape([B, T], targets.shape, "targetLogProbs: logits [batch, time] and targets");
  if (targets.dtype !== "int32")
    throw new Error(`targetLogProbs: targets must be int32, got ${targets.dtype}`);
  const t = targets.dataSync();
  for (let i = 0; i < t.length; i++) {
    if (!(t[i] >= 0 && t[i] < V))
      throw new Error(`targetLogProbs: target ${t[i]} at flat position ${i} is outside [0, ${V})`);
  }
  const n = B * T;
  const f = withGrad(([z], save) => {
    const { value, probs, onehot } = tf.tidy(() => {
      const z2 = tf.reshape(z, [n, V]);
      const shifted = tf.sub(z2, tf.max(z2, 1, true));
      const e = tf.exp(shifted);
      const sumE = tf.sum(e, 1, true);
      // int32 one-hot, then cast: WASM's OneHot with a float32 output writes zeros (tfjs 4.22).
      const oh = tf.cast(tf.oneHot(tf.reshape(targets, [n]) as tf.Tensor1D, V), "float32");
      const picked = tf.sum(tf.mul(shifted, oh), 1);
      const v = tf.reshape(tf.sub(picked, tf.reshape(tf.log(sumE), [n])), [B, T]);
      return { value: v, probs: tf.div(e, sumE), onehot: oh };
    });
    save([probs, onehot]);
    return {
      value,
      gradFunc: (dy, saved) => {
        const [p, oh] = saved;
        return tf.reshape(tf.mul(tf.sub(oh, p), tf.reshape(dy, [n, 1])), [B, T, V]);
      },
    };
  });
  return f(logits) as tf.Tensor2D;
}

/** Entropy of the next-token distribution at every position, `[batch, time, V]` → `[batch, time]` (nats; no gradient needed). */
export function tokenEntropy(logits: tf.Tensor3D): tf.Tensor2D {
  return tf.tidy(() => {
    const logp = tf.logSoftmax(logits);
    return tf.neg(tf.sum(tf.mul(tf.exp(logp), logp), -1)) as tf.Tensor2D;
  });
}

/**
 * Per-token log-probs of `ids: [batch, time]` under `model`: `[batch, time − 1]`, entry t = log π(ids[t+1] |
 * ids[..t]). Gradients flow to the model's parameters (use inside `tf.variableGrads`). With `entropy` the
 * entropies of the predicted distributions `[batch, time − 1]` are pushed there too (for logging).
 */
export function tokenLogProbs(model: GPT, ids: Ids, options: { entropy?: tf.Tensor2D[] } = {}): tf.Tensor2D {
  const idsT = toInt2d(ids, "tokenLogProbs: ids");
  try {
    const [B, T] = idsT.shape;
    if (T < 2) throw new Error(`tokenLogProbs: sequences need at least 2 tokens, got ${T}`);
    return tf.tidy(() => {
      const x = tf.slice(idsT, [0, 0], [B, T - 1]) as tf.Tensor2D;
      const y = tf.slice(idsT, [0, 1], [B, T - 1]) as tf.Tensor2D;
      const logits = model.forward(x);
      if (options.entropy) options.entropy.push(tf.keep(tokenEntropy(logits)));
      return targetLogProbs(logits, y);
    });
  } finally {
    if (idsT !== ids) idsT.dispose();
  }
}

/** The mask that goes with per-token log-probs: `mask[:, 1:]` of a `[batch, time]` mask over ids → `[batch, time − 1]`. */
export function shiftMask(mask: tf.Tensor2D | readonly (readonly number[])[]): tf.Tensor2D {
  const m = toFloat2d(mask, "shiftMask: mask");
  try {
    const [B, T] = m.shape;
    if (T < 2) throw new Error(`shiftMask: the mask needs at least 2 positions, got ${T}`);
    return tf.slice(m, [0, 1], [B, T - 1]) as tf.Tensor2D;
  } finally {
    if (m !== mask) m.dispose();
  }
}

/** Σₜ values[b][t] · mask[b][t]: `[batch, time]` and a same-shaped 0/1 mask → `[batch]`. */
export function maskedSum(
  values: tf.Tensor2D,
  mask: tf.Tensor2D | readonly (readonly number[])[],
): tf.Tensor1D {
  const m = toFloat2d(mask, "maskedSum: mask");
  try {
    sameShape(values.shape, m.shape, "maskedSum: values and mask");
    return tf.sum(tf.mul(values, m), 1) as tf.Tensor1D;
  } finally {
    if (m !== mask) m.dispose();
  }
}

/** Σₜ values · mask / Σₜ mask per row → `[batch]` (rows with an empty mask give 0). */
export function maskedMean(
  values: tf.Tensor2D,
  mask: tf.Tensor2D | readonly (readonly number[])[],
): tf.Tensor1D {
  const m = toFloat2d(mask, "maskedMean: mask");
  try {
    sameShape(values.shape, m.shape, "maskedMean: values and mask");
    return tf.tidy(() => tf.div(tf.sum(tf.mul(values, m), 1), tf.maximum(tf.sum(m, 1), 1))) as tf.Tensor1D;
  } finally {
    if (m !== mask) m.dispose();
  }
}

// @answer 09.sequenceLogProbs
/**
 * The log-probability of each row's completion: Σ over positions t with `mask[b][t] = 1` of log π(ids[b][t] |
 * ids[b][..t]), for `ids, mask: [batch, time]` (mask over ids, see the module doc) → `[batch]`, with gradients.
 * Position 0 has no prediction, so a mask that marks it is an error (a completion follows a prompt).
 */
export function sequenceLogProbs(
  model: GPT,
  ids: tf.Tensor2D | readonly (readonly number[])[],
  mask: tf.Tensor2D | readonly (readonly number[])[],
): tf.Tensor1D {
  const idsT = toInt2d(ids, "sequenceLogProbs: ids");
  const m = toFloat2d(mask, "sequenceLogProbs: mask");
  try {
    sameShape(idsT.shape, m.shape, "sequenceLogProbs: ids and mask");
    const first = tf.tidy(() => tf.sum(tf.slice(m, [0, 0], [m.shape[0], 1])).dataSync()[0]);
    if (first !== 0)
      throw new Error(
        "sequenceLogProbs: the mask marks position 0, which no token predicts; start it after the prompt",
      );
    return tf.tidy(() => maskedSum(tokenLogProbs(model, idsT), shiftMask(m)));
  } finally {
    if (idsT !== ids) idsT.dispose();
    if (m !== mask) m.dispose();
  }
}
// @end-answer

/**
 * Estimators of KL(π ‖ π_ref) from tokens sampled from π (Schulman, "Approximating KL divergence", 2020), with
 * log r = log π_ref(x) − log π(x):
 * - k1 = −log r: unbiased, high variance, negative on some samples;
 * - k2 = ½ (log r)²: biased (low for nearby policies), low variance, ≥ 0;
 * - k3 = (r − 1) − log r: unbiased and ≥ 0 (the one the comparison of chapter 09 reports).
 */
export type KlEstimator = "k1" | "k2" | "k3";

/** The per-token KL estimate from policy and reference log-probs of the sampled tokens (same shapes). */
export function klPerToken(
  policyLogp: tf.Tensor,
  referenceLogp: tf.Tensor,
  estimator: KlEstimator = "k1",
): tf.Tensor {
  sameShape(policyLogp.shape, referenceLogp.shape, "klPerToken: policy and reference log-probs");
  return tf.tidy(() => {
    const logR = tf.sub(referenceLogp, policyLogp);
    if (estimator === "k1") return tf.neg(logR);
    if (estimator === "k2") return tf.mul(tf.square(logR), 0.5);
    if (estimator === "k3") return tf.sub(tf.sub(tf.exp(logR), 1), logR);
    throw new Error(`klPerToken: unknown estimator ${JSON.stringify(estimator)}; use "k1", "k2" or "k3"`);
  });
}

/** The KL estimate of whole completions: per-token estimates summed over the mask `[batch, time − 1]` → `[batch]`. */
export function sequenceKl(
  policyLogp: tf.Tensor2D,
  referenceLogp: tf.Tensor2D,
  mask: tf.Tensor2D | readonly (readonly number[])[],
  estimator: KlEstimator = "k1",
): tf.Tensor1D {
  return tf.tidy(() => maskedSum(klPerToken(policyLogp, referenceLogp, estimator) as tf.Tensor2D, mask));
}

/**
 * Checks that a reference model can score the policy's tokens: the same vocabulary size and a context at least
 * as long. A reference with another vocabulary reads the same ids as other tokens, so every log-ratio would be
 * meaningless.
 */
export function checkReference(policy: GPT, reference: GPT, what = "reference"): void {
  if (policy === reference)
    throw new Error(
      `${what}: the reference is the policy itself; pass a frozen copy (e.g. load the model twice)`,
    );
  const pv = policy.config.vocabSize;
  const rv = reference.config.vocabSize;
  if (pv !== rv)
    throw new Error(
      `${what}: the policy has a vocabulary of ${pv} ids, the reference ${rv}; both must use one tokenizer ` +
        "(start the policy from the reference, e.g. the same SFT model loaded twice)",
    );
  if (reference.config.contextLength < policy.config.contextLength)
    throw new Error(
      `${what}: the reference's context (${reference.config.contextLength}) is shorter than the policy's ` +
        `(${policy.config.contextLength})`,
    );
}
