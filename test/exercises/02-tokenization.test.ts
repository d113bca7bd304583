/**
 * Graded tasks of chapter 02 (tokenization), in the manner of Stanford CS336's tokenizer tests: exact merges
 * against a shipped fixture (test/fixtures/tokenizer/exercise-02.json, made by the library's fast trainer; the
 * smallest case is worked out by hand below), GPT-2 ids produced by tiktoken, and round trips. Failure messages
 * say what differed first, with context.
 */
import * as assert from "node:assert/strict";
import { loadChapter, task } from "./harness";
import {
  byteVocab,
  loadGpt2,
  showBytes,
  utf8Encode,
  type BpeModel,
  type Pair,
  type PatternName,
} from "../../src/tokenizer";
import { Rng } from "../../src/random";
import fixture from "../fixtures/tokenizer/exercise-02.json";

const ch = loadChapter<typeof import("../../solutions/02-tokenization")>("02-tokenization");

interface TrainCase {
  name: string;
  text: string;
  vocabSize: number;
  pattern: PatternName;
  merges: [number, number][];
  tokens: string[];
}
const trainCases = fixture.train as unknown as TrainCase[];

/** The readable text of token `id` given the merges so far (ids < 256 are bytes). */
function tokenText(merges: readonly (readonly [number, number])[], id: number): string {
  const bytes = (i: number): number[] =>
    i < 256 ? [i] : [...bytes(merges[i - 256][0]), ...bytes(merges[i - 256][1])];
  return JSON.stringify(showBytes(Uint8Array.from(bytes(id))));
}

/** Fails at the first differing merge, naming both merges' tokens. */
function assertMerges(got: readonly (readonly [number, number])[], c: TrainCase): void {
  assert.ok(Array.isArray(got), `train(${c.name}): expected merges to be an array, got ${typeof got}`);
  for (let i = 0; i < c.merges.length; i++) {
    const want = c.merges[i];
    const have: readonly [number, number] | undefined = got[i];
    if (have === undefined || have[0] !== want[0] || have[1] !== want[1]) {
      const wantText = `${tokenText(c.merges, want[0])} + ${tokenText(c.merges, want[1])}`;
      const haveText: string =
        have === undefined
          ? "nothing"
          : `[${have[0]}, ${have[1]}] = ${tokenText(got, have[0])} + ${tokenText(got, have[1])}`;
      assert.fail(
        `train(${c.name}, vocabSize ${c.vocabSize}, pattern ${c.pattern}): merge ${i} (new id ${256 + i}) should be ` +
          `[${want[0]}, ${want[1]}] = ${wantText}, got ${haveText}` +
          (i > 0 ? `; the merges before it agree (last: ${c.tokens[i - 1]})` : ""),
      );
    }
  }
  assert.equal(got.length, c.merges.length, `train(${c.name}): number of merges`);
}

/** Fails at the first differing id, with the text of the tokens before it. */
function assertIds(got: number[], want: number[], text: string): void {
  const gpt2 = loadGpt2();
  assert.ok(Array.isArray(got), `encode: expected an array of ids, got ${typeof got}`);
  const n = Math.max(got.length, want.length);
  for (let i = 0; i < n; i++) {
    if (got[i] !== want[i]) {
      const show = (id: number | undefined): string =>
        id === undefined ? "nothing" : `${id} (${JSON.stringify(gpt2.tokenString(id))})`;
      const before = want
        .slice(Math.max(0, i - 4), i)
        .map((id) => gpt2.tokenString(id))
        .join("|");
      assert.fail(
        `encode(${JSON.stringify(text)}): id ${i} should be ${show(want[i])}, got ${show(got[i])}; ` +
          `tokens before it: ${JSON.stringify(before)}`,
      );
    }
  }
}

/** GPT-2's ordinary vocabulary (`vocab[id]` = bytes), from the library. */
function gpt2Vocab(): Uint8Array[] {
  return loadGpt2().vocabulary() as Uint8Array[];
}

