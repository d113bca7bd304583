/**
 * A reward model: the GPT trunk (all blocks and the final norm) with a scalar head read at each sequence's last
 * real token, r = h_last · w + b, trained on preference pairs with the Bradley–Terry loss
 * −log σ(r_chosen − r_rejected) (Ouyang et al. 2022; the tensor form of `bradleyTerryLoss`). Chosen and
 * rejected sequences go through one forward pass `[2·batch, time]`.
 */
import * as tf from "@tensorflow/tfjs-core";
import { gatherRows } from "../backend/rows";
import { GPT } from "../model";
import { Rng } from "../random";
import { AdamW, clipByGlobalNorm, warmupCosine } from "../train";
import { PreferencePair, disposePreferenceBatch, preferenceBatch } from "./preferences";

/** Names of the head's tensors (as stored in a model bundle's `extra`). */
export const REWARD_HEAD = { weight: "reward_head.weight", bias: "reward_head.bias" } as const;

export class RewardModel {
  readonly trunk: GPT;
  readonly weight: tf.Variable;
  readonly bias: tf.Variable;

  /**
   * Wraps `trunk` (the model is owned by the reward model from now on) with a head: `weight: [dModel, 1]`
   * ~ N(0, 1/(dModel + 1)) as TRL initialises it, `bias` 0; or the given head tensors (copied).
   */
  constructor(trunk: GPT, options: { seed?: number; head?: Map<string, tf.Tensor> } = {}) {
    this.trunk = trunk;
    const d = trunk.config.dModel;
    const w = options.head?.get(REWARD_HEAD.weight);
    const b = options.head?.get(REWARD_HEAD.bias);
    if (options.head && (!w || !b))
      throw new Error(`RewardModel: the head needs "${REWARD_HEAD.weight}" and "${REWARD_HEAD.bias}"`);
    if (w && w.shape.join(",") !== `${d},1`)
      throw new Error(`RewardModel: head weight has shape [${w.shape}], the trunk needs [${d}, 1]`);
    const rng = new Rng(options.seed ?? 0);
    const init = Float32Array.from({ length: d }, () => rng.normal(0, 1 / Math.sqrt(d + 1)));
    this.weight = tf.variable(w ? w.clone() : tf.tensor2d(init, [d, 1]), true);
    this.bias = tf.variable(b ? b.clone() : tf.zeros([1]), true);
  }

  /** Trunk parameters and the head, by name (what the optimizer updates). */
  params(): Map<string, tf.Variable> {
    return new Map([...this.trunk.params, [REWARD_HEAD.weight, this.weight], [REWARD_HEAD.bias, this.bias]]);
  }

  /** The head as named tensors (for `models` bundles: `Built.extra`). The caller disposes the copies. */
  head(): Map<string, tf.Tensor> {
    return new Map<string, tf.Tensor>([
      [REWARD_HEAD.weight, this.weight.clone()],
      [REWARD_HEAD.bias, this.bias.clone()],
    ]);
  }

  /**
   * Rewards of right-padded sequences `ids: [batch, time]` read at positions `last[b]` (each row's last real
   * token) → `[batch]`. Differentiable with respect to trunk and head.
   */
  score(ids: tf.Tensor2D, last: readonly number[]): tf.Tensor1D {
    const [B, T] = ids.shape;
    if (last.length !== B) throw new Error(`RewardModel.score: ${last.length} last positions for ${B} rows`);
    last.forEach((l, b) => {
      if (!(Number.isInteger(l) && l >= 0 && l < T))
        throw new Error(`RewardModel.score: row ${b}'s last position ${l} is outside [0, ${T})`);
    });
    return tf.tidy(() => {
      const hidden: tf.Tensor2D[] = [];
      this.trunk.forward(ids, { hidden }).dispose();
      const rows = tf.tensor1d(
        last.map((l, b) => b * T + l),
        "int32",
      );
      const h = gatherRows(hidden[0], rows); // [B, d]
      // The collected hidden state escapes every tidy (tf.keep); gatherRows's gradient needs only the indices.
      hidden[0].dispose();
      return tf.reshape(tf.add(tf.matMul(h, this.weight), this.bias), [B]) as tf.Tensor1D;
    });
  }

  /** Rewards of prompt + completion id lists (no gradient), in batches of `batchSize`. */
  scoreSequences(sequences: readonly (readonly number[])[], padId: number, batchSize = 32): number[] {
    const out: number[] = [];
    for (let i = 0; i < sequences.length; i += batchSize) {
      const part = sequences.slice(i, i + batchSize);
      const T = Math.max(...part.map((s) => s.length));
      const data = new Int32Array(part.length * T).fill(padId);
      part.forEach((s, b) => data.set(s, b * T));
      const r = tf.tidy(() =>
        this.score(
          tf.tensor2d(data, [part.length, T], "int32"),
          part.map((s) => s.length - 1),
        ),
      );
      out.push(...Array.from(r.dataSync()));
      r.dispose();
    }
    return out;
  }

  dispose(): void {
    this.trunk.dispose();
    this.weight.dispose();
    this.bias.dispose();
  }
}

/** Mean −log σ(r_c − r_r) of reward tensors `[batch]` (the tensor form of `bradleyTerryLoss`). */
export function bradleyTerryLossTensor(chosen: tf.Tensor1D, rejected: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.softplus(tf.neg(tf.sub(chosen, rejected)))) as tf.Scalar);
}

