/**
 * Autoregressive generation from a GPT: seeded sampling (temperature, top-k, top-p) with or without a KV
 * cache. With the cache each new token costs one forward over one position; without it, a forward over the
 * whole window. Both give the same tokens for the same seed.
 */
import * as tf from "@tensorflow/tfjs-core";
import { Rng } from "../random";
import { GPT, KVCache, disposeCache } from "./gpt";

export interface SamplingOptions {
  /** Divides the logits; 0 means greedy (argmax). Default 1. */
  temperature?: number;
  /** Keep only the k most likely tokens (0 or undefined: all). */
  topK?: number;
  /** Keep the smallest set of most likely tokens whose probability reaches p (nucleus sampling; 1: all). */
  topP?: number;
}

export interface GenerateOptions extends SamplingOptions {
  /** How many tokens to append. */
  maxNewTokens: number;
  /** Seed of the sampler (ignored when `rng` is given). Default 0. */
  seed?: number;
  /** The generator to draw from (its state advances). */
  rng?: Rng;
  /** Use the KV cache (default true). */
  useCache?: boolean;
  /** Stop after producing this token. */
  stopToken?: number;
}

function checkSampling(o: SamplingOptions): void {
  const { temperature = 1, topK = 0, topP = 1 } = o;
  if (!(temperature >= 0) || !Number.isFinite(temperature))
    throw new Error(`temperature must be ≥ 0, got ${temperature}`);
  if (!Number.isInteger(topK) || topK < 0) throw new Error(`topK must be an integer ≥ 0, got ${topK}`);
  if (!(topP > 0 && topP <= 1)) throw new Error(`topP must be in (0, 1], got ${topP}`);
}

/**
 * The distribution the sampler draws from, as probabilities over the vocabulary (zeros where filtered):
 * softmax(logits / temperature), restricted to the top-k, then to the top-p nucleus, renormalised.
 * Ties are broken by the lower token id, so the result is deterministic.
 */
export function samplingDistribution(logits: ArrayLike<number>, options: SamplingOptions = {}): Float64Array {
  checkSampling(options);
  const { temperature = 1, topK = 0, topP = 1 } = options;
  const n = logits.length;
  const probs = new Float64Array(n);
  if (temperature === 0) {
    let best = 0;
    for (let i = 1; i < n; i++) if (logits[i] > logits[best]) best = i;
    probs[best] = 1;
    return probs;
  }
  let max = -Infinity;
  for (let i = 0; i < n; i++) max = Math.max(max, logits[i]);
  let total = 0;
  for (let i = 0; i < n; i++) {
    probs[i] = Math.exp((logits[i] - max) / temperature);
    total += probs[i];
  }
  for (let i = 0; i < n; i++) probs[i] /= total;
  if ((topK > 0 && topK < n) || topP < 1) {
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => probs[b] - probs[a] || a - b);
    let keep = topK > 0 ? Math.min(topK, n) : n;
    if (topP < 1) {
      let kept = 0;
      let mass = 0;
      for (let r = 0; r < keep; r++) {
        mass += probs[order[r]];
        kept++;
        if (mass >= topP) break;
      }
      keep = kept;
    }
    for (let r = keep; r < n; r++) probs[order[r]] = 0;
    let s = 0;
    for (let i = 0; i < n; i++) s += probs[i];
    for (let i = 0; i < n; i++) probs[i] /= s;
  }
  return probs;
}

/** Draws one token id from `logits` with the sampling options, using one uniform draw of `rng`. */
export function sampleToken(logits: ArrayLike<number>, rng: Rng, options: SamplingOptions = {}): number {
  const probs = samplingDistribution(logits, options);
  if ((options.temperature ?? 1) === 0) return probs.indexOf(1);
  return rng.categorical(probs);
}

/** The logits of the last position of a `[1, time, vocab]` tensor, given its data (disposes the tensor). */
function lastLogits(logits: tf.Tensor3D, data: Float32Array): Float32Array {
  const [, T, V] = logits.shape;
  const out = data.slice((T - 1) * V, T * V);
  logits.dispose();
  return out;
}

/**
 * The generation loop, shared by `generate` and `generateAsync`: it yields each forward pass's logits
 * `[1, time, vocab]` and is sent back the last position's logits, read synchronously or by `await`.
 */
function* generation(
  model: GPT,
  prompt: number[],
  options: GenerateOptions,
): Generator<tf.Tensor3D, number[], Float32Array> {
  checkSampling(options);
  const { maxNewTokens, useCache = true } = options;
  if (!Number.isInteger(maxNewTokens) || maxNewTokens < 0)
    throw new Error(`maxNewTokens must be an integer ≥ 0, got ${maxNewTokens}`);
  if (prompt.length === 0)
    throw new Error("generate: the prompt needs at least one token (e.g. a BOS or newline id)");
  const rng = options.rng ?? new Rng(options.seed ?? 0);
  const ctx = model.config.contextLength;
  const tokens = [...prompt];
  const out: number[] = [];
  const cache: KVCache = { layers: [], length: 0 };
  try {
    for (let n = 0; n < maxNewTokens; n++) {
      let logits: Float32Array;
      if (!useCache) {
        logits = yield model.forward([tokens.slice(-ctx)]);
      } else if (cache.length === 0 || cache.length >= ctx) {
        disposeCache(cache);
        logits = yield model.forwardCached([tokens.slice(-ctx)], cache);
      } else {
        logits = yield model.forwardCached([[tokens[tokens.length - 1]]], cache);
      }
      const next = sampleToken(logits, rng, options);
      tokens.push(next);
      out.push(next);
      if (options.stopToken !== undefined && next === options.stopToken) break;
    }
  } finally {
    disposeCache(cache);
  }
  return out;
}

/**
 * Continues `prompt` (token ids, at least one) by `maxNewTokens` tokens and returns only the new ones.
 * The window is the last `contextLength` tokens. With the cache, a full cache is rebuilt from the last
 * `contextLength` tokens (the same computation the uncached path does), so both paths agree.
 */
export function generate(model: GPT, prompt: number[], options: GenerateOptions): number[] {
  const loop = generation(model, prompt, options);
  try {
    for (let r = loop.next(); ;) {
      if (r.done) return r.value;
      r = loop.next(lastLogits(r.value, r.value.dataSync() as Float32Array));
    }
  } finally {
    loop.return([]); // frees the cache when reading failed part-way
  }
}

/**
 * `generate` reading the logits back by `await`: for WebGPU in a browser page, which cannot read synchronously
 * (see `train.trainStepAsync`). The same tokens as `generate` for the same model, prompt and options.
 */
export async function generateAsync(
  model: GPT,
  prompt: number[],
  options: GenerateOptions,
): Promise<number[]> {
  const loop = generation(model, prompt, options);
  try {
    for (let r = loop.next(); ;) {
      if (r.done) return r.value;
      r = loop.next(lastLogits(r.value, (await r.value.data()) as Float32Array));
    }
  } finally {
    loop.return([]);
  }
}
