/**
 * AdamW (Loshchilov & Hutter 2019): Adam with weight decay decoupled from the gradient, as PyTorch's
 * `torch.optim.AdamW`. For step t = 1, 2, … and each parameter p with gradient g:
 *
 *   p ← p − lr·λ·p                              (decay; skipped for the no-decay group)
 *   m ← β₁·m + (1 − β₁)·g,   v ← β₂·v + (1 − β₂)·g²
 *   p ← p − lr · (m / (1 − β₁ᵗ)) / (√(v / (1 − β₂ᵗ)) + ε)
 *
 * `adamwUpdate` is that update for one parameter (a function of tensors); `AdamW` keeps m and v for every
 * parameter and applies it to each. The no-decay group holds, by default, every 1-D parameter (biases, norm gains) and the embedding tables
 * (`wte`, `wpe`); pass `noDecay` to choose differently.
 */
import * as tf from "@tensorflow/tfjs-core";

export interface AdamWOptions {
  beta1?: number;
  beta2?: number;
  eps?: number;
  /** λ, the decoupled weight decay. Default 0.1 (GPT-3, nanoGPT). */
  weightDecay?: number;
  /** True for parameters that must not decay. Default `defaultNoDecay`. */
  noDecay?: (name: string, shape: number[]) => boolean;
}

/** Biases, norm gains (anything 1-D) and the embedding tables do not decay. */
export function defaultNoDecay(name: string, shape: number[]): boolean {
  return shape.length < 2 || name === "wte.weight" || name === "wpe.weight";
}

/** The hyperparameters of one AdamW update (`weightDecay` 0 for the no-decay group). */
export interface AdamWHyper {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
}

/**
 * One parameter's AdamW state: the parameter, its first and second moments (all the same shape), and
 * `step`, the number of updates already done (0 before the first; the update uses t = step + 1).
 */
export interface AdamWSlot {
  param: tf.Tensor;
  m: tf.Tensor;
  v: tf.Tensor;
  step: number;
}

// @answer 04.adamw
/**
 * One AdamW update of one parameter, as `torch.optim.AdamW` does it: with t = slot.step + 1,
 * p ← p·(1 − lr·λ); m ← β₁m + (1 − β₁)g; v ← β₂v + (1 − β₂)g²; p ← p − lr·(m/(1 − β₁ᵗ)) / (√(v/(1 − β₂ᵗ)) + ε).
 * Returns new tensors `{ param, m, v, step: t }` (the caller disposes them) and leaves the inputs alone.
 */
export function adamwUpdate(slot: AdamWSlot, grad: tf.Tensor, h: AdamWHyper): AdamWSlot {
  const t = slot.step + 1;
  const bc1 = 1 - Math.pow(h.beta1, t);
  const bc2 = 1 - Math.pow(h.beta2, t);
  const next = tf.tidy(() => {
    const m = tf.add(tf.mul(slot.m, h.beta1), tf.mul(grad, 1 - h.beta1));
    const v = tf.add(tf.mul(slot.v, h.beta2), tf.mul(tf.square(grad), 1 - h.beta2));
    const decayed = h.weightDecay > 0 ? tf.mul(slot.param, 1 - h.lr * h.weightDecay) : slot.param;
    const denom = tf.add(tf.div(tf.sqrt(v), Math.sqrt(bc2)), h.eps);
    return { param: tf.sub(decayed, tf.mul(tf.div(m, denom), h.lr / bc1)), m, v };
  });
  return { ...next, step: t };
}
// @end-answer

/** The optimizer's state: step count and first/second moments by parameter name. */
export interface AdamWState {
  step: number;
  m: Map<string, tf.Tensor>;
  v: Map<string, tf.Tensor>;
}

export class AdamW {
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  private readonly noDecay: (name: string, shape: number[]) => boolean;
  private readonly params: Map<string, tf.Variable>;
  private readonly m = new Map<string, tf.Variable>();
  private readonly v = new Map<string, tf.Variable>();
  /** Updates done so far (t of the last update). */
  step = 0;

