/**
 * The preference set (src/align/preferences.ts): the gold reward by hand from AFINN-165 entries, the labeller's
 * Bradley–Terry frequencies against σ(β·Δ) (binomial tolerance), the ceiling formula, counted skips, padded
 * batches with completion masks, the prompt split, and a sampled set from a tiny model.
 */
import * as assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import {
  Candidate,
  goldReward,
  labelPairs,
  passageBeginnings,
  preferenceBatch,
  preferenceProbability,
  promptIds,
  samplePreferences,
  sentimentWords,
  sequenceLogProbs,
  splitPairs,
} from "../../src/align";
import { initBackend } from "../../src/backend";
import { afinn165 } from "../../src/corpora";
import { GPT } from "../../src/model";
import { END, USER, ASSISTANT, byteChatTokenizer, idPair, tinyConfig } from "./fixture";

before(async () => {
  await initBackend({ quiet: true });
});

const tiny = (vocabSize: number, contextLength: number) => new GPT(tinyConfig(vocabSize, contextLength), 1);

function candidate(textA: string, textB: string, i = 0): Candidate {
  const enc = (t: string) => Array.from(Buffer.from(t));
  return { passage: `p${i}`, prompt: [USER, 65, END, ASSISTANT], a: enc(textA), b: enc(textB), textA, textB };
}

describe("align: gold reward and labeller", () => {
  it("goldReward is the mean AFINN-165 valence over the words (lexicon values by hand)", () => {
    const lex = afinn165();
    assert.equal(lex.get("good"), 3);
    assert.equal(lex.get("bad"), -3);
    assert.deepEqual(sentimentWords("A good, BAD day's end!"), ["a", "good", "bad", "day's", "end"]);
    assert.equal(goldReward("good whale"), 1.5);
    assert.equal(goldReward("good good"), 3);
    assert.equal(goldReward("bad whale sea ship"), -0.75);
    assert.equal(goldReward("?!"), 0);
    // The mean does not pay for length: a longer text with the same share of good words scores the same.
    assert.equal(goldReward("good whale good whale"), goldReward("good whale"));
  });

  it("preferenceProbability is σ(β·Δ) and symmetric", () => {
    assert.equal(preferenceProbability(1, 1, 8), 0.5);
    assert.ok(Math.abs(preferenceProbability(0.1, 0, 8) - 1 / (1 + Math.exp(-0.8))) < 1e-12);
    assert.ok(Math.abs(preferenceProbability(0, 0.3, 5) + preferenceProbability(0.3, 0, 5) - 1) < 1e-12);
    assert.throws(() => preferenceProbability(0, 1, -1), /beta/);
  });

  it("labels follow the Bradley–Terry model: agreement ≈ σ(β·Δ) within 4 binomial standard deviations", () => {
    // 2,000 pairs "good whale whale" (mean 1) vs "whale" (0): Δ = 1, β = 1 → P(agree) = σ(1) = 0.731.
    const n = 2000;
    const cands = Array.from({ length: n }, (_, i) => candidate("good whale whale", "whale", i));
    const set = labelPairs(cands, { beta: 1, seed: 3 });
    const p = 1 / (1 + Math.exp(-1));
    assert.equal(set.pairs.length, n);
    assert.ok(Math.abs(set.ceiling - p) < 1e-9, `ceiling ${set.ceiling}`);
    const sd = Math.sqrt((p * (1 - p)) / n);
    assert.ok(Math.abs(set.agreement - p) < 4 * sd, `agreement ${set.agreement} vs ${p}`);
    // The chosen side is the one the label picked; probability is that label's probability.
    for (const pair of set.pairs.slice(0, 20)) {
      assert.equal(pair.agreesWithGold, pair.chosenGold > pair.rejectedGold);
      assert.ok(Math.abs(pair.probability - (pair.agreesWithGold ? p : 1 - p)) < 1e-12);
    }
    // Same seed, same labels; β = 0 labels by coin (ceiling 0.5).
    assert.deepEqual(
      labelPairs(cands.slice(0, 50), { beta: 1, seed: 3 }).pairs.map((q) => q.chosenText),
      set.pairs.slice(0, 50).map((q) => q.chosenText),
    );
    assert.equal(labelPairs(cands.slice(0, 10), { beta: 0 }).ceiling, 0.5);
  });

  it("skips and counts empty, identical and tied pairs", () => {
    const set = labelPairs([
      candidate("", "good"),
      candidate("?!", "good"),
      candidate("good whale", "good whale"),
      candidate("whale", "sea"),
      candidate("good", "bad"),
    ]);
    assert.deepEqual(set.skipped, { promptTooLong: 0, empty: 2, identical: 1, tied: 1 });
    assert.equal(set.pairs.length, 1);
    assert.equal(labelPairs([candidate("whale", "sea")], { skipTies: false }).pairs.length, 1);
  });
});

