/**
 * Chapter 09 exercises: the pieces of direct preference optimisation — the log-probability of a completion
 * under a mask, DPO's implicit reward, and the DPO loss (with conservative DPO's label smoothing).
 *
 * Write your answers here, replacing each `throw new NotImplemented(...)`. Grade them with
 * `npm run grade -- 09` (or the last cell of notebooks/09-dpo.ipynb). The library calls these functions
 * (`align.sequenceLogProbs`, `align.implicitReward`, `align.dpoLoss`), so notebooks 08 and 09 run your code.
 */
import * as tf from "@tensorflow/tfjs-core";
import { NotImplemented } from "../src/errors";
import type { GPT } from "../src/model";
import type { PairLogProbs } from "../src/align/dpo";
import { targetLogProbs } from "../src/align/logprobs";

// A helper you may use: targetLogProbs(logits [batch, time, V], targets [batch, time] int32) → [batch, time],
// log softmax(logits)[target] at every position, stable and trainable on WASM (no tf.gather gradient).
void targetLogProbs;

/**
 * Task 09.sequenceLogProbs — log π(completion | prompt) for each row of a batch: a sum over the completion only.
 *
 * `ids: [batch, time]` (int32 tensor or arrays, right-padded), `mask: [batch, time]` over the same positions: 1
 * where `ids[b][t]` is a completion token, 0 for prompt and padding. Position t's logits predict token t + 1, so:
 * inputs `ids[:, :-1]`, targets `ids[:, 1:]`, per-token log-probs `[batch, time − 1]` from
 * `model.forward(inputs)`, weighted by `mask[:, 1:]` and summed over time → `[batch]`. Gradients must flow to
 * the model (no dataSync in the computation). Throw when ids and mask differ in shape, and when the mask marks
 * position 0 (no token predicts it). Dispose every tensor you make except the result.
 */
export function sequenceLogProbs(
  model: GPT,
  ids: tf.Tensor2D | readonly (readonly number[])[],
  mask: tf.Tensor2D | readonly (readonly number[])[],
): tf.Tensor1D {
  void model;
  void ids;
  void mask;
  throw new NotImplemented(
    "09.sequenceLogProbs",
    "shift by one: the logits at t score ids[t + 1], so the mask that goes with them is mask[:, 1:]",
  );
}

/**
 * Task 09.implicitReward — β·(log π(y|x) − log π_ref(y|x)) for each completion.
 *
 * Inputs are sequence log-probs `[batch]` under the policy and the reference; returns `[batch]`. Use tf ops only
 * (it must be differentiable) and leave no intermediate tensor behind.
 */
export function implicitReward(
  policyLogProbs: tf.Tensor1D,
  referenceLogProbs: tf.Tensor1D,
  beta: number,
): tf.Tensor1D {
  void policyLogProbs;
  void referenceLogProbs;
  void beta;
  throw new NotImplemented("09.implicitReward", "a difference of log-probs, scaled by β");
}

/**
 * Task 09.dpoLoss — the DPO loss of each pair `[batch]` (not averaged).
 *
 * h = (policyChosen − referenceChosen) − (policyRejected − referenceRejected) (all `[batch]`), then
 * −(1 − ε)·log σ(β·h) − ε·log σ(−β·h), with ε = `labelSmoothing` (0: plain DPO). Must stay finite for |β·h| in
 * the thousands (−log σ(z) = softplus(−z) = log(1 + e^(−z)), never log of a σ that rounded to 0), must be
 * differentiable, and must leave no intermediate tensor behind.
 */
export function dpoLoss(lp: PairLogProbs, beta: number, labelSmoothing = 0): tf.Tensor1D {
  void lp;
  void beta;
  void labelSmoothing;
  void tf;
  throw new NotImplemented(
    "09.dpoLoss",
    "when the policy equals the reference every pair's loss is ln 2; large margins must not give NaN or Infinity",
  );
}
