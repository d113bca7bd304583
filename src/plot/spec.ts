/**
 * Chart builders: each turns plain arrays into a complete Vega-Lite v5 spec with its data inlined, checking the
 * input first so a mistake is reported in words rather than as an empty chart. Rendering and display live in
 * render.ts and show.ts; nothing here touches vega.
 */

/** Options every chart understands. Sizes are of the plotting area in pixels (axes and legend come on top). */
export interface ChartOptions {
  title?: string;
  xTitle?: string;
  yTitle?: string;
  /** Logarithmic x axis: every x must be > 0. */
  logX?: boolean;
  /** Logarithmic y axis: every y must be > 0. */
  logY?: boolean;
  width?: number;
  height?: number;
}

/** A chart ready to show: a complete Vega-Lite v5 JSON spec, data inlined. */
export interface Figure {
  spec: object;
  /** One line describing the chart, used as `text/plain` (set by the builders; optional for hand-made specs). */
  summary?: string;
}

/** One named line of a line chart; `x` and `y` have the same length. */
export interface LineSeries {
  name: string;
  x: ArrayLike<number>;
  y: ArrayLike<number>;
}

export const VEGA_LITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json";
const DEFAULT_WIDTH = 480;
const DEFAULT_HEIGHT = 300;

type Row = Record<string, string | number | null>;

/** JSON has no NaN or Infinity: such points become null, which Vega-Lite leaves out of the chart. */
function finiteOrNull(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}

function checkNumbers(what: string, values: ArrayLike<number>, log: boolean, axis: string): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== "number") {
      throw new TypeError(`plot: ${what}[${i}] is ${typeof v} (${String(v)}); expected a number.`);
    }
    if (log && Number.isFinite(v) && v <= 0) {
      throw new RangeError(
        `plot: ${what}[${i}] = ${v}, but the ${axis} axis is logarithmic and needs values > 0. ` +
          `Drop or shift the non-positive values, or turn off log${axis.toUpperCase()}.`,
      );
    }
  }
}

function checkSameLength(
  what: string,
  a: ArrayLike<unknown>,
  aName: string,
  b: ArrayLike<unknown>,
  bName: string,
) {
  if (a.length !== b.length) {
    throw new RangeError(
      `plot: ${what}: ${aName} has ${a.length} values but ${bName} has ${b.length}; they must have the same length.`,
    );
  }
}

function checkSize(opts: ChartOptions): void {
  for (const key of ["width", "height"] as const) {
    const v = opts[key];
    if (v !== undefined && !(Number.isFinite(v) && v > 0)) {
      throw new RangeError(`plot: ${key} must be a positive number of pixels, got ${v}.`);
    }
  }
}

function base(opts: ChartOptions): Record<string, unknown> {
  checkSize(opts);
  const spec: Record<string, unknown> = {
    $schema: VEGA_LITE_SCHEMA,
    width: opts.width ?? DEFAULT_WIDTH,
    height: opts.height ?? DEFAULT_HEIGHT,
  };
  if (opts.title) spec.title = opts.title;
  spec.config = { view: { stroke: null }, axis: { grid: true } };
  return spec;
}

function quantAxis(field: string, title: string | undefined, log: boolean | undefined, zero = false) {
  const enc: Record<string, unknown> = { field, type: "quantitative", title: title ?? field };
  // Log scales are not "niced" to whole decades: a loss from 0.2 to 1.05 would get an axis up to 10.
  enc.scale = log ? { type: "log", nice: false } : { zero };
  return enc;
}

function titled(kind: string, opts: ChartOptions): string {
  return opts.title ? `${kind} "${opts.title}"` : kind;
}

/**
 * Line chart with one line per series and a legend naming them (no legend for a single series).
 * Non-finite values (NaN from a diverged run) are left out; on a log axis values must be > 0.
 */