/** Loss, accuracy (share of pairs with r_c > r_r) and mean margin r_c − r_r of one batch of pairs. */
export interface RewardStep {
  step: number;
  loss: number;
  lr: number;
  /** Global gradient norm before clipping. */
  gradNorm: number;
  accuracy: number;
  margin: number;
  tokens: number;
  seconds: number;
}

export interface RewardTrainOptions {
  rewardModel: RewardModel;
  pairs: readonly PreferencePair[];
  /** The id written at padded positions (e.g. `<|end|>`). */
  padId: number;
  steps: number;
  batchSize?: number;
  /** Peak learning rate (default 1e-3), warmup 10 % of the steps, cosine to a tenth. */
  lr?: number;
  weightDecay?: number;
  clipNorm?: number;
  seed?: number;
  onStep?: (info: RewardStep) => void | Promise<void>;
}

/** One pass of chosen and rejected rows through the reward model: rewards `[batch]` each. */
function scorePairs(rm: RewardModel, pairs: readonly PreferencePair[], padId: number) {
  const b = preferenceBatch(pairs, { padId, maxLength: rm.trunk.config.contextLength });
  return {
    batch: b,
    ids: tf.concat([b.chosen.ids, b.rejected.ids], 0) as tf.Tensor2D,
    last: [...b.chosen.last, ...b.rejected.last],
  };
}

/**
 * Trains a reward model with the Bradley–Terry loss (AdamW, warmup + cosine, gradient clipping; batches of
 * pairs drawn with replacement, seeded). Returns the per-step records.
 */
export async function trainRewardModel(o: RewardTrainOptions): Promise<RewardStep[]> {
  const { steps, batchSize = 16, lr = 1e-3, weightDecay = 0.01, clipNorm = 1, seed = 0 } = o;
  if (o.pairs.length === 0) throw new Error("trainRewardModel: no preference pairs");
  const rm = o.rewardModel;
  const params = rm.params();
  const optimizer = new AdamW(params, { weightDecay });
  const schedule = warmupCosine({
    maxLr: lr,
    minLr: lr / 10,
    warmupSteps: Math.max(1, Math.round(steps / 10)),
    totalSteps: steps,
  });
  const rng = new Rng(seed);
  const out: RewardStep[] = [];
  const names = [...params.keys()];
  const vars = [...params.values()];
  try {
    for (let step = 1; step <= steps; step++) {
      const t0 = Date.now();
      const rows = Array.from({ length: batchSize }, () => o.pairs[rng.int(o.pairs.length)]);
      const { batch, ids, last } = scorePairs(rm, rows, o.padId);
      let accuracy = 0;
      let margin = 0;
      try {
        const { value, grads } = tf.variableGrads(() => {
          const r = rm.score(ids, last);
          const rc = tf.slice(r, [0], [batchSize]) as tf.Tensor1D;
          const rr = tf.slice(r, [batchSize], [batchSize]) as tf.Tensor1D;
          const d = tf.sub(rc, rr).dataSync();
          accuracy = Array.from(d).filter((x) => x > 0).length / batchSize;
          margin = Array.from(d).reduce((a, b) => a + b, 0) / batchSize;
          return bradleyTerryLossTensor(rc, rr);
        }, vars);
        const loss = value.dataSync()[0];
        value.dispose();
        const list = vars.map((v) => grads[v.name] ?? tf.zerosLike(v));
        const clipped = clipByGlobalNorm(list, clipNorm);
        tf.dispose(list);
        const lrNow = schedule(step - 1);
        optimizer.apply(new Map(names.map((n, i) => [n, clipped.grads[i]])), lrNow);
        tf.dispose(clipped.grads);
        const info = {
          step,
          loss,
          lr: lrNow,
          gradNorm: clipped.norm,
          accuracy,
          margin,
          tokens: ids.size,
          seconds: (Date.now() - t0) / 1000,
        };
        out.push(info);
        if (o.onStep) await o.onStep(info);
      } finally {
        disposePreferenceBatch(batch);
        ids.dispose();
      }
    }
  } finally {
    optimizer.dispose();
  }
  return out;
}

/** Held-out evaluation: the share of pairs the reward model orders as the labels do, the mean margin, the loss. */
export function evaluateRewardModel(
  rm: RewardModel,
  pairs: readonly PreferencePair[],
  padId: number,
  batchSize = 32,
): { accuracy: number; margin: number; loss: number; goldAccuracy: number } {
  if (pairs.length === 0) throw new Error("evaluateRewardModel: no pairs");
  let right = 0;
  let gold = 0;
  let margin = 0;
  let loss = 0;
  for (let i = 0; i < pairs.length; i += batchSize) {
    const part = pairs.slice(i, i + batchSize);
    const { batch, ids, last } = scorePairs(rm, part, padId);
    const r = tf.tidy(() => rm.score(ids, last));
    const v = r.dataSync();
    part.forEach((p, j) => {
      const d = v[j] - v[part.length + j];
      if (d > 0) right++;
      // Against the gold ordering (what the labeller's noise hides).
      if (d > 0 === p.chosenGold > p.rejectedGold) gold++;
      margin += d;
      loss += Math.log1p(Math.exp(-d));
    });
    tf.dispose([r, ids]);
    disposePreferenceBatch(batch);
  }
  const n = pairs.length;
  return { accuracy: right / n, margin: margin / n, loss: loss / n, goldAccuracy: gold / n };
}
