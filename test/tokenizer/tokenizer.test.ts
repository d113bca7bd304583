/** The Tokenizer: losslessness, special tokens, errors, long pieces, the cache, streaming. */
import { strict as assert } from "node:assert";
import { Rng } from "../../src/random";
import {
  encode as teachEncode,
  loadGpt2,
  pretokenize,
  scanGpt2,
  toWellFormed,
  Tokenizer,
  trainBpe,
  type Tokenizer as Tok,
} from "../../src/tokenizer";
import { mobyDick } from "../../src/corpora";
import { randomString, TRICKY } from "./strings";

async function collect(stream: AsyncIterable<number[]>): Promise<number[]> {
  const out: number[] = [];
  for await (const batch of stream) for (const id of batch) out.push(id);
  return out;
}

describe("tokenizer: round trips and edge cases", function () {
  let gpt2: Tok;
  let small: Tok;
  before(() => {
    gpt2 = loadGpt2();
    const text = mobyDick().slice(0, 200_000);
    small = Tokenizer.fromModel(
      trainBpe(text, { vocabSize: 600, pattern: "gpt4", specialTokens: ["<|eot|>"] }),
    );
  });

  it("decode(encode(s)) === s for tricky and random well-formed strings", () => {
    const rng = new Rng(7);
    const inputs = [
      ...TRICKY,
      ...Array.from({ length: 200 }, () => randomString(rng, 1 + rng.int(300), false)),
    ];
    for (const tok of [gpt2, small]) {
      for (const s of inputs) assert.equal(tok.decode(tok.encode(s, { disallowedSpecial: [] })), s);
    }
  });

  it("lone surrogates become U+FFFD (what UTF-8 can carry), everything else is kept", () => {
    assert.equal(gpt2.decode(gpt2.encode("a\ud800b")), "a\ufffdb");
    assert.equal(gpt2.decode(gpt2.encode("\udc00")), "\ufffd");
    assert.deepEqual(gpt2.encode("x\ud83dy"), gpt2.encode("x\ufffdy"));
    assert.equal(gpt2.decode(gpt2.encode("😀")), "😀"); // a proper pair is one character
    const rng = new Rng(8);
    for (let k = 0; k < 100; k++) {
      const s = randomString(rng, 1 + rng.int(100), true);
      assert.equal(gpt2.decode(gpt2.encode(s)), toWellFormed(s));
    }
  });

  it("the GPT-2 scanner cuts exactly where GPT-2's regex does", () => {
    const rng = new Rng(12);
    const inputs = [...TRICKY, mobyDick().slice(0, 100_000)];
    for (let k = 0; k < 500; k++) inputs.push(randomString(rng, 1 + rng.int(200)));
    for (const s of inputs)
      assert.deepEqual(scanGpt2(s), pretokenize(s, "gpt2"), `input ${JSON.stringify(s.slice(0, 80))}`);
  });

  it("the empty string encodes to [] and [] decodes to the empty string", () => {
    assert.deepEqual(gpt2.encode(""), []);
    assert.equal(gpt2.decode([]), "");
    assert.deepEqual(small.encode(""), []);
  });

  it("a 1 MB single line round-trips and matches the teaching encoder on its pieces", () => {
    const rng = new Rng(9);
    let line = "";
    while (line.length < 1_000_000)
      line += randomString(rng, 500, false).replace(/[\r\n\u0085\u2028\u2029]/g, " ");
    const ids = gpt2.encode(line);
    assert.equal(gpt2.decode(ids), line);
    const part = line.slice(0, 5_000);
    assert.deepEqual(gpt2.encode(part), teachEncode(part, gpt2.vocabulary() as Uint8Array[], "gpt2"));
  });

  it("long pieces (heap merge) give the same ids as the short-piece merge loop", () => {
    const noCache = new Tokenizer({ vocab: gpt2.vocabulary(), pattern: "none", cacheSize: 0 });
    const vocab = gpt2.vocabulary() as Uint8Array[];
    const rng = new Rng(10);
    const inputs = Array.from({ length: 3 }, () => randomString(rng, 65 + rng.int(300), false));
    const joined = inputs.join("\u0001"); // one teaching call (it rebuilds its rank map per call)
    const expected = teachEncode(joined, vocab, "none");
    assert.deepEqual(noCache.encode(joined), expected);
    const smallNoCache = new Tokenizer({ vocab: small.vocabulary(), pattern: "none", cacheSize: 0 });
    for (let k = 0; k < 20; k++) {
      const s = randomString(rng, 65 + rng.int(400), false);
      const want = teachEncode(s, small.vocabulary() as Uint8Array[], "none");
      assert.deepEqual(smallNoCache.encode(s), want, `input ${JSON.stringify(s)}`);
    }
    // One megabyte without a single space: one piece, merged in O(n log n).
    const big = "ab".repeat(250_000) + "😀".repeat(1000);
    assert.equal(noCache.decode(noCache.encode(big)), big);
    assert.deepEqual(noCache.encode("ab".repeat(300)), teachEncode("ab".repeat(300), vocab, "none"));
  });

  it("the cache does not change results when it overflows", () => {
    const tiny = new Tokenizer({ vocab: gpt2.vocabulary(), specialTokens: gpt2.specialTokens, cacheSize: 8 });
    const text = mobyDick().slice(0, 50_000);
    assert.deepEqual(tiny.encode(text), gpt2.encode(text));
  });

  it("a special token in ordinary text is an error naming it, unless allowed or not disallowed", () => {
    const text = "before <|endoftext|> after";
    assert.throws(() => gpt2.encode(text), /special token "<\|endoftext\|>" at index 7.*allowedSpecial/);
    const allowed = gpt2.encode(text, { allowedSpecial: ["<|endoftext|>"] });
    assert.ok(allowed.includes(50256));
    assert.deepEqual(gpt2.encode(text, { allowedSpecial: "all" }), allowed);
    const ordinary = gpt2.encode(text, { disallowedSpecial: [] });
    assert.ok(!ordinary.includes(50256));
    assert.equal(gpt2.decode(ordinary), text);
    assert.deepEqual(gpt2.encodeOrdinary(text), ordinary);
    assert.throws(
      () => gpt2.encode("x", { allowedSpecial: ["<|nope|>"] }),
      /<\|nope\|>.*not a special token/,
    );
    assert.throws(() => small.encode("a<|eot|>"), /<\|eot\|>/);
    assert.deepEqual(small.encode("a<|eot|>", { allowedSpecial: "all" }).slice(-1), [
      small.specialTokens["<|eot|>"],
    ]);
  });

  it("decode: invalid UTF-8 becomes U+FFFD, an unknown id is an error naming it", () => {
    const vocab = gpt2.vocabulary();
    const byteId = (b: number): number =>
      vocab.findIndex((t) => t !== undefined && t.length === 1 && t[0] === b);
    const snowman = [0xe2, 0x98, 0x83].map(byteId); // "☃" as three single-byte tokens
    assert.equal(gpt2.decode(snowman), "☃");
    assert.equal(gpt2.decode(snowman.slice(0, 2)), "\ufffd"); // a cut character: one U+FFFD
    assert.equal(gpt2.decode([snowman[2], ...gpt2.encode("abc")]), "\ufffdabc"); // a stray continuation byte
    assert.throws(() => gpt2.decode([1, 50257]), /unknown token id 50257/);
    assert.throws(() => gpt2.decode([-1]), /unknown token id -1/);
    assert.throws(() => gpt2.decode([1.5]), /unknown token id 1.5/);
    assert.equal(gpt2.decode([50256]), "<|endoftext|>");
  });

  it("a vocabulary without all 256 bytes is refused with a message naming the byte", () => {
    const vocab = gpt2.vocabulary();
    const missing = vocab.findIndex((b) => b !== undefined && b.length === 1 && b[0] === 0x41);
    vocab[missing] = undefined;
    assert.throws(() => new Tokenizer({ vocab }), /single byte 0x41/);
  });
});

