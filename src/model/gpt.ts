/**
 * A decoder-only transformer (GPT) in tfjs: token ids `[batch, time]` → logits `[batch, time, vocab]`.
 *
 * Pre-norm blocks as in GPT-2: h = h + attn(norm₁(h)); h = h + mlp(norm₂(h)); then a final norm and the
 * output projection. All matrix products are 2-D `[batch·time, in] · [in, out]` (see `linear`) except the
 * two batched products inside attention. Weights live in `tf.Variable`s, one per named parameter.
 */
import * as tf from "@tensorflow/tfjs-core";
import { Rng } from "../random";
import { GPTConfig, ResolvedConfig, headDim, isMoELayer, parameterShapes, resolveConfig } from "./config";
import {
  attention,
  causalMask,
  embedding,
  gelu,
  layerNorm,
  linear,
  rmsNorm,
  ropeTables,
  selfAttention,
  splitHeads,
  swiglu,
} from "./layers";
import { MoELayerStats, moeBlock } from "./moe";

/** Keys and values of past positions for one layer: `kT: [batch, heads, headDim, past]`, `v: [batch, heads, past, headDim]`. */
export interface LayerCache {
  kT: tf.Tensor4D;
  v: tf.Tensor4D;
}

/** A KV cache: one entry per layer plus the number of positions it holds. Dispose it with `disposeCache`. */
export interface KVCache {
  layers: LayerCache[];
  length: number;
}

export interface ForwardOptions {
  /** Collect each layer's attention weights `[batch, heads, time, keys]` here (the caller disposes them). */
  attentionWeights?: tf.Tensor4D[];
  /** Collect each MoE block's routing and auxiliary losses here (dispose them with `disposeMoEStats`). */
  moe?: MoELayerStats[];
  /**
   * Collect the input `[batch·time, in]` of every linear layer here, keyed by the layer's name (`h.0.attn.c_attn`,
   * …, `lm_head` when untied); the caller disposes them. Quantization calibrates on these (chapter 12).
   */
  linearInputs?: Map<string, tf.Tensor2D>;
}

/** Frees the tensors held by a cache. */
export function disposeCache(cache: KVCache): void {
  for (const l of cache.layers) {
    l.kT.dispose();
    l.v.dispose();
  }
  cache.layers = [];
  cache.length = 0;
}

/** The initial standard deviation of a parameter: GPT-2's scheme (see `GPT` doc). */
function initStdFor(name: string, c: ResolvedConfig): number {
  if (/\.c_proj\.weight$/.test(name)) return c.initStd / Math.sqrt(2 * c.nLayers);
  return c.initStd;
}

export class GPT {
  readonly config: ResolvedConfig;
  /** Parameters by name (see `parameterShapes` for names and shapes), in creation order. */
  readonly params: Map<string, tf.Variable>;

  /**
   * Builds a model with GPT-2 initialisation from a seeded generator: weights ~ N(0, initStd²), residual
   * output projections (`*.c_proj.weight`, the ones that add into the residual stream) ~ N(0, (initStd/√(2·nLayers))²)
   * so the residual variance does not grow with depth; biases 0; norm gains 1. The same seed gives the same
   * weights on every backend (the numbers are drawn in JavaScript).
   */
  constructor(config: GPTConfig, seed = 0) {
    this.config = resolveConfig(config);
    this.params = new Map();
    const rng = new Rng(seed);
    for (const [name, shape] of parameterShapes(this.config)) {
      const size = shape.reduce((a, b) => a * b, 1);
      const data = new Float32Array(size);
      if (/\.(ln_\d|ln_f)\.weight$/.test(name) || name === "ln_f.weight") data.fill(1);
      else if (!/\.bias$/.test(name)) {
        const std = initStdFor(name, this.config);
        for (let i = 0; i < size; i++) data[i] = rng.normal(0, std);
      }
      // The variable shares the initial tensor's data; disposing the tensor leaves only the variable.
      const init = tf.tensor(data, shape, "float32");
      this.params.set(name, tf.variable(init, true));
      init.dispose();
    }
  }

  /** The parameter named `name`; throws if there is none. */
  param(name: string): tf.Variable {
    const p = this.params.get(name);
    if (!p) throw new Error(`GPT has no parameter "${name}"`);
    return p;
  }

