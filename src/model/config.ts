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
}

/** A config with every optional field filled in. */
export type ResolvedConfig = Required<GPTConfig>;

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
  const resolved: ResolvedConfig = {
    bias: true,
    initStd: 0.02,
    ropeBase: 10000,
    normEps: 1e-5,
    ...config,
  };
  if (typeof resolved.bias !== "boolean") throw new ConfigError("bias", "must be true or false");
  for (const field of ["initStd", "ropeBase", "normEps"] as const) {
    const v = resolved[field];
    if (typeof v !== "number" || !(v > 0) || !Number.isFinite(v)) {
      throw new ConfigError(field, `must be a positive finite number, got ${String(v)}`);
    }
  }
  return resolved;
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
    linear(`h.${i}.mlp.c_fc`, d, mlpIn);
    linear(`h.${i}.mlp.c_proj`, c.dMlp, d);
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
  /** Parameters that take part in a matrix multiply per token: all block weights and biases, the final
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
    matmulParams += shape.reduce((a, b) => a * b, 1);
  }
  if (c.tiedEmbeddings) matmulParams += c.dModel * c.vocabSize;
  const dense = 6 * matmulParams;
  const attention = 12 * c.nLayers * c.dModel * T;
  return { matmulParams, dense, attention, total: dense + attention };
}

/** Training FLOPs per token: 6·N + 12·nLayers·dModel·T (see `flopsBreakdown`). */
export function flopsPerToken(config: GPTConfig, seqLen?: number): number {
  return flopsBreakdown(config, seqLen).total;
}
