import { strict as assert } from "node:assert";
import {
  ConfigError,
  GPTConfig,
  flopsBreakdown,
  flopsPerToken,
  paramCount,
  resolveConfig,
} from "../../src/model";
import { GPT2_SMALL, GPT2_SMALL_PARAMS, TINY_GPT2 } from "./gpt2-configs";

const tiny: GPTConfig = TINY_GPT2;

function fieldOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`);
    return err.field;
  }
  throw new Error("expected a ConfigError");
}

describe("model/config", () => {
  it("names the bad field", () => {
    assert.equal(
      fieldOf(() => resolveConfig({ ...tiny, nHeads: 3 })),
      "dModel",
    );
    assert.equal(
      fieldOf(() => resolveConfig({ ...tiny, nLayers: 0 })),
      "nLayers",
    );
    assert.equal(
      fieldOf(() => resolveConfig({ ...tiny, vocabSize: 2.5 })),
      "vocabSize",
    );
    assert.equal(
      fieldOf(() => resolveConfig({ ...tiny, contextLength: -1 })),
      "contextLength",
    );
    assert.equal(
      fieldOf(() => resolveConfig({ ...tiny, norm: "batch" as "layer" })),
      "norm",
    );
    assert.equal(
      fieldOf(() => resolveConfig({ ...tiny, positions: "alibi" as "rope" })),
      "positions",
    );
    assert.equal(
      fieldOf(() => resolveConfig({ ...tiny, activation: "relu" as "gelu" })),
      "activation",
    );
    assert.equal(
      fieldOf(() => resolveConfig({ ...tiny, initStd: 0 })),
      "initStd",
    );
    // RoPE rotates pairs: head width 3 is odd.
    assert.equal(
      fieldOf(() => resolveConfig({ ...tiny, dModel: 6, nHeads: 2, positions: "rope" })),
      "nHeads",
    );
    assert.match(String(captured(() => resolveConfig({ ...tiny, nHeads: 3 }))), /not divisible by nHeads=3/);
  });

  it("counts parameters of a tiny GPT-2-style model by hand", () => {
    // wte 10·4 + wpe 4·4 + ln_1 (4+4) + c_attn (4·12+12) + c_proj (16+4) + ln_2 8 + c_fc (32+8)
    // + mlp.c_proj (32+4) + ln_f 8 + lm_head 4·10 = 276
    assert.equal(paramCount(tiny), 276);
  });

  it("counts parameters of a LLaMA-style model (RMSNorm, RoPE, SwiGLU, no bias, tied) by hand", () => {
    const cfg: GPTConfig = {
      ...tiny,
      dMlp: 6,
      norm: "rms",
      positions: "rope",
      activation: "swiglu",
      tiedEmbeddings: true,
      bias: false,
    };
    // wte 40 + ln_1 4 + c_attn 48 + c_proj 16 + ln_2 4 + c_fc 4·12 + mlp.c_proj 6·4 + ln_f 4 = 188
    assert.equal(paramCount(cfg), 188);
  });

  it("gives GPT-2 small's 124,439,808 parameters", () => {
    assert.equal(paramCount(GPT2_SMALL), GPT2_SMALL_PARAMS);
  });

  it("counts FLOPs per token as 6·N + 12·L·d·T with N the multiply parameters", () => {
    // Multiply parameters of `tiny`: 276 − wte 40 − wpe 16 = 220 (the untied lm_head is in them).
    const b = flopsBreakdown(tiny);
    assert.equal(b.matmulParams, 220);
    assert.equal(b.dense, 6 * 220);
    assert.equal(b.attention, 12 * 1 * 4 * 4);
    assert.equal(flopsPerToken(tiny), 6 * 220 + 192);
    // Tied: the output projection still costs d·V multiplies per token.
    const tied = { ...tiny, tiedEmbeddings: true };
    assert.equal(flopsBreakdown(tied).matmulParams, 220);
    assert.equal(flopsPerToken(tiny, 2), 6 * 220 + 12 * 4 * 2);
    // Independent count: sum 2·in·out over every matmul of a forward pass for one token, times 3 (fwd+bwd),
    // plus QKᵀ and AV (2·T·d each, forward) times 3. Biases and norm gains add 6 per parameter.
    const d = 4,
      T = 4,
      V = 10,
      m = 8;
    const matmuls = 2 * (d * 3 * d + d * d + d * m + m * d + d * V);
    const elementwise = 2 * (3 * d + d + m + d) + 2 * (3 * 2 * d); // biases + three norms (gain, bias)
    assert.equal(flopsPerToken(tiny), 3 * (matmuls + elementwise) + 3 * (2 * 2 * T * d));
  });
});

function captured(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  return null;
}
