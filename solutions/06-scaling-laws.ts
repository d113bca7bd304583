/**
 * Chapter 06 solutions. The library's versions are the answers (src/scaling/powerlaw.ts, huber.ts,
 * chinchilla.ts, isoflop.ts); the fits of the chapter are built on them.
 */
export { logLogFit } from "../src/scaling/powerlaw";
export { huber, huberGrad } from "../src/scaling/huber";
export { chinchillaLoss, computeOptimal } from "../src/scaling/chinchilla";
export { parabolaMinimum } from "../src/scaling/isoflop";
