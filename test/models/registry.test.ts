/**
 * The model registry with a tiny recipe in a temporary models directory: a miss builds and writes the files and
 * the card; a hit loads the same weights without building; a changed recipe version makes it stale and rebuilds;
 * dependencies are built first and their keys are in the card; bad names fail clearly.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { initBackend } from "../../src/backend";
import { GPT, GPT2_STYLE } from "../../src/model";
import * as models from "../../src/models";
import { Tokenizer } from "../../src/tokenizer";

let builds = 0;
let version = 1;
const tinyRecipe: models.Recipe = {
  name: "test-tiny",
  description: "a 1-layer GPT that is never trained",
  get version() {
    return version;
  },
  spec: (size) => ({ dModel: size === "quick" ? 8 : 16 }),
  build: async (ctx) => {
    builds++;
    const vocab = Array.from({ length: 256 }, (_, b) => Uint8Array.of(b));
    const d = ctx.size === "quick" ? 8 : 16;
    const model = new GPT(
      {
        vocabSize: 256,
        contextLength: 8,
        dModel: d,
        nLayers: 1,
        nHeads: 2,
        dMlp: 2 * d,
        ...GPT2_STYLE,
      },
      7,
    );
    const progress = ctx.progress("test", 1);
    await progress.onStep({ step: 1, loss: 2.5, lr: 1, gradNorm: 1, tokens: 64, ms: 1, tokensPerSec: 1 });
    await progress.close();
    return {
      model,
      tokenizer: new Tokenizer({ vocab, name: "bytes" }),
      extra: new Map([["head", tf.tensor2d([[1], [2]])]]),
      stats: progress.summary(),
    };
  },
};
const childRecipe: models.Recipe = {
  name: "test-child",
  description: "loads test-tiny",
  version: 1,
  dependsOn: ["test-tiny"],
  spec: () => ({}),
  build: async (ctx) => {
    const parent = await ctx.get("test-tiny");
    tf.dispose([...parent.extra.values()]);
    return { model: parent.model, tokenizer: parent.tokenizer, stats: { loss: 1, steps: 0, tokens: 0 } };
  },
};

describe("models: registry", () => {
  let dir = "";
  const saved = process.env.LLM_MODELS_DIR;
  before(async () => {
    await initBackend({ quiet: true });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "llm-models-"));
    process.env.LLM_MODELS_DIR = dir;
    models.register(tinyRecipe);
    models.register(childRecipe);
  });
  after(() => {
    if (saved === undefined) delete process.env.LLM_MODELS_DIR;
    else process.env.LLM_MODELS_DIR = saved;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("lists the built-in recipes", () => {
    for (const n of ["base", "sft", "test-tiny"]) assert.ok(models.recipeNames().includes(n), n);
  });

  it("builds a missing model, writes weights, tokenizer, config and card, then loads it without building", async () => {
    assert.equal(models.status("test-tiny", "quick"), "missing");
    const a = await models.get("test-tiny", { size: "quick", quiet: true });
    assert.equal(builds, 1);
    const files = fs.readdirSync(path.join(dir, "test-tiny", "quick")).sort();
    assert.deepEqual(files, ["card.json", "config.json", "model.safetensors", "tokenizer.json"]);
    assert.equal(a.card.key, models.cacheKey("test-tiny", "quick"));
    assert.equal(a.card.steps, 1);
    assert.equal(a.card.tokens, 64);
    assert.equal(a.card.loss, 2.5);
    assert.deepEqual(a.card.losses, [2.5]);
    assert.ok(typeof a.card.commit === "string" && a.card.parameters > 0);
    assert.deepEqual(Array.from(a.extra.get("head")!.dataSync()), [1, 2]);
    assert.equal(models.status("test-tiny", "quick"), "fresh");
    const b = await models.get("test-tiny", { size: "quick", quiet: true });
    assert.equal(builds, 1, "a fresh model is loaded, not rebuilt");
    const wa = a.model.param("wte.weight").dataSync();
    const wb = b.model.param("wte.weight").dataSync();
    assert.deepEqual(Array.from(wb), Array.from(wa));
    a.dispose();
    b.dispose();
  });

  it("keys the sizes apart and rebuilds a stale model when the recipe changes", async () => {
    assert.notEqual(models.cacheKey("test-tiny", "quick"), models.cacheKey("test-tiny", "full"));
    const oldKey = models.cacheKey("test-tiny", "quick");
    version = 2;
    assert.notEqual(models.cacheKey("test-tiny", "quick"), oldKey);
    assert.equal(models.status("test-tiny", "quick"), "stale");
    (await models.get("test-tiny", { size: "quick", quiet: true })).dispose();
    assert.equal(builds, 2);
    assert.equal(models.status("test-tiny", "quick"), "fresh");
  });

  it("builds dependencies first and records their keys; a dependency's change makes the child stale", async () => {
    const c = await models.get("test-child", { size: "quick", quiet: true });
    assert.deepEqual(c.card.dependsOn, { "test-tiny": models.cacheKey("test-tiny", "quick") });
    c.dispose();
    version = 3;
    assert.equal(models.status("test-child", "quick"), "stale");
  });

  it("fails clearly for unknown names and duplicate or malformed recipes", async () => {
    await assert.rejects(() => models.get("nope"), /no recipe "nope"; known recipes: .*base/);
    assert.throws(() => models.register({ ...tinyRecipe }), /already registered/);
    assert.throws(() => models.register({ ...tinyRecipe, name: "Bad Name" }), /lowercase/);
  });
});
