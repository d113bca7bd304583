/**
 * The page side of `npm run check:webgpu`: runs the same computations on the WASM backend and on WebGPU
 * (SwiftShader in headless Chromium) and compares them with stated tolerances. `window.runChecks()` returns one
 * result per check; the Node driver (tools/web/check-webgpu.ts) prints them.
 *
 * Every computation builds its inputs from seeded JavaScript numbers (the GPT draws its weights in JS), so both
 * backends start from identical float32 data; results are read back to Float32Arrays before switching.
 */
import { backend, model, tf, train, random } from "../../../src/browser";

export interface CheckResult {
  name: string;
  ok: boolean;
  /** Largest |WebGPU − WASM| (or of the two methods compared), and the tolerance it must stay under. */
  maxDiff: number;
  tol: number;
  detail: string;
}

type Backend = "wasm" | "webgpu" | "cpu";
type Arrays = Float32Array[];

/** The two configurations of chapter 03's model tests (test/model/gpt.test.ts), at a larger init (see below). */
const GPT2_CONFIG: model.GPTConfig = {
  vocabSize: 11,
  contextLength: 8,
  dModel: 8,
  nLayers: 2,
  nHeads: 2,
  dMlp: 16,
  ...model.GPT2_STYLE,
  // GPT-2's 0.02 leaves every activation near zero, where GELU and softmax are nearly linear; 0.3 makes the
  // attention weights and the MLP non-trivial so a wrong kernel shows.
  initStd: 0.3,
};
const LLAMA_CONFIG: model.GPTConfig = {
  ...GPT2_CONFIG,
  norm: "rms",
  positions: "rope",
  activation: "swiglu",
  tiedEmbeddings: false,
  bias: false,
};
const CONFIGS: Array<[string, model.GPTConfig]> = [
  ["GPT-2-style", GPT2_CONFIG],
  ["LLaMA-style", LLAMA_CONFIG],
];

/** Tolerances (float32 throughout; observed differences are ~1e-7 relative, see the README). */
const TOL = {
  logits: 1e-5,
  grads: 1e-5,
  lossPerStep: 1e-5,
  paramsAfterSteps: 1e-4,
  kvCache: 1e-5,
  customGrad: 1e-5,
};

/** Kernels run on WebGPU so far (from tf.profile of every WebGPU computation). */
const ranOnWebGpu = new Set<string>();
const seconds: Record<string, number> = {};
const initialised = new Set<Backend>();

async function on<T>(name: Backend, f: () => T | Promise<T>, what = ""): Promise<T> {
  // The picker once per backend (it asks for a WebGPU adapter each time); then a plain switch.
  if (!initialised.has(name)) await backend.initBrowserBackend({ force: name });
  else await tf.setBackend(name);
  initialised.add(name);
  const t0 = performance.now();
  try {
    if (name !== "webgpu") return await f();
    let out: T | undefined;
    const info = await tf.profile(async () => {
      out = await f();
      return [];
    });
    for (const k of info.kernelNames) ranOnWebGpu.add(k);
    return out as T;
  } finally {
    const k = `${name} ${what}`;
    seconds[k] = Math.round((seconds[k] ?? 0) + (performance.now() - t0)) / 1000;
  }
}

/**
 * AdamW's ε for the steps check. Adam divides each gradient by its own running RMS, so an element whose gradient
 * is float32 noise (~1e-9 here: the key bias, whose true gradient is 0 because softmax ignores a constant added
 * to a row of scores) moves by a sizeable part of lr on either backend, in a direction set by the noise. Measured
 * with PyTorch's ε = 1e-8: the losses of the 5 steps agree to 7e-7 (the key bias does not change them), but
 * `h.0.attn.c_attn.bias` differs by 3.7e-3. With ε = 1e-4 such elements move in proportion to their gradient,
 * so the weights compare too.
 */
const ADAM_EPS = 1e-4;

async function read(ts: tf.Tensor[]): Promise<Arrays> {
  const out: Arrays = [];
  for (const t of ts) out.push((await t.data()) as Float32Array);
  return out;
}

