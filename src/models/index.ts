/**
 * The models later chapters share, by name: a registry of recipes and a cache under `build/models/`.
 * Built-in recipes: "base" (pretrained GPT + BPE), "sft" (chapter 07), "rm" and "ppo" (chapter 08). Other chapters add theirs with
 * `register` (a file under `src/models/recipes/`, registered here).
 */
import { register } from "./registry";
import { baseRecipe } from "./recipes/base";
import { sftRecipe } from "./recipes/sft";
import { rmRecipe } from "./recipes/rm";
import { ppoRecipe } from "./recipes/ppo";
import { dpoRecipe } from "./recipes/dpo";

export * from "./registry";
export { baseCorpus } from "./recipes/base";
export { sftDataOptions } from "./recipes/sft";
export { PPO_SETTINGS, ppoPassages } from "./recipes/ppo";
export { PREFERENCE_SETTINGS, PreferenceData, preferenceData, rewardModelFromBundle } from "./recipes/rm";
export { preferenceSet, preferenceSetOptions } from "./recipes/dpo";

register(baseRecipe);
register(sftRecipe);
register(rmRecipe);
register(ppoRecipe);
register(dpoRecipe);
