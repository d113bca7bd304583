/**
 * Autoregressive generation from a GPT: seeded sampling (`sampling.ts`: temperature, top-k, top-p, min-p,
 * penalties over the tokens so far) with or without a KV cache. With the cache each new token costs one forward over one position; without it, a forward over the
 * whole window. Both give the same tokens for the same seed.
 */
import * as tf from "@tensorflow/tfjs-core";
import { Rng } from "../random";
import { GPT, KVCache, disposeCache } from "./gpt";
import { SamplerOptions, checkSamplerOptions, sample } from "./sampling";

export interface GenerateOptions extends SamplerOptions {
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
  checkSamplerOptions(options);
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
      const next = sample(logits, rng, options, tokens);
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
