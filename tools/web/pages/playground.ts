/**
 * The playground page (`npm run playground`): the tokenizer, attention of the registry's `base` model, and a
 * tiny GPT trained in the tab — all on the library's browser bundle, from files the local server serves.
 * What each panel shows is also kept in `window.playground` for the headless page test.
 * URL parameters: `backend=webgpu|wasm|cpu` (force one; webgpu then also accepts a software adapter),
 * `steps=N` (training steps, default 200).
 */
import { backend, fetchModel, model, plot, random, tf, tokenizer, train } from "../../../src/browser";

const params = new URLSearchParams(location.search);
const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;

interface TokenView {
  tokens: string[];
  ids: number[];
  /** All ids decoded together (a token may hold part of a character's UTF-8 bytes: alone it shows as �). */
  decoded: string;
}
const state = {
  backend: "",
  tokenizer: { gpt2: null as TokenView | null, course: null as TokenView | null, courseName: "" },
  attention: null as null | { layer: number; head: number; tokens: string[]; weights: number[][] },
  attentionStatus: "",
  train: null as null | {
    steps: number;
    losses: number[];
    tokensPerSecond: number;
    sample: string;
    done: boolean;
  },
  errors: [] as string[],
};
Object.assign(window, { playground: state });

function fail(where: string, err: unknown): void {
  const msg = `${where}: ${err instanceof Error ? err.message : String(err)}`;
  state.errors.push(msg);
  console.error(msg);
}

// ---- 1. Tokenizer --------------------------------------------------------------------------------------------

const COLOURS = ["#fde2e4", "#e2f0cb", "#cde7f0", "#fff1c1", "#e4d9ff", "#d7f5e9"];

function show(tok: tokenizer.Tokenizer, text: string, id: string): TokenView {
  const ids = tok.encode(text, { allowedSpecial: "all" });
  const tokens = ids.map((i) => tok.decode([i]));
  const box = $(id);
  box.replaceChildren(
    ...tokens.map((t, k) => {
      const span = document.createElement("span");
      span.textContent = t;
      span.title = `id ${ids[k]}`;
      span.style.background = COLOURS[k % COLOURS.length];
      return span;
    }),
  );
  $(`${id}-ids`).textContent = `[${ids.join(", ")}]`;
  $(`${id}-count`).textContent = `(${ids.length} tokens)`;
  return { tokens, ids, decoded: tok.decode(ids) };
}

async function tokenizerPanel(course: Promise<tokenizer.Tokenizer>): Promise<void> {
  const ranks = (await (await fetch("./gpt2-ranks.json")).json()) as tokenizer.JsTiktokenRanks;
  const gpt2 = tokenizer.fromJsTiktokenRanks(ranks, "gpt2", "gpt2");
  const ours = await course;
  const input = $<HTMLTextAreaElement>("tok-input");
  const update = () => {
    state.tokenizer.gpt2 = show(gpt2, input.value, "tok-gpt2");
    state.tokenizer.course = show(ours, input.value, "tok-course");
  };
  input.addEventListener("input", update);
  update();
}

/** The course's BPE: the base model's tokenizer when it is built, else one trained here (chapter 02's trainer). */
async function courseTokenizer(
  base: Promise<Awaited<ReturnType<typeof fetchModel>> | null>,
  text: Promise<string>,
) {
  const m = await base;
  if (m) {
    state.tokenizer.courseName = `course BPE of the base model (${m.tokenizer.vocabSize} ids)`;
  } else {
    const bpe = tokenizer.trainBpe((await text).slice(0, 60_000), {
      vocabSize: 512,
      pattern: "gpt2",
      specialTokens: ["<|endoftext|>"],
    });
    const tok = tokenizer.Tokenizer.fromModel(bpe, { name: "course-512" });
    state.tokenizer.courseName = "course BPE trained here on 60k characters of Moby-Dick (512 ids)";
    $("tok-course-title").firstChild!.textContent = state.tokenizer.courseName + " ";
    return tok;
  }
  $("tok-course-title").firstChild!.textContent = state.tokenizer.courseName + " ";
  return m.tokenizer;
}

// ---- 2. Attention --------------------------------------------------------------------------------------------

async function loadBase(): Promise<Awaited<ReturnType<typeof fetchModel>> | null> {
  const status = (await (await fetch("./model/status.json")).json()) as {
    present: boolean;
    size?: string;
    build?: string;
  };
  if (!status.present) {
    state.attentionStatus = `No trained model yet. Build the registry's base model, then reload: ${status.build}`;
    $("attn-status").textContent = state.attentionStatus;
    $("attn-status").className = "error";
    return null;
  }
  const m = await fetchModel(new URL("./model/", location.href).href);
  const c = m.model.config;
  state.attentionStatus =
    `base model (${status.size}): ${c.nLayers} layers × ${c.nHeads} heads, d ${c.dModel}, context ${c.contextLength}` +
    (m.card && typeof m.card.loss === "number" ? `, training loss ${m.card.loss.toFixed(3)}` : "");
  $("attn-status").textContent = state.attentionStatus;
  return m;
}

