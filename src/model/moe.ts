/**
 * Chapter 11: a mixture-of-experts (MoE) layer in place of a block's MLP.
 *
 * A router (one linear map `[dModel, E]`, no bias) scores each token against E experts; each token goes to the
 * k best (`routeTopK`), an expert takes at most `capacity` tokens (`assignCapacity`, the rest are dropped and
 * pass through the residual unchanged), each expert MLP computes only the tokens sent to it (a gather of their
 * rows, the MLP, then a gate-weighted scatter-add back: `combineExperts`), so the compute grows with k, not
 * with E. Two auxiliary losses keep the router healthy: Switch's load balance E·Σᵢ fᵢ·Pᵢ (`balanceLoss`) and
 * ST-MoE's z-loss mean(logsumexp(logits)²) (`zLoss`); training adds them, weighted, to the LM loss
 * (`moeAuxLoss`) and reports them separately.
 *
 * Shapes: x `[N, d]` with N = batch·time tokens, router logits and probabilities `[N, E]`.
 */
import * as tf from "@tensorflow/tfjs-core";
import { gatherRows, scatterAddRows } from "../backend/rows";
import { ResolvedConfig, ResolvedMoEConfig, RouterOrder } from "./config";
import { gelu, linear, swiglu } from "./layers";

/** The router's decision for N tokens. */
export interface Routing {
  /** softmax of the router logits over all E experts `[N, E]` (what the balance loss averages). */
  probs: tf.Tensor2D;
  /** The gate of each token for each expert `[N, E]`: nonzero only for the token's k experts. */
  gates: tf.Tensor2D;
  /** Each token's k experts, best first (ties: the lower expert index first): N rows of k ids. */
  experts: number[][];
}

// @answer 11.topK
/**
 * Top-k routing of `logits: [N, E]`: every token's k experts (largest logit first; equal logits in expert
 * order) and its gates, in either order (see `RouterOrder`):
 * - `"softmax-topk"`: p = softmax(logits) over the E experts; gate = p for the k chosen experts, 0 elsewhere;
 * - `"topk-softmax"`: softmax over the k chosen logits only (the others masked to −∞), so the gates sum to 1.
 * The choice itself is discrete (read back to JavaScript); the gates are tensors, so the router receives a
 * gradient through them. `probs` is the full softmax in both orders.
 */
export function routeTopK(logits: tf.Tensor2D, k: number, order: RouterOrder): Routing {
  const [N, E] = logits.shape;
  if (!Number.isInteger(k) || k < 1 || k > E) throw new Error(`routeTopK: k must be in [1, ${E}], got ${k}`);
  const z = logits.dataSync();
  const experts: number[][] = [];
  const mask = new Float32Array(N * E);
  for (let t = 0; t < N; t++) {
    const row = Array.from({ length: E }, (_, e) => e);
    row.sort((a, b) => z[t * E + b] - z[t * E + a] || a - b);
    const chosen = row.slice(0, k);
    for (const e of chosen) mask[t * E + e] = 1;
    experts.push(chosen);
  }
  return tf.tidy(() => {
    const m = tf.tensor2d(mask, [N, E]);
    const probs = tf.softmax(logits) as tf.Tensor2D;
    const gates =
      order === "softmax-topk"
        ? tf.mul(probs, m)
        : tf.mul(tf.softmax(tf.add(logits, tf.mul(tf.sub(m, 1), 1e9))), m);
    return { probs, gates: gates as tf.Tensor2D, experts };
  });
}
// @end-answer

// @answer 11.balance
/**
 * Switch Transformer's load-balancing loss (Fedus et al. 2021, eq. 4, generalised to top-k):
 * E · Σᵢ fᵢ · Pᵢ, where fᵢ is the fraction of the N·k assignments that go to expert i (counted from `experts`,
 * before any capacity drop; no gradient) and Pᵢ the mean router probability of expert i over the N tokens
 * (`probs: [N, E]`, differentiable). It is 1 when both are uniform (1/E each) and grows to E when every token
 * goes to one expert that also gets all the probability. Returned without its coefficient.
 */
