/**
 * A synthetic, seeded "web crawl" built from real text, with ground truth for every page, so that every
 * stage of the data pipeline can be scored.
 *
 * Pages wrap passages of Moby-Dick, State of the Union addresses and the Brown corpus (clean prose), and
 * Spam Assassin mails (ham as mailing-list archive pages, spam as spam pages), in HTML templates with menus,
 * cookie banners, sidebars, share bars and footers. Added to them: exact copies (the same article at another
 * URL of the same site, with freshly drawn sidebars), near copies (small edits, another site's template),
 * machine-generated junk (keyword stuffing, gibberish, price tables, repeated lines, lorem ipsum, link farms)
 * and thin pages (404s, logins, galleries). Node only: the corpora are read from their npm packages.
 */
import { Rng } from "../random";
import { spamAssassinMails, type Mail } from "../corpora";
import { proseDocuments, type ParagraphList, type Passage } from "./corpora";

/** What a page is. */
export type CrawlKind = "original" | "exact-copy" | "near-copy" | "junk" | "spam" | "thin";

/** Ground truth of one page. */
export interface CrawlTruth {
  /** "moby-dick", "sotu", "brown", "spam-assassin" or "generated". */
  source: string;
  /** Mixture domain: books, speeches, news, fiction, nonfiction, mail, or "web" for spam/junk/thin pages. */
  domain: string;
  kind: CrawlKind;
  /** For an exact copy: the id of the page it copies (same main text). */
  isDuplicateOf: string | null;
  /** For a near copy: the id of the page it was edited from. */
  nearDuplicateOf: string | null;
  /** Machine-generated junk (not thin pages). */
  junk: boolean;
  /** Spam mail posted as a page. */
  spam: boolean;
  /** A page with (almost) no main text. */
  thin: boolean;
  /** For near copies: the share of words edited. */
  editRate?: number;
}

/** One crawled page. */
export interface CrawlPage {
  id: string;
  url: string;
  html: string;
  truth: CrawlTruth;
}

export interface CrawlOptions {
  /** Seed of everything random (default 0). */
  seed?: number;
  /** Number of pages (default 3000). */
  documents?: number;
  /** Shares of page kinds (normalised; defaults below). */
  mix?: Partial<Record<CrawlKind, number>>;
}

/** Default shares of page kinds. */
export const DEFAULT_KIND_MIX: Record<CrawlKind, number> = {
  original: 0.62,
  "exact-copy": 0.08,
  "near-copy": 0.12,
  junk: 0.07,
  spam: 0.08,
  thin: 0.03,
};

const esc = (s: string): string =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[rng.int(xs.length)];

/** Groups consecutive paragraphs into passages of about `min`–`max` words. */
function chunkParagraphs(doc: ParagraphList, rng: Rng, min: number, max: number): string[][] {
  const out: string[][] = [];
  let start = 0;
  let words = 0;
  let target = min + rng.int(max - min + 1);
  for (let i = 0; i < doc.paragraphs.length; i++) {
    words += doc.words[i];
    if (words >= target) {
      out.push(doc.paragraphs.slice(start, i + 1));
      start = i + 1;
      words = 0;
      target = min + rng.int(max - min + 1);
    }
  }
  if (words >= min) out.push(doc.paragraphs.slice(start));
  return out;
}

/** All passages of clean prose (150–600 words each), in a seeded order. */
function passages(rng: Rng): Passage[] {
  const out: Passage[] = [];
  for (const doc of proseDocuments()) {
    for (const chunk of chunkParagraphs(doc, rng, 150, 600)) {
      out.push({ source: doc.source, domain: doc.domain, title: doc.title, paragraphs: chunk });
    }
  }
  return rng.shuffle(out);
}

// ---------------------------------------------------------------------------------------------- boilerplate

const MENU_ITEMS = [
  "Home",
  "News",
  "Books",
  "About",
  "Contact",
  "Archive",
  "Blog",
  "Shop",
  "Events",
  "Login",
  "Sign up",
  "Help",
];
const RELATED = [
  "10 things you did not know about whales",
  "The history of the annual message",
  "Why readers still love old novels",
  "Top stories this week",
  "Editor's picks",
  "How to write a better essay",
  "A guide to nineteenth-century ships",
  "Most read articles",
  "Our favourite speeches",
  "Weekend reading list",
];

