import * as assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import { initBackend } from "../../src/backend";
import { bigramCounts, bigramProbs } from "../../src/lm/bigram";
import { nll } from "../../src/lm/nll";
import { bigramPairs, trainNeuralBigram } from "../../src/lm/neural";
import { firstNames, splitDocuments } from "../../src/corpora";
import { Vocab } from "../../src/lm/vocab";

describe("lm/neural bigram (tfjs)", function () {
  this.timeout(30000);
  const names = firstNames();
  const vocab = Vocab.fromWords(names);
  // A small, fixed subset keeps this fast on WASM: 400 names, about 2,900 pairs.
  const words = splitDocuments(names, { seed: 5 }).train.slice(0, 400);

  before(async () => {
    await initBackend({ quiet: true });
  });

  it("lists the (previous, next) pairs with boundaries", () => {
    const { xs, ys } = bigramPairs(["ab", "b"], new Vocab(["a", "b"]));
    assert.deepEqual([...xs], [0, 1, 2, 0, 2]);
    assert.deepEqual([...ys], [1, 2, 0, 2, 0]);
  });

  it("reaches the count model's NLL (within 0.01 nats) with flat memory", async () => {
    const countNll = nll(bigramProbs(bigramCounts(words, vocab), 0), words, vocab);
    const before = tf.memory().numTensors;
    const perStep: number[] = [];
    const res = await trainNeuralBigram(words, vocab, {
      steps: 200,
      seed: 1,
      onStep: () => {
        perStep.push(tf.memory().numTensors);
      },
    });
    const neuralNll = nll(res.probs, words, vocab);
    assert.ok(
      neuralNll >= countNll - 1e-4,
      `the MLE is the minimum: neural ${neuralNll} < counts ${countNll}`,
    );
    assert.ok(neuralNll - countNll < 0.01, `neural NLL ${neuralNll} vs count NLL ${countNll}`);
    assert.ok(
      Math.abs(res.losses[res.losses.length - 1] - neuralNll) < 1e-3,
      "last loss = NLL of the final W",
    );
    assert.ok(
      res.losses[0] > res.losses[199] + 0.5,
      `loss should fall: ${res.losses[0]} → ${res.losses[199]}`,
    );
    // Adam creates its moment variables on step 1; after that nothing may accumulate.
    assert.equal(
      perStep[perStep.length - 1],
      perStep[1],
      `tensors per step: ${perStep[1]} → ${perStep[perStep.length - 1]}`,
    );
    assert.equal(tf.memory().numTensors, before, "all tensors disposed after training");
  });

  it("is deterministic for a seed; L2 pulls the model towards uniform like smoothing", async () => {
    const few = words.slice(0, 150);
    const a = await trainNeuralBigram(few, vocab, { steps: 10, seed: 3 });
    const b = await trainNeuralBigram(few, vocab, { steps: 10, seed: 3 });
    assert.deepEqual(a.losses, b.losses);
    const plain = await trainNeuralBigram(few, vocab, {
      steps: 60,
      seed: 3,
      optimizer: "sgd",
      learningRate: 50,
    });
    const reg = await trainNeuralBigram(few, vocab, {
      steps: 60,
      seed: 3,
      optimizer: "sgd",
      learningRate: 50,
      l2: 1,
    });
    const entropy = (p: number[][]) => -p.flat().reduce((s, x) => s + (x > 0 ? x * Math.log(x) : 0), 0);
    assert.ok(entropy(reg.probs) > entropy(plain.probs), "L2 should make the rows flatter (higher entropy)");
    assert.ok(
      plain.losses[59] < plain.losses[0] - 0.3,
      `gradient descent lowers the loss: ${plain.losses[0]} → ${plain.losses[59]}`,
    );
  });

  it("rejects bad options", async () => {
    await assert.rejects(trainNeuralBigram([], vocab), /no words/);
    await assert.rejects(trainNeuralBigram(words, vocab, { learningRate: 0 }), /learningRate/);
  });
});