export function lines(series: LineSeries[], opts: ChartOptions = {}): Figure {
  if (!Array.isArray(series) || series.length === 0) {
    throw new RangeError("plot.lines: no series given; pass at least one { name, x, y }.");
  }
  const values: Row[] = [];
  const names = new Set<string>();
  for (const s of series) {
    if (typeof s.name !== "string") throw new TypeError("plot.lines: every series needs a string name.");
    if (names.has(s.name))
      throw new RangeError(`plot.lines: two series are named "${s.name}"; names must differ.`);
    names.add(s.name);
    checkSameLength(`series "${s.name}"`, s.x, "x", s.y, "y");
    if (s.x.length === 0)
      throw new RangeError(`plot.lines: series "${s.name}" is empty; give it at least one point.`);
    checkNumbers(`series "${s.name}" x`, s.x, !!opts.logX, "x");
    checkNumbers(`series "${s.name}" y`, s.y, !!opts.logY, "y");
    for (let i = 0; i < s.x.length; i++) {
      values.push({ series: s.name, x: finiteOrNull(s.x[i]), y: finiteOrNull(s.y[i]) });
    }
  }
  const spec = base(opts);
  const encoding: Record<string, unknown> = {
    x: quantAxis("x", opts.xTitle, opts.logX),
    y: quantAxis("y", opts.yTitle, opts.logY),
  };
  if (series.length > 1) {
    encoding.color = { field: "series", type: "nominal", title: null, sort: series.map((s) => s.name) };
  }
  Object.assign(spec, {
    data: { values },
    mark: { type: "line", point: series.every((s) => s.x.length === 1) },
    encoding,
  });
  const parts = series.map((s) => `${s.name} (${s.x.length} points)`).join(", ");
  return { spec, summary: `[${titled("line chart", opts)}: ${parts}]` };
}

/**
 * Scatter plot; `group` colours the points (with a legend), `label` writes a text next to each point and puts it in
 * the tooltip (e.g. the word of an embedding).
 */
export function scatter(
  points: { x: ArrayLike<number>; y: ArrayLike<number>; group?: string[]; label?: string[] },
  opts: ChartOptions = {},
): Figure {
  const { x, y, group, label } = points;
  checkSameLength("plot.scatter", x, "x", y, "y");
  if (group) checkSameLength("plot.scatter", x, "x", group, "group");
  if (label) checkSameLength("plot.scatter", x, "x", label, "label");
  if (x.length === 0) throw new RangeError("plot.scatter: no points given; x and y are empty.");
  checkNumbers("scatter x", x, !!opts.logX, "x");
  checkNumbers("scatter y", y, !!opts.logY, "y");
  const values: Row[] = [];
  for (let i = 0; i < x.length; i++) {
    const row: Row = { x: finiteOrNull(x[i]), y: finiteOrNull(y[i]) };
    if (group) row.group = String(group[i]);
    if (label) row.label = String(label[i]);
    values.push(row);
  }
  const spec = base(opts);
  const encoding: Record<string, unknown> = {
    x: quantAxis("x", opts.xTitle, opts.logX),
    y: quantAxis("y", opts.yTitle, opts.logY),
  };
  if (group) encoding.color = { field: "group", type: "nominal", title: null };
  const tooltip = [
    { field: "x", type: "quantitative" },
    { field: "y", type: "quantitative" },
  ] as object[];
  if (group) tooltip.push({ field: "group", type: "nominal" });
  if (label) tooltip.push({ field: "label", type: "nominal" });
  const pointLayer = { mark: { type: "point", filled: true, size: 40 }, encoding: { tooltip } };
  spec.data = { values };
  if (label) {
    spec.encoding = encoding;
    spec.layer = [
      pointLayer,
      { mark: { type: "text", align: "left", dx: 5, fontSize: 10 }, encoding: { text: { field: "label" } } },
    ];
  } else {
    Object.assign(spec, { mark: pointLayer.mark, encoding: { ...encoding, tooltip } });
  }
  const groups = group ? `, ${new Set(group).size} groups` : "";
  return { spec, summary: `[${titled("scatter plot", opts)}: ${x.length} points${groups}]` };
}

/**
 * Bar chart in the order the categories are given; with `group`, bars of the same category stand side by side,
 * coloured by group.
 */
export function bars(
  data: { category: string[]; value: ArrayLike<number>; group?: string[] },
  opts: ChartOptions = {},
): Figure {
  const { category, value, group } = data;
  checkSameLength("plot.bars", category, "category", value, "value");
  if (group) checkSameLength("plot.bars", category, "category", group, "group");
  if (category.length === 0) throw new RangeError("plot.bars: no bars given; category and value are empty.");
  if (opts.logX)
    throw new RangeError("plot.bars: the x axis holds categories and cannot be logarithmic; use logY.");
  checkNumbers("bars value", value, !!opts.logY, "y");
  const values: Row[] = [];
  for (let i = 0; i < category.length; i++) {
    const row: Row = { category: String(category[i]), value: finiteOrNull(value[i]) };
    if (group) row.group = String(group[i]);
    values.push(row);
  }
  const order = [...new Set(category.map(String))];
  const spec = base(opts);
  const encoding: Record<string, unknown> = {
    x: {
      field: "category",
      type: "nominal",
      sort: order,
      title: opts.xTitle ?? null,
      axis: { labelAngle: 0 },
    },
    y: quantAxis("value", opts.yTitle, opts.logY, true),
    tooltip: [{ field: "category" }, { field: "value", type: "quantitative" }],
  };
  if (order.some((c) => c.length > 6) && order.length > 4) {
    (encoding.x as Record<string, unknown>).axis = { labelAngle: -45 };
  }
  if (group) {
    const groups = [...new Set(group.map(String))];
    encoding.color = { field: "group", type: "nominal", title: null, sort: groups };
    encoding.xOffset = { field: "group", type: "nominal", sort: groups };
  }
  Object.assign(spec, { data: { values }, mark: { type: "bar" }, encoding });
  return { spec, summary: `[${titled("bar chart", opts)}: ${category.length} bars]` };
}

