/**
 * Chapter 10 exercises: the arithmetic behind an evaluation — one Elo update, the Bradley–Terry log-likelihood and
 * one minorisation–maximisation step, a percentile bootstrap interval, bits per byte from a mean token loss, and
 * Cohen's κ.
 *
 * Write your answers here, replacing each `throw new NotImplemented(...)`. Grade them with
 * `npm run grade -- 10` (or the last cell of notebooks/10-evaluation.ipynb). The library calls these functions
 * (`evals.onlineElo`, `evals.bradleyTerry`, `evals.bootstrapRatings`' intervals, `evals.evaluateText`,
 * `evals.agreement`).
 */
import { NotImplemented } from "../src/errors";
import type { BootstrapInterval } from "../src/eval/bootstrap";
import { Rng } from "../src/random";
import { percentileInterval } from "../src/scaling/powerlaw";

// Helpers you may use: new Rng(seed).int(n) draws an index in [0, n); percentileInterval(values, level) reads the
// (1 − level)/2 and (1 + level)/2 percentiles off a list, interpolating linearly.
void Rng;
void percentileInterval;

/**
 * Task 10.eloUpdate — one Elo update after a game of a (rated `ra`) against b (rated `rb`) in which a scored `score`
 * (1 win, ½ tie, 0 loss).
 *
 * The expected score of a is E_a = 1 / (1 + base^((rb − ra) / scale)), and E_b = 1 / (1 + base^((ra − rb) / scale)).
 * Each rating moves by k times (actual − expected): return [ra', rb']. Defaults: k = 4, base = 10, scale = 400
 * (Chatbot Arena's). Throw an Error when score is outside [0, 1].
 */
export function eloUpdate(
  ra: number,
  rb: number,
  score: number,
  options: { k?: number; base?: number; scale?: number } = {},
): [number, number] {
  void ra;
  void rb;
  void score;
  void options;
  throw new NotImplemented(
    "10.eloUpdate",
    "expected score from the rating difference; b's actual score is 1 − score",
  );
}

/**
 * Task 10.btLogLikelihood — the Bradley–Terry log-likelihood of log-strengths θ (P(i beats j) = σ(θ_i − θ_j)).
 *
 * `wins[i][j]` counts i's wins over j (a tie already counted as ½ for each side). Sum, over every ordered pair
 * i ≠ j, wins[i][j] · log σ(θ_i − θ_j). Compute log σ(x) without overflow for large |x| (one form for x ≥ 0, another
 * for x < 0). Throw when θ and wins differ in length.
 */
export function btLogLikelihood(theta: ArrayLike<number>, wins: readonly ArrayLike<number>[]): number {
  void theta;
  void wins;
  throw new NotImplemented("10.btLogLikelihood", "a weighted sum of log-sigmoids of strength differences");
}

/**
 * Task 10.btMMStep — one minorisation–maximisation step (Zermelo; Hunter 2004) for Bradley–Terry.
 *
 * With strengths p_i = e^θ_i, total wins W_i = Σ_j wins[i][j] and games n_ij = wins[i][j] + wins[j][i]:
 * p_i' = W_i / Σ_{j ≠ i, n_ij > 0} n_ij / (p_i + p_j), all from the OLD p. Return θ' = log p', shifted so its
 * mean is 0. A model with no games keeps its θ (before the shift). Throw when θ and wins differ in length.
 */
export function btMMStep(theta: ArrayLike<number>, wins: readonly ArrayLike<number>[]): number[] {
  void theta;
  void wins;
  throw new NotImplemented("10.btMMStep", "compute every p_i' from the old strengths, then log and centre");
}

/**
 * Task 10.percentileBootstrap — the percentile bootstrap interval of `statistic(values)`.
 *
 * Options: rounds (default 1000), seed (default 0), level (default 0.95; throw unless 0 < level < 1). Make ONE
 * generator `new Rng(seed)`; for each round draw n = values.length indices with `rng.int(n)`, one after another,
 * build that resample and compute the statistic on it. Return `{ estimate: statistic(values), low, high }` with
 * low/high the (1 − level)/2 and (1 + level)/2 percentiles of the rounds' statistics (linear interpolation between
 * sorted values: percentile p sits at position (k − 1)·p).
 */
export function percentileBootstrap<T>(
  values: readonly T[],
  statistic: (sample: T[]) => number,
  options: { rounds?: number; seed?: number; level?: number } = {},
): BootstrapInterval {
  void values;
  void statistic;
  void options;
  throw new NotImplemented(
    "10.percentileBootstrap",
    "resample with replacement from one seeded generator, then percentiles",
  );
}

/**
 * Task 10.bitsPerByte — bits per byte from a mean token loss.
 *
 * A text of `bytes` UTF-8 bytes was cut into `tokens` tokens with mean loss `meanLossNats` (nats per token).
 * Return the total loss in bits divided by the bytes. Throw unless tokens > 0, bytes > 0 and meanLossNats ≥ 0.
 */
export function bitsPerByte(meanLossNats: number, tokens: number, bytes: number): number {
  void meanLossNats;
  void tokens;
  void bytes;
  throw new NotImplemented("10.bitsPerByte", "total nats → bits (divide by ln 2), then per byte");
}

/**
 * Task 10.cohenKappa — Cohen's κ between two judges' labels of the same items.
 *
 * κ = (p_o − p_e) / (1 − p_e): p_o the share of items labelled alike, p_e = Σ over labels of p_a(label)·p_b(label)
 * (each judge's own label frequencies). Return NaN when p_e = 1; throw when the lists differ in length or are empty.
 */
export function cohenKappa(a: readonly string[], b: readonly string[]): number {
  void a;
  void b;
  throw new NotImplemented(
    "10.cohenKappa",
    "observed agreement against the agreement the two label frequencies give by chance",
  );
}
