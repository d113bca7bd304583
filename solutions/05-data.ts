/**
 * Chapter 05 solutions. The library (src/data) is the teaching version, so the solutions are its functions:
 * one implementation per algorithm. Read them in src/data/minhash.ts, src/data/lsh.ts and src/data/quality.ts.
 */
export { shingles, jaccard, MinHasher, minhashSimilarity } from "../src/data/minhash";
export { lshProbability } from "../src/data/lsh";
export { duplicateFraction, topNgramCharFraction } from "../src/data/quality";
