/**
 * A decoder-only transformer (GPT) in tfjs: token ids `[batch, time]` → logits `[batch, time, vocab]`.
 *
 * Pre-norm blocks as in GPT-2: h = h + attn(norm₁(h)); h = h + mlp(norm₂(h)); then a final norm and the
 * output projection. All matrix products are 2-D `[batch·time, in] · [in, out]` (see `linear`) except the
 * two batched products inside attention. Weights live in `tf.Variable`s, one per named parameter. `run` is
 * the one forward (training, evaluation and generation with a KV cache), `block` the one block.
 */
import * as tf from "@tensorflow/tfjs-core";
import { Rng } from "../random";
import { GPTConfig, ResolvedConfig, headDim, isMoELayer, parameterShapes, resolveConfig } from "./config";
import {
  causalMask,
  embedding,
  gelu,
  layerNorm,
  linear,
  multiHeadAttention,
  paddedCausalMask,
  rmsNorm,
  ropeTables,
  ropeTablesAt,
  splitHeads,
  swiglu,
} from "./layers";
import { MoELayerStats, moeBlock } from "./moe";

/** Keys and values of past positions for one layer: `k, v: [batch, past, heads, headDim]` (as `splitHeads` gives them). */
export interface LayerCache {
  k: tf.Tensor4D;
  v: tf.Tensor4D;
}

/**
 * A KV cache: one entry per layer plus the number of positions it holds. Dispose it with `disposeCache`.
 *
 * `padding` makes it a left-padded batch (prompts of different lengths generated together, chapter 12): row b's
 * first `padding[b]` positions are pads. Every forward through the cache then masks those keys and numbers
 * row b's positions from its first real token (position p of the row is slot p + padding[b]), so each row
 * computes what it computes alone. Set it before the first `forwardCached`; it stays for the cache's life.
 */
export interface KVCache {
  layers: LayerCache[];
  length: number;
  padding?: number[];
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
  /**
   * Collect the final hidden state (after the last norm, before the output projection) `[batch·time, dModel]`
   * here; the caller disposes it. Gradients flow through it: reward and value heads (chapter 08) read it.
   */
  hidden?: tf.Tensor2D[];
}

/** What every block of one forward pass shares: sizes, RoPE tables, the mask, the cache being extended. */
interface ForwardState {
  B: number;
  T: number;
  /** cos/sin `[T, headDim]` for these positions (`[B·T, headDim]` for a padded batch), or null without RoPE. */
  rope: [tf.Tensor2D, tf.Tensor2D] | null;
  /** Additive causal mask `[T, past + T]` (`[B, 1, T, past + T]` for a padded batch), or null for a single position. */
  mask: tf.Tensor2D | tf.Tensor4D | null;
  cache: KVCache | null;
  /** The cache entries this pass makes (kept tensors), one per layer. */
  newLayers: LayerCache[];
  attentionWeights?: tf.Tensor4D[];
  moe?: MoELayerStats[];
  linearInputs?: Map<string, tf.Tensor2D>;
}