  /** Copies values into the parameters (shapes must match); used by checkpoints. */
  setParams(values: Map<string, tf.Tensor> | Record<string, tf.Tensor>): void {
    const get = (k: string): tf.Tensor | undefined => (values instanceof Map ? values.get(k) : values[k]);
    const missing = [...this.params.keys()].filter((k) => !get(k));
    if (missing.length) throw new Error(`setParams: missing parameters ${missing.join(", ")}`);
    for (const [name, v] of this.params) {
      const t = get(name) as tf.Tensor;
      if (t.shape.join(",") !== v.shape.join(",")) {
        throw new Error(`setParams: "${name}" has shape [${t.shape}], the model expects [${v.shape}]`);
      }
      v.assign(t);
    }
  }

  /** Checks ids: int32 `[batch, time]` with 1 ≤ time ≤ contextLength (minus `past` cached positions). */
  private checkIds(ids: tf.Tensor, past: number): void {
    if (ids.rank !== 2) throw new Error(`GPT.forward: ids must be [batch, time], got shape [${ids.shape}]`);
    if (ids.dtype !== "int32") throw new Error(`GPT.forward: ids must be int32, got ${ids.dtype}`);
    const t = ids.shape[1] as number;
    if (t < 1) throw new Error("GPT.forward: the sequence is empty");
    if (past + t > this.config.contextLength) {
      throw new Error(
        `GPT.forward: sequence length ${past + t}${past ? ` (${past} cached + ${t} new)` : ""} exceeds ` +
          `contextLength=${this.config.contextLength}; crop the input to the last ${this.config.contextLength} tokens`,
      );
    }
  }

  /** Rejects token ids outside [0, vocabSize) (reads the ids back; cheap next to the forward pass). */
  private checkRange(ids: tf.Tensor): void {
    const data = ids.dataSync();
    const V = this.config.vocabSize;
    for (let i = 0; i < data.length; i++) {
      if (!(data[i] >= 0 && data[i] < V)) {
        throw new Error(
          `GPT.forward: token id ${data[i]} at flat position ${i} is outside [0, vocabSize=${V})`,
        );
      }
    }
  }

  /** Logits `[batch, time, vocab]` for int32 ids `[batch, time]` (or nested arrays of ids). */
  forward(ids: tf.Tensor2D | number[][], options: ForwardOptions = {}): tf.Tensor3D {
    const idsT = Array.isArray(ids) ? tf.tensor2d(ids, undefined, "int32") : ids;
    try {
      return this.run(idsT, null, options);
    } finally {
      if (idsT !== ids) idsT.dispose();
    }
  }

  /**
   * Forward for new tokens `ids: [batch, tNew]` after the positions already in `cache`; appends their keys
   * and values to the cache (the old cache tensors are disposed) and returns logits `[batch, tNew, vocab]`.
   * Start with `{ layers: [], length: 0 }`.
   */
  forwardCached(ids: tf.Tensor2D | number[][], cache: KVCache): tf.Tensor3D {
    const idsT = Array.isArray(ids) ? tf.tensor2d(ids, undefined, "int32") : ids;
    try {
      return this.run(idsT, cache, {});
    } finally {
      if (idsT !== ids) idsT.dispose();
    }
  }