task("02.pairCounts", 1, () => {
  it("counts the pairs of small arrays (worked by hand)", () => {
    const counts = ch.pairCounts([1, 2, 3, 1, 2]);
    assert.ok(counts instanceof Map, "pairCounts must return a Map");
    assert.deepEqual(Object.fromEntries(counts), { "1,2": 2, "2,3": 1, "3,1": 1 });
    assert.deepEqual(
      Object.fromEntries(ch.pairCounts([5, 5, 5])),
      { "5,5": 2 },
      "overlapping pairs both count",
    );
    assert.equal(ch.pairCounts([7]).size, 0, "one id has no pair");
    assert.equal(ch.pairCounts([]).size, 0, "no ids, no pairs");
  });

  it("adds into a given Map with a weight", () => {
    const counts = new Map([["1,2", 10]]);
    const out = ch.pairCounts([1, 2, 9], counts, 3);
    assert.equal(out, counts, "pairCounts must add into (and return) the Map it is given");
    assert.deepEqual(Object.fromEntries(out), { "1,2": 13, "2,9": 3 });
  });

  it("agrees with a second way of counting on 2 000 random ids", () => {
    const rng = new Rng(1);
    const ids = Array.from({ length: 2000 }, () => rng.int(6));
    const want = new Map<string, number>();
    ids.slice(1).forEach((b, i) => want.set(`${ids[i]},${b}`, (want.get(`${ids[i]},${b}`) ?? 0) + 1));
    const got = ch.pairCounts(ids);
    for (const [key, n] of want) assert.equal(got.get(key), n, `pair ${key} occurs ${n} times`);
    assert.equal(got.size, want.size, "no extra pairs");
  });
});

task("02.merge", 1, () => {
  it("replaces each occurrence left to right", () => {
    assert.deepEqual(ch.merge([1, 2, 3, 1, 2], [1, 2], 7), [7, 3, 7]);
    assert.deepEqual(ch.merge([5, 5, 5], [5, 5], 9), [9, 5], "(5,5,5): the first two merge, the third stays");
    assert.deepEqual(ch.merge([5, 5, 5, 5], [5, 5], 9), [9, 9]);
    assert.deepEqual(ch.merge([1, 2, 3], [3, 4], 8), [1, 2, 3], "no occurrence: unchanged");
    assert.deepEqual(ch.merge([2, 1, 2], [1, 2], 8), [2, 8], "an occurrence at the end");
    assert.deepEqual(ch.merge([], [1, 2], 8), []);
  });

  it("does not modify its input", () => {
    const ids = Object.freeze([1, 2, 1, 2]) as readonly number[];
    assert.deepEqual(ch.merge(ids, [1, 2], 3), [3, 3]);
    assert.deepEqual(ids, [1, 2, 1, 2]);
  });
});

task("02.train", 3, () => {
  it('trains "aaabdaaabac" to the merges worked out by hand', () => {
    // "aa" occurs 4 times → 256. Then "ab" (97,98) and (256,97) both occur twice: the smaller left id wins, so
    // 257 = "ab". Then (256,257) "aaab" twice → 258. Then four pairs occur once; (97,99) "ac" has the smallest
    // left id → 259.
    const c = trainCases.find((t) => t.name === "wikipedia") as TrainCase;
    assert.deepEqual(c.merges, [
      [97, 97],
      [97, 98],
      [256, 257],
      [97, 99],
    ]);
    const model = ch.train(c.text, c.vocabSize, c.pattern);
    assertMerges(model.merges, c);
    assert.deepEqual(Array.from(model.vocab[258]), [97, 97, 97, 98], 'vocab[258] is the bytes of "aaab"');
  });

  for (const c of trainCases.filter((t) => t.name !== "wikipedia")) {
    it(`gives the fixture's ${c.merges.length} merges on Moby-Dick (${c.name})`, () => {
      const model = ch.train(c.text, c.vocabSize, c.pattern);
      assertMerges(model.merges, c);
      assert.equal(model.vocab.length, c.vocabSize, "vocab.length must equal vocabSize");
      const last = model.vocab[c.vocabSize - 1];
      assert.equal(showBytes(last), c.tokens[c.tokens.length - 1], "the last token's bytes");
    });
  }

  it("throws when the text runs out of pairs", () => {
    assert.throws(() => ch.train("hi", 300, "none"), Error);
  });
});

