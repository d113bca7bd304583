import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { initBackend } from "../../src/backend";
import { GPT, GPTConfig } from "../../src/model";
import { Rng } from "../../src/random";
import {
  AdamW,
  Batch,
  DataParallel,
  TokenBatcher,
  restoreLatest,
  shardCounts,
  splitBatch,
  trainLoop,
  trainStep,
  warmupCosine,
} from "../../src/train";
import { tinyConfig, tinyGpt2Config } from "./fixtures/tiny-models";

const cfg: GPTConfig = tinyConfig;
const gpt2Style: GPTConfig = tinyGpt2Config;

function corpus(n: number): number[] {
  const rng = new Rng(99);
  return Array.from({ length: n }, (_, i) => (rng.next() < 0.9 ? (i * 3) % 16 : rng.int(16)));
}

function weights(model: GPT): Map<string, Float32Array> {
  return new Map([...model.params].map(([k, v]) => [k, v.dataSync().slice() as Float32Array]));
}

function maxDiff(a: Map<string, Float32Array>, b: Map<string, Float32Array>): number {
  let d = 0;
  for (const [k, x] of a) {
    const y = b.get(k) as Float32Array;
    for (let i = 0; i < x.length; i++) d = Math.max(d, Math.abs(x[i] - y[i]));
  }
  return d;
}

const disposeAll = (bs: Batch[]): void => bs.forEach((b) => tf.dispose([b.x, b.y]));

