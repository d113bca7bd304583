/**
 * Ratings from pairwise votes, as Chatbot Arena computes them: the win-rate matrix; online Elo (each vote moves
 * the two ratings by K·(score − expected), in the order the votes came); Bradley–Terry maximum likelihood
 * (P(i beats j) = 1 / (1 + 10^((R_j − R_i)/400)), fitted to all votes at once, so the order does not matter; a
 * tie counts as half a win for each side); bootstrap intervals of the ratings and of the ranks.
 *
 * A vote is `{ a, b, winner }` with winner "a", "b" or "tie" (LLMFAO's left/right votes convert with
 * `fromLeftRight`).
 */
import { bootstrapResamples, percentileInterval } from "../scaling/powerlaw";

/** Who won a comparison. */
export type Winner = "a" | "b" | "tie";

/** One verdict between two models. */
export interface Comparison {
  a: string;
  b: string;
  winner: Winner;
}

/** Elo's constants; Chatbot Arena's online Elo used K = 4, base 10, scale 400, initial 1000. */
export interface EloOptions {
  k?: number;
  base?: number;
  scale?: number;
  initial?: number;
}

/** Converts left/right/tie verdicts (LLMFAO's files) to comparisons with a = left, b = right. */
export function fromLeftRight(
  votes: readonly { left: string; right: string; winner: string }[],
): Comparison[] {
  return votes.map((v, i) => {
    const w = v.winner;
    if (w !== "left" && w !== "right" && w !== "tie") {
      throw new Error(`vote ${i}: winner must be "left", "right" or "tie", got ${JSON.stringify(w)}`);
    }
    return { a: v.left, b: v.right, winner: w === "left" ? "a" : w === "right" ? "b" : "tie" };
  });
}

/** The score of side a: 1 for a win, 0 for a loss, ½ for a tie; an unknown value is an error naming the vote. */
function scoreA(c: Comparison, i: number): number {
  if (c.winner === "a") return 1;
  if (c.winner === "b") return 0;
  if (c.winner === "tie") return 0.5;
  throw new Error(
    `vote ${i} (${c.a} vs ${c.b}): winner must be "a", "b" or "tie", got ${JSON.stringify(c.winner)}`,
  );
}

/**
 * Checks votes and returns the models in order: `models` when given (every vote must name two of them, each
 * must have a vote), else every model named, in order of first appearance. A vote of a model against itself,
 * an unknown model or an unknown winner value is an error naming the vote.
 */
export function modelsOf(votes: readonly Comparison[], models?: readonly string[]): string[] {
  const list = models ? [...models] : [];
  const known = new Set(list);
  if (models && known.size !== list.length) throw new Error("ratings: the model list names a model twice");
  const seen = new Set<string>();
  votes.forEach((c, i) => {
    scoreA(c, i);
    for (const m of [c.a, c.b]) {
      if (typeof m !== "string" || m.length === 0)
        throw new Error(`vote ${i}: model names must be non-empty strings, got ${JSON.stringify(m)}`);
      if (models && !known.has(m)) {
        throw new Error(
          `vote ${i} names "${m}", which is not in the list of ${list.length} models; add it to the list or drop the vote`,
        );
      }
      if (!models && !seen.has(m)) list.push(m);
      seen.add(m);
    }
    if (c.a === c.b) throw new Error(`vote ${i}: "${c.a}" against itself`);
  });
  if (models) {
    const idle = list.filter((m) => !seen.has(m));
    if (idle.length > 0) {
      throw new Error(
        `ratings: ${idle.map((m) => `"${m}"`).join(", ")} ${idle.length === 1 ? "has" : "have"} no votes, so no ` +
          `rating can be estimated; drop ${idle.length === 1 ? "it" : "them"} from the model list`,
      );
    }
  }
  if (list.length < 2) throw new Error(`ratings: need votes between at least two models, got ${list.length}`);
  return list;
}

/**
 * Pairwise totals: `wins[i][j]` = votes model i won against j plus ½ per tie between them, `games[i][j]` = votes
 * between them (symmetric). Rows and columns in the order of `models`.
 */
export interface PairCounts {
  models: string[];
  wins: Float64Array[];
  games: Float64Array[];
}

