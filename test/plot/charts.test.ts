/**
 * Chart builders: every spec compiles with vega-lite without a single warning, renders headless to an SVG of real
 * size holding the expected marks, and bad input fails with a message saying what is wrong.
 */
import assert from "node:assert/strict";
import { plot } from "../../src";
import { markItems, svgSize } from "./helpers";

const { lines, scatter, bars, heatmap, intervals, layer, compile, toSvg, mimeBundle, VEGALITE_MIME } = plot;

async function renderClean(fig: plot.Figure): Promise<string> {
  const { warnings, vega } = compile(fig);
  assert.deepEqual(warnings, [], "vega-lite compile warnings");
  // The compiled Vega spec: a schema and the marks the chart draws.
  const spec = vega as { $schema?: string; marks?: unknown[] };
  assert.match(String(spec.$schema), /^https:\/\/vega\.github\.io\/schema\/vega\/v5(\.\d+)*\.json$/);
  assert.ok(Array.isArray(spec.marks) && spec.marks.length > 0, "the compiled spec draws no marks");
  const svg = await toSvg(fig);
  const { width, height } = svgSize(svg);
  assert.ok(width > 100 && height > 50, `svg too small: ${width}×${height}`);
  return svg;
}

function vegaScales(fig: plot.Figure): { name: string; type?: string }[] {
  return (compile(fig).vega as { scales: { name: string; type?: string }[] }).scales;
}

