/**
 * Chapter 03 solutions. The library's teaching functions are the answers (one implementation per algorithm):
 * `softmax` and `causalSelfAttention` in src/model/layers.ts, `paramCount` in src/model/config.ts.
 */
export { softmax, causalSelfAttention } from "../src/model/layers";
export { paramCount } from "../src/model/config";
