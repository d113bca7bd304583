/**
 * Chapter 10 solutions. The library's versions are the answers (src/eval/ratings.ts, bootstrap.ts, lm.ts,
 * judges.ts); the Arena leaderboard, the perplexity table and the judge agreement of the chapter are built on them.
 */
export { eloUpdate, btLogLikelihood, btMMStep } from "../src/eval/ratings";
export { percentileBootstrap } from "../src/eval/bootstrap";
export { bitsPerByte } from "../src/eval/lm";
export { cohenKappa } from "../src/eval/judges";
