import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import {
  BROWN_GENRES,
  SOURCES,
  afinn165,
  attribution,
  brownDocuments,
  cached,
  datasetPath,
  parseCsv,
  parseJsonLines,
  cmuDict,
  decodeQuotedPrintable,
  detokenizeBrown,
  firstNames,
  mobyDick,
  mobyDickChapters,
  normalizeName,
  normalizeNames,
  pronunciations,
  rawFirstNames,
  rawSpamAssassinMails,
  sotuSpeeches,
  spamAssassinMails,
  stopWords,
  type CorpusName,
} from "../../src/corpora";

describe("corpora: every data set, loaded once, as typed records", () => {
  it("first names: 4,951 female and 3,898 male as shipped; 8,405 distinct normalised names", () => {
    assert.equal(rawFirstNames("female").length, 4951);
    assert.equal(rawFirstNames("male").length, 3898);
    const names = firstNames();
    assert.equal(names.length, 8405);
    assert.equal(names[0], "aaren");
    assert.equal(new Set(names).size, names.length, "duplicates");
    for (const n of names) assert.match(n, /^[a-z]{2,14}$/);
    for (let i = 1; i < names.length; i++) assert.ok(names[i - 1] < names[i], `not sorted at ${i}`);
    const female = firstNames("female");
    const male = firstNames("male");
    assert.ok(female.includes("emma") && male.includes("aaron") && !male.includes("emma"));
    assert.equal(new Set([...female, ...male]).size, names.length, "'all' is the union of the two lists");
    assert.throws(() => firstNames("other" as "all"), /unknown list 'other'/);
  });

  it("normalises names to lowercase a–z", () => {
    assert.equal(normalizeName("Anne-Marie"), "annemarie");
    assert.equal(normalizeName("O'Neil"), "oneil");
    assert.deepEqual(normalizeNames(["Bob", "bob", "--", "Al"]), ["al", "bob"]);
  });

  it("Moby-Dick: 139 sections, chapter 1 is 'Loomings.', 1,213,144 characters in all", () => {
    const chapters = mobyDickChapters();
    assert.equal(chapters.length, 139);
    assert.deepEqual(
      chapters.slice(0, 4).map((c) => c.chapter),
      ["Contents", "Etymology", "Extracts", "1"],
    );
    assert.equal(chapters[3].title, "Loomings.");
    assert.equal(chapters.filter((c) => /^\d+$/.test(c.chapter)).length, 135);
    assert.equal(chapters[138].chapter, "Epilogue");
    assert.match(chapters[3].text, /Call me Ishmael\./);
    assert.equal(mobyDick().length, 1_213_144);
  });

  it("State of the Union: 233 speeches sorted by year, 1790 George Washington … 2021 Joseph R Biden", () => {
    const speeches = sotuSpeeches();
    assert.equal(speeches.length, 233);
    assert.deepEqual(
      { year: speeches[0].year, president: speeches[0].president, party: speeches[0].party },
      { year: 1790, president: "George Washington", party: "none" },
    );
    const last = speeches[speeches.length - 1];
    assert.deepEqual([last.year, last.president, last.party], [2021, "Joseph R Biden", "Democratic"]);
    for (let i = 1; i < speeches.length; i++) assert.ok(speeches[i - 1].year <= speeches[i].year);
    assert.equal(speeches.find((s) => s.year === 1863)?.president, "Abraham Lincoln");
    assert.equal(speeches.find((s) => s.year === 1863)?.party, "Republican");
  });

  it("Brown: 500 documents in 15 genres, ca01 is news about the Fulton County Grand Jury", () => {
    const docs = brownDocuments();
    assert.equal(docs.length, 500);
    assert.equal(new Set(docs.map((d) => d.genre)).size, 15);
    assert.deepEqual([...new Set(docs.map((d) => d.genre))], [...BROWN_GENRES]);
    assert.equal(docs.filter((d) => d.genre === "news").length, 44);
    assert.deepEqual([docs[0].file, docs[0].genre], ["ca01", "news"]);
    assert.ok(docs[0].paragraphs[0].startsWith("The Fulton County Grand Jury said Friday an investigation"));
    assert.equal(docs[499].file, "cr09");
    assert.equal(docs[499].genre, "humor");
  });

  it("Brown's tagged tokens become plain text", () => {
    assert.equal(
      detokenizeBrown("The/at jury/nn said/vbd ``/`` it/pps was/bedz n't/* fair/jj ''/'' ./."),
      'The jury said "it wasn\'t fair".',
    );
    assert.equal(detokenizeBrown("(/( a/at )/) b/nn"), "(a) b");
  });

  it("SpamAssassin: 6,046 mails as shipped, 5,529 readable without MIME, 1,577 of them spam", () => {
    assert.equal(rawSpamAssassinMails().length, 6046);
    const mails = spamAssassinMails();
    assert.equal(mails.length, 5529);
    assert.equal(mails.filter((m) => m.spam).length, 1577);
    for (const m of mails) assert.equal(m.spam, m.group.startsWith("spam"));
    assert.deepEqual(
      [...new Set(mails.map((m) => m.group))],
      ["easy-ham-1", "easy-ham-2", "hard-ham-1", "spam-1", "spam-2"],
    );
    assert.deepEqual([mails[0].id, mails[0].subject], ["easy-ham-1/00001", "Re: New Sequences Window"]);
    assert.equal(decodeQuotedPrintable("caf=E9 au=\nlait =3D good"), "café aulait = good");
  });

  it("stop words: 301, lowercase, with the Gopher ones", () => {
    const words = stopWords();
    assert.equal(words.length, 301);
    for (const w of ["the", "be", "to", "of", "and", "that", "have", "with"]) assert.ok(words.includes(w), w);
    for (const w of words) assert.equal(w, w.toLowerCase());
  });

  it("CMUdict: 125,997 words; 'hello' has two pronunciations, the main one first", () => {
    const dict = cmuDict();
    assert.equal(dict.size, 125_997);
    assert.deepEqual(pronunciations("hello"), [
      ["HH", "AH0", "L", "OW1"],
      ["HH", "EH0", "L", "OW1"],
    ]);
    assert.deepEqual(pronunciations("Whale")[0], ["W", "EY1", "L"], "looked up lowercase");
    assert.deepEqual(pronunciations("tomato")[1], ["T", "AH0", "M", "AA1", "T", "OW2"]);
    assert.deepEqual(pronunciations("qqqxz"), []);
    assert.equal(dict.has("hello(2)"), false, "variants are folded into their word");
  });

  it("AFINN-165: 3,382 entries from −5 to +5; good 3, bad −3; no prototype words", () => {
    const afinn = afinn165();
    assert.equal(afinn.size, 3382);
    assert.equal(afinn.get("good"), 3);
    assert.equal(afinn.get("bad"), -3);
    assert.equal(afinn.get("abandon"), -2);
    assert.equal(afinn.get("damn"), -2, "AFINN-165 rates damn −2 (AFINN-111: −4)");
    assert.equal(afinn.get("constructor"), undefined);
    for (const v of afinn.values()) assert.ok(Number.isInteger(v) && v >= -5 && v <= 5);
  });

  it("caches: every loader returns the same object on every call", () => {
    assert.equal(mobyDickChapters(), mobyDickChapters());
    assert.equal(mobyDick(), mobyDick());
    assert.equal(sotuSpeeches(), sotuSpeeches());
    assert.equal(brownDocuments(), brownDocuments());
    assert.equal(spamAssassinMails(), spamAssassinMails());
    assert.equal(firstNames(), firstNames());
    assert.equal(cmuDict(), cmuDict());
    assert.equal(afinn165(), afinn165());
    let calls = 0;
    const a = cached("test/corpora/once", () => ({ n: ++calls }));
    const b = cached("test/corpora/once", () => ({ n: ++calls }));
    assert.equal(a, b);
    assert.equal(calls, 1);
  });

  it("attribution agrees with package.json and datasets/README.md", () => {
    const root = path.resolve(__dirname, "../..");
    const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as {
      dependencies: Record<string, string>;
    };
    const readme = fs.readFileSync(path.join(root, "datasets/README.md"), "utf8");
    for (const [name, source] of Object.entries(SOURCES)) {
      for (const spec of source.packages) {
        const at = spec.lastIndexOf("@");
        const [pkgName, version] = [spec.slice(0, at), spec.slice(at + 1)];
        assert.equal(pkg.dependencies[pkgName], version, `${name}: ${pkgName} is pinned at another version`);
        assert.ok(readme.includes(pkgName), `datasets/README.md does not mention ${pkgName}`);
        assert.ok(readme.includes(version), `datasets/README.md does not mention ${pkgName} ${version}`);
      }
      const line = attribution(name as CorpusName);
      assert.ok(line.includes(source.licence) && line.includes(source.citation));
    }
    assert.throws(() => attribution("wiki" as CorpusName), /unknown corpus 'wiki'/);
  });
});

describe("corpora/files: data sets vendored under datasets/", () => {
  it("finds files under datasets/ and names a missing one", () => {
    assert.ok(fs.existsSync(datasetPath("crawl", "README.md")));
    assert.throws(() => datasetPath("no-such-set", "x.csv"), /datasets\/no-such-set\/x\.csv not found/);
  });

  it("parses CSV with quotes, doubled quotes, commas and newlines inside quotes", () => {
    const text = 'a,b,c\r\n1,"x, y","say ""hi"""\n2,"two\nlines",\n';
    assert.deepEqual(parseCsv(text), [
      { a: "1", b: "x, y", c: 'say "hi"' },
      { a: "2", b: "two\nlines", c: "" },
    ]);
    assert.deepEqual(parseCsv(""), []);
    assert.throws(() => parseCsv("a,b\n1,2,3\n"), /row 2 has 3 fields, the header has 2/);
  });

  it("parses JSON lines, skipping blank lines and naming a bad one", () => {
    assert.deepEqual(parseJsonLines('{"id":1}\n\n{"id":2}\n'), [{ id: 1 }, { id: 2 }]);
    assert.throws(() => parseJsonLines('{"id":1}\n{id}\n', "x.jsonl"), /x\.jsonl:2: not JSON/);
  });
});
