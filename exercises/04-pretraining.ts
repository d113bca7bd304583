/**
 * Chapter 04 exercises: the maths of pretraining on plain arrays — cross-entropy, one AdamW step, the
 * warmup + cosine learning-rate schedule and global-norm gradient clipping.
 *
 * Write your answers here, replacing each `throw new NotImplemented(...)`. Grade them with
 * `npm run grade -- 04` (or the last cell of notebooks/04-pretraining.ipynb). The library's tensor versions
 * (`train.crossEntropy`, `train.AdamW`, `train.clipByGlobalNorm`) are tested against these.
 */
import { NotImplemented } from "../src/errors";
import type { AdamWHyper, AdamWSlot } from "../src/train/reference";
import type { Schedule, ScheduleOptions } from "../src/train/schedule";

/**
 * Task 04.crossEntropy — mean cross-entropy from logits, stable, with an ignore index and label smoothing.
 *
 * For each row i whose target is not `ignoreIndex` (default −100): log softmax(z)ᵥ = zᵥ − m − log Σⱼ exp(zⱼ − m)
 * with m = max z; the loss is −Σᵥ wᵥ·log softmax(z)ᵥ with w = (1 − ε)·onehot(target) + ε/V (ε =
 * `labelSmoothing`, default 0). Return the mean over the kept rows (NaN if none). A target outside [0, V)
 * is an error.
 */
export function crossEntropyRows(
  logits: number[][],
  targets: number[],
  options: { ignoreIndex?: number; labelSmoothing?: number } = {},
): number {
  void logits;
  void targets;
  void options;
  throw new NotImplemented(
    "04.crossEntropy",
    "subtract the row max before Math.exp; skip rows with the ignore index",
  );
}

/**
 * Task 04.adamw — one AdamW update of one parameter array, as PyTorch does it.
 *
 * t = slot.step + 1. p ← p·(1 − lr·weightDecay); m ← β₁·m + (1 − β₁)·g; v ← β₂·v + (1 − β₂)·g²;
 * p ← p − lr · (m / (1 − β₁ᵗ)) / (√(v / (1 − β₂ᵗ)) + ε). Return new arrays `{ param, m, v, step: t }`
 * without changing the inputs.
 */
export function adamwStep(slot: AdamWSlot, grad: number[], h: AdamWHyper): AdamWSlot {
  void slot;
  void grad;
  void h;
  throw new NotImplemented("04.adamw", "decay first, then the moments, then the bias-corrected step");
}

/**
 * Task 04.schedule — linear warmup then cosine decay, as a function of the step (0, 1, 2, …).
 *
 * step < warmupSteps: maxLr·(step + 1)/warmupSteps. warmupSteps ≤ step ≤ totalSteps: with
 * progress = (step − warmupSteps)/(totalSteps − warmupSteps), minLr + ½(1 + cos(π·progress))(maxLr − minLr).
 * After totalSteps: minLr. minLr defaults to 0. Throw an Error naming the option when maxLr ≤ 0,
 * minLr is outside [0, maxLr], or totalSteps ≤ warmupSteps.
 */
export function warmupCosine(options: ScheduleOptions): Schedule {
  void options;
  throw new NotImplemented("04.schedule", "return (step) => …, with the three cases of the comment");
}

/**
 * Task 04.clip — global-norm gradient clipping.
 *
 * norm = √(Σ over all arrays Σ g²). If norm > maxNorm, multiply every entry by maxNorm / (norm + 1e−6);
 * otherwise return copies unchanged. Return `{ grads, norm }` with the norm before clipping.
 */
export function clipGradNorm(grads: number[][], maxNorm: number): { grads: number[][]; norm: number } {
  void grads;
  void maxNorm;
  throw new NotImplemented("04.clip", "one norm over all arrays together, not one per array");
}
