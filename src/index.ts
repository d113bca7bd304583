/**
 * llm-ts: the library behind "Building LLMs in TypeScript". Each namespace is one layer of the course.
 * Notebooks and scripts import it by package name: `import { backend, random } from "llm-ts"`.
 */
export * as backend from "./backend";
export * as random from "./random";
export * as corpora from "./corpora";
export * as plot from "./plot";
export * as tokenizer from "./tokenizer";
export * as lm from "./lm";
export * as model from "./model";
export * as train from "./train";
export * as data from "./data";
export * as scaling from "./scaling";
export * as infer from "./infer";
export * as align from "./align";
export * as evals from "./eval"; // `eval` cannot name an import binding in strict mode
export * as models from "./models";
export * as course from "./course";
export { NotImplemented, isNotImplemented } from "./errors";
