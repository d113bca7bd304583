/**
 * Graded tasks of chapter 01. Each task checks the learner's functions against independent references:
 * hand-computed counts and log-likelihoods (the arithmetic is in the comments), a second way of counting, and
 * statistical properties of the samples with a fixed seed.
 */
import * as assert from "node:assert/strict";
import { loadChapter, task } from "./harness";
import { Vocab } from "../../src/lm/vocab";
import { firstNames } from "../../src/corpora";
import { Rng } from "../../src/random";
import { isNotImplemented } from "../../src/errors";

const ch = loadChapter<typeof import("../../solutions/01-autoregressive")>("01-autoregressive");

/** Vocabulary ".ab" (V = 3) and ".abc" (V = 4) for hand-worked examples. */
const vocab3 = new Vocab(["a", "b"]);
const vocab4 = new Vocab(["a", "b", "c"]);

/** Asserts two matrices are equal, naming the first differing cell by its characters. */
function assertMatrixEqual(actual: number[][], expected: number[][], vocab: Vocab, what: string): void {
  assert.ok(Array.isArray(actual), `${what}: expected a number[][] matrix, got ${typeof actual}`);
  assert.equal(
    actual.length,
    expected.length,
    `${what}: expected ${expected.length} rows (V), got ${actual.length}`,
  );
  for (let a = 0; a < expected.length; a++) {
    assert.equal(
      actual[a].length,
      expected[a].length,
      `${what}: row ${a} should have ${expected[a].length} entries`,
    );
    for (let b = 0; b < expected[a].length; b++) {
      assert.equal(
        actual[a][b],
        expected[a][b],
        `${what}[${a}][${b}] — how often '${vocab.itos[b]}' follows '${vocab.itos[a]}' — is ${actual[a][b]}, expected ${expected[a][b]}`,
      );
    }
  }
}

