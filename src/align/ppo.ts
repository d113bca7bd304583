/**
 * RLHF with PPO, as TRL's classic `PPOTrainer` does it (Ziegler et al. 2019; Ouyang et al. 2022):
 *
 * 1. rollout: completions of a batch of prompts sampled from the policy with the KV cache
 *    (`infer.generateBatch`), cut after `<|end|>`;
 * 2. scoring: one forward of the policy (log-probs and the value head's values), one of the frozen reference
 *    (log-probs), the reward model's score of each whole sequence;
 * 3. rewards per token: −β·(log π − log π_ref) on every completion token (the KL penalty, k1) plus the reward
 *    model's score on the last one; advantages by GAE(γ, λ), whitened over the batch; value targets A + V;
 * 4. update: several epochs of minibatches with the clipped surrogate and the clipped value loss
 *    (loss = policy loss + c_v·value loss), AdamW, gradient clipping.
 *
 * The value head is a linear map on the policy trunk's final hidden state (shared trunk, as TRL's
 * `AutoModelForCausalLMWithValueHead`). β is fixed, or adapted by `AdaptiveKlController`. Defaults are TRL's:
 * γ = 1, λ = 0.95, clip 0.2, value clip 0.2, value coefficient 0.1, initial β 0.2, 4 epochs.
 */
import * as tf from "@tensorflow/tfjs-core";
import { generateBatch } from "../infer";
import { GPT } from "../model";
import { Rng } from "../random";
import { Tokenizer } from "../tokenizer";
import { AdamW, clipByGlobalNorm } from "../train";
import { checkReference, targetLogProbs, tokenEntropy } from "./logprobs";
import { completionText, cutCompletion, goldReward } from "./preferences";
import { RewardModel } from "./reward-model";
import { AdaptiveKlController, bestOfNKl, gae } from "./rlhf";

export interface PpoConfig {
  /** Rollouts (prompts) per iteration. Default 16. */
  batchSize?: number;
  /** Minibatches per epoch. Default 2. */
  minibatches?: number;
  /** Passes over each rollout batch. Default 4. */
  epochs?: number;
  /** Tokens per completion at most. Default 16. */
  maxNewTokens?: number;
  /** Sampling temperature of the rollouts. Default 1 (the policy's own distribution, so the KL is its KL). */
  temperature?: number;
  /** AdamW learning rate (constant). Default 1e-4. */
  lr?: number;
  gamma?: number;
  lambda?: number;
  clip?: number;
  valueClip?: number;
  valueCoef?: number;
  /** The KL coefficient β (initial value with `targetKl`). Default 0.2. */
  klCoef?: number;
  /** With a target KL (nats per sequence), β adapts (Ziegler et al.'s controller). Default: fixed β. */
  targetKl?: number;
  klHorizon?: number;
  clipNorm?: number;
  seed?: number;
}

/** What one PPO iteration measured (means over the batch; KL per sequence in nats). */
export interface PpoStats {
  iteration: number;
  /** Reward model score of the rollouts. */
  reward: number;
  /** Gold reward (`goldReward`) of the rollouts' text. */
  gold: number;
  /** Σ over completion tokens of log π − log π_ref (k1), mean over sequences. */
  kl: number;
  /** The same with the k3 estimator (≥ 0 per token). */
  klK3: number;
  /** The β used for this batch. */
  klCoef: number;
  /** Mean next-token entropy over completion tokens (nats). */
  entropy: number;
  /** Share of (token, minibatch) ratios outside [1 − ε, 1 + ε]. */
  clipFraction: number;
  policyLoss: number;
  valueLoss: number;
  /** Mean completion length in tokens. */
  length: number;
  /** Seconds in generation, scoring and update, and generated + trained tokens. */
  seconds: { rollout: number; scoring: number; update: number };
  tokens: { generated: number; trained: number };
  /** A few completions of this batch (text). */
  samples: string[];
}

/** A rollout batch, padded: everything the update needs, `[batch, time − 1]` per action position. */
interface Rollout {
  ids: tf.Tensor2D;
  /** 1 where position t's action (token t + 1) is a completion token. */
  actionMask: tf.Tensor2D;
  oldLogp: tf.Tensor2D;
  oldValues: tf.Tensor2D;
  advantages: tf.Tensor2D;
  returns: tf.Tensor2D;
  rows: number;
  time: number;
}

const VALUE_HEAD = { weight: "value_head.weight", bias: "value_head.bias" } as const;

