/**
 * Batches of chat examples of different lengths: each row is padded on the right to the longest sequence in
 * the batch; padded positions get a pad input id and the ignore index as target, so they add nothing to the
 * loss. Right padding is safe under the causal mask: real tokens never attend to the padding after them.
 */
import * as tf from "@tensorflow/tfjs-core";
import { Rng } from "../random";
import { Batch } from "../train";
import { IGNORE_INDEX, shiftTargets } from "./loss";
import { RenderedChat } from "./template";

export interface PadOptions {
  /** The input id written at padded positions (any valid id; its outputs are ignored). */
  padId: number;
  ignoreIndex?: number;
  /**
   * Train on every token, not only the assistant's (the "unmasked" baseline: the mask is ignored, padding still
   * is). Default false.
   */
  unmasked?: boolean;
}

/** Pads examples into one `{x, y}` batch `[rows, longest − 1]` (int32). */
export function padBatch(examples: readonly RenderedChat[], options: PadOptions): Batch {
  const ignore = options.ignoreIndex ?? IGNORE_INDEX;
  if (examples.length === 0) throw new Error("padBatch: no examples");
  const T = Math.max(...examples.map((e) => e.ids.length)) - 1;
  if (T < 1) throw new Error("padBatch: every example needs at least 2 tokens");
  const x = new Int32Array(examples.length * T).fill(options.padId);
  const y = new Int32Array(examples.length * T).fill(ignore);
  examples.forEach((e, r) => {
    const mask = options.unmasked ? e.ids.map(() => 1) : e.mask;
    const s = shiftTargets(e.ids, mask, ignore);
    x.set(s.x, r * T);
    y.set(s.y, r * T);
  });
  return {
    x: tf.tensor2d(x, [examples.length, T], "int32"),
    y: tf.tensor2d(y, [examples.length, T], "int32"),
  };
}

/**
 * Random batches of rendered chats for `train.trainLoop` (a `train.BatchSource`): `sample(rng)` draws
 * `batchSize` examples uniformly with replacement and pads them.
 */
export class SftBatcher {
  readonly examples: readonly RenderedChat[];
  readonly batchSize: number;
  /** The longest padded length a batch can have. */
  readonly time: number;
  private readonly options: PadOptions;

  constructor(examples: readonly RenderedChat[], batchSize: number, options: PadOptions) {
    if (examples.length === 0) throw new Error("SftBatcher: no examples");
    if (!Number.isInteger(batchSize) || batchSize < 1)
      throw new Error(`SftBatcher: batchSize must be a positive integer, got ${batchSize}`);
    this.examples = examples;
    this.batchSize = batchSize;
    this.options = options;
    this.time = Math.max(...examples.map((e) => e.ids.length)) - 1;
  }

  sample(rng: Rng): Batch {
    const rows = Array.from({ length: this.batchSize }, () => this.examples[rng.int(this.examples.length)]);
    return padBatch(rows, this.options);
  }
}
