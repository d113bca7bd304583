/**
 * Vega-Lite → Vega → SVG, headless in Node (vega 5 + vega-lite 5, both CommonJS), and the Jupyter mime bundle
 * built from it: the interactive spec as a JSON object, the static SVG, and a one-line text.
 */
import * as vega from "vega";
import * as vl from "vega-lite";
import type { Figure } from "./spec";
import type { MimeBundle } from "./sink";

/** Mime type JupyterLab renders natively for Vega-Lite 5 specs (value: the spec as a JSON object). */
export const VEGALITE_MIME = "application/vnd.vegalite.v5+json";

/** Compiler messages collected while compiling one spec. */
export interface CompileReport {
  vega: object;
  warnings: string[];
}

/**
 * Compile a figure's Vega-Lite spec to Vega. Errors throw; warnings (e.g. a field that does not exist) are
 * returned so callers and tests can insist there are none.
 */
export function compile(fig: Figure): CompileReport {
  const warnings: string[] = [];
  const logger = {
    level(): number {
      return vega.Warn;
    },
    error(...args: readonly unknown[]) {
      throw new Error(`plot: vega-lite could not compile the spec: ${args.map(String).join(" ")}`);
    },
    warn(...args: readonly unknown[]) {
      warnings.push(args.map(String).join(" "));
      return logger;
    },
    info() {
      return logger;
    },
    debug() {
      return logger;
    },
  };
  // A copy: vega tags the inlined data rows with ids, and the caller's figure must stay as it was.
  const spec = JSON.parse(JSON.stringify(fig.spec)) as vl.TopLevelSpec;
  const out = vl.compile(spec, { logger: logger as unknown as vega.LoggerInterface });
  return { vega: out.spec, warnings };
}

/** Render a figure to an SVG document string with vega's headless renderer (no browser, no canvas). */
export async function toSvg(fig: Figure): Promise<string> {
  const { vega: spec } = compile(fig);
  const view = new vega.View(vega.parse(spec as vega.Spec), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** The text/plain of a figure: its summary, or the title of a hand-made spec. */
export function describe(fig: Figure): string {
  if (fig.summary) return fig.summary;
  const title = (fig.spec as { title?: unknown }).title;
  return typeof title === "string" ? `[chart "${title}"]` : "[chart]";
}

/**
 * The Jupyter mime bundle of a figure: Vega-Lite spec as an object (JupyterLab, interactive), SVG (classic
 * Notebook, nbviewer, HTML export) and text/plain (consoles).
 */
export async function mimeBundle(fig: Figure): Promise<MimeBundle> {
  const svg = await toSvg(fig);
  return {
    [VEGALITE_MIME]: JSON.parse(JSON.stringify(fig.spec)) as object,
    "image/svg+xml": svg,
    "text/plain": describe(fig),
  };
}
