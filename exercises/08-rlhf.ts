/**
 * Chapter 08 exercises: the three formulas RLHF is built from — the Bradley–Terry loss of a reward model,
 * generalised advantage estimation over one trajectory, and PPO's clipped surrogate objective.
 *
 * Write your answers here, replacing each `throw new NotImplemented(...)`. Grade them with
 * `npm run grade -- 08` (or the last cell of notebooks/08-rlhf.ipynb). The library calls these functions
 * (`align.bradleyTerryLoss`, `align.gae`, `align.clippedSurrogate`); its trainers run the same formulas on tensors.
 */
import { NotImplemented } from "../src/errors";

/**
 * Task 08.bradleyTerryLoss — the reward model's loss on preference pairs.
 *
 * The mean over pairs i of −log σ(chosen[i] − rejected[i]). Compute it stably: −log σ(d) = log(1 + e^(−d)),
 * and for large |d| either e^(−d) overflows or σ(d) rounds to 0 — split on the sign of d (softplus). Throw when
 * the arrays differ in length or are empty. Equal rewards give ln 2.
 */
export function bradleyTerryLoss(chosen: readonly number[], rejected: readonly number[]): number {
  void chosen;
  void rejected;
  throw new NotImplemented(
    "08.bradleyTerryLoss",
    "mean of softplus(−(r_c − r_r)), stable for large differences",
  );
}

/**
 * Task 08.gae — generalised advantage estimation over one trajectory of T steps.
 *
 * δₜ = rₜ + γ·V(t+1) − V(t), with V(T) = 0 (the trajectory ends); Aₜ = δₜ + γλ·A(t+1), going backwards from the
 * last step; returns Rₜ = Aₜ + V(t). Both outputs have length T. Throw when rewards and values differ in length
 * or γ, λ are outside [0, 1].
 */
export function gae(
  rewards: readonly number[],
  values: readonly number[],
  gamma: number,
  lambda: number,
): { advantages: number[]; returns: number[] } {
  void rewards;
  void values;
  void gamma;
  void lambda;
  throw new NotImplemented("08.gae", "a backwards loop over t carrying A(t+1); V after the last step is 0");
}

/**
 * Task 08.clippedSurrogate — PPO's policy loss.
 *
 * For each action i: ratio ρ = exp(logpNew[i] − logpOld[i]); its term is −min(ρ·A, clip(ρ, 1 − ε, 1 + ε)·A)
 * with A = advantages[i], ε = clip. Return the mean of the terms. Trap: the min must be taken of the products,
 * not of the ratios — for a negative advantage the clipped side is the other one.
 */
export function clippedSurrogate(
  logpNew: readonly number[],
  logpOld: readonly number[],
  advantages: readonly number[],
  clip: number,
): number {
  void logpNew;
  void logpOld;
  void advantages;
  void clip;
  throw new NotImplemented(
    "08.clippedSurrogate",
    "mean of −min(ρA, clip(ρ, 1−ε, 1+ε)A) with ρ = exp(new − old)",
  );
}