describe("align: prompts, batches and sampling", () => {
  it("passageBeginnings takes seeded, distinct beginnings of corpus sentences", () => {
    const a = passageBeginnings({ count: 30, words: 4, seed: 1 });
    assert.equal(a.length, 30);
    assert.equal(new Set(a).size, 30);
    for (const s of a) assert.equal(s.split(" ").length, 4, s);
    assert.deepEqual(passageBeginnings({ count: 30, words: 4, seed: 1 }), a);
    assert.notDeepEqual(passageBeginnings({ count: 30, words: 4, seed: 2 }), a);
  });

  it("chat prompts render the continue request and end with <|assistant|>", () => {
    const tok = byteChatTokenizer();
    const ids = promptIds(tok, "Call me", "chat");
    assert.equal(ids[0], USER);
    assert.equal(ids[ids.length - 1], ASSISTANT);
    assert.equal(tok.decode(ids.slice(1, -2)), "Continue: Call me");
    assert.deepEqual(promptIds(tok, "hi", "text"), [104, 105]);
  });

  it("preferenceBatch pads both sides to one length with completion masks; errors on bad pairs", () => {
    const pair = (prompt: number[], chosen: number[], rejected: number[], i: number) =>
      idPair(prompt, chosen, rejected, { passage: `p${i}`, probability: 0.7 });
    const pairs = [pair([1, 2], [3, 4, 5], [6], 0), pair([7], [8], [9, 10], 1)];
    const b = preferenceBatch(pairs, { padId: 0 });
    assert.equal(b.time, 5);
    assert.deepEqual(b.chosen.ids.arraySync(), [
      [1, 2, 3, 4, 5],
      [7, 8, 0, 0, 0],
    ]);
    assert.deepEqual(b.chosen.mask.arraySync(), [
      [0, 0, 1, 1, 1],
      [0, 1, 0, 0, 0],
    ]);
    assert.deepEqual(b.rejected.ids.arraySync(), [
      [1, 2, 6, 0, 0],
      [7, 9, 10, 0, 0],
    ]);
    assert.deepEqual(b.rejected.mask.arraySync(), [
      [0, 0, 1, 0, 0],
      [0, 1, 1, 0, 0],
    ]);
    assert.deepEqual(b.chosen.last, [4, 1]);
    assert.deepEqual(b.rejected.last, [2, 2]);
    assert.throws(() => preferenceBatch([pair([1], [], [2], 0)], { padId: 0 }), /empty completion/);
    assert.throws(() => preferenceBatch([pair([1], [2, 3], [2, 3], 0)], { padId: 0 }), /identical/);
    assert.throws(() => preferenceBatch(pairs, { padId: 0, maxLength: 4 }), /longer than maxLength=4/);
    // The mask is what sequenceLogProbs sums over.
    const model = tiny(11, 8);
    const lp = sequenceLogProbs(model, b.chosen.ids, b.chosen.mask);
    assert.deepEqual(lp.shape, [2]);
    tf.dispose([lp, b.chosen.ids, b.chosen.mask, b.rejected.ids, b.rejected.mask]);
    model.dispose();
    const split = splitPairs([...pairs, pair([7], [1], [2], 1)], 0.5, 0);
    assert.equal(split.train.length + split.test.length, 3);
    assert.equal(new Set(split.test.map((p) => p.passage)).size, 1, "a prompt's pairs stay together");
  });

  it("samplePreferences: two completions per prompt from a model, labelled; long prompts counted", async () => {
    const tok = byteChatTokenizer();
    const model = tiny(tok.vocabSize, 40);
    const passages = ["Call me Ishmael", "The whale", "x".repeat(40)];
    const before = tf.memory().numTensors;
    const set = await samplePreferences(model, tok, passages, { maxNewTokens: 8, skipTies: false, seed: 1 });
    assert.equal(tf.memory().numTensors, before);
    assert.equal(set.prompts, 3);
    assert.equal(set.skipped.promptTooLong, 1);
    const total = set.pairs.length + set.skipped.empty + set.skipped.identical + set.skipped.tied;
    assert.equal(total, 2);
    for (const p of set.pairs) {
      assert.ok(p.chosen.length >= 1 && p.chosen.length <= 8);
      assert.equal(p.prompt[p.prompt.length - 1], ASSISTANT);
    }
    const again = await samplePreferences(model, tok, passages, {
      maxNewTokens: 8,
      skipTies: false,
      seed: 1,
    });
    assert.deepEqual(
      again.pairs.map((p) => p.chosen),
      set.pairs.map((p) => p.chosen),
    );
    await assert.rejects(
      samplePreferences(tiny(100, 40), tok, passages),
      /tokenizer has 260 ids but the model 100/,
    );
    model.dispose();
  });
});
