/**
 * Power-law fits, the Chinchilla fit and IsoFLOP analysis on synthetic data from known laws, and Hoffmann's
 * procedure on Epoch's 240 Chinchilla points against the published figures (within 1 %).
 */
import * as assert from "node:assert/strict";
import { chinchillaEpochRuns, chinchillaRuns, parseChinchillaCsv } from "../../src/corpora";
import { Rng } from "../../src/random";
import {
  EPOCH_2024,
  bootstrapPowerLaw,
  chinchillaLoss,
  computeOptimal,
  computeOptimalNumeric,
  fitChinchilla,
  fitPowerLaw,
  hoffmannGrid,
  huberObjective,
  isoflopAnalysis,
  lossEnvelope,
} from "../../src/scaling";

const rel = (a: number, b: number): number => Math.abs(a - b) / Math.abs(b);

describe("scaling: power laws", () => {
  it("gives standard errors that cover the truth and a seeded bootstrap", () => {
    const rng = new Rng(5);
    const x = Array.from({ length: 30 }, (_, i) => 1e3 * 1.3 ** i);
    const y = x.map((v) => 7 * v ** 0.4 * Math.exp(rng.normal(0, 0.05)));
    const f = fitPowerLaw(x, y);
    assert.ok(Math.abs(f.exponent - 0.4) < 3 * f.exponentSE, `${f.exponent} ± ${f.exponentSE}`);
    assert.ok(f.exponentSE > 0.001 && f.exponentSE < 0.01, `SE ${f.exponentSE}`);
    const b1 = bootstrapPowerLaw(x, y, { resamples: 300, seed: 1 });
    const b2 = bootstrapPowerLaw(x, y, { resamples: 300, seed: 1 });
    assert.deepEqual(b1.exponent, b2.exponent);
    assert.ok(b1.exponent.low < 0.4 && b1.exponent.high > 0.4, JSON.stringify(b1.exponent));
  });

  it("names a non-positive row and refuses too few points", () => {
    assert.throws(() => fitPowerLaw([1, 2, 3], [1, 2, -1]), /row 2/);
    assert.throws(() => fitPowerLaw([1, 2], [1, 2]), /at least 3/);
  });
});

describe("scaling: the Chinchilla law", () => {
  it("closed-form allocation equals the numerical minimum along 6ND = C", () => {
    for (const C of [1e15, 1e21, 5.76e23]) {
      const a = computeOptimal(EPOCH_2024, C);
      const b = computeOptimalNumeric(EPOCH_2024, C);
      assert.ok(rel(a.N, b.N) < 1e-5, `N ${a.N} vs ${b.N}`);
      assert.ok(rel(a.D, b.D) < 1e-5, `D ${a.D} vs ${b.D}`);
    }
  });

  it("the Huber objective's gradient matches finite differences", () => {
    const fg = huberObjective(chinchillaEpochRuns().slice(0, 40));
    const t = Float64Array.from([6, 7.5, 0.6, 0.35, 0.37]);
    const g = new Float64Array(5);
    fg(t, g);
    for (let i = 0; i < 5; i++) {
      const h = 1e-6;
      const tp = Float64Array.from(t);
      const tm = Float64Array.from(t);
      tp[i] += h;
      tm[i] -= h;
      const fd = (fg(tp, new Float64Array(5)) - fg(tm, new Float64Array(5))) / (2 * h);
      assert.ok(Math.abs(g[i] - fd) < 1e-6 * (1 + Math.abs(fd)), `∂${i}: ${g[i]} vs ${fd}`);
    }
  });

  it("recovers a known law from noisy synthetic runs", () => {
    const truth = { A: 400, B: 1500, E: 1.8, alpha: 0.34, beta: 0.36 };
    const rng = new Rng(9);
    const points = [];
    for (let i = 0; i < 8; i++)
      for (let j = 0; j < 8; j++) {
        const N = 1e7 * 4 ** i;
        const D = 1e9 * 2.5 ** j;
        points.push({ N, D, loss: chinchillaLoss(truth, N, D) * Math.exp(rng.normal(0, 0.003)) });
      }
    const fit = fitChinchilla(points, { starts: hoffmannGrid().filter((_, k) => k % 9 === 0) });
    assert.ok(Math.abs(fit.params.alpha - 0.34) < 0.03, `α ${fit.params.alpha}`);
    assert.ok(Math.abs(fit.params.beta - 0.36) < 0.03, `β ${fit.params.beta}`);
    assert.ok(Math.abs(fit.params.E - 1.8) < 0.03, `E ${fit.params.E}`);
  });

  it("refuses bad points and says when nothing converged", () => {
    const ok = [1, 2, 3, 4, 5].map((k) => ({ N: 1e6 * k, D: 1e8 * k, loss: 3 - 0.1 * k }));
    assert.throws(() => fitChinchilla([...ok, { N: 0, D: 1e9, loss: 2 }]), /row 5.*N/);
    assert.throws(() => fitChinchilla([...ok.slice(0, 4), { N: 1e6, D: 1e9, loss: -1 }]), /row 4.*loss/);
    assert.throws(() => fitChinchilla(ok.slice(0, 3)), /at least 5/);
    assert.throws(
      () => fitChinchilla(ok, { starts: [[0, 0, 0, 1, 1]], lbfgs: { maxIterations: 1 } }),
      /converged/,
    );
  });
});