task("02.encode", 3, () => {
  it("encodes with a small vocabulary by hand", () => {
    // Tokens: bytes, then 256 = "ab", 257 = "bc". In "abc" both pairs form tokens: "ab" has the lower id → [256, 99].
    const vocab = [
      ...Array.from({ length: 256 }, (_, b) => Uint8Array.of(b)),
      utf8Encode("ab"),
      utf8Encode("bc"),
    ];
    assert.deepEqual(ch.encode("abc", vocab, "none"), [256, 99]);
    assert.deepEqual(ch.encode("bcab", vocab, "none"), [257, 256]);
    // With the GPT-2 pattern " ab" is one piece: " " stays apart since " a" is not a token.
    assert.deepEqual(ch.encode("ab ab", vocab, "gpt2"), [256, 32, 256]);
    assert.deepEqual(ch.encode("", vocab, "gpt2"), []);
  });

  it("joins the leftmost of equal pairs first, as tiktoken does", () => {
    // Tokens: bytes, then 256 = "aa". "aaa" has two pairs (a, a) that both form token 256: the leftmost is joined.
    const vocab = [...Array.from({ length: 256 }, (_, b) => Uint8Array.of(b)), utf8Encode("aa")];
    const cases: [string, number[]][] = [
      ["aaa", [256, 97]],
      ["aaaaa", [256, 256, 97]],
      ["baaa", [98, 256, 97]],
    ];
    for (const [text, want] of cases) {
      const got = ch.encode(text, vocab, "none");
      assert.deepEqual(
        got,
        want,
        `encode("${text}") with 256 = "aa" is [${got}], expected [${want}]: among equal pairs the leftmost is joined first`,
      );
    }
    // The same with GPT-2's vocabulary (ids from tiktoken): "eee" = "ee" + "e", not "e" + "ee".
    const gpt2 = gpt2Vocab();
    for (const [text, want] of [
      ["eee", [1453, 68]],
      [" eee", [304, 1453]],
    ] as [string, number[]][]) {
      assertIds(ch.encode(text, gpt2, "gpt2"), want, text);
    }
  });

  it("gives GPT-2's ids (from tiktoken) with GPT-2's vocabulary", () => {
    const vocab = gpt2Vocab();
    for (const { text, ids } of fixture.gpt2) assertIds(ch.encode(text, vocab, "gpt2"), ids, text);
  });

  it("round-trips through the library's decoder", () => {
    const vocab = gpt2Vocab();
    const text = "Round trip: ½ café 🚀 — \t\n end";
    assert.equal(loadGpt2().decode(ch.encode(text, vocab, "gpt2")), text);
  });
});

task("02.decode", 2, () => {
  const bytes = Array.from({ length: 256 }, (_, b) => Uint8Array.of(b));

  it("decodes bytes and merged tokens", () => {
    const vocab = [...bytes, utf8Encode("he"), utf8Encode("llo")];
    assert.equal(ch.decode([256, 257, 33], vocab), "hello!");
    assert.equal(ch.decode([], vocab), "");
    assert.equal(ch.decode([0xe2, 0x98, 0x83], vocab), "☃", "three byte tokens form one character");
  });

  it("turns invalid UTF-8 into U+FFFD instead of throwing", () => {
    assert.equal(ch.decode([0xe2, 0x98], bytes), "\ufffd", "a cut character");
    assert.equal(ch.decode([0x80, 0x41], bytes), "\ufffdA", "a stray continuation byte");
  });

  it("throws an error naming an unknown id", () => {
    assert.throws(() => ch.decode([65, 300], bytes), /300/);
  });

  it("decodes GPT-2's ids (from tiktoken) to the original text", () => {
    const vocab = gpt2Vocab();
    for (const { text, ids } of fixture.gpt2) assert.equal(ch.decode(ids, vocab), text);
  });
});

describe("02: the types a learner writes with", () => {
  it("a model built from `const merges: Pair[]` is a BpeModel (this file would not type-check otherwise)", () => {
    const merges: Pair[] = [];
    const vocab = byteVocab();
    const pair: Pair = [97, 97];
    merges.push(pair);
    vocab.push(Uint8Array.of(97, 97));
    const model: BpeModel = { merges, vocab };
    assert.deepEqual(model.merges, [[97, 97]]);
    assert.equal(model.vocab.length, 257);
  });
});
