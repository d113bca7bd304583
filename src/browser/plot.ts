/** The browser's `plot` namespace: the chart specs and their SVG (vega renders headless in a page too). */
export * from "../plot/spec";
export { compile, describe, toSvg } from "../plot/render";
