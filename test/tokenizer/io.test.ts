/** Save / load: tiktoken's rank format, the readable JSON, js-tiktoken's shipped ranks. */
import { strict as assert } from "node:assert";
import {
  base64Decode,
  base64Encode,
  fromJson,
  fromTiktoken,
  loadGpt2,
  parseTiktoken,
  toJson,
  toTiktoken,
  Tokenizer,
  trainBpe,
} from "../../src/tokenizer";
import { mobyDick } from "../../src/corpora";

describe("tokenizer: base64 (portable, no Buffer)", () => {
  it("agrees with Node's Buffer on random bytes and rejects invalid text", () => {
    for (let n = 0; n < 40; n++) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 97 + n * 31) & 255);
      const b64 = Buffer.from(bytes).toString("base64");
      assert.equal(base64Encode(bytes), b64);
      assert.deepEqual(base64Decode(b64), bytes);
    }
    for (const bad of ["abc", "ab=c", "a=bc", "@@@@", "QQ=Q"]) assert.equal(base64Decode(bad), null, bad);
  });
});

describe("tokenizer: save and load", () => {
  const text = mobyDick().slice(0, 100_000);
  const sample = mobyDick().slice(500_000, 520_000) + " 😀 中文 <|endoftext|>";
  let tok: Tokenizer;
  before(() => {
    tok = Tokenizer.fromModel(
      trainBpe(text, { vocabSize: 800, pattern: "gpt4", specialTokens: ["<|endoftext|>"] }),
    );
  });

  it("round-trips through tiktoken's rank format (base64 + space + rank per line)", () => {
    const file = toTiktoken(tok);
    const lines = file.trimEnd().split("\n");
    assert.equal(lines.length, 799);
    assert.equal(lines[65], "QQ== 65"); // byte "A"
    const back = fromTiktoken(file, { pattern: "gpt4", specialTokens: tok.specialTokens });
    assert.deepEqual(
      back.encode(sample, { allowedSpecial: "all" }),
      tok.encode(sample, { allowedSpecial: "all" }),
    );
  });

  it("names the line of a corrupt rank file", () => {
    const lines = toTiktoken(tok).split("\n");
    const corrupt = (i: number, line: string): string =>
      [...lines.slice(0, i), line, ...lines.slice(i + 1)].join("\n");
    assert.throws(() => parseTiktoken(corrupt(300, "IHRo")), /line 301: expected 2 fields/);
    assert.throws(() => parseTiktoken(corrupt(12, "#$% 12")), /line 13: "#\$%" is not base64/);
    assert.throws(
      () => parseTiktoken(corrupt(7, "Bw== x7")),
      /line 8: rank "x7" is not a non-negative integer/,
    );
    assert.throws(() => parseTiktoken(corrupt(9, "CQ== 8")), /line 10: rank 8 appears twice/);
  });

  it("round-trips through the readable JSON with merges", () => {
    const json = toJson(tok);
    const data = JSON.parse(json);
    assert.equal(data.format, "llm-ts-bpe");
    assert.equal(data.merges.length, 800 - 256 - 1);
    assert.deepEqual(data.merges[0].slice(0, 3), [...tok.merges()[0], 256]);
    assert.equal(typeof data.merges[0][3], "string");
    const back = fromJson(json);
    assert.equal(back.pattern, "gpt4");
    assert.deepEqual(
      back.encode(sample, { allowedSpecial: "all" }),
      tok.encode(sample, { allowedSpecial: "all" }),
    );
    assert.throws(() => fromJson("{}"), /not an llm-ts-bpe tokenizer file/);
  });

  it("GPT-2 (loaded from js-tiktoken's ranks) has GPT-2's 50 000 merges; its byte order survives JSON and rank files", () => {
    const gpt2 = loadGpt2();
    const merges = gpt2.merges();
    assert.equal(merges.length, 50000); // GPT-2's vocab.bpe has 50 000 merges
    assert.equal(gpt2.tokenString(merges[0][0]) + gpt2.tokenString(merges[0][1]), " t"); // vocab.bpe line 1: "Ġ t"
    // GPT-2's first 2 000 ranks are a BPE vocabulary of their own, with bytes in GPT-2's order (id 0 is "!").
    const head = new Tokenizer({
      vocab: gpt2.vocabulary().slice(0, 2000),
      pattern: "gpt2",
      name: "gpt2-head",
    });
    const viaJson = fromJson(toJson(head));
    const viaRanks = fromTiktoken(toTiktoken(head), { pattern: "gpt2" });
    const s = mobyDick().slice(0, 30_000) + " ☃ 😀";
    const want = head.encode(s);
    assert.ok(want.every((id) => id < 2000));
    assert.deepEqual(viaJson.encode(s), want);
    assert.deepEqual(viaRanks.encode(s), want);
    assert.equal(viaJson.decode(want), s);
  });
});
