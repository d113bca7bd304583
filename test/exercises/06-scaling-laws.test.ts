/**
 * Graded tasks of chapter 06. References: hand-computed values (the arithmetic is in the comments), synthetic
 * data drawn from known laws (exact and with seeded noise) whose parameters must come back, central finite
 * differences, and a second method (the numerical minimum of L along 6·N·D = C).
 */
import * as assert from "node:assert/strict";
import { loadChapter, task } from "./harness";
import { Rng } from "../../src/random";
import { closeRel as close } from "../fixtures/close";

const ch = loadChapter<typeof import("../../solutions/06-scaling-laws")>("06-scaling-laws");

task("06.logLogFit", 2, () => {
  it("fits a hand case exactly", () => {
    // y = 3·x²: (1, 3), (2, 12), (4, 48) lie on a line of slope 2 in log–log space.
    const f = ch.logLogFit([1, 2, 4], [3, 12, 48]);
    close(f.exponent, 2, 1e-12, "exponent");
    close(f.coefficient, 3, 1e-12, "coefficient");
    // Two points: y = 10 at x = 10, y = 1 at x = 100 → slope −1, k = 100.
    const g = ch.logLogFit([10, 100], [10, 1]);
    close(g.exponent, -1, 1e-12, "exponent of two points");
    close(g.coefficient, 100, 1e-10, "coefficient of two points");
  });

  it("recovers a noisy power law", () => {
    // L = 20·C^−0.05 with 1 % multiplicative noise over six decades: the exponent within ±0.003.
    const rng = new Rng(3);
    const x = Array.from({ length: 60 }, (_, i) => 10 ** (12 + (6 * i) / 59));
    const y = x.map((c) => 20 * c ** -0.05 * Math.exp(rng.normal(0, 0.01)));
    const f = ch.logLogFit(x, y);
    close(f.exponent, -0.05, 0.003, "exponent");
    close(Math.log(f.coefficient), Math.log(20), 0.05, "log coefficient");
  });

  it("names the bad row", () => {
    assert.throws(() => ch.logLogFit([1, 2, 3], [1, 0, 2]), /1/);
    assert.throws(() => ch.logLogFit([1, -2, 3], [1, 2, 2]), /1/);
    assert.throws(() => ch.logLogFit([2, 2, 2], [1, 2, 3]));
    assert.throws(() => ch.logLogFit([1], [1]));
  });
});

task("06.huber", 2, () => {
  it("computes both pieces", () => {
    close(ch.huber(0.5e-3, 1e-3), 1.25e-7, 1e-12, "inside: r²/2"); // (5e-4)²/2
    close(ch.huber(3e-3, 1e-3), 2.5e-6, 1e-12, "outside: δ(|r| − δ/2)"); // 1e-3·2.5e-3
    close(ch.huber(-3e-3, 1e-3), 2.5e-6, 1e-12, "symmetric");
    close(ch.huber(1e-3, 1e-3), 5e-7, 1e-12, "at |r| = δ: δ²/2");
    close(ch.huber(2, 1), 1.5, 1e-12, "δ = 1, r = 2");
    assert.throws(() => ch.huber(1, 0));
  });

  it("has the derivative of its value", () => {
    for (const delta of [1e-3, 0.5]) {
      for (const r of [-2, -0.7, -3e-4, 0, 2e-4, 0.3, 1.5]) {
        const h = 1e-7 * Math.max(delta, Math.abs(r));
        const fd = (ch.huber(r + h, delta) - ch.huber(r - h, delta)) / (2 * h);
        close(ch.huberGrad(r, delta), fd, 1e-6, `huberGrad(${r}, ${delta})`);
      }
    }
    close(ch.huberGrad(5, 1e-3), 1e-3, 1e-15, "clipped above");
    close(ch.huberGrad(-5, 1e-3), -1e-3, 1e-15, "clipped below");
    assert.throws(() => ch.huberGrad(1, -1));
  });
});

