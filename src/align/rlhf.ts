/**
 * Chapter 08's maths on plain numbers, to read and check: the Bradley–Terry loss of a reward model,
 * generalised advantage estimation over one trajectory, PPO's clipped surrogate and clipped value losses, the
 * adaptive KL controller and the KL of best-of-n. The trainers (`reward-model.ts`, `ppo.ts`) run the same
 * formulas on tensors; the tests check that the two agree.
 */

/** log(1 + e^x) without overflow. */
export function softplus(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

function sameLength(what: string, ...arrays: (readonly number[])[]): number {
  const n = arrays[0].length;
  for (const a of arrays)
    if (a.length !== n)
      throw new Error(`${what}: arrays of different lengths (${arrays.map((x) => x.length).join(", ")})`);
  if (n === 0) throw new Error(`${what}: empty input`);
  return n;
}

// @answer 08.bradleyTerryLoss
/**
 * The Bradley–Terry loss of a reward model on preference pairs: the mean over pairs of
 * −log σ(r_chosen − r_rejected) = softplus(−(r_chosen − r_rejected)), computed stably (no log of a σ that
 * underflows). It is the negative log-likelihood of the labels under P(chosen ≻ rejected) = σ(r_c − r_r);
 * only differences of rewards matter, so adding a constant to every reward leaves it unchanged.
 */
export function bradleyTerryLoss(chosen: readonly number[], rejected: readonly number[]): number {
  const n = sameLength("bradleyTerryLoss", chosen, rejected);
  let s = 0;
  for (let i = 0; i < n; i++) s += softplus(-(chosen[i] - rejected[i]));
  return s / n;
}
// @end-answer

// @answer 08.gae
/**
 * Generalised advantage estimation (Schulman et al. 2016) over one trajectory of T steps that ends (the value
 * after the last step is 0): δₜ = rₜ + γ·V(t+1) − V(t), Aₜ = δₜ + γλ·A(t+1) computed backwards, and the value
 * targets (returns) Rₜ = Aₜ + V(t). λ = 1 gives the Monte-Carlo return minus V; λ = 0 the one-step TD error.
 */
export function gae(
  rewards: readonly number[],
  values: readonly number[],
  gamma: number,
  lambda: number,
): { advantages: number[]; returns: number[] } {
  const T = sameLength("gae", rewards, values);
  if (!(gamma >= 0 && gamma <= 1) || !(lambda >= 0 && lambda <= 1))
    throw new Error(`gae: gamma and lambda must be in [0, 1], got ${gamma} and ${lambda}`);
  const advantages = new Array<number>(T);
  let next = 0;
  for (let t = T - 1; t >= 0; t--) {
    const nextValue = t + 1 < T ? values[t + 1] : 0;
    const delta = rewards[t] + gamma * nextValue - values[t];
    next = delta + gamma * lambda * next;
    advantages[t] = next;
  }
  return { advantages, returns: advantages.map((a, t) => a + values[t]) };
}
// @end-answer

// @answer 08.clippedSurrogate
/**
 * PPO's clipped surrogate loss (Schulman et al. 2017) over a set of actions: with the probability ratio
 * ρ = exp(log π_new − log π_old), the mean of −min(ρ·A, clip(ρ, 1 − ε, 1 + ε)·A). Minimising it raises the
 * probability of actions with positive advantage, but gains nothing once ρ leaves [1 − ε, 1 + ε] in the
 * advantage's direction (the pessimistic bound), which keeps each update close to the policy that sampled.
 */
export function clippedSurrogate(
  logpNew: readonly number[],
  logpOld: readonly number[],
  advantages: readonly number[],
  clip: number,
): number {
  const n = sameLength("clippedSurrogate", logpNew, logpOld, advantages);
  if (!(clip > 0)) throw new Error(`clippedSurrogate: clip must be > 0, got ${clip}`);
  let s = 0;
  for (let i = 0; i < n; i++) {
    const ratio = Math.exp(logpNew[i] - logpOld[i]);
    const clipped = Math.min(Math.max(ratio, 1 - clip), 1 + clip);
    s += -Math.min(ratio * advantages[i], clipped * advantages[i]);
  }
  return s / n;
}
// @end-answer

/**
 * PPO's clipped value loss (as in OpenAI's baselines and TRL): the new value prediction may move at most ε_v
 * from the rollout's value, V_clip = V_old + clip(V − V_old, −ε_v, ε_v), and the loss is the mean of
 * ½·max((V − R)², (V_clip − R)²).
 */
export function clippedValueLoss(
  values: readonly number[],
  oldValues: readonly number[],
  returns: readonly number[],
  clip: number,
): number {
  const n = sameLength("clippedValueLoss", values, oldValues, returns);
  let s = 0;
  for (let i = 0; i < n; i++) {
    const vc = oldValues[i] + Math.min(Math.max(values[i] - oldValues[i], -clip), clip);
    s += 0.5 * Math.max((values[i] - returns[i]) ** 2, (vc - returns[i]) ** 2);
  }
  return s / n;
}

/** (x − mean) / std over all entries (population std, + 1e-8), as PPO whitens its advantages. */
export function whiten(xs: readonly number[]): number[] {
  const n = xs.length;
  if (n === 0) return [];
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / n;
  const std = Math.sqrt(variance) + 1e-8;
  return xs.map((x) => (x - mean) / std);
}

/**
 * The KL divergence between best-of-n sampling and the policy it samples from: log n − (n − 1)/n (Stiennon et
 * al. 2020, appendix; exact when the scores have no ties).
 */
export function bestOfNKl(n: number): number {
  if (!Number.isInteger(n) || n < 1) throw new Error(`bestOfNKl: n must be a positive integer, got ${n}`);
  return Math.log(n) - (n - 1) / n;
}

/**
 * The adaptive KL controller of Ziegler et al. (2019): after each batch, β ← β·(1 + clip(KL/target − 1,
 * −0.2, 0.2)·n/horizon), with n the samples of the batch: β grows while the policy drifts faster than the
 * target and shrinks otherwise.
 */
export class AdaptiveKlController {
  value: number;
  readonly target: number;
  readonly horizon: number;

  constructor(initial: number, target: number, horizon = 10000) {
    if (!(initial >= 0) || !(target > 0) || !(horizon > 0))
      throw new Error(
        `AdaptiveKlController: need initial ≥ 0, target > 0, horizon > 0; got ${initial}, ${target}, ${horizon}`,
      );
    this.value = initial;
    this.target = target;
    this.horizon = horizon;
  }

  update(kl: number, samples: number): number {
    const error = Math.min(Math.max(kl / this.target - 1, -0.2), 0.2);
    this.value *= 1 + (error * samples) / this.horizon;
    return this.value;
  }
}
