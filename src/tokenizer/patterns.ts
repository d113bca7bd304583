/**
 * Pre-tokenization: before BPE, text is cut into pieces by a regular expression, and merges never cross a
 * piece boundary. This keeps words, numbers, punctuation and whitespace runs apart, so the vocabulary does not
 * fill up with "dog." / "dog!" / "dog?" variants.
 *
 * The patterns are the ones tiktoken runs (in Rust, with the `fancy-regex` crate), translated faithfully to
 * JavaScript regular expressions with the `u` flag:
 * - Rust's `\s` is Unicode `White_Space`; JavaScript's `\s` differs (it adds U+FEFF and lacks U+0085), so `\s`
 *   becomes `\p{White_Space}` and `\S` becomes `\P{White_Space}`.
 * - GPT-4's (cl100k) case-insensitive contractions `(?i:'s|'t|'re|'ve|'m|'ll|'d)` become explicit classes;
 *   Unicode case folding makes `(?i)s` also match U+017F (ſ, long s), which we keep.
 * - cl100k has no possessive quantifiers in tiktoken's version; newer spellings write `?+` / `++`, which here
 *   are equivalent to the greedy forms (backtracking into them can never produce another match).
 */

/** The names of the built-in pre-tokenization patterns; `"none"` means the whole text is one piece. */
export type PatternName = "gpt2" | "gpt4" | "none";

const WS = String.raw`\p{White_Space}`;
const NWS = String.raw`\P{White_Space}`;

/** GPT-2's pattern (also r50k/p50k): contractions, letters, numbers, other symbols, whitespace runs. */
export const GPT2_PATTERN =
  String.raw`'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^${WS}\p{L}\p{N}]+` + `|${WS}+(?!${NWS})|${WS}+`;

/**
 * GPT-4's pattern (cl100k_base): case-insensitive contractions, a letter run may take one leading non-letter
 * (so " hello" and "(hello" stay whole), numbers in groups of at most three digits, newlines kept apart.
 */
export const GPT4_PATTERN =
  String.raw`'(?:[sdmtSDMT\u017F]|[lL][lL]|[vV][eE]|[rR][eE])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}` +
  String.raw`| ?[^${WS}\p{L}\p{N}]+[\r\n]*|${WS}*[\r\n]+|${WS}+(?!${NWS})|${WS}+`;

/** The regular expression source of a named pattern (`null` for `"none"`). */
export function patternSource(pattern: PatternName | string): string | null {
  if (pattern === "gpt2") return GPT2_PATTERN;
  if (pattern === "gpt4") return GPT4_PATTERN;
  if (pattern === "none") return null;
  return pattern;
}

/**
 * A global, Unicode regular expression for `pattern`: a name or a JavaScript regex source. Throws a clear error
 * for an invalid source.
 */
export function compilePattern(pattern: PatternName | string): RegExp | null {
  const source = patternSource(pattern);
  if (source === null) return null;
  try {
    return new RegExp(source, "gu");
  } catch (err) {
    throw new Error(
      `pre-tokenization pattern ${JSON.stringify(pattern)} is not a valid JavaScript regular expression ` +
        `(${(err as Error).message}); use "gpt2", "gpt4", "none" or a regex source valid with the u flag`,
    );
  }
}

/**
 * The pieces of `text` under `pattern` (in order; their concatenation is `text` for the built-in patterns).
 * `"none"` gives the whole text as one piece (nothing for the empty string).
 */
export function pretokenize(text: string, pattern: PatternName | string | RegExp = "gpt2"): string[] {
  const re = pattern instanceof RegExp ? pattern : compilePattern(pattern);
  if (re === null) return text.length > 0 ? [text] : [];
  if (!re.global) throw new Error("pretokenize: the RegExp must have the g flag");
  return text.match(re) ?? [];
}
