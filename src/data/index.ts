/**
 * Chapter 05, data: from a messy crawl to a clean, deduplicated, filtered training set.
 *
 * - `generateCrawl`: a seeded synthetic crawl of real text in HTML, with ground truth per page (Node only).
 * - `extract`: HTML → main text (htmlparser2 + boilerplate heuristics), `normalizeText`.
 * - `qualityReport` / `qualityStage` / `c4Clean`: Gopher- and C4-style rules, each naming why it dropped a page.
 * - `QualityClassifier`: logistic regression on hashed n-grams, `precisionRecall`.
 * - `ExactDeduper`, `shingles`, `jaccard`, `MinHasher`, `LshIndex`, `lshProbability`, `nearDuplicatePairs`,
 *   `exactSimilarPairs`: exact and near deduplication.
 * - `sampleMixture`, `tokensPerDomain`: mixtures by domain weight.
 * - `Pipeline`: every stage streams document by document and reports what it removed.
 */
export * from "./text";
export * from "./hash";
export * from "./extract";
export * from "./quality";
export * from "./classifier";
export * from "./minhash";
export * from "./lsh";
export * from "./dedup";
export * from "./mixture";
export * from "./stream";
export * from "./crawl";
export * from "./report";
export { proseDocuments, type Passage, type ParagraphList } from "./corpora";
