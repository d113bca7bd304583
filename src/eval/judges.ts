/**
 * Judges and their biases: agreement between two judges as raw agreement and Cohen's κ (agreement beyond what
 * their label frequencies give by chance), the crowd's majority per pair, position bias (how often the left answer
 * wins), length bias (how often the longer answer wins), and AlpacaEval 2's length-controlled win rate.
 */
import { Interval, wilson } from "../align/evaluate";

// @answer 10.cohenKappa
/**
 * Cohen's κ between two judges' labels of the same items: κ = (p_o − p_e) / (1 − p_e), with p_o the share of
 * items they label alike and p_e = Σ_k p_a(k)·p_b(k) the agreement expected if each labelled independently with
 * its own label frequencies. 1 = perfect, 0 = chance level, < 0 = worse than chance. When both judges give one
 * and the same label to everything (p_e = 1) κ is NaN (undefined).
 */
export function cohenKappa(a: readonly string[], b: readonly string[]): number {
  if (a.length !== b.length) throw new Error(`cohenKappa: ${a.length} labels against ${b.length}`);
  if (a.length === 0) throw new Error("cohenKappa: no items");
  const n = a.length;
  const ca = new Map<string, number>();
  const cb = new Map<string, number>();
  let same = 0;
  for (let i = 0; i < n; i++) {
    if (a[i] === b[i]) same++;
    ca.set(a[i], (ca.get(a[i]) ?? 0) + 1);
    cb.set(b[i], (cb.get(b[i]) ?? 0) + 1);
  }
  const po = same / n;
  let pe = 0;
  for (const [label, k] of ca) pe += (k / n) * ((cb.get(label) ?? 0) / n);
  return pe === 1 ? NaN : (po - pe) / (1 - pe);
}
// @end-answer

/** Agreement of two judges on the same items. */
export interface Agreement {
  n: number;
  /** Share of items labelled alike, with its 95 % Wilson interval. */
  raw: number;
  rawLow: number;
  rawHigh: number;
  kappa: number;
}

/** Raw agreement (with a Wilson interval) and Cohen's κ of two label lists over the same items. */
export function agreement(a: readonly string[], b: readonly string[]): Agreement {
  const kappa = cohenKappa(a, b);
  const same = a.filter((x, i) => x === b[i]).length;
  const w = wilson(same, a.length);
  return { n: a.length, raw: w.estimate, rawLow: w.low, rawHigh: w.high, kappa };
}

/** A verdict on a pair of answers shown left and right. */
export interface PairVote {
  pair: number;
  prompt: number;
  left: string;
  right: string;
  winner: string;
}

const VERDICTS = new Set(["left", "right", "tie"]);

function checkVerdict(v: PairVote, i: number): void {
  if (!VERDICTS.has(v.winner)) {
    throw new Error(
      `vote ${i} (pair ${v.pair}): winner must be left, right or tie, got ${JSON.stringify(v.winner)}`,
    );
  }
}

/**
 * The crowd's verdict per pair: the most frequent of left / right / tie among the pair's votes; when the top count
 * is shared (say 2 left, 2 right) there is no majority and the verdict is "tie".
 */
export function majorityVerdicts(votes: readonly PairVote[]): Map<number, string> {
  const counts = new Map<number, Map<string, number>>();
  votes.forEach((v, i) => {
    checkVerdict(v, i);
    const c = counts.get(v.pair) ?? new Map<string, number>();
    c.set(v.winner, (c.get(v.winner) ?? 0) + 1);
    counts.set(v.pair, c);
  });
  const out = new Map<number, string>();
  for (const [pair, c] of counts) {
    const top = Math.max(...c.values());
    const leaders = [...c].filter(([, k]) => k === top).map(([w]) => w);
    out.set(pair, leaders.length === 1 ? leaders[0] : "tie");
  }
  return out;
}

/** Labels of the first and second crowd vote (in file order) on every pair that has at least two votes. */
export function firstTwoVotes(votes: readonly PairVote[]): { first: string[]; second: string[] } {
  const byPair = new Map<number, string[]>();
  votes.forEach((v, i) => {
    checkVerdict(v, i);
    byPair.set(v.pair, [...(byPair.get(v.pair) ?? []), v.winner]);
  });
  const first: string[] = [];
  const second: string[] = [];
  for (const list of byPair.values()) {
    if (list.length < 2) continue;
    first.push(list[0]);
    second.push(list[1]);
  }
  return { first, second };
}

