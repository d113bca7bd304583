/**
 * The one object that describes a GPT, its validation, and the arithmetic that follows from it: how many
 * parameters it has and how many floating-point operations one training token costs.
 */

/** Normalisation inside each block: LayerNorm (GPT-2: centre, scale, gain and bias) or RMSNorm (scale, gain). */
export type NormKind = "layer" | "rms";
/** Positional information: a learned table added to the token embeddings (GPT-2) or rotary embeddings (RoPE). */
export type PositionKind = "learned" | "rope";
/** The MLP: GELU (GPT-2, tanh approximation) or SwiGLU (`silu(x·W_gate) ⊙ (x·W_up)`, as in LLaMA). */
export type ActivationKind = "gelu" | "swiglu";

export interface GPTConfig {
  /** Number of token ids; inputs must lie in [0, vocabSize). */
  vocabSize: number;
  /** Longest sequence the model reads (size of the learned position table; the attention span). */
  contextLength: number;
  /** Width of the residual stream. */
  dModel: number;
  /** Number of transformer blocks. */
  nLayers: number;
  /** Attention heads per block; `dModel` must be divisible by it. */
  nHeads: number;
  /** Hidden width of the MLP (GPT-2 uses 4·dModel; SwiGLU models often use ≈ 8/3·dModel). */
  dMlp: number;
  norm: NormKind;
  positions: PositionKind;
  activation: ActivationKind;
  /** Share the token embedding with the output projection (logits = h · wteᵀ), as GPT-2 does. */
  tiedEmbeddings: boolean;
  /** Biases in the linear layers and LayerNorm (GPT-2: true; LLaMA-style models: false). Default true. */
  bias?: boolean;
  /** Standard deviation of the initial weights (GPT-2: 0.02). Default 0.02. */
  initStd?: number;
  /** Base of the RoPE frequencies. Default 10000. */
  ropeBase?: number;
  /** Epsilon inside the norms. Default 1e-5. */
  normEps?: number;
  /** Mixture of experts in place of the MLP in some or all blocks (chapter 11; see `MoEConfig`). */
  moe?: MoEConfig;
}

/** GPT-2's architecture choices (LayerNorm, learned positions, GELU, tied embeddings): spread into a config with
 * its sizes, `{ vocabSize, contextLength, dModel, nLayers, nHeads, dMlp, ...GPT2_STYLE }`. */
export const GPT2_STYLE = {
  norm: "layer",
  positions: "learned",
  activation: "gelu",
  tiedEmbeddings: true,
} as const satisfies Pick<GPTConfig, "norm" | "positions" | "activation" | "tiedEmbeddings">;

/**
 * How the router turns its logits `[tokens, experts]` into k gates per token. Both pick the same k experts
 * (softmax is monotone, so the k largest logits are the k largest probabilities); they differ in the gates:
 * - `"softmax-topk"` (Switch, GShard): softmax over all E experts, keep the k largest probabilities as they
 *   are — the gates sum to less than 1, and with k = 1 the gate is the router's confidence;
 * - `"topk-softmax"` (Mixtral): the k largest logits, softmax over those k — the gates sum to 1 (the same as
 *   renormalising the kept probabilities); with k = 1 the gate is always 1 and the router learns only from the
 *   auxiliary losses.
 */
export type RouterOrder = "softmax-topk" | "topk-softmax";

/** A mixture-of-experts layer: a router sends each token to `topK` of `experts` expert MLPs. */
export interface MoEConfig {
  /** Number of expert MLPs per MoE block (E ≥ 2). */
  experts: number;
  /** Experts per token (1 ≤ k ≤ E): Switch uses 1, GShard and Mixtral 2. */
  topK: number;
  /** Hidden width of each expert MLP. Default `dMlp`; `dMlp / topK` keeps the FLOPs of the dense MLP. */
  dExpert?: number;
  /** Router order (see `RouterOrder`). Default "topk-softmax". */
  router?: RouterOrder;
  /**
   * Each expert takes at most ceil(capacityFactor · topK · tokens / experts) tokens of a forward pass; the rest
   * of its assignments are dropped (first choices are served before second choices, then tokens in order).
   * Default 1.25 (Switch); `null` means no limit. Generation with a KV cache never drops.
   */
  capacityFactor?: number | null;
  /** Weight of the Switch load-balancing loss E·Σᵢ fᵢ·Pᵢ in the training loss. Default 0.01. */
  balanceCoef?: number;
  /** Weight of the router z-loss mean(logsumexp(logits)²) (ST-MoE). Default 1e-3. */
  zLossCoef?: number;
  /** Which blocks (0-based) are MoE blocks. Default all of them. */
  layers?: number[];
}