/** The policy with its value head, trained by `Ppo`. */
export class Ppo {
  readonly policy: GPT;
  readonly reference: GPT;
  readonly rewardModel: RewardModel;
  readonly tokenizer: Tokenizer;
  readonly valueWeight: tf.Variable;
  readonly valueBias: tf.Variable;
  readonly config: Required<Omit<PpoConfig, "targetKl">> & { targetKl?: number };
  readonly kl: AdaptiveKlController | null;
  klCoef: number;
  iteration = 0;
  private readonly optimizer: AdamW;
  private readonly rng: Rng;
  private readonly params: Map<string, tf.Variable>;
  private readonly padId: number;

  /**
   * `policy` is trained in place (start it as a copy of the reference); `reference` and `rewardModel` stay
   * frozen. Prompts are drawn from `prompts` (token ids) with replacement.
   */
  constructor(
    o: {
      policy: GPT;
      reference: GPT;
      rewardModel: RewardModel;
      tokenizer: Tokenizer;
      prompts: readonly number[][];
    } & PpoConfig,
  ) {
    checkReference(o.policy, o.reference, "Ppo");
    if (o.rewardModel.trunk.config.vocabSize !== o.policy.config.vocabSize)
      throw new Error(
        `Ppo: the reward model reads ${o.rewardModel.trunk.config.vocabSize} ids, the policy writes ${o.policy.config.vocabSize}; train the reward model on the policy's tokenizer`,
      );
    if (o.prompts.length === 0) throw new Error("Ppo: no prompts");
    this.config = {
      batchSize: o.batchSize ?? 16,
      minibatches: o.minibatches ?? 2,
      epochs: o.epochs ?? 4,
      maxNewTokens: o.maxNewTokens ?? 16,
      temperature: o.temperature ?? 1,
      lr: o.lr ?? 1e-4,
      gamma: o.gamma ?? 1,
      lambda: o.lambda ?? 0.95,
      clip: o.clip ?? 0.2,
      valueClip: o.valueClip ?? 0.2,
      valueCoef: o.valueCoef ?? 0.1,
      klCoef: o.klCoef ?? 0.2,
      targetKl: o.targetKl,
      klHorizon: o.klHorizon ?? 10000,
      clipNorm: o.clipNorm ?? 1,
      seed: o.seed ?? 0,
    };
    const c = this.config;
    if (c.batchSize % c.minibatches !== 0)
      throw new Error(`Ppo: batchSize ${c.batchSize} must be a multiple of minibatches ${c.minibatches}`);
    const ctx = o.policy.config.contextLength;
    const long = o.prompts.findIndex((p) => p.length === 0 || p.length + c.maxNewTokens > ctx);
    if (long >= 0)
      throw new Error(
        `Ppo: prompt ${long} has ${o.prompts[long].length} tokens; with maxNewTokens ${c.maxNewTokens} it needs 1 … ${ctx - c.maxNewTokens} (the context is ${ctx})`,
      );
    this.policy = o.policy;
    this.reference = o.reference;
    this.rewardModel = o.rewardModel;
    this.tokenizer = o.tokenizer;
    this.prompts = o.prompts;
    this.kl = c.targetKl !== undefined ? new AdaptiveKlController(c.klCoef, c.targetKl, c.klHorizon) : null;
    this.klCoef = c.klCoef;
    this.rng = new Rng(c.seed);
    const d = o.policy.config.dModel;
    // The value head starts at 0 (values 0), so the first advantages are the returns themselves.
    this.valueWeight = tf.variable(tf.zeros([d, 1]), true);
    this.valueBias = tf.variable(tf.zeros([1]), true);
    this.params = new Map([
      ...o.policy.params,
      [VALUE_HEAD.weight, this.valueWeight],
      [VALUE_HEAD.bias, this.valueBias],
    ]);
    this.optimizer = new AdamW(this.params, { weightDecay: 0 });
    this.padId = o.tokenizer.specialTokens["<|end|>"] ?? 0;
  }

  private readonly prompts: readonly number[][];

  /** Log-probs `[B, T−1]` of ids and values `[B, T−1]` (value of the state before each action). */
  private logpAndValues(
    ids: tf.Tensor2D,
    entropy?: tf.Tensor2D[],
  ): { logp: tf.Tensor2D; values: tf.Tensor2D } {
    const [B, T] = ids.shape;
    const d = this.policy.config.dModel;
    const x = tf.slice(ids, [0, 0], [B, T - 1]) as tf.Tensor2D;
    const y = tf.slice(ids, [0, 1], [B, T - 1]) as tf.Tensor2D;
    const hidden: tf.Tensor2D[] = [];
    const logits = this.policy.forward(x, { hidden });
    if (entropy) entropy.push(tf.keep(tokenEntropy(logits)));
    const logp = targetLogProbs(logits, y);
    const values = tf.reshape(
      tf.add(
        tf.matMul(tf.reshape(hidden[0], [B * (T - 1), d]) as tf.Tensor2D, this.valueWeight),
        this.valueBias,
      ),
      [B, T - 1],
    ) as tf.Tensor2D;
    // The collected hidden state escapes every tidy (tf.keep); the ops that read it saved their own copies.
    hidden[0].dispose();
    return { logp, values };
  }

