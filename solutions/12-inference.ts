/**
 * Chapter 12 solutions. The library's functions are the answers (one implementation per algorithm):
 * src/infer/quantize.ts, src/infer/sampling.ts, src/infer/speculative.ts and src/infer/cache.ts.
 */
export {
  quantizeAbsmaxInt8,
  dequantizeAbsmaxInt8,
  quantizeGroupwise,
  dequantizeGroupwise,
} from "../src/infer/quantize";
export { topPFilter } from "../src/infer/sampling";
export { speculativeStep } from "../src/infer/speculative";
export { kvCacheBytes } from "../src/infer/cache";
