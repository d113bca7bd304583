import * as assert from "node:assert/strict";
import { loadNames, normalizeName, normalizeNames, splitWords } from "../../src/lm/names";

describe("lm/names", () => {
  const names = loadNames();

  it("normalises to lowercase a–z", () => {
    assert.equal(normalizeName("Anne-Marie"), "annemarie");
    assert.equal(normalizeName("O'Neil"), "oneil");
    assert.deepEqual(normalizeNames(["Bob", "bob", "--", "Al"]), ["al", "bob"]);
  });

  it("loads both lists: sorted, distinct, only a–z, non-empty", () => {
    // 4951 female + 3898 male raw entries; names in both lists and hyphen variants collapse.
    assert.ok(names.length > 8000 && names.length < 8849, `unexpected size ${names.length}`);
    assert.equal(new Set(names).size, names.length, "duplicates");
    for (const n of names) assert.match(n, /^[a-z]+$/);
    for (let i = 1; i < names.length; i++) assert.ok(names[i - 1] < names[i], `not sorted at ${i}`);
    const female = loadNames("female");
    const male = loadNames("male");
    assert.ok(
      female.includes("emma") && male.includes("aaron") && names.includes("emma") && names.includes("aaron"),
    );
    assert.equal(new Set([...female, ...male]).size, names.length, "'all' is the union of the two lists");
  });

  it("splits 80/10/10, disjoint and complete, the same for the same seed", () => {
    const s = splitWords(names, { seed: 1 });
    const n = names.length;
    assert.equal(s.train.length, Math.floor(0.8 * n));
    assert.equal(s.val.length, Math.floor(0.1 * n));
    assert.equal(s.train.length + s.val.length + s.test.length, n);
    assert.deepEqual([...s.train, ...s.val, ...s.test].sort(), names, "the split must be a partition");
    assert.deepEqual(splitWords(names, { seed: 1 }), s, "same seed, same split");
    assert.notDeepEqual(splitWords(names, { seed: 2 }).val, s.val, "another seed, another split");
    assert.equal(names[0], "aaren", "the input list must not be shuffled in place");
  });

  it("rejects impossible fractions", () => {
    assert.throws(() => splitWords(names, { train: 0.9, val: 0.2 }), /train \+ val ≤ 1/);
  });
});
