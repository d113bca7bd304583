/**
 * Ratings: Elo's update by hand, Bradley–Terry against a published fit (Agresti's 1987 American League East
 * baseball example: log-strengths relative to Baltimore 1.58, 1.44, 1.29, 1.25, 1.11, 0.68, 0), against the MM
 * algorithm as a second method, ties as half wins, order independence, bootstrap determinism, and bad input.
 */
import * as assert from "node:assert/strict";
import {
  Comparison,
  ELO_PER_NAT,
  bootstrapRatings,
  bradleyTerry,
  btLogLikelihood,
  btMMStep,
  eloUpdate,
  fromLeftRight,
  onlineElo,
  pairCounts,
  percentileBootstrap,
  ranksOf,
  winRateMatrix,
} from "../../src/eval";
import { llmfaoVotes } from "../../src/corpora";
import { Rng } from "../../src/random";
import { TEAMS, WINS } from "../fixtures/baseball";

function baseball(): Comparison[] {
  const votes: Comparison[] = [];
  for (let i = 0; i < 7; i++)
    for (let j = 0; j < 7; j++)
      for (let k = 0; k < WINS[i][j]; k++) votes.push({ a: TEAMS[i], b: TEAMS[j], winner: "a" });
  return new Rng(3).shuffle(votes);
}

