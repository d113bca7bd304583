import { strict as assert } from "node:assert";
import { QualityClassifier, classifierStage, precisionRecall } from "../../src/data/classifier";
import { exactDedupStage } from "../../src/data/dedup";
import { sampleMixture, tokensPerDomain } from "../../src/data/mixture";
import { qualityStage } from "../../src/data/quality";
import { Pipeline, stage, type DataDoc } from "../../src/data/stream";
import { countTokens, dedupKey, lines, paragraphs, words } from "../../src/data/text";
import { PROSE, smallCrawl } from "./fixture";

describe("data/text", () => {
  it("counts words, lines, paragraphs and tokens (hand-computed)", () => {
    assert.deepEqual(words("  a  b\tc\n"), ["a", "b", "c"]);
    assert.deepEqual(lines("x\n\n y \n"), ["x", "y"]);
    assert.deepEqual(paragraphs("p1 l1\np1 l2\n\n\np2"), ["p1 l1\np1 l2", "p2"]);
    assert.equal(countTokens("Hello, world! It's 2024."), 9); // Hello , world ! It ' s 2024 .
    assert.equal(dedupKey("  The WHALE, the whale!  "), "the whale the whale");
  });
});

describe("data/stream: a pipeline of stages", () => {
  it("runs lazily, document by document, and counts what each stage removed and why", () => {
    const seen: string[] = [];
    const spy = stage<DataDoc>("spy", (d) => {
      seen.push(d.id);
      return { keep: true, doc: d };
    });
    const dropped: string[] = [];
    const pipe = new Pipeline([spy, qualityStage(), exactDedupStage()], {
      onDrop: (x) => dropped.push(`${x.doc.id}:${x.stage}:${x.reason}`),
    });
    const docs: DataDoc[] = [
      { id: "a", text: PROSE },
      { id: "b", text: "Too short." },
      { id: "c", text: PROSE.toUpperCase() },
      { id: "d", text: PROSE.replace("November", "December") },
    ];
    const out = pipe.run(docs);
    assert.deepEqual(seen, [], "nothing runs before iteration");
    const first = out.next();
    assert.equal(first.done, false);
    assert.deepEqual(seen, ["a"]);
    const rest = [...out];
    assert.deepEqual([first.value.id, ...rest.map((d) => d.id)], ["a", "d"]);
    assert.deepEqual(dropped, ["b:quality:min-words", "c:exact-dedup:exact-duplicate"]);
    const stats = pipe.stats();
    assert.deepEqual(
      stats.map((s) => [s.stage, s.seen, s.kept, s.removed]),
      [
        ["spy", 4, 4, 0],
        ["quality", 4, 3, 1],
        ["exact-dedup", 3, 2, 1],
      ],
    );
    assert.deepEqual(stats[1].reasons, { "min-words": 1 });
    assert.equal(stats[1].tokensRemoved, countTokens("Too short."));
  });

  it("runs over an async source too", async () => {
    async function* source(): AsyncGenerator<DataDoc> {
      yield { id: "a", text: PROSE };
      yield { id: "b", text: "Short." };
    }
    const pipe = new Pipeline([qualityStage()]);
    const out: string[] = [];
    for await (const d of pipe.runAsync(source())) out.push(d.id);
    assert.deepEqual(out, ["a"]);
    assert.throws(() => new Pipeline([]), /at least one stage/);
  });
});

describe("data/mixture", () => {
  const docs: DataDoc[] = [];
  for (let i = 0; i < 50; i++) docs.push({ id: `n${i}`, domain: "news", text: "word ".repeat(100) });
  for (let i = 0; i < 10; i++) docs.push({ id: `b${i}`, domain: "books", text: "word ".repeat(400) });

  it("counts tokens per domain", () => {
    const t = tokensPerDomain(docs);
    assert.deepEqual(t.get("news"), { docs: 50, tokens: 5000 });
    assert.deepEqual(t.get("books"), { docs: 10, tokens: 4000 });
  });

  it("samples tokens in proportion to the domain weights, seeded", () => {
    const m = sampleMixture(docs, { news: 0.25, books: 0.75 }, { totalTokens: 200000, seed: 1 });
    const news = m.tokens.get("news")!;
    const books = m.tokens.get("books")!;
    assert.ok(Math.abs(books / (news + books) - 0.75) < 0.02, `books share ${books / (news + books)}`);
    assert.ok(m.epochs.get("books")! > 30, "the small domain is upsampled");
    const again = sampleMixture(docs, { news: 0.25, books: 0.75 }, { totalTokens: 200000, seed: 1 });
    assert.deepEqual(
      again.docs.map((d) => d.id),
      m.docs.map((d) => d.id),
    );
    assert.throws(
      () => sampleMixture(docs, { code: 1 }, { totalTokens: 10 }),
      /"code" has weight 1 but no documents/,
    );
  });
});

describe("data/classifier: hashed n-gram logistic regression", () => {
  it("precision and recall match hand-computed counts", () => {
    const r = precisionRecall([true, true, false, false, true], [true, false, true, false, true]);
    assert.deepEqual([r.tp, r.fp, r.fn, r.tn], [2, 1, 1, 1]);
    assert.equal(r.precision, 2 / 3);
    assert.equal(r.recall, 2 / 3);
  });

  it("learns to tell spam and junk from prose on held-out crawl pages", () => {
    const { pages, texts } = smallCrawl();
    const idx = pages.flatMap((p, i) =>
      p.truth.kind === "original" || p.truth.junk || p.truth.spam ? [i] : [],
    );
    const bad = (i: number): boolean => pages[i].truth.junk || pages[i].truth.spam;
    const train = idx.filter((_, k) => k % 3 !== 0);
    const test = idx.filter((_, k) => k % 3 === 0);
    const model = new QualityClassifier({ bits: 16 });
    const losses = model.fit(
      train.map((i) => texts[i]),
      train.map((i) => (bad(i) ? 0 : 1)),
      { seed: 3, epochs: 6 },
    );
    assert.ok(losses[losses.length - 1] < losses[0] / 2, `loss ${losses[0]} → ${losses[losses.length - 1]}`);
    const pr = precisionRecall(
      test.map((i) => model.score(texts[i]) < 0.5),
      test.map(bad),
    );
    assert.ok(pr.precision >= 0.9 && pr.recall >= 0.75, JSON.stringify(pr));
    const st = classifierStage(model, 0.5);
    assert.equal(st.apply({ id: "x", text: texts[test.find((i) => !bad(i))!] }).keep, true);
    assert.throws(() => model.fit(["a"], [2]), /labels must be 0 or 1/);
  });
});