function menu(rng: Rng, cls: string): string {
  const items = rng.shuffle([...MENU_ITEMS]).slice(0, 5 + rng.int(4));
  return `<ul class="${cls}">${items.map((m) => `<li><a href="/${m.toLowerCase().replace(/ /g, "-")}">${m}</a></li>`).join("")}</ul>`;
}

function related(rng: Rng): string {
  const items = rng.shuffle([...RELATED]).slice(0, 3 + rng.int(4));
  return `<ul>${items.map((r) => `<li><a href="/a/${rng.int(100000)}">${esc(r)}</a></li>`).join("")}</ul>`;
}

function date(rng: Rng): string {
  return `${2015 + rng.int(10)}-${String(1 + rng.int(12)).padStart(2, "0")}-${String(1 + rng.int(28)).padStart(2, "0")}`;
}

const SCRIPTS = [
  `<script>window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments);}gtag('js',new Date());</script>`,
  `<script src="/static/app.min.js"></script><script>var _paq=_paq||[];_paq.push(['trackPageView']);</script>`,
  `<style>body{font-family:sans-serif}.cookie-banner{position:fixed;bottom:0}</style>`,
];

/** A site: a host name and a template that wraps a title and main-content HTML into a page. */
interface Site {
  host: string;
  render(rng: Rng, title: string, main: string): string;
}

const paragraphsHtml = (paras: readonly string[]): string => paras.map((p) => `<p>${esc(p)}</p>`).join("\n");

/** Semantic HTML5 layout: header/nav, article, aside, footer, a cookie banner named as such. */
function semanticSite(host: string, name: string): Site {
  return {
    host,
    render: (rng, title, main) => `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)} | ${name}</title>${pick(rng, SCRIPTS)}</head>
<body>
<header><div class="logo"><a href="/">${name}</a></div><nav>${menu(rng, "nav-list")}</nav></header>
<div id="cookie-banner" class="cookie-banner">We use cookies to improve your experience. By using this site you agree to our <a href="/cookies">cookie policy</a>. <button>Accept</button></div>
<main><article>
<h1>${esc(title)}</h1>
<div class="byline">Posted on ${date(rng)} by <a href="/staff">Staff writer</a></div>
${main}
</article></main>
<aside><h3>Popular</h3>${related(rng)}</aside>
<footer><p>© ${2010 + rng.int(15)} ${name}. All rights reserved.</p>${menu(rng, "footer-links")}</footer>
</body></html>`,
  };
}

/** Old div soup: unnamed link list (link density), share bar, a footer div with policy links. */
function divSoupSite(host: string, name: string): Site {
  return {
    host,
    render: (
      rng,
      title,
      main,
    ) => `<html><head><title>${esc(title)} - ${name}</title>${pick(rng, SCRIPTS)}</head>
<body><div id="top"><div class="logo">${name}</div>${menu(rng, "menu")}</div>
<div id="wrapper"><div class="post">
<h2>${esc(title)}</h2>
<div class="entry">
${main}
</div>
<div class="share">Share this: <a href="#">Facebook</a> <a href="#">Twitter</a> <a href="#">Email</a></div>
</div>
<div class="links"><b>More from ${name}</b>${related(rng)}</div>
</div>
<div class="bottom">Copyright ${name}. Read our <a href="/privacy">Privacy Policy</a> and <a href="/terms">Terms of Use</a>.</div>
</body></html>`,
  };
}

/** Table layout with a link column; a plain cookie notice that only C4's line filter catches. */
function tableSite(host: string, name: string): Site {
  return {
    host,
    render: (rng, title, main) => `<html><head><title>${esc(title)}</title></head>
<body bgcolor="#ffffff"><table width="100%"><tr>
<td width="20%" valign="top">${menu(rng, "")}${related(rng)}</td>
<td valign="top"><h1>${esc(title)}</h1>
${main}
<div class="notice">This site uses cookies to give you the best experience.</div>
</td></tr></table>
<center><small>${name} &middot; <a href="/">home</a></small></center>
<noscript>Please enable JavaScript to view the comments.</noscript>
</body></html>`,
  };
}

