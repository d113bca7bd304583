/**
 * `npm run check:webgpu`: the library's WebGPU path, checked against WASM in headless Chromium. Builds the
 * browser bundle, serves `build/web/check.html` and runs its `runChecks()` (tools/web/pages/check.ts): forward
 * logits and every parameter's gradient of a GPT-2-style and a LLaMA-style tiny GPT, five AdamW steps, KV-cache
 * generation against recomputation, the written-out gradients (LayerNorm, GELU, attention, embedding), and that
 * every kernel the GPT runs is one WebGPU runs. Without a GPU, Chromium's WebGPU adapter is SwiftShader (on the
 * CPU): this checks correctness only; its speed says nothing about a GPU.
 *
 * Prints one line per check and `N passed, N failed`; exits non-zero on any failure.
 */
import { openPage } from "./chromium";

interface CheckResult {
  name: string;
  ok: boolean;
  maxDiff: number;
  tol: number;
  detail: string;
}

async function main(): Promise<number> {
  const start = Date.now();
  const page = await openPage("check.html", "window.checkPageReady");
  try {
    const { results, adapter } = await page.browser.evaluate<{ results: CheckResult[]; adapter: unknown }>(
      page.session,
      "window.runChecks()",
    );
    console.log(`webgpu: adapter ${JSON.stringify(adapter)}`);
    for (const r of results) {
      console.log(
        `${r.ok ? "ok    " : "FAILED"} ${r.name}: max |diff| ${r.maxDiff.toExponential(2)} (tol ${r.tol.toExponential(0)}) — ${r.detail}`,
      );
    }
    for (const l of page.log.filter((l) => l.includes("seconds per backend"))) console.log(`webgpu: ${l}`);
    const failed = results.filter((r) => !r.ok).length;
    console.log(`webgpu: ${((Date.now() - start) / 1000).toFixed(1)} s`);
    console.log(`${results.length - failed} passed, ${failed} failed`);
    return failed === 0 ? 0 : 1;
  } catch (err) {
    console.error(page.log.slice(-20).join("\n"));
    throw err;
  } finally {
    await page.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`webgpu: check failed: ${err instanceof Error ? err.message : String(err)}`);
    console.log("0 passed, 1 failed");
    process.exit(1);
  },
);
