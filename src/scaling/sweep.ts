/**
 * The sweep driver: trains a grid of small GPTs (model sizes × compute budgets) with the chapter-04 trainer and
 * records, per run, N (total and non-embedding parameters), D (tokens), C = 6·N·D, the loss curve and the final
 * validation loss. Results are appended to a JSON-lines file, one line per finished run, so an interrupted sweep
 * continues where it stopped (finished run ids are skipped); every run is seeded.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { GPT, GPTConfig, paramCount } from "../model";
import { Rng } from "../random";
import { mobyDickChapters, sotuSpeeches } from "../corpora";
import { utf8Encode } from "../tokenizer";
import { AdamW, TokenBatcher, evaluate, trainLoop, warmupCosine } from "../train";

/** One model size of the sweep: a GPT-2-style model (LayerNorm, learned positions, GELU, tied embeddings). */
export interface SweepModel {
  name: string;
  dModel: number;
  nLayers: number;
  nHeads: number;
}

/** The parts of the recipe every run shares. */
export interface SweepRecipe {
  vocabSize: number;
  contextLength: number;
  /** Sequences per update; tokens per update = batchSize · contextLength. */
  batchSize: number;
  /** Peak learning rate of a model of width `lrWidth`; scaled by (lrWidth/dModel)^lrPower (wider models take
   *  smaller steps). */
  maxLr: number;
  lrWidth: number;
  lrPower: number;
  /** Warmup as a fraction of the schedule's horizon (at least 5 steps). */
  warmupFraction: number;
  /** Validation batches per evaluation (drawn the same every time). */
  evalBatches: number;
  seed: number;
  /** Share the token embedding with the output projection (default false: untied, which learns bigram
   *  statistics quickly instead of sitting on the unigram plateau for hundreds of steps). */
  tiedEmbeddings?: boolean;
}

/** One planned run. */
export interface SweepRun {
  /** Unique within a sweep; the resume key. */
  id: string;
  /** "isoflop": one point of an IsoFLOP curve; "horizon": a cosine horizon longer than the run (section 5). */
  kind: "isoflop" | "horizon";
  model: SweepModel;
  /** The compute budget C = 6·N·D this run was planned for (N total parameters). */
  budget: number;
  /** Updates to train. */
  steps: number;
  /** Updates the cosine schedule decays over (= steps for a matched schedule; larger for "horizon"). */
  horizon: number;
  /** Steps after which the validation loss is measured (the last step always is). */
  evalAt: number[];
}

/** One point of a run's curve. */
export interface CurvePoint {
  step: number;
  tokens: number;
  /** 6 · N(total) · tokens. */
  flops: number;
  /** Mean training loss over the updates since the previous point. */
  trainLoss: number;
  valLoss: number;
}

/** One finished run: a line of the JSON-lines file. */
export interface SweepResult {
  id: string;
  kind: SweepRun["kind"];
  model: SweepModel;
  config: GPTConfig;
  /** All trainable parameters (tied embedding counted once). */
  params: number;
  /** Without the token and position embeddings and the output projection (Kaplan's N). */
  nonEmbeddingParams: number;
  budget: number;
  steps: number;
  horizon: number;
  /** Tokens seen, D = steps · batchSize · contextLength. */
  tokens: number;
  /** 6 · params · tokens. */
  flops: number;
  finalValLoss: number;
  curve: CurvePoint[];
  seconds: number;
  seed: number;
}

/** The GPT config of a sweep model under a recipe. */
export function sweepConfig(m: SweepModel, recipe: SweepRecipe): GPTConfig {
  return {
    vocabSize: recipe.vocabSize,
    contextLength: recipe.contextLength,
    dModel: m.dModel,
    nLayers: m.nLayers,
    nHeads: m.nHeads,
    dMlp: 4 * m.dModel,
    norm: "layer",
    positions: "learned",
    activation: "gelu",
    tiedEmbeddings: recipe.tiedEmbeddings ?? false,
  };
}

