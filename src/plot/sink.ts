/**
 * Where displays go. Inside a tslab kernel they become Jupyter `display_data` / `update_display_data`
 * messages carrying a whole mime bundle; in a plain script there is no sink and callers print text instead.
 * Tests install a fake sink with {@link setDisplaySink} to count what would be sent.
 *
 * This is the ONE module that reaches into tslab's internals, and why: tslab's public `display.raw(type, value)`
 * sends a single mime type whose value is a string, but a plot must go out as one bundle holding the Vega-Lite
 * spec as a JSON object (JupyterLab's renderer wants an object) next to a static SVG and text/plain. tslab keeps
 * the function that writes a display message of the running cell in `tslab/dist/jupyter.js`
 * (`lastWriteDisplayData(content, update)`); its public `newDisplay()` uses it the same way. We call it with a
 * full bundle and a `transient.display_id`, and `update = true` for `update_display_data`.
 */
import { randomBytes } from "node:crypto";

/** A Jupyter mime bundle: mime type → value (JSON types as objects, text types as strings). */
export type MimeBundle = Record<string, unknown>;

/** Receives displays. `display` creates a new output; `update` replaces the output created with that id. */
export interface DisplaySink {
  display(bundle: MimeBundle, displayId: string): void;
  update(bundle: MimeBundle, displayId: string): void;
}

export type WriteDisplayData = (
  content: { data: MimeBundle; metadata: object; transient: { display_id: string } },
  update: boolean,
) => void;

interface TslabJupyterModule {
  lastWriteDisplayData: WriteDisplayData | null;
}

let injected: DisplaySink | null | undefined;

/**
 * Replace the sink (tests, or a custom front end). `null` forces plain-script behaviour (text to the
 * console); `undefined` restores automatic detection of a tslab kernel.
 */
export function setDisplaySink(sink: DisplaySink | null | undefined): void {
  injected = sink;
}

/** True inside a tslab kernel: tslab's executor defines `globalThis.__tslab__` for the code it runs. */
export function inTslab(): boolean {
  return (globalThis as Record<string, unknown>).__tslab__ !== undefined && findTslabJupyter() !== null;
}

/**
 * The kernel's own `tslab/dist/jupyter.js` module instance. It is looked up in the module cache rather than
 * `require`d, because the running kernel may be a different copy of tslab than the one next to this library.
 * When several copies are loaded, the one whose write function is set (it executed a cell) wins.
 */
function findTslabJupyter(): TslabJupyterModule | null {
  let found: TslabJupyterModule | null = null;
  for (const [file, mod] of Object.entries(require.cache)) {
    if (!mod || !/[\\/]tslab[\\/]dist[\\/]jupyter\.js$/.test(file)) continue;
    const exp = mod.exports as Partial<TslabJupyterModule> | undefined;
    if (!exp || !("lastWriteDisplayData" in exp)) continue;
    found = exp as TslabJupyterModule;
    if (exp.lastWriteDisplayData) return found;
  }
  return found;
}

const tslabSink: DisplaySink = {
  display(bundle, displayId) {
    send(bundle, displayId, false);
  },
  update(bundle, displayId) {
    send(bundle, displayId, true);
  },
};

function send(data: MimeBundle, displayId: string, update: boolean): void {
  const write = findTslabJupyter()?.lastWriteDisplayData;
  if (!write) throw new Error("plot: the tslab kernel is not ready to display (no cell is executing).");
  sendDisplay(write, data, displayId, update);
}

/** A display waiting for the socket: the latest bundle for its id, and the cell's write function. */
interface PendingDisplay {
  write: WriteDisplayData;
  data: MimeBundle;
  /** False while the display itself has not gone out yet (later updates must then create it). */
  update: boolean;
}

const pending = new Map<string, PendingDisplay>();
let retryTimer: ReturnType<typeof setTimeout> | null = null;

/** zeromq 6 (tslab's) throws EBUSY when a send starts while the socket's previous send is still in flight. */
function isBusy(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === "EBUSY";
}

function trySend(displayId: string, p: PendingDisplay): boolean {
  try {
    p.write({ data: p.data, metadata: {}, transient: { display_id: displayId } }, p.update);
    return true;
  } catch (err) {
    if (isBusy(err)) return false;
    throw err;
  }
}

function scheduleRetry(attempt: number): void {
  if (retryTimer) return;
  retryTimer = setTimeout(
    () => {
      retryTimer = null;
      for (const [id, p] of [...pending]) if (trySend(id, p)) pending.delete(id);
      if (pending.size === 0) return;
      if (attempt < 200) scheduleRetry(attempt + 1);
      else {
        console.error(`plot: the kernel's socket stayed busy; ${pending.size} display(s) not shown`);
        pending.clear();
      }
    },
    Math.min(50, 2 * attempt),
  );
}

/**
 * Sends a display through a cell's `write`, tolerating a busy socket: a send that fails with EBUSY (a live chart
 * redrawing while the kernel is still writing the previous message) is kept and retried shortly after, and a
 * newer bundle for the same display id replaces a waiting one, so the latest frame always arrives and an old one
 * never overwrites it. Other errors are thrown. Exported for tests.
 */
export function sendDisplay(
  write: WriteDisplayData,
  data: MimeBundle,
  displayId: string,
  update: boolean,
): void {
  const waiting = pending.get(displayId);
  const entry: PendingDisplay = { write, data, update: waiting ? waiting.update && update : update };
  pending.delete(displayId);
  if (trySend(displayId, entry)) return;
  pending.set(displayId, entry);
  scheduleRetry(1);
}

/** How many displays wait for a busy socket (tests). */
export function pendingDisplays(): number {
  return pending.size;
}

/** The active sink, or null in a plain script. */
export function currentSink(): DisplaySink | null {
  if (injected !== undefined) return injected;
  return inTslab() ? tslabSink : null;
}

/** A fresh display id (16 hex digits, like tslab's own). */
export function newDisplayId(): string {
  return randomBytes(8).toString("hex");
}
