/**
 * Main-text extraction: HTML page → the text a reader came for, without menus, cookie banners, footers,
 * scripts and link lists.
 *
 * The page is parsed with htmlparser2 (a maintained, forgiving HTML parser; never regular expressions) and
 * walked once. Three heuristics, in the spirit of boilerpipe (Kohlschütter et al., 2010) and trafilatura:
 * 1. skip elements that never hold main text (`script`, `style`, `nav`, `footer`, `aside`, `form`, …);
 * 2. skip elements whose `id`/`class`/`role` names boilerplate (`cookie-banner`, `menu`, `sidebar`, …) or
 *    that are hidden;
 * 3. split what is left into blocks (paragraphs, list items, headings, cells) and drop blocks whose
 *    link density — the share of their characters inside `<a>` — exceeds `maxLinkDensity`.
 * The kept blocks are joined with blank lines and normalised (`normalizeText`: NFC, whitespace).
 */
import { parseDocument } from "htmlparser2";
import { normalizeText } from "./text";

/** The part of htmlparser2's DOM node shape this module reads. */
interface HtmlNode {
  type: string;
  name?: string;
  data?: string;
  attribs?: Record<string, string>;
  children?: HtmlNode[];
}

/** Elements that never hold visible text; skipped even when boilerplate is kept. */
const NON_TEXT_TAGS: ReadonlySet<string> = new Set([
  "head",
  "script",
  "style",
  "noscript",
  "template",
  "svg",
  "canvas",
  "iframe",
  "object",
  "embed",
]);

/** Elements whose whole subtree is dropped: those without visible text, and page furniture. */
export const SKIPPED_TAGS: ReadonlySet<string> = new Set([
  ...NON_TEXT_TAGS,
  "nav",
  "header",
  "footer",
  "aside",
  "form",
  "button",
  "select",
  "input",
  "textarea",
  "label",
  "menu",
  "dialog",
]);

/** Elements that start a new block of text. */
const BLOCK_TAGS: ReadonlySet<string> = new Set([
  "html",
  "body",
  "main",
  "article",
  "section",
  "div",
  "p",
  "blockquote",
  "pre",
  "address",
  "center",
  "figure",
  "figcaption",
  "h1",
  "h2",
  "h3",
  "h4",
  "h5",
  "h6",
  "ul",
  "ol",
  "li",
  "dl",
  "dt",
  "dd",
  "table",
  "thead",
  "tbody",
  "tfoot",
  "tr",
  "td",
  "th",
  "caption",
  "hr",
]);

/** `id` / `class` words that name boilerplate containers. */
export const BOILERPLATE_NAME =
  /(^|[\s_-])(nav|navbar|navigation|menu|footer|sidebar|cookies?|consent|gdpr|banner|share|sharing|social|breadcrumbs?|related|comments?|advert|ads?|sponsored|promo|newsletter|subscribe|popup|modal|meta|byline|pagination|pager|widget|toolbar|copyright|skip)($|[\s_-])/i;

/** ARIA landmark roles that are not main content. */
const BOILERPLATE_ROLES = new Set([
  "navigation",
  "banner",
  "contentinfo",
  "complementary",
  "search",
  "dialog",
]);

export interface ExtractOptions {
  /** Drop a block when more than this share of its characters are link text (default 0.5). */
  maxLinkDensity?: number;
  /**
   * Keep menus, banners, footers, link lists and hidden elements: only elements without visible text
   * (`head`, `script`, `style`, …) are skipped. This is the page's raw text, as Common Crawl's WET files
   * hold it and as C4 starts from (default false). See `wetText`.
   */
  keepBoilerplate?: boolean;
}

export interface ExtractResult {
  /** The main text, normalised; blocks separated by a blank line. Empty when nothing survived. */
  text: string;
  /** The page's `<title>`, normalised ("" if none). */
  title: string;
  /** Blocks kept. */
  keptBlocks: number;
  /** Blocks dropped for link density. */
  linkBlocks: number;
  /** Elements skipped by tag name, boilerplate name/role, or being hidden. */
  skippedElements: number;
}

interface Block {
  text: string;
  linkChars: number;
}