  /** Samples, scores and computes advantages for one batch of prompts. */
  private rollout(stats: Partial<PpoStats>): Rollout {
    const c = this.config;
    const t0 = Date.now();
    const prompts = Array.from(
      { length: c.batchSize },
      () => this.prompts[this.rng.int(this.prompts.length)],
    );
    const seed = this.rng.int(2 ** 31);
    const raw = generateBatch(this.policy, prompts, {
      maxNewTokens: c.maxNewTokens,
      temperature: c.temperature,
      seed,
    });
    const completions = raw.map((r) => {
      const cut = cutCompletion(this.tokenizer, r).ids;
      return cut.length > 0 ? cut : r.slice(0, 1);
    });
    const t1 = Date.now();
    const seqs = prompts.map((p, b) => [...p, ...completions[b]]);
    const T = Math.max(...seqs.map((s) => s.length));
    const B = seqs.length;
    const idData = new Int32Array(B * T).fill(this.padId);
    const act = new Float32Array(B * (T - 1));
    seqs.forEach((s, b) => {
      idData.set(s, b * T);
      for (let t = prompts[b].length - 1; t < s.length - 1; t++) act[b * (T - 1) + t] = 1;
    });
    const ids = tf.tensor2d(idData, [B, T], "int32");
    const actionMask = tf.tensor2d(act, [B, T - 1]);
    const scores = this.rewardModel.scoreSequences(seqs, this.padId);
    const ent: tf.Tensor2D[] = [];
    const { logp, values } = tf.tidy(() => {
      const r = this.logpAndValues(ids, ent);
      return { logp: r.logp, values: r.values };
    });
    const refLogp = tf.tidy(() => {
      const x = tf.slice(ids, [0, 0], [B, T - 1]) as tf.Tensor2D;
      const y = tf.slice(ids, [0, 1], [B, T - 1]) as tf.Tensor2D;
      return targetLogProbs(this.reference.forward(x), y);
    });
    const lp = logp.dataSync();
    const rl = refLogp.dataSync();
    const vv = values.dataSync();
    const en = ent[0].dataSync();
    const adv = new Float32Array(B * (T - 1));
    const ret = new Float32Array(B * (T - 1));
    let klSum = 0;
    let k3Sum = 0;
    let entSum = 0;
    let actions = 0;
    const allAdv: number[] = [];
    seqs.forEach((s, b) => {
      const from = prompts[b].length - 1;
      const to = s.length - 1; // exclusive
      const rewards: number[] = [];
      const vals: number[] = [];
      for (let t = from; t < to; t++) {
        const i = b * (T - 1) + t;
        const logRatio = lp[i] - rl[i];
        klSum += logRatio;
        k3Sum += Math.exp(-logRatio) - 1 + logRatio;
        entSum += en[i];
        actions++;
        rewards.push(-this.klCoef * logRatio);
        vals.push(vv[i]);
      }
      rewards[rewards.length - 1] += scores[b];
      const g = gae(rewards, vals, c.gamma, c.lambda);
      for (let t = from; t < to; t++) {
        adv[b * (T - 1) + t] = g.advantages[t - from];
        ret[b * (T - 1) + t] = g.returns[t - from];
        allAdv.push(g.advantages[t - from]);
      }
    });
    // Whitening over every action of the batch.
    const mean = allAdv.reduce((a, x) => a + x, 0) / allAdv.length;
    const std = Math.sqrt(allAdv.reduce((a, x) => a + (x - mean) ** 2, 0) / allAdv.length) + 1e-8;
    for (let i = 0; i < adv.length; i++) if (act[i]) adv[i] = (adv[i] - mean) / std;
    tf.dispose([refLogp, ...ent]);
    const texts = completions.map((cpl) => completionText(this.tokenizer, cpl));
    const gold = texts.map((t) => goldReward(t));
    Object.assign(stats, {
      reward: scores.reduce((a, x) => a + x, 0) / B,
      gold: gold.reduce((a, x) => a + x, 0) / B,
      kl: klSum / B,
      klK3: k3Sum / B,
      klCoef: this.klCoef,
      entropy: entSum / actions,
      length: actions / B,
      samples: texts.slice(0, 4),
      seconds: { rollout: (t1 - t0) / 1000, scoring: (Date.now() - t1) / 1000, update: 0 },
      tokens: { generated: B * c.maxNewTokens, trained: 0 },
    });
    return {
      ids,
      actionMask,
      oldLogp: logp,
      oldValues: values,
      advantages: tf.tensor2d(adv, [B, T - 1]),
      returns: tf.tensor2d(ret, [B, T - 1]),
      rows: B,
      time: T,
    };
  }