/** Bare page: no boilerplate at all. */
function bareSite(host: string): Site {
  return {
    host,
    render: (_rng, title, main) => `<html><head><title>${esc(title)}</title></head><body>
<h1>${esc(title)}</h1>
${main}
</body></html>`,
  };
}

/** Blog with a comment section and a newsletter box. */
function blogSite(host: string, name: string): Site {
  return {
    host,
    render: (
      rng,
      title,
      main,
    ) => `<!doctype html><html><head><title>${esc(title)}</title>${pick(rng, SCRIPTS)}</head>
<body><div class="navbar">${menu(rng, "navbar-items")}</div>
<div class="container"><div class="content">
<h1 class="title">${esc(title)}</h1>
<span class="meta">${date(rng)} · ${1 + rng.int(20)} min read</span>
${main}
</div>
<div class="newsletter">Subscribe to our newsletter! <form><input type="email"><button>Sign up</button></form></div>
<div class="comments"><h4>${rng.int(40)} comments</h4><p>Great post, thanks for sharing!</p><p>First!!!</p></div>
<div class="sidebar">${related(rng)}</div></div>
<div class="footer">${name} · Powered by WordPress</div>
</body></html>`,
  };
}

/** A mailing-list archive: message headers in a meta block, body in <pre>, prev/next navigation. */
function archiveSite(host: string): Site {
  return {
    host,
    render: (rng, title, main) => `<html><head><title>[list] ${esc(title)}</title></head><body>
<div class="pager"><a href="/prev">Previous message</a> | <a href="/next">Next message</a> | <a href="/index">Thread index</a></div>
<h1>${esc(title)}</h1>
<div class="meta">From: user${rng.int(9999)}@example.org<br>Date: ${date(rng)}</div>
${main}
<hr><p><a href="/prev">Previous message</a> | <a href="/next">Next message</a></p>
</body></html>`,
  };
}

/** A spammy landing page around spam or junk. */
function landingSite(host: string): Site {
  return {
    host,
    render: (
      rng,
      title,
      main,
    ) => `<html><head><title>${esc(title)}</title><meta name="keywords" content="cheap,best,free,deal"></head>
<body><div class="popup">LIMITED OFFER! Click <a href="/go">HERE</a>!</div>
${main}
<div class="ads"><a href="/x">Buy now</a><a href="/y">Win a prize</a></div>
</body></html>`,
  };
}

const PROSE_SITES: Record<string, Site[]> = {
  books: [
    semanticSite("www.whale-readers.example", "Whale Readers"),
    divSoupSite("classics.example.net", "Classics Online"),
    bareSite("txt.example.org"),
  ],
  speeches: [
    semanticSite("presidency-archive.example", "Presidency Archive"),
    tableSite("www.civics-club.example", "Civics Club"),
    bareSite("speeches.example.edu"),
  ],
  news: [
    semanticSite("www.daily-courier.example", "The Daily Courier"),
    divSoupSite("news-aggregator.example", "NewsAgg"),
    blogSite("opinions.example.blog", "Opinions"),
  ],
  fiction: [
    blogSite("storytime.example.blog", "Storytime"),
    tableSite("www.pulp-fiction-archive.example", "Pulp Archive"),
    bareSite("fiction.example.org"),
  ],
  nonfiction: [
    semanticSite("www.learned-papers.example", "Learned Papers"),
    divSoupSite("hobby-corner.example", "Hobby Corner"),
    blogSite("essays.example.blog", "Essays"),
  ],
  mail: [archiveSite("lists.example.org"), archiveSite("mail-archive.example.com")],
};
const JUNK_SITES: Site[] = Array.from({ length: 12 }, (_, i) =>
  i % 3 === 0
    ? landingSite(`best-deals-${i}.example`)
    : i % 3 === 1
      ? blogSite(`seo-hub-${i}.example`, `SEO Hub ${i}`)
      : tableSite(`www.free-stuff-${i}.example`, "Free Stuff"),
);

// ------------------------------------------------------------------------------------------------ generators

