/**
 * Export to the Hugging Face layout that `transformers` loads: `config.json` (the fields of `GPT2LMHeadModel` or
 * `LlamaForCausalLM`), `model.safetensors` with their tensor names and orientations, and the tokenizer as
 * `tokenizer.json` (the `tokenizers` library's byte-level BPE format).
 *
 * Orientation: our linear weights are `[in, out]` (y = x·W). GPT-2's `Conv1D` stores `[in, out]` too, so GPT-2
 * tensors keep ours (q, k, v stay fused in `c_attn`, in that order). Llama's `nn.Linear` stores `[out, in]`, so
 * every matrix is transposed and `c_attn` is split into `q_proj`, `k_proj`, `v_proj` and the SwiGLU input `c_fc`
 * (gate half first, then up) into `gate_proj` and `up_proj`. Our RoPE uses the "rotate half" pairing (i, i + hd/2)
 * as HF's Llama does, so q and k need no permutation.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { GPT } from "../model";
import { Tokenizer } from "../tokenizer";
import { SafeTensor, encodeSafetensors } from "../train";
import { transpose } from "./quantize";

export type HfArchitecture = "GPT2LMHeadModel" | "LlamaForCausalLM";

/** Which HF class can hold this model; throws naming the setting that fits neither. */
export function hfArchitecture(model: GPT): HfArchitecture {
  const c = model.config;
  if (c.norm === "layer" && c.positions === "learned" && c.activation === "gelu" && c.bias)
    return "GPT2LMHeadModel";
  if (c.norm === "rms" && c.positions === "rope" && c.activation === "swiglu" && !c.bias)
    return "LlamaForCausalLM";
  throw new Error(
    `exportHuggingFace: norm=${c.norm}, positions=${c.positions}, activation=${c.activation}, bias=${c.bias} matches ` +
      "neither GPT-2 (layer, learned, gelu, bias) nor Llama (rms, rope, swiglu, no bias)",
  );
}

/** The `config.json` object for the model's HF class. */
export function hfConfig(model: GPT, tokenizer?: Tokenizer): Record<string, unknown> {
  const c = model.config;
  const arch = hfArchitecture(model);
  const eos = tokenizer?.specialTokens["<|endoftext|>"];
  const ids = eos === undefined ? {} : { bos_token_id: eos, eos_token_id: eos };
  if (arch === "GPT2LMHeadModel")
    return {
      architectures: [arch],
      model_type: "gpt2",
      vocab_size: c.vocabSize,
      n_positions: c.contextLength,
      n_embd: c.dModel,
      n_layer: c.nLayers,
      n_head: c.nHeads,
      n_inner: c.dMlp,
      activation_function: "gelu_new",
      layer_norm_epsilon: c.normEps,
      tie_word_embeddings: c.tiedEmbeddings,
      initializer_range: c.initStd,
      torch_dtype: "float32",
      ...ids,
    };
  return {
    architectures: [arch],
    model_type: "llama",
    vocab_size: c.vocabSize,
    max_position_embeddings: c.contextLength,
    hidden_size: c.dModel,
    intermediate_size: c.dMlp,
    num_hidden_layers: c.nLayers,
    num_attention_heads: c.nHeads,
    num_key_value_heads: c.nHeads,
    hidden_act: "silu",
    rms_norm_eps: c.normEps,
    rope_theta: c.ropeBase,
    attention_bias: false,
    tie_word_embeddings: c.tiedEmbeddings,
    initializer_range: c.initStd,
    torch_dtype: "float32",
    ...ids,
  };
}