function isHidden(attribs: Record<string, string>): boolean {
  if ("hidden" in attribs || attribs["aria-hidden"] === "true") return true;
  const style = attribs.style;
  return style !== undefined && /display\s*:\s*none|visibility\s*:\s*hidden/i.test(style);
}

function isBoilerplateElement(node: HtmlNode, keepBoilerplate: boolean): boolean {
  const name = node.name ?? "";
  if (keepBoilerplate) return NON_TEXT_TAGS.has(name) || node.type === "script" || node.type === "style";
  if (SKIPPED_TAGS.has(name) || node.type === "script" || node.type === "style") return true;
  const attribs = node.attribs ?? {};
  if (isHidden(attribs)) return true;
  if (attribs.role && BOILERPLATE_ROLES.has(attribs.role.toLowerCase())) return true;
  const ident = `${attribs.id ?? ""} ${attribs.class ?? ""}`;
  return ident.trim().length > 0 && BOILERPLATE_NAME.test(ident);
}

/** Extracts the main text of an HTML page (see the module comment for the heuristics). */
export function extract(html: string, options: ExtractOptions = {}): ExtractResult {
  if (typeof html !== "string") throw new Error(`extract: expected an HTML string, got ${typeof html}`);
  const keepBoilerplate = options.keepBoilerplate ?? false;
  const maxLinkDensity = keepBoilerplate ? Infinity : (options.maxLinkDensity ?? 0.5);
  const root = parseDocument(html) as unknown as HtmlNode;

  let title = "";
  const blocks: Block[] = [];
  let current: Block = { text: "", linkChars: 0 };
  let skippedElements = 0;
  const flush = (): void => {
    if (current.text.trim().length > 0) blocks.push(current);
    current = { text: "", linkChars: 0 };
  };

  const findTitle = (node: HtmlNode): void => {
    if (title) return;
    if (node.type === "tag" && node.name === "title") {
      title = normalizeText(textOf(node));
      return;
    }
    for (const child of node.children ?? []) findTitle(child);
  };
  findTitle(root);

  // Outside <pre>, HTML collapses every whitespace run (newlines included) to one space; <br> breaks a line.
  const walk = (node: HtmlNode, inLink: boolean, inPre: boolean): void => {
    if (node.type === "text") {
      const data = inPre ? (node.data ?? "") : (node.data ?? "").replace(/\s+/g, " ");
      current.text += data;
      if (inLink) current.linkChars += data.replace(/\s+/g, "").length;
      return;
    }
    if (node.type !== "tag" && node.type !== "root" && node.type !== "script" && node.type !== "style")
      return;
    if (node.type !== "root" && isBoilerplateElement(node, keepBoilerplate)) {
      skippedElements++;
      return;
    }
    const name = node.name ?? "";
    if (name === "br") {
      current.text += "\n";
      return;
    }
    const block = BLOCK_TAGS.has(name);
    if (block) flush();
    const link = inLink || name === "a";
    const pre = inPre || name === "pre";
    for (const child of node.children ?? []) walk(child, link, pre);
    if (block) flush();
  };
  walk(root, false, false);
  flush();

  const kept: string[] = [];
  let linkBlocks = 0;
  for (const b of blocks) {
    const text = normalizeText(b.text.replace(/[^\S\n]*\n[^\S\n]*/g, "\n"));
    if (!text) continue;
    const chars = text.replace(/\s+/g, "").length;
    if (chars > 0 && b.linkChars / chars > maxLinkDensity) {
      linkBlocks++;
      continue;
    }
    kept.push(text);
  }
  return { text: kept.join("\n\n"), title, keptBlocks: kept.length, linkBlocks, skippedElements };
}

/** Just the main text of a page: `extract(html).text`. */
export function extractText(html: string, options: ExtractOptions = {}): string {
  return extract(html, options).text;
}

/**
 * A page's raw text, boilerplate and all (`extract` with `keepBoilerplate`): what a crawl's plain-text dump
 * (Common Crawl's WET files) holds before any cleaning — menus, cookie banners and footers included.
 */
export function wetText(html: string): string {
  return extract(html, { keepBoilerplate: true }).text;
}

function textOf(node: HtmlNode): string {
  if (node.type === "text") return node.data ?? "";
  return (node.children ?? []).map(textOf).join("");
}