/** Counts wins (ties as ½ each) and games per pair; `weights[k]` counts vote k that many times (bootstrap). */
export function pairCounts(
  votes: readonly Comparison[],
  models?: readonly string[],
  weights?: ArrayLike<number>,
): PairCounts {
  const list = modelsOf(votes, models);
  const index = new Map(list.map((m, i) => [m, i]));
  const m = list.length;
  const wins = Array.from({ length: m }, () => new Float64Array(m));
  const games = Array.from({ length: m }, () => new Float64Array(m));
  votes.forEach((c, k) => {
    const w = weights ? weights[k] : 1;
    if (w === 0) return;
    const i = index.get(c.a) as number;
    const j = index.get(c.b) as number;
    const s = scoreA(c, k);
    wins[i][j] += w * s;
    wins[j][i] += w * (1 - s);
    games[i][j] += w;
    games[j][i] += w;
  });
  return { models: list, wins, games };
}

/** Win rate of the row model against the column model (ties ½), NaN where they never met; and the counts. */
export function winRateMatrix(
  votes: readonly Comparison[],
  models?: readonly string[],
): { models: string[]; rate: number[][]; games: number[][] } {
  const c = pairCounts(votes, models);
  return {
    models: c.models,
    rate: c.wins.map((row, i) => [...row].map((w, j) => (c.games[i][j] > 0 ? w / c.games[i][j] : NaN))),
    games: c.games.map((row) => [...row]),
  };
}

/** The probability that a player rated `ra` beats one rated `rb` under Elo's logistic curve. */
export function eloExpected(ra: number, rb: number, base = 10, scale = 400): number {
  return 1 / (1 + Math.pow(base, (rb - ra) / scale));
}

// @answer 10.eloUpdate
/**
 * One Elo update after a game of a (rated `ra`) against b (rated `rb`), where a scored `score` (1 win, ½ tie,
 * 0 loss): expected E_a = 1 / (1 + base^((rb − ra)/scale)), E_b = 1 − E_a; ra' = ra + k·(score − E_a),
 * rb' = rb + k·((1 − score) − E_b). Returns [ra', rb']; the sum of the two ratings is unchanged.
 */
export function eloUpdate(
  ra: number,
  rb: number,
  score: number,
  options: { k?: number; base?: number; scale?: number } = {},
): [number, number] {
  const { k = 4, base = 10, scale = 400 } = options;
  if (!(score >= 0 && score <= 1)) throw new Error(`eloUpdate: score must be in [0, 1], got ${score}`);
  const ea = 1 / (1 + Math.pow(base, (rb - ra) / scale));
  const eb = 1 / (1 + Math.pow(base, (ra - rb) / scale));
  return [ra + k * (score - ea), rb + k * (1 - score - eb)];
}
// @end-answer

/** Ratings by model, in the order of `models`. */
export interface Ratings {
  models: string[];
  rating: number[];
}

/**
 * Online Elo exactly as Chatbot Arena first computed it (FastChat's `compute_elo`): every model starts at
 * `initial` (1000) and each vote, in the given order, applies `eloUpdate` with K = 4, base 10, scale 400
 * (a tie scores ½). The result depends on the order of the votes.
 */
export function onlineElo(
  votes: readonly Comparison[],
  options: EloOptions & { models?: readonly string[] } = {},
): Ratings {
  const { k = 4, base = 10, scale = 400, initial = 1000 } = options;
  const models = modelsOf(votes, options.models);
  const index = new Map(models.map((m, i) => [m, i]));
  const r = new Array<number>(models.length).fill(initial);
  votes.forEach((c, n) => {
    const i = index.get(c.a) as number;
    const j = index.get(c.b) as number;
    [r[i], r[j]] = eloUpdate(r[i], r[j], scoreA(c, n), { k, base, scale });
  });
  return { models, rating: r };
}

// @answer 10.btLogLikelihood
/**
 * The Bradley–Terry log-likelihood of natural-log strengths θ (P(i beats j) = σ(θ_i − θ_j)) given pair totals:
 * Σ over ordered pairs (i, j) of wins[i][j] · log σ(θ_i − θ_j), where wins[i][j] counts i's wins over j plus ½
 * per tie. Computed stably: log σ(x) = −log(1 + e^(−x)) for x ≥ 0 and x − log(1 + e^x) for x < 0.
 */