/**
 * Dot-and-whisker chart: one row per label (top to bottom in the order given), a dot at `estimate` and a line
 * from `low` to `high` — a leaderboard with confidence intervals. `xTitle` names the value axis.
 */
export function intervals(
  rows: { label: string; estimate: number; low: number; high: number }[],
  opts: ChartOptions = {},
): Figure {
  if (rows.length === 0) throw new RangeError("plot.intervals: no rows given.");
  if (opts.logY)
    throw new RangeError("plot.intervals: the y axis holds labels and cannot be logarithmic; use logX.");
  rows.forEach((r, i) => {
    for (const k of ["estimate", "low", "high"] as const) {
      if (typeof r[k] !== "number") throw new TypeError(`plot.intervals: rows[${i}].${k} is not a number.`);
    }
    if (r.low > r.high) throw new RangeError(`plot.intervals: rows[${i}] has low ${r.low} > high ${r.high}.`);
  });
  const values: Row[] = rows.map((r) => ({
    label: String(r.label),
    estimate: finiteOrNull(r.estimate),
    low: finiteOrNull(r.low),
    high: finiteOrNull(r.high),
  }));
  const order = rows.map((r) => String(r.label));
  const spec = base({ ...opts, height: opts.height ?? Math.max(120, 16 * rows.length) });
  const y = { field: "label", type: "nominal", sort: order, title: opts.yTitle ?? null };
  const x = quantAxis("low", opts.xTitle ?? "value", opts.logX);
  Object.assign(spec, {
    data: { values },
    layer: [
      { mark: { type: "rule" }, encoding: { y, x, x2: { field: "high" } } },
      {
        mark: { type: "point", filled: true, size: 40 },
        encoding: {
          y,
          x: { ...x, field: "estimate" },
          tooltip: [{ field: "label" }, { field: "estimate" }, { field: "low" }, { field: "high" }],
        },
      },
    ],
  });
  return { spec, summary: `[${titled("interval chart", opts)}: ${rows.length} rows]` };
}

/**
 * Heatmap of a matrix `values[row][col]` (e.g. attention weights `[query, key]`): row 0 at the top. Labels may
 * repeat (the same token twice); `showValues` writes each value in its cell.
 */
