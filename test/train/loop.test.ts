import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { initBackend } from "../../src/backend";
import { GPT, GPTConfig } from "../../src/model";
import { Rng } from "../../src/random";
import {
  AdamW,
  NonFiniteLossError,
  TokenBatcher,
  constantLr,
  crossEntropy,
  latestCheckpoint,
  loadCheckpoint,
  disposeCheckpoint,
  formatProgress,
  restoreLatest,
  trainLoop,
  trainStep,
  warmupCosine,
} from "../../src/train";
import { tinyConfig } from "./fixtures/tiny-models";

const cfg: GPTConfig = tinyConfig;
/** A learnable stream: a repeating pattern with some noise, from a fixed seed. */
function corpus(n: number): number[] {
  const rng = new Rng(99);
  return Array.from({ length: n }, (_, i) => (rng.next() < 0.9 ? (i * 3) % 16 : rng.int(16)));
}
const tmpDirs: string[] = [];
function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), "llm-ts-ckpt-"));
  tmpDirs.push(d);
  return d;
}

describe("train/loop", () => {
  before(async () => {
    await initBackend({ quiet: true });
  });
  after(() => tmpDirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  it("a model and its optimizer leave no tensors behind once disposed", () => {
    const before = tf.memory();
    const model = new GPT(cfg, 0);
    assert.equal(tf.memory().numTensors - before.numTensors, model.params.size, "one tensor per parameter");
    const opt = new AdamW(model.params);
    assert.equal(tf.memory().numTensors - before.numTensors, 3 * model.params.size, "weights, m and v");
    opt.dispose();
    model.dispose();
    assert.equal(tf.memory().numTensors, before.numTensors);
    assert.equal(tf.memory().numBytes, before.numBytes);
  });

  it("learns, and tf.memory().numTensors stays flat over 200 steps", async function () {
    this.timeout(120000);
    const model = new GPT(cfg, 1);
    const opt = new AdamW(model.params, { weightDecay: 0.01 });
    const data = new TokenBatcher(corpus(2000), 4, 8);
    const counts: number[] = [];
    const res = await trainLoop({
      model,
      optimizer: opt,
      schedule: warmupCosine({ maxLr: 1e-2, minLr: 1e-3, warmupSteps: 10, totalSteps: 200 }),
      train: data,
      val: data,
      evalEvery: 100,
      steps: 200,
      rng: new Rng(0),
      clipNorm: 1,
      onStep: () => {
        counts.push(tf.memory().numTensors);
      },
    });
    assert.equal(res.losses.length, 200);
    assert.equal(new Set(counts.slice(5)).size, 1, `numTensors varied: ${[...new Set(counts)].join(", ")}`);
    const first = res.losses.slice(0, 10).reduce((a, b) => a + b) / 10;
    const last = res.losses.slice(-10).reduce((a, b) => a + b) / 10;
    assert.ok(first > 2.5 && last < 1.5, `loss ${first} → ${last}`);
    assert.equal(res.evals.length, 2);
    assert.ok(res.evals[1].valLoss < 1.5, `val loss ${res.evals[1].valLoss}`);
    model.dispose();
    opt.dispose();
  });

  it("gradient accumulation over 2 micro-batches equals one batch of twice the size", () => {
    const data = new TokenBatcher(corpus(500), 2, 8);
    const big = new TokenBatcher(corpus(500), 4, 8);
    const starts = [3, 50, 100, 7];
    const run = (micro: boolean): Float32Array => {
      const model = new GPT(cfg, 2);
      const opt = new AdamW(model.params);
      const batches = micro ? [data.at(starts.slice(0, 2)), data.at(starts.slice(2))] : [big.at(starts)];
      trainStep(model, opt, batches, 1e-2);
      batches.forEach((b) => tf.dispose([b.x, b.y]));
      const w = model.param("h.0.attn.c_attn.weight").dataSync().slice() as Float32Array;
      model.dispose();
      opt.dispose();
      return w;
    };
    const a = run(true),
      b = run(false);
    let diff = 0;
    for (let i = 0; i < a.length; i++) diff = Math.max(diff, Math.abs(a[i] - b[i]));
    assert.ok(diff < 1e-5, `max diff ${diff}`);
  });

  it("resuming from a checkpoint gives the same loss curve, bit for bit", async function () {
    this.timeout(60000);
    const data = new TokenBatcher(corpus(1000), 4, 8);
    const schedule = warmupCosine({ maxLr: 1e-2, warmupSteps: 2, totalSteps: 8 });
    const run = async (steps: number, dir: string | null, resume: boolean) => {
      const model = new GPT(cfg, 3);
      const opt = new AdamW(model.params);
      const rng = new Rng(7);
      if (resume) assert.equal(restoreLatest(dir as string, model, opt, rng), 4);
      const res = await trainLoop({
        model,
        optimizer: opt,
        schedule,
        train: data,
        steps,
        rng,
        clipNorm: 1,
        accumSteps: 2,
        checkpoint: dir ? { dir, every: 2 } : undefined,
      });
      model.dispose();
      opt.dispose();
      return res.losses;
    };
    const full = await run(8, null, false);
    const dir = tmp();
    const firstHalf = await run(4, dir, false);
    const secondHalf = await run(8, dir, true);
    assert.equal(secondHalf.length, 4);
    assert.deepEqual([...firstHalf, ...secondHalf], full);
    // The checkpoint carries config, step and RNG state.
    const ck = loadCheckpoint(latestCheckpoint(dir) as string);
    assert.equal(ck.step, 8);
    assert.equal(ck.config.dModel, 16);
    assert.equal(ck.rngState.length, 4);
    disposeCheckpoint(ck);
  });

  it("stops on a NaN loss with the step number and keeps the last good checkpoint", async function () {
    this.timeout(60000);
    const model = new GPT(cfg, 4);
    const opt = new AdamW(model.params);
    const dir = tmp();
    const data = new TokenBatcher(corpus(500), 2, 8);
    let err: unknown = null;
    try {
      await trainLoop({
        model,
        optimizer: opt,
        schedule: constantLr(1e-3),
        train: data,
        steps: 10,
        rng: new Rng(1),
        checkpoint: { dir, every: 1 },
        onStep: ({ step }) => {
          if (step === 3) {
            const w = model.param("h.0.mlp.c_fc.weight");
            w.assign(tf.fill(w.shape, NaN));
          }
        },
      });
    } catch (e) {
      err = e;
    }
    assert.ok(err instanceof NonFiniteLossError, String(err));
    assert.equal(err.step, 4);
    assert.match(err.message, /step 4/);
    assert.equal(err.lastCheckpoint, latestCheckpoint(dir));
    const ck = loadCheckpoint(latestCheckpoint(dir) as string);
    assert.equal(ck.step, 3);
    assert.ok(Array.from(ck.params.get("h.0.mlp.c_fc.weight")!.dataSync()).every(Number.isFinite));
    disposeCheckpoint(ck);
    model.dispose();
    opt.dispose();
  });

  it("formats a progress line", () => {
    const line = formatProgress(
      { step: 12, loss: 2.345678, lr: 6e-4, gradNorm: 0.8123, tokens: 768, ms: 97.4, tokensPerSec: 1234.4 },
      2000,
    );
    assert.equal(line, "step   12/2000 │ loss 2.3457 │ lr 6.00e-4 │ ‖g‖ 0.812 │ 1,234 tok/s │ 97 ms/step");
  });

  it("the loss of a batch matches crossEntropy of the forward pass", () => {
    const model = new GPT(cfg, 5);
    const opt = new AdamW(model.params);
    const b = new TokenBatcher(corpus(100), 2, 8).at([0, 10]);
    const expected = tf.tidy(() => crossEntropy(model.forward(b.x), b.y).dataSync()[0]);
    const r = trainStep(model, opt, [b], 0);
    assert.equal(r.loss, expected);
    assert.ok(Math.abs(r.loss - Math.log(16)) < 0.3, `initial loss ${r.loss} ≈ log 16`);
    tf.dispose([b.x, b.y]);
    model.dispose();
    opt.dispose();
  });
});

describe("train/checkpoint atomicity", () => {
  before(async () => {
    await initBackend({ quiet: true });
  });

  it("a process killed at arbitrary moments while saving always leaves a complete latest checkpoint", async function () {
    this.timeout(60000);
    const { spawn } = await import("node:child_process");
    const fixture = path.join(__dirname, "fixtures", "save-loop.ts");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "llm-ts-crash-"));
    try {
      for (const delayMs of [0, 41]) {
        const child = spawn(process.execPath, ["--require", "tsx/cjs", fixture, dir], {
          cwd: path.join(__dirname, "..", ".."),
        });
        let out = "";
        await new Promise<void>((resolve, reject) => {
          child.stdout.on("data", (d: Buffer) => {
            out += d.toString();
            if ((out.match(/saved/g) ?? []).length >= 2) {
              setTimeout(() => child.kill("SIGKILL"), delayMs);
            }
          });
          child.on("exit", () => resolve());
          child.on("error", reject);
        });
        const latest = latestCheckpoint(dir);
        assert.ok(latest, `no checkpoint after: ${out}`);
        const ck = loadCheckpoint(latest);
        for (const [name, t] of ck.params) {
          const d = t.dataSync();
          assert.ok(
            d[0] === ck.step && d[d.length - 1] === ck.step,
            `${name} in ${latest} is from another step`,
          );
        }
        assert.equal(ck.optimizer.m.size, ck.params.size);
        disposeCheckpoint(ck);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
