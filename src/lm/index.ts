/**
 * Chapter 01, autoregressive language models on first names (loaded by `corpora.firstNames`): a character vocabulary, the count
 * bigram model, the chain rule / NLL / perplexity, sampling, and the neural bigram trained in tfjs.
 */
export { BOUNDARY, Vocab } from "./vocab";
export { bigramCounts, bigramProbs, uniformProbs, zeros } from "./bigram";
export type { Matrix } from "./bigram";
export { checkProbs, logProbWord, nll, perplexity } from "./nll";
export { sampleNames } from "./sample";
export { bigramPairs, softmaxRows, trainNeuralBigram } from "./neural";
export type { NeuralBigramOptions, NeuralBigramResult } from "./neural";
