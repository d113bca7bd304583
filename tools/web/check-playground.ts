/**
 * `npm run check:playground`: the playground page in headless Chromium, one assertion set per panel, and a
 * screenshot kept at `build/browser/playground.png`.
 *
 * - tokenizer: GPT-2's ids for a test text equal js-tiktoken's (an independent encoder); both columns' tokens
 *   join back to the text; the course BPE column is filled;
 * - attention: with the registry's base model built (CI builds it in notebook 07), a causal heatmap whose rows
 *   sum to 1, redrawn for another layer and head; without it, the page must say how to build it;
 * - train: a tiny GPT trained in the tab (default picker: WebGPU on a GPU, else WASM; LLM_PLAYGROUND_BACKEND to
 *   force one) — the loss falls, tokens/s is shown, the chart and a sample are drawn.
 *
 * Prints one line per panel and `N passed, N failed`.
 */
import fs from "node:fs";
import path from "node:path";
import { Tiktoken } from "js-tiktoken/lite";
import { delay } from "../browser/cdp";
import { openPage, type PageSession } from "./chromium";
import { baseModelDir } from "./serve";

const ROOT = path.resolve(__dirname, "..", "..");
const SHOT = path.join(ROOT, "build", "browser", "playground.png");
const STEPS = Number(process.env.LLM_PLAYGROUND_STEPS ?? 60);
const TEXT = "Call me Ishmael. In 2024, the whale's ids: 12,345 — déjà vu!";

interface State {
  backend: string;
  tokenizer: {
    gpt2: { tokens: string[]; ids: number[]; decoded: string } | null;
    course: { tokens: string[]; ids: number[]; decoded: string } | null;
    courseName: string;
  };
  attention: null | { layer: number; head: number; tokens: string[]; weights: number[][] };
  attentionStatus: string;
  train: null | { steps: number; losses: number[]; tokensPerSecond: number; sample: string; done: boolean };
  errors: string[];
}

async function waitFor(p: PageSession, expr: string, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await p.browser.evaluate<boolean>(p.session, `!!(${expr})`))) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms / 1000} s waiting for ${what}`);
    await delay(200);
  }
}

const state = (p: PageSession) => p.browser.evaluate<State>(p.session, "window.playground");

async function tokenizerPanel(p: PageSession): Promise<string> {
  await p.browser.evaluate(
    p.session,
    `(() => { const t = document.getElementById("tok-input"); t.value = ${JSON.stringify(TEXT)};
      t.dispatchEvent(new Event("input")); })()`,
  );
  const s = await state(p);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const expected = new Tiktoken(require("js-tiktoken/ranks/gpt2")).encode(TEXT);
  const got = s.tokenizer.gpt2?.ids ?? [];
  if (got.join() !== expected.join())
    throw new Error(`GPT-2 ids [${got}] differ from js-tiktoken's [${expected}]`);
  for (const [name, view] of [
    ["GPT-2", s.tokenizer.gpt2],
    ["course", s.tokenizer.course],
  ] as const) {
    if (!view || view.decoded !== TEXT) throw new Error(`the ${name} ids do not decode back to the text`);
  }
  const spans = await p.browser.evaluate<number[]>(
    p.session,
    `[document.querySelectorAll("#tok-gpt2 span").length, document.querySelectorAll("#tok-course span").length]`,
  );
  if (spans[0] !== got.length || spans[1] !== s.tokenizer.course!.ids.length) {
    throw new Error(
      `the page shows ${spans} token spans for ${got.length} / ${s.tokenizer.course!.ids.length} tokens`,
    );
  }
  return `GPT-2 ${got.length} tokens = js-tiktoken's ids; ${s.tokenizer.courseName}: ${spans[1]} tokens`;
}

