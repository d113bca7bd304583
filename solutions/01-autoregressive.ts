/**
 * Chapter 01 solutions. The library (src/lm) is the teaching version, so the solutions are its functions:
 * one implementation per algorithm. Read them in src/lm/bigram.ts, src/lm/nll.ts and src/lm/sample.ts.
 */
export { bigramCounts } from "../src/lm/bigram";
export { logProbWord, nll, perplexity } from "../src/lm/nll";
export { sampleNames } from "../src/lm/sample";
