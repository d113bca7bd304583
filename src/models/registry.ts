/**
 * The model registry: named recipes that build models deterministically, and a cache of the results under
 * `build/models/<name>/<size>/`. Later chapters ask for a model by name:
 *
 *   const sft = await models.get("sft");   // loads build/models/sft/quick/ or trains it (with a progress display)
 *
 * A recipe says what determines the model (its `spec`: config, data, tokenizer, steps, seed) and how to build it.
 * The cache key is a hash of the recipe's name, version, spec, the library version and the keys of the recipes
 * it depends on; the card stored next to the weights records it. A missing model, or one whose card has another
 * key (the recipe or a dependency changed), is rebuilt. Sizes: "quick" recipes train in about a minute on two CPU
 * cores (what `LLM_QUICK=1` notebooks use), "full" ones are larger (what learners run).
 *
 * On disk: `model.safetensors` (the GPT's parameters, plus `extra.<name>` tensors such as a reward head),
 * `tokenizer.json` (chapter 02's readable format), `config.json` (the GPTConfig) and `card.json`.
 */
import { execSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { isQuick, repositoryRoot } from "../course";
import { GPT, GPTConfig } from "../model";
import { currentSink } from "../plot/sink";
import { live } from "../plot";
import { Tokenizer, fromJson, toJson } from "../tokenizer";
import { SafeTensor, StepInfo, decodeSafetensors, encodeSafetensors, formatProgress } from "../train";

/** Which variant of a recipe: "quick" (CI, about a minute each) or "full" (what learners run). */
export type Size = "quick" | "full";

/** What a recipe's build returns. */
export interface Built {
  model: GPT;
  tokenizer: Tokenizer;
  /** More named tensors stored with the model (e.g. a reward head); the registry disposes them after saving. */
  extra?: Map<string, tf.Tensor>;
  /** Training summary for the card (`Progress.summary()` gives it); `losses` per step are stored too. */
  stats: { loss: number; steps: number; tokens: number; losses?: number[] };
  /** Anything else worth recording (accuracies, data sizes …). */
  metrics?: Record<string, number | string>;
}

/** Progress reporting for one training run inside a build; it also sums what the card records. */
export interface Progress {
  onStep: (info: StepInfo) => Promise<void>;
  close: () => Promise<void>;
  /** The run so far: loss per step, tokens processed, steps, and the card's loss (mean of the last 20 steps). */
  summary: () => { losses: number[]; tokens: number; steps: number; loss: number };
}

/** What a recipe's build may use. */
export interface BuildContext {
  name: string;
  size: Size;
  /** Loads (or builds) another recipe's model; the caller disposes it. */
  get: (name: string) => Promise<ModelBundle>;
  /** A progress display (live loss chart in a notebook, progress lines in a script). */
  progress: (label: string, totalSteps: number) => Progress;
  log: (message: string) => void;
}

export interface Recipe {
  name: string;
  description: string;
  /** Bump when the build code changes in a way the spec does not show: cached models become stale. */
  version: number;
  /** Recipes whose models this one builds on (their keys are part of this key). */
  dependsOn?: readonly string[];
  /** Everything that determines the result, as JSON (config, data, tokenizer, steps, seed …). */
  spec: (size: Size) => unknown;
  build: (ctx: BuildContext) => Promise<Built>;
}

/** Written next to the weights. */
export interface ModelCard {
  name: string;
  size: Size;
  description: string;
  /** The cache key (see `cacheKey`). */
  key: string;
  spec: unknown;
  config: GPTConfig;
  vocabSize: number;
  parameters: number;
  /** Final training loss (mean of the last 20 steps), steps, tokens processed and build time. */
  loss: number;
  steps: number;
  tokens: number;
  seconds: number;
  /** Training loss per step (so a notebook can draw the curve of a cached model). */
  losses: number[];
  /** The git commit of the repository that built it ("unknown" outside a checkout). */
  commit: string;
  libraryVersion: string;
  createdAt: string;
  dependsOn: Record<string, string>;
  metrics: Record<string, number | string>;
}

/** A loaded model: the GPT, its tokenizer, extra tensors and card. The caller owns it (`dispose()`). */
export interface ModelBundle {
  name: string;
  size: Size;
  model: GPT;
  tokenizer: Tokenizer;
  extra: Map<string, tf.Tensor>;
  card: ModelCard;
  dir: string;
  dispose: () => void;
}

const recipes = new Map<string, Recipe>();

/** Adds a recipe (other modules add theirs, e.g. chapter 08's reward model); a second recipe of one name is an error. */
export function register(recipe: Recipe): void {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(recipe.name))
    throw new Error(
      `models.register: recipe name "${recipe.name}" must be lowercase letters, digits and dashes`,
    );
  const existing = recipes.get(recipe.name);
  if (existing && existing !== recipe)
    throw new Error(`models.register: a recipe "${recipe.name}" is already registered`);
  recipes.set(recipe.name, recipe);
}

