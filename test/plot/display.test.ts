/**
 * Displays: show/table/plotly send ONE bundle each; live charts and progress lines create one display and then
 * update it in place, while an async loop that awaits nextFrame() is still running. A fake sink records what
 * would go to Jupyter; with no sink the same calls print text.
 */
import assert from "node:assert/strict";
import * as aq from "arquero";
import { plot } from "../../src";
import { fakeSink } from "./helpers";

const { setDisplaySink, VEGALITE_MIME } = plot;

function captureConsole(): { lines: string[]; restore(): void } {
  const lines: string[] = [];
  const original = console.log;
  console.log = (...args: unknown[]) => void lines.push(args.map(String).join(" "));
  return { lines, restore: () => void (console.log = original) };
}

describe("plot: displays", () => {
  afterEach(() => setDisplaySink(undefined));

  it("outside tslab there is no sink and show prints one line", async () => {
    setDisplaySink(undefined);
    assert.equal(plot.inTslab(), false);
    const out = captureConsole();
    try {
      await plot.show(plot.lines([{ name: "a", x: [1, 2], y: [3, 4] }], { title: "Loss" }));
    } finally {
      out.restore();
    }
    assert.deepEqual(out.lines, ['[line chart "Loss": a (2 points)]']);
  });

  it("show sends exactly one display with the whole bundle", async () => {
    const sink = fakeSink();
    setDisplaySink(sink);
    await plot.show(plot.scatter({ x: [1, 2, 3], y: [1, 4, 9] }));
    assert.equal(sink.events.length, 1);
    const [e] = sink.events;
    assert.equal(e.kind, "display");
    assert.match(e.id, /^[0-9a-f]{16}$/);
    assert.equal(typeof e.bundle[VEGALITE_MIME], "object");
    assert.match(e.bundle["image/svg+xml"] as string, /^<svg/);
    assert.equal(e.bundle["text/plain"], "[scatter plot: 3 points]");
  });

  it("live: one display, then updates with the same id; appends before a flush are batched", async () => {
    const sink = fakeSink();
    setDisplaySink(sink);
    const chart = plot.live({ title: "loss", every: 1e9 });
    chart.append("train", 1, 3); // starts the first draw: the interval since "never" has passed
    chart.append("train", 2, 2.5); // lands in that same draw, which runs after this synchronous code
    await chart.flush(); // nothing new by now: no message
    chart.append("train", 3, 2.2);
    chart.append("val", 3, 2.4);
    await chart.flush();
    await chart.flush(); // nothing new: no message
    chart.append("train", 4, 2.0);
    await chart.close();
    await chart.close();
    const kinds = sink.events.map((e) => e.kind);
    assert.deepEqual(kinds, ["display", "update", "update"]);
    assert.equal(new Set(sink.events.map((e) => e.id)).size, 1);
    assert.equal(sink.events[0].bundle["text/plain"], '[line chart "loss": train (2 points)]');
    const last = sink.events[2].bundle;
    assert.equal(last["text/plain"], '[line chart "loss": train (4 points), val (1 points)]');
    const values = (last[VEGALITE_MIME] as { data: { values: unknown[] } }).data.values;
    assert.equal(values.length, 5);
    assert.throws(() => chart.append("train", 5, 1), /closed/);
  });

  it("live: updates arrive while an async loop runs, not only at the end", async () => {
    const sink = fakeSink();
    setDisplaySink(sink);
    const chart = plot.live({ every: 0 });
    // A "training loop" that runs until three draws went out (at most 20 s on a slow machine): redraws are
    // throttled to 3× their own cost, so this takes a few of them, not a fixed number of steps.
    const start = Date.now();
    let step = 0;
    while (sink.events.length < 3 && Date.now() - start < 20_000) {
      step++;
      chart.append("train", step, 1 / step);
      await plot.nextFrame();
      await new Promise((r) => setTimeout(r, 2)); // the step's own work
    }
    const duringLoop = sink.events.length;
    await chart.close();
    assert.equal(duringLoop, 3, `only ${duringLoop} displays during ${step} steps`);
    assert.ok(sink.events.length <= 4);
    assert.equal(sink.events[0].kind, "display");
    assert.ok(sink.events.slice(1).every((e) => e.kind === "update"));
    const final = sink.events[sink.events.length - 1].bundle;
    assert.equal(final["text/plain"], `[line chart: train (${step} points)]`);
  });

  it("live: log axis rejects non-positive points; outside tslab close prints a summary", async () => {
    setDisplaySink(null);
    const chart = plot.live({ logY: true, title: "ppl" });
    chart.append("val", 1, 10);
    assert.throws(() => chart.append("val", 2, 0), /not > 0 on a logarithmic axis/);
    const out = captureConsole();
    try {
      await chart.close();
    } finally {
      out.restore();
    }
    assert.deepEqual(out.lines, ['[line chart "ppl": val (1 points); val 1 points, last y 10]']);
  });

  it("progress: one display, one update per tick when unthrottled, final state on close", () => {
    const sink = fakeSink();
    setDisplaySink(sink);
    const p = plot.progress("train", 4, { every: 0 });
    for (let i = 1; i <= 4; i++) p.tick(i, `loss ${(3 - i / 2).toFixed(2)}`);
    p.close();
    p.close();
    assert.deepEqual(
      sink.events.map((e) => e.kind),
      ["display", "update", "update", "update"],
    );
    assert.equal(new Set(sink.events.map((e) => e.id)).size, 1);
    assert.match(
      sink.events[3].bundle["text/plain"] as string,
      /^train █{24} 4\/4 100% \d+\.\ds {2}loss 1\.00$/,
    );
  });

  it("progress: throttled ticks are dropped but close shows the last one", () => {
    const sink = fakeSink();
    setDisplaySink(sink);
    const p = plot.progress("data", 1000, { every: 1e9 });
    for (let i = 1; i < 1000; i++) p.tick(i);
    assert.equal(sink.events.length, 1, "first tick displays, the rest are throttled");
    p.close();
    assert.equal(sink.events.length, 2);
    assert.match(sink.events[1].bundle["text/plain"] as string, /999\/1000 {2}99%/);
    assert.throws(() => p.tick(1000), /closed/);
    assert.throws(() => plot.progress("x", -1), /total must be/);
  });

  it("progressLine: bar, percentage and eta", () => {
    assert.equal(plot.progressLine("ep", 1, 4, 2), "ep ██████░░░░░░░░░░░░░░░░░░ 1/4  25% 2.0s, eta 6.0s");
    assert.equal(plot.progressLine("ep", 0, 0, 0), "ep ░░░░░░░░░░░░░░░░░░░░░░░░ 0/0   0% 0.0s");
  });

  it("table: HTML and aligned text from records, escaped, limited, numbers rounded", () => {
    const sink = fakeSink();
    setDisplaySink(sink);
    const rows = [
      { name: "<b>emma</b>", count: 12, p: 0.123456 },
      { name: "olivia", count: 7, p: 1e-7 },
      { name: "ava", count: 3, p: 0.5 },
    ];
    plot.table(rows, { limit: 2, title: "Names", digits: 3 });
    assert.equal(sink.events.length, 1);
    const html = sink.events[0].bundle["text/html"] as string;
    assert.ok(html.includes("<caption>Names</caption>"));
    assert.ok(html.includes("&lt;b&gt;emma&lt;/b&gt;"));
    assert.equal((html.match(/<tr>/g) ?? []).length, 1 + 2 + 1, "header, two rows, footer");
    assert.ok(html.includes("… 1 more rows (3 in all)"));
    assert.equal(
      sink.events[0].bundle["text/plain"],
      [
        "Names",
        "name         count        p",
        "-----------  -----  -------",
        "<b>emma</b>     12    0.123",
        "olivia           7  1.00e-7",
        "… 1 more rows (3 in all)",
      ].join("\n"),
    );
  });

  it("table: an arquero-like column table, and a clear error otherwise", () => {
    setDisplaySink(null);
    const fakeArquero = {
      numRows: () => 2,
      columnNames: () => ["a", "b"],
      objects: ({ limit }: { limit?: number } = {}) =>
        [
          { a: 1, b: "x" },
          { a: 2, b: "y" },
        ].slice(0, limit),
    };
    const out = captureConsole();
    try {
      plot.table(fakeArquero);
    } finally {
      out.restore();
    }
    assert.deepEqual(out.lines, ["a  b\n-  -\n1  x\n2  y"]);
    assert.throws(() => plot.table(42), /arquero table or an array of objects/);
  });

  it("table: a real arquero table, filtered, with the limit counted against all its rows", () => {
    const t = aq
      .table({ word: ["the", "of", "and", "to"], count: [120, 70, 65, 50] })
      .filter((d: { count: number }) => d.count > 60);
    const { "text/plain": text, "text/html": html } = plot.tableBundle(t, { limit: 2 });
    assert.equal(
      text,
      ["word  count", "----  -----", "the     120", "of       70", "… 1 more rows (3 in all)"].join("\n"),
    );
    assert.equal((html.match(/<td style="text-align:right">/g) ?? []).length, 2);
  });

  it("plotly: the first output carries plotly.js, later ones only draw", () => {
    const sink = fakeSink();
    setDisplaySink(sink);
    plot.resetPlotlyLoader();
    const fig = { data: [{ type: "scatter3d", x: [1], y: [2], z: [3] }], layout: { title: "</script>" } };
    plot.plotly(fig, { height: 300 });
    plot.plotly(fig);
    assert.equal(sink.events.length, 2);
    const [first, second] = sink.events.map((e) => e.bundle["text/html"] as string);
    assert.ok(first.length > 1_000_000, "plotly.js inlined");
    assert.ok(first.includes("window.Plotly"));
    assert.ok(second.length < 10_000, "no second copy of plotly.js");
    assert.ok(second.includes("height:450px") && first.includes("height:300px"));
    assert.ok(!second.includes('"</script>"'), "closing tags in data are escaped");
    assert.match(sink.events[0].bundle["text/plain"] as string, /needs a live notebook front end/);
    assert.throws(() => plot.plotly({ data: [] }), /non-empty array of traces/);
  });

  it("inside tslab: bundles go through tslab's display writer, updates with update=true", async () => {
    // Stand-ins for what a tslab kernel has: the executor's global and its loaded jupyter module.
    const file = "/fake/node_modules/tslab/dist/jupyter.js";
    const sent: {
      content: { data: Record<string, unknown>; transient: { display_id: string } };
      update: boolean;
    }[] = [];
    const fakeModule = {
      id: file,
      filename: file,
      loaded: true,
      exports: {
        lastWriteDisplayData: (content: (typeof sent)[number]["content"], update: boolean) =>
          void sent.push({ content, update }),
      },
    };
    const g = globalThis as Record<string, unknown>;
    require.cache[file] = fakeModule as unknown as NodeJS.Module;
    g.__tslab__ = {};
    try {
      setDisplaySink(undefined);
      assert.equal(plot.inTslab(), true);
      await plot.show(plot.bars({ category: ["a"], value: [1] }));
      const p = plot.progress("p", 2, { every: 0 });
      p.tick(1);
      p.tick(2);
      p.close();
    } finally {
      delete require.cache[file];
      delete g.__tslab__;
    }
    assert.equal(plot.inTslab(), false);
    assert.deepEqual(
      sent.map((s) => s.update),
      [false, false, true],
    );
    assert.equal(typeof sent[0].content.data[VEGALITE_MIME], "object");
    assert.equal(sent[1].content.transient.display_id, sent[2].content.transient.display_id);
    assert.notEqual(sent[0].content.transient.display_id, sent[1].content.transient.display_id);
  });
});
