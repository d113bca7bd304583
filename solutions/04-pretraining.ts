/**
 * Chapter 04 solutions. The library's plain-JS teaching versions are the answers (src/train/reference.ts,
 * src/train/schedule.ts); the tensor versions used in training are tested to agree with them.
 */
export { crossEntropyRows, adamwStep, clipGradNorm } from "../src/train/reference";
export { warmupCosine } from "../src/train/schedule";
