/**
 * GPT-2's published configurations (Radford et al., 2019; Hugging Face `gpt2`, `gpt2-medium`) and their
 * published parameter counts, and a tiny GPT-2-style config counted by hand, shared by the library tests and
 * the chapter-03 exercise tests.
 */
import { GPT2_STYLE, type GPTConfig } from "../../src/model";

export const GPT2_SMALL: GPTConfig = {
  vocabSize: 50257,
  contextLength: 1024,
  dModel: 768,
  nLayers: 12,
  nHeads: 12,
  dMlp: 3072,
  ...GPT2_STYLE,
};
export const GPT2_SMALL_PARAMS = 124_439_808;

export const GPT2_MEDIUM: GPTConfig = { ...GPT2_SMALL, dModel: 1024, nLayers: 24, nHeads: 16, dMlp: 4096 };
export const GPT2_MEDIUM_PARAMS = 354_823_168;

/** A GPT-2-style model small enough to count by hand (untied: 276 weights, see the chapter-03 tests). */
export const TINY_GPT2: GPTConfig = {
  vocabSize: 10,
  contextLength: 4,
  dModel: 4,
  nLayers: 1,
  nHeads: 2,
  dMlp: 8,
  norm: "layer",
  positions: "learned",
  activation: "gelu",
  tiedEmbeddings: false,
};
