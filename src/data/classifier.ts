/**
 * A small learned quality classifier: logistic regression on hashed word n-grams ("the hashing trick",
 * Weinberger et al., 2009), trained with seeded SGD. Like the classifiers GPT-3 and others used to keep
 * "reference-like" pages, it scores P(good | text); here "good" is clean prose and "bad" spam or junk.
 */
import { Rng } from "../random";
import { hashString32 } from "./hash";
import { bareWords } from "./text";
import type { DataDoc, Stage } from "./stream";

/** A sparse feature vector: indices into the weight vector and their values. */
export interface SparseVector {
  index: Int32Array;
  value: Float32Array;
}

export interface ClassifierOptions {
  /** log2 of the number of hashed features (default 18 → 262,144 weights). */
  bits?: number;
  /** Word n-gram orders used as features (default [1, 2]). */
  ngrams?: number[];
  /** Passes over the training set (default 10). */
  epochs?: number;
  /**
   * Weigh each class's loss by n / (2 · n_class) ("balanced", the default), so a rare class (here the bad
   * pages) counts as much as the common one; "none" weighs every example 1.
   */
  classWeight?: "balanced" | "none";
  /** Initial learning rate (default 2), decayed as lr / (1 + step / examples). */
  learningRate?: number;
  /** L2 penalty per step (default 1e-6). */
  l2?: number;
  seed?: number;
}

/** Hashed bag of n-grams, counts log-scaled and L2-normalised, plus a bias feature at index 0. */
export function hashedFeatures(text: string, bits = 18, ngrams: readonly number[] = [1, 2]): SparseVector {
  const mask = (1 << bits) - 1;
  const counts = new Map<number, number>();
  const w = bareWords(text);
  for (const n of ngrams) {
    for (let i = 0; i + n <= w.length; i++) {
      const f = 1 + ((hashString32(w.slice(i, i + n).join(" "), n) & mask) % mask);
      counts.set(f, (counts.get(f) ?? 0) + 1);
    }
  }
  const index = new Int32Array(counts.size + 1);
  const value = new Float32Array(counts.size + 1);
  let norm = 0;
  let k = 1;
  for (const [f, c] of counts) {
    index[k] = f;
    value[k] = 1 + Math.log(c);
    norm += value[k] * value[k];
    k++;
  }
  norm = Math.sqrt(norm) || 1;
  for (let i = 1; i < value.length; i++) value[i] /= norm;
  index[0] = 0;
  value[0] = 1;
  return { index, value };
}

const sigmoid = (z: number): number => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));

/** Logistic regression on hashed n-grams. */
export class QualityClassifier {
  readonly bits: number;
  readonly ngrams: number[];
  private readonly weights: Float32Array;

  constructor(options: ClassifierOptions = {}) {
    this.bits = options.bits ?? 18;
    this.ngrams = options.ngrams ?? [1, 2];
    if (!Number.isInteger(this.bits) || this.bits < 4 || this.bits > 24) {
      throw new Error(`QualityClassifier: bits must be an integer in [4, 24], got ${this.bits}`);
    }
    this.weights = new Float32Array(1 << this.bits);
  }

  /** Trains on texts with labels (1 = good, 0 = bad); returns the mean (class-weighted) log-loss of each epoch. */
  fit(texts: readonly string[], labels: readonly number[], options: ClassifierOptions = {}): number[] {
    if (texts.length !== labels.length || texts.length === 0) {
      throw new Error(
        `QualityClassifier.fit: need as many labels as texts (${texts.length} vs ${labels.length})`,
      );
    }
    if (labels.some((y) => y !== 0 && y !== 1))
      throw new Error("QualityClassifier.fit: labels must be 0 or 1");
    const epochs = options.epochs ?? 10;
    const lr0 = options.learningRate ?? 2;
    const positives = labels.filter((y) => y === 1).length;
    const balanced =
      (options.classWeight ?? "balanced") === "balanced" && positives > 0 && positives < labels.length;
    const weightOf = [
      balanced ? labels.length / (2 * (labels.length - positives)) : 1,
      balanced ? labels.length / (2 * positives) : 1,
    ];
    const l2 = options.l2 ?? 1e-6;
    const rng = new Rng(options.seed ?? 0);
    const feats = texts.map((t) => hashedFeatures(t, this.bits, this.ngrams));
    const order = texts.map((_, i) => i);
    const losses: number[] = [];
    let step = 0;
    for (let e = 0; e < epochs; e++) {
      rng.shuffle(order);
      let loss = 0;
      for (const i of order) {
        const x = feats[i];
        const p = this.probabilityOf(x);
        const y = labels[i];
        loss -= weightOf[y] * (y === 1 ? Math.log(Math.max(p, 1e-12)) : Math.log(Math.max(1 - p, 1e-12)));
        const lr = lr0 / (1 + step / texts.length);
        const g = (p - y) * weightOf[y];
        for (let k = 0; k < x.index.length; k++) {
          const f = x.index[k];
          this.weights[f] -= lr * (g * x.value[k] + l2 * this.weights[f]);
        }
        step++;
      }
      losses.push(loss / texts.length);
    }
    return losses;
  }

  private probabilityOf(x: SparseVector): number {
    let z = 0;
    for (let k = 0; k < x.index.length; k++) z += this.weights[x.index[k]] * x.value[k];
    return sigmoid(z);
  }

  /** P(good | text). */
  score(text: string): number {
    return this.probabilityOf(hashedFeatures(text, this.bits, this.ngrams));
  }
}

/** Confusion counts and precision/recall of boolean predictions against the truth (positive = true). */
export interface PrecisionRecall {
  tp: number;
  fp: number;
  fn: number;
  tn: number;
  precision: number;
  recall: number;
  f1: number;
}

/** Precision tp/(tp+fp), recall tp/(tp+fn) and F1; a ratio with a zero denominator is reported as 1. */
export function precisionRecall(predicted: readonly boolean[], actual: readonly boolean[]): PrecisionRecall {
  if (predicted.length !== actual.length) {
    throw new Error(`precisionRecall: ${predicted.length} predictions for ${actual.length} labels`);
  }
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let tn = 0;
  for (let i = 0; i < predicted.length; i++) {
    if (predicted[i] && actual[i]) tp++;
    else if (predicted[i]) fp++;
    else if (actual[i]) fn++;
    else tn++;
  }
  const precision = tp + fp === 0 ? 1 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 1 : tp / (tp + fn);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { tp, fp, fn, tn, precision, recall, f1 };
}

/** A pipeline stage dropping documents the classifier scores below `threshold` (reason `classifier`). */
export function classifierStage<D extends DataDoc = DataDoc>(
  model: QualityClassifier,
  threshold = 0.5,
): Stage<D> {
  return {
    name: "classifier",
    apply(doc) {
      const p = model.score(doc.text);
      return p >= threshold
        ? { keep: true, doc }
        : { keep: false, reason: "classifier", detail: p.toFixed(3) };
    },
  };
}
