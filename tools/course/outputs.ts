/**
 * Turns a cell's iopub messages into nbformat-4 outputs, the way Jupyter front ends do:
 * `stream`, `display_data`, `execute_result` and `error` append an output; `clear_output` empties the cell
 * (at once, or before the next output with `wait: true`); `update_display_data` replaces the data of every
 * earlier output that was shown with the same `transient.display_id` — in this cell or an earlier one — so
 * the saved notebook holds the final state of a live display (a progress line, a loss curve).
 * `transient` itself is never stored: nbformat has no place for it.
 */
import type { DisplayDataOutput, ExecuteResultOutput, MimeBundle, Output, StreamOutput } from "./notebook";
import { joinText } from "./notebook";

type Displayable = DisplayDataOutput | ExecuteResultOutput;

/** display_id → the outputs (across a whole notebook run) that show it. */
export class DisplayRegistry {
  private readonly byId = new Map<string, Displayable[]>();

  register(displayId: string, out: Displayable): void {
    const list = this.byId.get(displayId) ?? [];
    list.push(out);
    this.byId.set(displayId, list);
  }

  /** Replaces data and metadata of every output showing `displayId`; returns how many were updated. */
  update(displayId: string, data: MimeBundle, metadata: Record<string, unknown>): number {
    const list = this.byId.get(displayId) ?? [];
    for (const out of list) {
      out.data = data;
      out.metadata = metadata;
    }
    return list.length;
  }

  /** Stops tracking outputs that were cleared away. */
  forget(outputs: Output[]): void {
    for (const [id, list] of this.byId) {
      const kept = list.filter((o) => !outputs.includes(o));
      if (kept.length > 0) this.byId.set(id, kept);
      else this.byId.delete(id);
    }
  }
}

interface DisplayContent {
  data?: MimeBundle;
  metadata?: Record<string, unknown>;
  transient?: { display_id?: string };
  execution_count?: number | null;
}

/** Collects the outputs of one cell execution. */
export class CellOutputs {
  readonly outputs: Output[] = [];
  private clearBeforeNext = false;

  constructor(private readonly displays: DisplayRegistry = new DisplayRegistry()) {}

  /** Applies one iopub message (by msg_type and content); types that carry no output are ignored. */
  handle(msgType: string, content: Record<string, unknown>): void {
    switch (msgType) {
      case "stream":
        this.append({
          output_type: "stream",
          name: content.name === "stderr" ? "stderr" : "stdout",
          text: String(content.text ?? ""),
        });
        break;
      case "display_data":
      case "execute_result": {
        const c = content as DisplayContent;
        const out: Displayable =
          msgType === "display_data"
            ? { output_type: "display_data", data: c.data ?? {}, metadata: c.metadata ?? {} }
            : {
                output_type: "execute_result",
                execution_count: c.execution_count ?? null,
                data: c.data ?? {},
                metadata: c.metadata ?? {},
              };
        this.append(out);
        const id = c.transient?.display_id;
        if (id) this.displays.register(id, out);
        break;
      }
      case "update_display_data": {
        const c = content as DisplayContent;
        const id = c.transient?.display_id;
        if (id) this.displays.update(id, c.data ?? {}, c.metadata ?? {});
        break;
      }
      case "error":
        this.append({
          output_type: "error",
          ename: String(content.ename ?? "Error"),
          evalue: String(content.evalue ?? ""),
          traceback: Array.isArray(content.traceback) ? content.traceback.map(String) : [],
        });
        break;
      case "clear_output":
        if (content.wait) this.clearBeforeNext = true;
        else this.clear();
        break;
      default:
        break;
    }
  }

  private clear(): void {
    this.displays.forget(this.outputs);
    this.outputs.length = 0;
    this.clearBeforeNext = false;
  }

  private append(out: Output): void {
    if (this.clearBeforeNext) this.clear();
    this.outputs.push(out);
  }
}

/**
 * Applies carriage returns and backspaces the way a terminal (and JupyterLab) shows them: "50%\r100%\n"
 * → "100%\n". Live progress lines printed with "\r" are then stored as their final state.
 */
export function squashControlChars(text: string): string {
  let s = text;
  while (/[^\n]\x08/.test(s)) s = s.replace(/[^\n]\x08/g, "");
  return s.replace(/[^\n]*\r(?=[^\n])/g, "");
}

/** Merges consecutive streams of the same name and applies "\r"/"\b", as front ends display them. */
export function tidyStreams(outputs: Output[]): Output[] {
  const merged: Output[] = [];
  for (const out of outputs) {
    const last = merged[merged.length - 1];
    if (out.output_type === "stream" && last?.output_type === "stream" && last.name === out.name) {
      (last as StreamOutput).text = joinText(last.text) + joinText(out.text);
    } else {
      merged.push(out.output_type === "stream" ? { ...out, text: joinText(out.text) } : out);
    }
  }
  for (const out of merged) {
    if (out.output_type === "stream") out.text = squashControlChars(joinText(out.text));
  }
  return merged;
}
