/**
 * Models in a page: a GPT from safetensors bytes (an `ArrayBuffer` from `fetch` or a file picker) and its
 * `config.json`, the browser form of the registry's `models.get` and of `train.loadCheckpoint`.
 */
import * as tf from "@tensorflow/tfjs-core";
import { GPT, GPTConfig } from "../model";
import { decodeSafetensors } from "../train/safetensors";
import { Tokenizer, fromJson } from "../tokenizer";

/**
 * A GPT with the weights of a safetensors file (as the registry and `saveCheckpoint` write them: one F32
 * tensor per parameter name; `extra.*` tensors are ignored). Missing or misshapen parameters are errors.
 */
export function gptFromSafetensors(bytes: ArrayBuffer | Uint8Array, config: GPTConfig): GPT {
  const { tensors } = decodeSafetensors(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes));
  const model = new GPT(config, 0);
  const values = new Map<string, tf.Tensor>();
  try {
    for (const [name, p] of model.params) {
      const t = tensors.get(name);
      if (!t) throw new Error(`the safetensors file has no "${name}"; is it a model of this config?`);
      if (t.shape.join(",") !== p.shape.join(",")) {
        throw new Error(`"${name}" is [${t.shape}] in the file but [${p.shape}] in the config`);
      }
      values.set(name, tf.tensor(t.data as Float32Array, t.shape, "float32"));
    }
    model.setParams(values);
    return model;
  } catch (err) {
    model.dispose();
    throw err;
  } finally {
    tf.dispose([...values.values()]);
  }
}

/** A registry model served as files under `baseUrl` (`config.json`, `tokenizer.json`, `model.safetensors`). */
export async function fetchModel(
  baseUrl: string,
): Promise<{ model: GPT; tokenizer: Tokenizer; config: GPTConfig; card: Record<string, unknown> | null }> {
  const get = async (file: string): Promise<Response> => {
    const r = await fetch(new URL(file, baseUrl));
    if (!r.ok) throw new Error(`GET ${file} under ${baseUrl}: HTTP ${r.status}`);
    return r;
  };
  const config = (await (await get("config.json")).json()) as GPTConfig;
  const tokenizer = fromJson(await (await get("tokenizer.json")).text());
  const weights = await (await get("model.safetensors")).arrayBuffer();
  const card = (await fetch(new URL("card.json", baseUrl))
    .then((r) => (r.ok ? r.json() : null))
    .catch(() => null)) as Record<string, unknown> | null;
  return { model: gptFromSafetensors(weights, config), tokenizer, config, card };
}

/** The parts of the Fetch API used here (the library compiles without the DOM types). */
interface Response {
  ok: boolean;
  status: number;
  json(): Promise<unknown>;
  text(): Promise<string>;
  arrayBuffer(): Promise<ArrayBuffer>;
}
declare function fetch(url: URL | string): Promise<Response>;
