/**
 * Checkpoints: everything needed to continue a run bit for bit, in one directory per step.
 *
 *   <dir>/step-00000120/model.safetensors      weights (names as `GPT.params`, readable by PyTorch tools)
 *   <dir>/step-00000120/optimizer.safetensors  AdamW moments `m.<name>`, `v.<name>`
 *   <dir>/step-00000120/state.json             step, RNG state, model config, optimizer settings, extras
 *   <dir>/latest                               {"checkpoint": "step-00000120", "step": 120}
 *
 * Writes are atomic: files go into a temporary directory (each file fsynced), which is renamed into place,
 * and only then is `latest` replaced (write `latest.tmp`, fsync, rename). A crash at any point leaves
 * `latest` naming a complete checkpoint.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { GPT, GPTConfig } from "../model";
import { Rng, RngState } from "../random";
import { AdamW, AdamWState } from "./adamw";
import { SafeTensor, decodeSafetensors, encodeSafetensors } from "./safetensors";

export interface CheckpointData {
  step: number;
  config: GPTConfig;
  rngState: RngState;
  /** Weights by name (the caller disposes them). */
  params: Map<string, tf.Tensor>;
  optimizer: AdamWState;
  optimizerSettings: { beta1: number; beta2: number; eps: number; weightDecay: number };
  /** Anything else the caller stored (JSON). */
  extra: Record<string, unknown>;
}

function toSafe(t: tf.Tensor): SafeTensor {
  if (t.dtype !== "float32" && t.dtype !== "int32")
    throw new Error(`checkpoint: cannot store dtype ${t.dtype}`);
  const data = t.dataSync();
  return t.dtype === "float32"
    ? { dtype: "F32", shape: t.shape, data: Float32Array.from(data as Float32Array) }
    : { dtype: "I32", shape: t.shape, data: Int32Array.from(data as Int32Array) };
}

function fromSafe(s: SafeTensor): tf.Tensor {
  return tf.tensor(s.data, s.shape, s.dtype === "F32" ? "float32" : "int32");
}

