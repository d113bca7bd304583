/**
 * Chapter 08 solutions. The library's teaching versions are the answers (src/align/rlhf.ts): the release replaces
 * them with re-exports of the learner's exercise file.
 */
export { bradleyTerryLoss, gae, clippedSurrogate } from "../src/align/rlhf";
