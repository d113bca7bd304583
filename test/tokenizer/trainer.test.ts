/** Training: the teaching `train` and the fast `BpeTrainer` against hand-computed merges and each other. */
import { strict as assert } from "node:assert";
import {
  BpeTrainer,
  bestPair,
  merge,
  pairCounts,
  showBytes,
  train,
  trainBpe,
  Tokenizer,
  utf8Decode,
} from "../../src/tokenizer";
import { mobyDick, mobyDickChapters } from "../../src/corpora";

/** Fails naming the first differing merge. */
function assertSameMerges(
  got: readonly (readonly [number, number])[],
  want: readonly (readonly [number, number])[],
  what: string,
): void {
  const n = Math.min(got.length, want.length);
  for (let i = 0; i < n; i++) {
    if (got[i][0] !== want[i][0] || got[i][1] !== want[i][1]) {
      assert.fail(
        `${what}: merge ${i} (id ${256 + i}) differs: got ${JSON.stringify(got[i])}, want ${JSON.stringify(want[i])}`,
      );
    }
  }
  assert.equal(got.length, want.length, `${what}: number of merges`);
}

describe("tokenizer: BPE by hand", () => {
  it("pairCounts and merge on small arrays", () => {
    assert.deepEqual(
      [...pairCounts([1, 2, 3, 1, 2])],
      [
        ["1,2", 2],
        ["2,3", 1],
        ["3,1", 1],
      ],
    );
    assert.deepEqual([...pairCounts([5, 5, 5], new Map(), 3)], [["5,5", 6]]);
    assert.deepEqual(merge([5, 5, 5], [5, 5], 9), [9, 5]);
    assert.deepEqual(merge([1, 2, 3, 1, 2], [1, 2], 7), [7, 3, 7]);
    assert.deepEqual(
      bestPair(
        new Map([
          ["9,1", 3],
          ["4,8", 3],
          ["4,2", 3],
          ["1,1", 2],
        ]),
      ),
      { pair: [4, 2], count: 3 },
    );
  });

  it('trains "aaabdaaabac" (no pre-tokenization) to the merges worked out by hand', () => {
    // aa (4×) → 256; then ab and (256, a) tie at 2: smaller left id wins → ab = 257; then (256, 257) = 258;
    // then four pairs tie at 1: (97, 99) "ac" has the smallest left id → 259.
    const want: [number, number][] = [
      [97, 97],
      [97, 98],
      [256, 257],
      [97, 99],
    ];
    assertSameMerges(train("aaabdaaabac", 260, "none").merges, want, "train");
    const fast = trainBpe("aaabdaaabac", { vocabSize: 260, pattern: "none" });
    assertSameMerges(fast.merges, want, "BpeTrainer");
    assert.deepEqual(fast.counts, [4, 2, 2, 1]);
    assert.equal(utf8Decode(fast.vocab[258]), "aaab");
  });

  it("the fast trainer gives exactly the teaching trainer's merges on Moby-Dick (3 patterns)", () => {
    const text = mobyDickChapters()
      .slice(1, 4)
      .map((c) => c.text)
      .join("\n\n");
    for (const pattern of ["gpt2", "gpt4"] as const) {
      assertSameMerges(
        trainBpe(text, { vocabSize: 700, pattern }).merges,
        train(text, 700, pattern).merges,
        pattern,
      );
    }
    const short = text.slice(0, 3000);
    assertSameMerges(
      trainBpe(short, { vocabSize: 400, pattern: "none" }).merges,
      train(short, 400, "none").merges,
      "none",
    );
  });

  it("Moby-Dick's first merges are ' t', 'he', ' a', 'in', ' the' (GPT-2 pattern)", () => {
    const model = trainBpe(mobyDick(), { vocabSize: 300 });
    const shown = model.merges.slice(0, 5).map((_, i) => showBytes(model.vocab[256 + i]));
    assert.deepEqual(shown, [" t", "he", " a", "in", " the"]);
    assert.deepEqual(model.counts.slice(0, 3), [33265, 26122, 21685]);
  });
});

