/**
 * Task accuracy with a confidence interval. With n answers of which k are right, the accuracy p̂ = k/n has a
 * sampling error that matters at the sizes a notebook can afford (50 questions: ±14 points). The Wilson score
 * interval (Wilson 1927) stays inside [0, 1] and behaves at k = 0 or k = n, where the textbook p̂ ± z·√(p̂(1−p̂)/n)
 * collapses to a point.
 */
import { GPT } from "../model";
import { Tokenizer } from "../tokenizer";
import { respond } from "./chat";
import { InstructionExample, isCorrect, toMessages } from "./instructions";
import { chatPrompt } from "./template";

export interface Interval {
  /** k/n (NaN when n = 0). */
  estimate: number;
  low: number;
  high: number;
}

// @answer 07.wilson
/**
 * The Wilson score interval for k successes in n trials at normal quantile z (1.96 for 95 %):
 *
 *   centre = (p̂ + z²/(2n)) / (1 + z²/n),   half-width = z·√(p̂(1−p̂)/n + z²/(4n²)) / (1 + z²/n).
 *
 * Returns `{estimate: p̂, low, high}`; n = 0 gives NaN and the whole [0, 1].
 */
export function wilson(k: number, n: number, z = 1.96): Interval {
  if (!Number.isInteger(k) || !Number.isInteger(n) || k < 0 || n < 0 || k > n)
    throw new Error(`wilson: need integers 0 ≤ k ≤ n, got k=${k}, n=${n}`);
  if (n === 0) return { estimate: NaN, low: 0, high: 1 };
  const p = k / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denom;
  return { estimate: p, low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}
// @end-answer

/** Accuracy of one task on one evaluation set. */
export interface TaskScore {
  task: string;
  n: number;
  correct: number;
  accuracy: number;
  /** 95 % Wilson interval. */
  low: number;
  high: number;
  /** Share of responses closed with `<|end|>` (the chat format followed). */
  finished: number;
}

/** One answered question. */
export interface Answered {
  example: InstructionExample;
  response: string;
  correct: boolean;
  finished: boolean;
}

/** Scores answers per task (in first-seen task order). */
export function scoreByTask(answers: readonly Answered[]): TaskScore[] {
  const byTask = new Map<string, Answered[]>();
  for (const a of answers) byTask.set(a.example.task, [...(byTask.get(a.example.task) ?? []), a]);
  return [...byTask].map(([task, list]) => {
    const k = list.filter((a) => a.correct).length;
    const w = wilson(k, list.length);
    return {
      task,
      n: list.length,
      correct: k,
      accuracy: w.estimate,
      low: w.low,
      high: w.high,
      finished: list.filter((a) => a.finished).length / list.length,
    };
  });
}

export interface AnswerOptions {
  /** Most tokens per answer (default 8: every answer is a word or two). */
  maxNewTokens?: number;
  /** Called after each answer (progress). */
  onAnswer?: (done: number, total: number) => void | Promise<void>;
}

/** Asks the model every question (greedy, KV cache) and checks each answer. */
export async function answerAll(
  model: GPT,
  tok: Tokenizer,
  examples: readonly InstructionExample[],
  options: AnswerOptions = {},
): Promise<Answered[]> {
  const out: Answered[] = [];
  const ctx = model.config.contextLength;
  for (const example of examples) {
    const messages = toMessages(example, false);
    // A long question leaves less room for the answer (an answer cut by the context is not finished).
    const room = ctx - chatPrompt(tok, messages).length;
    if (room < 1)
      throw new Error(`answerAll: the question "${example.prompt}" fills the context of ${ctx} tokens`);
    const r = respond(model, tok, messages, { maxNewTokens: Math.min(options.maxNewTokens ?? 8, room) });
    out.push({
      example,
      response: r.text,
      correct: r.finished && isCorrect(example, r.text),
      finished: r.finished,
    });
    if (options.onAnswer) await options.onAnswer(out.length, examples.length);
  }
  return out;
}