describe("scaling: replication on Epoch's Chinchilla points", () => {
  it("loads 245 runs and keeps 240 as Epoch does", () => {
    assert.equal(chinchillaRuns().length, 245);
    const kept = chinchillaEpochRuns();
    assert.equal(kept.length, 240);
    for (const r of chinchillaRuns()) assert.ok(Math.abs((6 * r.N * r.D) / r.C - 1) < 1e-12);
    assert.throws(() => parseChinchillaCsv("Model Size,Training FLOP,loss\n1,2,-3\n"), /:2:/);
    assert.throws(() => parseChinchillaCsv("size,flop,loss\n1,2,3\n"), /Model Size/);
  });

  it("Hoffmann's procedure reproduces α, β, E of the published re-run within 1 %", function () {
    this.timeout(300000);
    // Every 5th start of the 4,500-start grid (900 starts) keeps the test short; the benchmark runs all.
    const fit = fitChinchilla(chinchillaEpochRuns(), {
      starts: hoffmannGrid().filter((_, k) => k % 5 === 0),
    });
    const p = fit.params;
    assert.ok(rel(p.alpha, 0.3473) < 0.01, `α ${p.alpha}`);
    assert.ok(rel(p.beta, 0.3672) < 0.01, `β ${p.beta}`);
    assert.ok(rel(p.E, 1.8172) < 0.01, `E ${p.E}`);
    assert.ok(
      rel(p.alpha, EPOCH_2024.alpha) < 0.01 &&
        rel(p.beta, EPOCH_2024.beta) < 0.01 &&
        rel(p.E, EPOCH_2024.E) < 0.01,
    );
    assert.ok(rel(p.A, 477.8) < 0.05 && rel(p.B, 2144) < 0.05, `A ${p.A}, B ${p.B}`);
  });
});

describe("scaling: IsoFLOP and envelope", () => {
  it("recovers N_opt ∝ C^a from runs of a known law", () => {
    const law = { A: 400, B: 400, E: 1.5, alpha: 0.3, beta: 0.3 }; // a = b = 0.5
    const runs = [];
    for (const C of [1e18, 1e19, 1e20, 1e21]) {
      const n0 = computeOptimal(law, C).N;
      for (const f of [0.25, 0.5, 1, 2, 4]) {
        const N = n0 * f;
        const D = C / (6 * N);
        runs.push({ N, D, budget: C, loss: chinchillaLoss(law, N, D) });
      }
    }
    const r = isoflopAnalysis(runs);
    assert.ok(r.nFit && r.dFit);
    assert.ok(Math.abs(r.nFit.exponent - 0.5) < 0.01, `a ${r.nFit.exponent}`);
    assert.ok(Math.abs(r.dFit.exponent - 0.5) < 0.01, `b ${r.dFit.exponent}`);
    for (const c of r.curves) assert.ok(c.bracketed && rel(c.Nopt, computeOptimal(law, c.budget).N) < 0.05);
  });

  it("says which budget brackets no minimum", () => {
    // Concave in log N (2.9, 2.85, 2.6): no minimum between the sizes.
    const runs = [2.9, 2.85, 2.6].map((loss, k) => ({ N: 1e5 * 2 ** k, D: 1e6, budget: 1e12, loss }));
    assert.throws(() => isoflopAnalysis(runs), /C = 1\.00e\+12.*bracket/);
  });

  it("the envelope takes the lowest curve at each FLOP count", () => {
    const env = lossEnvelope(
      [
        { run: "small", N: 1, flops: 1, loss: 3 },
        { run: "small", N: 1, flops: 10, loss: 2.5 },
        { run: "big", N: 5, flops: 5, loss: 3.2 },
        { run: "big", N: 5, flops: 100, loss: 2 },
      ],
      3,
    );
    assert.deepEqual(
      env.map((e) => [e.run, e.loss]),
      [
        ["small", 3],
        ["small", 2.5],
        ["big", 2],
      ],
    );
  });
});