const STUFF_WORDS = [
  "cheap",
  "flights",
  "hotel",
  "deals",
  "best",
  "price",
  "online",
  "buy",
  "discount",
  "casino",
  "loans",
  "insurance",
  "free",
  "download",
  "viagra",
  "replica",
  "watches",
  "payday",
  "crypto",
  "bonus",
];
const CITIES = [
  "Paris",
  "London",
  "New York",
  "Berlin",
  "Tokyo",
  "Madrid",
  "Rome",
  "Sydney",
  "Toronto",
  "Chicago",
];

/** Machine-generated junk of one of seven kinds, as main-content HTML. */
function junkHtml(rng: Rng): { title: string; main: string } {
  const kind = rng.int(7);
  const lines: string[] = [];
  switch (kind) {
    case 0: {
      // keyword stuffing
      const n = 30 + rng.int(50);
      for (let i = 0; i < n; i++) {
        const k = 5 + rng.int(8);
        lines.push(Array.from({ length: k }, () => pick(rng, STUFF_WORDS)).join(" "));
      }
      return {
        title: "cheap best deals online",
        main: `<div>${lines.map((l) => esc(l)).join("<br>\n")}</div>`,
      };
    }
    case 1: {
      // gibberish tokens
      const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789$%#@";
      const n = 150 + rng.int(300);
      const toks = Array.from({ length: n }, () =>
        Array.from({ length: 2 + rng.int(12) }, () => alphabet[rng.int(alphabet.length)]).join(""),
      );
      return { title: `index ${rng.int(1e6)}`, main: `<p>${esc(toks.join(" "))}</p>` };
    }
    case 2: {
      // price / stock table
      const n = 40 + rng.int(60);
      const rows = Array.from(
        { length: n },
        () =>
          `<tr><td>SKU ${10000 + rng.int(89999)}</td><td>$${rng.int(500)}.${String(rng.int(100)).padStart(2, "0")}</td><td>${rng.int(300)} in stock</td><td>${2000 + rng.int(25)}-${1 + rng.int(12)}</td></tr>`,
      );
      return { title: "Price list", main: `<table>${rows.join("\n")}</table>` };
    }
    case 3: {
      // the same lines over and over
      const base = pick(rng, [
        "Click here to claim your free prize now",
        "Best cheap flights to every city in the world",
        "This product is amazing and you need to buy it today",
      ]);
      const n = 20 + rng.int(40);
      for (let i = 0; i < n; i++)
        lines.push(rng.next() < 0.7 ? base + "." : `${base} in ${pick(rng, CITIES)}.`);
      return { title: base, main: lines.map((l) => `<p>${esc(l)}</p>`).join("\n") };
    }
    case 4: {
      // lorem ipsum placeholder
      const lorem =
        "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat.";
      const n = 3 + rng.int(6);
      return { title: "Sample page", main: Array.from({ length: n }, () => `<p>${lorem}</p>`).join("\n") };
    }
    case 5: {
      // template "SEO article": one sentence pattern filled with keywords
      const n = 25 + rng.int(30);
      const topic = `${pick(rng, STUFF_WORDS)} ${pick(rng, STUFF_WORDS)}`;
      for (let i = 0; i < n; i++) {
        lines.push(
          pick(rng, [
            `Find the best ${topic} in ${pick(rng, CITIES)} today.`,
            `Our ${topic} experts compare every ${topic} offer for you.`,
            `Looking for ${topic}? We have the best ${topic} deals.`,
            `${topic[0].toUpperCase()}${topic.slice(1)} near ${pick(rng, CITIES)}: the best ${topic} prices.`,
          ]),
        );
      }
      return { title: `Best ${topic} 2024`, main: `<p>${esc(lines.join(" "))}</p>` };
    }
    default: {
      // bulleted fragments that trail off
      const n = 25 + rng.int(30);
      for (let i = 0; i < n; i++) {
        const k = 3 + rng.int(6);
        lines.push(`• ${Array.from({ length: k }, () => pick(rng, STUFF_WORDS)).join(" ")}...`);
      }
      return { title: "Top offers", main: `<div>${lines.map(esc).join("<br>\n")}</div>` };
    }
  }
}