async function attentionPanel(p: PageSession): Promise<string> {
  if (!baseModelDir()) {
    const s = await state(p);
    if (!/npm run models/.test(s.attentionStatus)) {
      throw new Error(`no base model, and the page does not say how to build it: "${s.attentionStatus}"`);
    }
    return `no base model built: the page says "${s.attentionStatus}"`;
  }
  await waitFor(p, "window.playground.attention", 60_000, "the attention heatmap");
  const check = (a: NonNullable<State["attention"]>) => {
    const T = a.tokens.length;
    if (a.weights.length !== T || a.weights.some((r) => r.length !== T))
      throw new Error(`weights are not ${T}×${T}`);
    a.weights.forEach((r, i) => {
      const sum = r.reduce((x, y) => x + y, 0);
      if (Math.abs(sum - 1) > 1e-4) throw new Error(`row ${i} sums to ${sum}`);
      if (r.some((w, j) => j > i && w > 1e-6)) throw new Error(`row ${i} attends to a later token`);
    });
  };
  const first = (await state(p)).attention!;
  check(first);
  // Another layer and head: the last ones.
  await p.browser.evaluate(
    p.session,
    `(() => { for (const id of ["attn-layer", "attn-head"]) { const s = document.getElementById(id);
      s.value = s.options[s.options.length - 1].value; s.dispatchEvent(new Event("change")); } })()`,
  );
  await waitFor(
    p,
    `(() => { const a = window.playground.attention; const l = document.getElementById("attn-layer"),
      h = document.getElementById("attn-head"); return a && a.layer === Number(l.value) && a.head === Number(h.value)
      && l.value !== "0"; })()`,
    30_000,
    "the heatmap of the last layer and head",
  );
  const last = (await state(p)).attention!;
  check(last);
  const svg = await p.browser.evaluate<number[]>(
    p.session,
    `(() => { const s = document.querySelector("#attn-plot svg"); if (!s) return [0, 0];
      const r = s.getBoundingClientRect(); return [r.width, r.height, document.querySelectorAll("#attn-plot svg path, #attn-plot svg rect").length]; })()`,
  );
  if (!(svg[0] > 200 && svg[1] > 200)) throw new Error(`no heatmap drawn (svg ${svg})`);
  return `${first.tokens.length} tokens; layer ${first.layer} head ${first.head} and layer ${last.layer} head ${last.head}: rows sum to 1, causal; heatmap ${Math.round(svg[0])}×${Math.round(svg[1])} px`;
}

async function trainPanel(p: PageSession): Promise<string> {
  await p.browser.evaluate(p.session, `document.getElementById("train-start").click()`);
  await waitFor(
    p,
    "window.playground.train && window.playground.train.done",
    300_000,
    `${STEPS} training steps`,
  );
  const s = await state(p);
  const t = s.train!;
  if (t.losses.length !== STEPS || !t.losses.every(Number.isFinite)) {
    throw new Error(`${t.losses.length} finite losses of ${STEPS}: ${t.losses.slice(-5)}`);
  }
  const tail = t.losses.slice(-5).reduce((a, b) => a + b, 0) / 5;
  if (!(tail < t.losses[0] - 0.5)) throw new Error(`the loss did not fall: ${t.losses[0]} → ${tail}`);
  if (!(t.tokensPerSecond > 0)) throw new Error("no tokens/s");
  const shown = await p.browser.evaluate<string>(
    p.session,
    `document.getElementById("train-status").textContent`,
  );
  if (!/tokens\/s on /.test(shown)) throw new Error(`the status line shows no tokens/s: "${shown}"`);
  const chart = await p.browser.evaluate<number>(
    p.session,
    `document.querySelectorAll("#train-chart svg").length`,
  );
  if (chart < 1) throw new Error("no loss chart drawn");
  if (t.sample.length < 20) throw new Error(`no sample text: "${t.sample}"`);
  return `${STEPS} steps on ${s.backend}: loss ${t.losses[0].toFixed(3)} → ${tail.toFixed(3)} (mean of last 5), ${Math.round(t.tokensPerSecond)} tokens/s shown, chart and sample drawn`;
}

async function main(): Promise<number> {
  const start = Date.now();
  const backend = process.env.LLM_PLAYGROUND_BACKEND;
  const page = await openPage(
    `playground.html?steps=${STEPS}${backend ? `&backend=${backend}` : ""}`,
    "window.playgroundReady",
    { width: 1200, height: 900, timeoutMs: 120_000 },
  );
  let passed = 0;
  let failed = 0;
  try {
    for (const [name, run] of [
      ["tokenizer", tokenizerPanel],
      ["attention", attentionPanel],
      ["train", trainPanel],
    ] as const) {
      try {
        console.log(`ok     playground ${name}: ${await run(page)}`);
        passed++;
      } catch (err) {
        console.log(`FAILED playground ${name}: ${err instanceof Error ? err.message : String(err)}`);
        failed++;
      }
    }
    const errors = (await state(page)).errors;
    if (errors.length) {
      console.log(`FAILED playground page errors: ${errors.join("; ")}`);
      failed++;
    }
    const [w, h] = await page.browser.evaluate<number[]>(
      page.session,
      "[document.documentElement.scrollWidth, document.documentElement.scrollHeight]",
    );
    const shot = await page.browser.send<{ data: string }>(
      "Page.captureScreenshot",
      {
        format: "png",
        captureBeyondViewport: true,
        clip: { x: 0, y: 0, width: w, height: Math.min(h, 8000), scale: 1 },
      },
      page.session,
    );
    fs.mkdirSync(path.dirname(SHOT), { recursive: true });
    fs.writeFileSync(SHOT, Buffer.from(shot.data, "base64"));
    console.log(
      `playground: screenshot ${path.relative(ROOT, SHOT)}; ${((Date.now() - start) / 1000).toFixed(1)} s`,
    );
  } finally {
    if (failed) console.log(page.log.slice(-15).join("\n"));
    await page.close();
  }
  console.log(`${passed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`playground: check failed: ${err instanceof Error ? err.message : String(err)}`);
    console.log("0 passed, 1 failed");
    process.exit(1);
  },
);
