/**
 * Plotly figures, for the few places where 3-D or rich interaction is the point (Vega-Lite covers the rest).
 * The output is HTML + JavaScript, so it NEEDS A LIVE FRONT END (JupyterLab or the Notebook, with the notebook
 * trusted): static views (nbviewer, GitHub, the SVG-only checks) show only the text fallback.
 *
 * plotly.js comes from the installed `plotly.js-dist` package, never from the network: the first Plotly output in
 * a kernel carries the whole library in a <script> (minified once with esbuild when it is installed, cached in the
 * temp directory); later outputs only draw and wait for it if it is still loading.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { randomBytes } from "node:crypto";
import { currentSink, newDisplayId } from "./sink";

let loaded = false;

/** Forget that plotly.js was sent (e.g. the tests, or a notebook whose first Plotly output was cleared). */
export function resetPlotlyLoader(): void {
  loaded = false;
}

/** The plotly.js source to inline: minified and cached when esbuild is available, else the full bundle. */
export function plotlySource(): string {
  const file = require.resolve("plotly.js-dist");
  const version = (
    JSON.parse(fs.readFileSync(path.join(path.dirname(file), "package.json"), "utf8")) as {
      version: string;
    }
  ).version;
  const cached = path.join(os.tmpdir(), `llm-ts-plotly-${version}.min.js`);
  if (fs.existsSync(cached)) return fs.readFileSync(cached, "utf8");
  const full = fs.readFileSync(file, "utf8");
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const esbuild = require("esbuild") as { transformSync(s: string, o: object): { code: string } };
    const header = full.slice(0, full.indexOf("*/") + 2);
    const code = `${header}\n${esbuild.transformSync(full, { minify: true, legalComments: "none", loader: "js" }).code}`;
    const tmp = `${cached}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, code);
    fs.renameSync(tmp, cached);
    return code;
  } catch {
    return full;
  }
}

/** `</script>` inside inlined code would end the script element early. */
function scriptSafe(js: string): string {
  return js.replace(/<\/script/gi, "<\\/script");
}

/** The HTML of one Plotly figure; `withLibrary` prepends the plotly.js loader. */
export function plotlyHtml(
  figure: { data: object[]; layout?: object },
  opts: { height?: number; withLibrary?: boolean } = {},
): string {
  if (!figure || !Array.isArray(figure.data) || figure.data.length === 0) {
    throw new RangeError("plot.plotly: figure.data must be a non-empty array of traces.");
  }
  const height = opts.height ?? 450;
  const id = `llm-ts-plotly-${randomBytes(6).toString("hex")}`;
  const json = scriptSafe(JSON.stringify({ data: figure.data, layout: figure.layout ?? {} }));
  const library = opts.withLibrary
    ? `<script type="text/javascript">${scriptSafe(plotlySource())}\n;` +
      `(window.__llmTsPlotlyQueue || []).forEach(function (f) { f(); }); window.__llmTsPlotlyQueue = [];</script>`
    : "";
  const draw =
    `<div id="${id}" style="width:100%;height:${height}px"></div>` +
    `<script type="text/javascript">(function () { var fig = ${json};` +
    ` function draw() { window.Plotly.newPlot("${id}", fig.data, fig.layout, { responsive: true }); }` +
    ` if (window.Plotly) draw(); else (window.__llmTsPlotlyQueue = window.__llmTsPlotlyQueue || []).push(draw); })();</script>`;
  return library + draw;
}

/**
 * Show a Plotly figure `{ data, layout }` as HTML (needs a live, trusted front end; static views show the text).
 * The first call in a kernel also carries plotly.js itself (a few MB in the saved notebook).
 */
export function plotly(figure: { data: object[]; layout?: object }, opts: { height?: number } = {}): void {
  const sink = currentSink();
  const traces = Array.isArray(figure?.data) ? figure.data.length : 0;
  const text = `[Plotly figure: ${traces} trace(s); interactive, needs a live notebook front end]`;
  if (!sink) {
    plotlyHtml(figure, opts); // validates the figure
    console.log(text);
    return;
  }
  const html = plotlyHtml(figure, { ...opts, withLibrary: !loaded });
  sink.display({ "text/html": html, "text/plain": text }, newDisplayId());
  loaded = true;
}
