import { strict as assert } from "node:assert";
import * as tf from "@tensorflow/tfjs-core";
import { initBackend } from "../../src/backend";
import { fromHalfBits, roundBf16, roundFp16, toHalfBits, withRoundedWeights } from "../../src/train";

describe("train/precision", () => {
  before(async () => {
    await initBackend({ quiet: true });
  });

  it("rounds to fp16 like IEEE half: known values, ties to even, overflow, subnormals", () => {
    assert.equal(toHalfBits(1), 0x3c00);
    assert.equal(toHalfBits(-2), 0xc000);
    assert.equal(toHalfBits(65504), 0x7bff);
    assert.equal(roundFp16(1 / 3), 0.333251953125); // 0x3555
    assert.equal(roundFp16(65504), 65504);
    assert.equal(roundFp16(65519), 65504); // below the halfway point 65520
    assert.equal(roundFp16(65520), Infinity); // halfway to 65536 → even → overflow
    assert.equal(roundFp16(2049), 2048); // spacing 2 above 2048: tie → even mantissa
    assert.equal(roundFp16(2051), 2052);
    assert.equal(roundFp16(2 ** -24), 2 ** -24); // smallest subnormal
    assert.equal(roundFp16(2 ** -26), 0); // below half of it
    assert.equal(roundFp16(3 * 2 ** -26), 2 ** -24);
    assert.equal(roundFp16(6.1e-5), fromHalfBits(toHalfBits(6.1e-5)));
    assert.ok(Number.isNaN(roundFp16(NaN)));
    assert.equal(fromHalfBits(0x7c00), Infinity);
    assert.equal(fromHalfBits(0x0001), 2 ** -24);
  });

  it("rounds to bf16 (7 mantissa bits), ties to even", () => {
    assert.equal(roundBf16(1 / 3), 0.333984375);
    assert.equal(roundBf16(1 + 2 ** -8), 1); // tie → even
    assert.equal(roundBf16(1 + 3 * 2 ** -8), 1 + 2 ** -6);
    assert.equal(roundBf16(1e30), Math.fround(roundBf16(1e30))); // float32 range kept
    assert.ok(Math.abs(roundBf16(1e30) / 1e30 - 1) < 2 ** -8);
    assert.equal(roundBf16(-Infinity), -Infinity);
  });

  it("withRoundedWeights rounds the variables inside and restores them after", () => {
    const v = tf.variable(tf.tensor1d([1 / 3, 2049, 1e-9]));
    const params = new Map([["w", v]]);
    const inside = withRoundedWeights(params, "fp16", () => Array.from(v.dataSync()));
    assert.deepEqual(inside, [0.333251953125, 2048, 0]);
    assert.deepEqual(Array.from(v.dataSync()), Array.from(new Float32Array([1 / 3, 2049, 1e-9])));
    v.dispose();
  });
});