  /** One PPO iteration: rollout, scoring, `epochs` × `minibatches` updates. */
  async step(): Promise<PpoStats> {
    const c = this.config;
    this.iteration++;
    const stats: Partial<PpoStats> = { iteration: this.iteration };
    const r = this.rollout(stats);
    const t0 = Date.now();
    const vars = [...this.params.values()];
    const names = [...this.params.keys()];
    const mb = r.rows / c.minibatches;
    let clipped = 0;
    let counted = 0;
    let pl = 0;
    let vl = 0;
    let updates = 0;
    let trained = 0;
    try {
      for (let epoch = 0; epoch < c.epochs; epoch++) {
        const order = this.rng.shuffle(Array.from({ length: r.rows }, (_, i) => i));
        for (let m = 0; m < c.minibatches; m++) {
          const rowsIdx = tf.tensor1d(order.slice(m * mb, (m + 1) * mb), "int32");
          const pick = <T extends tf.Tensor>(x: T): T => tf.gather(x, rowsIdx) as T;
          const batch = tf.tidy(() => ({
            ids: pick(r.ids),
            mask: pick(r.actionMask),
            oldLogp: pick(r.oldLogp),
            oldValues: pick(r.oldValues),
            adv: pick(r.advantages),
            ret: pick(r.returns),
          }));
          rowsIdx.dispose();
          try {
            let fractions = [0, 0];
            let parts = [0, 0];
            const { value, grads } = tf.variableGrads(() => {
              const { logp, values } = this.logpAndValues(batch.ids);
              const n = tf.maximum(tf.sum(batch.mask), 1);
              const ratio = tf.exp(tf.sub(logp, batch.oldLogp));
              const un = tf.mul(tf.neg(batch.adv), ratio);
              const cl = tf.mul(tf.neg(batch.adv), tf.clipByValue(ratio, 1 - c.clip, 1 + c.clip));
              const pgLoss = tf.div(tf.sum(tf.mul(tf.maximum(un, cl), batch.mask)), n);
              const vClipped = tf.add(
                batch.oldValues,
                tf.clipByValue(tf.sub(values, batch.oldValues), -c.valueClip, c.valueClip),
              );
              const v1 = tf.square(tf.sub(values, batch.ret));
              const v2 = tf.square(tf.sub(vClipped, batch.ret));
              const vLoss = tf.mul(tf.div(tf.sum(tf.mul(tf.maximum(v1, v2), batch.mask)), n), 0.5);
              const outside = tf.cast(tf.greater(tf.abs(tf.sub(ratio, 1)), c.clip), "float32");
              fractions = [tf.sum(tf.mul(outside, batch.mask)).dataSync()[0], n.dataSync()[0]];
              parts = [pgLoss.dataSync()[0], vLoss.dataSync()[0]];
              return tf.add(pgLoss, tf.mul(vLoss, c.valueCoef)) as tf.Scalar;
            }, vars);
            value.dispose();
            const list = vars.map((v) => grads[v.name] ?? tf.zerosLike(v));
            const cg = clipByGlobalNorm(list, c.clipNorm);
            tf.dispose(list);
            if (Number.isFinite(cg.norm))
              this.optimizer.apply(new Map(names.map((nm, i) => [nm, cg.grads[i]])), c.lr);
            tf.dispose(cg.grads);
            clipped += fractions[0];
            counted += fractions[1];
            pl += parts[0];
            vl += parts[1];
            updates++;
            trained += batch.ids.size;
          } finally {
            tf.dispose(Object.values(batch));
          }
        }
        await new Promise((res) => setImmediate(res));
      }
    } finally {
      tf.dispose([r.ids, r.actionMask, r.oldLogp, r.oldValues, r.advantages, r.returns]);
    }
    if (this.kl) this.klCoef = this.kl.update(stats.kl as number, r.rows);
    const s = stats as PpoStats;
    s.clipFraction = counted ? clipped / counted : 0;
    s.policyLoss = pl / updates;
    s.valueLoss = vl / updates;
    s.seconds.update = (Date.now() - t0) / 1000;
    s.tokens.trained = trained;
    return s;
  }