/** The recipe of `name`; a clear error listing the known ones otherwise. */
export function recipe(name: string): Recipe {
  const r = recipes.get(name);
  if (!r)
    throw new Error(
      `models: no recipe "${name}"; known recipes: ${[...recipes.keys()].join(", ") || "(none)"}`,
    );
  return r;
}

/** The registered recipe names. */
export function recipeNames(): string[] {
  return [...recipes.keys()];
}

/** The size the current mode uses: "quick" under `LLM_QUICK=1`, else "full". */
export function defaultSize(): Size {
  return isQuick() ? "quick" : "full";
}

/** Where models are cached: `$LLM_MODELS_DIR`, else `build/models` in the repository. */
export function modelsDir(): string {
  return process.env.LLM_MODELS_DIR ?? path.join(repositoryRoot(), "build", "models");
}

/** The directory of one model. */
export function modelDir(name: string, size: Size = defaultSize()): string {
  return path.join(modelsDir(), name, size);
}

let libraryVersionCache: string | undefined;
function libraryVersion(): string {
  libraryVersionCache ??= (
    JSON.parse(fs.readFileSync(path.join(repositoryRoot(), "package.json"), "utf8")) as { version: string }
  ).version;
  return libraryVersionCache;
}

function gitCommit(): string {
  try {
    return execSync("git rev-parse --short=12 HEAD", {
      cwd: repositoryRoot(),
      stdio: ["ignore", "pipe", "ignore"],
    })
      .toString()
      .trim();
  } catch {
    return "unknown";
  }
}

/** The cache key of a recipe at a size: sha-256 (first 16 hex digits) of name, version, spec, library version, dependencies' keys. */
export function cacheKey(name: string, size: Size = defaultSize()): string {
  const r = recipe(name);
  const deps = Object.fromEntries((r.dependsOn ?? []).map((d) => [d, cacheKey(d, size)]));
  const payload = JSON.stringify({
    name,
    version: r.version,
    size,
    spec: r.spec(size),
    library: libraryVersion(),
    deps,
  });
  return createHash("sha256").update(payload).digest("hex").slice(0, 16);
}

/** The card of the cached model, or null when there is none. */
export function readCard(name: string, size: Size = defaultSize()): ModelCard | null {
  const file = path.join(modelDir(name, size), "card.json");
  if (!fs.existsSync(file)) return null;
  try {
    return JSON.parse(fs.readFileSync(file, "utf8")) as ModelCard;
  } catch {
    return null;
  }
}

/** "fresh" (cached with the current key), "stale" (cached with another key) or "missing". */
export function status(name: string, size: Size = defaultSize()): "fresh" | "stale" | "missing" {
  const card = readCard(name, size);
  if (!card) return "missing";
  return card.key === cacheKey(name, size) ? "fresh" : "stale";
}

function toSafe(t: tf.Tensor): SafeTensor {
  return { dtype: "F32", shape: t.shape, data: Float32Array.from(t.dataSync() as Float32Array) };
}

/** Loads a cached model (no staleness check; `get` does that). */
export function load(name: string, size: Size = defaultSize()): ModelBundle {
  const dir = modelDir(name, size);
  const card = readCard(name, size);
  if (!card)
    throw new Error(
      `models.load: no model "${name}" (${size}) in ${dir}; build it with models.get("${name}")`,
    );
  const config = JSON.parse(fs.readFileSync(path.join(dir, "config.json"), "utf8")) as GPTConfig;
  const tokenizer = fromJson(fs.readFileSync(path.join(dir, "tokenizer.json"), "utf8"));
  const { tensors } = decodeSafetensors(fs.readFileSync(path.join(dir, "model.safetensors")));
  const model = new GPT(config, 0);
  const params = new Map<string, tf.Tensor>();
  const extra = new Map<string, tf.Tensor>();
  for (const [k, s] of tensors) {
    const t = tf.tensor(s.data, s.shape, s.dtype === "F32" ? "float32" : "int32");
    if (k.startsWith("extra.")) extra.set(k.slice(6), t);
    else params.set(k, t);
  }
  model.setParams(params);
  tf.dispose([...params.values()]);
  return {
    name,
    size,
    model,
    tokenizer,
    extra,
    card,
    dir,
    dispose: () => {
      model.dispose();
      tf.dispose([...extra.values()]);
    },
  };
}

