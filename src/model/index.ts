/**
 * Chapter 03: the transformer. A GPT configured by one typed object (`GPTConfig`), its building blocks,
 * parameter and FLOP counts, and generation with a KV cache. Chapter 11: the mixture-of-experts option (`moe.ts`).
 */
export * from "./config";
export * from "./layers";
export * from "./gpt";
export * from "./sampling";
export * from "./generate";
export * from "./moe";
