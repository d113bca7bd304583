/**
 * Language-model metrics: per-token loss and perplexity, bits per byte (the same loss per byte of text, which does
 * not depend on how the tokenizer cuts the text), likelihood-scored multiple choice as lm-evaluation-harness
 * scores it (the sum of the log-probabilities of each choice's tokens given the context; accuracy, and accuracy
 * with the sum divided by the choice's length in bytes), and exact match of greedy generations.
 */
import * as tf from "@tensorflow/tfjs-core";
import { Interval, wilson } from "../align/evaluate";
import { tokenLogProbs } from "../align/logprobs";
import { GPT, generate } from "../model";
import { Tokenizer } from "../tokenizer";

// @answer 10.bitsPerByte
/**
 * Bits per byte from a mean token loss: a text of `bytes` UTF-8 bytes cut into `tokens` tokens whose mean loss is
 * `meanLossNats` (nats per token) costs meanLossNats·tokens nats in all, i.e. meanLossNats·tokens / ln 2 bits;
 * divided by the bytes. Two models with different tokenizers compare by this number, not by their perplexity.
 */
export function bitsPerByte(meanLossNats: number, tokens: number, bytes: number): number {
  if (!(tokens > 0) || !(bytes > 0))
    throw new Error(`bitsPerByte: need tokens > 0 and bytes > 0, got ${tokens}, ${bytes}`);
  if (!(meanLossNats >= 0))
    throw new Error(`bitsPerByte: the mean loss must be ≥ 0 nats, got ${meanLossNats}`);
  return (meanLossNats * tokens) / (Math.LN2 * bytes);
}
// @end-answer

const encoder = new TextEncoder();

/** UTF-8 length of a string in bytes. */
export function utf8Bytes(text: string): number {
  return encoder.encode(text).length;
}

/**
 * Log-probabilities (nats) the model gives each token after the first of every sequence: `out[s][t]` =
 * log p(ids[s][t + 1] | ids[s][0..t]). Sequences may differ in length (each at most contextLength + 1 tokens); they
 * run in batches of `batchSize`, padded at the end (a causal model's earlier positions do not see the padding),
 * through align's `tokenLogProbs` (the one per-token log-prob of the library), without keeping gradients.
 */
export function sequenceTokenLogProbs(
  model: GPT,
  sequences: readonly number[][],
  batchSize = 32,
): Float64Array[] {
  const T = model.config.contextLength;
  const out: Float64Array[] = [];
  for (let s0 = 0; s0 < sequences.length; s0 += batchSize) {
    const batch = sequences.slice(s0, s0 + batchSize);
    batch.forEach((seq, k) => {
      if (seq.length < 2 || seq.length > T + 1) {
        throw new Error(
          `sequenceTokenLogProbs: sequence ${s0 + k} has ${seq.length} tokens; need 2 … contextLength + 1 = ${T + 1}`,
        );
      }
    });
    const len = Math.max(...batch.map((q) => q.length)) - 1;
    const padded = batch.map((q) => Array.from({ length: len + 1 }, (_, t) => (t < q.length ? q[t] : 0)));
    const lp = tf.tidy(() => tokenLogProbs(model, padded));
    const data = lp.dataSync();
    lp.dispose();
    batch.forEach((q, b) => out.push(Float64Array.from(data.subarray(b * len, b * len + q.length - 1))));
  }
  return out;
}

/** A language model's loss on a text. */
export interface TextLoss {
  /** Tokens scored (every token of the text; the first one is predicted from `<|endoftext|>` when the tokenizer has it). */
  tokens: number;
  /** UTF-8 bytes of the scored tokens. */
  bytes: number;
  /** Mean loss, nats per token. */
  loss: number;
  /** exp(loss): per-token perplexity (depends on the tokenizer). */
  perplexity: number;
  /** Total bits / bytes (tokenizer-independent). */
  bitsPerByte: number;
  /** Scored tokens per second. */
  tokensPerSecond: number;
}

/**
 * Loss, perplexity and bits per byte of `model` on `documents`. Each document is encoded on its own (prefixed
 * with `<|endoftext|>` when the tokenizer has it, so its first token is scored too) and cut into windows of
 * contextLength + 1 tokens that overlap by one token, so every token is predicted exactly once, from the tokens
 * before it in its window (a fresh context every window: the usual, slightly pessimistic, non-overlapping
 * evaluation). `maxTokens` stops after that many scored tokens.
 */
