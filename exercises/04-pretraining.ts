/**
 * Chapter 04 exercises: the four functions every step of pretraining runs — the cross-entropy loss, one AdamW
 * update, the warmup + cosine learning-rate schedule and global-norm gradient clipping.
 *
 * Write your answers here, replacing each `throw new NotImplemented(...)`. Grade them with
 * `npm run grade -- 04` (or the last cell of notebooks/04-pretraining.ipynb). These are the library's own
 * `train.crossEntropy`, `train.adamwUpdate` (what `train.AdamW` applies to every parameter), `train.warmupCosine`
 * and `train.clipByGlobalNorm`: in the student release the library re-exports them from this file, so
 * `train.trainLoop` and the notebook's training run your code (after `npm run build` and a kernel restart).
 *
 * Tensors: use `@tensorflow/tfjs-core` ops and wrap intermediate work in `tf.tidy`, so that a training loop
 * calling your function thousands of times leaves no tensors behind. tfjs differentiates whatever ops you use.
 */
import * as tf from "@tensorflow/tfjs-core";
import { NotImplemented } from "../src/errors";
import type { CrossEntropyOptions } from "../src/train/loss";
import type { AdamWHyper, AdamWSlot } from "../src/train/adamw";
import type { Schedule, ScheduleOptions } from "../src/train/schedule";

export type { CrossEntropyOptions, AdamWHyper, AdamWSlot, Schedule, ScheduleOptions };

/**
 * Task 04.crossEntropy — mean cross-entropy (nats) of logits against target ids, stable, with an ignore index
 * and label smoothing.
 *
 * `logits: [..., V]` (the model gives `[batch, time, V]`; treat it as n = size / V rows of V), `targets`: n ids
 * (an int32 tensor of any shape, e.g. `[batch, time]`, or a `number[]`), `options: CrossEntropyOptions` =
 * `{ ignoreIndex?: number (default −100); labelSmoothing?: number ε in [0, 1) (default 0) }`.
 *
 * For each row whose target is not `ignoreIndex`: loss = −Σᵥ wᵥ·log softmax(z)ᵥ with target weights
 * w = (1 − ε)·onehot(target) + ε/V (ε = 0: just −log softmax(z)_target). Return the mean over the kept rows as
 * a scalar tensor (rank 0); NaN when no row is kept. A target outside [0, V) that is not ignored is an error.
 * `[[0, 0]]` with target 0 gives ln 2; `[[1000, 999, −1000, 0]]` with target 1 gives 1.3133, not NaN.
 */
export function crossEntropy(
  logits: tf.Tensor,
  targets: tf.Tensor | number[],
  options: CrossEntropyOptions = {},
): tf.Scalar {
  void logits;
  void targets;
  void options;
  throw new NotImplemented(
    "04.crossEntropy",
    "log-softmax stays finite only if you subtract each row's max first (reduce over the last axis and keep " +
      "it, so it broadcasts over [n, V]); ignored rows count neither in the sum nor in the number you divide " +
      "by, and they need a valid id before any one-hot encoding",
  );
}

/**
 * Task 04.adamw — one AdamW update of one parameter, as `torch.optim.AdamW` does it.
 *
 * `slot: AdamWSlot` = `{ param, m, v: tf.Tensor (one shape); step: number }`, where `step` counts the
 * updates already done (0 before the first); `grad` has the parameter's shape; `h: AdamWHyper` =
 * `{ lr, beta1, beta2, eps, weightDecay: number }` (weightDecay λ is 0 for parameters that do not decay).
 *
 * With t = step + 1:  p ← p·(1 − lr·λ);  m ← β₁·m + (1 − β₁)·g;  v ← β₂·v + (1 − β₂)·g²;
 * p ← p − lr · (m / (1 − β₁ᵗ)) / (√(v / (1 − β₂ᵗ)) + ε).
 * Return new tensors `{ param, m, v, step: t }`; leave the inputs unchanged (do not dispose them).
 * Example: p = 1, g = 0.5, lr 0.1, β₁ 0.9, β₂ 0.99, λ 0.1 → after one update p = 0.89, m = 0.05, v = 0.0025.
 */
export function adamwUpdate(slot: AdamWSlot, grad: tf.Tensor, h: AdamWHyper): AdamWSlot {
  void slot;
  void grad;
  void h;
  throw new NotImplemented(
    "04.adamw",
    "the decay uses the old weights and is not part of the moments; the bias corrections use t = step + 1, " +
      "so the very first update divides m and v by (1 − β) and moves each weight by about lr",
  );
}

/**
 * Task 04.schedule — linear warmup then cosine decay, as a function of the step (0, 1, 2, …).
 *
 * `options: ScheduleOptions` = `{ maxLr: number; minLr?: number (default 0); warmupSteps: number;
 * totalSteps: number }`; the result is a `Schedule`, `(step: number) => number`.
 * step < warmupSteps: maxLr·(step + 1)/warmupSteps. warmupSteps ≤ step ≤ totalSteps: with
 * progress = (step − warmupSteps)/(totalSteps − warmupSteps), minLr + ½(1 + cos(π·progress))(maxLr − minLr).
 * After totalSteps: minLr. Throw an Error naming the option when maxLr ≤ 0, minLr is outside [0, maxLr], or
 * totalSteps ≤ warmupSteps.
 */
export function warmupCosine(options: ScheduleOptions): Schedule {
  void options;
  throw new NotImplemented(
    "04.schedule",
    "check the options once, then return a function of the step; the warmup's +1 makes step warmupSteps − 1 " +
      "reach maxLr, and the cosine starts at maxLr (progress 0) and ends at minLr (progress 1)",
  );
}

/**
 * Task 04.clip — global-norm gradient clipping, as `torch.nn.utils.clip_grad_norm_`.
 *
 * `grads`: tensors of any shapes (one per parameter). norm = √(Σ over all tensors Σ g²), one number for all of
 * them. If norm > maxNorm, multiply every gradient by maxNorm / (norm + 1e−6); otherwise keep them as they are.
 * Return `{ grads, norm }`: new tensors in the same order (also when nothing was clipped; the inputs stay
 * valid — the caller disposes both) and the norm before clipping as a number. maxNorm ≤ 0 is an error.
 * `[3]` and `[0, 4]` have norm 5; clipped to 1 they become `[3/5, 0, 4/5]` (up to the 1e−6).
 */
export function clipByGlobalNorm(grads: tf.Tensor[], maxNorm: number): { grads: tf.Tensor[]; norm: number } {
  void grads;
  void maxNorm;
  throw new NotImplemented(
    "04.clip",
    "one norm over all tensors together, not one per tensor (the direction of the whole update must be " +
      "kept); read it back as a number to compare it with maxNorm",
  );
}
