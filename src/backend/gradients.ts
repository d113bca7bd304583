/**
 * Registers tfjs's gradient functions (needed by tf.grad / tf.variableGrads / optimizers) in plain Node.
 *
 * tfjs-core's CommonJS bundle registers no gradients, and its `dist/register_all_gradients` module is ESM
 * with extension-less imports that Node (and so tslab) cannot load — it only works under a bundler or tsx.
 * The union package `@tensorflow/tfjs` ships a CommonJS bundle that registers them all in tfjs's global
 * registry, which every copy of tfjs-core shares. Import this module for its side effect.
 */
import "@tensorflow/tfjs";