  private run(ids: tf.Tensor2D, cache: KVCache | null, options: ForwardOptions): tf.Tensor3D {
    const past = cache ? cache.length : 0;
    this.checkIds(ids, past);
    this.checkRange(ids);
    const c = this.config;
    const [B, T] = ids.shape;
    const H = c.nHeads;
    const hd = headDim(c);
    const d = c.dModel;
    const p = (name: string): tf.Variable => this.param(name);
    const opt = (name: string): tf.Tensor1D | undefined => this.params.get(name) as tf.Tensor1D | undefined;
    const norm = (x: tf.Tensor, name: string): tf.Tensor2D =>
      (c.norm === "layer"
        ? layerNorm(x, p(`${name}.weight`) as tf.Tensor1D, opt(`${name}.bias`), c.normEps)
        : rmsNorm(x, p(`${name}.weight`) as tf.Tensor1D, c.normEps)) as tf.Tensor2D;
    const lin = (x: tf.Tensor2D, name: string): tf.Tensor2D => {
      if (options.linearInputs) options.linearInputs.set(name, tf.keep(tf.clone(x)));
      return linear(x, p(`${name}.weight`) as tf.Tensor2D, opt(`${name}.bias`));
    };
    const newLayers: LayerCache[] = [];

    const logits = tf.tidy(() => {
      // Residual stream as [B·T, d] so every linear map is one 2-D product.
      let h = tf.reshape(embedding(p("wte.weight") as tf.Tensor2D, ids), [B * T, d]) as tf.Tensor2D;
      if (c.positions === "learned") {
        const pos = tf.slice(p("wpe.weight"), [past, 0], [T, d]);
        h = tf.reshape(tf.add(tf.reshape(h, [B, T, d]), pos), [B * T, d]);
      }
      const rope = c.positions === "rope" ? ropeTables(T, hd, past, c.ropeBase) : null;
      const keys = past + T;
      const mask = keys > 1 ? causalMask(T, keys, past) : null;
      for (let i = 0; i < c.nLayers; i++) {
        const pre = `h.${i}`;
        // Attention: one product for q, k, v; heads split by reshapes and transposes.
        const qkv = lin(norm(h, `${pre}.ln_1`), `${pre}.attn.c_attn`);
        if (!cache && !options.attentionWeights) {
          // Training and plain forward passes: the fast layout on WASM (see `selfAttention`).
          h = tf.add(h, lin(selfAttention(qkv, B, T, H, mask, rope), `${pre}.attn.c_proj`));
        } else {
          const heads = splitHeads(qkv, B, T, H, rope); // [B, T, H, hd] each
          const q = tf.transpose(heads.q, [0, 2, 1, 3]) as tf.Tensor4D; // [B, H, T, hd]
          let kT = tf.transpose(heads.k, [0, 2, 3, 1]) as tf.Tensor4D; // [B, H, hd, T]
          let v = tf.transpose(heads.v, [0, 2, 1, 3]) as tf.Tensor4D; // [B, H, T, hd]
          if (cache) {
            const prev = cache.layers[i];
            if (prev) {
              kT = tf.concat([prev.kT, kT], 3) as tf.Tensor4D;
              v = tf.concat([prev.v, v], 2) as tf.Tensor4D;
            }
            newLayers.push({ kT: tf.keep(kT), v: tf.keep(v) });
          }
          const { out, weights } = attention(q, kT, v, mask);
          if (options.attentionWeights) options.attentionWeights.push(tf.keep(weights));
          const merged = tf.reshape(tf.transpose(out, [0, 2, 1, 3]), [B * T, d]) as tf.Tensor2D;
          h = tf.add(h, lin(merged, `${pre}.attn.c_proj`));
        }
        // MLP, or a mixture of experts (chapter 11).
        if (isMoELayer(c, i)) {
          const opts = { layer: i, capacity: !cache, stats: options.moe };
          h = tf.add(
            h,
            moeBlock(norm(h, `${pre}.ln_2`), (n) => this.params.get(n), c, opts),
          );
          continue;
        }
        const up = lin(norm(h, `${pre}.ln_2`), `${pre}.mlp.c_fc`);
        const act = c.activation === "gelu" ? (gelu(up) as tf.Tensor2D) : swiglu(up);
        h = tf.add(h, lin(act, `${pre}.mlp.c_proj`));
      }
      const hf = norm(h, "ln_f");
      const head = c.tiedEmbeddings
        ? (tf.transpose(p("wte.weight")) as tf.Tensor2D)
        : (p("lm_head.weight") as tf.Tensor2D);
      if (options.linearInputs && !c.tiedEmbeddings)
        options.linearInputs.set("lm_head", tf.keep(tf.clone(hf)));
      return tf.reshape(linear(hf, head), [B, T, c.vocabSize]) as tf.Tensor3D;
    });
    if (cache) {
      for (const l of cache.layers) {
        l.kT.dispose();
        l.v.dispose();
      }
      cache.layers = newLayers;
      cache.length = past + T;
    }
    return logits;
  }

  /** All trainable variables, in creation order. */
  variables(): tf.Variable[] {
    return [...this.params.values()];
  }

  /** Frees the weights. */
  dispose(): void {
    for (const v of this.params.values()) v.dispose();
    this.params.clear();
  }
}
