/**
 * Plain-JavaScript versions of the pretraining maths, on arrays of numbers (float64): the teaching versions
 * of chapter 04's exercises, and the references the tensor code (`crossEntropy`, `AdamW`,
 * `clipByGlobalNorm`) is checked against. Small and slow on purpose: every step is visible.
 */

// @answer 04.crossEntropy
/**
 * Mean cross-entropy (nats) of `logits: [n][V]` against `targets: [n]`, skipping positions whose target is
 * `ignoreIndex` (default −100), with label smoothing ε (default 0): per kept position,
 * loss = −Σᵥ wᵥ·log softmax(z)ᵥ with w = (1−ε)·onehot(target) + ε/V, and log softmax(z)ᵥ = zᵥ − m − log Σⱼ exp(zⱼ − m),
 * m = max z (stable for huge logits). NaN when every position is ignored.
 */
export function crossEntropyRows(
  logits: number[][],
  targets: number[],
  options: { ignoreIndex?: number; labelSmoothing?: number } = {},
): number {
  const { ignoreIndex = -100, labelSmoothing = 0 } = options;
  if (logits.length !== targets.length) {
    throw new Error(`crossEntropyRows: ${logits.length} rows of logits but ${targets.length} targets`);
  }
  let total = 0;
  let count = 0;
  logits.forEach((z, i) => {
    const t = targets[i];
    if (t === ignoreIndex) return;
    const V = z.length;
    if (!(Number.isInteger(t) && t >= 0 && t < V))
      throw new Error(`crossEntropyRows: target ${t} at row ${i} is outside [0, ${V})`);
    const m = Math.max(...z);
    let s = 0;
    for (const x of z) s += Math.exp(x - m);
    const logZ = m + Math.log(s);
    let loss = 0;
    for (let v = 0; v < V; v++) {
      const w = (v === t ? 1 - labelSmoothing : 0) + labelSmoothing / V;
      if (w !== 0) loss -= w * (z[v] - logZ);
    }
    total += loss;
    count++;
  });
  return total / count;
}
// @end-answer

export interface AdamWHyper {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
}

export interface AdamWSlot {
  param: number[];
  m: number[];
  v: number[];
  /** Updates done before this one (t − 1). */
  step: number;
}

// @answer 04.adamw
/**
 * One AdamW update of one parameter (PyTorch's order), returning new arrays; `step` is the count before it:
 * t = step + 1; p ← p·(1 − lr·λ); m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²;
 * p ← p − lr·(m/(1−β₁ᵗ)) / (√(v/(1−β₂ᵗ)) + ε). Pass weightDecay 0 for the no-decay group.
 */
export function adamwStep(slot: AdamWSlot, grad: number[], h: AdamWHyper): AdamWSlot {
  const n = slot.param.length;
  if (grad.length !== n || slot.m.length !== n || slot.v.length !== n) {
    throw new Error(`adamwStep: param, grad, m and v must have the same length (${n})`);
  }
  const t = slot.step + 1;
  const bc1 = 1 - Math.pow(h.beta1, t);
  const bc2 = 1 - Math.pow(h.beta2, t);
  const param = new Array<number>(n);
  const m = new Array<number>(n);
  const v = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const p = slot.param[i] * (1 - h.lr * h.weightDecay);
    m[i] = h.beta1 * slot.m[i] + (1 - h.beta1) * grad[i];
    v[i] = h.beta2 * slot.v[i] + (1 - h.beta2) * grad[i] * grad[i];
    param[i] = p - (h.lr * (m[i] / bc1)) / (Math.sqrt(v[i] / bc2) + h.eps);
  }
  return { param, m, v, step: t };
}
// @end-answer

// @answer 04.clip
/**
 * Global-norm clipping of several gradient arrays: norm = √(Σ over all arrays Σ g²); if norm > maxNorm every
 * entry is multiplied by maxNorm / (norm + 1e−6) (PyTorch's `clip_grad_norm_`), else returned unchanged
 * (as copies). Returns the clipped gradients and the norm before clipping.
 */
export function clipGradNorm(grads: number[][], maxNorm: number): { grads: number[][]; norm: number } {
  if (!(maxNorm > 0)) throw new Error(`clipGradNorm: maxNorm must be > 0, got ${maxNorm}`);
  let sq = 0;
  for (const g of grads) for (const x of g) sq += x * x;
  const norm = Math.sqrt(sq);
  const scale = norm > maxNorm ? maxNorm / (norm + 1e-6) : 1;
  return { grads: grads.map((g) => g.map((x) => x * scale)), norm };
}
// @end-answer
