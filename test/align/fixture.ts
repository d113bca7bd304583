/** A byte-level tokenizer (256 single-byte tokens, no merges) with the chat tokens at ids 256–259: ids are bytes. */
import { withChatTokens } from "../../src/align/template";
import { Tokenizer } from "../../src/tokenizer";
import { GPT2_STYLE, GPTConfig } from "../../src/model";
import type { PreferencePair } from "../../src/align/preferences";

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

/**
 * A preference pair of token ids whose chosen side is the gold-preferred one (gold 1 vs 0, label probability 1,
 * empty texts): the align tests build their toy preference sets from it; `extra` overrides any field.
 */
export function idPair(
  prompt: number[],
  chosen: number[],
  rejected: number[],
  extra: Partial<PreferencePair> = {},
): PreferencePair {
  return {
    passage: prompt.join(" "),
    prompt,
    chosen,
    rejected,
    chosenText: "",
    rejectedText: "",
    chosenGold: 1,
    rejectedGold: 0,
    probability: 1,
    agreesWithGold: true,
    ...extra,
  };
}