/** A judge's verdicts on pairs lined up against reference verdicts per pair (pairs both have). */
export function alignVerdicts(
  judge: readonly PairVote[],
  reference: Map<number, string>,
): { judge: string[]; reference: string[] } {
  const j: string[] = [];
  const r: string[] = [];
  judge.forEach((v, i) => {
    checkVerdict(v, i);
    const ref = reference.get(v.pair);
    if (ref === undefined) return;
    j.push(v.winner);
    r.push(ref);
  });
  if (j.length === 0) throw new Error("alignVerdicts: the judge and the reference share no pair");
  return { judge: j, reference: r };
}

/** How often the left answer wins. */
export interface PositionBias {
  left: number;
  right: number;
  tie: number;
  /** left / (left + right), with its 95 % Wilson interval; 0.5 = no position bias. */
  leftShare: number;
  interval: Interval;
}

/** Counts left wins, right wins and ties; the left share among decided votes, with a Wilson interval. */
export function positionBias(votes: readonly PairVote[]): PositionBias {
  let left = 0;
  let right = 0;
  let tie = 0;
  votes.forEach((v, i) => {
    checkVerdict(v, i);
    if (v.winner === "left") left++;
    else if (v.winner === "right") right++;
    else tie++;
  });
  const interval = wilson(left, left + right);
  return { left, right, tie, leftShare: interval.estimate, interval };
}

/** How often the longer answer wins. */
export interface LengthBias {
  /** Decided votes between answers of different length. */
  n: number;
  /** Share won by the longer answer, with its 95 % Wilson interval; 0.5 = no length bias. */
  longerWins: number;
  interval: Interval;
  /** The same share in bins of the relative length difference (longer / shorter, in characters). */
  bins: { label: string; n: number; longerWins: number; low: number; high: number }[];
}

/**
 * Length bias of a judge: among decided votes whose answers differ in length, the share the longer answer won,
 * overall and by the ratio of the lengths (≤1.25×, ≤2×, ≤4×, >4×). `lengthOf(model, prompt)` gives an answer's
 * length (characters).
 */
export function lengthBias(
  votes: readonly PairVote[],
  lengthOf: (model: string, prompt: number) => number,
): LengthBias {
  const edges = [1.25, 2, 4, Infinity];
  const labels = ["≤ 1.25×", "1.25–2×", "2–4×", "> 4×"];
  const k = new Array<number>(edges.length).fill(0);
  const n = new Array<number>(edges.length).fill(0);
  votes.forEach((v, i) => {
    checkVerdict(v, i);
    if (v.winner === "tie") return;
    const ll = lengthOf(v.left, v.prompt);
    const lr = lengthOf(v.right, v.prompt);
    if (ll === lr) return;
    const ratio = Math.max(ll, lr) / Math.max(1, Math.min(ll, lr));
    const b = edges.findIndex((e) => ratio <= e);
    n[b]++;
    if ((v.winner === "left") === ll > lr) k[b]++;
  });
  const total = wilson(
    k.reduce((a, b) => a + b, 0),
    n.reduce((a, b) => a + b, 0),
  );
  return {
    n: n.reduce((a, b) => a + b, 0),
    longerWins: total.estimate,
    interval: total,
    bins: labels.map((label, b) => {
      const w = wilson(k[b], n[b]);
      return { label, n: n[b], longerWins: w.estimate, low: w.low, high: w.high };
    }),
  };
}

/** One model's raw and length-controlled win rate. */
export interface LengthControlled {
  model: string;
  /** Comparisons the model took part in. */
  n: number;
  /** Mean score (win 1, tie ½, loss 0) over them. */
  raw: number;
  /** σ(θ): the fitted win rate at zero length difference. */
  lc: number;
  /** The fitted weight of tanh(length difference / its standard deviation). */
  phi: number;
}

/**
 * Fits P(win) = σ(θ + φ·x) to scores y ∈ [0, 1] by Newton's method (a 2×2 system) with ridge penalties
 * l2Theta·θ²/2 and l2Phi·φ²/2 (they keep a model that won or lost everything finite, and φ from trading off against θ
 * when all of a model's length differences have one sign).
 */
function logistic2(
  x: readonly number[],
  y: readonly number[],
  l2Theta: number,
  l2Phi: number,
): { theta: number; phi: number } {
  let t = 0;
  let f = 0;
  for (let it = 0; it < 100; it++) {
    let g0 = -l2Theta * t;
    let g1 = -l2Phi * f;
    let h00 = l2Theta;
    let h01 = 0;
    let h11 = l2Phi;
    for (let i = 0; i < x.length; i++) {
      const p = 1 / (1 + Math.exp(-(t + f * x[i])));
      const r = y[i] - p;
      const v = p * (1 - p);
      g0 += r;
      g1 += r * x[i];
      h00 += v;
      h01 += v * x[i];
      h11 += v * x[i] * x[i];
    }
    const det = h00 * h11 - h01 * h01;
    const d0 = (h11 * g0 - h01 * g1) / det;
    const d1 = (h00 * g1 - h01 * g0) / det;
    t += d0;
    f += d1;
    if (Math.abs(d0) + Math.abs(d1) < 1e-12) break;
  }
  return { theta: t, phi: f };
}

