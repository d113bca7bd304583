import { strict as assert } from "node:assert";
import { extract, extractText, wetText } from "../../src/data/extract";
import { normalizeText } from "../../src/data/text";

const PAGE = `<!DOCTYPE html>
<html><head><title>Loomings &amp; more</title>
<style>.x { color: red }</style><script>var tracking = "should not appear";</script></head>
<body>
<header><div class="logo">Whale Readers</div><nav><a href="/">Home</a> <a href="/books">Books</a></nav></header>
<div id="cookie-banner">We use cookies to improve your experience. <button>Accept</button></div>
<div class="menu-wrap"><ul><li><a href="/a">Chapter one</a></li><li><a href="/b">Chapter two</a></li>
<li><a href="/c">Chapter three</a></li></ul></div>
<main><article>
<h1>Loomings</h1>
<div class="byline">Posted on 2024-01-01 by Staff</div>
<p>Call me Ishmael.   Some years ago —
   never mind how long precisely — I thought I would sail about a little.</p>
<p>It is a way I have of driving off the spleen, as <a href="/note">Melville</a> wrote.</p>
<pre>line one
  line two</pre>
<p hidden>Hidden text.</p><p style="display: none">Also hidden.</p>
<p>Cafe\u0301 au lait &mdash; caf&eacute;.</p>
</article></main>
<aside><h3>Popular</h3><p>Some sidebar text.</p></aside>
<div class="share">Share this: <a href="#">Twitter</a></div>
<footer><p>© 2024 Whale Readers. All rights reserved.</p></footer>
<noscript>Please enable JavaScript.</noscript>
</body></html>`;

describe("data/extract: HTML to main text", () => {
  const result = extract(PAGE);

  it("keeps the main text, in order, as blank-line separated blocks", () => {
    assert.equal(
      result.text,
      [
        "Loomings",
        "Call me Ishmael. Some years ago — never mind how long precisely — I thought I would sail about a little.",
        "It is a way I have of driving off the spleen, as Melville wrote.",
        "line one\nline two",
        "Café au lait — café.",
      ].join("\n\n"),
    );
    assert.equal(result.title, "Loomings & more");
  });

  it("removes scripts, styles, navigation, banners, link lists, sidebars, footers and hidden text", () => {
    for (const junk of [
      "tracking",
      "color",
      "Home",
      "cookies",
      "Chapter one",
      "Posted",
      "Popular",
      "Twitter",
      "©",
      "JavaScript",
      "hidden",
    ]) {
      assert.ok(!result.text.includes(junk), `"${junk}" survived extraction`);
    }
    // style, script, header (logo and nav inside it), the cookie banner, the byline, the two hidden paragraphs,
    // aside, the share box, footer, noscript: 11 (the link-dense menu is dropped as a block, not skipped).
    assert.equal(result.skippedElements, 11);
  });

  it("drops a block by link density alone (no telling class names)", () => {
    const html = `<div><p><a href="/1">Top stories</a> | <a href="/2">Most read</a></p><p>The real text of the page, with one <a href="/x">link</a> in it.</p></div>`;
    const r = extract(html);
    assert.equal(r.text, "The real text of the page, with one link in it.");
    assert.equal(r.linkBlocks, 1);
    assert.equal(extractText(html, { maxLinkDensity: 1 }), `Top stories | Most read\n\n${r.text}`);
  });

  it("normalises Unicode to NFC and whitespace", () => {
    assert.equal(normalizeText("Cafe\u0301\u00a0\u00a0au  lait\r\n\n\n\nx\u200b "), "Café au lait\n\nx");
    assert.ok(result.text.includes("Café") && result.text.normalize("NFC") === result.text);
  });

  it("wetText keeps every visible text, boilerplate included, but no script, style or head", () => {
    const wet = wetText(PAGE);
    for (const kept of ["Whale Readers", "Home", "cookies", "Accept", "Chapter one", "Posted", "Popular"]) {
      assert.ok(wet.includes(kept), `"${kept}" is missing from the WET text`);
    }
    for (const gone of ["tracking", "color", "enable JavaScript", "Loomings & more"]) {
      assert.ok(!wet.includes(gone), `"${gone}" should not be in the WET text`);
    }
    // Every block of the extracted main text is in the WET text, in the same order.
    let from = 0;
    for (const block of result.text.split("\n\n")) {
      const at = wet.indexOf(block, from);
      assert.ok(at >= from, `main-text block "${block}" not found in order`);
      from = at + block.length;
    }
    assert.equal(wet, extract(PAGE, { keepBoilerplate: true }).text);
  });

  it("survives broken HTML and rejects non-strings", () => {
    assert.equal(extractText("<p>unclosed <b>bold<p>next"), "unclosed bold\n\nnext");
    assert.equal(extractText(""), "");
    assert.throws(() => extract(42 as unknown as string), /expected an HTML string/);
  });
});