/** Largest absolute difference over pairs of arrays, the index of the worst pair, and the largest |a|. */
function compare(a: Arrays, b: Arrays): { diff: number; worst: number; scale: number } {
  if (a.length !== b.length) throw new Error(`compare: ${a.length} arrays against ${b.length}`);
  let diff = 0;
  let worst = -1;
  let scale = 0;
  a.forEach((x, k) => {
    if (x.length !== b[k].length)
      throw new Error(`compare: array ${k} has ${x.length} vs ${b[k].length} values`);
    for (let i = 0; i < x.length; i++) {
      const d = Math.abs(x[i] - b[k][i]);
      if (!(d <= diff)) {
        diff = Number.isNaN(d) ? Infinity : d;
        worst = k;
      }
      scale = Math.max(scale, Math.abs(x[i]));
    }
  });
  return { diff, worst, scale };
}

function result(name: string, diff: number, tol: number, detail: string): CheckResult {
  return { name, ok: diff <= tol, maxDiff: diff, tol, detail };
}

/** Token ids `[batch, time]` and their next-token targets, seeded. */
function batchIds(cfg: model.GPTConfig, seed: number, rows = 2): { x: number[][]; y: number[][] } {
  const rng = new random.Rng(seed);
  const T = cfg.contextLength;
  const seqs = Array.from({ length: rows }, () =>
    Array.from({ length: T + 1 }, () => rng.int(cfg.vocabSize)),
  );
  return { x: seqs.map((s) => s.slice(0, T)), y: seqs.map((s) => s.slice(1)) };
}

function toBatch(b: { x: number[][]; y: number[][] }): train.Batch {
  return { x: tf.tensor2d(b.x, undefined, "int32"), y: tf.tensor2d(b.y, undefined, "int32") };
}

/** Logits and every parameter's gradient of one micro-batch. */
function forwardAndGrads(cfg: model.GPTConfig, seed: number) {
  return async (): Promise<{ logits: Float32Array; loss: number; grads: Arrays; names: string[] }> => {
    const m = new model.GPT(cfg, seed);
    const ids = batchIds(cfg, seed + 100);
    const batch = toBatch(ids);
    try {
      const logitsT = tf.tidy(() => m.forward(batch.x));
      const [logits] = await read([logitsT]);
      logitsT.dispose();
      // tf.variableGrads as train.microBatchGradients, read by await (WebGPU pages cannot read synchronously).
      const vars = m.variables();
      const g = tf.variableGrads(() => train.crossEntropy(m.forward(batch.x), batch.y), vars);
      const list = vars.map((v) => g.grads[v.name]);
      const grads = await read(list);
      const loss = (await g.value.data())[0];
      tf.dispose([g.value, ...list]);
      return { logits, loss, grads, names: [...m.params.keys()] };
    } finally {
      tf.dispose([batch.x, batch.y]);
      m.dispose();
    }
  };
}

/** Five AdamW updates (`trainStepAsync`, constant lr, clipping at 1): losses per step and the final weights. */
function adamwSteps(cfg: model.GPTConfig, seed: number) {
  return async (): Promise<{ losses: number[]; params: Arrays; names: string[] }> => {
    const m = new model.GPT(cfg, seed);
    const opt = new train.AdamW(m.params, { weightDecay: 0.1, eps: ADAM_EPS });
    const losses: number[] = [];
    try {
      for (let s = 0; s < 5; s++) {
        const batch = toBatch(batchIds(cfg, seed + 200 + s));
        losses.push((await train.trainStepAsync(m, opt, [batch], 1e-2, { clipNorm: 1 })).loss);
        tf.dispose([batch.x, batch.y]);
      }
      return { losses, params: await read(m.variables()), names: [...m.params.keys()] };
    } finally {
      opt.dispose();
      m.dispose();
    }
  };
}

/**
 * Greedy generation with the KV cache and without (recomputing the window each step), and the largest
 * difference between the cached and recomputed logits of each new position.
 */