/**
 * AlpacaEval 2's length-controlled win rate (Dubois et al. 2024), per model: a logistic model of the judge's
 * verdict, logit P(model wins) = θ + φ·tanh(Δ / sd(Δ)), where Δ is the model's answer length minus the opponent's
 * (characters) and sd(Δ) its standard deviation over the model's comparisons; the LC win rate is the prediction at
 * Δ = 0, σ(θ). AlpacaEval compares every model with one baseline; here the baseline is each model's actual
 * opponents unless `opponent` names one model (then only comparisons with it count). AlpacaEval's third term
 * (instruction difficulty) is left out. Ties score ½. Like AlpacaEval's GLM, the length weight is regularised: a
 * ridge `l2` (default 1, a standard-normal prior on φ) on φ and 1e-3 on θ — with a few dozen comparisons whose length
 * differences mostly share a sign, θ and φ are otherwise nearly confounded. Models with fewer than `minVotes`
 * (default 30) comparisons are left out.
 */
export function lengthControlledWinRates(
  votes: readonly PairVote[],
  lengthOf: (model: string, prompt: number) => number,
  options: { opponent?: string; l2?: number; minVotes?: number } = {},
): LengthControlled[] {
  const { l2 = 1, minVotes = 30 } = options;
  const per = new Map<string, { d: number[]; y: number[] }>();
  const add = (model: string, d: number, y: number): void => {
    const e = per.get(model) ?? { d: [], y: [] };
    e.d.push(d);
    e.y.push(y);
    per.set(model, e);
  };
  votes.forEach((v, i) => {
    checkVerdict(v, i);
    const s = v.winner === "left" ? 1 : v.winner === "right" ? 0 : 0.5;
    const dl = lengthOf(v.left, v.prompt) - lengthOf(v.right, v.prompt);
    if (options.opponent === undefined || v.right === options.opponent) add(v.left, dl, s);
    if (options.opponent === undefined || v.left === options.opponent) add(v.right, -dl, 1 - s);
  });
  if (options.opponent !== undefined) per.delete(options.opponent);
  if (per.size === 0)
    throw new Error(
      `lengthControlledWinRates: no comparisons${options.opponent ? ` with "${options.opponent}"` : ""}`,
    );
  const out: LengthControlled[] = [];
  for (const [model, { d, y }] of per) {
    if (d.length < minVotes) continue;
    const mean = d.reduce((a, b) => a + b, 0) / d.length;
    const sd = Math.sqrt(d.reduce((a, b) => a + (b - mean) ** 2, 0) / d.length) || 1;
    const fit = logistic2(
      d.map((x) => Math.tanh(x / sd)),
      y,
      1e-3,
      l2,
    );
    out.push({
      model,
      n: d.length,
      raw: y.reduce((a, b) => a + b, 0) / y.length,
      lc: 1 / (1 + Math.exp(-fit.theta)),
      phi: fit.phi,
    });
  }
  return out.sort((a, b) => b.lc - a.lc);
}

/** Spearman's rank correlation of two score lists (average ranks for ties). */
export function spearman(x: readonly number[], y: readonly number[]): number {
  if (x.length !== y.length || x.length < 2)
    throw new Error("spearman: need two lists of the same length ≥ 2");
  const rank = (v: readonly number[]): number[] => {
    const order = v.map((x, i) => [x, i] as const).sort((a, b) => a[0] - b[0]);
    const r = new Array<number>(v.length);
    for (let i = 0; i < order.length;) {
      let j = i;
      while (j + 1 < order.length && order[j + 1][0] === order[i][0]) j++;
      for (let k = i; k <= j; k++) r[order[k][1]] = (i + j) / 2 + 1;
      i = j + 1;
    }
    return r;
  };
  const rx = rank(x);
  const ry = rank(y);
  const mx = rx.reduce((a, b) => a + b, 0) / rx.length;
  const my = ry.reduce((a, b) => a + b, 0) / ry.length;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < rx.length; i++) {
    sxy += (rx[i] - mx) * (ry[i] - my);
    sxx += (rx[i] - mx) ** 2;
    syy += (ry[i] - my) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy);
}