/** A page with almost no text. */
function thinHtml(rng: Rng): { title: string; main: string } {
  return pick(rng, [
    { title: "404 Not Found", main: "<p>Sorry, the page you requested could not be found.</p>" },
    {
      title: "Login",
      main: '<p>Please log in to continue.</p><form><input name="user"><input type="password"></form>',
    },
    { title: "Coming soon", main: "<p>Coming soon!</p>" },
    {
      title: "Gallery",
      main: Array.from(
        { length: 6 },
        () =>
          `<figure><img src="/img/IMG_${1000 + rng.int(9000)}.jpg"><figcaption>IMG_${1000 + rng.int(9000)}.jpg</figcaption></figure>`,
      ).join(""),
    },
    { title: "Domain for sale", main: "<p>This domain is for sale. Make an offer.</p>" },
    {
      title: "Redirecting",
      main: '<p>You are being redirected. <a href="/">Click here</a> if nothing happens.</p>',
    },
  ]);
}

const FILLERS = ["very", "really", "also", "indeed", "then", "still", "quite", "just"];

/**
 * A near copy of `paras`: about `rate` × words edits (substitute a word, swap two letters, delete a word,
 * insert a filler), sometimes the last paragraph cut or a sentence added.
 */
function nearCopy(paras: readonly string[], rng: Rng, rate: number): string[] {
  const tokens = paras.map((p) => p.split(/\s+/).filter(Boolean));
  const total = tokens.reduce((a, t) => a + t.length, 0);
  const edits = Math.max(1, Math.round(rate * total));
  for (let e = 0; e < edits; e++) {
    const p = rng.int(tokens.length);
    const t = tokens[p];
    if (t.length < 2) continue;
    const i = rng.int(t.length);
    const op = rng.int(4);
    if (op === 0) t[i] = pick(rng, ["the", "a", "this", "that", "our", "some", "many"]);
    else if (op === 1 && t[i].length > 3) {
      const j = 1 + rng.int(t[i].length - 2);
      t[i] = t[i].slice(0, j - 1) + t[i][j] + t[i][j - 1] + t[i].slice(j + 1);
    } else if (op === 2) t.splice(i, 1);
    else t.splice(i, 0, pick(rng, FILLERS));
  }
  const out = tokens.map((t) => t.join(" ")).filter((p) => p.length > 0);
  if (rng.next() < 0.2 && out.length > 3) out.pop();
  if (rng.next() < 0.3)
    out.push(
      pick(rng, [
        "Updated with corrections.",
        "Reprinted with permission.",
        "Originally published elsewhere.",
      ]),
    );
  return out;
}

function mailMainHtml(mail: Mail): string {
  return mail.html ? `<div class="message-body">${mail.body}</div>` : `<pre>${esc(mail.body)}</pre>`;
}

/** Splits `n` pages into the kinds of `mix` (shares normalised; rounding leftovers go to originals). */
function kindCounts(n: number, mix: Record<CrawlKind, number>): Record<CrawlKind, number> {
  const kinds = Object.keys(DEFAULT_KIND_MIX) as CrawlKind[];
  const totalShare = kinds.reduce((a, k) => a + Math.max(0, mix[k]), 0);
  if (!(totalShare > 0)) throw new Error("generateCrawl: the kind shares must not all be zero");
  const counts = kinds.map((k) => Math.floor((Math.max(0, mix[k]) / totalShare) * n));
  counts[0] += n - counts.reduce((a, b) => a + b, 0);
  return Object.fromEntries(kinds.map((k, i) => [k, counts[i]])) as Record<CrawlKind, number>;
}

/** A page before the crawl is shuffled: copies point at their original by its index in the draft list. */
interface Draft {
  url: string;
  html: string;
  source: string;
  domain: string;
  kind: CrawlKind;
  /** For an exact copy: the draft index of the page it copies. */
  copyOf?: number;
  /** For a near copy: the draft index of the page it was edited from, and the share of words edited. */
  nearCopyOf?: number;
  editRate?: number;
  /** For originals: what a copy needs to render the article again. */
  site?: Site;
  title?: string;
  paras?: string[];
  mainHtml?: string;
}

/** The one constructor of ground truth: the flags follow from the kind, links are page ids or null. */
function crawlTruth(
  d: Pick<Draft, "source" | "domain" | "kind" | "editRate">,
  isDuplicateOf: string | null,
  nearDuplicateOf: string | null,
): CrawlTruth {
  return {
    source: d.source,
    domain: d.domain,
    kind: d.kind,
    isDuplicateOf,
    nearDuplicateOf,
    junk: d.kind === "junk",
    spam: d.kind === "spam",
    thin: d.kind === "thin",
    ...(d.editRate !== undefined ? { editRate: d.editRate } : {}),
  };
}

