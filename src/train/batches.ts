/**
 * Batches of next-token prediction examples from one long token stream: x = tokens[s … s+T), y = tokens[s+1 … s+T+1)
 * for random starts s, drawn with a seeded `Rng` so a run (and a resumed run) sees the same batches.
 */
import * as tf from "@tensorflow/tfjs-core";
import { Rng } from "../random";

export interface Batch {
  /** Inputs `[batch, time]` int32. */
  x: tf.Tensor2D;
  /** Targets `[batch, time]` int32 (the inputs shifted by one). */
  y: tf.Tensor2D;
}

export class TokenBatcher {
  readonly tokens: Int32Array;
  readonly batchSize: number;
  readonly time: number;

  constructor(tokens: ArrayLike<number>, batchSize: number, time: number) {
    if (!Number.isInteger(batchSize) || batchSize <= 0)
      throw new Error(`TokenBatcher: batchSize must be a positive integer, got ${batchSize}`);
    if (!Number.isInteger(time) || time <= 0)
      throw new Error(`TokenBatcher: time must be a positive integer, got ${time}`);
    if (tokens.length < time + 1) {
      throw new Error(
        `TokenBatcher: ${tokens.length} tokens are too few for windows of ${time}+1; use more text or a shorter context`,
      );
    }
    this.tokens = Int32Array.from(tokens);
    this.batchSize = batchSize;
    this.time = time;
  }

  /** Random windows; consumes `batchSize` draws of `rng`. */
  sample(rng: Rng): Batch {
    const starts: number[] = [];
    for (let b = 0; b < this.batchSize; b++) starts.push(rng.int(this.tokens.length - this.time));
    return this.at(starts);
  }

  /** The windows starting at `starts`. */
  at(starts: number[]): Batch {
    const T = this.time;
    const x = new Int32Array(starts.length * T);
    const y = new Int32Array(starts.length * T);
    starts.forEach((s, b) => {
      x.set(this.tokens.subarray(s, s + T), b * T);
      y.set(this.tokens.subarray(s + 1, s + T + 1), b * T);
    });
    return { x: tf.tensor2d(x, [starts.length, T], "int32"), y: tf.tensor2d(y, [starts.length, T], "int32") };
  }
}
