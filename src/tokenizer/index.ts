/**
 * Tokenization: byte-level BPE, from the teaching functions (`pairCounts`, `merge`, `train`, `encode`,
 * `decode`) to a fast, tiktoken-compatible library (`BpeTrainer`, `Tokenizer`, `loadGpt2`, save/load).
 *
 * ```ts
 * const model = trainBpe(text, { vocabSize: 4096, pattern: "gpt2", specialTokens: ["<|endoftext|>"] });
 * const tok = Tokenizer.fromModel(model);
 * tok.decode(tok.encode("Call me Ishmael.")); // "Call me Ishmael."
 * loadGpt2().encode("hello world"); // [31373, 995], as tiktoken
 * ```
 */
export * from "./bytes";
export * from "./patterns";
export * from "./basics";
export * from "./special";
export * from "./trainer";
export * from "./tokenizer";
export * from "./io";
export { scanGpt2 } from "./scan";