task("06.chinchilla", 2, () => {
  const hoffmann = { A: 406.4, B: 410.7, E: 1.69, alpha: 0.34, beta: 0.28 };
  it("evaluates the law", () => {
    // E + A/N^α + B/D^β with A = B = 1, α = β = 1, E = 1 at N = 2, D = 4: 1 + 1/2 + 1/4.
    close(ch.chinchillaLoss({ A: 1, B: 1, E: 1, alpha: 1, beta: 1 }, 2, 4), 1.75, 1e-12, "hand case");
    // Chinchilla 70B on 1.4T tokens under Hoffmann's fit: 1.69 + 406.4/(7e10)^0.34 + 410.7/(1.4e12)^0.28.
    const expected = 1.69 + 406.4 / 7e10 ** 0.34 + 410.7 / 1.4e12 ** 0.28;
    close(ch.chinchillaLoss(hoffmann, 7e10, 1.4e12), expected, 1e-12, "Chinchilla 70B");
  });

  it("finds the compute-optimal N and D", () => {
    // Symmetric law (A = B, α = β): N_opt = D_opt = √(C/6). C = 6e6 → N = D = 1000.
    const sym = ch.computeOptimal({ A: 5, B: 5, E: 1, alpha: 0.5, beta: 0.5 }, 6e6);
    close(sym.N, 1000, 1e-9, "N");
    close(sym.D, 1000, 1e-9, "D");
    close(sym.tokensPerParam, 1, 1e-9, "D/N");
    for (const C of [1e18, 5.76e23]) {
      const a = ch.computeOptimal(hoffmann, C);
      close(6 * a.N * a.D, C, 1e-9, "6·N·D = C");
      close(a.loss, ch.chinchillaLoss(hoffmann, a.N, a.D), 1e-12, "loss at the optimum");
      // A second method: the loss is higher 1 % to either side along 6ND = C.
      for (const f of [0.99, 1.01]) {
        assert.ok(ch.chinchillaLoss(hoffmann, a.N * f, C / (6 * a.N * f)) > a.loss, `not a minimum at ×${f}`);
      }
    }
    assert.throws(() => ch.computeOptimal(hoffmann, 0));
  });
});

task("06.parabola", 2, () => {
  it("finds a hand minimum", () => {
    // y = 2(x − 3)² + 1 = 19 − 12x + 2x² through x = 1, 2, 4, 5 exactly.
    const x = [1, 2, 4, 5];
    const p = ch.parabolaMinimum(
      x,
      x.map((v) => 2 * (v - 3) ** 2 + 1),
    );
    close(p.c2, 2, 1e-9, "c2");
    close(p.c1, -12, 1e-9, "c1");
    close(p.c0, 19, 1e-9, "c0");
    close(p.xMin, 3, 1e-9, "xMin");
    close(p.yMin, 1, 1e-9, "yMin");
  });

  it("recovers an IsoFLOP minimum from noisy losses", () => {
    // Loss vs log N around N* = 2e5 (log N* = 12.206): 0.08·(log N − 12.206)² + 2.5, noise σ = 0.002.
    const rng = new Rng(11);
    const logN = Array.from({ length: 9 }, (_, i) => 10.5 + (3.5 * i) / 8);
    const y = logN.map((u) => 0.08 * (u - Math.log(2e5)) ** 2 + 2.5 + rng.normal(0, 0.002));
    const p = ch.parabolaMinimum(logN, y);
    close(p.xMin, Math.log(2e5), 0.02, "log N_opt");
    close(p.yMin, 2.5, 0.003, "loss at the minimum");
  });

  it("refuses what has no minimum", () => {
    assert.throws(() => ch.parabolaMinimum([1, 2, 3], [3, 2, 1.5 - 0.5]), /minimum|bracket|curv/i);
    assert.throws(() => ch.parabolaMinimum([1, 2], [1, 2]));
    assert.throws(() => ch.parabolaMinimum([1, 1, 2, 2], [1, 1, 2, 2]));
  });
});
