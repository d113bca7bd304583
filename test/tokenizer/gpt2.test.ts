/**
 * GPT-2 (and GPT-4 cl100k) compatibility: our encoder, loaded from js-tiktoken's shipped ranks, must give the
 * same ids as tiktoken (OpenAI's Rust implementation, compiled to WASM) on any text.
 */
import { strict as assert } from "node:assert";
import { get_encoding, type Tiktoken } from "tiktoken";
import { Rng } from "../../src/random";
import { loadCl100k, loadGpt2, toWellFormed, type Tokenizer } from "../../src/tokenizer";
import { mobyDick, mobyDickChapters, sotuSpeeches } from "../../src/corpora";
import { randomString, TRICKY } from "./strings";

/** Fails with the first differing id and the text around it. */
export function assertSameIds(ours: number[], ref: ArrayLike<number>, text: string, tok: Tokenizer): void {
  const n = Math.min(ours.length, ref.length);
  let i = 0;
  while (i < n && ours[i] === ref[i]) i++;
  if (i === n && ours.length === ref.length) return;
  const before = tok.decode(ours.slice(Math.max(0, i - 5), i));
  assert.fail(
    `ids differ at position ${i} of ${ref.length}: ours ${ours[i]} (${JSON.stringify(ours[i] === undefined ? "" : tok.tokenString(ours[i]))}), ` +
      `tiktoken ${ref[i]}; text before: ${JSON.stringify(before)}; input starts ${JSON.stringify(text.slice(0, 60))}`,
  );
}

describe("tokenizer: GPT-2 identity with tiktoken", function () {
  let ours: Tokenizer;
  let ref: Tiktoken;
  before(() => {
    ours = loadGpt2();
    ref = get_encoding("gpt2");
  });
  after(() => ref.free());

  it("has GPT-2's shape: 50 256 ordinary tokens + <|endoftext|> = 50256", () => {
    assert.equal(ours.ordinarySize, 50256);
    assert.equal(ours.vocabSize, 50257);
    assert.equal(ours.specialTokens["<|endoftext|>"], 50256);
    assert.deepEqual(ours.encode("hello world"), [31373, 995]);
  });

  it("encodes all of Moby-Dick token-identically", () => {
    const text = mobyDick();
    assertSameIds(ours.encode(text), ref.encode(text), text, ours);
  });

  it("encodes every 8th State of the Union address token-identically", () => {
    const speeches = sotuSpeeches();
    for (let i = 0; i < speeches.length; i += 8) {
      const text = speeches[i].text;
      assertSameIds(ours.encode(text), ref.encode(text), text, ours);
    }
  });

  it("encodes tricky strings token-identically (contractions, numbers, whitespace, scripts, emoji)", () => {
    for (const text of TRICKY) {
      const t = text.replace("<|endoftext|>", "<|endof text|>");
      assertSameIds(ours.encode(t), ref.encode(t), t, ours);
    }
  });

  it("encodes 300 random unicode strings token-identically (lone surrogates: as U+FFFD)", () => {
    const rng = new Rng(2);
    for (let k = 0; k < 300; k++) {
      const text = randomString(rng, 1 + rng.int(200));
      assertSameIds(ours.encode(text), ref.encode(toWellFormed(text)), text, ours);
    }
  });

  it("encodes special tokens like tiktoken when allowed", () => {
    const text = "a<|endoftext|>b <|endoftext|>";
    assertSameIds(ours.encode(text, { allowedSpecial: "all" }), ref.encode(text, "all"), text, ours);
    assertSameIds(ours.encode(text, { disallowedSpecial: [] }), ref.encode(text, [], []), text, ours);
  });

  it("decodes tiktoken's ids back to the text", () => {
    const text = mobyDickChapters()[10].text;
    assert.equal(ours.decode(ref.encode(text)), text);
  });
});

describe("tokenizer: GPT-4 (cl100k_base) identity with tiktoken", function () {
  let ours: Tokenizer;
  let ref: Tiktoken;
  before(() => {
    ours = loadCl100k();
    ref = get_encoding("cl100k_base");
  });
  after(() => ref.free());

  it("encodes tricky and random strings token-identically (so the translated GPT-4 regex is faithful)", () => {
    for (const text of TRICKY) {
      const t = text.replace("<|endoftext|>", "<|endof text|>");
      assertSameIds(ours.encode(t), ref.encode(t), t, ours);
    }
    const rng = new Rng(4);
    for (let k = 0; k < 300; k++) {
      const text = randomString(rng, 1 + rng.int(200));
      assertSameIds(ours.encode(text), ref.encode(toWellFormed(text)), text, ours);
    }
  });

  it("encodes Moby-Dick chapters token-identically", () => {
    const chapters = mobyDickChapters();
    for (let i = 0; i < chapters.length; i += 10) {
      const text = chapters[i].text;
      assertSameIds(ours.encode(text), ref.encode(text), text, ours);
    }
  });
});