export function balanceLoss(probs: tf.Tensor2D, experts: number[][]): tf.Scalar {
  const [N, E] = probs.shape;
  if (experts.length !== N)
    throw new Error(`balanceLoss: ${experts.length} token rows for probs [${N}, ${E}]`);
  const f = new Float32Array(E);
  let assignments = 0;
  for (const row of experts) {
    for (const e of row) {
      f[e] += 1;
      assignments++;
    }
  }
  for (let e = 0; e < E; e++) f[e] /= assignments;
  return tf.tidy(() => tf.mul(tf.sum(tf.mul(tf.tensor1d(f), tf.mean(probs, 0))), E) as tf.Scalar);
}
// @end-answer

// @answer 11.zLoss
/**
 * ST-MoE's router z-loss (Zoph et al. 2022, eq. 5): mean over tokens of (log Σⱼ exp(logitsⱼ))². It pushes
 * the logits toward small values, where the router's softmax is numerically safe, without changing which
 * expert wins. `logits: [N, E]`; returned without its coefficient.
 */
export function zLoss(logits: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.square(tf.logSumExp(logits, 1))) as tf.Scalar);
}
// @end-answer

/** Which tokens each expert computes, after the capacity limit. */
export interface CapacityPlan {
  /** Per expert, the tokens it takes, in the order they were admitted. */
  tokens: number[][];
  /** Per expert, the rank of that choice for the token (0: its first choice). */
  choices: number[][];
  /** Assignments that found their expert full; a token whose every choice was dropped keeps only its residual. */
  dropped: number;
}

// @answer 11.capacity
/**
 * Capacity assignment: admits each token's choices `experts: [N][k]` to `numExperts` experts that take at
 * most `capacity` tokens each (Infinity: no limit). The order decides who is dropped when an expert is full:
 * all first choices before any second choice (GShard's priority), and within a rank, tokens in order 0…N−1.
 */
export function assignCapacity(experts: number[][], numExperts: number, capacity: number): CapacityPlan {
  if (!(capacity >= 0)) throw new Error(`assignCapacity: capacity must be ≥ 0, got ${capacity}`);
  const tokens: number[][] = Array.from({ length: numExperts }, () => []);
  const choices: number[][] = Array.from({ length: numExperts }, () => []);
  let dropped = 0;
  const k = experts.length ? experts[0].length : 0;
  for (let j = 0; j < k; j++) {
    for (let t = 0; t < experts.length; t++) {
      const e = experts[t][j];
      if (!(Number.isInteger(e) && e >= 0 && e < numExperts)) {
        throw new Error(`assignCapacity: token ${t} chose expert ${e}, not in [0, ${numExperts})`);
      }
      if (tokens[e].length < capacity) {
        tokens[e].push(t);
        choices[e].push(j);
      } else dropped++;
    }
  }
  return { tokens, choices, dropped };
}
// @end-answer

// @answer 11.combine
/**
 * Combines expert outputs into one output per token: y[t] = Σₑ gates[t, e] · outputs[e][row of t in
 * tokens[e]], zero for a token no expert computed. `outputs[e]: [tokens[e].length, d]` (an expert with no
 * tokens may give a `[0, d]` tensor or be skipped), `gates: [N, E]`. Differentiable with respect to the
 * outputs and the gates on every backend: the gates are picked with `gatherRows` and the weighted rows added
 * into `[N, d]` with `scatterAddRows` (a token with k experts receives k rows).
 */
export function combineExperts(
  outputs: tf.Tensor2D[],
  tokens: number[][],
  gates: tf.Tensor2D,
  numTokens: number,
): tf.Tensor2D {
  const E = gates.shape[1];
  const used = tokens.map((_, e) => e).filter((e) => tokens[e].length > 0);
  if (used.length === 0) {
    const d = outputs.find((o) => o !== undefined)?.shape[1] ?? 0;
    return tf.zeros([numTokens, d]);
  }
  return tf.tidy(() => {
    const rows = tf.concat(
      used.map((e) => outputs[e]),
      0,
    ) as tf.Tensor2D;
    const tokenIds = used.flatMap((e) => tokens[e]);
    const gateIds = used.flatMap((e) => tokens[e].map((t) => t * E + e));
    const g = gatherRows(tf.reshape(gates, [-1, 1]) as tf.Tensor2D, tf.tensor1d(gateIds, "int32"));
    return scatterAddRows(tf.mul(rows, g) as tf.Tensor2D, tf.tensor1d(tokenIds, "int32"), numTokens);
  });
}
// @end-answer

/** Most tokens one expert takes in a forward pass of N tokens: ceil(capacityFactor · k · N / E), or Infinity. */
export function expertCapacity(moe: ResolvedMoEConfig, tokens: number): number {
  if (moe.capacityFactor === null) return Infinity;
  return Math.ceil((moe.capacityFactor * moe.topK * tokens) / moe.experts);
}

