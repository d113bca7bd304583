import { strict as assert } from "node:assert";
import { createHash } from "node:crypto";
import { DEFAULT_KIND_MIX, crawlRecord, generateCrawl } from "../../src/data/crawl";
import { detokenizeBrown, decodeQuotedPrintable } from "../../src/corpora";
import { exactHash } from "../../src/data/dedup";
import { jaccard, shingles } from "../../src/data/minhash";
import { smallCrawl } from "./fixture";

describe("data/crawl: the generated crawl and its ground truth", () => {
  it("is seeded: the same seed gives the same pages, another seed other pages", () => {
    const a = generateCrawl({ documents: 60, seed: 3 });
    const b = generateCrawl({ documents: 60, seed: 3 });
    const c = generateCrawl({ documents: 60, seed: 4 });
    assert.deepEqual(a, b);
    assert.notDeepEqual(
      a.map((p) => p.html),
      c.map((p) => p.html),
    );
    assert.throws(() => generateCrawl({ documents: 3 }), /documents must be an integer ≥ 10/);
  });

  it("is fixed: the crawls notebook 05 reads hash to the values recorded when they were made", () => {
    // Notebook 05 states numbers measured on these crawls (600 pages seed 1 for the classifier; 1000 pages in
    // quick mode, 3000 in full mode, seed 0). A change to the generator or to the corpora that moves a single
    // byte fails here: if it is on purpose, update the hashes and re-measure the notebook's numbers.
    const digest = (documents: number, seed: number): string => {
      const h = createHash("sha256");
      for (const p of generateCrawl({ documents, seed })) h.update(JSON.stringify(crawlRecord(p)) + "\n");
      return h.digest("hex");
    };
    assert.equal(digest(600, 1), "3a0d86145ab36fc8cc7165f8bf515c80bbc455c1bcc14497c37423d5f0973a95");
    assert.equal(digest(1000, 0), "18e467664884a3c6904456018200cc60e972978be169307f9070f2a028c8c372");
    assert.equal(digest(3000, 0), "4350e9d5d591a4b916cda60fda349edc4e5425d7c3f5b65d57781ec61ce76af9");
  });

  it("has the requested mix of page kinds, unique ids, and flags that agree with the kind", () => {
    const { pages } = smallCrawl();
    assert.equal(pages.length, 800);
    assert.equal(new Set(pages.map((p) => p.id)).size, 800);
    const counts: Record<string, number> = {};
    for (const p of pages) counts[p.truth.kind] = (counts[p.truth.kind] ?? 0) + 1;
    for (const [kind, share] of Object.entries(DEFAULT_KIND_MIX)) {
      assert.ok(Math.abs(counts[kind] - share * 800) <= 2, `${kind}: ${counts[kind]}`);
    }
    // The mix rounded to whole pages (the crawl is seeded: these are exact).
    assert.deepEqual(counts, {
      original: 496,
      "exact-copy": 64,
      "near-copy": 96,
      junk: 56,
      spam: 64,
      thin: 24,
    });
    for (const p of pages) {
      const t = p.truth;
      assert.equal(t.junk, t.kind === "junk");
      assert.equal(t.spam, t.kind === "spam");
      assert.equal(t.thin, t.kind === "thin");
      assert.equal(t.isDuplicateOf !== null, t.kind === "exact-copy");
      assert.equal(t.nearDuplicateOf !== null, t.kind === "near-copy");
      assert.match(p.html, /<html/i);
      assert.match(p.url, /^https:\/\/[a-z0-9.-]+\//);
    }
  });

  it("every declared exact copy extracts to exactly its original's text", () => {
    const { pages, texts, byId } = smallCrawl();
    let n = 0;
    for (let i = 0; i < pages.length; i++) {
      const src = pages[i].truth.isDuplicateOf;
      if (src === null) continue;
      const j = byId.get(src)!;
      assert.equal(pages[j].truth.kind, "original");
      assert.notEqual(pages[i].url, pages[j].url);
      assert.equal(texts[i], texts[j], `${pages[i].id} is not an exact copy of ${src}`);
      n++;
    }
    assert.equal(n, 64, "every exact-copy page (8 % of 800) links to its original");
  });

  it("near copies are similar to, but not the same as, their original; originals are distinct", () => {
    const { pages, texts, byId } = smallCrawl();
    const sims: number[] = [];
    for (let i = 0; i < pages.length; i++) {
      const src = pages[i].truth.nearDuplicateOf;
      if (src === null) continue;
      const j = byId.get(src)!;
      assert.equal(pages[j].truth.kind, "original");
      sims.push(jaccard(shingles(texts[i]), shingles(texts[j])));
    }
    sims.sort((a, b) => a - b);
    assert.equal(sims.length, 96, "every near-copy page (12 % of 800) links to its original");
    assert.equal(sims.filter((s) => s < 0.5).length, 1, "near copies below J = 0.5");
    const median = sims[sims.length >> 1];
    assert.ok(Math.abs(median - 0.872) < 0.001, `median similarity ${median}, expected 0.872`);
    assert.equal(sims.filter((s) => s === 1).length, 0, "a near copy identical to its original");
    const originals = pages.map((p, i) => [p, i] as const).filter(([p]) => p.truth.kind === "original");
    const keys = new Set(originals.map(([, i]) => exactHash(texts[i])));
    assert.equal(keys.size, originals.length, `${originals.length - keys.size} originals repeat`);
  });

  it("junk, spam and thin pages look like what they claim", () => {
    const { pages, texts } = smallCrawl();
    const words = (i: number): number => texts[i].split(/\s+/).filter(Boolean).length;
    const of = (kind: string): number[] => pages.flatMap((p, i) => (p.truth.kind === kind ? [i] : []));
    for (const i of of("thin")) assert.ok(words(i) < 40, `thin page with ${words(i)} words`);
    const prose = of("original").filter((i) => pages[i].truth.source !== "spam-assassin");
    assert.ok(
      prose.every((i) => words(i) >= 150),
      "a prose page is shorter than a passage",
    );
    assert.ok(of("spam").every((i) => pages[i].truth.source === "spam-assassin"));
    assert.ok(of("junk").every((i) => pages[i].truth.source === "generated"));
  });

  it("writes snake_case ground truth in its JSON records", () => {
    const rec = crawlRecord(smallCrawl().pages[0]);
    for (const k of [
      "id",
      "url",
      "source",
      "domain",
      "kind",
      "is_duplicate_of",
      "near_duplicate_of",
      "junk",
      "spam",
      "html",
    ]) {
      assert.ok(k in rec, k);
    }
  });

  it("detokenises Brown and decodes quoted-printable mail", () => {
    assert.equal(
      detokenizeBrown(
        "The/at jury/nn said/vbd ``/`` no/at evidence/nn ''/'' ,/, and/cc it/pps wasn't/bedz* ./.",
      ),
      'The jury said "no evidence", and it wasn\'t.',
    );
    assert.equal(decodeQuotedPrintable("caf=E9 au=\nlait =3D good"), "café aulait = good");
  });
});
