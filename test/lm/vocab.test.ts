import * as assert from "node:assert/strict";
import { BOUNDARY, Vocab } from "../../src/lm/vocab";

describe("lm/vocab", () => {
  const vocab = Vocab.fromWords(["emma", "olivia", "ava", "zoe"]);

  it("puts the boundary '.' at id 0 and the sorted characters after it", () => {
    assert.equal(vocab.itos[0], BOUNDARY);
    assert.deepEqual(vocab.itos, [".", "a", "e", "i", "l", "m", "o", "v", "z"]);
    assert.equal(vocab.size, 9);
    for (let i = 0; i < vocab.size; i++) assert.equal(vocab.stoi.get(vocab.itos[i]), i);
  });

  it("frames a word with boundaries and round-trips", () => {
    assert.deepEqual(vocab.encode("emma"), [0, 2, 5, 5, 1, 0]);
    for (const w of ["emma", "olivia", "ava", "zoe", "a", ""]) assert.equal(vocab.decode(vocab.encode(w)), w);
  });

  it("has 27 tokens for a–z", () => {
    const full = Vocab.fromWords(["abcdefghijklmnopqrstuvwxyz"]);
    assert.equal(full.size, 27);
    assert.equal(full.itos.join(""), ".abcdefghijklmnopqrstuvwxyz");
  });

  it("rejects unknown characters, ids and duplicates with a clear message", () => {
    assert.throws(() => vocab.encode("bob"), /character 'b' is not in the vocabulary/);
    assert.throws(() => vocab.encode("a.a"), /boundary/);
    assert.throws(() => vocab.decode([1, 99]), /id 99 is outside 0..8/);
    assert.throws(() => new Vocab(["a", "a"]), /'a' twice/);
    assert.throws(() => new Vocab([".", "a"]), /boundary/);
  });
});