/** What one MoE block did in one forward pass (collected when `GPT.forward` gets `{ moe: [] }`). */
export interface MoELayerStats {
  /** The block's index. */
  layer: number;
  /** Tokens routed (N = batch · time). */
  tokens: number;
  /** Tokens one expert could take (Infinity without a limit). */
  capacity: number;
  /** Assignments the router made to each expert, before the capacity limit `[E]`. */
  load: number[];
  /** Assignments each expert computed `[E]`. */
  kept: number[];
  /** Assignments dropped for lack of capacity. */
  dropped: number;
  /** Tokens all of whose k experts were full (their MoE output is 0: only the residual carries them). */
  droppedTokens: number;
  /** Each token's k experts, best first. */
  experts: number[][];
  /** Router probabilities and gates, row-major `[N, E]`. */
  probs: Float32Array;
  gates: Float32Array;
  /** Mean |logit| and max |logit| of the router (what the z-loss keeps small). */
  meanAbsLogit: number;
  maxAbsLogit: number;
  /** The two auxiliary losses without their coefficients (scalars the caller disposes: `disposeMoEStats`). */
  balanceLoss: tf.Scalar;
  zLoss: tf.Scalar;
}

/** Frees the loss tensors held by collected stats. */
export function disposeMoEStats(stats: MoELayerStats[]): void {
  for (const s of stats) tf.dispose([s.balanceLoss, s.zLoss]);
}

/** The auxiliary training loss of collected stats: Σ over MoE blocks of balanceCoef·balance + zLossCoef·z. */
export function moeAuxLoss(stats: MoELayerStats[], config: ResolvedConfig): tf.Scalar {
  const moe = config.moe;
  if (!moe || stats.length === 0) return tf.scalar(0);
  return tf.tidy(
    () =>
      tf.addN(
        stats.map((s) => tf.add(tf.mul(s.balanceLoss, moe.balanceCoef), tf.mul(s.zLoss, moe.zLossCoef))),
      ) as tf.Scalar,
  );
}

/** The numbers of collected stats, averaged over MoE blocks (the loss tensors are read, not disposed). */
export interface MoESummary {
  /** Mean balance loss and z-loss per MoE block, without coefficients. */
  balance: number;
  z: number;
  /** Dropped assignments / all assignments, and dropped tokens / tokens. */
  droppedFraction: number;
  droppedTokenFraction: number;
  /** Share of the router's assignments each expert received `[E]` (before capacity; 1/E each when balanced). */
  load: number[];
  /** Mean and max |router logit| (what the z-loss keeps small). */
  meanAbsLogit: number;
  maxAbsLogit: number;
}

/** A summary of nothing (E experts): the starting point for sums of summaries. */
export function emptyMoESummary(experts: number): MoESummary {
  return {
    balance: 0,
    z: 0,
    droppedFraction: 0,
    droppedTokenFraction: 0,
    load: new Array<number>(experts).fill(0),
    meanAbsLogit: 0,
    maxAbsLogit: 0,
  };
}

/** a + w·b field by field (the max logit too, so a mean of summaries averages it). */
export function addMoESummary(a: MoESummary, b: MoESummary, w = 1): MoESummary {
  return {
    balance: a.balance + w * b.balance,
    z: a.z + w * b.z,
    droppedFraction: a.droppedFraction + w * b.droppedFraction,
    droppedTokenFraction: a.droppedTokenFraction + w * b.droppedTokenFraction,
    load: a.load.map((x, i) => x + w * b.load[i]),
    meanAbsLogit: a.meanAbsLogit + w * b.meanAbsLogit,
    maxAbsLogit: a.maxAbsLogit + w * b.maxAbsLogit,
  };
}

/** Averages collected stats over the MoE blocks. */
export function summarizeMoE(stats: MoELayerStats[]): MoESummary {
  const n = stats.length;
  if (n === 0) return emptyMoESummary(0);
  let sum = emptyMoESummary(stats[0].load.length);
  for (const s of stats) {
    const assignments = s.load.reduce((a, b) => a + b, 0);
    sum = addMoESummary(
      sum,
      {
        balance: s.balanceLoss.dataSync()[0],
        z: s.zLoss.dataSync()[0],
        droppedFraction: s.dropped / assignments,
        droppedTokenFraction: s.droppedTokens / s.tokens,
        load: s.load.map((l) => l / assignments),
        meanAbsLogit: s.meanAbsLogit,
        maxAbsLogit: s.maxAbsLogit,
      },
      1 / n,
    );
  }
  return sum;
}

