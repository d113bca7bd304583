/**
 * Chapter 07 exercises: the pieces of supervised fine-tuning — the chat template with its loss mask, the
 * masked cross-entropy, growing a vocabulary with mean-initialised rows, and accuracy with a Wilson interval.
 *
 * Write your answers here, replacing each `throw new NotImplemented(...)`. Grade them with
 * `npm run grade -- 07` (or the last cell of notebooks/07-sft.ipynb). The library calls these functions
 * (`align.renderChat`, `align.maskedMeanCrossEntropy`, `align.appendMeanRows`, `align.wilson`).
 */
import * as tf from "@tensorflow/tfjs-core";
import { NotImplemented } from "../src/errors";
import type { Tokenizer } from "../src/tokenizer";
import type { Interval } from "../src/align/evaluate";
import type { Message, RenderOptions, RenderedChat } from "../src/align/template";
import { chatTokenId, checkMessage, fitLength } from "../src/align/template";

// Helpers you may use: chatTokenId(tok, "user" | "assistant" | "system" | "end") gives a chat token's id,
// checkMessage(tok, message, index) throws for an unknown role or a role token written inside the text,
// fitLength(ids, mask, options) applies maxLength / overflow and returns the RenderedChat.
void chatTokenId;
void checkMessage;
void fitLength;

/**
 * Task 07.renderChat — a conversation as token ids plus a loss mask.
 *
 * For each message i (check it first with `checkMessage(tok, m, i)`): its role token, the ids of its text
 * (`tok.encodeOrdinary(m.content)`), then `<|end|>`. mask[j] = 1 when ids[j] is part of an assistant message's
 * text or that message's closing `<|end|>`; 0 for role tokens and for system/user text. With
 * `options.addGenerationPrompt`, append the `<|assistant|>` token with mask 0. Finish with
 * `fitLength(ids, mask, options)`.
 */
export function renderChat(
  tok: Tokenizer,
  messages: readonly Message[],
  options: RenderOptions & { addGenerationPrompt?: boolean } = {},
): RenderedChat {
  void tok;
  void messages;
  void options;
  throw new NotImplemented(
    "07.renderChat",
    "role token (mask 0), text tokens and <|end|> (mask 1 only for the assistant), then fitLength",
  );
}

/**
 * Task 07.maskedMeanCrossEntropy — mean next-token cross-entropy over the kept positions only.
 *
 * `logits[t]` holds V scores for position t, `targets[t]` its target id. Positions whose target equals
 * `ignoreIndex` (default −100) are skipped: they add nothing to the sum AND do not count in the mean. For a kept
 * position: −log softmax(logits[t])[targets[t]], computed stably (subtract the row maximum before exp).
 * Return NaN when no position is kept; throw for a kept target outside [0, V).
 */
export function maskedMeanCrossEntropy(
  logits: readonly (readonly number[])[],
  targets: readonly number[],
  ignoreIndex = -100,
): number {
  void logits;
  void targets;
  void ignoreIndex;
  throw new NotImplemented(
    "07.maskedMeanCrossEntropy",
    "divide by the number of kept positions, not by targets.length",
  );
}

/**
 * Task 07.appendMeanRows — grow an embedding table by `extra` rows, each the mean of the existing rows.
 *
 * `table: [rows, d]` → `[rows + extra, d]`; the first rows unchanged. extra = 0 returns a copy; a negative or
 * fractional extra is an error. Do not leak tensors (tf.tidy).
 */
export function appendMeanRows(table: tf.Tensor2D, extra: number): tf.Tensor2D {
  void table;
  void extra;
  void tf;
  throw new NotImplemented(
    "07.appendMeanRows",
    "the mean over axis 0, repeated extra times, concatenated below",
  );
}

/**
 * Task 07.wilson — the Wilson score interval of k successes in n trials (z = 1.96 for 95 %).
 *
 * p̂ = k/n; centre = (p̂ + z²/2n)/(1 + z²/n); half-width = z·√(p̂(1 − p̂)/n + z²/4n²)/(1 + z²/n).
 * Return { estimate: p̂, low: centre − half, high: centre + half } (clamped to [0, 1]); n = 0 gives
 * { estimate: NaN, low: 0, high: 1 }. Throw unless k and n are integers with 0 ≤ k ≤ n.
 */
export function wilson(k: number, n: number, z = 1.96): Interval {
  void k;
  void n;
  void z;
  throw new NotImplemented("07.wilson", "the interval is centred at (p̂ + z²/2n)/(1 + z²/n), not at p̂");
}
