/**
 * A minimal Chrome DevTools Protocol client over `--remote-debugging-pipe` (fd 3: commands to the browser, fd 4:
 * replies and events, each a JSON message ended by a NUL byte). A pipe needs no WebSocket (Node 20 has none
 * without a flag) and no npm package; Debian's chromium speaks it.
 */
import { spawn, type ChildProcess } from "node:child_process";
import type { Readable, Writable } from "node:stream";

interface Pending {
  resolve(v: unknown): void;
  reject(e: Error): void;
  method: string;
}

export interface CdpMessage {
  id?: number;
  method?: string;
  params?: Record<string, unknown>;
  sessionId?: string;
  result?: unknown;
  error?: { message: string; data?: string };
}

export interface BrowserOptions {
  executable: string;
  userDataDir: string;
  width?: number;
  height?: number;
  /**
   * Offer WebGPU to pages (`--enable-unsafe-webgpu`, and no `--disable-gpu`): without a GPU, Chromium's adapter
   * is SwiftShader on the CPU (`npm run check:webgpu`).
   */
  webgpu?: boolean;
}

/** A headless Chromium driven over a pipe. Always call `close()` (also kills the process group). */
export class Browser {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners: ((m: CdpMessage) => void)[] = [];
  private buffer = Buffer.alloc(0);
  private stderr = "";
  private exited: string | null = null;

  private constructor(private readonly proc: ChildProcess) {
    const input = proc.stdio[4] as Readable;
    input.on("data", (chunk: Buffer) => this.receive(chunk));
    (proc.stderr as Readable).on("data", (d: Buffer) => {
      this.stderr = (this.stderr + d.toString()).slice(-4000);
    });
    proc.on("exit", (code, signal) => {
      this.exited = `chromium exited (${signal ?? code})`;
      for (const p of this.pending.values())
        p.reject(new Error(`${this.exited} during ${p.method}\n${this.stderr}`));
      this.pending.clear();
    });
  }

  static launch(opts: BrowserOptions): Browser {
    const args = [
      "--headless",
      "--no-sandbox",
      ...(opts.webgpu ? ["--enable-unsafe-webgpu"] : ["--disable-gpu"]),
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--hide-scrollbars",
      "--remote-debugging-pipe",
      `--user-data-dir=${opts.userDataDir}`,
      `--window-size=${opts.width ?? 1280},${opts.height ?? 900}`,
      "about:blank",
    ];
    const proc = spawn(opts.executable, args, {
      stdio: ["ignore", "ignore", "pipe", "pipe", "pipe"],
      detached: true,
    });
    return new Browser(proc);
  }

  get pid(): number | undefined {
    return this.proc.pid;
  }

  private receive(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (let end = this.buffer.indexOf(0); end >= 0; end = this.buffer.indexOf(0)) {
      const msg = JSON.parse(this.buffer.subarray(0, end).toString("utf8")) as CdpMessage;
      this.buffer = this.buffer.subarray(end + 1);
      if (msg.id !== undefined && this.pending.has(msg.id)) {
        const p = this.pending.get(msg.id)!;
        this.pending.delete(msg.id);
        if (msg.error) p.reject(new Error(`${p.method}: ${msg.error.message} ${msg.error.data ?? ""}`));
        else p.resolve(msg.result);
      } else {
        for (const l of this.listeners) l(msg);
      }
    }
  }

  /** Send one command (to the browser, or to a page session) and wait for its result. */
  send<T = Record<string, unknown>>(method: string, params: object = {}, sessionId?: string): Promise<T> {
    if (this.exited) return Promise.reject(new Error(`${this.exited}\n${this.stderr}`));
    const id = this.nextId++;
    const out = this.proc.stdio[3] as Writable;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, method });
      out.write(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }) + "\0");
    });
  }

  /** Calls `listener` with every event (and reply without a pending command) from now on. */
  onEvent(listener: (m: CdpMessage) => void): void {
    this.listeners.push(listener);
  }

  /** Wait for an event (e.g. `Page.loadEventFired`) of a session, up to `timeoutMs`. */
  waitFor(method: string, sessionId: string, timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        remove();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${method}`));
      }, timeoutMs);
      const listener = (m: CdpMessage) => {
        if (m.method === method && m.sessionId === sessionId) {
          remove();
          resolve();
        }
      };
      const remove = () => {
        clearTimeout(timer);
        const i = this.listeners.indexOf(listener);
        if (i >= 0) this.listeners.splice(i, 1);
      };
      this.listeners.push(listener);
    });
  }

  /** Open a new page and attach to it; returns the session id for page commands. */
  async newPage(): Promise<string> {
    const { targetId } = await this.send<{ targetId: string }>("Target.createTarget", { url: "about:blank" });
    const { sessionId } = await this.send<{ sessionId: string }>("Target.attachToTarget", {
      targetId,
      flatten: true,
    });
    await this.send("Page.enable", {}, sessionId);
    await this.send("Runtime.enable", {}, sessionId);
    return sessionId;
  }

  /** Evaluate an expression in the page and return its (JSON) value; page exceptions become errors. */
  async evaluate<T>(sessionId: string, expression: string): Promise<T> {
    const r = await this.send<{
      result: { value?: T };
      exceptionDetails?: { text: string; exception?: { description?: string } };
    }>("Runtime.evaluate", { expression, returnByValue: true, awaitPromise: true }, sessionId);
    if (r.exceptionDetails) {
      throw new Error(`page error: ${r.exceptionDetails.exception?.description ?? r.exceptionDetails.text}`);
    }
    return r.result.value as T;
  }

  /** Ask the browser to quit, then kill its whole process group whatever happened. */
  async close(): Promise<void> {
    if (!this.exited) {
      await Promise.race([this.send("Browser.close").catch(() => undefined), delay(3000)]);
    }
    killGroup(this.proc);
  }
}

export function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** SIGKILL a detached child's process group (and the child itself), ignoring "already gone". */
export function killGroup(proc: ChildProcess): void {
  if (proc.pid === undefined) return;
  for (const target of [-proc.pid, proc.pid]) {
    try {
      process.kill(target, "SIGKILL");
    } catch {
      // already gone
    }
  }
}
