/**
 * The bigram model again, now as a (tiny) neural network trained by gradient descent in tfjs. The parameters are
 * one logits table W [V, V]; a context token x is fed in as a one-hot row, so
 *   logits = onehot(x) @ W   [N, V]     (= row x of W)
 *   P(· | x) = softmax(logits)
 * and the loss is the mean cross-entropy with the true next tokens — exactly the NLL of the count model. Its
 * minimum is the maximum likelihood estimate, so training reaches the count model's NLL. With an L2 penalty
 * λ·mean(W²) the rows are pulled towards W = 0, i.e. the uniform distribution: the neural version of smoothing.
 *
 * The one-hot matmul (instead of `tf.gather(W, x)`) keeps the gradient a plain matMul, which every backend has
 * (the gradient of gather needs UnsortedSegmentSum, missing on WASM); with V = 27 the one-hot inputs are small.
 */
import * as tf from "@tensorflow/tfjs-core";
// tfjs-core alone registers no gradients (the "@tensorflow/tfjs" bundle does); training needs them.
import "../backend/gradients";
import type { Matrix } from "./bigram";
import { Rng } from "../random";
import { Vocab } from "./vocab";

/** Every (previous, next) token pair of the words, boundaries included: inputs `xs` [N], targets `ys` [N]. */
export function bigramPairs(words: readonly string[], vocab: Vocab): { xs: Int32Array; ys: Int32Array } {
  const xs: number[] = [];
  const ys: number[] = [];
  for (const w of words) {
    const ids = vocab.encode(w);
    for (let t = 1; t < ids.length; t++) {
      xs.push(ids[t - 1]);
      ys.push(ids[t]);
    }
  }
  return { xs: Int32Array.from(xs), ys: Int32Array.from(ys) };
}

export interface NeuralBigramOptions {
  /** Gradient steps, each on the full set of pairs (default 200). */
  steps?: number;
  /** "adam" (default) or plain gradient descent "sgd". */
  optimizer?: "adam" | "sgd";
  /** Step size (default 0.3 for Adam, 50 for SGD — the mean loss has small gradients per logit). */
  learningRate?: number;
  /** L2 penalty λ: the loss is NLL + λ·mean(W²) (default 0). */
  l2?: number;
  /** Seed of the initial W ~ N(0, initStd²) (default 0). */
  seed?: number;
  /** Standard deviation of the initial logits (default 0.1: close to uniform, like a smoothed count model). */
  initStd?: number;
  /**
   * Called after every step with the step number (1-based) and the training loss. It may return a promise
   * (e.g. to `await plot.nextFrame()` so a live chart redraws); training waits for it.
   */
  onStep?: (step: number, loss: number) => void | Promise<void>;
}

export interface NeuralBigramResult {
  /** The trained logits table W [V, V]. */
  weights: Matrix;
  /** softmax of each row of W [V, V]: the model as a probability table, comparable with `bigramProbs`. */
  probs: Matrix;
  /** Training loss after each step (NLL + L2 term), length `steps`. */
  losses: number[];
}

/** Row-wise softmax of a plain matrix (numerically stable), used to read out the trained model. */
export function softmaxRows(logits: Matrix): Matrix {
  return logits.map((row) => {
    const m = Math.max(...row);
    const e = row.map((v) => Math.exp(v - m));
    const s = e.reduce((a, b) => a + b, 0);
    return e.map((v) => v / s);
  });
}

/**
 * Trains the neural bigram on all pairs of `words` (full batch). Deterministic for a seed: W is initialised from
 * `Rng`, the data are used in order. All tensors are disposed on return; `tf.memory().numTensors` stays flat
 * across steps (Adam adds its moment variables once, on the first step).
 */
export async function trainNeuralBigram(
  words: readonly string[],
  vocab: Vocab,
  options: NeuralBigramOptions = {},
): Promise<NeuralBigramResult> {
  const opt = options.optimizer ?? "adam";
  if (opt !== "adam" && opt !== "sgd")
    throw new Error(`trainNeuralBigram: optimizer must be "adam" or "sgd", got ${opt}`);
  const steps = options.steps ?? 200;
  const lr = options.learningRate ?? (opt === "adam" ? 0.3 : 50);
  const l2 = options.l2 ?? 0;
  const initStd = options.initStd ?? 0.1;
  if (!Number.isInteger(steps) || steps < 0)
    throw new Error(`trainNeuralBigram: steps must be an integer ≥ 0, got ${steps}`);
  if (!(lr > 0)) throw new Error(`trainNeuralBigram: learningRate must be > 0, got ${lr}`);
  if (!(l2 >= 0)) throw new Error(`trainNeuralBigram: l2 must be ≥ 0, got ${l2}`);
  if (words.length === 0) throw new Error("trainNeuralBigram: no words to train on");

  const V = vocab.size;
  const { xs, ys } = bigramPairs(words, vocab);
  const rng = new Rng(options.seed ?? 0);
  const init = Float32Array.from({ length: V * V }, () => rng.normal(0, initStd));

  // Constants for the whole run: one-hot inputs [N, V] and targets [N, V].
  const xOneHot = tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(xs, "int32"), V), "float32"));
  const yOneHot = tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(ys, "int32"), V), "float32"));
  const W = tf.tidy(() => tf.variable(tf.tensor2d(init, [V, V]), true)); // [V, V]
  const optimizer = opt === "adam" ? tf.train.adam(lr) : tf.train.sgd(lr);

  const lossFn = (): tf.Scalar =>
    tf.tidy((): tf.Scalar => {
      const logits = tf.matMul(xOneHot, W); // [N, V]
      const logp = tf.logSoftmax(logits); // [N, V]
      const nllLoss = tf.neg(tf.mean(tf.sum(tf.mul(yOneHot, logp), 1))) as tf.Scalar; // scalar
      return l2 > 0 ? tf.add<tf.Scalar>(nllLoss, tf.mul(l2, tf.mean(tf.square(W)))) : nllLoss;
    });

  const losses: number[] = [];
  try {
    for (let step = 1; step <= steps; step++) {
      // minimize = tf.variableGrads(lossFn) (backpropagation through the recorded ops) + the optimizer's update.
      const lossT = optimizer.minimize(lossFn, true, [W]);
      if (!lossT) throw new Error("trainNeuralBigram: optimizer returned no loss");
      const loss = (await lossT.data())[0];
      lossT.dispose();
      losses.push(loss);
      if (options.onStep) await options.onStep(step, loss);
    }
    const weights = (await W.array()) as Matrix;
    return { weights, probs: softmaxRows(weights), losses };
  } finally {
    optimizer.dispose();
    W.dispose();
    xOneHot.dispose();
    yOneHot.dispose();
  }
}
