/**
 * Chapter 12: efficient inference — the KV cache's cost and memory, samplers as exact distributions,
 * quantization (int8, group-wise int4/int3 by round-to-nearest and GPTQ, LLM.int8's outlier split) with a
 * model that really holds its weights quantized, and speculative decoding.
 */
export * from "./cache";
export * from "./sampling";
export * from "./quantize";
export * from "./qmodel";
export * from "./speculative";
export * from "./export";
