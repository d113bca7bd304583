/**
 * Chapter 11 exercises: the pieces of a mixture-of-experts layer — top-k routing with its gates, Switch's
 * load-balancing loss, ST-MoE's router z-loss, capacity assignment, and combining the experts' outputs.
 *
 * Write your answers here, replacing each `throw new NotImplemented(...)`. Grade them with
 * `npm run grade -- 11` (or the last cell of notebooks/11-moe.ipynb). In the student release the library's
 * `model.routeTopK`, `model.balanceLoss`, `model.zLoss`, `model.assignCapacity` and `model.combineExperts`
 * are these functions, so the MoE model of the notebook runs on your code.
 *
 * Tensors: `@tensorflow/tfjs-core` ops; wrap intermediate work in `tf.tidy`. The model trains on the WASM
 * backend, where `tf.gather` has no gradient: to pick rows and keep the gradient, use `backend.gatherRows`
 * (and `backend.scatterAddRows` to add rows into place), or multiply by a 0/1 mask.
 */
import * as tf from "@tensorflow/tfjs-core";
import { NotImplemented } from "../src/errors";
import type { RouterOrder } from "../src/model/config";
import type { CapacityPlan, Routing } from "../src/model/moe";

/**
 * Task 11.topK — top-k routing with its gates.
 *
 * `logits: [N, E]` (router scores of N tokens for E experts). Return
 * - `experts`: for each token its k experts, largest logit first; equal logits in expert order (0 before 1);
 * - `probs: [N, E]`: softmax of the logits over all E experts;
 * - `gates: [N, E]`: zero except at the token's k experts, where
 *   - `"softmax-topk"` (Switch, GShard): the gate is the expert's probability in `probs`;
 *   - `"topk-softmax"` (Mixtral): the gates are a softmax over the k chosen logits only (they sum to 1).
 * The choice is discrete (read the logits back with `dataSync`); the gates must be a differentiable function
 * of the logits, with a gradient on every backend. Trap: with k = 1, "topk-softmax" gives gate 1.
 */
export function routeTopK(logits: tf.Tensor2D, k: number, order: RouterOrder): Routing {
  void logits;
  void k;
  void order;
  throw new NotImplemented(
    "11.topK",
    "choose in JavaScript, then express the gates with tensor ops: a 0/1 mask of the chosen experts, and for the Mixtral order a softmax in which the others cannot win",
  );
}

/**
 * Task 11.balance — Switch Transformer's load-balancing loss, E · Σᵢ fᵢ · Pᵢ.
 *
 * `probs: [N, E]` router probabilities; `experts`: each token's k chosen experts. fᵢ = the fraction of the
 * N·k assignments that chose expert i (plain numbers, no gradient); Pᵢ = the mean of column i of `probs`
 * (a tensor: the gradient flows through it). Return the scalar without any coefficient: 1 for a uniform
 * router, E/k when all tokens pick the same k experts with probability 1/k each.
 */
export function balanceLoss(probs: tf.Tensor2D, experts: number[][]): tf.Scalar {
  void probs;
  void experts;
  throw new NotImplemented(
    "11.balance",
    "count the assignments per expert into a constant vector f, take the column means of probs, and mind the factor E",
  );
}

/**
 * Task 11.zLoss — ST-MoE's router z-loss, mean over tokens of (log Σⱼ exp(zⱼ))².
 *
 * `logits: [N, E]` → a scalar (no coefficient). It must stay finite for logits near 100 (use a stable
 * log-sum-exp). All-zero logits over 4 experts give (ln 4)².
 */
export function zLoss(logits: tf.Tensor2D): tf.Scalar {
  void logits;
  throw new NotImplemented("11.zLoss", "a stable log-sum-exp per row, squared, averaged over the rows");
}

/**
 * Task 11.capacity — which assignments each expert keeps when it takes at most `capacity` tokens.
 *
 * `experts: [N][k]` each token's choices (best first), `numExperts` E, `capacity` C (Infinity: no limit).
 * Admit in this order: every token's first choice (tokens 0…N−1), then every second choice, and so on; an
 * assignment whose expert already holds C tokens is dropped. Return, per expert, the admitted `tokens` and
 * the rank of each one's choice (`choices`, 0 = first), both in admission order, and the `dropped` count.
 */
export function assignCapacity(experts: number[][], numExperts: number, capacity: number): CapacityPlan {
  void experts;
  void numExperts;
  void capacity;
  throw new NotImplemented(
    "11.capacity",
    "loop over the choice rank on the outside and the tokens inside, with a running count per expert",
  );
}

/**
 * Task 11.combine — the MoE output of each token: y[t] = Σₑ gates[t, e] · (expert e's output row for t).
 *
 * `outputs[e]: [tokens[e].length, d]` holds expert e's outputs for its tokens `tokens[e]` in that order (an
 * expert with no tokens may be `undefined` or `[0, d]`); `gates: [N, E]`; `numTokens` N. Return `[N, d]`,
 * zero for a token no expert computed. Differentiable with respect to `outputs` and `gates` on every backend.
 */
export function combineExperts(
  outputs: tf.Tensor2D[],
  tokens: number[][],
  gates: tf.Tensor2D,
  numTokens: number,
): tf.Tensor2D {
  void outputs;
  void tokens;
  void gates;
  void numTokens;
  throw new NotImplemented(
    "11.combine",
    "stack the outputs, pick each row's gate from the flattened gates, weight, and add the rows into their tokens' places",
  );
}
