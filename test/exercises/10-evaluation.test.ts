/**
 * Graded tasks of chapter 10. References: hand-computed values (the arithmetic is in the comments), Agresti's
 * published Bradley–Terry fit of the 1987 American League East (log-strengths relative to Baltimore 1.58, 1.44, 1.29,
 * 1.25, 1.11, 0.68, 0) reached by iterating the MM step, the textbook κ example (κ = 0.4), and an independent
 * bootstrap written out in the test.
 */
import * as assert from "node:assert/strict";
import { loadChapter, task } from "./harness";
import { Rng } from "../../src/random";
import { WINS } from "../fixtures/baseball";
import { closeAbs as close } from "../fixtures/close";

const ch = loadChapter<typeof import("../../solutions/10-evaluation")>("10-evaluation");

task("10.eloUpdate", 2, () => {
  it("equal ratings: the winner gains K/2 = 2", () => {
    const [a, b] = ch.eloUpdate(1000, 1000, 1);
    close(a, 1002, 1e-12, "winner");
    close(b, 998, 1e-12, "loser");
  });
  it("a tie against a weaker player costs the stronger one; the sum is kept; other constants", () => {
    // E_a = 1 / (1 + 10^(−200/400)) = 0.759746927; ra' = 1200 + 4·(0.5 − 0.759746927) = 1198.961012.
    const [a, b] = ch.eloUpdate(1200, 1000, 0.5);
    close(a, 1198.961012, 1e-6, "ra'");
    close(b, 1001.038988, 1e-6, "rb'");
    // K = 32, base e, scale 1: E_a = σ(1) = 0.731058579; loss → ra' = 1 − 32·0.731058579.
    const [c, d] = ch.eloUpdate(1, 0, 0, { k: 32, base: Math.E, scale: 1 });
    close(c, 1 - 32 * 0.731058579, 1e-6, "ra' (K = 32, base e)");
    close(d, 32 * 0.731058579, 1e-6, "rb' (K = 32, base e)");
    assert.throws(() => ch.eloUpdate(1000, 1000, 1.5));
  });
});

task("10.btLogLikelihood", 2, () => {
  it("hand values", () => {
    // Equal strengths: every game has probability ½ → 13·21 games · log ½.
    close(ch.btLogLikelihood(new Array(7).fill(0), WINS), 273 * Math.log(0.5), 1e-9, "θ = 0");
    // Two models, 3 wins of a and 1 of b at θ = (1, 0): 3·log σ(1) + 1·log σ(−1).
    const s = (x: number): number => 1 / (1 + Math.exp(-x));
    close(
      ch.btLogLikelihood(
        [1, 0],
        [
          [0, 3],
          [1, 0],
        ],
      ),
      3 * Math.log(s(1)) + Math.log(s(-1)),
      1e-12,
      "two models",
    );
  });
  it("stays finite for huge differences", () => {
    const ll = ch.btLogLikelihood(
      [800, 0],
      [
        [0, 1],
        [1, 0],
      ],
    );
    close(ll, -800, 1e-9, "log σ(−800) ≈ −800");
    assert.throws(() => ch.btLogLikelihood([0], WINS));
  });
});

task("10.btMMStep", 3, () => {
  it("one step by hand", () => {
    // Two models, a won 3 of 4 against b, from θ = 0: p_a' = 3 / (4/2) = 1.5, p_b' = 1 / 2 = 0.5 → log, centred.
    const t = ch.btMMStep(
      [0, 0],
      [
        [0, 3],
        [1, 0],
      ],
    );
    const la = Math.log(1.5);
    const lb = Math.log(0.5);
    close(t[0], la - (la + lb) / 2, 1e-12, "θ_a");
    close(t[1], lb - (la + lb) / 2, 1e-12, "θ_b");
  });
  it("iterated, it reaches Agresti's published fit", () => {
    let theta = new Array<number>(7).fill(0);
    for (let i = 0; i < 300; i++) theta = ch.btMMStep(theta, WINS);
    const rel = theta.map((t) => t - theta[6]);
    [1.58, 1.44, 1.29, 1.25, 1.11, 0.68, 0].forEach((v, i) => close(rel[i], v, 0.006, `team ${i}`));
    close(
      theta.reduce((a, b) => a + b, 0),
      0,
      1e-9,
      "mean θ",
    );
  });
});