export function btLogLikelihood(theta: ArrayLike<number>, wins: readonly ArrayLike<number>[]): number {
  const m = wins.length;
  if (theta.length !== m) throw new Error(`btLogLikelihood: ${theta.length} strengths for ${m} models`);
  let ll = 0;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < m; j++) {
      const w = wins[i][j];
      if (i === j || w === 0) continue;
      const x = theta[i] - theta[j];
      ll += w * (x >= 0 ? -Math.log1p(Math.exp(-x)) : x - Math.log1p(Math.exp(x)));
    }
  }
  return ll;
}
// @end-answer

// @answer 10.btMMStep
/**
 * One minorisation–maximisation step for Bradley–Terry (Zermelo 1929; Hunter 2004) on strengths p_i = e^θ_i:
 * p_i' = W_i / Σ_{j≠i} n_ij / (p_i + p_j), with W_i = Σ_j wins[i][j] (ties as ½) and n_ij = wins[i][j] + wins[j][i]
 * the games between i and j. Returns θ' = log p', shifted so its mean is 0 (the likelihood does not see a shift).
 * Each step never lowers the likelihood. A model with no games keeps its θ.
 */
export function btMMStep(theta: ArrayLike<number>, wins: readonly ArrayLike<number>[]): number[] {
  const m = wins.length;
  if (theta.length !== m) throw new Error(`btMMStep: ${theta.length} strengths for ${m} models`);
  const p = Array.from(theta, (t) => Math.exp(t));
  const next = new Array<number>(m);
  for (let i = 0; i < m; i++) {
    let w = 0;
    let denom = 0;
    for (let j = 0; j < m; j++) {
      if (j === i) continue;
      const n = wins[i][j] + wins[j][i];
      w += wins[i][j];
      if (n > 0) denom += n / (p[i] + p[j]);
    }
    next[i] = denom > 0 ? Math.log(w / denom) : theta[i];
  }
  const mean = next.reduce((a, b) => a + b, 0) / m;
  return next.map((t) => t - mean);
}
// @end-answer

/** How a Bradley–Terry fit puts its ratings on the Elo scale. */
export interface Anchor {
  /** Give this model `rating`; without it the mean rating of the (bounded) models is `rating`. */
  model?: string;
  /** Default 1000 (Chatbot Arena's initial rating). */
  rating?: number;
}

export interface BradleyTerryOptions {
  models?: readonly string[];
  anchor?: Anchor;
  /** Newton iterations at most (default 100, FastChat's L-BFGS limit). */
  maxIterations?: number;
  /** Stop when no strength moves more than this (natural-log units; default 1e-10). */
  tolerance?: number;
  /** Strengths to start from (natural-log units, the `theta` of an earlier fit); default all 0. */
  start?: ArrayLike<number>;
}

/** A Bradley–Terry fit. */
export interface BradleyTerryFit extends Ratings {
  /** Natural-log strengths θ (P(i beats j) = σ(θ_i − θ_j)), mean 0 over the bounded models. */
  theta: number[];
  logLikelihood: number;
  iterations: number;
  converged: boolean;
  /**
   * Models whose maximum-likelihood rating is infinite: they never lost (or never won) a game, ties counting
   * half a loss and half a win. The likelihood keeps rising as their rating grows; like FastChat's fit (L-BFGS
   * stopped after 100 iterations) this one stops after `maxIterations` capped Newton steps, so the reported
   * rating is a lower (upper) bound that depends on that limit — not an estimate.
   */
  unbounded: { model: string; side: "never lost" | "never won" }[];
  /** The anchor, in words ("mean of 59 models = 1000", "GPT 4 = 1000"). */
  anchor: string;
  /** Votes per model. */
  votes: number[];
}

/** Elo points per natural-log unit of strength: 400 / ln 10. */
export const ELO_PER_NAT = 400 / Math.LN10;

