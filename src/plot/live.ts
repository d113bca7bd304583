/**
 * Displays that change while code runs: a live line chart (loss curves) and a progress line. Each is ONE output
 * updated in place (`display_data` once, then `update_display_data` with the same display id). Updates are only
 * sent when the event loop runs, so long loops must be async and `await nextFrame()` now and then.
 */
import { describe, mimeBundle } from "./render";
import { currentSink, newDisplayId, type DisplaySink } from "./sink";
import { lines, type ChartOptions, type Figure } from "./spec";

/**
 * Yield to the event loop (one `setImmediate`), so pending display updates, timers and I/O go out while a loop
 * runs. Cheap enough to await every step.
 */
export function nextFrame(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** A line chart that grows while a loop runs and redraws itself in place. */
export interface LiveChart {
  /** Add one point to a series (created on first use); redraws if the last redraw is old enough. */
  append(series: string, x: number, y: number): void;
  /** Wait for any redraw in flight and draw what is new now. */
  flush(): Promise<void>;
  /** Final draw; later appends are errors. Outside tslab prints a one-line summary. */
  close(): Promise<void>;
  /** The chart as it stands, e.g. to `show` it again or save its spec. */
  figure(): Figure;
}

/** Options of {@link live}: chart options plus `every`, the least milliseconds between redraws (default 500). */
export type LiveOptions = ChartOptions & { every?: number };

class LiveChartImpl implements LiveChart {
  private readonly data = new Map<string, { x: number[]; y: number[] }>();
  private readonly id = newDisplayId();
  private readonly sink: DisplaySink | null = currentSink();
  private readonly every: number;
  private shown = false;
  private closed = false;
  private dirty = false;
  private lastDraw = -Infinity;
  private lastCost = 0;
  private chain: Promise<void> = Promise.resolve();
  private inFlight = false;
  private failure: unknown = null;

  constructor(private readonly opts: LiveOptions) {
    this.every = opts.every ?? 500;
    if (!(this.every >= 0)) throw new RangeError(`plot.live: every must be ≥ 0 ms, got ${opts.every}.`);
  }

  append(series: string, x: number, y: number): void {
    if (this.closed) throw new Error("plot.live: the chart is closed; create a new one with plot.live().");
    if (typeof x !== "number" || typeof y !== "number") {
      throw new TypeError(
        `plot.live: append("${series}", x, y) needs numbers, got ${typeof x} and ${typeof y}.`,
      );
    }
    if ((this.opts.logX && x <= 0) || (this.opts.logY && y <= 0)) {
      throw new RangeError(`plot.live: point (${x}, ${y}) of "${series}" is not > 0 on a logarithmic axis.`);
    }
    let s = this.data.get(series);
    if (!s) this.data.set(series, (s = { x: [], y: [] }));
    s.x.push(x);
    s.y.push(y);
    this.dirty = true;
    // Redraw when the last one is old enough, never more often than 3× its own cost (rendering is not free).
    if (
      this.sink &&
      !this.inFlight &&
      Date.now() - this.lastDraw >= Math.max(this.every, 3 * this.lastCost)
    ) {
      this.schedule();
    }
  }

  figure(): Figure {
    const series = [...this.data].map(([name, s]) => ({ name, x: s.x, y: s.y }));
    const { every: _every, ...chart } = this.opts;
    return lines(series, chart);
  }

  private schedule(): Promise<void> {
    this.inFlight = true;
    this.chain = this.chain.then(() => this.draw()).finally(() => (this.inFlight = false));
    return this.chain;
  }

  private async draw(): Promise<void> {
    if (!this.dirty || !this.sink || this.data.size === 0) return;
    this.dirty = false;
    const start = Date.now();
    try {
      const bundle = await mimeBundle(this.figure());
      if (this.shown) this.sink.update(bundle, this.id);
      else this.sink.display(bundle, this.id);
      this.shown = true;
    } catch (err) {
      this.failure ??= err;
    }
    this.lastDraw = Date.now();
    this.lastCost = this.lastDraw - start;
  }

  async flush(): Promise<void> {
    await this.schedule();
    if (this.failure) throw this.failure;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.flush();
    this.closed = true;
    if (!this.sink && this.data.size > 0) {
      const last = [...this.data].map(([n, s]) => `${n} ${s.x.length} points, last y ${s.y[s.y.length - 1]}`);
      console.log(`${describe(this.figure()).replace(/\]$/, "")}; ${last.join("; ")}]`);
    }
  }
}

/**
 * A live line chart, e.g. the loss curve of a training loop:
 * `const chart = plot.live({ title: "loss", logY: true }); … chart.append("train", step, loss); await
 * plot.nextFrame(); … await chart.close();`
 */
export function live(opts: LiveOptions = {}): LiveChart {
  return new LiveChartImpl(opts);
}

/** A progress line updated in place. */
export interface Progress {
  /** Report `done` of `total` units finished, with an optional note (e.g. `loss 2.31`). */
  tick(done: number, extra?: string): void;
  /** Shows the last state if it is not on screen yet (throttled ticks) and ends the line; idempotent. */
  close(): void;
}

function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return "?";
  if (s < 60) return `${s.toFixed(1)}s`;
  const m = Math.floor(s / 60);
  return m < 60
    ? `${m}m${String(Math.round(s - 60 * m)).padStart(2, "0")}s`
    : `${Math.floor(m / 60)}h${m % 60}m`;
}

