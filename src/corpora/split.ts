/** The one train / validation / test split of the course: by whole document, seeded. */
import { Rng } from "../random";

/** A split of a list of documents (names, chapters, speeches, mails …) into three disjoint parts. */
export interface Split<T> {
  train: T[];
  validation: T[];
  test: T[];
}

export interface SplitOptions {
  /** Seed of the shuffle (default 42): the same seed gives the same split on every machine. */
  seed?: number;
  /** Fraction of documents for validation (default 0.1). */
  validation?: number;
  /** Fraction of documents for the test set (default 0.1). */
  test?: number;
}

/**
 * Shuffles a copy of `docs` with a seeded `Rng` and cuts it into train / validation / test of
 * `floor((1 − validation − test)·n)`, `floor(validation·n)` and the remaining documents, each part in shuffled
 * order. Documents are never cut: a chapter or a speech lands whole in one part, so no text is shared between
 * training and evaluation. The input is not modified.
 */
export function splitDocuments<T>(docs: readonly T[], options: SplitOptions = {}): Split<T> {
  const { seed = 42, validation = 0.1, test = 0.1 } = options;
  if (!(validation >= 0 && test >= 0 && validation + test < 1)) {
    throw new Error(
      `splitDocuments: need validation ≥ 0, test ≥ 0 and validation + test < 1 ` +
        `(got validation=${validation}, test=${test}); the rest of the documents is the training set`,
    );
  }
  const shuffled = new Rng(seed).shuffle([...docs]);
  const n = shuffled.length;
  // The 1e-9 keeps 0.8·n from flooring to one less when 1 − 0.1 − 0.1 is not exactly 0.8 in binary.
  const nTrain = Math.floor((1 - validation - test) * n + 1e-9);
  const nValidation = Math.floor(validation * n + 1e-9);
  return {
    train: shuffled.slice(0, nTrain),
    validation: shuffled.slice(nTrain, nTrain + nValidation),
    test: shuffled.slice(nTrain + nValidation),
  };
}
