/**
 * The async forms that WebGPU pages use (`trainStepAsync`, `generateAsync`) against the synchronous ones on
 * WASM: the same losses, weights and tokens. (`npm run check:webgpu` runs them on WebGPU in Chromium.)
 */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import { initBackend } from "../../src/backend";
import { GPT, generate, generateAsync } from "../../src/model";
import { AdamW, trainStep, trainStepAsync } from "../../src/train";
import { tinyConfig, tinyGpt2Config } from "../train/fixtures/tiny-models";

describe("browser: async training step and generation", () => {
  before(async () => {
    await initBackend({ force: "wasm", quiet: true });
  });

  it("trainStepAsync gives trainStep's losses and weights (2 micro-batches, clipping)", async () => {
    for (const cfg of [tinyConfig, tinyGpt2Config]) {
      const batches = [0, 1].map((k) => ({
        x: tf.tensor2d([[1, 2, 3, 4, 5, 6, 7, 8].map((t) => (t * (k + 3)) % 16)], undefined, "int32"),
        y: tf.tensor2d([[2, 3, 4, 5, 6, 7, 8, 9].map((t) => (t * (k + 5)) % 16)], undefined, "int32"),
      }));
      const [a, b] = [new GPT(cfg, 3), new GPT(cfg, 3)];
      const [oa, ob] = [new AdamW(a.params), new AdamW(b.params)];
      const before = tf.memory().numTensors;
      for (let s = 0; s < 3; s++) {
        const ra = trainStep(a, oa, batches, 1e-2, { clipNorm: 0.5 });
        const rb = await trainStepAsync(b, ob, batches, 1e-2, { clipNorm: 0.5 });
        assert.ok(Math.abs(ra.loss - rb.loss) < 1e-6, `step ${s}: ${ra.loss} vs ${rb.loss}`);
        assert.ok(Math.abs(ra.gradNorm - rb.gradNorm) < 1e-5);
      }
      assert.equal(tf.memory().numTensors, before);
      for (const [name, p] of a.params) {
        const d = tf.tidy(() => tf.max(tf.abs(tf.sub(p, b.param(name)))).dataSync()[0]);
        assert.ok(d < 1e-6, `${name} differs by ${d}`);
      }
      [a, b].forEach((m) => m.dispose());
      [oa, ob].forEach((o) => o.dispose());
      batches.forEach((x) => tf.dispose([x.x, x.y]));
    }
  });

  it("generateAsync gives generate's tokens, with and without the cache, and frees its cache", async () => {
    const m = new GPT(tinyGpt2Config, 5);
    const before = tf.memory().numTensors;
    for (const useCache of [true, false]) {
      const opts = { maxNewTokens: 12, temperature: 0.8, seed: 4, useCache };
      assert.deepEqual(await generateAsync(m, [1, 2], opts), generate(m, [1, 2], opts));
    }
    assert.equal(tf.memory().numTensors, before);
    m.dispose();
  });
});