/** Cholesky solve of the symmetric positive-definite system A x = b (A: n×n row-major), in place in b. */
function choleskySolve(a: Float64Array, b: Float64Array, n: number): boolean {
  for (let j = 0; j < n; j++) {
    let d = a[j * n + j];
    for (let k = 0; k < j; k++) d -= a[j * n + k] * a[j * n + k];
    if (!(d > 1e-300)) return false;
    const l = Math.sqrt(d);
    a[j * n + j] = l;
    for (let i = j + 1; i < n; i++) {
      let s = a[i * n + j];
      for (let k = 0; k < j; k++) s -= a[i * n + k] * a[j * n + k];
      a[i * n + j] = s / l;
    }
  }
  for (let i = 0; i < n; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= a[i * n + k] * b[k];
    b[i] = s / a[i * n + i];
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i];
    for (let k = i + 1; k < n; k++) s -= a[k * n + i] * b[k];
    b[i] = s / a[i * n + i];
  }
  return true;
}

/** Throws unless every model is linked to every other through games (else the groups' ratings are unrelated). */
function checkConnected(c: PairCounts): void {
  const m = c.models.length;
  const seen = new Uint8Array(m);
  const stack = [0];
  seen[0] = 1;
  while (stack.length) {
    const i = stack.pop() as number;
    for (let j = 0; j < m; j++)
      if (!seen[j] && c.games[i][j] > 0) {
        seen[j] = 1;
        stack.push(j);
      }
  }
  const apart = c.models.filter((_, i) => !seen[i]);
  if (apart.length > 0) {
    throw new Error(
      `bradleyTerry: the votes fall into separate groups (${apart.slice(0, 5).join(", ")}${apart.length > 5 ? ", …" : ""} ` +
        `never meet ${c.models[0]}'s group, directly or through others); ratings across groups are not comparable`,
    );
  }
}

/**
 * Bradley–Terry maximum likelihood from pair totals by Newton's method (the Hessian is the negative weighted
 * graph Laplacian; one model's strength is held fixed while solving, then all are recentred), with steps capped at
 * 2 natural-log units and halved until the likelihood rises. Ties count as half a win each (as FastChat's
 * `compute_mle_elo` duplicates each vote and scores a tie once as a win and once as a loss).
 */
export function fitBradleyTerryCounts(c: PairCounts, options: BradleyTerryOptions = {}): BradleyTerryFit {
  const { maxIterations = 100, tolerance = 1e-10 } = options;
  const m = c.models.length;
  checkConnected(c);
  const won = c.wins.map((row) => row.reduce((a, b) => a + b, 0));
  const played = c.games.map((row) => row.reduce((a, b) => a + b, 0));
  const unbounded: BradleyTerryFit["unbounded"] = [];
  c.models.forEach((model, i) => {
    if (won[i] >= played[i] - 1e-12) unbounded.push({ model, side: "never lost" });
    else if (won[i] <= 1e-12) unbounded.push({ model, side: "never won" });
  });
  const theta = Float64Array.from(options.start ?? new Array<number>(m).fill(0));
  if (theta.length !== m)
    throw new Error(`bradleyTerry: start has ${theta.length} strengths for ${m} models`);
  const n = m - 1;
  const h = new Float64Array(n * n);
  const g = new Float64Array(n);
  let ll = btLogLikelihood(theta, c.wins);
  let iterations = 0;
  let converged = false;
  while (iterations < maxIterations) {
    iterations++;
    h.fill(0);
    g.fill(0);
    for (let i = 0; i < m; i++) {
      for (let j = i + 1; j < m; j++) {
        const nij = c.games[i][j];
        if (nij === 0) continue;
        const p = 1 / (1 + Math.exp(theta[j] - theta[i]));
        const r = c.wins[i][j] - nij * p; // ∂ℓ/∂θ_i from this pair (and −r for θ_j)
        const v = nij * p * (1 - p);
        if (i < n) {
          g[i] += r;
          h[i * n + i] += v;
        }
        if (j < n) {
          g[j] -= r;
          h[j * n + j] += v;
        }
        if (i < n && j < n) {
          h[i * n + j] -= v;
          h[j * n + i] -= v;
        }
      }
    }
    if (!choleskySolve(h, g, n)) break; // saturated: only unbounded models are still moving
    let big = 0;
    for (let i = 0; i < n; i++) big = Math.max(big, Math.abs(g[i]));
    const scale = big > 2 ? 2 / big : 1;
    let step = scale;
    const trial = new Float64Array(m);
    let accepted = false;
    for (let half = 0; half < 30; half++) {
      for (let i = 0; i < n; i++) trial[i] = theta[i] + step * g[i];
      trial[n] = theta[n];
      const llTrial = btLogLikelihood(trial, c.wins);
      if (llTrial >= ll - 1e-12 * Math.abs(ll)) {
        theta.set(trial);
        ll = llTrial;
        accepted = true;
        break;
      }
      step /= 2;
    }
    if (!accepted || big * step < tolerance) {
      converged = accepted || big * step < tolerance;
      break;
    }
  }
  if (unbounded.length > 0) converged = false;
  // Recentre on the bounded models (mean 0), then put on the Elo scale with the anchor.
  const free = new Set(unbounded.map((u) => u.model));
  const bounded = c.models.map((_, i) => i).filter((i) => !free.has(c.models[i]));
  const centre = bounded.length ? bounded.reduce((a, i) => a + theta[i], 0) / bounded.length : 0;
  const th = Array.from(theta, (t) => t - centre);
  const target = options.anchor?.rating ?? 1000;
  let offset = target;
  let anchor = `mean of ${bounded.length} models = ${target}`;
  if (options.anchor?.model !== undefined) {
    const a = c.models.indexOf(options.anchor.model);
    if (a < 0) throw new Error(`bradleyTerry: the anchor model "${options.anchor.model}" has no votes`);
    offset = target - ELO_PER_NAT * th[a];
    anchor = `${options.anchor.model} = ${target}`;
  }
  return {
    models: c.models,
    theta: th,
    rating: th.map((t) => offset + ELO_PER_NAT * t),
    logLikelihood: ll,
    iterations,
    converged,
    unbounded,
    anchor,
    votes: played,
  };
}