async function attentionPanel(m: Awaited<ReturnType<typeof fetchModel>>): Promise<void> {
  const c = m.model.config;
  const layer = $<HTMLSelectElement>("attn-layer");
  const head = $<HTMLSelectElement>("attn-head");
  layer.replaceChildren(...Array.from({ length: c.nLayers }, (_, i) => new Option(String(i), String(i))));
  head.replaceChildren(...Array.from({ length: c.nHeads }, (_, i) => new Option(String(i), String(i))));
  $("attn-controls").hidden = false;
  const input = $<HTMLInputElement>("attn-input");
  const draw = async () => {
    const ids = m.tokenizer.encode(input.value).slice(0, c.contextLength);
    if (ids.length === 0) return;
    const L = Number(layer.value);
    const H = Number(head.value);
    const weights: tf.Tensor4D[] = [];
    const logits = m.model.forward([ids], { attentionWeights: weights });
    const w = (await weights[L].data()) as Float32Array; // [1, heads, T, T]
    tf.dispose([logits, ...weights]);
    const T = ids.length;
    const rows = Array.from({ length: T }, (_, i) =>
      Array.from(w.subarray((H * T + i) * T, (H * T + i + 1) * T)),
    );
    const tokens = ids.map((i) => m.tokenizer.decode([i]));
    state.attention = { layer: L, head: H, tokens, weights: rows };
    const labels = tokens.map((t, i) => `${i} ${JSON.stringify(t).slice(1, -1)}`);
    const fig = plot.heatmap(rows, {
      xLabels: labels,
      yLabels: labels,
      title: `layer ${L}, head ${H}: attention weights`,
      xTitle: "key (attended to)",
      yTitle: "query",
      width: 520,
      height: 520,
    });
    $("attn-plot").innerHTML = await plot.toSvg(fig);
  };
  for (const el of [layer, head])
    el.addEventListener("change", () => void draw().catch((e) => fail("attention", e)));
  input.addEventListener("change", () => void draw().catch((e) => fail("attention", e)));
  await draw();
}

// ---- 3. Train ------------------------------------------------------------------------------------------------

async function trainPanel(text: string): Promise<void> {
  const steps = Number(params.get("steps") ?? 200);
  const chars = [...new Set(text)].sort();
  const index = new Map(chars.map((ch, i) => [ch, i]));
  const ids = Array.from(text, (ch) => index.get(ch)!);
  const config: model.GPTConfig = {
    vocabSize: chars.length,
    contextLength: 32,
    dModel: 48,
    nLayers: 2,
    nHeads: 4,
    dMlp: 192,
    ...model.GPT2_STYLE,
  };
  const batchSize = 8;
  const gpt = new model.GPT(config, 0);
  const opt = new train.AdamW(gpt.params, { weightDecay: 0.1 });
  const batcher = new train.TokenBatcher(ids, batchSize, config.contextLength);
  const rng = new random.Rng(1);
  const schedule = train.warmupCosine({ maxLr: 3e-3, minLr: 3e-4, warmupSteps: 10, totalSteps: steps });
  const losses: number[] = [];
  state.train = { steps, losses, tokensPerSecond: 0, sample: "", done: false };
  let seconds = 0;
  const status = $("train-status");
  const chart = async () => {
    const x = losses.map((_, i) => i + 1);
    const fig = plot.lines([{ name: "train loss", x, y: losses }], {
      title: "loss (cross-entropy, nats)",
      xTitle: "step",
      yTitle: "loss",
      width: 520,
      height: 220,
    });
    $("train-chart").innerHTML = await plot.toSvg(fig);
  };
  try {
    for (let s = 0; s < steps; s++) {
      const batch = batcher.sample(rng);
      const t0 = performance.now();
      const r = await train.trainStepAsync(gpt, opt, [batch], schedule(s), { clipNorm: 1 });
      seconds += (performance.now() - t0) / 1000;
      tf.dispose([batch.x, batch.y]);
      losses.push(r.loss);
      state.train.tokensPerSecond = ((s + 1) * batchSize * config.contextLength) / seconds;
      status.textContent =
        `step ${s + 1}/${steps}, loss ${r.loss.toFixed(3)}, ` +
        `${Math.round(state.train.tokensPerSecond).toLocaleString("en")} tokens/s on ${state.backend}`;
      if (s % 10 === 9 || s === steps - 1) await chart();
    }
    const prompt = Array.from("Call me ", (ch) => index.get(ch) ?? 0);
    const out = await model.generateAsync(gpt, prompt, { maxNewTokens: 120, temperature: 0.8, seed: 2 });
    state.train.sample = "Call me " + out.map((i) => chars[i]).join("");
    $("train-sample").textContent = state.train.sample;
  } finally {
    opt.dispose();
    gpt.dispose();
    state.train.done = true;
    status.dataset.done = "true";
  }
}

// ---- start ---------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const force = params.get("backend") as backend.BrowserBackendName | null;
  const info = await backend.initBrowserBackend(force ? { force } : {});
  state.backend =
    info.name === "webgpu"
      ? `webgpu (adapter: ${info.adapter?.vendor} ${info.adapter?.architecture})`
      : `${info.name}${info.skipped.length ? ` (${info.skipped.join("; ")})` : ""}`;
  $("backend").textContent = state.backend;
  $("backend").title = info.reason;
  const text = fetch("./data/moby-dick.txt").then((r) => r.text());
  const base = loadBase().catch((e) => {
    fail("model", e);
    return null;
  });
  const course = courseTokenizer(base, text);
  await Promise.all([
    tokenizerPanel(course).catch((e) => fail("tokenizer", e)),
    base.then((m) => (m ? attentionPanel(m) : undefined)).catch((e) => fail("attention", e)),
  ]);
  const trainText = await text;
  $<HTMLButtonElement>("train-start").addEventListener("click", (ev) => {
    (ev.target as HTMLButtonElement).disabled = true;
    trainPanel(trainText).catch((e) => fail("train", e));
  });
  Object.assign(window, { playgroundReady: true });
}

main().catch((e) => {
  fail("start", e);
  Object.assign(window, { playgroundReady: true });
});
