/**
 * Chapter 04: pretraining. Cross-entropy and perplexity, AdamW, the warmup + cosine schedule, gradient
 * clipping, batches from a token stream, safetensors checkpoints and the training loop.
 */
export * from "./loss";
export * from "./schedule";
export * from "./clip";
export * from "./adamw";
export * from "./batches";
export * from "./safetensors";
export * from "./checkpoint";
export * from "./loop";
export * from "./step";
export * from "./parallel";
export * from "./precision";