describe("tokenizer: BpeTrainer", () => {
  const text = mobyDick().slice(0, 150_000);

  it("reaches the vocabulary size exactly, special tokens last, and encodes losslessly", () => {
    const model = trainBpe(text, { vocabSize: 1000, specialTokens: ["<|endoftext|>", "<|pad|>"] });
    assert.equal(model.vocab.length + 2, 1000);
    assert.deepEqual(model.specialTokens, { "<|endoftext|>": 998, "<|pad|>": 999 });
    const tok = Tokenizer.fromModel(model);
    assert.equal(tok.vocabSize, 1000);
    const sample = "Call me Ishmael. <|endoftext|>Some years ago";
    const ids = tok.encode(sample, { allowedSpecial: "all" });
    assert.equal(ids[4 + ids.indexOf(998) - 4], 998);
    assert.equal(tok.decode(ids), sample);
    // The training text compresses: fewer tokens than bytes.
    assert.ok(tok.encode(text).length < Buffer.byteLength(text) / 2.5);
  });

  it("cuts special tokens out of the corpus: they are never merged with their neighbours", () => {
    const corpus = "<|endoftext|>".repeat(500) + "ab";
    const model = trainBpe(corpus, { vocabSize: 258, pattern: "none", specialTokens: ["<|endoftext|>"] });
    assert.deepEqual(model.merges, [[97, 98]]);
  });

  it("the pattern decides what can merge: GPT-2's never joins a letter to a following space, none does", () => {
    const letterSpace = (vocab: Uint8Array[]): number =>
      vocab.filter((b) => /\p{L} /u.test(utf8Decode(b))).length;
    const withRegex = trainBpe(text.slice(0, 30_000), { vocabSize: 500, pattern: "gpt2" });
    const without = trainBpe(text.slice(0, 30_000), { vocabSize: 500, pattern: "none" });
    assert.equal(letterSpace(withRegex.vocab), 0);
    assert.ok(
      letterSpace(without.vocab) > 20,
      `only ${letterSpace(without.vocab)} tokens join a letter and a space`,
    );
  });

  it("stops with a clear message when the corpus is too small for the vocabulary", () => {
    assert.throws(
      () => trainBpe("hello hello", { vocabSize: 1000 }),
      /no pairs left to merge after 5 merges \(vocabulary 261 of the 1000 asked for\)/,
    );
    assert.throws(() => train("hi", 300, "none"), /no pairs left to merge after 1 merges/);
    const stopped = trainBpe("hello hello", { vocabSize: 1000, ifTooSmall: "stop" });
    assert.equal(stopped.merges.length, 5); // "hello" (4 merges), then " " + "hello"
  });

  it("reports each merge as it happens, and accumulates several texts", () => {
    const seen: number[] = [];
    const trainer = new BpeTrainer({ vocabSize: 300, onMerge: (m) => seen.push(m.id) });
    trainer.add(text.slice(0, 10_000)).add(text.slice(10_000, 20_000));
    const model = trainer.train();
    assert.deepEqual(
      seen,
      Array.from({ length: 44 }, (_, i) => 256 + i),
    );
    assertSameMerges(
      model.merges,
      trainBpe(text.slice(0, 20_000), { vocabSize: 300 }).merges.slice(),
      "two adds",
    );
  });

  it("rejects bad options with a message", () => {
    assert.throws(() => new BpeTrainer({ vocabSize: 100 }), /vocabSize must be an integer ≥ 256/);
    assert.throws(() => new BpeTrainer({ vocabSize: 300, specialTokens: ["x", "x"] }), /distinct/);
    assert.throws(
      () => new BpeTrainer({ vocabSize: 300, pattern: "(" }),
      /not a valid JavaScript regular expression/,
    );
  });
});