const slug = (s: string): string =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "")
    .slice(0, 48);

/** Originals: 85 % prose passages (drawn in order from `pool`), 15 % ham mails. Returns their draft indices. */
function addOriginals(
  rng: Rng,
  drafts: Draft[],
  count: number,
  pool: Passage[],
  ham: readonly Mail[],
): number[] {
  const originals: number[] = [];
  let passageIndex = 0;
  let hamIndex = 0;
  for (let i = 0; i < count; i++) {
    const useMail = rng.next() < 0.15 && hamIndex < ham.length;
    if (useMail) {
      const m = ham[hamIndex++];
      const site = pick(rng, PROSE_SITES.mail);
      const title = m.subject || "(no subject)";
      const mainHtml = mailMainHtml(m);
      const url = `https://${site.host}/archive/${slug(title)}-${rng.int(1e6)}.html`;
      const html = site.render(rng, title, mainHtml);
      drafts.push({
        url,
        html,
        source: "spam-assassin",
        domain: "mail",
        kind: "original",
        site,
        title,
        mainHtml,
      });
    } else {
      const p = pool[passageIndex++ % pool.length];
      const site = pick(rng, PROSE_SITES[p.domain]);
      const mainHtml = paragraphsHtml(p.paragraphs);
      const url = `https://${site.host}/${slug(p.title)}/${rng.int(1e6)}`;
      const html = site.render(rng, p.title, mainHtml);
      drafts.push({
        url,
        html,
        source: p.source,
        domain: p.domain,
        kind: "original",
        site,
        title: p.title,
        paras: p.paragraphs,
        mainHtml,
      });
    }
    originals.push(drafts.length - 1);
  }
  return originals;
}

/** Exact copies: the same article on the same site at another URL, sidebars and dates drawn again. */
function addExactCopies(rng: Rng, drafts: Draft[], count: number, originals: readonly number[]): void {
  for (let i = 0; i < count; i++) {
    const srcIndex = pick(rng, originals);
    const src = drafts[srcIndex];
    drafts.push({
      url: `${src.url}${pick(rng, ["?utm_source=feed", "?print=1", "#comments", "?ref=home", "/amp"])}`,
      html: src.site!.render(rng, src.title!, src.mainHtml!),
      source: src.source,
      domain: src.domain,
      kind: "exact-copy",
      copyOf: srcIndex,
    });
  }
}

/** Near copies: an edited version of a prose article on another site of its domain. */
function addNearCopies(rng: Rng, drafts: Draft[], count: number, proseOriginals: readonly number[]): void {
  for (let i = 0; i < count; i++) {
    const srcIndex = pick(rng, proseOriginals);
    const src = drafts[srcIndex];
    const rate = 0.002 + 0.04 * rng.next() * rng.next();
    const paras = nearCopy(src.paras!, rng, rate);
    const sites = PROSE_SITES[src.domain];
    const site =
      sites.length > 1
        ? pick(
            rng,
            sites.filter((s) => s !== src.site),
          )
        : sites[0];
    drafts.push({
      url: `https://${site.host}/${slug(src.title!)}-${rng.int(1e6)}`,
      html: site.render(rng, src.title!, paragraphsHtml(paras)),
      source: src.source,
      domain: src.domain,
      kind: "near-copy",
      nearCopyOf: srcIndex,
      editRate: rate,
    });
  }
}

/** Machine-generated junk pages on junk sites. */
function addJunk(rng: Rng, drafts: Draft[], count: number): void {
  for (let i = 0; i < count; i++) {
    const site = pick(rng, JUNK_SITES);
    const { title, main } = junkHtml(rng);
    const url = `https://${site.host}/${slug(title)}-${rng.int(1e6)}`;
    drafts.push({
      url,
      html: site.render(rng, title, main),
      source: "generated",
      domain: "web",
      kind: "junk",
    });
  }
}