/** A mixture-of-experts config with every optional field filled in. */
export type ResolvedMoEConfig = Required<MoEConfig>;

/** A config with every optional field filled in (`moe` stays absent for a dense model). */
export type ResolvedConfig = Required<Omit<GPTConfig, "moe">> & { moe?: ResolvedMoEConfig };

/** Thrown for a configuration that cannot describe a model; `field` names the offending field. */
export class ConfigError extends Error {
  readonly field: string;
  constructor(field: string, message: string) {
    super(`GPTConfig.${field}: ${message}`);
    this.name = "ConfigError";
    this.field = field;
  }
}

const POSITIVE_INTS = ["vocabSize", "contextLength", "dModel", "nLayers", "nHeads", "dMlp"] as const;

/** Checks a config and returns it with defaults filled in; a bad field throws a `ConfigError` naming it. */
export function resolveConfig(config: GPTConfig): ResolvedConfig {
  if (config === null || typeof config !== "object") {
    throw new ConfigError("(config)", "expected an object with vocabSize, contextLength, dModel, …");
  }
  for (const field of POSITIVE_INTS) {
    const v = config[field];
    if (typeof v !== "number" || !Number.isInteger(v) || v <= 0) {
      throw new ConfigError(field, `must be a positive integer, got ${String(v)}`);
    }
  }
  if (config.dModel % config.nHeads !== 0) {
    throw new ConfigError(
      "dModel",
      `${config.dModel} is not divisible by nHeads=${config.nHeads}; each head needs dModel/nHeads dimensions`,
    );
  }
  const headDim = config.dModel / config.nHeads;
  if (config.positions === "rope" && headDim % 2 !== 0) {
    throw new ConfigError(
      "nHeads",
      `RoPE rotates pairs of dimensions, so dModel/nHeads=${headDim} must be even`,
    );
  }
  const oneOf = <T extends string>(field: keyof GPTConfig, allowed: readonly T[]): void => {
    const v = config[field] as unknown;
    if (!allowed.includes(v as T)) {
      throw new ConfigError(
        field,
        `must be one of ${allowed.map((a) => `"${a}"`).join(", ")}, got ${String(v)}`,
      );
    }
  };
  oneOf("norm", ["layer", "rms"]);
  oneOf("positions", ["learned", "rope"]);
  oneOf("activation", ["gelu", "swiglu"]);
  if (typeof config.tiedEmbeddings !== "boolean") {
    throw new ConfigError("tiedEmbeddings", `must be true or false, got ${String(config.tiedEmbeddings)}`);
  }
  const { moe, ...dense } = config;
  const resolved: ResolvedConfig = {
    bias: true,
    initStd: 0.02,
    ropeBase: 10000,
    normEps: 1e-5,
    ...dense,
  };
  if (moe !== undefined) resolved.moe = resolveMoE(moe, resolved);
  if (typeof resolved.bias !== "boolean") throw new ConfigError("bias", "must be true or false");
  for (const field of ["initStd", "ropeBase", "normEps"] as const) {
    const v = resolved[field];
    if (typeof v !== "number" || !(v > 0) || !Number.isFinite(v)) {
      throw new ConfigError(field, `must be a positive finite number, got ${String(v)}`);
    }
  }
  return resolved;
}

/** Checks the `moe` field against the rest of the config and fills in its defaults. */
function resolveMoE(moe: MoEConfig, c: ResolvedConfig): ResolvedMoEConfig {
  if (moe === null || typeof moe !== "object") {
    throw new ConfigError("moe", "expected an object like { experts: 8, topK: 2 }, or leave moe out");
  }
  const int = (field: keyof MoEConfig, v: unknown, low: number, high: number, why: string): void => {
    if (typeof v !== "number" || !Number.isInteger(v) || v < low || v > high) {
      throw new ConfigError(
        `moe.${field}`,
        `must be an integer in [${low}, ${high}] (${why}), got ${String(v)}`,
      );
    }
  };
  int("experts", moe.experts, 2, 4096, "a mixture needs at least two experts");
  int("topK", moe.topK, 1, moe.experts, "each token goes to k of the experts");
  const r: ResolvedMoEConfig = {
    dExpert: c.dMlp,
    router: "topk-softmax",
    capacityFactor: 1.25,
    balanceCoef: 0.01,
    zLossCoef: 1e-3,
    layers: Array.from({ length: c.nLayers }, (_, i) => i),
    ...moe,
  };
  int("dExpert", r.dExpert, 1, Number.MAX_SAFE_INTEGER, "the hidden width of one expert");
  if (r.router !== "softmax-topk" && r.router !== "topk-softmax") {
    throw new ConfigError("moe.router", `must be "softmax-topk" or "topk-softmax", got ${String(r.router)}`);
  }
  if (
    r.capacityFactor !== null &&
    !(typeof r.capacityFactor === "number" && r.capacityFactor > 0 && Number.isFinite(r.capacityFactor))
  ) {
    throw new ConfigError(
      "moe.capacityFactor",
      `must be a positive finite number, or null for no capacity limit; got ${String(r.capacityFactor)}`,
    );
  }
  for (const field of ["balanceCoef", "zLossCoef"] as const) {
    const v = r[field];
    if (typeof v !== "number" || !(v >= 0) || !Number.isFinite(v)) {
      throw new ConfigError(
        `moe.${field}`,
        `must be a finite number ≥ 0 (0 turns the loss off), got ${String(v)}`,
      );
    }
  }
  const layers = r.layers;
  if (!Array.isArray(layers) || layers.length === 0) {
    throw new ConfigError("moe.layers", "must be a non-empty array of block indices, e.g. [1, 3]");
  }
  for (const l of layers) {
    if (!Number.isInteger(l) || l < 0 || l >= c.nLayers) {
      throw new ConfigError("moe.layers", `block ${String(l)} is not in [0, nLayers=${c.nLayers})`);
    }
  }
  if (new Set(layers).size !== layers.length) {
    throw new ConfigError("moe.layers", `lists a block twice: [${layers.join(", ")}]`);
  }
  return { ...r, layers: [...layers].sort((a, b) => a - b) };
}

