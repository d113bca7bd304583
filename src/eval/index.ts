/**
 * Chapter 10: evaluation. Perplexity and bits per byte, likelihood-scored multiple choice and exact match
 * (`lm`); pairwise ratings — win rates, online Elo, Bradley–Terry, bootstrap intervals and ranks (`ratings`);
 * judges — agreement and Cohen's κ, position and length bias, length-controlled win rate (`judges`).
 * The top layer: it reads models (`model`), tokenizers, corpora, scaling's bootstrap and align's Wilson interval.
 */
export * from "./lm";
export * from "./ratings";
export * from "./judges";
export * from "./bootstrap";