function kvCache(cfg: model.GPTConfig, seed: number) {
  return async (): Promise<{ cached: number[]; recomputed: number[]; logitDiff: number }> => {
    const m = new model.GPT(cfg, seed);
    try {
      const prompt = [1, 2, 3];
      const opts = { maxNewTokens: 6, temperature: 0 };
      const cached = await model.generateAsync(m, prompt, { ...opts, useCache: true });
      const recomputed = await model.generateAsync(m, prompt, { ...opts, useCache: false });
      // Position by position: one cached step's logits against a full forward over the same prefix.
      const tokens = [...prompt, ...cached].slice(0, cfg.contextLength);
      const cache: model.KVCache = { layers: [], length: 0 };
      let logitDiff = 0;
      try {
        for (let t = 0; t < tokens.length; t++) {
          const step = m.forwardCached([[tokens[t]]], cache);
          const full = m.forward([tokens.slice(0, t + 1)]);
          const a = (await step.data()) as Float32Array;
          const all = (await full.data()) as Float32Array;
          const b = all.subarray(t * cfg.vocabSize, (t + 1) * cfg.vocabSize);
          logitDiff = Math.max(logitDiff, compare([a], [b]).diff);
          tf.dispose([step, full]);
        }
      } finally {
        model.disposeCache(cache);
      }
      return { cached, recomputed, logitDiff };
    } finally {
      m.dispose();
    }
  };
}

function seeded(shape: number[], seed: number, std = 1): tf.Tensor {
  const rng = new random.Rng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(
    Float32Array.from({ length: n }, () => rng.normal(0, std)),
    shape,
    "float32",
  );
}

/**
 * The gradients the library writes out, each of Σ(f(inputs) ⊙ w) for seeded inputs and weights w: the
 * written-out gradient (`custom`) and, on the same backend, autodiff of the plain formula (`plain`).
 */
const CUSTOM: Record<string, { custom: () => tf.Tensor[]; plain: () => tf.Tensor[] }> = (() => {
  const wsum = (y: tf.Tensor, seed: number) => tf.sum(tf.mul(y, seeded(y.shape, seed)));
  const lnPlain = (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
    const c = tf.sub(x, tf.mean(x, -1, true));
    return tf.add(tf.mul(tf.div(c, tf.sqrt(tf.add(tf.mean(tf.square(c), -1, true), 1e-5))), g), b);
  };
  const geluPlain = (x: tf.Tensor) =>
    tf.mul(
      tf.mul(x, 0.5),
      tf.add(1, tf.tanh(tf.mul(Math.sqrt(2 / Math.PI), tf.add(x, tf.mul(0.044715, tf.pow(x, 3)))))),
    );
  const ln = [() => seeded([6, 8], 1, 2), () => seeded([8], 2), () => seeded([8], 3)];
  const qkv = () => [seeded([2, 5, 2, 4], 4), seeded([2, 5, 2, 4], 5), seeded([2, 5, 2, 4], 6)];
  const mask = () => model.causalMask(5, 5);
  const attnPlain = (q: tf.Tensor, k: tf.Tensor, v: tf.Tensor, m: tf.Tensor) => {
    const qq = tf.transpose(q, [0, 2, 1, 3]);
    const kk = tf.transpose(k, [0, 2, 3, 1]);
    const vv = tf.transpose(v, [0, 2, 1, 3]);
    const p = tf.softmax(tf.add(tf.mul(tf.matMul(qq, kk), 0.5), m));
    return tf.transpose(tf.matMul(p, vv), [0, 2, 1, 3]);
  };
  const table = () => seeded([7, 3], 7);
  const ids = () =>
    tf.tensor2d(
      [
        [0, 3, 3, 6],
        [2, 0, 3, 1],
      ],
      undefined,
      "int32",
    );
  const grads = (f: (...xs: tf.Tensor[]) => tf.Scalar, inputs: tf.Tensor[]) => tf.grads(f)(inputs);
  return {
    LayerNorm: {
      custom: () =>
        grads(
          (x, g, b) => wsum(model.layerNorm(x, g as tf.Tensor1D, b as tf.Tensor1D, 1e-5), 9) as tf.Scalar,
          ln.map((f) => f()),
        ),
      plain: () =>
        grads(
          (x, g, b) => wsum(lnPlain(x, g, b), 9) as tf.Scalar,
          ln.map((f) => f()),
        ),
    },
    GELU: {
      custom: () => grads((x) => wsum(model.gelu(x), 9) as tf.Scalar, [seeded([5, 7], 8, 2)]),
      plain: () => grads((x) => wsum(geluPlain(x), 9) as tf.Scalar, [seeded([5, 7], 8, 2)]),
    },
    attention: {
      custom: () =>
        grads(
          (q, k, v) =>
            wsum(
              model.multiHeadAttention(q as tf.Tensor4D, k as tf.Tensor4D, v as tf.Tensor4D, mask()),
              9,
            ) as tf.Scalar,
          qkv(),
        ),
      plain: () => grads((q, k, v) => wsum(attnPlain(q, k, v, mask()), 9) as tf.Scalar, qkv()),
    },
    embedding: {
      custom: () => grads((t) => wsum(model.embedding(t as tf.Tensor2D, ids()), 9) as tf.Scalar, [table()]),
      plain: () =>
        grads(
          (t) =>
            wsum(tf.matMul(tf.cast(tf.oneHot(tf.reshape(ids(), [-1]), 7), "float32"), t), 9) as tf.Scalar,
          [table()],
        ),
    },
  };
})();

