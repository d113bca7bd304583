/**
 * Judges: Cohen's κ on the textbook 2×2 example (κ = 0.4), the crowd majority rule, position and length bias on
 * made-up votes with known answers, the length-controlled win rate on a judge that only likes long answers, and the
 * LLMFAO files' counts.
 */
import * as assert from "node:assert/strict";
import {
  PairVote,
  agreement,
  alignVerdicts,
  cohenKappa,
  firstTwoVotes,
  lengthBias,
  lengthControlledWinRates,
  majorityVerdicts,
  positionBias,
  spearman,
} from "../../src/eval";
import { llmfaoAnswerLength, llmfaoVotes } from "../../src/corpora";
import { Rng } from "../../src/random";

describe("eval/judges", () => {
  it("Cohen's κ: the textbook example (20 yes/yes, 5 yes/no, 10 no/yes, 15 no/no) gives 0.4", () => {
    const a = [...Array(25).fill("yes"), ...Array(25).fill("no")] as string[];
    const b = [
      ...Array(20).fill("yes"),
      ...Array(5).fill("no"),
      ...Array(10).fill("yes"),
      ...Array(15).fill("no"),
    ] as string[];
    assert.ok(Math.abs(cohenKappa(a, b) - 0.4) < 1e-12);
    assert.equal(cohenKappa(["x", "y"], ["x", "y"]), 1);
    assert.ok(Number.isNaN(cohenKappa(["x", "x"], ["x", "x"])));
    const g = agreement(a, b);
    assert.equal(g.raw, 0.7);
    assert.ok(g.rawLow < 0.7 && g.rawHigh > 0.7);
    assert.throws(() => cohenKappa(["x"], []), /1 labels against 0/);
  });

  it("majority per pair (a shared top count is a tie), first two votes, alignment", () => {
    const v = (pair: number, winner: string): PairVote => ({
      pair,
      prompt: 0,
      left: "a",
      right: "b",
      winner,
    });
    const votes = [v(1, "left"), v(1, "left"), v(1, "right"), v(2, "left"), v(2, "right"), v(3, "tie")];
    const maj = majorityVerdicts(votes);
    assert.deepEqual(
      [...maj],
      [
        [1, "left"],
        [2, "tie"],
        [3, "tie"],
      ],
    );
    assert.deepEqual(firstTwoVotes(votes), { first: ["left", "left"], second: ["left", "right"] });
    assert.deepEqual(alignVerdicts([v(2, "right"), v(9, "left")], maj), {
      judge: ["right"],
      reference: ["tie"],
    });
    assert.throws(() => majorityVerdicts([v(1, "maybe")]), /winner must be left, right or tie, got "maybe"/);
  });

  it("position and length bias on votes with a known answer", () => {
    const votes: PairVote[] = [];
    for (let i = 0; i < 30; i++)
      votes.push({ pair: i, prompt: 0, left: "long", right: "short", winner: i < 24 ? "left" : "right" });
    for (let i = 0; i < 10; i++)
      votes.push({ pair: 100 + i, prompt: 0, left: "short", right: "long", winner: "tie" });
    const p = positionBias(votes);
    assert.deepEqual([p.left, p.right, p.tie], [24, 6, 10]);
    assert.equal(p.leftShare, 0.8);
    const len = (m: string): number => (m === "long" ? 300 : 100);
    const l = lengthBias(votes, len);
    assert.equal(l.n, 30);
    assert.equal(l.longerWins, 0.8);
    assert.equal(l.bins[2].n, 30); // 3× longer: the "2–4×" bin
  });

  it("length-controlled win rate: a judge that only likes long answers gives LC ≈ 0.5 while the raw rate is high", () => {
    const rng = new Rng(2);
    const votes: PairVote[] = [];
    const lengths = new Map<string, number>();
    for (let i = 0; i < 2000; i++) {
      const la = 100 + rng.int(400);
      const lb = 100 + rng.int(100);
      lengths.set(`m${i}`, la);
      lengths.set(`o${i}`, lb);
      const p = 1 / (1 + Math.exp(-2 * Math.tanh((la - lb) / 150)));
      votes.push({
        pair: i,
        prompt: i,
        left: "verbose",
        right: "base",
        winner: rng.next() < p ? "left" : "right",
      });
      lengths.set(`verbose ${i}`, la);
      lengths.set(`base ${i}`, lb);
    }
    const lengthOf = (m: string, prompt: number): number => lengths.get(`${m} ${prompt}`) as number;
    const r = lengthControlledWinRates(votes, lengthOf, { opponent: "base" });
    assert.equal(r.length, 1);
    assert.ok(r[0].raw > 0.7, `raw ${r[0].raw}`);
    assert.ok(Math.abs(r[0].lc - 0.5) < 0.08, `lc ${r[0].lc}`);
    assert.ok(r[0].phi > 1);
  });

  it("Spearman's ρ: 1 for the same order, −1 for the reverse, average ranks for ties", () => {
    assert.equal(spearman([1, 2, 3], [10, 20, 30]), 1);
    assert.equal(spearman([1, 2, 3], [3, 2, 1]), -1);
    assert.ok(Math.abs(spearman([1, 1, 2], [1, 2, 3]) - Math.sqrt(3) / 2) < 1e-12);
  });

  it("the LLMFAO files: 8,931 crowd votes on 2,139 pairs, 2,139 votes per GPT judge, answer lengths", () => {
    const crowd = llmfaoVotes("crowd");
    assert.equal(crowd.length, 8931);
    assert.equal(new Set(crowd.map((v) => v.pair)).size, 2139);
    assert.equal(llmfaoVotes("gpt4").length, 2139);
    assert.equal(llmfaoVotes("gpt3").length, 2139);
    assert.deepEqual(
      { ...crowd[0] },
      { pair: 0, prompt: 8, left: "Airoboros L2 70B", right: "Weaver 12k", winner: "tie", worker: 58 },
    );
    assert.ok(llmfaoAnswerLength("Airoboros L2 70B", 8) > 0);
    assert.throws(() => llmfaoAnswerLength("nobody", 8), /no answer of "nobody"/);
    assert.throws(() => llmfaoVotes("gpt5" as "gpt4"), /unknown judge "gpt5"/);
  });
});
