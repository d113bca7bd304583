/**
 * Chat responses: render the conversation with the generation prompt (`… <|assistant|>`), generate with the KV
 * cache until `<|end|>` or a token limit, decode.
 */
import { GPT, generate } from "../model";
import { Tokenizer } from "../tokenizer";
import { Message, chatPrompt, chatTokenId } from "./template";

export interface RespondOptions {
  /** Most tokens to write (default 16). */
  maxNewTokens?: number;
  /** 0 (default) is greedy decoding. */
  temperature?: number;
  topK?: number;
  seed?: number;
}

export interface Response {
  text: string;
  /** The generated ids (including the final `<|end|>` when it was written). */
  ids: number[];
  /** True when the model closed its message with `<|end|>` within the limit. */
  finished: boolean;
}

/** The model's answer to `messages` (the last one is normally the user's). */
export function respond(
  model: GPT,
  tok: Tokenizer,
  messages: readonly Message[],
  options: RespondOptions = {},
): Response {
  const { maxNewTokens = 16, temperature = 0, topK, seed = 0 } = options;
  const end = chatTokenId(tok, "end");
  const prompt = chatPrompt(tok, messages);
  if (prompt.length + maxNewTokens > model.config.contextLength) {
    throw new Error(
      `respond: the prompt is ${prompt.length} tokens and ${maxNewTokens} new ones would exceed the context ` +
        `of ${model.config.contextLength}; shorten the conversation or lower maxNewTokens`,
    );
  }
  if (tok.vocabSize > model.config.vocabSize) {
    throw new Error(
      `respond: the tokenizer has ${tok.vocabSize} ids but the model only ${model.config.vocabSize}; ` +
        "extend the model's vocabulary (align.extendVocabulary) first",
    );
  }
  const ids = generate(model, prompt, { maxNewTokens, temperature, topK, seed, stopToken: end });
  const finished = ids[ids.length - 1] === end;
  const body = finished ? ids.slice(0, -1) : ids;
  // Other special tokens the model may write are shown by name.
  return { text: tok.decode(body), ids, finished };
}