/** Whether block `layer` is a mixture-of-experts block. */
export function isMoELayer(config: ResolvedConfig, layer: number): boolean {
  return config.moe !== undefined && config.moe.layers.includes(layer);
}

/** Width of one attention head. */
export function headDim(config: GPTConfig): number {
  return config.dModel / config.nHeads;
}

/**
 * The shapes of every parameter, by name, in the order the model creates them. Names follow Hugging Face's
 * GPT-2 (`wte.weight`, `h.0.attn.c_attn.weight`, …) and, like GPT-2's Conv1D, linear weights are stored
 * `[in, out]` so the forward pass is a plain `x · W`. The untied output projection `lm_head.weight` is
 * `[dModel, vocabSize]` (transposed relative to PyTorch's `nn.Linear`).
 */
export function parameterShapes(config: GPTConfig): Array<[string, number[]]> {
  const c = resolveConfig(config);
  const d = c.dModel;
  const out: Array<[string, number[]]> = [["wte.weight", [c.vocabSize, d]]];
  if (c.positions === "learned") out.push(["wpe.weight", [c.contextLength, d]]);
  const norm = (name: string): void => {
    out.push([`${name}.weight`, [d]]);
    if (c.norm === "layer" && c.bias) out.push([`${name}.bias`, [d]]);
  };
  const linear = (name: string, fanIn: number, fanOut: number): void => {
    out.push([`${name}.weight`, [fanIn, fanOut]]);
    if (c.bias) out.push([`${name}.bias`, [fanOut]]);
  };
  const mlpIn = c.activation === "swiglu" ? 2 * c.dMlp : c.dMlp;
  for (let i = 0; i < c.nLayers; i++) {
    norm(`h.${i}.ln_1`);
    linear(`h.${i}.attn.c_attn`, d, 3 * d);
    linear(`h.${i}.attn.c_proj`, d, d);
    norm(`h.${i}.ln_2`);
    if (c.moe && isMoELayer(c, i)) {
      // The router (no bias) and E expert MLPs, each shaped like the dense MLP with width dExpert.
      const m = c.moe.dExpert;
      out.push([`h.${i}.moe.gate.weight`, [d, c.moe.experts]]);
      for (let e = 0; e < c.moe.experts; e++) {
        linear(`h.${i}.moe.experts.${e}.c_fc`, d, c.activation === "swiglu" ? 2 * m : m);
        linear(`h.${i}.moe.experts.${e}.c_proj`, m, d);
      }
    } else {
      linear(`h.${i}.mlp.c_fc`, d, mlpIn);
      linear(`h.${i}.mlp.c_proj`, c.dMlp, d);
    }
  }
  norm("ln_f");
  if (!c.tiedEmbeddings) out.push(["lm_head.weight", [d, c.vocabSize]]);
  return out;
}

// @answer 03.paramCount
/**
 * Total number of trainable parameters, a tied embedding counted once. With d = dModel, V = vocabSize,
 * C = contextLength, m = dMlp, L = nLayers, and b = 1 when the model has biases (else 0):
 * - embeddings: V·d, plus C·d for learned positions;
 * - each block: two norms (d each, +d each for a LayerNorm bias), attention d·3d + 3d·b (q, k, v together)
 *   and d·d + d·b (output projection), MLP d·m + m·b (GELU; SwiGLU has two input matrices: d·2m + 2m·b) and
 *   m·d + d·b;
 * - the final norm (d, +d for a LayerNorm bias) and, when not tied, the output projection d·V.
 */