/** Bradley–Terry ratings on the Elo scale from votes (see `fitBradleyTerryCounts`); order-independent. */
export function bradleyTerry(
  votes: readonly Comparison[],
  options: BradleyTerryOptions = {},
): BradleyTerryFit {
  return fitBradleyTerryCounts(pairCounts(votes, options.models), options);
}

/** One model's rating with its bootstrap interval and rank interval. */
export interface LeaderboardRow {
  model: string;
  rating: number;
  low: number;
  high: number;
  /** Rank by the point estimate (1 = best). */
  rank: number;
  /** Percentile interval of the model's rank over the bootstrap rounds. */
  rankLow: number;
  rankHigh: number;
  /** Chatbot Arena's rank: 1 + the number of models whose interval lies wholly above this one's. */
  arenaRank: number;
  votes: number;
}

export interface BootstrapOptions extends BradleyTerryOptions, EloOptions {
  /** Resamples of the votes (default 1000). */
  rounds?: number;
  seed?: number;
  /** Interval level (default 0.95). */
  level?: number;
  /** "bt" (default): Bradley–Terry refits; "elo": online Elo on each resample, in the resample's order. */
  method?: "bt" | "elo";
}

/** The point ratings, every bootstrap round's ratings, and the leaderboard sorted best first. */
export interface BootstrapResult {
  fit: Ratings & { anchor?: string; unbounded?: BradleyTerryFit["unbounded"] };
  /** samples[r][i]: model i's rating in round r. */
  samples: Float64Array[];
  leaderboard: LeaderboardRow[];
  /** Rounds in which some model was unbounded (never lost or never won within the resample). */
  unboundedRounds: number;
  /** Rounds whose votes fell into separate groups (no common scale; their ratings are NaN and skipped). */
  failedRounds: number;
  seconds: number;
}

/** Ranks (1 = highest) of the values, ties sharing the better rank. */
export function ranksOf(values: ArrayLike<number>): number[] {
  const order = Array.from(values, (x, i) => [x, i] as const).sort((a, b) => b[0] - a[0]);
  const ranks = new Array<number>(order.length);
  for (let k = 0; k < order.length; k++) {
    ranks[order[k][1]] = k > 0 && order[k][0] === order[k - 1][0] ? ranks[order[k - 1][1]] : k + 1;
  }
  return ranks;
}