function writeDurable(file: string, data: Uint8Array | string): void {
  const fd = fs.openSync(file, "w");
  try {
    fs.writeSync(fd, typeof data === "string" ? Buffer.from(data, "utf8") : data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

function fsyncDir(dir: string): void {
  try {
    const fd = fs.openSync(dir, "r");
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    // Some filesystems do not allow fsync on directories; the renames are still atomic.
  }
}

export interface SaveOptions {
  /** Keep this many newest checkpoints (older ones are deleted after `latest` moved). Default 3. */
  keep?: number;
  extra?: Record<string, unknown>;
}

/** Saves model, optimizer, step and RNG state under `dir` atomically; returns the checkpoint's path. */
export function saveCheckpoint(
  dir: string,
  model: GPT,
  optimizer: AdamW,
  rng: Rng,
  options: SaveOptions = {},
): string {
  const keep = options.keep ?? 3;
  if (!Number.isInteger(keep) || keep < 1)
    throw new Error(`saveCheckpoint: keep must be an integer ≥ 1, got ${keep}`);
  fs.mkdirSync(dir, { recursive: true });
  for (const f of fs.readdirSync(dir))
    if (f.startsWith(".tmp-")) fs.rmSync(path.join(dir, f), { recursive: true, force: true });
  const step = optimizer.step;
  let name = `step-${String(step).padStart(8, "0")}`;
  if (fs.existsSync(path.join(dir, name))) name = `${name}-${Date.now()}`;
  const tmp = path.join(dir, `.tmp-${name}-${process.pid}`);
  fs.mkdirSync(tmp);
  const weights = new Map<string, SafeTensor>();
  for (const [k, v] of model.params) weights.set(k, toSafe(v));
  writeDurable(
    path.join(tmp, "model.safetensors"),
    encodeSafetensors(weights, { format: "pt", producer: "llm-ts" }),
  );
  const st = optimizer.getState();
  const moments = new Map<string, SafeTensor>();
  for (const [k, v] of st.m) moments.set(`m.${k}`, toSafe(v));
  for (const [k, v] of st.v) moments.set(`v.${k}`, toSafe(v));
  tf.dispose([...st.m.values(), ...st.v.values()]);
  writeDurable(path.join(tmp, "optimizer.safetensors"), encodeSafetensors(moments, { step: String(step) }));
  const state = {
    step,
    rngState: rng.getState(),
    config: model.config,
    optimizerSettings: {
      beta1: optimizer.beta1,
      beta2: optimizer.beta2,
      eps: optimizer.eps,
      weightDecay: optimizer.weightDecay,
    },
    extra: options.extra ?? {},
  };
  writeDurable(path.join(tmp, "state.json"), JSON.stringify(state, null, 2));
  fsyncDir(tmp);
  fs.renameSync(tmp, path.join(dir, name));
  fsyncDir(dir);
  writeDurable(path.join(dir, "latest.tmp"), JSON.stringify({ checkpoint: name, step }));
  fs.renameSync(path.join(dir, "latest.tmp"), path.join(dir, "latest"));
  fsyncDir(dir);
  // Prune old checkpoints, never the one `latest` names.
  const all = fs
    .readdirSync(dir)
    .filter((f) => /^step-\d+/.test(f))
    .sort();
  for (const f of all.slice(0, Math.max(0, all.length - keep))) {
    if (f !== name) fs.rmSync(path.join(dir, f), { recursive: true, force: true });
  }
  return path.join(dir, name);
}

/** The path of the checkpoint `latest` names under `dir`, or null when there is none yet. */
export function latestCheckpoint(dir: string): string | null {
  const file = path.join(dir, "latest");
  if (!fs.existsSync(file)) return null;
  const { checkpoint } = JSON.parse(fs.readFileSync(file, "utf8")) as { checkpoint: string };
  return path.join(dir, checkpoint);
}

/** Reads a checkpoint directory (as returned by `saveCheckpoint` / `latestCheckpoint`). */
export function loadCheckpoint(ckptPath: string): CheckpointData {
  const state = JSON.parse(fs.readFileSync(path.join(ckptPath, "state.json"), "utf8"));
  const weights = decodeSafetensors(fs.readFileSync(path.join(ckptPath, "model.safetensors")));
  const moments = decodeSafetensors(fs.readFileSync(path.join(ckptPath, "optimizer.safetensors")));
  const params = new Map<string, tf.Tensor>();
  for (const [k, v] of weights.tensors) params.set(k, fromSafe(v));
  const m = new Map<string, tf.Tensor>();
  const v = new Map<string, tf.Tensor>();
  for (const [k, t] of moments.tensors) {
    if (k.startsWith("m.")) m.set(k.slice(2), fromSafe(t));
    else if (k.startsWith("v.")) v.set(k.slice(2), fromSafe(t));
  }
  return {
    step: state.step,
    config: state.config,
    rngState: state.rngState,
    params,
    optimizer: { step: state.step, m, v },
    optimizerSettings: state.optimizerSettings,
    extra: state.extra ?? {},
  };
}

/** Frees the tensors of loaded checkpoint data. */
export function disposeCheckpoint(data: CheckpointData): void {
  tf.dispose([...data.params.values(), ...data.optimizer.m.values(), ...data.optimizer.v.values()]);
}

/**
 * Loads the latest checkpoint under `dir` into `model`, `optimizer` and `rng` (which must match its config);
 * returns its step, or null (and changes nothing) when there is none.
 */
export function restoreLatest(dir: string, model: GPT, optimizer: AdamW, rng: Rng): number | null {
  const p = latestCheckpoint(dir);
  if (!p) return null;
  const data = loadCheckpoint(p);
  try {
    const mine = JSON.stringify(model.config);
    const theirs = JSON.stringify({ ...model.config, ...data.config });
    if (mine !== theirs)
      throw new Error(`restoreLatest: ${p} was saved for config ${JSON.stringify(data.config)}, not ${mine}`);
    model.setParams(data.params);
    optimizer.setState(data.optimizer);
    rng.setState(data.rngState);
    return data.step;
  } finally {
    disposeCheckpoint(data);
  }
}
