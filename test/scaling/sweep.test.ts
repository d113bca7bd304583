/** The sweep driver: planning, resuming from the JSON-lines file, determinism, and the committed results. */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { initBackend } from "../../src/backend";
import {
  SWEEP_MODELS,
  SWEEP_RECIPE,
  SweepRun,
  fullSweepPlan,
  planIsoflop,
  readSweepResults,
  runSweep,
  sweepParams,
} from "../../src/scaling";

const tiny = SWEEP_MODELS[0];
const data = {
  train: Array.from({ length: 20000 }, (_, i) => (i * 7 + (i >> 3)) % 256),
  val: Array.from({ length: 4000 }, (_, i) => (i * 5 + (i >> 2)) % 256),
};
const run = (id: string, steps: number): SweepRun => ({
  id,
  kind: "isoflop",
  model: tiny,
  budget: 0,
  steps,
  horizon: steps,
  evalAt: [2],
});

describe("scaling: the sweep driver", () => {
  before(async () => {
    await initBackend({ quiet: true });
  });

  it("plans C = 6·N·D per run and reads the loss at the smaller budgets' step counts", () => {
    const plan = planIsoflop(SWEEP_MODELS, [1e10, 3e10], SWEEP_RECIPE, { minSteps: 20, perBudget: 3 });
    const tokensPerStep = SWEEP_RECIPE.batchSize * SWEEP_RECIPE.contextLength;
    for (const r of plan) {
      const N = sweepParams(r.model, SWEEP_RECIPE).params;
      assert.ok(Math.abs((6 * N * r.steps * tokensPerStep) / r.budget - 1) < 0.05, r.id);
      assert.ok(r.steps >= 20 && r.evalAt[r.evalAt.length - 1] === r.steps);
    }
    for (const big of plan.filter((r) => r.budget === 3e10)) {
      const small = plan.find((r) => r.budget === 1e10 && r.model.name === big.model.name);
      if (small) assert.ok(big.evalAt.includes(small.steps), `${big.id} reads the loss at ${small.steps}`);
    }
    assert.throws(() => planIsoflop(SWEEP_MODELS, [1e3], SWEEP_RECIPE), /no model/);
  });

  it("appends one line per run, resumes where it stopped, and repeats a run exactly", async function () {
    this.timeout(300000);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sweep-"));
    const file = path.join(dir, "r.jsonl");
    const before = tf.memory().numTensors;
    const first = await runSweep({ runs: [run("a", 4)], recipe: SWEEP_RECIPE, data, file });
    assert.equal(readSweepResults(file).length, 1);
    const trained: string[] = [];
    const all = await runSweep({
      runs: [run("a", 4), run("b", 4)],
      recipe: SWEEP_RECIPE,
      data,
      file,
      onResult: (r) => {
        trained.push(r.id);
      },
    });
    assert.deepEqual(trained, ["b"], "only the missing run is trained");
    assert.deepEqual(
      all.map((r) => r.id),
      ["a", "b"],
    );
    // Same seed, same data, same steps: the same losses, bit for bit.
    assert.equal(all[1].finalValLoss, first[0].finalValLoss);
    assert.deepEqual(
      all[0].curve.map((p) => p.step),
      [2, 4],
    );
    assert.equal(all[0].flops, 6 * all[0].params * all[0].tokens);
    assert.equal(tf.memory().numTensors, before, "no tensors left behind");
    fs.appendFileSync(file, "{not json\n");
    assert.throws(() => readSweepResults(file), /r\.jsonl:3/);
    await assert.rejects(runSweep({ runs: [run("a", 4), run("a", 4)], recipe: SWEEP_RECIPE, data }), /twice/);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("the committed sweep holds every planned run", () => {
    const file = path.join(__dirname, "..", "..", "datasets", "scaling-sweep", "results.jsonl");
    const have = new Set(readSweepResults(file).map((r) => r.id));
    const missing = fullSweepPlan().filter((r) => !have.has(r.id));
    assert.deepEqual(
      missing.map((r) => r.id),
      [],
      "run `npm run scaling:sweep` to complete datasets/scaling-sweep/results.jsonl",
    );
  });
});