/** How `moeBlock` runs: which block, whether the capacity limit applies, where to put stats. */
export interface MoEBlockOptions {
  layer: number;
  /** Apply the capacity limit (default true; generation with a KV cache turns it off). */
  capacity?: boolean;
  /** Collect this block's stats here (its loss tensors are kept outside any tidy). */
  stats?: MoELayerStats[];
}

/**
 * The MoE block of layer `options.layer` on normalised tokens `x: [N, d]` → `[N, d]` (to be added to the
 * residual): route, assign capacity, run each expert MLP on its tokens only, combine. `param(name)` returns a
 * parameter by its full name (`h.<layer>.moe.gate.weight`, `h.<layer>.moe.experts.<e>.c_fc.weight`, …).
 */
export function moeBlock(
  x: tf.Tensor2D,
  param: (name: string) => tf.Tensor | undefined,
  config: ResolvedConfig,
  options: MoEBlockOptions,
): tf.Tensor2D {
  const moe = config.moe;
  if (!moe) throw new Error("moeBlock: the config has no moe field");
  const pre = `h.${options.layer}.moe`;
  const need = (name: string): tf.Tensor => {
    const p = param(name);
    if (!p) throw new Error(`moeBlock: missing parameter "${name}"`);
    return p;
  };
  const N = x.shape[0];
  const E = moe.experts;
  const logits = linear(x, need(`${pre}.gate.weight`) as tf.Tensor2D);
  const routing = routeTopK(logits, moe.topK, moe.router);
  const capacity = options.capacity === false ? Infinity : expertCapacity(moe, N);
  const plan = assignCapacity(routing.experts, E, capacity);
  const used = plan.tokens.map((_, e) => e).filter((e) => plan.tokens[e].length > 0);
  const outputs: tf.Tensor2D[] = new Array(E);
  if (used.length > 0) {
    // One gather for all experts, then contiguous pieces: cheaper than E gathers.
    const all = gatherRows(
      x,
      tf.tensor1d(
        used.flatMap((e) => plan.tokens[e]),
        "int32",
      ),
    );
    const pieces =
      used.length === 1
        ? [all]
        : (tf.split(
            all,
            used.map((e) => plan.tokens[e].length),
          ) as tf.Tensor2D[]);
    used.forEach((e, i) => {
      const ex = `${pre}.experts.${e}`;
      const lin = (h: tf.Tensor2D, name: string): tf.Tensor2D =>
        linear(
          h,
          need(`${ex}.${name}.weight`) as tf.Tensor2D,
          param(`${ex}.${name}.bias`) as tf.Tensor1D | undefined,
        );
      const up = lin(pieces[i], "c_fc");
      const act = config.activation === "gelu" ? (gelu(up) as tf.Tensor2D) : swiglu(up);
      outputs[e] = lin(act, "c_proj");
    });
  }
  const y = combineExperts(outputs, plan.tokens, routing.gates, N);
  if (options.stats) {
    const z = logits.dataSync();
    let sumAbs = 0;
    let maxAbs = 0;
    for (let i = 0; i < z.length; i++) {
      const a = Math.abs(z[i]);
      sumAbs += a;
      if (a > maxAbs) maxAbs = a;
    }
    const load = new Array<number>(E).fill(0);
    for (const row of routing.experts) for (const e of row) load[e]++;
    const served = new Uint8Array(N);
    for (const ts of plan.tokens) for (const t of ts) served[t] = 1;
    options.stats.push({
      layer: options.layer,
      tokens: N,
      capacity,
      load,
      kept: plan.tokens.map((t) => t.length),
      dropped: plan.dropped,
      droppedTokens: N - served.reduce((a, b) => a + b, 0),
      experts: routing.experts,
      probs: routing.probs.dataSync() as Float32Array,
      gates: routing.gates.dataSync() as Float32Array,
      meanAbsLogit: sumAbs / z.length,
      maxAbsLogit: maxAbs,
      balanceLoss: tf.keep(balanceLoss(routing.probs, routing.experts)),
      zLoss: tf.keep(zLoss(logits)),
    });
  }
  return y;
}