async function customGrads(which: "custom" | "plain"): Promise<Record<string, Arrays>> {
  const out: Record<string, Arrays> = {};
  for (const [name, f] of Object.entries(CUSTOM)) {
    const ts = f[which]();
    out[name] = await read(ts);
    tf.dispose(ts);
  }
  return out;
}

/** Kernels the CPU backend runs for this workload: the plain-tfjs code path WebGPU takes too (no WASM branches). */
async function kernelsOf(work: () => Promise<unknown>): Promise<Set<string>> {
  const info = await tf.profile(async () => {
    await work();
    return [];
  });
  return new Set(info.kernelNames.filter((k) => tf.getKernel(k, "cpu")));
}

/** The workload whose ops must all run on WebGPU: a training step and cached generation of both configs. */
async function gptWorkload(): Promise<void> {
  for (const [, cfg] of CONFIGS) {
    await forwardAndGrads(cfg, 1)();
    await adamwSteps(cfg, 1)();
    await kvCache(cfg, 1)();
  }
}

async function runChecks(): Promise<{
  results: CheckResult[];
  adapter: unknown;
  numTensors: Record<string, number>;
}> {
  const results: CheckResult[] = [];
  const probe = await backend.probeWebGpu();
  if (!probe)
    throw new Error("this browser offers no WebGPU adapter (launch Chromium with --enable-unsafe-webgpu)");
  const numTensors: Record<string, number> = {};

  for (const [label, cfg] of CONFIGS) {
    const seed = 1;
    const [a, b] = [
      await on("wasm", forwardAndGrads(cfg, seed)),
      await on("webgpu", forwardAndGrads(cfg, seed), "grads"),
    ];
    const lg = compare([a.logits], [b.logits]);
    results.push(
      result(
        `${label} forward logits`,
        lg.diff,
        TOL.logits,
        `${a.logits.length} logits, max |logit| ${lg.scale.toFixed(3)}`,
      ),
    );
    const gr = compare(a.grads, b.grads);
    results.push(
      result(
        `${label} gradients of all ${a.grads.length} parameters`,
        gr.diff,
        TOL.grads,
        `loss ${a.loss.toFixed(6)} vs ${b.loss.toFixed(6)}; worst ${a.names[gr.worst] ?? "-"}, max |grad| ${gr.scale.toExponential(2)}`,
      ),
    );
    const [sa, sb] = [
      await on("wasm", adamwSteps(cfg, seed)),
      await on("webgpu", adamwSteps(cfg, seed), "adamw"),
    ];
    const ls = compare([Float32Array.from(sa.losses)], [Float32Array.from(sb.losses)]);
    results.push(
      result(
        `${label} 5 AdamW steps: losses`,
        ls.diff,
        TOL.lossPerStep,
        `WASM ${sa.losses.map((l) => l.toFixed(6)).join(" ")}; WebGPU ${sb.losses.map((l) => l.toFixed(6)).join(" ")}`,
      ),
    );
    const ps = compare(sa.params, sb.params);
    results.push(
      result(
        `${label} 5 AdamW steps: weights after`,
        ps.diff,
        TOL.paramsAfterSteps,
        `${sa.params.length} tensors, worst ${sa.names[ps.worst]}`,
      ),
    );
    const [ka, kb] = [await on("wasm", kvCache(cfg, seed)), await on("webgpu", kvCache(cfg, seed), "kv")];
    const sameTokens = kb.cached.join() === kb.recomputed.join() && kb.cached.join() === ka.cached.join();
    results.push({
      ...result(`${label} KV-cache generation vs recomputation (WebGPU)`, kb.logitDiff, TOL.kvCache, ""),
      ok: kb.logitDiff <= TOL.kvCache && sameTokens,
      detail: `greedy tokens cached ${kb.cached.join(",")} / recomputed ${kb.recomputed.join(",")} / WASM ${ka.cached.join(",")}`,
    });
  }

  const wasmCustom = await on("wasm", () => customGrads("custom"));
  const gpuCustom = await on("webgpu", () => customGrads("custom"), "custom");
  const gpuPlain = await on("webgpu", () => customGrads("plain"), "plain");
  for (const name of Object.keys(CUSTOM)) {
    const x = compare(wasmCustom[name], gpuCustom[name]);
    const y = compare(gpuPlain[name], gpuCustom[name]);
    results.push(
      result(
        `${name} gradient: WebGPU vs WASM, and vs autodiff of the plain formula on WebGPU`,
        Math.max(x.diff, y.diff),
        TOL.customGrad,
        `vs WASM ${x.diff.toExponential(2)}, vs autodiff ${y.diff.toExponential(2)}, max |grad| ${x.scale.toExponential(2)}`,
      ),
    );
  }

  // tfjs-backend-webgpu's AddN shader is cached whatever the input count (src/backend/webgpu-kernels.ts fixes it).
  const addN = await on(
    "webgpu",
    async () => {
      const sums: number[] = [];
      for (const n of [5, 8, 15]) {
        const xs = Array.from({ length: n }, (_, i) => tf.tidy(() => tf.sum(tf.fill([2000], i + 1))));
        const s = tf.addN(xs);
        sums.push((await s.data())[0] - 1000 * n * (n + 1));
        tf.dispose([s, ...xs]);
      }
      return sums;
    },
    "addN",
  );
  results.push(
    result(
      "tf.addN of 5, then 8, then 15 tensors (cached-shader fix)",
      Math.max(...addN.map(Math.abs)),
      0,
      `errors ${addN.join(", ")}`,
    ),
  );

  // Every kernel of the GPT's plain-tfjs path (what the CPU backend runs for the same workload) must be
  // registered for WebGPU and have run there in the checks above. (tf.profile also lists scope names.)
  const used = await on("cpu", () => kernelsOf(gptWorkload));
  const missing = [...used].filter((k) => !ranOnWebGpu.has(k) || !tf.getKernel(k, "webgpu"));
  numTensors.webgpu = await on("webgpu", () => tf.memory().numTensors);
  results.push({
    name: `every op the GPT uses runs on WebGPU (${used.size} kernels)`,
    ok: missing.length === 0,
    maxDiff: missing.length,
    tol: 0,
    detail: (missing.length ? `NOT on WebGPU: ${missing.join(", ")}; ` : "") + [...used].sort().join(" "),
  });
  console.log(`seconds per backend: ${JSON.stringify(seconds)}`);
  return { results, adapter: probe, numTensors };
}

Object.assign(window, { runChecks, checkPageReady: true });
