/**
 * Chapter 02 solutions. The library's teaching functions (src/tokenizer/basics.ts) are the answers: one
 * implementation per algorithm. The fast library versions (`BpeTrainer`, `Tokenizer`) are tested to agree.
 */
export { pairCounts, merge, train, encode, decode } from "../src/tokenizer/basics";