export function evaluateText(
  model: GPT,
  tok: Tokenizer,
  documents: string | readonly string[],
  options: { batchSize?: number; maxTokens?: number } = {},
): TextLoss {
  const t0 = Date.now();
  const T = model.config.contextLength;
  const eot = tok.specialTokens["<|endoftext|>"];
  const docs = typeof documents === "string" ? [documents] : documents;
  const windows: number[][] = [];
  let budget = options.maxTokens ?? Infinity;
  for (const doc of docs) {
    if (budget <= 0) break;
    let ids = tok.encodeOrdinary(doc);
    if (eot !== undefined) ids = [eot, ...ids];
    if (ids.length < 2) continue;
    for (let s = 0; s + 1 < ids.length && budget > 0; s += T) {
      const w = ids.slice(s, Math.min(ids.length, s + T + 1, s + 1 + budget));
      windows.push(w);
      budget -= w.length - 1;
    }
  }
  if (windows.length === 0) throw new Error("evaluateText: nothing to score (empty documents?)");
  if (Math.max(...windows.flat()) >= model.config.vocabSize) {
    throw new Error(
      `evaluateText: the tokenizer "${tok.name}" (${tok.vocabSize} ids) does not fit the model (vocabSize ${model.config.vocabSize})`,
    );
  }
  const lps = sequenceTokenLogProbs(model, windows, options.batchSize ?? 32);
  let nats = 0;
  let tokens = 0;
  let bytes = 0;
  windows.forEach((w, k) => {
    for (let t = 1; t < w.length; t++) {
      nats -= lps[k][t - 1];
      bytes += tok.tokenBytes(w[t]).length;
    }
    tokens += w.length - 1;
  });
  const loss = nats / tokens;
  return {
    tokens,
    bytes,
    loss,
    perplexity: Math.exp(loss),
    bitsPerByte: bitsPerByte(loss, tokens, bytes),
    tokensPerSecond: tokens / Math.max(1e-3, (Date.now() - t0) / 1000),
  };
}

/** One multiple-choice question: a context, its choices, the index of the right one. */
export interface ChoiceItem {
  context: string;
  choices: string[];
  answer: number;
}

/** The scores of one item's choices. */
export interface ChoiceScores {
  /** Σ log p(choice tokens | context), nats. */
  logProb: number[];
  /** The choices' lengths in UTF-8 bytes. */
  bytes: number[];
  /** argmax of logProb, and of logProb / bytes. */
  pick: number;
  pickNorm: number;
}

/** A multiple-choice benchmark's result. */
export interface MultipleChoiceResult {
  n: number;
  /** Accuracy by summed log-probability, with its 95 % Wilson interval. */
  acc: Interval;
  /** Accuracy by log-probability per byte of the choice. */
  accNorm: Interval;
  /** Expected accuracy of a random guess (mean of 1 / choices). */
  chance: number;
  items: ChoiceScores[];
}

/**
 * The token ids of a continuation, as lm-evaluation-harness takes them: encode context + continuation as one text
 * and keep the tokens after the context's own tokens (when the joint encoding starts with them; otherwise the
 * continuation encoded alone), so a leading space merges the way the tokenizer merges it in running text.
 */
export function continuationIds(
  tok: Tokenizer,
  context: string,
  continuation: string,
): { context: number[]; continuation: number[] } {
  const ctx = tok.encodeOrdinary(context);
  const whole = tok.encodeOrdinary(context + continuation);
  const prefixOk = ctx.every((id, i) => whole[i] === id);
  return {
    context: ctx,
    continuation: prefixOk ? whole.slice(ctx.length) : tok.encodeOrdinary(continuation),
  };
}

/**
 * Likelihood-scored multiple choice (lm-evaluation-harness's `acc` and `acc_norm`, the latter per byte as its
 * `acc_bytes`/byte-normalised variants): each choice is scored by Σ log p(choice tokens | context); the pick is
 * the highest sum (`acc`) or the highest sum divided by the choice's bytes (`accNorm`). Context tokens that do not
 * fit in contextLength + 1 together with the choice are dropped from the left.
 */
