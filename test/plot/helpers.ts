/** Test helpers for the plot layer: a fake display sink and small SVG inspections. */
import type { DisplaySink, MimeBundle } from "../../src/plot";

export interface SinkEvent {
  kind: "display" | "update";
  id: string;
  bundle: MimeBundle;
}

/** A display sink that records every display and update instead of sending it to Jupyter. */
export function fakeSink(): DisplaySink & { events: SinkEvent[] } {
  const events: SinkEvent[] = [];
  return {
    events,
    display(bundle, id) {
      events.push({ kind: "display", id, bundle });
    },
    update(bundle, id) {
      events.push({ kind: "update", id, bundle });
    },
  };
}

/** The `<svg width height>` of a rendered chart. */
export function svgSize(svg: string): { width: number; height: number } {
  const m = /^<svg[^>]*\swidth="([\d.]+)"[^>]*\sheight="([\d.]+)"/.exec(svg);
  if (!m) throw new Error(`not an svg document: ${svg.slice(0, 80)}`);
  return { width: Number(m[1]), height: Number(m[2]) };
}

/**
 * The number of drawn items in vega's mark groups of one type (`<g class="mark-line role-mark …">…</g>`): each item
 * is one `<path>` (rect, line, symbol) or `<text>` element directly inside the group.
 */
export function markItems(svg: string, markType: string): number {
  const open = new RegExp(`<g class="mark-${markType} role-mark[^"]*"[^>]*>`, "g");
  let count = 0;
  for (let m = open.exec(svg); m; m = open.exec(svg)) {
    // Mark groups of these types hold flat items, so the group ends at the first closing </g>.
    const body = svg.slice(m.index + m[0].length, svg.indexOf("</g>", m.index));
    count += (body.match(/<(path|text|line)\b/g) ?? []).length;
  }
  return count;
}
