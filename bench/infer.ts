/**
 * `npm run bench:infer`: inference speed on this machine's tfjs backend, one JSON object per line.
 * - generation tokens/s for 256 new tokens with and without the KV cache (goal ≥ 5× with it);
 * - bytes and tokens/s of int8 and int4 models vs float32 (decoding multiplies the packed codes: fusedMatmul);
 * - the fused dequantize-matmul (JS) vs dequantize-then-multiply (JS dequantize + tf.matMul), one decode row;
 * - speculative decoding at temperature 0 and 1: measured speed-up over target-only decoding, acceptance α and
 *   tokens per target forward vs (1 − α^(γ+1)) / (1 − α);
 * - batched generation of prompts of 4–11 tokens (left-padded): tokens/s and ms per step at batch 1, 4 and 16.
 * The model is GPT-2-shaped (6 layers, width 256, context 320, 5.3 M parameters) with random weights (speed does
 * not depend on training); the draft is the target's first layer with its
 * final norm and head (an early-exit draft), so both share the vocabulary.
 */
import * as tf from "@tensorflow/tfjs-core";
import { initBackend } from "../src/backend";
import { GPT, GPT2_STYLE, GPTConfig, generate } from "../src/model";
import { Rng } from "../src/random";
import * as inf from "../src/infer";

const config: GPTConfig = {
  vocabSize: 1024,
  contextLength: 320,
  dModel: 256,
  nLayers: 6,
  nHeads: 4,
  dMlp: 1024,
  ...GPT2_STYLE,
};

function time<T>(f: () => T): { value: T; seconds: number } {
  const t0 = performance.now();
  const value = f();
  return { value, seconds: (performance.now() - t0) / 1000 };
}

function emit(o: Record<string, unknown>): void {
  console.log(JSON.stringify(o));
}

async function main(): Promise<void> {
  const backend = await initBackend({ quiet: true });
  const model = new GPT(config, 1);
  const rng = new Rng(2);
  const prompt = Array.from({ length: 8 }, () => rng.int(config.vocabSize));
  const n = 256;
  generate(model, prompt, { maxNewTokens: 4, temperature: 0 }); // warm-up
  const cached = time(() => generate(model, prompt, { maxNewTokens: n, temperature: 0, useCache: true }));
  const plain = time(() => generate(model, prompt, { maxNewTokens: n, temperature: 0, useCache: false }));
  const same = cached.value.join() === plain.value.join();
  emit({
    bench: "generate",
    backend,
    new_tokens: n,
    tokens_per_s_cache: +(n / cached.seconds).toFixed(1),
    tokens_per_s_no_cache: +(n / plain.seconds).toFixed(1),
    speedup: +(plain.seconds / cached.seconds).toFixed(2),
    identical_tokens: same,
  });

  const m = 64;
  const calib = [Array.from({ length: 256 }, () => rng.int(config.vocabSize))];
  for (const scheme of [
    { kind: "float32" },
    { kind: "int8-channel" },
    { kind: "rtn", bits: 4, groupSize: 64 },
  ] as inf.QuantScheme[]) {
    const q = inf.quantizeModel(model, scheme, calib);
    generate(q, prompt, { maxNewTokens: 2, temperature: 0 });
    const t = time(() => generate(q, prompt, { maxNewTokens: m, temperature: 0 }));
    emit({
      bench: "quantized",
      scheme: inf.schemeName(scheme),
      bytes: q.bytes(),
      bytes_vs_float32: +(q.bytes() / inf.floatBytes(model)).toFixed(3),
      tokens_per_s: +(m / t.seconds).toFixed(1),
    });
    q.dispose();
  }

  const w = Float32Array.from({ length: 768 * 192 }, () => rng.normal(0, 0.02));
  const x = Float32Array.from({ length: 768 }, () => rng.normal());
  for (const scheme of [
    { kind: "int8-channel" },
    { kind: "rtn", bits: 4, groupSize: 64 },
  ] as inf.QuantScheme[]) {
    const qw = inf.quantizeWeight(w, 768, 192, scheme);
    const reps = 50;
    const fused = time(() => {
      for (let r = 0; r < reps; r++) inf.fusedMatmul(x, 1, qw);
    });
    const xt = tf.tensor2d(x, [1, 768]);
    const twoStep = time(() => {
      for (let r = 0; r < reps; r++) {
        const wt = tf.tensor2d(inf.dequantizeWeight(qw), [768, 192]);
        const y = tf.matMul(xt, wt);
        y.dataSync();
        tf.dispose([wt, y]);
      }
    });
    xt.dispose();
    emit({
      bench: "fused_dequant_matmul",
      scheme: inf.schemeName(scheme),
      shape: [768, 192],
      fused_ms: +((1000 * fused.seconds) / reps).toFixed(3),
      dequantize_then_matmul_ms: +((1000 * twoStep.seconds) / reps).toFixed(3),
    });
  }

  // Early-exit draft: layer 0, the final norm and the (tied) head of the target.
  const draft = new GPT({ ...config, nLayers: 1 }, 0);
  draft.setParams(new Map([...draft.params.keys()].map((k) => [k, model.param(k)])));
  const gamma = 4;
  const k = 96;
  for (const temperature of [0, 1]) {
    const base = time(() => generate(model, prompt, { maxNewTokens: k, temperature, seed: 5 }));
    const spec = time(() =>
      inf.speculativeGenerate(model, draft, prompt, { gamma, maxNewTokens: k, temperature, seed: 5 }),
    );
    const r = spec.value;
    emit({
      bench: "speculative",
      temperature,
      gamma,
      new_tokens: k,
      alpha: +r.alpha.toFixed(3),
      acceptance: +(r.accepted / r.proposed).toFixed(3),
      tokens_per_target_forward: +(k / r.targetForwards).toFixed(2),
      formula: +inf.expectedTokensPerStep(Math.min(r.alpha, 0.999999), gamma).toFixed(2),
      speedup: +(base.seconds / spec.seconds).toFixed(2),
      identical_to_target_greedy: temperature === 0 ? r.tokens.join() === base.value.join() : undefined,
    });
  }
  draft.dispose();

  const newTokens = 32;
  for (const B of [1, 4, 16]) {
    const prompts = Array.from({ length: B }, (_, i) =>
      Array.from({ length: 4 + (i % 8) }, () => rng.int(config.vocabSize)),
    );
    inf.generateBatch(model, prompts, { maxNewTokens: 2, seed: 0 }); // warm-up at this batch shape
    const t = time(() => inf.generateBatch(model, prompts, { maxNewTokens: newTokens, seed: 0 }));
    emit({
      bench: "batched",
      batch: B,
      prompt_tokens: prompts.map((p) => p.length).join("/"),
      new_tokens: newTokens,
      tokens_per_s: +((B * newTokens) / t.seconds).toFixed(1),
      ms_per_step: +((1000 * t.seconds) / newTokens).toFixed(1),
    });
  }
  model.dispose();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