/** Total and non-embedding parameter counts of a sweep model. */
export function sweepParams(m: SweepModel, recipe: SweepRecipe): { params: number; nonEmbedding: number } {
  const config = sweepConfig(m, recipe);
  const params = paramCount(config);
  const tables = (recipe.vocabSize * (config.tiedEmbeddings ? 1 : 2) + recipe.contextLength) * m.dModel;
  return { params, nonEmbedding: params - tables };
}

/**
 * Plans an IsoFLOP grid. For each budget C every model gets steps = round(C / (6·N·tokensPerStep)); models with
 * fewer than `minSteps` updates are dropped; of the rest, `perBudget` consecutive sizes are kept, centred on the
 * size whose tokens per parameter D/N is nearest `centre` (a guess of the optimum; the fit decides). The
 * validation loss is also measured at the step counts the same model has at the smaller budgets, so a long run
 * doubles as a curve whose cosine horizon is longer than the run at those points (section 5).
 */
export function planIsoflop(
  models: SweepModel[],
  budgets: number[],
  recipe: SweepRecipe,
  opts: { minSteps?: number; maxSteps?: number; perBudget?: number; centre?: number } = {},
): SweepRun[] {
  const tokensPerStep = recipe.batchSize * recipe.contextLength;
  const minSteps = opts.minSteps ?? 50;
  const maxSteps = opts.maxSteps ?? Infinity;
  const perBudget = opts.perBudget ?? models.length;
  const centre = opts.centre ?? 20;
  const sized = models.map((m) => ({ m, N: sweepParams(m, recipe).params })).sort((a, b) => a.N - b.N);
  const stepsOf = (C: number, N: number): number => Math.round(C / (6 * N * tokensPerStep));
  const runs: SweepRun[] = [];
  for (const C of budgets) {
    if (!(C > 0)) throw new Error(`planIsoflop: budget ${C} must be a positive number of FLOPs`);
    const cands = sized.filter((x) => stepsOf(C, x.N) >= minSteps && stepsOf(C, x.N) <= maxSteps);
    if (cands.length === 0)
      throw new Error(
        `planIsoflop: no model gets ${minSteps}–${maxSteps} steps at C = ${C}; change the budget`,
      );
    const dist = cands.map((x) => Math.abs(Math.log((stepsOf(C, x.N) * tokensPerStep) / x.N / centre)));
    const best = dist.indexOf(Math.min(...dist));
    const k = Math.min(perBudget, cands.length);
    const start = Math.max(0, Math.min(best - Math.floor(k / 2), cands.length - k));
    for (const { m, N } of cands.slice(start, start + k)) {
      const steps = stepsOf(C, N);
      const fractions = [1 / 16, 1 / 8, 1 / 4, 1 / 2, 3 / 4].map((f) => Math.round(f * steps));
      const smaller = budgets.filter((b) => b < C).map((b) => stepsOf(b, N));
      const evalAt = [...new Set([...fractions, ...smaller, steps])]
        .filter((s) => s >= 1 && s <= steps)
        .sort((a, b) => a - b);
      runs.push({
        id: `iso-${m.name}-${C.toExponential(1)}`,
        kind: "isoflop",
        model: m,
        budget: C,
        steps,
        horizon: steps,
        evalAt,
      });
    }
  }
  return runs;
}

/**
 * The recipe of the course's sweep: bytes (vocabulary 256), context 64, 16 sequences per update, untied
 * embeddings, peak learning rate 8e-3·√(32/dModel) (chosen on two sizes: 2× higher stalled on a plateau).
 */
export const SWEEP_RECIPE: SweepRecipe = {
  vocabSize: 256,
  contextLength: 64,
  batchSize: 16,
  maxLr: 8e-3,
  lrWidth: 32,
  lrPower: 0.5,
  warmupFraction: 0.05,
  evalBatches: 8,
  seed: 0,
};

