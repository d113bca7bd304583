/**
 * Speculative decoding (Leviathan et al. 2023; Chen et al. 2023): a small draft model proposes γ tokens, the
 * target model scores all of them in one forward pass, and each proposal x is kept with probability
 * min(1, p(x)/q(x)); the first rejected one is replaced by a draw from the normalised residual max(0, p − q).
 * The tokens then follow exactly the target's distribution, while the target runs once per accepted run.
 */
import { GPT, KVCache, disposeCache } from "../model";
import { Rng } from "../random";
import { lastLogitsRows, truncateCache } from "./cache";
import { samplerDistribution } from "./sampling";

// @answer 12.speculativeStep
/**
 * One accept/reject decision. `p` and `q` are the target's and the draft's distributions at this position,
 * `token` the draft's proposal (drawn from q), `u` and `v` two uniforms in [0, 1). Accept when
 * u < min(1, p[token] / q[token]); otherwise return the first token whose cumulative residual mass
 * exceeds v · (total residual), with residual r = max(0, p − q).
 */
export function speculativeStep(
  p: ArrayLike<number>,
  q: ArrayLike<number>,
  token: number,
  u: number,
  v: number,
): { accepted: boolean; token: number } {
  if (p.length !== q.length)
    throw new Error(
      `speculativeStep: p has ${p.length} entries but q has ${q.length} (same vocabulary needed)`,
    );
  if (!(q[token] > 0))
    throw new Error(`speculativeStep: the draft proposed token ${token} with q = ${q[token]}`);
  if (u < Math.min(1, p[token] / q[token])) return { accepted: true, token };
  let total = 0;
  for (let i = 0; i < p.length; i++) total += Math.max(0, p[i] - q[i]);
  let acc = 0;
  let last = token;
  for (let i = 0; i < p.length; i++) {
    const r = Math.max(0, p[i] - q[i]);
    if (r <= 0) continue;
    last = i;
    acc += r;
    if (acc > v * total) return { accepted: false, token: i };
  }
  return { accepted: false, token: last };
}
// @end-answer

/** Expected tokens per target forward with acceptance rate α and γ drafts: (1 − α^(γ+1)) / (1 − α). */
export function expectedTokensPerStep(alpha: number, gamma: number): number {
  if (!(alpha >= 0 && alpha <= 1))
    throw new Error(`expectedTokensPerStep: alpha must be in [0, 1], got ${alpha}`);
  return alpha === 1 ? gamma + 1 : (1 - alpha ** (gamma + 1)) / (1 - alpha);
}

export interface SpeculativeOptions {
  /** Draft tokens per step (γ ≥ 1). */
  gamma: number;
  maxNewTokens: number;
  /** Sampling temperature for both models (0: greedy). Default 1. */
  temperature?: number;
  seed?: number;
}

export interface SpeculativeResult {
  tokens: number[];
  /** Draft tokens proposed and accepted. */
  proposed: number;
  accepted: number;
  /** Target forward passes (verification steps). */
  targetForwards: number;
  /** Mean of Σₓ min(p(x), q(x)) over the positions the target scored: the acceptance probability α. */
  alpha: number;
}

/** Generates `maxNewTokens` tokens after `prompt` from `target`, drafted by `draft`, both with KV caches. */
export function speculativeGenerate(
  target: GPT,
  draft: GPT,
  prompt: number[],
  options: SpeculativeOptions,
): SpeculativeResult {
  const { gamma, maxNewTokens, temperature = 1, seed = 0 } = options;
  if (target.config.vocabSize !== draft.config.vocabSize)
    throw new Error(
      `speculativeGenerate: the draft's vocabulary (${draft.config.vocabSize}) differs from the target's ` +
        `(${target.config.vocabSize}); both models need the same tokenizer`,
    );
  if (!Number.isInteger(gamma) || gamma < 1)
    throw new Error(`speculativeGenerate: gamma must be an integer ≥ 1, got ${gamma}`);
  if (prompt.length === 0) throw new Error("speculativeGenerate: the prompt needs at least one token");
  const ctx = Math.min(target.config.contextLength, draft.config.contextLength);
  if (prompt.length + maxNewTokens + gamma > ctx)
    throw new Error(
      `speculativeGenerate: prompt (${prompt.length}) + new tokens (${maxNewTokens}) + gamma (${gamma}) exceeds ` +
        `the context length ${ctx}; shorten the prompt or generate fewer tokens`,
    );
  const rng = new Rng(seed);
  const opts = { temperature };
  const tokens = [...prompt];
  const tCache: KVCache = { layers: [], length: 0 };
  const dCache: KVCache = { layers: [], length: 0 };
  let proposed = 0;
  let accepted = 0;
  let targetForwards = 0;
  let alphaSum = 0;
  let alphaN = 0;
  try {
    while (tokens.length - prompt.length < maxNewTokens) {
      const g = Math.min(gamma, maxNewTokens - (tokens.length - prompt.length));
      // Draft g tokens, feeding the draft whatever it has not seen yet.
      const drafts: number[] = [];
      const qs: Float64Array[] = [];
      for (let k = 0; k < g; k++) {
        const seq = [...tokens, ...drafts];
        const [z] = lastLogitsRows(draft.forwardCached([seq.slice(dCache.length)], dCache));
        const q = samplerDistribution(z, opts);
        const x = temperature === 0 ? q.indexOf(1) : rng.categorical(q);
        qs.push(q);
        drafts.push(x);
      }
      // The target scores every draft (and the position after them) in one forward.
      const fed = [...tokens, ...drafts].slice(tCache.length);
      const logits = target.forwardCached([fed], tCache);
      targetForwards++;
      const [, T, V] = logits.shape;
      const all = logits.dataSync() as Float32Array;
      logits.dispose();
      const pAt = (k: number): Float64Array =>
        samplerDistribution(all.subarray((T - g - 1 + k) * V, (T - g + k) * V), opts);
      let k = 0;
      let next = -1;
      for (; k < g; k++) {
        const p = pAt(k);
        let overlap = 0;
        for (let i = 0; i < V; i++) overlap += Math.min(p[i], qs[k][i]);
        alphaSum += overlap;
        alphaN++;
        proposed++;
        const step = speculativeStep(p, qs[k], drafts[k], rng.next(), rng.next());
        if (!step.accepted) {
          next = step.token;
          break;
        }
        accepted++;
      }
      const kept = drafts.slice(0, k);
      if (next < 0) {
        const p = pAt(g);
        next = temperature === 0 ? p.indexOf(1) : rng.categorical(p);
      }
      tokens.push(...kept, next);
      // Both caches keep only positions whose tokens stand (the last token is fed next round).
      truncateCache(tCache, Math.min(tCache.length, tokens.length - 1));
      truncateCache(dCache, Math.min(dCache.length, tokens.length - 1));
    }
  } finally {
    disposeCache(tCache);
    disposeCache(dCache);
  }
  return {
    tokens: tokens.slice(prompt.length, prompt.length + maxNewTokens),
    proposed,
    accepted,
    targetForwards,
    alpha: alphaN ? alphaSum / alphaN : 0,
  };
}