/** Spam mails posted as offer pages on junk sites (cycling through `spam` if the crawl needs more). */
function addSpam(rng: Rng, drafts: Draft[], count: number, spam: readonly Mail[]): void {
  for (let i = 0; i < count; i++) {
    const m = spam[i % spam.length];
    const site = pick(rng, JUNK_SITES);
    const title = m.subject || "Special offer";
    const url = `https://${site.host}/offer/${rng.int(1e6)}`;
    const html = site.render(rng, title, mailMainHtml(m));
    drafts.push({ url, html, source: "spam-assassin", domain: "web", kind: "spam" });
  }
}

/** Thin pages (404s, logins, galleries) on the prose sites. */
function addThin(rng: Rng, drafts: Draft[], count: number): void {
  for (let i = 0; i < count; i++) {
    const domain = pick(rng, Object.keys(PROSE_SITES));
    const site = pick(rng, PROSE_SITES[domain]);
    const { title, main } = thinHtml(rng);
    const url = `https://${site.host}/${slug(title)}?id=${rng.int(1e6)}`;
    drafts.push({
      url,
      html: site.render(rng, title, main),
      source: "generated",
      domain: "web",
      kind: "thin",
    });
  }
}

/** Shuffles the drafts into crawl order, names pages `doc-NNNNN` by position and turns draft links into ids. */
function toPages(rng: Rng, drafts: readonly Draft[]): CrawlPage[] {
  const order = rng.shuffle(drafts.map((_, i) => i));
  const idOf: string[] = new Array<string>(drafts.length);
  order.forEach((d, pos) => (idOf[d] = `doc-${String(pos).padStart(5, "0")}`));
  const id = (index: number | undefined): string | null => (index === undefined ? null : idOf[index]);
  return order.map((d) => {
    const dr = drafts[d];
    return {
      id: idOf[d],
      url: dr.url,
      html: dr.html,
      truth: crawlTruth(dr, id(dr.copyOf), id(dr.nearCopyOf)),
    };
  });
}

/**
 * Generates the crawl in memory, in a seeded random order. 3000 pages (about 11 MB of HTML) take 1–2 s of CPU
 * once the corpora are loaded; loading them (6,046 mails, 500 Brown files, …) costs 1–3 s on first use.
 * Steps, all drawing from one seeded `Rng` in this order: cut the prose into passages and shuffle them and the
 * mails; write the originals; copy some exactly and some with edits; add junk, spam and thin pages; shuffle.
 */
export function generateCrawl(options: CrawlOptions = {}): CrawlPage[] {
  const seed = options.seed ?? 0;
  const n = options.documents ?? 3000;
  if (!Number.isInteger(n) || n < 10)
    throw new Error(`generateCrawl: documents must be an integer ≥ 10, got ${n}`);
  const count = kindCounts(n, { ...DEFAULT_KIND_MIX, ...(options.mix ?? {}) });

  const rng = new Rng(seed);
  const pool = passages(rng);
  const mails = spamAssassinMails();
  const ham = rng.shuffle(mails.filter((m) => !m.spam && m.body.split(/\s+/).length >= 40));
  const spam = rng.shuffle(mails.filter((m) => m.spam));

  const drafts: Draft[] = [];
  const originals = addOriginals(rng, drafts, count.original, pool, ham);
  const proseOriginals = originals.filter((i) => drafts[i].paras !== undefined);
  addExactCopies(rng, drafts, count["exact-copy"], originals);
  addNearCopies(rng, drafts, count["near-copy"], proseOriginals);
  addJunk(rng, drafts, count.junk);
  addSpam(rng, drafts, count.spam, spam);
  addThin(rng, drafts, count.thin);
  return toPages(rng, drafts);
}

/** A page as one JSON line of the crawl file (snake_case ground-truth fields). */
export function crawlRecord(page: CrawlPage): Record<string, unknown> {
  const t = page.truth;
  return {
    id: page.id,
    url: page.url,
    source: t.source,
    domain: t.domain,
    kind: t.kind,
    is_duplicate_of: t.isDuplicateOf,
    near_duplicate_of: t.nearDuplicateOf,
    junk: t.junk,
    spam: t.spam,
    thin: t.thin,
    ...(t.editRate !== undefined ? { edit_rate: Number(t.editRate.toFixed(4)) } : {}),
    html: page.html,
  };
}