/** The size ladder of the course's sweep, about ×1.6–2 apart in parameters (6k … 700k). */
export const SWEEP_MODELS: SweepModel[] = [
  { name: "d8-L1", dModel: 8, nLayers: 1, nHeads: 2 },
  { name: "d16-L1", dModel: 16, nLayers: 1, nHeads: 2 },
  { name: "d32-L1", dModel: 32, nLayers: 1, nHeads: 2 },
  { name: "d32-L2", dModel: 32, nLayers: 2, nHeads: 2 },
  { name: "d48-L2", dModel: 48, nLayers: 2, nHeads: 2 },
  { name: "d64-L2", dModel: 64, nLayers: 2, nHeads: 4 },
  { name: "d64-L4", dModel: 64, nLayers: 4, nHeads: 4 },
  { name: "d96-L3", dModel: 96, nLayers: 3, nHeads: 4 },
  { name: "d128-L3", dModel: 128, nLayers: 3, nHeads: 4 },
];

/** The compute budgets of the full sweep (FLOPs, C = 6·N·D). */
export const SWEEP_BUDGETS = [3e10, 1e11, 3e11];

/**
 * The full sweep's plan: 5–6 sizes at each of the 3 budgets (17 runs). Runs of more than 5,000 updates are left
 * out: the smallest model at the largest budget would take 8,900 updates, slow because tiny steps are bound by
 * per-step overhead, and the IsoFLOP minimum there lies well inside the other sizes.
 */
export function fullSweepPlan(): SweepRun[] {
  return planIsoflop(SWEEP_MODELS, SWEEP_BUDGETS, SWEEP_RECIPE, {
    minSteps: 50,
    maxSteps: 5000,
    perBudget: 6,
  });
}

/** Reads the finished runs of a JSON-lines file (missing file: none); a corrupt line names its number. */
export function readSweepResults(file: string): SweepResult[] {
  if (!fs.existsSync(file)) return [];
  const out: SweepResult[] = [];
  fs.readFileSync(file, "utf8")
    .split("\n")
    .forEach((line, i) => {
      if (!line.trim()) return;
      try {
        out.push(JSON.parse(line) as SweepResult);
      } catch {
        throw new Error(
          `${file}:${i + 1}: not a JSON object; delete that line and run the sweep again to redo the run`,
        );
      }
    });
  return out;
}

/** The token streams a sweep trains and validates on. */
export interface SweepData {
  train: ArrayLike<number>;
  val: ArrayLike<number>;
}

/** Trains one planned run and returns its result (does not write it). */
export async function trainSweepRun(
  run: SweepRun,
  recipe: SweepRecipe,
  data: SweepData,
  opts: { onEval?: (p: CurvePoint) => void } = {},
): Promise<SweepResult> {
  const t0 = performance.now();
  const config = sweepConfig(run.model, recipe);
  const { params, nonEmbedding } = sweepParams(run.model, recipe);
  const tokensPerStep = recipe.batchSize * recipe.contextLength;
  const net = new GPT(config, recipe.seed);
  const optimizer = new AdamW(net.params, { weightDecay: 0.1 });
  const maxLr = recipe.maxLr * Math.pow(recipe.lrWidth / run.model.dModel, recipe.lrPower);
  const warmup = Math.min(Math.max(5, Math.round(recipe.warmupFraction * run.horizon)), run.horizon - 1);
  const schedule = warmupCosine({ maxLr, minLr: maxLr / 10, warmupSteps: warmup, totalSteps: run.horizon });
  const trainData = new TokenBatcher(data.train, recipe.batchSize, recipe.contextLength);
  const valData = new TokenBatcher(data.val, recipe.batchSize, recipe.contextLength);
  const valRng = new Rng(recipe.seed + 7);
  const valBatches = Array.from({ length: recipe.evalBatches }, () => valData.sample(valRng));
  const rng = new Rng(recipe.seed + 1);
  const curve: CurvePoint[] = [];
  try {
    const stops = [...new Set([...run.evalAt, run.steps])]
      .filter((s) => s >= 1 && s <= run.steps)
      .sort((a, b) => a - b);
    for (const stop of stops) {
      const r = await trainLoop({
        model: net,
        optimizer,
        schedule,
        train: trainData,
        steps: stop,
        rng,
        clipNorm: 1,
        yieldToEventLoop: false,
      });
      const trainLoss = r.losses.length ? r.losses.reduce((a, b) => a + b, 0) / r.losses.length : NaN;
      const valLoss = evaluate(net, valBatches);
      const p: CurvePoint = {
        step: stop,
        tokens: stop * tokensPerStep,
        flops: 6 * params * stop * tokensPerStep,
        trainLoss,
        valLoss,
      };
      curve.push(p);
      opts.onEval?.(p);
    }
  } finally {
    valBatches.forEach((b) => tf.dispose([b.x, b.y]));
    optimizer.dispose?.();
    net.params.forEach((v) => v.dispose());
  }
  const tokens = run.steps * tokensPerStep;
  return {
    id: run.id,
    kind: run.kind,
    model: run.model,
    config,
    params,
    nonEmbeddingParams: nonEmbedding,
    budget: run.budget,
    steps: run.steps,
    horizon: run.horizon,
    tokens,
    flops: 6 * params * tokens,
    finalValLoss: curve[curve.length - 1].valLoss,
    curve,
    seconds: (performance.now() - t0) / 1000,
    seed: recipe.seed,
  };
}