/**
 * Seeded bootstrap of the ratings: resample the votes with replacement `rounds` times (scaling's
 * `bootstrapResamples`), refit each resample (Bradley–Terry, warm-started from the full fit, or online Elo),
 * and report percentile intervals of each rating and of each rank, plus Chatbot Arena's interval-based rank.
 */
export function bootstrapRatings(
  votes: readonly Comparison[],
  options: BootstrapOptions = {},
): BootstrapResult {
  const t0 = Date.now();
  const { rounds = 1000, seed = 0, level = 0.95, method = "bt" } = options;
  const counts = pairCounts(votes, options.models);
  const models = counts.models;
  const m = models.length;
  const fit: BootstrapResult["fit"] =
    method === "bt" ? fitBradleyTerryCounts(counts, options) : onlineElo(votes, { ...options, models });
  const start = method === "bt" ? (fit as BradleyTerryFit).theta : undefined;
  const samples: Float64Array[] = [];
  const index = new Map(models.map((name, i) => [name, i]));
  const ai = votes.map((c) => index.get(c.a) as number);
  const bi = votes.map((c) => index.get(c.b) as number);
  const sa = votes.map((c, k) => scoreA(c, k));
  const weights = new Float64Array(votes.length);
  let unboundedRounds = 0;
  let failedRounds = 0;
  for (const idx of bootstrapResamples(votes.length, rounds, seed)) {
    if (method === "elo") {
      samples.push(
        Float64Array.from(
          onlineElo(
            idx.map((k) => votes[k]),
            { ...options, models },
          ).rating,
        ),
      );
      continue;
    }
    weights.fill(0);
    for (const k of idx) weights[k]++;
    const wins = Array.from({ length: m }, () => new Float64Array(m));
    const games = Array.from({ length: m }, () => new Float64Array(m));
    for (let k = 0; k < votes.length; k++) {
      const w = weights[k];
      if (w === 0) continue;
      wins[ai[k]][bi[k]] += w * sa[k];
      wins[bi[k]][ai[k]] += w * (1 - sa[k]);
      games[ai[k]][bi[k]] += w;
      games[bi[k]][ai[k]] += w;
    }
    // A model the resample left without votes gets no rating in that round (NaN), as it would in a refit.
    const keep: number[] = [];
    for (let i = 0; i < m; i++) if (games[i].some((x) => x > 0)) keep.push(i);
    const row = new Float64Array(m).fill(NaN);
    try {
      const all = keep.length === m;
      const f = fitBradleyTerryCounts(
        {
          models: all ? models : keep.map((i) => models[i]),
          wins: all ? wins : keep.map((i) => Float64Array.from(keep, (j) => wins[i][j])),
          games: all ? games : keep.map((i) => Float64Array.from(keep, (j) => games[i][j])),
        },
        { ...options, models: undefined, start: start && keep.map((i) => start[i]) },
      );
      if (f.unbounded.length) unboundedRounds++;
      keep.forEach((i, k) => (row[i] = f.rating[k]));
    } catch {
      failedRounds++; // the resample's votes fell into separate groups: no common scale this round
    }
    samples.push(row);
  }
  const pointRanks = ranksOf(fit.rating);
  const rankSamples = samples.map((s) => ranksOf(s.map((x) => (Number.isFinite(x) ? x : -Infinity))));
  const rows = models.map((model, i) => {
    const vals = samples.map((s) => s[i]).filter((x) => Number.isFinite(x));
    const iv = percentileInterval(vals, level);
    const rk = percentileInterval(
      rankSamples.filter((_, r) => Number.isFinite(samples[r][i])).map((r) => r[i]),
      level,
    );
    return {
      model,
      rating: fit.rating[i],
      low: iv.low,
      high: iv.high,
      rank: pointRanks[i],
      rankLow: rk.low,
      rankHigh: rk.high,
      arenaRank: 0,
      votes: counts.games[i].reduce((a, b) => a + b, 0),
    };
  });
  for (const r of rows) r.arenaRank = 1 + rows.filter((o) => o.low > r.high).length;
  rows.sort((x, y) => y.rating - x.rating);
  return {
    fit,
    samples,
    leaderboard: rows,
    unboundedRounds,
    failedRounds,
    seconds: (Date.now() - t0) / 1000,
  };
}
