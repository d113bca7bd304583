/**
 * Chapter 12 solutions. The library's functions are the answers (one implementation per algorithm):
 * src/infer/quantize.ts, src/model/sampling.ts (the one sampler), src/infer/speculative.ts and src/infer/cache.ts.
 */
export {
  quantizeAbsmaxInt8,
  dequantizeAbsmaxInt8,
  quantizeGroupwise,
  dequantizeGroupwise,
} from "../src/infer/quantize";
export { topPFilter } from "../src/model/sampling";
export { speculativeStep } from "../src/infer/speculative";
export { kvCacheBytes } from "../src/infer/cache";