task("10.percentileBootstrap", 3, () => {
  const mean = (v: number[]): number => v.reduce((a, b) => a + b, 0) / v.length;
  it("matches a bootstrap written out here (same generator, same order of draws)", () => {
    const values = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9];
    const rng = new Rng(11);
    const stats: number[] = [];
    for (let r = 0; r < 500; r++) {
      const sample: number[] = [];
      for (let i = 0; i < values.length; i++) sample.push(values[rng.int(values.length)]);
      stats.push(mean(sample));
    }
    stats.sort((a, b) => a - b);
    const at = (p: number): number => {
      const h = (stats.length - 1) * p;
      const lo = Math.floor(h);
      return stats[lo] + (h - lo) * (stats[Math.min(lo + 1, stats.length - 1)] - stats[lo]);
    };
    const r = ch.percentileBootstrap(values, mean, { rounds: 500, seed: 11, level: 0.9 });
    close(r.estimate, mean(values), 1e-12, "estimate");
    close(r.low, at(0.05), 1e-12, "low");
    close(r.high, at(0.95), 1e-12, "high");
  });
  it("defaults, a constant sample, bad level", () => {
    const r = ch.percentileBootstrap([2, 2, 2, 2], mean);
    assert.deepEqual(r, { estimate: 2, low: 2, high: 2 });
    assert.throws(() => ch.percentileBootstrap([1, 2], mean, { level: 1.5 }));
  });
});

task("10.bitsPerByte", 1, () => {
  it("hand values", () => {
    // ln 2 nats per token = 1 bit per token; 10 tokens over 5 bytes → 2 bits per byte.
    close(ch.bitsPerByte(Math.LN2, 10, 5), 2, 1e-12, "1 bit/token, 2 tokens/byte");
    // 3 nats/token, 250 tokens, 1000 bytes: 750 nats = 1082.02 bits → 1.08202 bits per byte.
    close(ch.bitsPerByte(3, 250, 1000), 750 / Math.LN2 / 1000, 1e-12, "3 nats/token");
    assert.throws(() => ch.bitsPerByte(1, 0, 5));
    assert.throws(() => ch.bitsPerByte(-1, 3, 5));
  });
});

task("10.cohenKappa", 2, () => {
  it("the textbook example gives 0.4", () => {
    // 50 items: yes/yes 20, yes/no 5, no/yes 10, no/no 15 → p_o = 0.7, p_e = 0.5·0.6 + 0.5·0.4 = 0.5 → κ = 0.4.
    const a = [...Array<string>(25).fill("yes"), ...Array<string>(25).fill("no")];
    const b = [
      ...Array<string>(20).fill("yes"),
      ...Array<string>(5).fill("no"),
      ...Array<string>(10).fill("yes"),
      ...Array<string>(15).fill("no"),
    ];
    close(ch.cohenKappa(a, b), 0.4, 1e-12, "κ");
  });
  it("three labels, perfect agreement, chance, undefined, bad input", () => {
    // left/right/tie: p_o = 4/6; p_a = (3, 2, 1)/6, p_b = (3, 3, 0)/6 → p_e = (9 + 6 + 0)/36 = 15/36 → κ = 9/21.
    const a = ["left", "left", "left", "right", "right", "tie"];
    const b = ["left", "left", "right", "right", "right", "left"];
    close(ch.cohenKappa(a, b), 9 / 21, 1e-12, "κ with three labels");
    close(ch.cohenKappa(["x", "y", "x"], ["x", "y", "x"]), 1, 1e-12, "perfect");
    assert.ok(Number.isNaN(ch.cohenKappa(["x", "x"], ["x", "x"])), "p_e = 1 → NaN");
    assert.throws(() => ch.cohenKappa(["x"], ["x", "y"]));
    assert.throws(() => ch.cohenKappa([], []));
  });
});
