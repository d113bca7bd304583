import { strict as assert } from "node:assert";
import { firstNames, mobyDickChapters, splitDocuments } from "../../src/corpora";

describe("corpora/split: the seeded train / validation / test split by document", () => {
  const docs = Array.from({ length: 1003 }, (_, i) => `doc-${i}`);

  it("is a partition: disjoint parts that cover every document once", () => {
    const s = splitDocuments(docs, { seed: 1 });
    const all = [...s.train, ...s.validation, ...s.test];
    assert.equal(all.length, docs.length);
    assert.equal(new Set(all).size, docs.length);
    assert.deepEqual([...all].sort(), [...docs].sort());
  });

  it("has the requested fractions: floor(0.8·n), floor(0.1·n), the rest", () => {
    const s = splitDocuments(docs);
    assert.deepEqual([s.train.length, s.validation.length, s.test.length], [802, 100, 101]);
    const t = splitDocuments(docs, { validation: 0.25, test: 0 });
    assert.deepEqual([t.train.length, t.validation.length, t.test.length], [752, 250, 1]);
    const names = splitDocuments(firstNames(), { seed: 42 });
    assert.deepEqual(
      [names.train.length, names.validation.length, names.test.length],
      [6724, 840, 841],
      "chapter 01's split",
    );
    assert.deepEqual(names.train.slice(0, 3), ["ninnette", "skyler", "durand"]);
  });

  it("is deterministic: the same seed gives the same split, another seed another", () => {
    assert.deepEqual(splitDocuments(docs, { seed: 7 }), splitDocuments(docs, { seed: 7 }));
    assert.notDeepEqual(
      splitDocuments(docs, { seed: 7 }).validation,
      splitDocuments(docs, { seed: 8 }).validation,
    );
  });

  it("never cuts a document and never touches its input", () => {
    const chapters = mobyDickChapters();
    const first = chapters[0];
    const s = splitDocuments(chapters, { seed: 3 });
    for (const part of [s.train, s.validation, s.test]) for (const c of part) assert.ok(chapters.includes(c));
    assert.equal(chapters[0], first, "the cached corpus must not be shuffled in place");
    assert.deepEqual(splitDocuments([], {}), { train: [], validation: [], test: [] });
  });

  it("rejects impossible fractions with a message that says what is allowed", () => {
    assert.throws(() => splitDocuments(docs, { validation: 0.6, test: 0.4 }), /validation \+ test < 1/);
    assert.throws(() => splitDocuments(docs, { validation: -0.1 }), /validation ≥ 0/);
  });
});
