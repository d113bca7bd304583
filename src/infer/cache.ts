/**
 * The KV cache of chapter 03 (`model.GPT.forwardCached`) seen from the serving side: its memory, how to cut
 * it back after rejected speculative tokens, and batched generation of prompts of different lengths (left
 * padding with a mask) that shares one forward per step.
 */
import * as tf from "@tensorflow/tfjs-core";
import { GPT, KVCache, disposeCache } from "../model";
import { Rng } from "../random";
import { SamplerOptions, checkSamplerOptions, sample } from "./sampling";

export interface CacheShape {
  nLayers: number;
  /** Positions held (up to the context length). */
  positions: number;
  /** Width of the keys (and of the values): heads × head dimension = dModel for multi-head attention. */
  dModel: number;
  /** Bytes per stored number: 4 for float32, 2 for bf16/fp16, 1 for int8. */
  bytesPerValue: number;
  /** Sequences held at once. Default 1. */
  batch?: number;
}

// @answer 12.kvCacheBytes
/**
 * Bytes of a KV cache: every layer stores one key and one value vector of width dModel per position per
 * sequence, so 2 · layers · positions · dModel · bytesPerValue · batch. Rejects non-positive sizes.
 */
export function kvCacheBytes(shape: CacheShape): number {
  const { nLayers, positions, dModel, bytesPerValue, batch = 1 } = shape;
  for (const [k, v] of Object.entries({ nLayers, positions, dModel, bytesPerValue, batch })) {
    if (!(v > 0) || !Number.isFinite(v)) throw new Error(`kvCacheBytes: ${k} must be > 0, got ${v}`);
  }
  return 2 * nLayers * positions * dModel * bytesPerValue * batch;
}
// @end-answer

/** Bytes the tensors of a live cache actually hold (float32: 4 bytes per number). */
export function cacheBytes(cache: KVCache): number {
  let n = 0;
  for (const l of cache.layers) n += l.k.size + l.v.size;
  return 4 * n;
}

/** Cuts a cache back to its first `length` positions (e.g. after rejected draft tokens); disposes the old tensors. */
export function truncateCache(cache: KVCache, length: number): void {
  if (!Number.isInteger(length) || length < 0 || length > cache.length)
    throw new Error(`truncateCache: length must be an integer in [0, ${cache.length}], got ${length}`);
  if (length === cache.length) return;
  cache.layers = cache.layers.map((l) => {
    const [B, , H, hd] = l.k.shape; // [batch, positions, heads, headDim]
    const k = tf.slice(l.k, [0, 0, 0, 0], [B, length, H, hd]);
    const v = tf.slice(l.v, [0, 0, 0, 0], [B, length, H, hd]);
    tf.dispose([l.k, l.v]);
    return { k, v };
  });
  cache.length = length;
}

/** Logits of every sequence's last position, from `[batch, time, vocab]` (disposes the tensor). */
export function lastLogitsRows(logits: tf.Tensor3D): Float32Array[] {
  const [B, T, V] = logits.shape;
  const data = logits.dataSync() as Float32Array;
  logits.dispose();
  return Array.from({ length: B }, (_, b) => data.slice((b * T + T - 1) * V, (b * T + T) * V));
}

export interface BatchGenerateOptions extends SamplerOptions {
  maxNewTokens: number;
  seed?: number;
}

/**
 * Generates `maxNewTokens` for several prompts at once with the KV cache, one forward per step for all of them.
 * Prompts of different lengths are **left-padded** to the longest and the cache records the padding
 * (`KVCache.padding`): every forward masks the pad keys and numbers each row's positions from its first real
 * token, so a row computes what it computes alone (its logits agree to float rounding; the tests check that
 * every row's tokens equal a batch-of-one run). Each sequence gets its own generator, seeded `seed + index`.
 * The longest prompt plus `maxNewTokens` must fit the context. Returns the new tokens per prompt, in input order.
 */
export function generateBatch(model: GPT, prompts: number[][], options: BatchGenerateOptions): number[][] {
  checkSamplerOptions(options);
  const { maxNewTokens, seed = 0 } = options;
  if (!Number.isInteger(maxNewTokens) || maxNewTokens < 0)
    throw new Error(`generateBatch: maxNewTokens must be an integer ≥ 0, got ${maxNewTokens}`);
  if (prompts.length === 0) throw new Error("generateBatch: no prompts");
  const ctx = model.config.contextLength;
  prompts.forEach((p, i) => {
    if (p.length === 0)
      throw new Error(`generateBatch: prompt ${i} is empty (start it with a BOS or newline id)`);
    if (p.length + maxNewTokens > ctx)
      throw new Error(
        `generateBatch: prompt ${i} has ${p.length} tokens + ${maxNewTokens} new > contextLength ${ctx}; ` +
          "shorten the prompt or ask for fewer tokens",
      );
  });
  const longest = Math.max(...prompts.map((p) => p.length));
  const padding = prompts.map((p) => longest - p.length);
  const rngs = prompts.map((_, i) => new Rng(seed + i));
  const hist = prompts.map((p) => [...p]);
  const out: number[][] = prompts.map(() => []);
  const cache: KVCache = { layers: [], length: 0 };
  // All prompts of one length: no padding at all (the plain causal path).
  if (padding.some((n) => n > 0)) cache.padding = padding;
  try {
    // Pads take id 0: masked out, their value never reaches a real token.
    let input = prompts.map((p, i) => [...new Array<number>(padding[i]).fill(0), ...p]);
    for (let n = 0; n < maxNewTokens; n++) {
      const rows = lastLogitsRows(model.forwardCached(input, cache));
      const next = rows.map((z, j) => sample(z, rngs[j], options, hist[j]));
      next.forEach((t, j) => {
        hist[j].push(t);
        out[j].push(t);
      });
      input = next.map((t) => [t]);
    }
  } finally {
    disposeCache(cache);
  }
  return out;
}
