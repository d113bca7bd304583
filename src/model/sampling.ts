/**
 * Samplers as distributions — the one sampler of the library (`generate` here, `infer`'s batched and
 * speculative generation, chapter 07's chat responses all draw through it): each option turns the next-token
 * logits into the exact probability vector that the sampler draws from, so every sampler can be tested against
 * its target with a chi-square test (chapter 12). The order is the one Hugging Face's `generate` applies:
 * penalties on the logits, temperature, then top-k, top-p and min-p on the probabilities, renormalised after
 * each filter.
 */
import { Rng } from "../random";

export interface SamplerOptions {
  /** Divides the logits; 0 means greedy (argmax, ties to the lower id). Default 1. */
  temperature?: number;
  /** Keep only the k most likely tokens (0: all). */
  topK?: number;
  /** Keep the smallest set of most likely tokens whose mass reaches p (1: all). */
  topP?: number;
  /** Keep tokens whose probability is at least minP · (largest probability) (0: all). */
  minP?: number;
  /**
   * CTRL's repetition penalty θ ≥ 1 (Keskar et al. 2019): a token already in `history` has its logit divided
   * by θ when positive, multiplied by θ when negative. 1: off.
   */
  repetitionPenalty?: number;
  /** OpenAI's frequency penalty: subtract `frequencyPenalty · count(token in history)` from its logit. */
  frequencyPenalty?: number;
  /** OpenAI's presence penalty: subtract it once from the logit of every token that occurs in `history`. */
  presencePenalty?: number;
}

function fail(message: string): never {
  throw new Error(`sampler: ${message}`);
}

/** Checks sampler options and says which value is wrong and what range it needs. */
export function checkSamplerOptions(o: SamplerOptions): void {
  const { temperature = 1, topK = 0, topP = 1, minP = 0, repetitionPenalty = 1 } = o;
  if (!(temperature >= 0) || !Number.isFinite(temperature))
    fail(`temperature must be a finite number ≥ 0 (0 = greedy), got ${temperature}`);
  if (!Number.isInteger(topK) || topK < 0) fail(`topK must be an integer ≥ 0 (0 = off), got ${topK}`);
  if (!(topP > 0 && topP <= 1)) fail(`topP must be in (0, 1] (1 = off), got ${topP}`);
  if (!(minP >= 0 && minP <= 1)) fail(`minP must be in [0, 1] (0 = off), got ${minP}`);
  if (!(repetitionPenalty > 0) || !Number.isFinite(repetitionPenalty))
    fail(`repetitionPenalty must be > 0 (1 = off, > 1 discourages repeats), got ${repetitionPenalty}`);
  for (const k of ["frequencyPenalty", "presencePenalty"] as const) {
    const v = o[k] ?? 0;
    if (!Number.isFinite(v)) fail(`${k} must be a finite number, got ${v}`);
  }
}

/** Applies the repetition, frequency and presence penalties for the tokens in `history`; returns new logits. */
export function applyPenalties(
  logits: ArrayLike<number>,
  history: readonly number[],
  options: SamplerOptions = {},
): Float64Array {
  const { repetitionPenalty = 1, frequencyPenalty = 0, presencePenalty = 0 } = options;
  const out = Float64Array.from(logits as ArrayLike<number>);
  const counts = new Map<number, number>();
  for (const t of history) {
    if (!Number.isInteger(t) || t < 0 || t >= out.length)
      fail(`history token ${t} is outside [0, vocab=${out.length})`);
    counts.set(t, (counts.get(t) ?? 0) + 1);
  }
  for (const [t, c] of counts) {
    if (repetitionPenalty !== 1)
      out[t] = out[t] > 0 ? out[t] / repetitionPenalty : out[t] * repetitionPenalty;
    out[t] -= frequencyPenalty * c + presencePenalty;
  }
  return out;
}

/** softmax(logits / temperature) in float64, max-subtracted. */
export function softmaxT(logits: ArrayLike<number>, temperature = 1): Float64Array {
  const n = logits.length;
  const p = new Float64Array(n);
  let max = -Infinity;
  for (let i = 0; i < n; i++) max = Math.max(max, logits[i]);
  let s = 0;
  for (let i = 0; i < n; i++) {
    p[i] = Math.exp((logits[i] - max) / temperature);
    s += p[i];
  }
  for (let i = 0; i < n; i++) p[i] /= s;
  return p;
}