/** The text of a progress line (exported for tests). */
export function progressLine(
  label: string,
  done: number,
  total: number,
  seconds: number,
  extra?: string,
): string {
  const frac = total > 0 ? Math.min(1, Math.max(0, done / total)) : 0;
  const width = 24;
  const full = Math.round(frac * width);
  const bar = "█".repeat(full) + "░".repeat(width - full);
  const eta = done > 0 && done < total ? `, eta ${formatSeconds((seconds * (total - done)) / done)}` : "";
  const pct = `${Math.floor(frac * 100)}%`.padStart(4);
  return `${label} ${bar} ${done}/${total} ${pct} ${formatSeconds(seconds)}${eta}${extra ? `  ${extra}` : ""}`;
}

class ProgressImpl implements Progress {
  private readonly id = newDisplayId();
  private readonly sink: DisplaySink | null = currentSink();
  private readonly start = Date.now();
  private readonly tty = !!process.stderr.isTTY;
  private shown = false;
  private closed = false;
  private lastSent = -Infinity;
  private line = "";
  private sentLine = "";

  constructor(
    private readonly label: string,
    private readonly total: number,
    private readonly every: number,
  ) {
    if (!(Number.isFinite(total) && total >= 0)) {
      throw new RangeError(`plot.progress: total must be a finite number ≥ 0, got ${total}.`);
    }
  }

  tick(done: number, extra?: string): void {
    if (this.closed) throw new Error(`plot.progress("${this.label}"): closed; create a new one to go on.`);
    this.line = progressLine(this.label, done, this.total, (Date.now() - this.start) / 1000, extra);
    const now = Date.now();
    if (!this.shown || done >= this.total || now - this.lastSent >= this.every) this.send(false);
  }

  private send(final: boolean): void {
    this.lastSent = Date.now();
    if (this.sink) {
      const bundle = { "text/plain": this.line };
      if (this.shown) this.sink.update(bundle, this.id);
      else this.sink.display(bundle, this.id);
    } else if (this.tty) {
      process.stderr.write(`\r${this.line}\x1b[K${final ? "\n" : ""}`);
    } else if (final) {
      process.stderr.write(`${this.line}\n`);
    }
    this.shown = true;
    this.sentLine = this.line;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (!this.line) this.line = progressLine(this.label, 0, this.total, (Date.now() - this.start) / 1000);
    // In a notebook the last line may already be on screen; a terminal or log still needs its line ended.
    if (this.sink && this.shown && this.sentLine === this.line) return;
    this.send(true);
  }
}

/**
 * A progress line (`label ████░░░░ 40/100 40% 1.2s, eta 1.8s  loss 2.31`): inside tslab one output updated in
 * place at most every `every` ms (default 200); in a terminal a stderr line rewritten with `\r`; otherwise (a
 * log file) one stderr line at close.
 */
export function progress(label: string, total: number, opts: { every?: number } = {}): Progress {
  return new ProgressImpl(label, total, opts.every ?? 200);
}
