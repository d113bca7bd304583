/**
 * Chapters 07–09: supervised fine-tuning, then learning from preferences.
 *
 * Chapter 07: The chat template with its loss mask, growing a vocabulary by the chat
 * tokens, padded and masked batches, SFT on the chapter-04 loop, chat responses with the KV cache, instruction
 * data with checkable answers, and task accuracy with Wilson intervals.
 * Chapter 08: sequence log-probs and KL estimators (`logprobs`), the preference set labelled by a
 * Bradley–Terry model of a gold sentiment reward (`preferences`), reward models and PPO.
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
export * from "./logprobs";
export * from "./preferences";
export * from "./dpo";
export * from "./frontier";
