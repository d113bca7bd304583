/**
 * Growing a trained model's vocabulary: new token ids (the chat special tokens) need rows in the embedding
 * table and, for an untied model, columns in the output projection.
 *
 * New rows start at the MEAN of the existing rows. Why: a random row is an arbitrary direction the rest of the
 * network has never seen, and with a tied output layer its logit hᵀe_new can be large for some h, so the
 * untrained tokens would grab probability mass. The mean row behaves like an "average" token: its logit
 * hᵀē is the average of the existing logits, so each new token starts with a probability no larger than a
 * typical token's (it does not dominate the softmax), and as an input it looks like an average context.
 * (Hewitt, "Initializing new word embeddings for pretrained language models", 2021.)
 */
import * as tf from "@tensorflow/tfjs-core";
import { GPT } from "../model";

// @answer 07.appendMeanRows
/** `table: [rows, d]` with `extra` more rows appended, each the mean of the existing rows: `[rows + extra, d]`. */
export function appendMeanRows(table: tf.Tensor2D, extra: number): tf.Tensor2D {
  if (!Number.isInteger(extra) || extra < 0)
    throw new Error(`appendMeanRows: extra must be an integer ≥ 0, got ${extra}`);
  return tf.tidy(() => {
    if (extra === 0) return tf.clone(table);
    const mean = tf.mean(table, 0, true); // [1, d]
    return tf.concat([table, tf.tile(mean, [extra, 1])], 0) as tf.Tensor2D;
  });
}
// @end-answer

/**
 * A copy of `model` with `newVocabSize` token ids: the old weights unchanged, the new embedding rows (and, for
 * an untied model, the new output columns) set to the mean of the old ones. The original model is untouched.
 */
export function extendVocabulary(model: GPT, newVocabSize: number): GPT {
  const old = model.config.vocabSize;
  if (!Number.isInteger(newVocabSize) || newVocabSize < old) {
    throw new Error(
      `extendVocabulary: the new size ${newVocabSize} must be an integer ≥ the current ${old} (ids are never removed)`,
    );
  }
  const extra = newVocabSize - old;
  const grown = new GPT({ ...model.config, vocabSize: newVocabSize });
  const values = new Map<string, tf.Tensor>();
  for (const [name, v] of model.params) {
    if (name === "wte.weight") values.set(name, appendMeanRows(v as tf.Tensor2D, extra));
    else if (name === "lm_head.weight") {
      // [d, V]: new columns are the mean column.
      values.set(
        name,
        tf.tidy(() => tf.transpose(appendMeanRows(tf.transpose(v) as tf.Tensor2D, extra))),
      );
    } else values.set(name, v);
  }
  grown.setParams(values);
  for (const [name, t] of values) if (t !== model.params.get(name)) t.dispose();
  return grown;
}
