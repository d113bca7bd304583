/**
 * The reward–KL frontier (Rafailov et al. 2023, Fig. 2 left; Gao et al. 2022): every aligned policy is judged by
 * two numbers measured the same way on held-out prompts — the gold reward of what it writes, and how far it
 * moved from the reference to get there, KL(π ‖ π_ref). One sampler for all (`infer.generateBatch`, KV cache,
 * temperature 1: the policy's own distribution), one KL estimator for all (per-token k3 summed over the
 * completion, from the policy's own samples; `align.sequenceKl`).
 *
 * Best-of-n is not an autoregressive policy, so its KL cannot be estimated from token log-probs; it has the
 * closed form KL = log n − (n − 1)/n (Stiennon et al. 2020, appendix; exact for distinct samples, an upper bound
 * otherwise — Beirami et al. 2024), which `bestOfN` reports.
 */
import * as tf from "@tensorflow/tfjs-core";
import { generateBatch } from "../infer";
import { GPT } from "../model";
import { Tokenizer } from "../tokenizer";
import { KlEstimator, checkReference, sequenceKl, shiftMask, tokenLogProbs } from "./logprobs";
import { completionText, cutCompletion, goldReward } from "./preferences";

/** A mean with its standard error (over prompts). */
export interface MeanSe {
  mean: number;
  se: number;
}

/** One policy measured on held-out prompts. */
export interface PolicyMeasure {
  /** Gold reward (AFINN mean valence) of the completions. */
  gold: MeanSe;
  /** KL(π ‖ π_ref) per completion (nats), by the chosen estimator. */
  kl: MeanSe;
  /** Mean completion length (tokens, with `<|end|>` when written) and share closed with `<|end|>`. */
  length: number;
  finished: number;
  samples: number;
  /** A few completions, for reading. */
  examples: string[];
}

/** Mean and standard error of the mean. */
export function meanSe(values: readonly number[]): MeanSe {
  const n = values.length;
  if (n === 0) return { mean: NaN, se: NaN };
  const mean = values.reduce((a, b) => a + b, 0) / n;
  if (n === 1) return { mean, se: NaN };
  const v = values.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1);
  return { mean, se: Math.sqrt(v / n) };
}

export interface MeasureOptions {
  /** Tokens per completion at most (default 16, as the preference set). */
  maxNewTokens?: number;
  /** Seed of the sampler (default 0): the same seed gives every policy the same random numbers. */
  seed?: number;
  /** Default "k3". */
  estimator?: KlEstimator;
  /** Prompts per forward pass when scoring (default 64). */
  batchSize?: number;
  lexicon?: ReadonlyMap<string, number>;
}

/** Samples one completion per prompt from `policy` (temperature 1) and cuts each after `<|end|>`. */
export function sampleCompletions(
  policy: GPT,
  tok: Tokenizer,
  prompts: readonly (readonly number[])[],
  options: { maxNewTokens?: number; seed?: number } = {},
): { ids: number[]; finished: boolean }[] {
  const { maxNewTokens = 16, seed = 0 } = options;
  const raw = tf.tidy(() =>
    generateBatch(
      policy,
      prompts.map((p) => [...p]),
      { maxNewTokens, seed, temperature: 1 },
    ),
  );
  return raw.map((ids) => cutCompletion(tok, ids));
}

/**
 * Per-completion KL(π ‖ π_ref) estimates: the per-token estimator on the policy's and the reference's
 * log-probs of the sampled completion tokens, summed over the completion. Prompts and completions are given as
 * ids; returns one number per completion.
 */
export function completionKl(
  policy: GPT,
  reference: GPT,
  prompts: readonly (readonly number[])[],
  completions: readonly (readonly number[])[],
  options: { estimator?: KlEstimator; batchSize?: number } = {},
): number[] {
  const { estimator = "k3", batchSize = 64 } = options;
  checkReference(policy, reference, "completionKl");
  const out: number[] = [];
  for (let start = 0; start < prompts.length; start += batchSize) {
    const ps = prompts.slice(start, start + batchSize);
    const cs = completions.slice(start, start + batchSize);
    const seqs = ps.map((p, i) => [...p, ...cs[i]]);
    const T = Math.max(...seqs.map((s) => s.length));
    const ids = seqs.map((s) => [...s, ...new Array(T - s.length).fill(0)]);
    const mask = seqs.map((s, i) =>
      s.map((_, t) => (t >= ps[i].length ? 1 : 0)).concat(new Array(T - s.length).fill(0)),
    );
    const kl = tf.tidy(() => {
      const idsT = tf.tensor2d(ids, [ids.length, T], "int32");
      const lpPolicy = tokenLogProbs(policy, idsT);
      const lpRef = tokenLogProbs(reference, idsT);
      return sequenceKl(lpPolicy, lpRef, shiftMask(mask), estimator).dataSync();
    });
    out.push(...kl);
  }
  return out;
}

/**
 * A policy on held-out prompts: one completion per prompt from the shared sampler, its gold reward, and the KL
 * to the reference from the same samples.
 */
export function measurePolicy(
  policy: GPT,
  reference: GPT,
  tok: Tokenizer,
  prompts: readonly (readonly number[])[],
  options: MeasureOptions = {},
): PolicyMeasure {
  if (prompts.length === 0) throw new Error("measurePolicy: no prompts");
  const completions = sampleCompletions(policy, tok, prompts, options);
  const texts = completions.map((c) => completionText(tok, c.ids));
  const gold = texts.map((t) => goldReward(t, options.lexicon));
  // The reference measured against itself has KL 0 exactly (no estimate needed).
  const kl =
    policy === reference
      ? completions.map(() => 0)
      : completionKl(
          policy,
          reference,
          prompts,
          completions.map((c) => c.ids),
          options,
        );
  return {
    gold: meanSe(gold),
    kl: meanSe(kl),
    length: completions.reduce((s, c) => s + c.ids.length, 0) / completions.length,
    finished: completions.filter((c) => c.finished).length / completions.length,
    samples: completions.length,
    examples: texts.slice(0, 4),
  };
}

/** Best-of-n's KL to the policy it samples from: log n − (n − 1)/n nats. */
export function bestOfNKl(n: number): number {
  if (!Number.isInteger(n) || n < 1) throw new Error(`bestOfNKl: n must be a positive integer, got ${n}`);
  return Math.log(n) - (n - 1) / n;
}

/**
 * Best-of-n on held-out prompts: n completions per prompt from `model` (the shared sampler, seeds `seed + k·P`),
 * the one `score` ranks highest kept; its gold reward, and the analytic KL `bestOfNKl(n)`.
 */
export function bestOfN(
  model: GPT,
  tok: Tokenizer,
  prompts: readonly (readonly number[])[],
  n: number,
  score: (text: string, prompt: readonly number[], ids: readonly number[]) => number,
  options: MeasureOptions = {},
): { gold: MeanSe; kl: number; examples: string[] } {
  const kl = bestOfNKl(n);
  const { seed = 0 } = options;
  const best: { s: number; text: string }[] = prompts.map(() => ({ s: -Infinity, text: "" }));
  for (let k = 0; k < n; k++) {
    const completions = sampleCompletions(model, tok, prompts, {
      ...options,
      seed: seed + k * prompts.length,
    });
    completions.forEach((c, i) => {
      const text = completionText(tok, c.ids);
      const s = score(text, prompts[i], c.ids);
      if (s > best[i].s) best[i] = { s, text };
    });
  }
  return {
    gold: meanSe(best.map((b) => goldReward(b.text, options.lexicon))),
    kl,
    examples: best.slice(0, 4).map((b) => b.text),
  };
}