export function multipleChoice(
  model: GPT,
  tok: Tokenizer,
  items: readonly ChoiceItem[],
  options: { batchSize?: number } = {},
): MultipleChoiceResult {
  const T = model.config.contextLength;
  const seqs: number[][] = [];
  const starts: number[] = [];
  items.forEach((item, q) => {
    if (item.choices.length < 2) throw new Error(`multipleChoice: item ${q} has fewer than two choices`);
    if (!(Number.isInteger(item.answer) && item.answer >= 0 && item.answer < item.choices.length)) {
      throw new Error(
        `multipleChoice: item ${q}'s answer ${item.answer} is not an index of its ${item.choices.length} choices`,
      );
    }
    for (const choice of item.choices) {
      const { context, continuation } = continuationIds(tok, item.context, choice);
      if (continuation.length === 0) throw new Error(`multipleChoice: item ${q} has an empty choice`);
      if (continuation.length > T)
        throw new Error(`multipleChoice: a choice of item ${q} is longer than the context (${T} tokens)`);
      const keep = context.slice(Math.max(0, context.length - (T + 1 - continuation.length)));
      if (keep.length === 0) throw new Error(`multipleChoice: item ${q} has no context tokens left`);
      seqs.push([...keep, ...continuation]);
      starts.push(keep.length);
    }
  });
  const lps = sequenceTokenLogProbs(model, seqs, options.batchSize ?? 32);
  let k = 0;
  let right = 0;
  let rightNorm = 0;
  const scored = items.map((item) => {
    const logProb: number[] = [];
    const bytes: number[] = [];
    for (const choice of item.choices) {
      const lp = lps[k];
      let sum = 0;
      for (let t = starts[k] - 1; t < lp.length; t++) sum += lp[t];
      logProb.push(sum);
      bytes.push(Math.max(1, utf8Bytes(choice)));
      k++;
    }
    const argmax = (v: number[]): number => v.reduce((best, x, i) => (x > v[best] ? i : best), 0);
    const pick = argmax(logProb);
    const pickNorm = argmax(logProb.map((l, i) => l / bytes[i]));
    if (pick === item.answer) right++;
    if (pickNorm === item.answer) rightNorm++;
    return { logProb, bytes, pick, pickNorm };
  });
  return {
    n: items.length,
    acc: wilson(right, items.length),
    accNorm: wilson(rightNorm, items.length),
    chance: items.reduce((a, it) => a + 1 / it.choices.length, 0) / items.length,
    items: scored,
  };
}

/** Exact-match accuracy of greedy generations. */
export interface ExactMatchResult {
  n: number;
  accuracy: Interval;
  outputs: { prompt: string; output: string; answer: string; correct: boolean }[];
}

/** Lowercases, trims, and squeezes whitespace (the usual answer normalisation before an exact-match comparison). */
export function normalizeAnswer(text: string): string {
  return text.toLowerCase().replace(/\s+/g, " ").trim();
}

/**
 * Exact-match generation: greedy decoding of up to `maxNewTokens` after each prompt (cut at `stopToken` or, by
 * default, at the first line break), normalised with `normalizeAnswer`, compared with the normalised answer.
 * `render` turns a prompt into ids (default: the plain encoding; chat models pass their template).
 */
export function exactMatch(
  model: GPT,
  tok: Tokenizer,
  items: readonly { prompt: string; answer: string }[],
  options: { maxNewTokens?: number; stopToken?: number; render?: (prompt: string) => number[] } = {},
): ExactMatchResult {
  const T = model.config.contextLength;
  const outputs = items.map((item) => {
    const ids = options.render ? options.render(item.prompt) : tok.encodeOrdinary(item.prompt);
    const room = T - ids.length;
    if (room < 1)
      throw new Error(
        `exactMatch: the prompt "${item.prompt.slice(0, 40)}…" fills the context of ${T} tokens`,
      );
    const outIds = generate(model, ids, {
      maxNewTokens: Math.min(options.maxNewTokens ?? 8, room),
      temperature: 0,
      stopToken: options.stopToken,
    });
    if (options.stopToken !== undefined && outIds[outIds.length - 1] === options.stopToken) outIds.pop();
    const output = tok.decode(outIds).split("\n")[0];
    return {
      prompt: item.prompt,
      output,
      answer: item.answer,
      correct: normalizeAnswer(output) === normalizeAnswer(item.answer),
    };
  });
  return {
    n: items.length,
    accuracy: wilson(outputs.filter((o) => o.correct).length, items.length),
    outputs,
  };
}
