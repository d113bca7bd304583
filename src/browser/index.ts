/**
 * llm-ts in a browser page: the entry of the ES-module bundle (`build/web/llm-ts.js`, made by
 * `tools/web/build.ts`). The same layers as the Node package, less what needs Node:
 *
 * - `tokenizer` — all of it; GPT-2's ranks are not bundled (0.5 MB): `tokenizer.fromJsTiktokenRanks(json,
 *   "gpt2", "gpt2")` on the ranks fetched from the page's server (`loadGpt2` needs Node's `require`);
 * - `model` — the GPT, its layers, KV-cache generation, mixture of experts;
 * - `train` — loss, AdamW, schedules, clipping, batches, `trainStep`, safetensors (from an `ArrayBuffer`); not
 *   `trainLoop` (checkpoints on disk, worker threads: a page drives `trainStep` itself);
 * - `infer` — samplers; `plot` — Vega-Lite specs and their SVG; `random`; `backend` — the backend-aware ops and
 *   the page's picker (`initBrowserBackend`: WebGPU, then WASM); `loadModel` — registry models by URL;
 * - `tf` — the bundle's own tfjs-core, which pages must use (a second copy would not see these backends).
 *
 * Left out: corpora (npm data packages read from disk), data, scaling, align, models (registry on disk),
 * course (notebook checks), checkpoints on disk, `DataParallel`.
 */
// tfjs-core registers no gradients by itself (see backend/gradients.ts); under a bundler its ESM module does.
import "@tensorflow/tfjs-core/dist/register_all_gradients";
// WebGPU is an optional dependency: the build swaps this import for an empty module when it is not installed.
import "@tensorflow/tfjs-backend-webgpu";
import "@tensorflow/tfjs-backend-wasm";

export * as tf from "@tensorflow/tfjs-core";
export * as tokenizer from "../tokenizer";
export * as model from "../model";
export * as random from "../random";
export * as train from "./train";
export * as infer from "../infer/sampling";
export * as plot from "./plot";
export * as backend from "./backend-all";
export { fetchModel, gptFromSafetensors } from "./checkpoint";
export { NotImplemented, isNotImplemented } from "../errors";
