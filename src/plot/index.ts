/**
 * Plots, tables and live displays for notebooks (tslab) and scripts. Charts are Vega-Lite v5 specs built from
 * plain arrays; each display is one Jupyter mime bundle: the spec as a JSON object (JupyterLab draws it, interactive),
 * a static SVG rendered in Node (classic Notebook, nbviewer, HTML export) and text/plain. Outside a tslab kernel the
 * same calls print one line of text.
 *
 * ```ts
 * await plot.show(plot.lines([{ name: "train", x: steps, y: losses }], { title: "loss", logY: true }));
 * ```
 */
export { lines, scatter, bars, heatmap, intervals, layer, VEGA_LITE_SCHEMA } from "./spec";
export type { ChartOptions, Figure, LineSeries } from "./spec";
export { toSvg, mimeBundle, compile, describe, VEGALITE_MIME } from "./render";
export type { CompileReport } from "./render";
export { show, table, tableBundle } from "./show";
export type { TableOptions } from "./show";
export { live, progress, nextFrame, progressLine } from "./live";
export type { LiveChart, LiveOptions, Progress } from "./live";
export { plotly, plotlyHtml, resetPlotlyLoader } from "./plotly";
export { setDisplaySink, inTslab } from "./sink";
export type { DisplaySink, MimeBundle } from "./sink";