function renormalise(p: Float64Array): Float64Array {
  let s = 0;
  for (let i = 0; i < p.length; i++) s += p[i];
  for (let i = 0; i < p.length; i++) p[i] /= s;
  return p;
}

/** Token ids by decreasing probability, ties by the lower id (deterministic). */
function byProbability(probs: ArrayLike<number>): number[] {
  return Array.from({ length: probs.length }, (_, i) => i).sort((a, b) => probs[b] - probs[a] || a - b);
}

/** Keeps the k most likely tokens (ties to the lower id), renormalised. */
export function topKFilter(probs: ArrayLike<number>, k: number): Float64Array {
  const out = Float64Array.from(probs as ArrayLike<number>);
  if (k <= 0 || k >= out.length) return out;
  const order = byProbability(out);
  for (let r = k; r < out.length; r++) out[order[r]] = 0;
  return renormalise(out);
}

// @answer 12.topP
/**
 * Nucleus (top-p) filtering (Holtzman et al. 2020): sort tokens by probability (ties: lower id first), keep
 * the shortest prefix whose mass reaches `p` — the token that crosses p is kept — zero the rest and
 * renormalise. Returns a new array; `p = 1` keeps everything.
 */
export function topPFilter(probs: ArrayLike<number>, p: number): Float64Array {
  if (!(p > 0 && p <= 1)) throw new Error(`topPFilter: p must be in (0, 1], got ${p}`);
  const out = Float64Array.from(probs as ArrayLike<number>);
  if (p === 1) return out;
  const order = Array.from({ length: out.length }, (_, i) => i).sort((a, b) => out[b] - out[a] || a - b);
  let mass = 0;
  let keep = 0;
  while (keep < order.length && mass < p) mass += out[order[keep++]];
  for (let r = keep; r < order.length; r++) out[order[r]] = 0;
  let s = 0;
  for (let i = 0; i < out.length; i++) s += out[i];
  for (let i = 0; i < out.length; i++) out[i] /= s;
  return out;
}
// @end-answer

/** Min-p filtering (Nguyen et al. 2024): keep tokens with probability ≥ minP · max probability, renormalised. */
export function minPFilter(probs: ArrayLike<number>, minP: number): Float64Array {
  const out = Float64Array.from(probs as ArrayLike<number>);
  if (minP <= 0) return out;
  let max = 0;
  for (let i = 0; i < out.length; i++) max = Math.max(max, out[i]);
  for (let i = 0; i < out.length; i++) if (out[i] < minP * max) out[i] = 0;
  return renormalise(out);
}

/**
 * The exact distribution the sampler draws the next token from: penalties (given the `history` of tokens so
 * far), then softmax(logits / T), then top-k, top-p and min-p. Greedy (T = 0) is a one-hot on the argmax.
 */
export function samplerDistribution(
  logits: ArrayLike<number>,
  options: SamplerOptions = {},
  history: readonly number[] = [],
): Float64Array {
  checkSamplerOptions(options);
  const { temperature = 1, topK = 0, topP = 1, minP = 0 } = options;
  const z = applyPenalties(logits, history, options);
  if (temperature === 0) {
    const p = new Float64Array(z.length);
    let best = 0;
    for (let i = 1; i < z.length; i++) if (z[i] > z[best]) best = i;
    p[best] = 1;
    return p;
  }
  let p = softmaxT(z, temperature);
  if (topK > 0) p = topKFilter(p, topK);
  if (topP < 1) p = topPFilter(p, topP);
  if (minP > 0) p = minPFilter(p, minP);
  return p;
}

/** Draws one token with `samplerDistribution` (one uniform draw of `rng`; none for greedy). */
export function sample(
  logits: ArrayLike<number>,
  rng: Rng,
  options: SamplerOptions = {},
  history: readonly number[] = [],
): number {
  const p = samplerDistribution(logits, options, history);
  if ((options.temperature ?? 1) === 0) return p.indexOf(1);
  return rng.categorical(p);
}
