/**
 * Chapter 07: supervised fine-tuning. The chat template with its loss mask, growing a vocabulary by the chat
 * tokens, padded and masked batches, SFT on the chapter-04 loop, chat responses with the KV cache, instruction
 * data with checkable answers, and task accuracy with Wilson intervals.
 */
export * from "./template";
export * from "./loss";
export * from "./vocab";
export * from "./batch";
export * from "./sft";
export * from "./chat";
export * from "./instructions";
export * from "./evaluate";
export * from "./sources";
