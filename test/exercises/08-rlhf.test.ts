/**
 * Graded tasks of chapter 08. References: hand cases (ln 2 at equal rewards, Monte-Carlo returns at λ = 1,
 * one-step TD errors at λ = 0, the clipped cases of the PPO paper's Figure 1) and PyTorch values computed with
 * TRL's formulas in float64 (test/fixtures/torch/make_rlhf_fixtures.py → rlhf.json).
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { loadChapter, task } from "./harness";
import { closeAbs as close } from "../fixtures/close";

const ch = loadChapter<typeof import("../../solutions/08-rlhf")>("08-rlhf");

interface RlhfFixture {
  bt: { chosen: number[]; rejected: number[]; loss: number }[];
  gae: {
    rewards: number[];
    values: number[];
    gamma: number;
    lambda: number;
    advantages: number[];
    returns: number[];
  }[];
  clip: { logpNew: number[]; logpOld: number[]; advantages: number[]; clip: number; loss: number }[];
}
const FIX = JSON.parse(
  fs.readFileSync(path.join(__dirname, "..", "fixtures", "torch", "rlhf.json"), "utf8"),
) as RlhfFixture;

task("08.bradleyTerryLoss", 2, () => {
  it("is ln 2 at equal rewards and softplus(−Δ) by hand", () => {
    close(ch.bradleyTerryLoss([0.3, -2], [0.3, -2]), Math.LN2, 1e-12, "equal rewards");
    close(ch.bradleyTerryLoss([2], [0]), Math.log(1 + Math.exp(-2)), 1e-12, "Δ = 2");
    close(
      ch.bradleyTerryLoss([1, 0], [0, 1]),
      (Math.log(1 + Math.exp(-1)) + Math.log(1 + Math.exp(1))) / 2,
      1e-12,
      "mean",
    );
  });
  it("matches PyTorch's −logsigmoid, stays finite for huge differences, rejects mismatched input", () => {
    for (const c of FIX.bt) close(ch.bradleyTerryLoss(c.chosen, c.rejected), c.loss, 1e-9, "torch");
    close(ch.bradleyTerryLoss([1000], [0]), 0, 1e-12, "Δ = 1000");
    close(ch.bradleyTerryLoss([0], [1000]), 1000, 1e-9, "Δ = −1000");
    assert.throws(() => ch.bradleyTerryLoss([1, 2], [1]));
    assert.throws(() => ch.bradleyTerryLoss([], []));
  });
});

task("08.gae", 3, () => {
  it("λ = 1 gives the Monte-Carlo returns; λ = 0 the one-step TD errors", () => {
    const r = [0, 0, 1];
    const v = [0.5, 0.2, 0.4];
    const mc = ch.gae(r, v, 1, 1);
    mc.returns.forEach((x, i) => close(x, 1, 1e-12, `return ${i}`));
    const td = ch.gae(r, v, 1, 0);
    [-0.3, 0.2, 0.6].forEach((d, i) => close(td.advantages[i], d, 1e-12, `δ${i}`));
  });
  it("a 3-step case by hand (γ = 0.9, λ = 0.5)", () => {
    const g = ch.gae([0, 0, 1], [0.5, 0.2, 0.4], 0.9, 0.5);
    [-0.1265, 0.43, 0.6].forEach((a, i) => close(g.advantages[i], a, 1e-12, `A${i}`));
    [0.3735, 0.63, 1].forEach((x, i) => close(g.returns[i], x, 1e-12, `R${i}`));
  });
  it("matches TRL's compute_advantages (PyTorch fixture); rejects bad input", () => {
    for (const c of FIX.gae) {
      const g = ch.gae(c.rewards, c.values, c.gamma, c.lambda);
      c.advantages.forEach((a, i) => close(g.advantages[i], a, 1e-9, `A${i}`));
      c.returns.forEach((x, i) => close(g.returns[i], x, 1e-9, `R${i}`));
    }
    assert.throws(() => ch.gae([1, 2], [1], 1, 0.95));
    assert.throws(() => ch.gae([1], [1], 1.5, 0.95));
  });
});

task("08.clippedSurrogate", 3, () => {
  it("ratio 1 gives −mean(A)", () => {
    close(ch.clippedSurrogate([-1, -2], [-1, -2], [1, -2], 0.2), 0.5, 1e-12, "ratio 1");
  });
  it("clips gains in the advantage's direction only (PPO paper, Figure 1)", () => {
    close(ch.clippedSurrogate([Math.LN2], [0], [1], 0.2), -1.2, 1e-12, "ρ = 2, A > 0: clipped at 1 + ε");
    close(ch.clippedSurrogate([Math.LN2], [0], [-1], 0.2), 2, 1e-12, "ρ = 2, A < 0: not clipped");
    close(ch.clippedSurrogate([-Math.LN2], [0], [1], 0.2), -0.5, 1e-12, "ρ = ½, A > 0: not clipped");
    close(ch.clippedSurrogate([-Math.LN2], [0], [-1], 0.2), 0.8, 1e-12, "ρ = ½, A < 0: clipped at 1 − ε");
  });
  it("matches TRL's policy loss (PyTorch fixture)", () => {
    for (const c of FIX.clip)
      close(ch.clippedSurrogate(c.logpNew, c.logpOld, c.advantages, c.clip), c.loss, 1e-9, "torch");
  });
});