export function heatmap(
  values: number[][],
  opts: ChartOptions & {
    xLabels?: string[];
    yLabels?: string[];
    showValues?: boolean;
    /** Decimal places of the written values (default 2). */
    digits?: number;
    /** How values map to colour: "linear" (default), or "sqrt" / "symlog" to see small counts next to big ones. */
    colorScale?: "linear" | "sqrt" | "symlog";
  } = {},
): Figure {
  if (!Array.isArray(values) || values.length === 0 || !Array.isArray(values[0]) || values[0].length === 0) {
    throw new RangeError("plot.heatmap: the matrix is empty; pass rows of numbers, values[row][col].");
  }
  if (opts.logX || opts.logY) {
    throw new RangeError("plot.heatmap: rows and columns are categories and cannot be logarithmic.");
  }
  const rows = values.length;
  const cols = values[0].length;
  values.forEach((r, i) => {
    if (!Array.isArray(r) || r.length !== cols) {
      throw new RangeError(
        `plot.heatmap: row ${i} has ${Array.isArray(r) ? r.length : "no"} values but row 0 has ${cols}; ` +
          "the matrix must be rectangular.",
      );
    }
    checkNumbers(`heatmap row ${i}`, r, false, "");
  });
  const xLabels = opts.xLabels ?? Array.from({ length: cols }, (_, j) => String(j));
  const yLabels = opts.yLabels ?? Array.from({ length: rows }, (_, i) => String(i));
  if (xLabels.length !== cols) {
    throw new RangeError(`plot.heatmap: ${xLabels.length} xLabels for ${cols} columns; give one per column.`);
  }
  if (yLabels.length !== rows) {
    throw new RangeError(`plot.heatmap: ${yLabels.length} yLabels for ${rows} rows; give one per row.`);
  }
  const data: Row[] = [];
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const v = values[i][j];
      if (Number.isFinite(v)) {
        min = Math.min(min, v);
        max = Math.max(max, v);
      }
      data.push({ row: i, col: j, rowLabel: yLabels[i], colLabel: xLabels[j], value: finiteOrNull(v) });
    }
  }
  // Fields hold the indices so repeated labels stay separate cells; the axes show the labels.
  const labelExpr = (labels: string[]) => `${JSON.stringify(labels)}[datum.value]`;
  const cell = Math.max(4, Math.min(48, Math.floor(480 / Math.max(rows, cols))));
  const spec = base({ ...opts, width: opts.width ?? cell * cols, height: opts.height ?? cell * rows });
  const digits = opts.digits ?? 2;
  const colorScale = opts.colorScale ?? "linear";
  if (!["linear", "sqrt", "symlog"].includes(colorScale)) {
    throw new RangeError(
      `plot.heatmap: colorScale must be "linear", "sqrt" or "symlog", got "${colorScale}".`,
    );
  }
  const encoding = {
    x: {
      field: "col",
      type: "ordinal",
      title: opts.xTitle ?? null,
      axis: {
        labelExpr: labelExpr(xLabels),
        labelAngle: xLabels.some((l) => l.length > 2) ? -45 : 0,
        grid: false,
        ticks: false,
        domain: false,
      },
    },
    y: {
      field: "row",
      type: "ordinal",
      title: opts.yTitle ?? null,
      axis: { labelExpr: labelExpr(yLabels), grid: false, ticks: false, domain: false },
    },
  };
  const rect = {
    mark: { type: "rect" },
    encoding: {
      color: {
        field: "value",
        type: "quantitative",
        title: null,
        scale: { scheme: "viridis", ...(colorScale === "linear" ? {} : { type: colorScale }) },
      },
      tooltip: [
        { field: "rowLabel", title: "row" },
        { field: "colLabel", title: "column" },
        { field: "value", type: "quantitative", format: `.${digits + 2}~g` },
      ],
    },
  };
  Object.assign(spec, { data: { values: data }, encoding });
  const mid = Number.isFinite(min) ? (min + max) / 2 : 0;
  if (opts.showValues) {
    spec.layer = [
      rect,
      {
        mark: { type: "text", fontSize: 9 },
        encoding: {
          text: { field: "value", type: "quantitative", format: `.${digits}f` },
          color: { condition: { test: `datum.value < ${mid}`, value: "white" }, value: "black" },
        },
      },
    ];
  } else {
    Object.assign(spec, rect, { encoding: { ...encoding, ...rect.encoding } });
  }
  return { spec, summary: `[${titled("heatmap", opts)}: ${rows}×${cols}, values ${min}…${max}]` };
}

const TOP_LEVEL = ["$schema", "width", "height", "title", "config"] as const;

/**
 * Overlay charts on shared axes, e.g. a fitted line over a scatter plot: `layer(scatter(…), lines([fit]))`.
 * Size, title and config come from the first figure that has them; each layer keeps its own data.
 */
export function layer(...figs: Figure[]): Figure {
  if (figs.length === 0) throw new RangeError("plot.layer: give at least one figure to overlay.");
  const out: Record<string, unknown> = { $schema: VEGA_LITE_SCHEMA };
  const layers: object[] = [];
  for (const [k, fig] of figs.entries()) {
    const spec = { ...(fig.spec as Record<string, unknown>) };
    for (const key of ["hconcat", "vconcat", "concat", "facet", "repeat"]) {
      if (key in spec)
        throw new RangeError(`plot.layer: figure ${k} is a ${key} chart; only single charts overlay.`);
    }
    for (const key of TOP_LEVEL) {
      if (key in spec && out[key] === undefined) out[key] = spec[key];
      delete spec[key];
    }
    if (Array.isArray(spec.layer) && spec.data === undefined && spec.encoding === undefined) {
      layers.push(...(spec.layer as object[]));
    } else {
      layers.push(spec);
    }
  }
  out.layer = layers;
  const summary = `[overlay of ${figs.map((f) => f.summary ?? "a chart").join(" + ")}]`;
  return { spec: out, summary };
}
