/**
 * The CMU Pronouncing Dictionary (Carnegie Mellon University, Simplified BSD licence) from the npm package
 * `cmu-pronouncing-dictionary` 2.0.0 (its `index.json`; version 3 of the package is ESM-only).
 */
import { cached, requirePackage } from "./cache";

/** One pronunciation: ARPAbet phones, vowels with their stress digit (0 none, 1 primary, 2 secondary). */
export type Pronunciation = readonly string[];

/**
 * Word → its pronunciations, the dictionary's first (main) one first: 125,997 lowercase words ("hello" →
 * [["HH","AH0","L","OW1"], ["HH","EH0","L","OW1"]]). Keys are as in cmudict: some carry apostrophes or
 * dots ("a's", "a.").
 */
export function cmuDict(): ReadonlyMap<string, readonly Pronunciation[]> {
  return cached("cmudict", () => {
    const raw = requirePackage<Record<string, string>>("cmu-pronouncing-dictionary");
    const variants = new Map<string, { n: number; phones: string[] }[]>();
    for (const [key, value] of Object.entries(raw)) {
      const m = /^(.+)\((\d+)\)$/.exec(key);
      const word = m ? m[1] : key;
      const list = variants.get(word) ?? [];
      list.push({ n: m ? Number(m[2]) : 1, phones: value.trim().split(/\s+/) });
      variants.set(word, list);
    }
    const out = new Map<string, readonly Pronunciation[]>();
    for (const [word, list] of variants) {
      out.set(
        word,
        list.sort((a, b) => a.n - b.n).map((v) => v.phones),
      );
    }
    return out;
  });
}

/** The pronunciations of `word` (looked up lowercase); an empty list when cmudict does not have it. */
export function pronunciations(word: string): readonly Pronunciation[] {
  return cmuDict().get(word.toLowerCase()) ?? [];
}