describe("eval/ratings", () => {
  it("one Elo update by hand (K = 4, base 10, scale 400)", () => {
    assert.deepEqual(eloUpdate(1000, 1000, 1), [1002, 998]);
    const [a, b] = eloUpdate(1200, 1000, 0.5);
    const e = 1 / (1 + 10 ** (-200 / 400)); // 0.7597469…
    assert.ok(Math.abs(a - (1200 + 4 * (0.5 - e))) < 1e-12 && Math.abs(a - 1198.961012) < 1e-6);
    assert.ok(Math.abs(a + b - 2200) < 1e-12);
    assert.throws(() => eloUpdate(1000, 1000, 2), /score must be in \[0, 1\]/);
  });

  it("online Elo replays the votes in order from 1000", () => {
    const r = onlineElo([
      { a: "x", b: "y", winner: "a" },
      { a: "y", b: "x", winner: "tie" },
    ]);
    const [x1, y1] = eloUpdate(1000, 1000, 1);
    const [y2, x2] = eloUpdate(y1, x1, 0.5);
    assert.deepEqual(r.models, ["x", "y"]);
    assert.deepEqual(r.rating, [x2, y2]);
  });

  it("Bradley–Terry reproduces Agresti's published baseball fit", () => {
    const fit = bradleyTerry(baseball(), { models: TEAMS });
    const rel = fit.theta.map((t) => t - fit.theta[6]);
    [1.58, 1.44, 1.29, 1.25, 1.11, 0.68, 0].forEach((v, i) =>
      assert.ok(Math.abs(rel[i] - v) < 0.006, `${TEAMS[i]}: ${rel[i]}`),
    );
    assert.ok(fit.converged);
    assert.equal(fit.anchor, "mean of 7 models = 1000");
    const mean = fit.rating.reduce((a, b) => a + b, 0) / 7;
    assert.ok(Math.abs(mean - 1000) < 1e-9);
    assert.ok(Math.abs(fit.rating[0] - fit.rating[6] - ELO_PER_NAT * rel[0]) < 1e-9);
    const anchored = bradleyTerry(baseball(), { anchor: { model: "Baltimore", rating: 1500 } });
    assert.ok(Math.abs(anchored.rating[anchored.models.indexOf("Baltimore")] - 1500) < 1e-9);
  });

  it("agrees with the MM algorithm (a second method), and MM never lowers the likelihood", () => {
    const c = pairCounts(baseball(), TEAMS);
    let theta = new Array<number>(7).fill(0);
    let ll = btLogLikelihood(theta, c.wins);
    for (let i = 0; i < 500; i++) {
      theta = btMMStep(theta, c.wins);
      const next = btLogLikelihood(theta, c.wins);
      assert.ok(next >= ll - 1e-9);
      ll = next;
    }
    const fit = bradleyTerry(baseball(), { models: TEAMS });
    theta.forEach((t, i) => assert.ok(Math.abs(t - fit.theta[i]) < 1e-6));
    assert.ok(Math.abs(ll - fit.logLikelihood) < 1e-8);
  });

  it("a tie counts as half a win for each side; the fit ignores the order of the votes", () => {
    const base: Comparison[] = [
      { a: "p", b: "q", winner: "a" },
      { a: "q", b: "r", winner: "a" },
      { a: "r", b: "p", winner: "a" },
      { a: "p", b: "r", winner: "a" },
    ];
    const withTies = bradleyTerry([
      ...base,
      { a: "p", b: "q", winner: "tie" },
      { a: "q", b: "p", winner: "tie" },
    ]);
    const asWins = bradleyTerry([...base, { a: "p", b: "q", winner: "a" }, { a: "p", b: "q", winner: "b" }]);
    withTies.rating.forEach((r, i) => assert.ok(Math.abs(r - asWins.rating[i]) < 1e-9));
    const votes = fromLeftRight(llmfaoVotes("crowd"));
    const shuffled = new Rng(1).shuffle([...votes]);
    const a = bradleyTerry(votes);
    const b = bradleyTerry(shuffled, { models: a.models });
    a.rating.forEach((r, i) => assert.ok(Math.abs(r - b.rating[i]) < 1e-9));
    const e1 = onlineElo(votes);
    const e2 = onlineElo(shuffled, { models: e1.models });
    assert.ok(
      Math.max(...e1.rating.map((r, i) => Math.abs(r - e2.rating[i]))) > 1,
      "online Elo depends on the order",
    );
  });

  it("a model that never lost is flagged and stops where the iteration limit leaves it", () => {
    const votes: Comparison[] = [
      { a: "champ", b: "x", winner: "a" },
      { a: "champ", b: "y", winner: "a" },
      { a: "x", b: "y", winner: "a" },
      { a: "y", b: "x", winner: "a" },
    ];
    const fit = bradleyTerry(votes);
    assert.deepEqual(fit.unbounded, [{ model: "champ", side: "never lost" }]);
    assert.equal(fit.converged, false);
    assert.ok(fit.rating[0] > fit.rating[1] + 1000 && Number.isFinite(fit.rating[0]));
    // the bounded models still get the mean anchor
    assert.ok(Math.abs((fit.rating[1] + fit.rating[2]) / 2 - 1000) < 1e-9);
  });

  it("bad input: unknown model, model without votes, unknown winner, separate groups", () => {
    const v: Comparison[] = [{ a: "x", b: "y", winner: "a" }];
    assert.throws(() => bradleyTerry(v, { models: ["x"] }), /names "y", which is not in the list/);
    assert.throws(() => bradleyTerry(v, { models: ["x", "y", "z"] }), /"z" has no votes/);
    assert.throws(
      () => bradleyTerry([{ a: "x", b: "y", winner: "left" as "a" }]),
      /winner must be "a", "b" or "tie", got "left"/,
    );
    assert.throws(() => fromLeftRight([{ left: "x", right: "y", winner: "draw" }]), /got "draw"/);
    assert.throws(() => onlineElo([{ a: "x", b: "x", winner: "a" }]), /against itself/);
    assert.throws(() => bradleyTerry([...v, { a: "p", b: "q", winner: "tie" }]), /separate groups/);
    assert.throws(() => bradleyTerry(v, { anchor: { model: "nobody" } }), /anchor model "nobody"/);
  });

  it("win-rate matrix, ranks, and a seeded bootstrap with intervals", () => {
    const m = winRateMatrix(baseball(), TEAMS);
    assert.ok(Math.abs(m.rate[0][6] - 11 / 13) < 1e-12);
    assert.equal(m.games[0][6], 13);
    assert.ok(Number.isNaN(m.rate[0][0]));
    assert.deepEqual(ranksOf([3, 5, 5, 1]), [3, 1, 1, 4]);
    const a = bootstrapRatings(baseball(), { rounds: 200, seed: 7, models: TEAMS });
    const b = bootstrapRatings(baseball(), { rounds: 200, seed: 7, models: TEAMS });
    assert.deepEqual(a.leaderboard, b.leaderboard);
    assert.deepEqual(
      a.leaderboard.map((r) => [r.low, r.high]),
      b.leaderboard.map((r) => [r.low, r.high]),
    );
    for (const r of a.leaderboard) {
      assert.ok(r.low <= r.rating && r.rating <= r.high, `${r.model}: ${r.low} ≤ ${r.rating} ≤ ${r.high}`);
      assert.ok(r.rankLow <= r.rank && r.rank <= r.rankHigh);
    }
    assert.equal(a.leaderboard[0].model, "Milwaukee");
    assert.equal(a.samples.length, 200);
    const elo = bootstrapRatings(baseball(), { rounds: 20, seed: 1, method: "elo", models: TEAMS });
    assert.equal(elo.samples.length, 20);
  });

  it("percentile bootstrap of a mean: seeded, and close to mean ± 1.96·s/√n", () => {
    const rng = new Rng(5);
    const x = Array.from({ length: 400 }, () => rng.normal(10, 2));
    const mean = (v: number[]): number => v.reduce((a, b) => a + b, 0) / v.length;
    const r = percentileBootstrap(x, mean, { rounds: 2000, seed: 1 });
    assert.deepEqual(r, percentileBootstrap(x, mean, { rounds: 2000, seed: 1 }));
    assert.equal(r.estimate, mean(x));
    const half = (1.96 * 2) / Math.sqrt(400);
    assert.ok(
      Math.abs(r.low - (r.estimate - half)) < 0.04 && Math.abs(r.high - (r.estimate + half)) < 0.04,
      JSON.stringify(r),
    );
    assert.deepEqual(percentileBootstrap([3, 3, 3], mean, { rounds: 10 }), { estimate: 3, low: 3, high: 3 });
  });
});