/** Frees the tensors held by a cache. */
export function disposeCache(cache: KVCache): void {
  for (const l of cache.layers) tf.dispose([l.k, l.v]);
  cache.layers = [];
  cache.length = 0;
  delete cache.padding;
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
      if (/\.ln_\d\.weight$/.test(name) || name === "ln_f.weight") data.fill(1);
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

  /** Norm `name` (`h.0.ln_1`, `ln_f`, …) of the configured kind over the last axis of `x: [n, d]`. */
  private norm(x: tf.Tensor2D, name: string): tf.Tensor2D {
    const c = this.config;
    const gain = this.param(`${name}.weight`) as tf.Tensor1D;
    return (
      c.norm === "layer"
        ? layerNorm(x, gain, this.params.get(`${name}.bias`) as tf.Tensor1D | undefined, c.normEps)
        : rmsNorm(x, gain, c.normEps)
    ) as tf.Tensor2D;
  }

  /** The linear map `name` (`h.0.mlp.c_fc`, …): `x: [n, in]` → `[n, out]`, with its bias if it has one. */
  private lin(x: tf.Tensor2D, name: string, s: ForwardState): tf.Tensor2D {
    if (s.linearInputs) s.linearInputs.set(name, tf.keep(tf.clone(x)));
    return this.linearProduct(x, name);
  }

  /** Parameter `name`, or undefined when the model has none (optional biases); quantized models override it. */
  protected paramIfAny(name: string): tf.Tensor | undefined {
    return this.params.get(name);
  }

  /**
   * `x · W + b` for the linear map `name`: `x: [n, in]` → `[n, out]`. The one place a block's weight matrix
   * meets its input, so a model that stores weights differently (chapter 12's `QuantizedGPT`, which multiplies
   * packed codes directly when decoding) overrides only this.
   */
  protected linearProduct(x: tf.Tensor2D, name: string): tf.Tensor2D {
    const bias = this.params.get(`${name}.bias`) as tf.Tensor1D | undefined;
    return linear(x, this.param(`${name}.weight`) as tf.Tensor2D, bias);
  }

  /**
   * Causal self-attention of layer `i`: `x: [B·T, d]` → `[B·T, d]`. One product gives q, k, v; the heads are
   * split (RoPE applied), the cached keys and values of earlier positions put in front, attended, merged
   * and projected.
   */
  private attention(x: tf.Tensor2D, i: number, s: ForwardState): tf.Tensor2D {
    const { B, T } = s;
    const H = this.config.nHeads;
    const heads = splitHeads(this.lin(x, `h.${i}.attn.c_attn`, s), B, T, H, s.rope); // [B, T, H, hd] each
    let { k, v } = heads;
    if (s.cache) {
      const prev = s.cache.layers[i];
      if (prev) {
        k = tf.concat([prev.k, k], 1) as tf.Tensor4D;
        v = tf.concat([prev.v, v], 1) as tf.Tensor4D;
      }
      s.newLayers.push({ k: tf.keep(k), v: tf.keep(v) });
    }
    const out = multiHeadAttention(heads.q, k, v, s.mask, s.attentionWeights);
    return this.lin(tf.reshape(out, [B * T, this.config.dModel]) as tf.Tensor2D, `h.${i}.attn.c_proj`, s);
  }

  /**
   * The MLP of layer `i`: `x: [B·T, d]` → `[B·T, d]`, up-projection, GELU or SwiGLU, down-projection; or a
   * mixture of experts (chapter 11) in the layers the `moe` option names.
   */
  private mlp(x: tf.Tensor2D, i: number, s: ForwardState): tf.Tensor2D {
    const c = this.config;
    if (isMoELayer(c, i)) {
      const opts = { layer: i, capacity: !s.cache, stats: s.moe };
      return moeBlock(x, (n) => this.paramIfAny(n), c, opts) as tf.Tensor2D;
    }
    const up = this.lin(x, `h.${i}.mlp.c_fc`, s);
    const act = c.activation === "gelu" ? (gelu(up) as tf.Tensor2D) : swiglu(up);
    return this.lin(act, `h.${i}.mlp.c_proj`, s);
  }

  /** Pre-norm block `i` on the residual stream `h: [B·T, d]`: h + attn(norm₁(h)), then + mlp(norm₂(h)). */
  private block(h: tf.Tensor2D, i: number, s: ForwardState): tf.Tensor2D {
    const a = tf.add(h, this.attention(this.norm(h, `h.${i}.ln_1`), i, s)) as tf.Tensor2D;
    return tf.add(a, this.mlp(this.norm(a, `h.${i}.ln_2`), i, s)) as tf.Tensor2D;
  }

  /** Checks a padded cache's `padding`: one integer per row, each row with at least one real token. */
  private checkPadding(padding: readonly number[], B: number, keys: number): void {
    if (padding.length !== B)
      throw new Error(
        `GPT.forwardCached: cache.padding has ${padding.length} entries for a batch of ${B} rows`,
      );
    padding.forEach((p, b) => {
      if (!Number.isInteger(p) || p < 0 || p >= keys)
        throw new Error(
          `GPT.forwardCached: cache.padding[${b}] = ${p} must be an integer in [0, ${keys}) ` +
            "(left pads before the row's first real token; every row needs one real token)",
        );
    });
  }

  private run(ids: tf.Tensor2D, cache: KVCache | null, options: ForwardOptions): tf.Tensor3D {
    const past = cache ? cache.length : 0;
    this.checkIds(ids, past);
    this.checkRange(ids);
    const c = this.config;
    const [B, T] = ids.shape;
    const d = c.dModel;
    const newLayers: LayerCache[] = [];
    const padding = cache?.padding;
    if (padding) this.checkPadding(padding, B, past + T);
    // Position of each [b, t] in a padded batch: slots count from the row's first real token (pads get 0).
    const rowPositions = padding
      ? Array.from({ length: B * T }, (_, i) => Math.max(0, past + (i % T) - padding[Math.floor(i / T)]))
      : null;

    const logits = tf.tidy(() => {
      // Residual stream as [B·T, d] so every linear map is one 2-D product.
      let h = tf.reshape(embedding(this.param("wte.weight") as tf.Tensor2D, ids), [B * T, d]) as tf.Tensor2D;
      if (c.positions === "learned" && rowPositions) {
        // Inference only (gather has no WASM gradient): one wpe row per [b, t].
        h = tf.add(h, tf.gather(this.param("wpe.weight"), tf.tensor1d(rowPositions, "int32"))) as tf.Tensor2D;
      } else if (c.positions === "learned") {
        const pos = tf.slice(this.param("wpe.weight"), [past, 0], [T, d]);
        h = tf.reshape(tf.add(tf.reshape(h, [B, T, d]), pos), [B * T, d]);
      }
      const keys = past + T;
      const rope =
        c.positions !== "rope"
          ? null
          : rowPositions
            ? ropeTablesAt(rowPositions, headDim(c), c.ropeBase)
            : ropeTables(T, headDim(c), past, c.ropeBase);
      const state: ForwardState = {
        B,
        T,
        rope,
        mask: padding
          ? paddedCausalMask(T, keys, past, padding)
          : keys > 1
            ? causalMask(T, keys, past)
            : null,
        cache,
        newLayers,
        attentionWeights: options.attentionWeights,
        moe: options.moe,
        linearInputs: options.linearInputs,
      };
      for (let i = 0; i < c.nLayers; i++) h = this.block(h, i, state);
      const hf = this.norm(h, "ln_f");
      if (options.hidden) options.hidden.push(tf.keep(hf));
      const head = c.tiedEmbeddings
        ? (tf.transpose(this.param("wte.weight")) as tf.Tensor2D)
        : (this.param("lm_head.weight") as tf.Tensor2D);
      if (options.linearInputs && !c.tiedEmbeddings)
        options.linearInputs.set("lm_head", tf.keep(tf.clone(hf)));
      return tf.reshape(linear(hf, head), [B, T, c.vocabSize]) as tf.Tensor3D;
    });
    if (cache) {
      for (const l of cache.layers) tf.dispose([l.k, l.v]);
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