  constructor(params: Map<string, tf.Variable>, options: AdamWOptions = {}) {
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.95;
    this.eps = options.eps ?? 1e-8;
    this.weightDecay = options.weightDecay ?? 0.1;
    this.noDecay = options.noDecay ?? defaultNoDecay;
    for (const [k, b] of [
      ["beta1", this.beta1],
      ["beta2", this.beta2],
    ] as const) {
      if (!(b >= 0 && b < 1)) throw new Error(`AdamW: ${k} must be in [0, 1), got ${b}`);
    }
    if (!(this.eps > 0)) throw new Error(`AdamW: eps must be > 0, got ${this.eps}`);
    if (!(this.weightDecay >= 0)) throw new Error(`AdamW: weightDecay must be ≥ 0, got ${this.weightDecay}`);
    this.params = params;
    for (const [name, p] of params) {
      // Each variable keeps the zeros' data; the temporary tensors are freed so `dispose()` frees everything.
      tf.tidy(() => {
        this.m.set(name, tf.variable(tf.zerosLike(p), false));
        this.v.set(name, tf.variable(tf.zerosLike(p), false));
      });
    }
  }

  /** Whether `name` is in the decay group. */
  decays(name: string): boolean {
    const p = this.params.get(name);
    if (!p) throw new Error(`AdamW: no parameter "${name}"`);
    return !this.noDecay(name, p.shape);
  }

  /**
   * One update with learning rate `lr`; `grads` by parameter name (a missing gradient is an error: a
   * parameter that never receives gradient usually means a bug in the model).
   */
  apply(grads: Map<string, tf.Tensor>, lr: number): void {
    if (!(lr >= 0) || !Number.isFinite(lr))
      throw new Error(`AdamW: lr must be a finite number ≥ 0, got ${lr}`);
    const step = this.step;
    this.step++;
    tf.tidy(() => {
      for (const [name, p] of this.params) {
        const g = grads.get(name);
        if (!g) throw new Error(`AdamW: no gradient for "${name}"`);
        const m = this.m.get(name) as tf.Variable;
        const v = this.v.get(name) as tf.Variable;
        const weightDecay = this.decays(name) ? this.weightDecay : 0;
        const { beta1, beta2, eps } = this;
        const next = adamwUpdate({ param: p, m, v, step }, g, { lr, beta1, beta2, eps, weightDecay });
        p.assign(next.param);
        m.assign(next.m);
        v.assign(next.v);
      }
    });
  }

  /** A copy of the state (the caller disposes the tensors). */
  getState(): AdamWState {
    const copy = (src: Map<string, tf.Variable>) =>
      new Map([...src].map(([k, x]) => [k, tf.clone(x)] as [string, tf.Tensor]));
    return { step: this.step, m: copy(this.m), v: copy(this.v) };
  }

  /** Restores a state from `getState` or a checkpoint (tensors are copied, not kept). */
  setState(state: AdamWState): void {
    for (const [which, src, dst] of [
      ["m", state.m, this.m],
      ["v", state.v, this.v],
    ] as const) {
      for (const [name, x] of dst) {
        const s = src.get(name);
        if (!s) throw new Error(`AdamW.setState: missing ${which} for "${name}"`);
        if (s.shape.join(",") !== x.shape.join(","))
          throw new Error(
            `AdamW.setState: ${which} of "${name}" has shape [${s.shape}], expected [${x.shape}]`,
          );
        x.assign(s);
      }
    }
    if (!Number.isInteger(state.step) || state.step < 0)
      throw new Error(`AdamW.setState: bad step ${state.step}`);
    this.step = state.step;
  }

  dispose(): void {
    for (const x of [...this.m.values(), ...this.v.values()]) x.dispose();
    this.m.clear();
    this.v.clear();
  }
}