/** The model's tensors under the HF class's names and orientations. */
export function hfTensors(model: GPT): Map<string, SafeTensor> {
  const c = model.config;
  const arch = hfArchitecture(model);
  const out = new Map<string, SafeTensor>();
  const get = (name: string): { data: Float32Array; shape: number[] } => {
    const v = model.param(name);
    return { data: Float32Array.from(v.dataSync() as Float32Array), shape: v.shape };
  };
  const put = (name: string, data: Float32Array, shape: number[]): void => {
    out.set(name, { dtype: "F32", shape, data });
  };
  const same = (hf: string, ours: string): void => {
    const t = get(ours);
    put(hf, t.data, t.shape);
  };
  /** Columns [from, to) of an `[in, out]` weight, transposed to `[to − from, in]` (nn.Linear's layout). */
  const sliceT = (w: { data: Float32Array; shape: number[] }, from: number, to: number): Float32Array => {
    const [rows, cols] = w.shape;
    const o = new Float32Array((to - from) * rows);
    for (let i = 0; i < rows; i++)
      for (let j = from; j < to; j++) o[(j - from) * rows + i] = w.data[i * cols + j];
    return o;
  };
  const d = c.dModel;
  if (arch === "GPT2LMHeadModel") {
    same("transformer.wte.weight", "wte.weight");
    same("transformer.wpe.weight", "wpe.weight");
    for (let i = 0; i < c.nLayers; i++)
      for (const part of ["ln_1", "attn.c_attn", "attn.c_proj", "ln_2", "mlp.c_fc", "mlp.c_proj"])
        for (const kind of ["weight", "bias"])
          same(`transformer.h.${i}.${part}.${kind}`, `h.${i}.${part}.${kind}`);
    same("transformer.ln_f.weight", "ln_f.weight");
    same("transformer.ln_f.bias", "ln_f.bias");
    if (!c.tiedEmbeddings) {
      const w = get("lm_head.weight");
      put("lm_head.weight", transpose(w.data, d, c.vocabSize), [c.vocabSize, d]);
    }
    return out;
  }
  same("model.embed_tokens.weight", "wte.weight");
  for (let i = 0; i < c.nLayers; i++) {
    const p = `model.layers.${i}`;
    same(`${p}.input_layernorm.weight`, `h.${i}.ln_1.weight`);
    same(`${p}.post_attention_layernorm.weight`, `h.${i}.ln_2.weight`);
    const qkv = get(`h.${i}.attn.c_attn.weight`);
    put(`${p}.self_attn.q_proj.weight`, sliceT(qkv, 0, d), [d, d]);
    put(`${p}.self_attn.k_proj.weight`, sliceT(qkv, d, 2 * d), [d, d]);
    put(`${p}.self_attn.v_proj.weight`, sliceT(qkv, 2 * d, 3 * d), [d, d]);
    const o = get(`h.${i}.attn.c_proj.weight`);
    put(`${p}.self_attn.o_proj.weight`, sliceT(o, 0, d), [d, d]);
    const fc = get(`h.${i}.mlp.c_fc.weight`);
    put(`${p}.mlp.gate_proj.weight`, sliceT(fc, 0, c.dMlp), [c.dMlp, d]);
    put(`${p}.mlp.up_proj.weight`, sliceT(fc, c.dMlp, 2 * c.dMlp), [c.dMlp, d]);
    const down = get(`h.${i}.mlp.c_proj.weight`);
    put(`${p}.mlp.down_proj.weight`, sliceT(down, 0, d), [d, c.dMlp]);
  }
  same("model.norm.weight", "ln_f.weight");
  if (!c.tiedEmbeddings) {
    const w = get("lm_head.weight");
    put("lm_head.weight", sliceT(w, 0, c.vocabSize), [c.vocabSize, d]);
  }
  return out;
}

/** GPT-2's reversible map from bytes to printable characters (`bytes_to_unicode` in its encoder.py). */
export function bytesToUnicode(): string[] {
  const keep: number[] = [];
  for (let b = 33; b <= 126; b++) keep.push(b);
  for (let b = 161; b <= 172; b++) keep.push(b);
  for (let b = 174; b <= 255; b++) keep.push(b);
  const map = new Array<string>(256);
  for (const b of keep) map[b] = String.fromCodePoint(b);
  let n = 0;
  for (let b = 0; b < 256; b++) if (map[b] === undefined) map[b] = String.fromCodePoint(256 + n++);
  return map;
}

/** The tokenizer in the `tokenizers` library's `tokenizer.json` format (byte-level BPE, GPT-2 regex). */
export function hfTokenizerJson(tokenizer: Tokenizer): Record<string, unknown> {
  if (tokenizer.pattern !== "gpt2")
    throw new Error(
      `hfTokenizerJson: the tokenizer splits with "${tokenizer.pattern}"; only the GPT-2 pattern maps to ` +
        "the ByteLevel pre-tokenizer",
    );
  const b2u = bytesToUnicode();
  const str = (bytes: Uint8Array): string => Array.from(bytes, (b) => b2u[b]).join("");
  const vocab: Record<string, number> = {};
  tokenizer.vocabulary().forEach((bytes, id) => {
    if (bytes) vocab[str(bytes)] = id;
  });
  const merges = tokenizer
    .merges()
    .map(([a, b]) => `${str(tokenizer.tokenBytes(a))} ${str(tokenizer.tokenBytes(b))}`);
  const added = Object.entries(tokenizer.specialTokens).map(([content, id]) => ({
    id,
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  }));
  return {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: added,
    normalizer: null,
    pre_tokenizer: { type: "ByteLevel", add_prefix_space: false, trim_offsets: true, use_regex: true },
    post_processor: { type: "ByteLevel", add_prefix_space: true, trim_offsets: false, use_regex: true },
    decoder: { type: "ByteLevel", add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: "BPE",
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: "",
      end_of_word_suffix: "",
      fuse_unk: false,
      byte_fallback: false,
      vocab,
      merges,
    },
  };
}

/** Writes `config.json`, `model.safetensors` and (given a tokenizer) `tokenizer.json` into `dir`. */
export function exportHuggingFace(model: GPT, dir: string, tokenizer?: Tokenizer): string[] {
  if (tokenizer && tokenizer.vocabSize !== model.config.vocabSize)
    throw new Error(
      `exportHuggingFace: the tokenizer has ${tokenizer.vocabSize} tokens but the model's vocabulary is ` +
        `${model.config.vocabSize}; export a model with the tokenizer it was trained with`,
    );
  fs.mkdirSync(dir, { recursive: true });
  const files = [path.join(dir, "config.json"), path.join(dir, "model.safetensors")];
  fs.writeFileSync(files[0], JSON.stringify(hfConfig(model, tokenizer), null, 2) + "\n");
  fs.writeFileSync(files[1], encodeSafetensors(hfTensors(model), { format: "pt" }));
  if (tokenizer) {
    files.push(path.join(dir, "tokenizer.json"));
    fs.writeFileSync(files[2], JSON.stringify(hfTokenizerJson(tokenizer)));
  }
  return files;
}