function assertClose(actual: number, expected: number, tol: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: got ${actual}, expected ${expected} (± ${tol})`);
}

task("01.bigramCounts", 2, () => {
  it("counts the pairs of a tiny word list by hand", () => {
    // ".abba." → (.,a) (a,b) (b,b) (b,a) (a,.)
    // ".ab."   → (.,a) (a,b) (b,.)
    // ".b."    → (.,b) (b,.)
    // row '.': a 2, b 1 · row 'a': . 1, b 2 · row 'b': . 2, a 1, b 1 — 10 pairs in all.
    const expected = [
      [0, 2, 1],
      [1, 0, 2],
      [2, 1, 1],
    ];
    assertMatrixEqual(ch.bigramCounts(["abba", "ab", "b"], vocab3), expected, vocab3, "counts");
  });

  it("gives a V×V matrix of zeros for no words", () => {
    assertMatrixEqual(
      ch.bigramCounts([], vocab4),
      [
        [0, 0, 0, 0],
        [0, 0, 0, 0],
        [0, 0, 0, 0],
        [0, 0, 0, 0],
      ],
      vocab4,
      "counts",
    );
  });

  it("agrees with counting the pairs of '.' + word + '.' as strings, on 500 real names", () => {
    const words = firstNames().slice(0, 500);
    const vocab = Vocab.fromWords(firstNames());
    const reference = new Map<string, number>();
    for (const w of words) {
      const s = `.${w}.`;
      for (let i = 0; i + 1 < s.length; i++)
        reference.set(s.slice(i, i + 2), (reference.get(s.slice(i, i + 2)) ?? 0) + 1);
    }
    const counts = ch.bigramCounts(words, vocab);
    assert.equal(counts.length, 27, `expected 27 rows, got ${counts.length}`);
    let total = 0;
    for (let a = 0; a < 27; a++) {
      for (let b = 0; b < 27; b++) {
        const key = vocab.itos[a] + vocab.itos[b];
        assert.equal(counts[a][b], reference.get(key) ?? 0, `count of the pair '${key}'`);
        total += counts[a][b];
      }
    }
    const pairs = words.reduce((s, w) => s + w.length + 1, 0);
    assert.equal(total, pairs, `the counts should add up to Σ (length + 1) = ${pairs} pairs`);
  });

  it("rejects a character outside the vocabulary instead of skipping it", () => {
    assert.throws(() => ch.bigramCounts(["abz"], vocab3), /not in the vocabulary/);
  });
});

task("01.nll", 3, () => {
  // The model of the tiny example (the counts above, each row divided by its sum):
  //   row '.': [0, 2/3, 1/3]   row 'a': [1/3, 0, 2/3]   row 'b': [1/2, 1/4, 1/4]
  const probs = [
    [0, 2 / 3, 1 / 3],
    [1 / 3, 0, 2 / 3],
    [1 / 2, 1 / 4, 1 / 4],
  ];

  it("applies the chain rule to one word", () => {
    // "ab": P(a|.) P(b|a) P(.|b) = 2/3 · 2/3 · 1/2 = 2/9
    assertClose(ch.logProbWord(probs, "ab", vocab3), Math.log(2 / 9), 1e-12, "log P('ab')");
    // "b": P(b|.) P(.|b) = 1/3 · 1/2 = 1/6
    assertClose(ch.logProbWord(probs, "b", vocab3), Math.log(1 / 6), 1e-12, "log P('b')");
  });

  it("averages over predicted tokens: hand-computed NLL and perplexity", () => {
    // P("ab") · P("b") = 2/9 · 1/6 = 1/27, over 3 + 2 = 5 predictions (letters and the end, per word).
    // NLL = ln 27 / 5 = 3.295837 / 5 = 0.659167 nats; perplexity = exp(NLL) = 27^(1/5) = 1.933182.
    // (Dividing by the 2 words instead would give 1.648.)
    const words = ["ab", "b"];
    const got = ch.nll(probs, words, vocab3);
    assert.ok(
      Math.abs(got - Math.log(27) / 2) > 1e-9,
      "NLL of ['ab', 'b'] is ln 27 / 2 = 1.648, the mean per word; average over the 5 predicted tokens (3 + 2) instead",
    );
    assertClose(got, Math.log(27) / 5, 1e-12, "NLL of ['ab', 'b']");
    assertClose(ch.perplexity(probs, words, vocab3), Math.pow(27, 1 / 5), 1e-12, "perplexity of ['ab', 'b']");
  });

  it("gives ln V and perplexity V for the uniform model", () => {
    const uniform = Array.from({ length: 4 }, () => [0.25, 0.25, 0.25, 0.25]);
    const words = ["abc", "cab", "a", "cccc"];
    assertClose(ch.nll(uniform, words, vocab4), Math.log(4), 1e-12, "NLL of the uniform model");
    assertClose(ch.perplexity(uniform, words, vocab4), 4, 1e-9, "perplexity of the uniform model");
  });

  it("is infinite when an observed pair has probability 0", () => {
    // "aa" needs P(a|a) = 0.
    assert.equal(
      ch.nll(probs, ["ab", "aa"], vocab3),
      Infinity,
      "NLL with an impossible pair should be Infinity",
    );
  });

  it("refuses an empty list of words", () => {
    assert.throws(
      () => ch.nll(probs, [], vocab3),
      (err: unknown) => err instanceof Error && !isNotImplemented(err),
      "nll of no words should throw an Error saying so, not return NaN",
    );
  });
});

task("01.sample", 3, () => {
  // A model over ".abc" with some impossible transitions: never an empty word, never "aa", "ac", "bb", "bc",
  // and 'c' always ends the word.
  const probs = [
    [0, 0.5, 0.3, 0.2],
    [0.6, 0, 0.4, 0],
    [0.5, 0.5, 0, 0],
    [1, 0, 0, 0],
  ];

  it("gives the same names for the same seed, other names for another seed", () => {
    const a = ch.sampleNames(probs, vocab4, 50, 7);
    const b = ch.sampleNames(probs, vocab4, 50, 7);
    const c = ch.sampleNames(probs, vocab4, 50, 8);
    assert.equal(a.length, 50, `asked for 50 names, got ${a.length}`);
    assert.deepEqual(b, a, "two calls with seed 7 gave different names");
    assert.notDeepEqual(c, a, "seeds 7 and 8 gave the same 50 names");
  });

  it("draws with one Rng(seed) and rng.categorical, in the documented order", () => {
    const rng = new Rng(123);
    const expected: string[] = [];
    for (let n = 0; n < 20; n++) {
      let word = "";
      for (let cur = rng.categorical(probs[0]); cur !== 0; cur = rng.categorical(probs[cur]))
        word += vocab4.itos[cur];
      expected.push(word);
    }
    const got = ch.sampleNames(probs, vocab4, 20, 123);
    const i = expected.findIndex((w, j) => got[j] !== w);
    assert.equal(
      i,
      -1,
      `name ${i} is '${got[i]}', expected '${expected[i]}': use ONE new Rng(seed) for all names and draw every ` +
        "token with rng.categorical(probs[current]), starting from the boundary 0",
    );
    assert.equal(got.length, 20, `asked for 20 names, got ${got.length}`);
  });

  it("never samples a zero-probability transition", () => {
    const names = ch.sampleNames(probs, vocab4, 5000, 1);
    for (const name of names) {
      assert.ok(name.length > 0, "sampled an empty name, but P(. | .) = 0");
      assert.ok(!/aa|ac|bb|bc|c./.test(name), `sampled '${name}', which uses a transition of probability 0`);
    }
  });

  it("matches the first-letter distribution of the model (20,000 samples, fixed seed)", () => {
    const n = 20000;
    const names = ch.sampleNames(probs, vocab4, n, 2024);
    const freq = [0, 0, 0, 0];
    for (const name of names) freq[vocab4.id(name[0])] += 1;
    // Standard error of a frequency near 0.5 is √(0.25 / 20000) ≈ 0.0035; allow 0.015 (> 4 standard errors).
    for (let i = 1; i < 4; i++) {
      assertClose(freq[i] / n, probs[0][i], 0.015, `share of names starting with '${vocab4.itos[i]}'`);
    }
  });

  it("stops a word at maxLength letters", () => {
    // From '.' always 'a', from 'a' always 'a': the word never ends by itself.
    const forever = [
      [0, 1, 0],
      [0, 1, 0],
      [1, 0, 0],
    ];
    assert.deepEqual(
      ch.sampleNames(forever, vocab3, 2, 0, 5),
      ["aaaaa", "aaaaa"],
      "words should be cut at maxLength = 5",
    );
  });
});
