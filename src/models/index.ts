/**
 * The models later chapters share, by name: a registry of recipes and a cache under `build/models/`.
 * Built-in recipes: "base" (pretrained GPT + BPE) and "sft" (chapter 07). Other chapters add theirs with
 * `register` (a file under `src/models/recipes/`, registered here).
 */
import { register } from "./registry";
import { baseRecipe } from "./recipes/base";
import { sftRecipe } from "./recipes/sft";
import { dpoRecipe } from "./recipes/dpo";

export * from "./registry";
export { baseCorpus } from "./recipes/base";
export { sftDataOptions } from "./recipes/sft";
export { preferenceSet, preferenceSetOptions } from "./recipes/dpo";

register(baseRecipe);
register(sftRecipe);
register(dpoRecipe);
