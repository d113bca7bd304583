/**
 * Chapter 07 solutions. The library's teaching versions are the answers (src/align): the release replaces them
 * with re-exports of the learner's exercise file.
 */
export { renderChat } from "../src/align/template";
export { maskedMeanCrossEntropy } from "../src/align/loss";
export { appendMeanRows } from "../src/align/vocab";
export { wilson } from "../src/align/evaluate";
