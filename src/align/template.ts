/**
 * The chat template: a conversation as one token sequence with role markers, and the loss mask that says
 * which positions training learns to predict.
 *
 *   <|system|>You answer briefly.<|end|><|user|>Is Mary a female or a male name?<|end|><|assistant|>female<|end|>
 *
 * Each message is its role token, the message text as ordinary tokens, and `<|end|>`. The mask is 1 on the
 * assistant's text and its closing `<|end|>` (the model must learn to answer and to stop) and 0 everywhere else
 * (system and user text are given, not predicted; the `<|assistant|>` marker is part of the prompt a chat
 * front end writes before asking for an answer).
 */
import { Tokenizer } from "../tokenizer";

/** Who speaks a message. */
export type Role = "system" | "user" | "assistant";

export interface Message {
  role: Role;
  content: string;
}

/** The special tokens of the template, by role, plus the end-of-message marker. */
export const CHAT_TOKENS = {
  system: "<|system|>",
  user: "<|user|>",
  assistant: "<|assistant|>",
  end: "<|end|>",
} as const;

/** The four chat special tokens in the order they are added to a vocabulary. */
export const CHAT_SPECIALS: readonly string[] = [
  CHAT_TOKENS.system,
  CHAT_TOKENS.user,
  CHAT_TOKENS.assistant,
  CHAT_TOKENS.end,
];

const ROLES: readonly Role[] = ["system", "user", "assistant"];

/**
 * The tokenizer with the chat special tokens added after its last id (ordinary tokens and existing special
 * tokens keep their ids, so a model trained with `base` reads the same ids). Idempotent: a tokenizer that
 * already has them is returned as is.
 */
export function withChatTokens(base: Tokenizer): Tokenizer {
  const have = CHAT_SPECIALS.filter((t) => t in base.specialTokens);
  if (have.length === CHAT_SPECIALS.length) return base;
  if (have.length > 0)
    throw new Error(`withChatTokens: the tokenizer has only some chat tokens (${have.join(", ")})`);
  const specialTokens: Record<string, number> = { ...base.specialTokens };
  let next = base.vocabSize;
  for (const t of CHAT_SPECIALS) specialTokens[t] = next++;
  return new Tokenizer({
    vocab: base.vocabulary(),
    specialTokens,
    pattern: base.pattern,
    name: `${base.name}+chat`,
  });
}

/** The id of a chat special token; a clear error when the tokenizer lacks it. */
export function chatTokenId(tok: Tokenizer, token: keyof typeof CHAT_TOKENS): number {
  const id = tok.specialTokens[CHAT_TOKENS[token]];
  if (id === undefined) {
    throw new Error(
      `tokenizer "${tok.name}" has no ${CHAT_TOKENS[token]} token; add the chat tokens with align.withChatTokens(tokenizer)`,
    );
  }
  return id;
}

/** A rendered conversation: ids, the loss mask (1 = predict this token), and how many tokens were cut. */
export interface RenderedChat {
  ids: number[];
  /** `mask[i]` is 1 when token `ids[i]` is a training target (assistant text and its `<|end|>`), else 0. */
  mask: number[];
  /** Tokens removed from the end by `overflow: "truncate"` (0 when it fit). */
  truncated: number;
}

export interface RenderOptions {
  /** The longest allowed sequence (e.g. the model's contextLength + 1 for training pairs). */
  maxLength?: number;
  /**
   * What to do when the conversation is longer than `maxLength`: "error" (default) throws, "truncate" keeps the
   * first `maxLength` tokens and reports how many were cut in `truncated`.
   */
  overflow?: "error" | "truncate";
}

/** Checks one message: a known role and no chat/special token written as text inside it. */
export function checkMessage(tok: Tokenizer, message: Message, index: number): void {
  if (!message || typeof message.content !== "string") {
    throw new Error(
      `chat message ${index}: expected { role, content: string }, got ${JSON.stringify(message)}`,
    );
  }
  if (!ROLES.includes(message.role)) {
    throw new Error(
      `chat message ${index}: unknown role ${JSON.stringify(message.role)}; use one of ${ROLES.join(", ")}`,
    );
  }
  for (const special of [...CHAT_SPECIALS, ...Object.keys(tok.specialTokens)]) {
    if (message.content.includes(special)) {
      throw new Error(
        `chat message ${index} (${message.role}) contains the special token ${special} as text; ` +
          "a message must not forge role markers — remove or escape it",
      );
    }
  }
}

// @answer 07.renderChat
/**
 * Renders messages to ids and a loss mask: for each message its role token, its text (ordinary tokens) and
 * `<|end|>`; mask 1 on the assistant's text and its `<|end|>`, 0 elsewhere. With `addGenerationPrompt` the
 * `<|assistant|>` token is appended (mask 0): the prompt from which a model writes its answer.
 */
export function renderChat(
  tok: Tokenizer,
  messages: readonly Message[],
  options: RenderOptions & { addGenerationPrompt?: boolean } = {},
): RenderedChat {
  const end = chatTokenId(tok, "end");
  const ids: number[] = [];
  const mask: number[] = [];
  messages.forEach((m, i) => {
    checkMessage(tok, m, i);
    const learn = m.role === "assistant" ? 1 : 0;
    ids.push(chatTokenId(tok, m.role));
    mask.push(0);
    for (const id of tok.encodeOrdinary(m.content)) {
      ids.push(id);
      mask.push(learn);
    }
    ids.push(end);
    mask.push(learn);
  });
  if (options.addGenerationPrompt) {
    ids.push(chatTokenId(tok, "assistant"));
    mask.push(0);
  }
  return fitLength(ids, mask, options);
}
// @end-answer

/** Applies `maxLength` / `overflow` to a rendered sequence (see `RenderOptions`). */
export function fitLength(ids: number[], mask: number[], options: RenderOptions = {}): RenderedChat {
  const { maxLength, overflow = "error" } = options;
  if (maxLength === undefined || ids.length <= maxLength) return { ids, mask, truncated: 0 };
  if (!Number.isInteger(maxLength) || maxLength < 1)
    throw new Error(`renderChat: maxLength must be a positive integer, got ${maxLength}`);
  if (overflow !== "truncate") {
    throw new Error(
      `renderChat: the conversation is ${ids.length} tokens, longer than maxLength=${maxLength}; ` +
        `shorten it, or pass overflow: "truncate" to cut the end (counted in 'truncated')`,
    );
  }
  return { ids: ids.slice(0, maxLength), mask: mask.slice(0, maxLength), truncated: ids.length - maxLength };
}

/** The prompt a model answers from: the messages rendered, then `<|assistant|>`. */
export function chatPrompt(
  tok: Tokenizer,
  messages: readonly Message[],
  options: RenderOptions = {},
): number[] {
  return renderChat(tok, messages, { ...options, addGenerationPrompt: true }).ids;
}

/**
 * The token boundaries of a rendered chat for display: one row per token with its text (special tokens by
 * name, ↵ for line breaks) and mask bit.
 */
export function showTokens(
  tok: Tokenizer,
  rendered: RenderedChat,
): { i: number; id: number; token: string; mask: number }[] {
  return rendered.ids.map((id, i) => ({
    i,
    id,
    token: tok.tokenString(id).replace(/\n/g, "↵"),
    mask: rendered.mask[i],
  }));
}
