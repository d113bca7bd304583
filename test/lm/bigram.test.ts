import * as assert from "node:assert/strict";
import { bigramCounts, bigramProbs, uniformProbs } from "../../src/lm/bigram";
import { logProbWord, nll } from "../../src/lm/nll";
import { sampleNames } from "../../src/lm/sample";
import { firstNames } from "../../src/corpora";
import { Vocab } from "../../src/lm/vocab";

describe("lm/bigram", () => {
  const names = firstNames();
  const vocab = Vocab.fromWords(names);
  const counts = bigramCounts(names.slice(0, 2000), vocab);

  it("add-k smoothing: rows sum to 1, hand-computed entries", () => {
    // row [2, 0, 1] with k = 1, V = 3: (2+1)/(3+3), (0+1)/6, (1+1)/6.
    const p = bigramProbs(
      [
        [2, 0, 1],
        [0, 0, 0],
        [1, 1, 1],
      ],
      1,
    );
    assert.deepEqual(p[0], [3 / 6, 1 / 6, 2 / 6]);
    for (const row of bigramProbs(counts, 0.5)) {
      assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-12);
    }
  });

  it("k → ∞ tends to the uniform model; k = 0 is the MLE (lowest training NLL)", () => {
    const words = names.slice(0, 2000);
    const big = bigramProbs(counts, 1e9);
    const uniform = uniformProbs(vocab.size);
    for (let a = 0; a < vocab.size; a++) {
      for (let b = 0; b < vocab.size; b++) assert.ok(Math.abs(big[a][b] - uniform[a][b]) < 1e-6);
    }
    assert.ok(Math.abs(nll(big, words, vocab) - Math.log(27)) < 1e-5);
    const nlls = [0, 0.1, 1, 10, 100].map((k) => nll(bigramProbs(counts, k), words, vocab));
    for (let i = 1; i < nlls.length; i++)
      assert.ok(nlls[i] > nlls[i - 1], `training NLL should grow with k: ${nlls}`);
  });

  it("an empty row stays a distribution (uniform) when k = 0", () => {
    assert.deepEqual(
      bigramProbs(
        [
          [0, 0],
          [1, 3],
        ],
        0,
      ),
      [
        [0.5, 0.5],
        [0.25, 0.75],
      ],
    );
    assert.throws(() => bigramProbs([[1, 2]], 0), /square/);
    assert.throws(() => bigramProbs(counts, -1), /≥ 0/);
  });

  it("the chain rule: log P(word) is the sum of the conditional log-probabilities", () => {
    const p = bigramProbs(counts, 1);
    const id = (c: string) => vocab.id(c);
    const manual =
      Math.log(p[0][id("e")]) +
      Math.log(p[id("e")][id("m")]) +
      Math.log(p[id("m")][id("m")]) +
      Math.log(p[id("m")][id("a")]) +
      Math.log(p[id("a")][0]);
    assert.ok(Math.abs(logProbWord(p, "emma", vocab) - manual) < 1e-12);
  });

  it("samples look like names: same seed, same list; mostly short words of a–z", () => {
    const p = bigramProbs(counts, 1);
    const s = sampleNames(p, vocab, 200, 3);
    assert.deepEqual(sampleNames(p, vocab, 200, 3), s);
    for (const w of s) assert.match(w, /^[a-z]*$/);
    const meanLen = s.reduce((a, w) => a + w.length, 0) / s.length;
    assert.ok(meanLen > 3 && meanLen < 10, `mean sampled length ${meanLen}`);
    // Seeded and computed in plain JavaScript: the same names on every machine.
    assert.deepEqual(s.slice(0, 6), [
      "cleyalaticosluchrlfstola",
      "balorladdw",
      "alde",
      "bevhast",
      "caly",
      "caig",
    ]);
    assert.equal(meanLen, 6.415);
  });
});
