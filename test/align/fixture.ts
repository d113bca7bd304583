/** A byte-level tokenizer (256 single-byte tokens, no merges) with the chat tokens at ids 256–259: ids are bytes. */
import { withChatTokens } from "../../src/align/template";
import { Tokenizer } from "../../src/tokenizer";
import { GPT2_STYLE, GPTConfig } from "../../src/model";

export function byteChatTokenizer(): Tokenizer {
  const vocab = Array.from({ length: 256 }, (_, b) => Uint8Array.of(b));
  return withChatTokens(new Tokenizer({ vocab, name: "bytes" }));
}

/** Chat token ids of `byteChatTokenizer`. */
export const SYSTEM = 256;
export const USER = 257;
export const ASSISTANT = 258;
export const END = 259;

/** The one-layer, 16-wide GPT-2-style model the align tests train and score: only the vocabulary and context vary. */
export function tinyConfig(vocabSize: number, contextLength: number): GPTConfig {
  return {
    vocabSize,
    contextLength,
    dModel: 16,
    nLayers: 1,
    nHeads: 2,
    dMlp: 32,
    ...GPT2_STYLE,
  };
}
