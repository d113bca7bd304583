/**
 * A character vocabulary with one boundary token. As in Karpathy's makemore, the token "." sits at index 0 and
 * marks both the start and the end of a word, so a word of n letters becomes n + 2 ids: `[0, …, 0]`.
 */

/** The boundary token: "start of word" when it is the context, "end of word" when it is predicted. */
export const BOUNDARY = ".";

export class Vocab {
  /** id → character; `itos[0]` is the boundary ".". */
  readonly itos: readonly string[];
  /** character → id. */
  readonly stoi: ReadonlyMap<string, number>;

  /** `chars`: the letters (without "."), in id order starting at 1. Duplicates and "." are rejected. */
  constructor(chars: readonly string[]) {
    const itos = [BOUNDARY, ...chars];
    const stoi = new Map<string, number>();
    itos.forEach((c, i) => {
      if ([...c].length !== 1) throw new Error(`Vocab: '${c}' is not a single character`);
      if (stoi.has(c)) {
        throw new Error(
          c === BOUNDARY ? `Vocab: '.' is the boundary token; leave it out` : `Vocab: '${c}' twice`,
        );
      }
      stoi.set(c, i);
    });
    this.itos = itos;
    this.stoi = stoi;
  }

  /** The vocabulary of every character used in `words`, sorted (for the names: "." + a–z, size 27). */
  static fromWords(words: Iterable<string>): Vocab {
    const chars = new Set<string>();
    for (const w of words) for (const c of w) chars.add(c);
    return new Vocab([...chars].sort());
  }

  /** Number of tokens V, boundary included. */
  get size(): number {
    return this.itos.length;
  }

  /** The id of one character; an unknown character is an error naming it. */
  id(char: string): number {
    const i = this.stoi.get(char);
    if (i === undefined) {
      throw new Error(`Vocab: character '${char}' is not in the vocabulary (${this.itos.join("")})`);
    }
    return i;
  }

  /** "emma" → [0, 5, 13, 13, 1, 0]: boundary, the letters' ids, boundary. Length `word.length + 2`. */
  encode(word: string): number[] {
    const ids = [0];
    for (const c of word) {
      const i = this.id(c);
      if (i === 0) throw new Error(`Vocab.encode: '${word}' contains the boundary token '.'`);
      ids.push(i);
    }
    ids.push(0);
    return ids;
  }

  /** Ids → word, dropping boundary tokens: decode(encode(w)) === w. */
  decode(ids: readonly number[]): string {
    return ids
      .filter((i) => i !== 0)
      .map((i) => {
        const c = this.itos[i];
        if (c === undefined) throw new Error(`Vocab.decode: id ${i} is outside 0..${this.size - 1}`);
        return c;
      })
      .join("");
  }
}
