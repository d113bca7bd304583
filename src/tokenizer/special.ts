/**
 * Special tokens (`<|endoftext|>`, chat markers …): strings that map to one reserved id and are never produced by
 * BPE. Following tiktoken, `encode` refuses text that contains a special token unless the caller says how to
 * treat it, because a user's text that smuggles in `<|endoftext|>` must not become the control token by accident.
 */

/** One stretch of text: ordinary text, or exactly one special token. */
export interface Segment {
  text: string;
  /** Set when this segment is a special token. */
  special?: string;
}

function escapeRegex(s: string): string {
  return s.replace(/[\\^$.*+?()[\]{}|/-]/g, "\\$&");
}

/**
 * A global regex matching any of `specials`, longest first (so `<|a|>b` wins over `<|a|>` where both match);
 * `null` when there are none.
 */
export function specialRegex(specials: Iterable<string>): RegExp | null {
  const list = [...specials].filter((s) => s.length > 0).sort((x, y) => y.length - x.length);
  if (list.length === 0) return null;
  return new RegExp(list.map(escapeRegex).join("|"), "gu");
}

/** Cuts `text` at every occurrence of the given specials: ordinary segments and special segments, in order. */
export function splitOnSpecials(text: string, specials: Iterable<string>): Segment[] {
  const re = specialRegex(specials);
  if (re === null) return [{ text }];
  const out: Segment[] = [];
  let start = 0;
  for (const m of text.matchAll(re)) {
    const at = m.index as number;
    if (at > start) out.push({ text: text.slice(start, at) });
    out.push({ text: m[0], special: m[0] });
    start = at + m[0].length;
  }
  if (start < text.length || out.length === 0) out.push({ text: text.slice(start) });
  return out;
}

/** How `encode` treats special tokens found in the text (tiktoken's two arguments). */
export interface SpecialOptions {
  /**
   * Specials encoded as their reserved id: a list, or "all". Default: none.
   */
  allowedSpecial?: "all" | Iterable<string>;
  /**
   * Specials whose presence is an error: a list, or "all" (default) meaning every special that is not allowed.
   * A special that is neither allowed nor disallowed is encoded as ordinary text.
   */
  disallowedSpecial?: "all" | Iterable<string>;
}

/** The allowed and disallowed sets for `options` over the tokenizer's `specials`. */
export function resolveSpecials(
  specials: readonly string[],
  options: SpecialOptions = {},
): { allowed: Set<string>; disallowed: Set<string> } {
  const known = new Set(specials);
  const allowed = new Set(options.allowedSpecial === "all" ? specials : [...(options.allowedSpecial ?? [])]);
  for (const s of allowed) {
    if (!known.has(s)) {
      throw new Error(
        `allowedSpecial names ${JSON.stringify(s)}, which is not a special token of this tokenizer ` +
          `(its specials: ${JSON.stringify(specials)})`,
      );
    }
  }
  const disallowedOpt = options.disallowedSpecial ?? "all";
  const disallowed = new Set(
    disallowedOpt === "all" ? specials.filter((s) => !allowed.has(s)) : [...disallowedOpt],
  );
  return { allowed, disallowed };
}

/**
 * Throws when `text` contains a disallowed special token, naming it and its position and saying what to pass.
 */
export function checkDisallowed(text: string, disallowed: ReadonlySet<string>): void {
  if (disallowed.size === 0) return;
  const re = specialRegex(disallowed);
  if (re === null) return;
  re.lastIndex = 0;
  const m = re.exec(text);
  if (m !== null) {
    throw new Error(
      `the text contains the special token ${JSON.stringify(m[0])} at index ${m.index}, which is disallowed: ` +
        `pass allowedSpecial: [${JSON.stringify(m[0])}] (or "all") to encode it as its special id, or ` +
        `disallowedSpecial: [] to encode it as ordinary text`,
    );
  }
}