/**
 * Runs every planned run not yet in `file` (when given), appending each result as one JSON line as soon as it
 * finishes; returns all results of the plan (old and new) in plan order. `shard: [k, n]` runs only every n-th
 * pending run starting at k, so n processes can share a sweep (each appends its own lines).
 */
export async function runSweep(o: {
  runs: SweepRun[];
  recipe: SweepRecipe;
  data: SweepData;
  file?: string;
  shard?: [number, number];
  onResult?: (r: SweepResult, done: number, total: number) => void | Promise<void>;
  onEval?: (run: SweepRun, p: CurvePoint) => void;
}): Promise<SweepResult[]> {
  const ids = new Set<string>();
  for (const r of o.runs) {
    if (ids.has(r.id))
      throw new Error(`runSweep: run id "${r.id}" appears twice in the plan; ids must be unique`);
    ids.add(r.id);
  }
  const have = new Map<string, SweepResult>();
  if (o.file) for (const r of readSweepResults(o.file)) have.set(r.id, r);
  const pending = o.runs.filter((r) => !have.has(r.id));
  const [k, n] = o.shard ?? [0, 1];
  const mine = pending.filter((_, i) => i % n === k);
  if (o.file) fs.mkdirSync(path.dirname(o.file), { recursive: true });
  let done = o.runs.length - pending.length;
  for (const run of mine) {
    const res = await trainSweepRun(run, o.recipe, o.data, { onEval: (p) => o.onEval?.(run, p) });
    if (o.file) fs.appendFileSync(o.file, JSON.stringify(res) + "\n");
    have.set(run.id, res);
    done++;
    if (o.onResult) await o.onResult(res, done, o.runs.length);
  }
  return o.runs.filter((r) => have.has(r.id)).map((r) => have.get(r.id) as SweepResult);
}

/**
 * The sweep's text as bytes (vocabulary 256): Moby-Dick's sections and the State of the Union addresses; every
 * 10th document (by position, starting with the 10th) is held out for validation. About 9.5 MB of training text.
 */
export function sweepCorpus(): { train: Uint8Array; val: Uint8Array; trainDocs: number; valDocs: number } {
  const docs = [...mobyDickChapters().map((c) => c.text), ...sotuSpeeches().map((s) => s.text)];
  const trainDocs = docs.filter((_, i) => i % 10 !== 9);
  const valDocs = docs.filter((_, i) => i % 10 === 9);
  return {
    train: utf8Encode(trainDocs.join("\n\n")),
    val: utf8Encode(valDocs.join("\n\n")),
    trainDocs: trainDocs.length,
    valDocs: valDocs.length,
  };
}
