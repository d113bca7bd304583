/**
 * Chapter 04 solutions. The library's training functions are the answers (one implementation per algorithm):
 * `crossEntropy` in src/train/loss.ts, `adamwUpdate` in src/train/adamw.ts, `warmupCosine` in
 * src/train/schedule.ts and `clipByGlobalNorm` in src/train/clip.ts — the functions `train.trainLoop` runs.
 */
export { crossEntropy, type CrossEntropyOptions } from "../src/train/loss";
export { adamwUpdate, type AdamWHyper, type AdamWSlot } from "../src/train/adamw";
export { warmupCosine, type Schedule, type ScheduleOptions } from "../src/train/schedule";
export { clipByGlobalNorm } from "../src/train/clip";
