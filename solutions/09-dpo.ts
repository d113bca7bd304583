/**
 * Chapter 09 solutions. The library's teaching versions are the answers (src/align): the release replaces them
 * with re-exports of the learner's exercise file.
 */
export { sequenceLogProbs } from "../src/align/logprobs";
export { dpoLoss, implicitReward } from "../src/align/dpo";