describe("tokenizer: streaming encode", function () {
  let gpt2: Tok;
  before(() => {
    gpt2 = loadGpt2();
  });

  it("gives the same ids as encode wherever the chunks are cut (GPT-2 and GPT-4 patterns)", async () => {
    const rng = new Rng(11);
    const gpt4Tok = Tokenizer.fromModel(
      trainBpe(mobyDick().slice(0, 100_000), { vocabSize: 400, pattern: "gpt4" }),
    );
    for (const tok of [gpt2, gpt4Tok]) {
      for (let k = 0; k < 40; k++) {
        const text = randomString(rng, 50 + rng.int(2000), false) + (k % 3 === 0 ? "   \n\n  \n " : "");
        const chunks: string[] = [];
        for (let at = 0; at < text.length;) {
          let n = 1 + rng.int(40);
          // never split a surrogate pair inside a string chunk (bytes chunks are tested below)
          if (/[\ud800-\udbff]/.test(text[at + n - 1] ?? "")) n++;
          chunks.push(text.slice(at, at + n));
          at += n;
        }
        assert.deepEqual(
          await collect(tok.encodeStream(chunks, { disallowedSpecial: [] })),
          tok.encode(text, { disallowedSpecial: [] }),
        );
      }
    }
  });

  it("accepts UTF-8 byte chunks cut inside characters, and special tokens cut across chunks", async () => {
    const text = "héllo 😀 wörld <|endoftext|> 中文 ".repeat(200);
    const bytes = new TextEncoder().encode(text);
    const chunks: Uint8Array[] = [];
    for (let at = 0; at < bytes.length; at += 7) chunks.push(bytes.subarray(at, at + 7));
    const opts = { allowedSpecial: "all" as const };
    assert.deepEqual(await collect(gpt2.encodeStream(chunks, opts)), gpt2.encode(text, opts));
    await assert.rejects(collect(gpt2.encodeStream(chunks)), /special token "<\|endoftext\|>"/);
  });

  it("yields in batches as text arrives (holds only a small tail)", async () => {
    const text = mobyDick().slice(0, 300_000);
    async function* chunks(): AsyncGenerator<string> {
      for (let at = 0; at < text.length; at += 10_000) yield text.slice(at, at + 10_000);
    }
    let batches = 0;
    const out: number[] = [];
    for await (const batch of gpt2.encodeStream(chunks())) {
      batches++;
      out.push(...batch);
    }
    // 30 chunks of 10,000 characters: a batch as each chunk arrives, and one for the tail held back at the end.
    assert.equal(batches, 31, `expected a batch per chunk and one for the tail, got ${batches}`);
    assert.deepEqual(out, gpt2.encode(text));
  });
});