describe("plot: chart builders", () => {
  const x = [1, 2, 3, 4, 5, 6, 7, 8];
  const train = x.map((s) => 3 / s);
  const val = x.map((s) => 3.2 / s + 0.1);

  it("lines: one path per series, a legend, titles", async () => {
    const fig = lines(
      [
        { name: "train", x, y: train },
        { name: "val", x: Float32Array.from(x), y: Float64Array.from(val) },
      ],
      { title: "Loss curves", xTitle: "step", yTitle: "loss" },
    );
    const svg = await renderClean(fig);
    assert.equal(markItems(svg, "line"), 2);
    for (const text of ["Loss curves", "step", "loss", "train", "val"]) {
      assert.ok(svg.includes(`>${text}</text>`), `svg lacks text ${text}`);
    }
    assert.match(fig.summary ?? "", /train \(8 points\), val \(8 points\)/);
  });

  it("lines: a single series draws one line and no legend", async () => {
    const svg = await renderClean(lines([{ name: "only", x, y: train }]));
    assert.equal(markItems(svg, "line"), 1);
    assert.ok(!svg.includes("role-legend"));
  });

  it("log axes use scale type log; linear ones do not", () => {
    const logFig = lines([{ name: "a", x: [1, 10, 100], y: [0.1, 0.01, 0.001] }], { logX: true, logY: true });
    const scales = vegaScales(logFig);
    assert.equal(scales.find((s) => s.name === "x")?.type, "log");
    assert.equal(scales.find((s) => s.name === "y")?.type, "log");
    const linear = vegaScales(lines([{ name: "a", x: [1, 2], y: [1, 2] }]));
    assert.equal(linear.find((s) => s.name === "x")?.type, "linear");
    const sc = vegaScales(scatter({ x: [1, 10], y: [2, 3] }, { logX: true }));
    assert.equal(sc.find((s) => s.name === "x")?.type, "log");
    assert.equal(sc.find((s) => s.name === "y")?.type, "linear");
  });

  it("log axis renders decade ticks", async () => {
    const svg = await renderClean(
      lines([{ name: "a", x: [1, 10, 100, 1000], y: [4, 3, 2, 1] }], { logX: true }),
    );
    for (const tick of ["1", "10", "100", "1,000"])
      assert.ok(svg.includes(`>${tick}</text>`), `tick ${tick}`);
  });

  it("rejects bad input with a clear message", () => {
    assert.throws(() => lines([]), /no series/);
    assert.throws(() => lines([{ name: "a", x: [1, 2, 3], y: [1, 2] }]), /x has 3 values but y has 2/);
    assert.throws(() => lines([{ name: "a", x: [], y: [] }]), /series "a" is empty/);
    assert.throws(
      () =>
        lines([
          { name: "a", x: [1, 2], y: [1, 2] },
          { name: "a", x: [1], y: [1] },
        ]),
      /two series are named "a"/,
    );
    assert.throws(
      () => lines([{ name: "a", x: [0, 1], y: [1, 2] }], { logX: true }),
      /x\[0\] = 0.*logarithmic/,
    );
    assert.throws(() => lines([{ name: "a", x: [1, 2], y: [1, -2] }], { logY: true }), /y\[1\] = -2.*> 0/);
    assert.throws(() => scatter({ x: [1, 2], y: [1] }), /x has 2 values but y has 1/);
    assert.throws(() => scatter({ x: [], y: [] }), /no points/);
    assert.throws(() => scatter({ x: [1], y: [0] }, { logY: true }), /logarithmic/);
    assert.throws(() => scatter({ x: [1, 2], y: [1, 2], group: ["a"] }), /group has 1/);
    assert.throws(() => bars({ category: ["a", "b"], value: [1] }), /category has 2 values but value has 1/);
    assert.throws(() => bars({ category: ["a"], value: [0] }, { logY: true }), /logarithmic/);
    assert.throws(() => bars({ category: ["a"], value: [1] }, { logX: true }), /categories/);
    assert.throws(() => heatmap([]), /empty/);
    assert.throws(() => heatmap([[1, 2], [3]]), /row 1 has 1 values but row 0 has 2/);
    assert.throws(() => heatmap([[1, 2]], { xLabels: ["a"] }), /1 xLabels for 2 columns/);
    assert.throws(() => heatmap([[1]], { colorScale: "log" as "sqrt" }), /colorScale must be/);
    assert.throws(() => lines([{ name: "a", x: [1], y: [1] }], { width: -5 }), /width must be a positive/);
    assert.throws(() => layer(), /at least one figure/);
  });

  it("NaN points are left out instead of breaking the chart", async () => {
    const fig = lines([{ name: "diverged", x: [1, 2, 3, 4], y: [2, 1.5, NaN, Infinity] }]);
    const values = (fig.spec as { data: { values: { y: number | null }[] } }).data.values;
    assert.deepEqual(
      values.map((v) => v.y),
      [2, 1.5, null, null],
    );
    await renderClean(fig);
  });

  it("scatter: one symbol per point, groups coloured, labels written", async () => {
    const fig = scatter(
      {
        x: [1, 2, 3, 4, 5],
        y: [5, 3, 4, 1, 2],
        group: ["a", "a", "b", "b", "c"],
        label: ["p", "q", "r", "s", "t"],
      },
      { title: "Embeddings" },
    );
    const svg = await renderClean(fig);
    assert.equal(markItems(svg, "symbol"), 5);
    assert.equal(markItems(svg, "text"), 5);
    assert.ok(svg.includes(">Embeddings</text>"));
    const plain = await renderClean(scatter({ x: [1, 2, 3], y: [3, 1, 2] }));
    assert.equal(markItems(plain, "symbol"), 3);
  });

  it("bars: one rect per bar, grouped bars side by side, categories in the given order", async () => {
    const svg = await renderClean(bars({ category: ["zeta", "alpha", "mid"], value: [3, 1, 2] }));
    assert.equal(markItems(svg, "rect"), 3);
    const order = ["zeta", "alpha", "mid"].map((c) => svg.indexOf(`>${c}</text>`));
    assert.ok(order.every((i) => i > 0) && order[0] < order[1] && order[1] < order[2], `order ${order}`);
    const grouped = await renderClean(
      bars({ category: ["a", "a", "b", "b"], value: [1, 2, 3, 4], group: ["x", "y", "x", "y"] }),
    );
    assert.equal(markItems(grouped, "rect"), 4);
    assert.ok(grouped.includes("role-legend"));
  });

  it("intervals: one whisker and one dot per row, rows in the given order, bad rows rejected", async () => {
    const rows = [
      { label: "zeta", estimate: 2, low: 1, high: 3 },
      { label: "alpha", estimate: 1, low: 0.5, high: 1.2 },
    ];
    const svg = await renderClean(intervals(rows, { xTitle: "rating" }));
    assert.equal(markItems(svg, "rule"), 2);
    assert.equal(markItems(svg, "symbol"), 2);
    assert.ok(svg.indexOf(">zeta</text>") < svg.indexOf(">alpha</text>"));
    assert.throws(() => intervals([]), /no rows/);
    assert.throws(() => intervals([{ label: "x", estimate: 1, low: 2, high: 0 }]), /low 2 > high 0/);
  });

  it("heatmap: rows×cols cells, repeated labels stay separate, values written on request", async () => {
    const m = [
      [1, 0, 0, 0],
      [0.5, 0.5, 0, 0],
      [0.2, 0.3, 0.5, 0],
    ];
    const fig = heatmap(m, { xLabels: ["h", "e", "l", "l"], yLabels: ["h", "e", "l"], title: "Attention" });
    const svg = await renderClean(fig);
    assert.equal(markItems(svg, "rect"), 3 * 4);
    assert.equal((svg.match(/>l<\/text>/g) ?? []).length, 3, "two x 'l' labels and one y 'l' label");
    const withValues = await renderClean(heatmap(m, { showValues: true }));
    assert.equal(markItems(withValues, "rect"), 12);
    assert.equal(markItems(withValues, "text"), 12);
    assert.ok(withValues.includes(">0.50</text>"));
    const counts = heatmap([[0, 1, 4000]], { colorScale: "sqrt" });
    assert.equal(vegaScales(counts).find((s) => s.name === "color")?.type, "sqrt");
    await renderClean(counts);
  });

  it("layer: a fit line over a scatter draws both", async () => {
    const pts = scatter({ x: [1, 2, 3, 4], y: [1.1, 1.9, 3.2, 3.9] }, { title: "Fit", logX: true });
    const fit = lines([{ name: "fit", x: [1, 4], y: [1, 4] }], { logX: true });
    const fig = layer(pts, fit);
    assert.equal((fig.spec as { title: string }).title, "Fit");
    const svg = await renderClean(fig);
    assert.equal(markItems(svg, "symbol"), 4);
    assert.equal(markItems(svg, "line"), 1);
    assert.equal(vegaScales(fig).find((s) => s.name === "x")?.type, "log");
    const labelled = layer(
      scatter({ x: [1, 2], y: [1, 2], label: ["a", "b"] }),
      lines([{ name: "fit", x: [1, 2], y: [1, 2] }]),
    );
    const svg2 = await renderClean(labelled);
    assert.equal(markItems(svg2, "text"), 2);
  });

  it("mimeBundle: Vega-Lite as an object, SVG and text as strings", async () => {
    const fig = bars({ category: ["a", "b"], value: [1, 2] }, { title: "T" });
    const bundle = await mimeBundle(fig);
    assert.deepEqual(Object.keys(bundle).sort(), [VEGALITE_MIME, "image/svg+xml", "text/plain"].sort());
    const spec = bundle[VEGALITE_MIME] as { $schema: string };
    assert.equal(typeof spec, "object");
    assert.match(spec.$schema, /vega-lite\/v5/);
    assert.deepEqual(spec, fig.spec);
    assert.notEqual(spec, fig.spec, "a copy, so later changes to the figure do not alter a sent display");
    assert.equal(typeof bundle["image/svg+xml"], "string");
    assert.match(bundle["image/svg+xml"] as string, /^<svg/);
    assert.equal(bundle["text/plain"], '[bar chart "T": 2 bars]');
  });

  it("compile reports vega-lite warnings instead of hiding them", () => {
    const bad: plot.Figure = {
      spec: {
        $schema: plot.VEGA_LITE_SCHEMA,
        data: { values: [{ a: 1 }] },
        mark: "point",
        encoding: { x: { field: "a", type: "quantitative" }, shape: { field: "a", type: "quantitative" } },
      },
    };
    assert.ok(compile(bad).warnings.length > 0);
  });
});