  /** Frees the value head and the optimizer state (the models belong to the caller). */
  dispose(): void {
    this.optimizer.dispose();
    this.valueWeight.dispose();
    this.valueBias.dispose();
  }
}

/** One best-of-n sample per prompt: the completion the reward model scores highest among n. */
export interface BestOfN {
  prompt: number[];
  completion: number[];
  text: string;
  reward: number;
  gold: number;
}

/**
 * Best-of-n against a reward model: n completions per prompt from `policy` (KV-cache sampler, seeded), each
 * scored by the reward model, the best kept. Its KL to the policy is `bestOfNKl(n)` = log n − (n − 1)/n.
 */
export function bestOfN(
  policy: GPT,
  rewardModel: RewardModel,
  tok: Tokenizer,
  prompts: readonly number[][],
  n: number,
  options: { maxNewTokens?: number; temperature?: number; seed?: number } = {},
): BestOfN[] {
  if (!Number.isInteger(n) || n < 1) throw new Error(`bestOfN: n must be a positive integer, got ${n}`);
  const { maxNewTokens = 16, temperature = 1, seed = 0 } = options;
  const pad = tok.specialTokens["<|end|>"] ?? 0;
  return prompts.map((p, i) => {
    const raw = generateBatch(
      policy,
      Array.from({ length: n }, () => p),
      { maxNewTokens, temperature, seed: seed + i * n },
    );
    const cands = raw.map((r) => {
      const cut = cutCompletion(tok, r).ids;
      return cut.length > 0 ? cut : r.slice(0, 1);
    });
    const scores = rewardModel.scoreSequences(
      cands.map((c) => [...p, ...c]),
      pad,
    );
    let best = 0;
    for (let j = 1; j < n; j++) if (scores[j] > scores[best]) best = j;
    const text = completionText(tok, cands[best]);
    return { prompt: [...p], completion: cands[best], text, reward: scores[best], gold: goldReward(text) };
  });
}

/** Best-of-n at several n against several reward models: mean reward-model score and gold reward per (model, n). */
export interface BestOfNPoint {
  /** Index of the reward model in the list given. */
  model: number;
  n: number;
  /** KL to the sampling policy, log n − (n − 1)/n. */
  kl: number;
  /** Mean score (by that reward model) and mean gold reward of the chosen completions. */
  reward: number;
  gold: number;
}

/**
 * Best-of-n for every n in `ns` from ONE set of max(ns) samples per prompt (the first n of them compete), scored
 * by each reward model: the same samples for every n and every reward model, so the curves differ only in who
 * picks. Returns one point per (reward model, n).
 */
export function bestOfNSweep(
  policy: GPT,
  rewardModels: readonly RewardModel[],
  tok: Tokenizer,
  prompts: readonly number[][],
  ns: readonly number[],
  options: { maxNewTokens?: number; temperature?: number; seed?: number } = {},
): BestOfNPoint[] {
  const { maxNewTokens = 16, temperature = 1, seed = 0 } = options;
  if (ns.length === 0 || ns.some((n) => !Number.isInteger(n) || n < 1))
    throw new Error(`bestOfNSweep: ns must be positive integers, got [${ns}]`);
  const N = Math.max(...ns);
  const pad = tok.specialTokens["<|end|>"] ?? 0;
  const sums = rewardModels.map(() => ns.map(() => ({ reward: 0, gold: 0 })));
  prompts.forEach((p, i) => {
    const raw = generateBatch(
      policy,
      Array.from({ length: N }, () => p),
      { maxNewTokens, temperature, seed: seed + i * N },
    );
    const cands = raw.map((r) => {
      const cut = cutCompletion(tok, r).ids;
      return cut.length > 0 ? cut : r.slice(0, 1);
    });
    const gold = cands.map((c) => goldReward(completionText(tok, c)));
    rewardModels.forEach((rm, m) => {
      const scores = rm.scoreSequences(
        cands.map((c) => [...p, ...c]),
        pad,
      );
      ns.forEach((n, k) => {
        let best = 0;
        for (let j = 1; j < n; j++) if (scores[j] > scores[best]) best = j;
        sums[m][k].reward += scores[best];
        sums[m][k].gold += gold[best];
      });
    });
  });
  return rewardModels.flatMap((_, m) =>
    ns.map((n, k) => ({
      model: m,
      n,
      kl: bestOfNKl(n),
      reward: sums[m][k].reward / prompts.length,
      gold: sums[m][k].gold / prompts.length,
    })),
  );
}
