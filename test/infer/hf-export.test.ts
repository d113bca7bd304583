/**
 * The Hugging Face export against an independent PyTorch forward (test/fixtures/hf/hf_reference.py, written from
 * GPT2LMHeadModel's and LlamaForCausalLM's documented conventions; its output is committed as JSON, python never
 * runs here). The exported files must hash to what the fixture read, so the fixture speaks about these bytes.
 */
import * as assert from "node:assert/strict";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { initBackend } from "../../src/backend";
import { exportHuggingFace, hfArchitecture } from "../../src/infer";
import { GPT } from "../../src/model";
import { HF_CONFIGS, hfModel, hfTokenizer } from "../fixtures/hf/models";

interface Fixture {
  ids: number[][];
  models: Record<string, { architecture: string; sha256: Record<string, string>; logits: number[][][] }>;
  tokenizer: { ids: number[]; decoded: string; merges: number };
}

const fixture = JSON.parse(
  fs.readFileSync(path.join(__dirname, "../fixtures/hf/hf_reference.json"), "utf8"),
) as Fixture;

before(async () => {
  await initBackend({ quiet: true });
});

describe("infer: Hugging Face export", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "llm-ts-hf-"));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const tok = hfTokenizer();
  for (const kind of ["gpt2", "llama"] as const) {
    it(`${kind}: the files PyTorch read, and its logits equal ours`, () => {
      const m = hfModel(kind);
      const ref = fixture.models[kind];
      assert.equal(hfArchitecture(m), ref.architecture);
      exportHuggingFace(m, path.join(dir, kind), tok);
      for (const [file, sha] of Object.entries(ref.sha256)) {
        const got = crypto
          .createHash("sha256")
          .update(fs.readFileSync(path.join(dir, kind, file)))
          .digest("hex");
        assert.equal(got, sha, `${kind}/${file} differs from the bytes the fixture was made from`);
      }
      const logits = m.forward(fixture.ids);
      const ours = logits.arraySync() as number[][][];
      logits.dispose();
      let maxDiff = 0;
      let maxAbs = 0;
      ours.forEach((seq, b) =>
        seq.forEach((row, t) =>
          row.forEach((v, i) => {
            maxDiff = Math.max(maxDiff, Math.abs(v - ref.logits[b][t][i]));
            maxAbs = Math.max(maxAbs, Math.abs(v));
          }),
        ),
      );
      assert.ok(maxAbs > 1, "logits far from zero, so a layout error would show");
      assert.ok(maxDiff < 1e-4, `${kind}: max |ours − torch| = ${maxDiff}`);
      m.dispose();
    });
  }
  it("tokenizer.json decodes like our tokenizer", () => {
    assert.equal(tok.decode(fixture.tokenizer.ids), fixture.tokenizer.decoded);
    assert.equal(tok.merges().length, fixture.tokenizer.merges);
  });
  it("explains what cannot be exported", () => {
    const odd = new GPT({ ...HF_CONFIGS.gpt2, norm: "rms" }, 0);
    assert.throws(() => exportHuggingFace(odd, dir), /matches neither GPT-2/);
    odd.dispose();
    const small = new GPT({ ...HF_CONFIGS.gpt2, vocabSize: 64 }, 0);
    assert.throws(() => exportHuggingFace(small, dir, tok), /tokenizer has 300 tokens/);
    small.dispose();
  });
});
