/**
 * Chapter 03 solutions. The library's teaching functions are the answers (one implementation per algorithm):
 * `softmax` and `causalSelfAttention` in src/model/layers.ts, `paramCount` in src/model/config.ts.
 */
export { softmax, causalSelfAttention, causalMask } from "../src/model/layers";
export { paramCount, type GPTConfig } from "../src/model/config";