function save(dir: string, built: Built, card: ModelCard): void {
  const parent = path.dirname(dir);
  fs.mkdirSync(parent, { recursive: true });
  const tmp = path.join(parent, `.tmp-${path.basename(dir)}-${process.pid}-${Date.now()}`);
  fs.mkdirSync(tmp);
  const tensors = new Map<string, SafeTensor>();
  for (const [k, v] of built.model.params) tensors.set(k, toSafe(v));
  for (const [k, v] of built.extra ?? []) tensors.set(`extra.${k}`, toSafe(v));
  fs.writeFileSync(
    path.join(tmp, "model.safetensors"),
    encodeSafetensors(tensors, { format: "pt", producer: "llm-ts" }),
  );
  fs.writeFileSync(path.join(tmp, "tokenizer.json"), toJson(built.tokenizer));
  fs.writeFileSync(path.join(tmp, "config.json"), JSON.stringify(built.model.config, null, 2));
  // The card last: a directory with a card is complete.
  fs.writeFileSync(path.join(tmp, "card.json"), JSON.stringify(card, null, 2));
  fs.rmSync(dir, { recursive: true, force: true });
  fs.renameSync(tmp, dir);
}

/** A progress display: a live loss chart in a notebook, a line every tenth of the run in a script. */
function makeProgress(quiet: boolean) {
  return (label: string, totalSteps: number): Progress => {
    const t0 = Date.now();
    const every = Math.max(1, Math.round(totalSteps / 10));
    const chart =
      !quiet && currentSink() ? live({ title: label, xTitle: "step", yTitle: "training loss (nats)" }) : null;
    const losses: number[] = [];
    let tokens = 0;
    const summary = () => {
      const tail = losses.slice(-20);
      return { losses, tokens, steps: losses.length, loss: tail.reduce((a, b) => a + b, 0) / tail.length };
    };
    return {
      onStep: async (info) => {
        losses.push(info.loss);
        tokens += info.tokens;
        chart?.append("train", info.step, info.loss);
        if (!quiet && (info.step % every === 0 || info.step === totalSteps)) {
          console.log(`${label}: ${formatProgress(info, totalSteps)}`);
          await new Promise((res) => setImmediate(res));
        }
      },
      close: async () => {
        await chart?.close();
        const s = ((Date.now() - t0) / 1000).toFixed(1);
        if (!quiet)
          console.log(
            `${label}: done in ${s} s, ${losses.length} steps, final loss ${summary().loss.toFixed(4)}`,
          );
      },
      summary,
    };
  };
}

export interface GetOptions {
  /** Default: "quick" under LLM_QUICK=1, else "full". */
  size?: Size;
  /** Rebuild even when a fresh model is cached. */
  rebuild?: boolean;
  /** No progress output. */
  quiet?: boolean;
}

const building = new Set<string>();

/** Builds a recipe's model and caches it (also when cached); returns the fresh bundle. */
export async function build(name: string, options: GetOptions = {}): Promise<ModelBundle> {
  const size = options.size ?? defaultSize();
  const r = recipe(name);
  const id = `${name}/${size}`;
  if (building.has(id))
    throw new Error(
      `models: recipe "${name}" depends on itself (cycle through ${[...building].join(" → ")})`,
    );
  building.add(id);
  try {
    const log = options.quiet ? () => {} : (m: string) => console.log(m);
    const key = cacheKey(name, size);
    log(`models: building "${name}" (${size}, key ${key}) — ${r.description}`);
    const depKeys: Record<string, string> = {};
    for (const d of r.dependsOn ?? []) depKeys[d] = cacheKey(d, size);
    const t0 = Date.now();
    const built = await r.build({
      name,
      size,
      get: (dep) => get(dep, { size, quiet: options.quiet }),
      progress: makeProgress(options.quiet ?? false),
      log,
    });
    const seconds = (Date.now() - t0) / 1000;
    const card: ModelCard = {
      name,
      size,
      description: r.description,
      key,
      spec: r.spec(size),
      config: built.model.config,
      vocabSize: built.model.config.vocabSize,
      parameters: built.model.variables().reduce((n, v) => n + v.size, 0),
      loss: built.stats.loss,
      steps: built.stats.steps,
      tokens: built.stats.tokens,
      losses: (built.stats.losses ?? []).map((l) => Math.round(l * 1e4) / 1e4),
      seconds: Math.round(seconds * 10) / 10,
      commit: gitCommit(),
      libraryVersion: libraryVersion(),
      createdAt: new Date().toISOString(),
      dependsOn: depKeys,
      metrics: built.metrics ?? {},
    };
    const dir = modelDir(name, size);
    save(dir, built, card);
    built.model.dispose();
    if (built.extra) tf.dispose([...built.extra.values()]);
    log(`models: "${name}" (${size}) built in ${card.seconds} s → ${dir}`);
    return load(name, size);
  } finally {
    building.delete(id);
  }
}

/** The model of recipe `name`: loaded from the cache when fresh, else built (with progress) and cached. */
export async function get(name: string, options: GetOptions = {}): Promise<ModelBundle> {
  const size = options.size ?? defaultSize();
  if (!options.rebuild && status(name, size) === "fresh") return load(name, size);
  if (!options.quiet && status(name, size) === "stale")
    console.log(
      `models: the cached "${name}" (${size}) is stale (its recipe or a dependency changed); rebuilding`,
    );
  return build(name, options);
}
