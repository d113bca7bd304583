/**
 * LLMFAO (Ustalov 2023): 19 prompts, the answers of 59 chat models, 8,931 crowd votes between pairs of answers
 * (with worker ids) and GPT-4 and GPT-3.5 judging 2,139 of the same pairs. Vendored under `datasets/llmfao/`
 * (CC BY 4.0; read from the package root, nothing is downloaded). Chapter 10 rates the models from these votes.
 */
import { cached } from "./cache";
import { readCsv, readJsonLines } from "./files";

/** Who judged a comparison. */
export type LlmfaoJudge = "crowd" | "gpt4" | "gpt3";

/** One verdict on a pair of answers to the same prompt. */
export interface LlmfaoVote {
  /** The pair's id (several crowd workers judged each pair; the GPT judges use the same ids). */
  pair: number;
  /** Prompt id (see `llmfaoPrompts`). */
  prompt: number;
  /** Model shown on the left and on the right (names as in `llmfaoModels`). */
  left: string;
  right: string;
  /** "left", "right" or "tie". */
  winner: "left" | "right" | "tie";
  /** The crowd worker's id; −1 for the GPT judges. */
  worker: number;
}

/** A model of the benchmark. */
export interface LlmfaoModel {
  id: number;
  name: string;
  org: string;
  type: string;
}

/** A prompt of the benchmark. */
export interface LlmfaoPrompt {
  id: number;
  text: string;
  type: string;
  slug: string;
}

/** A model's answer to a prompt. */
export interface LlmfaoAnswer {
  model: string;
  prompt: number;
  text: string;
}

const FILES: Record<LlmfaoJudge, string> = {
  crowd: "crowd-comparisons.csv",
  gpt4: "gpt4-crowd-comparisons.csv",
  gpt3: "gpt3-crowd-comparisons.csv",
};

/** CSV rows → votes, checking each field; a bad row is named with its file and line. */
export function parseLlmfaoVotes(rows: Record<string, string>[], file: string): LlmfaoVote[] {
  return rows.map((r, k) => {
    const where = `${file}:${k + 2}`;
    const winner = r.winner;
    if (winner !== "left" && winner !== "right" && winner !== "tie") {
      throw new Error(`${where}: winner must be left, right or tie, got ${JSON.stringify(winner)}`);
    }
    const pair = Number(r.id);
    const prompt = Number(r.prompt);
    if (!Number.isInteger(pair) || !Number.isInteger(prompt) || !r.left || !r.right) {
      throw new Error(
        `${where}: expected integer id and prompt and two model names, got ${JSON.stringify(r)}`,
      );
    }
    return {
      pair,
      prompt,
      left: r.left,
      right: r.right,
      winner,
      worker: r.worker === undefined ? -1 : Number(r.worker),
    };
  });
}

/** The votes of one judge, in the file's order: 8,931 crowd votes, 2,139 each for "gpt4" and "gpt3". */
export function llmfaoVotes(judge: LlmfaoJudge = "crowd"): readonly LlmfaoVote[] {
  const file = FILES[judge];
  if (file === undefined) {
    throw new Error(`llmfaoVotes: unknown judge ${JSON.stringify(judge)}; use "crowd", "gpt4" or "gpt3"`);
  }
  return cached(`llmfao-${judge}`, () =>
    parseLlmfaoVotes(readCsv("llmfao", file), `datasets/llmfao/${file}`),
  );
}

/** The 70 models listed (59 of them have answers and votes). */
export function llmfaoModels(): readonly LlmfaoModel[] {
  return cached("llmfao-models", () =>
    readJsonLines<LlmfaoModel>("llmfao", "models.jsonl").map((m) => ({
      id: m.id,
      name: m.name,
      org: m.org,
      type: m.type,
    })),
  );
}

/** The 19 prompts. */
export function llmfaoPrompts(): readonly LlmfaoPrompt[] {
  return cached("llmfao-prompts", () =>
    readJsonLines<LlmfaoPrompt>("llmfao", "prompts.jsonl").map((p) => ({
      id: p.id,
      text: p.text,
      type: p.type,
      slug: p.slug,
    })),
  );
}

/** Every model's answer to every prompt (1,133), with the model's name. */
export function llmfaoAnswers(): readonly LlmfaoAnswer[] {
  return cached("llmfao-answers", () =>
    readJsonLines<{ name: string; prompt: number; result: string }>("llmfao", "results.jsonl").map((a) => ({
      model: a.name,
      prompt: a.prompt,
      text: a.result,
    })),
  );
}

/** The length in characters of `model`'s answer to `prompt` (a lookup built once); throws if there is none. */
export function llmfaoAnswerLength(model: string, prompt: number): number {
  const table = cached("llmfao-lengths", () => {
    const m = new Map<string, number>();
    for (const a of llmfaoAnswers()) m.set(`${a.model}\u0000${a.prompt}`, a.text.length);
    return m;
  });
  const n = table.get(`${model}\u0000${prompt}`);
  if (n === undefined) throw new Error(`llmfaoAnswerLength: no answer of "${model}" to prompt ${prompt}`);
  return n;
}