export function paramCount(config: GPTConfig): number {
  const c = resolveConfig(config);
  const { vocabSize: V, contextLength: C, dModel: d, dMlp: m, nLayers: L } = c;
  const b = c.bias ? 1 : 0;
  const norm = c.norm === "layer" && c.bias ? 2 * d : d;
  const mlpIn = c.activation === "swiglu" ? 2 * m : m;
  const block =
    2 * norm + (d * 3 * d + 3 * d * b) + (d * d + d * b) + (d * mlpIn + mlpIn * b) + (m * d + d * b);
  const embeddings = V * d + (c.positions === "learned" ? C * d : 0);
  return embeddings + L * block + norm + (c.tiedEmbeddings ? 0 : d * V);
}
// @end-answer

export interface FlopsBreakdown {
  /** Parameters that take part in a matrix multiply per token (for a mixture of experts: the router and the
   *  k experts a token goes to, not all E): all block weights and biases, the final
   *  norm, and the output projection `dModel·vocabSize` (counted even when tied). Lookup tables (token and
   *  learned position embeddings) cost no multiply and are excluded. */
  matmulParams: number;
  /** 6 · matmulParams: forward (2 FLOPs per multiply-add) plus backward (twice the forward). */
  dense: number;
  /** 12 · nLayers · dModel · seqLen: QKᵀ and attention·V, forward and backward, over the full window. */
  attention: number;
  /** dense + attention. */
  total: number;
}

/**
 * Training FLOPs per token, split into the dense and attention parts. The formula is the one of Kaplan et al.
 * (2020, Table 1) and Chinchilla (Hoffmann et al. 2022, App. F) as PaLM and nanoGPT write it:
 *
 *   flopsPerToken = 6·N + 12·nLayers·dModel·T
 *
 * where N counts the parameters in matrix multiplies (see `matmulParams`) and T is the sequence length
 * (default `contextLength`). Kaplan's own attention term, 6·nLayers·T·dModel, counts only QKᵀ; counting the
 * attention-weighted sum of values too doubles it. Causal masking would halve the useful part; like PaLM we
 * count the full T×T product, because that is what the kernels compute.
 */
export function flopsBreakdown(config: GPTConfig, seqLen?: number): FlopsBreakdown {
  const c = resolveConfig(config);
  const T = seqLen ?? c.contextLength;
  if (!Number.isInteger(T) || T <= 0)
    throw new Error(`flopsPerToken: seqLen must be a positive integer, got ${T}`);
  let matmulParams = 0;
  for (const [name, shape] of parameterShapes(c)) {
    if (name === "wte.weight" || name === "wpe.weight") continue;
    // A token passes through k experts of E: count k of them (see `paramCounts`).
    const expert = /\.moe\.experts\.\d+\./.test(name);
    matmulParams += shape.reduce((a, b) => a * b, 1) * (expert && c.moe ? c.moe.topK / c.moe.experts : 1);
  }
  if (c.tiedEmbeddings) matmulParams += c.dModel * c.vocabSize;
  const dense = 6 * matmulParams;
  const attention = 12 * c.nLayers * c.dModel * T;
  return { matmulParams, dense, attention, total: dense + attention };
}

/** Total and active parameters (see `paramCounts`). */
export interface ParamCounts {
  /** Every trainable parameter, a tied embedding counted once (equals `paramCount` for a dense model). */
  total: number;
  /** The parameters one token uses: the total less, in each MoE block, the E − k experts it is not sent to. */
  active: number;
}

/**
 * Total and active parameters, from the parameter shapes. A mixture of experts stores E expert MLPs per MoE
 * block but runs each token through k of them, so its parameters grow with E while its FLOPs per token grow
 * with k: active = total − Σ over MoE blocks of (E − k) · (parameters of one expert).
 */
export function paramCounts(config: GPTConfig): ParamCounts {
  const c = resolveConfig(config);
  let total = 0;
  let experts = 0;
  for (const [name, shape] of parameterShapes(c)) {
    const size = shape.reduce((a, b) => a * b, 1);
    total += size;
    if (/\.moe\.experts\.\d+\./.test(name)) experts += size;
  }
  const inactive = c.moe ? (experts * (c.moe.experts - c.moe.topK)) / c.moe.experts : 0;
  return { total, active: total - inactive };
}

/** Training FLOPs per token: 6·N + 12·nLayers·dModel·T (see `flopsBreakdown`). */
export function flopsPerToken(config: GPTConfig, seqLen?: number): number {
  return flopsBreakdown(config, seqLen).total;
}