describe("train/parallel", () => {
  // One worker thread for the whole suite: starting one costs a second or two under tsx.
  let model: GPT;
  let dp: DataParallel;
  const data = new TokenBatcher(corpus(600), 3, 8);
  before(async () => {
    await initBackend({ quiet: true });
    model = new GPT(cfg, 2);
    dp = await DataParallel.create(model, { workers: 2 });
  });
  after(async () => {
    await dp.dispose();
    model.dispose();
  });

  it("shardCounts: contiguous runs, extras to the workers, this thread never idle", () => {
    assert.deepEqual(shardCounts(1, 2), [1, 0]);
    assert.deepEqual(shardCounts(2, 2), [1, 1]);
    assert.deepEqual(shardCounts(3, 2), [1, 2]);
    assert.deepEqual(shardCounts(4, 2), [2, 2]);
    assert.deepEqual(shardCounts(2, 3), [1, 1, 0]);
    assert.deepEqual(shardCounts(7, 3), [2, 3, 2]);
  });

  it("splitBatch cuts rows into equal parts and rejects an uneven split", () => {
    const b = data.at([0, 5, 9]);
    const whole = new TokenBatcher(corpus(600), 1, 8);
    const parts = splitBatch(b, 3);
    parts.forEach((p, i) => {
      const one = whole.at([[0, 5, 9][i]]);
      assert.deepEqual(p.x.arraySync(), one.x.arraySync());
      assert.deepEqual(p.y.arraySync(), one.y.arraySync());
      disposeAll([one]);
    });
    assert.throws(() => splitBatch(b, 2), /3 rows do not split into 2 equal parts/);
    disposeAll([b, ...parts]);
  });

  for (const micro of [2, 3]) {
    it(`with 2 threads, ${micro} micro-batches give the same update as trainStep, bit for bit`, async () => {
      // The reference: a second model with the same weights, trained on this thread alone.
      const ref = new GPT(cfg, 0);
      ref.setParams(model.params);
      const optA = new AdamW(model.params);
      const optB = new AdamW(ref.params);
      const before = weights(model);
      for (let s = 0; s < 2; s++) {
        const rng = new Rng(10 + s);
        const bs = Array.from({ length: micro }, () => data.sample(rng));
        const a = await dp.step(optA, bs, 1e-2, { clipNorm: 0.5 });
        const b = trainStep(ref, optB, bs, 1e-2, { clipNorm: 0.5 });
        disposeAll(bs);
        assert.equal(a.loss, b.loss);
        assert.equal(a.gradNorm, b.gradNorm);
        assert.ok(a.gradNorm > 0.5, "clipping was exercised");
      }
      const after = weights(model);
      assert.ok(maxDiff(before, after) > 1e-3, "the update moved the weights");
      // Tolerance 0, stricter than the 1e-6 one might allow: each thread runs the same single-threaded
      // kernels on the same float32 bits, and the gradients are summed in the same order as trainStep sums
      // them, so nothing differs — any difference would mean a worker used other weights or another order.
      assert.equal(maxDiff(after, weights(ref)), 0);
      ref.dispose();
      optA.dispose();
      optB.dispose();
    });
  }

  it("an error inside a worker surfaces with the worker and micro-batch, and the model is left unchanged", async () => {
    const opt = new AdamW(model.params);
    const good = data.at([1, 2, 3]);
    const bad: Batch = {
      x: tf.tensor2d([[0, 1, 99, 2, 3, 4, 5, 6]], [1, 8], "int32"),
      y: tf.zeros([1, 8], "int32") as tf.Tensor2D,
    };
    const before = weights(model);
    const n0 = tf.memory().numTensors;
    await assert.rejects(
      dp.step(opt, [good, bad], 1e-2),
      /DataParallel: worker 1 failed on micro-batch 1: GPT\.forward: token id 99 .*outside \[0, vocabSize=16\)/,
    );
    assert.equal(tf.memory().numTensors, n0, "no tensors left behind on this thread");
    assert.equal(maxDiff(before, weights(model)), 0);
    assert.equal(opt.step, 0);
    const floats = { x: tf.cast(good.x, "float32"), y: good.y } as Batch;
    await assert.rejects(
      dp.step(opt, [good, floats], 1e-2),
      /micro-batch 1: x must be int32 \[batch, time\]/,
    );
    tf.dispose(floats.x);
    // The worker stays usable.
    const r = await dp.step(opt, [good, good], 1e-2);
    assert.ok(Number.isFinite(r.loss));
    assert.deepEqual(await dp.workerTensorCounts(), [model.params.size]);
    disposeAll([good, bad]);
    opt.dispose();
  });

  it("numTensors stays flat over 20 steps on both threads", async () => {
    const opt = new AdamW(model.params);
    const rng = new Rng(3);
    const mine: number[] = [];
    const theirs: number[] = [];
    for (let s = 0; s < 20; s++) {
      const bs = [data.sample(rng), data.sample(rng), data.sample(rng)];
      await dp.step(opt, bs, 1e-3, { clipNorm: 1 });
      disposeAll(bs);
      mine.push(tf.memory().numTensors);
      theirs.push(...(await dp.workerTensorCounts()));
    }
    assert.equal(new Set(mine).size, 1, `this thread: ${[...new Set(mine)].join(", ")}`);
    assert.deepEqual([...new Set(theirs)], [model.params.size], "the worker holds only its replica");
    opt.dispose();
  });

  it("trainLoop with workers: 2 follows workers: 1 (bit for bit with whole micro-batches), and resumes bit for bit", async function () {
    this.timeout(60000);
    const lm = new TokenBatcher(corpus(1000), 4, 8);
    const schedule = warmupCosine({ maxLr: 1e-2, warmupSteps: 2, totalSteps: 6 });
    const run = async (
      workers: number,
      steps: number,
      dir: string | null,
      resume: boolean,
      accumSteps = 1,
    ) => {
      const m = new GPT(gpt2Style, 3);
      const opt = new AdamW(m.params);
      const rng = new Rng(7);
      if (resume) assert.equal(restoreLatest(dir as string, m, opt, rng), 3);
      const res = await trainLoop({
        model: m,
        optimizer: opt,
        schedule,
        train: lm,
        steps,
        rng,
        clipNorm: 1,
        workers,
        accumSteps,
        checkpoint: dir ? { dir, every: 3 } : undefined,
        yieldToEventLoop: false,
      });
      m.dispose();
      opt.dispose();
      return res.losses;
    };
    const n0 = tf.memory().numTensors;
    const single = await run(1, 6, null, false);
    const full = await run(2, 6, null, false);
    // Rows split in two: a mean of two half-batch means, so equal up to float32 rounding only.
    single.forEach((l, i) => assert.ok(Math.abs(l - full[i]) < 1e-5, `step ${i + 1}: ${l} vs ${full[i]}`));
    assert.notDeepEqual(single, full, "split rows are summed differently");
    // Whole micro-batches per thread (accumSteps a multiple of workers): the same update as one thread.
    assert.deepEqual(await run(2, 3, null, false, 2), await run(1, 3, null, false, 2));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "llm-ts-parallel-"));
    try {
      const firstHalf = await run(2, 3, dir, false);
      const secondHalf = await run(2, 6, dir, true);
      assert.deepEqual([...firstHalf, ...secondHalf], full);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    assert.equal(tf.memory().numTensors, n0);
    const opt = new AdamW(model.params);
    await assert.rejects(
      trainLoop({ model, optimizer: opt, schedule, train: data, steps: 1, rng: new Rng(0), workers: 2 }),
      /batchSize 3 does not split into 2 equal shards/,
    );
    opt.dispose();
  });

  it("rejects bad worker counts and use after dispose", async () => {
    await assert.rejects(DataParallel.create(model, { workers: 0 }), /workers must be an integer ≥ 1/);
    const alone = await DataParallel.create(model, { workers: 1 });
    await alone.dispose();
    const opt = new AdamW(model.params);
    await assert.rejects(alone.step(opt, [], 1e-3), /already disposed/);
    opt.dispose();
  });

  it("dispose() ends the worker threads, so a script that forgets nothing else exits by itself", async function () {
    this.timeout(60000);
    const fixture = path.join(__dirname, "fixtures", "parallel-exit.ts");
    const child = spawn(process.execPath, ["--require", "tsx/cjs", fixture], {
      cwd: path.join(__dirname, "..", ".."),
    });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | string>((resolve) => {
      // Without dispose() the process never ends (the fixture's `keep` mode); 40 s is far above its run time.
      const timer = setTimeout(() => {
        child.kill("SIGKILL");
        resolve("still running after 40 s");
      }, 40000);
      child.on("exit", (c) => {
        clearTimeout(timer);
        resolve(c ?? "killed");
      });
    });
    assert.equal(code, 0, out);
    assert.match(out, /loss \d\.\d+\ndisposed\n/);
  });
});
