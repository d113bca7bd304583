/**
 * A Jupyter-protocol client that drives the real tslab kernel from Node, the way JupyterLab or nbclient do:
 * it writes a connection file (free local ports, a random HMAC key), starts
 * `node node_modules/tslab/bin/tslab kernel --config-path <file>`, talks to it over zeromq (Dealer sockets for
 * shell and control, a Subscriber for iopub), executes cells and turns iopub messages into nbformat outputs.
 *
 * tslab reports a failing cell by printing the error on stderr and answering `status: "error"` without
 * `ename`/`evalue` (it sends no `error` message), so the error name and message are read back from the
 * cell's stderr (`errorFromStderr`).
 *
 * No kernel outlives its runner: the kernel runs in its own process group, which is killed on shutdown, on
 * process exit and on SIGINT/SIGTERM/SIGHUP; a preloaded guard (kernel-guard.cjs) makes it exit when the
 * runner disappears without cleaning up.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { Dealer, Subscriber } from "zeromq";
import type { Output } from "./notebook";
import { CellOutputs, DisplayRegistry, tidyStreams } from "./outputs";
import {
  decodeMessage,
  encodeMessage,
  newKey,
  newMessage,
  type ConnectionInfo,
  type JupyterMessage,
} from "./protocol";

/** The error of a failed cell: Jupyter's `ename` / `evalue` / `traceback`. */
export interface CellError {
  ename: string;
  evalue: string;
  traceback: string[];
}

export interface ExecuteResult {
  /** `timeout`: did not finish in time (interrupted); `dead`: the kernel process exited. */
  status: "ok" | "error" | "abort" | "timeout" | "dead";
  executionCount: number | null;
  /** nbformat outputs; display outputs may still change when a later cell updates their display_id. */
  outputs: Output[];
  error?: CellError;
  /** Wall-clock milliseconds from sending the request to the kernel going idle. */
  ms: number;
}

export interface KernelOptions {
  /** Working directory of the kernel (relative paths in cells resolve against it). */
  cwd: string;
  /** Environment of the kernel process (default: this process's). */
  env?: NodeJS.ProcessEnv;
  /** How long the first kernel may take to answer kernel_info_request (default 60 s; it needs 2–3 s), doubled for each new one. */
  startTimeoutMs?: number;
  /** Kernels started, at most, when one does not answer in time (default 2). */
  startAttempts?: number;
}

export interface ExecuteOptions {
  /** Interrupt the cell after this many milliseconds (default: no limit). */
  timeoutMs?: number;
  /** display_id registry shared by the cells of one notebook, so updates reach earlier cells' outputs. */
  displays?: DisplayRegistry;
}

/** Path of tslab's command-line entry point. */
export function tslabBin(): string {
  return path.join(path.dirname(require.resolve("tslab/package.json")), "bin", "tslab");
}

/** Finds `n` distinct free TCP ports on 127.0.0.1 (bound and released; a tiny race, as in Jupyter). */
export async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<net.Server>((resolve, reject) => {
          const s = net.createServer();
          s.once("error", reject);
          s.listen(0, "127.0.0.1", () => resolve(s));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

/**
 * Reads the error of a failed tslab cell from its stderr: the last Node-style error header
 * (`TypeError: msg`, `Foo [Error]: msg`) with its stack, TypeScript diagnostics (`3:7 - Cannot find name`),
 * or else the last non-empty line.
 */
export function errorFromStderr(stderr: string): CellError {
  const lines = stderr.split("\n");
  const diagnostics = lines.filter((l) => /^(\S+ )?\d+:\d+ - /.test(l));
  if (diagnostics.length > 0) {
    return { ename: "CompileError", evalue: diagnostics.join("\n"), traceback: diagnostics };
  }
  const header = /^([A-Za-z_$][\w$]*)(?: \[[\w$]+\])?: (.*)$/;
  const headers = lines.flatMap((l, i) => (header.test(l) ? [i] : []));
  const withStack = headers.filter((i) => /^\s+at /.test(lines[i + 1] ?? ""));
  const at = withStack.length > 0 ? withStack[withStack.length - 1] : headers[headers.length - 1];
  if (at !== undefined) {
    const m = header.exec(lines[at]) as RegExpExecArray;
    return { ename: m[1], evalue: m[2], traceback: lines.slice(at).filter((l) => l !== "") };
  }
  const last = lines.filter((l) => l.trim() !== "").pop() ?? "";
  return { ename: "Error", evalue: last.trim(), traceback: last ? [last] : [] };
}

const liveKernels = new Set<Kernel>();
let exitHooksInstalled = false;

/** Kills every live kernel when this process exits or is told to stop. */
function installExitHooks(): void {
  if (exitHooksInstalled) return;
  exitHooksInstalled = true;
  process.on("exit", () => {
    for (const k of liveKernels) k.killNow();
  });
  const codes: Record<string, number> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };
  for (const sig of Object.keys(codes)) {
    process.once(sig as NodeJS.Signals, () => {
      for (const k of liveKernels) k.killNow();
      process.exit(codes[sig]);
    });
  }
}

type Waiter = (msg: JupyterMessage) => void;

/** A running tslab kernel. Create with `Kernel.start`, finish with `shutdown()`. */
export class Kernel {
  /** The kernel's kernel_info_reply content (language_info etc.). */
  info: Record<string, unknown> = {};
  private readonly session = newKey();
  private readonly shell = new Dealer({ linger: 0 });
  private readonly control = new Dealer({ linger: 0 });
  private readonly iopub = new Subscriber({ linger: 0 });
  private readonly replies = new Map<string, Waiter>();
  private readonly iopubWaiters = new Map<string, Waiter>();
  private readonly exited: Promise<number | null>;
  private exitCode: number | null | undefined = undefined;
  private closed = false;
  private lastErrorAt = 0;
  /** Whether any iopub message has arrived (our subscription is in place). */
  private iopubSeen = false;

  private constructor(
    private readonly proc: ChildProcess,
    private readonly conn: ConnectionInfo,
    private readonly dir: string,
  ) {
    this.exited = new Promise((resolve) =>
      proc.once("exit", (code, signal) => {
        this.exitCode = code ?? (signal ? -1 : null);
        resolve(this.exitCode);
      }),
    );
    this.iopub.subscribe();
    const addr = (port: number) => `${conn.transport}://${conn.ip}:${port}`;
    this.shell.connect(addr(conn.shell_port));
    this.control.connect(addr(conn.control_port));
    this.iopub.connect(addr(conn.iopub_port));
    void this.readLoop(this.shell, (m) => this.dispatch(this.replies, m));
    void this.readLoop(this.control, (m) => this.dispatch(this.replies, m));
    void this.readLoop(this.iopub, (m) => {
      this.iopubSeen = true;
      this.dispatch(this.iopubWaiters, m);
    });
  }

  /**
   * Starts tslab in `cwd` and waits until it answers on shell and iopub. A kernel that does not answer in
   * time is killed and a fresh one (new ports) started, up to `startAttempts`: once in CI a kernel never
   * answered its first request, which failed a whole check for nothing the notebook did.
   */
  static async start(options: KernelOptions): Promise<Kernel> {
    const attempts = options.startAttempts ?? 2;
    for (let attempt = 1; ; attempt++) {
      try {
        // Each new kernel gets twice the time of the one before (a loaded machine starts kernels slowly).
        const timeoutMs = (options.startTimeoutMs ?? 60_000) * 2 ** (attempt - 1);
        return await Kernel.startOnce(options, timeoutMs);
      } catch (err) {
        if (attempt >= attempts) throw err;
        const first = (err as Error).message.split("\n")[0];
        process.stderr.write(
          `course: ${first}; starting a new kernel (attempt ${attempt + 1} of ${attempts})\n`,
        );
      }
    }
  }

  private static async startOnce(options: KernelOptions, timeoutMs: number): Promise<Kernel> {
    installExitHooks();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "llm-ts-kernel-"));
    const [shell, iopub, stdin, control, hb] = await freePorts(5);
    const conn: ConnectionInfo = {
      transport: "tcp",
      ip: "127.0.0.1",
      shell_port: shell,
      iopub_port: iopub,
      stdin_port: stdin,
      control_port: control,
      hb_port: hb,
      key: newKey(),
      signature_scheme: "hmac-sha256",
      kernel_name: "tslab",
    };
    const connFile = path.join(dir, "connection.json");
    fs.writeFileSync(connFile, JSON.stringify(conn, null, 1), { mode: 0o600 });
    // Kernel stdout/stderr go to a log file, not a pipe: a pipe breaks when the runner dies.
    const log = fs.openSync(path.join(dir, "kernel.log"), "a");
    const guard = path.join(__dirname, "kernel-guard.cjs");
    const proc = spawn(process.execPath, ["-r", guard, tslabBin(), "kernel", "--config-path", connFile], {
      cwd: options.cwd,
      env: options.env ?? process.env,
      // Its own process group (POSIX), so shutdown also kills whatever its cells started.
      detached: process.platform !== "win32",
      windowsHide: true,
      stdio: ["ignore", log, log],
    });
    fs.closeSync(log);
    const kernel = new Kernel(proc, conn, dir);
    liveKernels.add(kernel);
    try {
      await kernel.waitReady(timeoutMs);
    } catch (err) {
      const log = kernel.logTail(800);
      await kernel.shutdown();
      if (log && !(err as Error).message.includes(log))
        (err as Error).message += `; the kernel's log ends with:\n${log}`;
      throw err;
    }
    return kernel;
  }

  /** The process id of the kernel (also its process group id). */
  get pid(): number | undefined {
    return this.proc.pid;
  }

  /** The kernel's own log (what it printed outside cell executions), for diagnostics. */
  logTail(chars = 2000): string {
    try {
      return fs.readFileSync(path.join(this.dir, "kernel.log"), "utf8").slice(-chars);
    } catch {
      return "";
    }
  }

  private async readLoop(sock: Dealer | Subscriber, onMessage: (m: JupyterMessage) => void): Promise<void> {
    try {
      for await (const frames of sock) {
        try {
          onMessage(decodeMessage(this.conn.key, frames));
        } catch (err) {
          if (!this.closed) process.emitWarning(`kernel message dropped: ${(err as Error).message}`);
        }
      }
    } catch (err) {
      if (!this.closed) process.emitWarning(`kernel socket failed: ${(err as Error).message}`);
    }
  }

  private dispatch(waiters: Map<string, Waiter>, msg: JupyterMessage): void {
    const parent = msg.parent_header.msg_id;
    if (parent) waiters.get(parent)?.(msg);
  }

  /** The error to report once the kernel process has exited, with the end of its log. */
  private diedError(): Error {
    return new Error(
      `the tslab kernel exited (code ${this.exitCode}); its log ends with:\n${this.logTail(1500) || "(empty)"}`,
    );
  }

  /** Sends a request and resolves with its reply; rejects after `timeoutMs` or when the kernel exits. */
  private async request(
    sock: Dealer,
    msgType: string,
    content: unknown,
    timeoutMs: number,
  ): Promise<JupyterMessage> {
    const msg = newMessage(msgType, this.session, content);
    const id = msg.header.msg_id;
    let timer: NodeJS.Timeout | undefined;
    const reply = new Promise<JupyterMessage>((resolve, reject) => {
      this.replies.set(id, resolve);
      timer = setTimeout(() => reject(new Error(`no ${msgType} reply within ${timeoutMs} ms`)), timeoutMs);
      this.exited.then(() => reject(this.diedError()));
    });
    reply.catch(() => undefined); // settled later by the exit watcher even if send fails
    try {
      await sock.send(encodeMessage(this.conn.key, msg));
      return await reply;
    } finally {
      clearTimeout(timer);
      this.replies.delete(id);
    }
  }

  /**
   * Waits until the kernel answers kernel_info_request and its iopub messages reach us (a zeromq subscriber
   * misses what is published before its subscription is in place, so we repeat until one arrives).
   */
  private async waitReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const remaining = () => Math.max(1, deadline - Date.now());
    const first = await this.request(this.shell, "kernel_info_request", {}, remaining());
    this.info = first.content;
    while (Date.now() < deadline) {
      for (let i = 0; i < 20 && !this.iopubSeen; i++) await new Promise((r) => setTimeout(r, 10));
      if (this.iopubSeen) return;
      await this.request(this.shell, "kernel_info_request", {}, remaining());
    }
    throw new Error(`the tslab kernel did not publish on iopub within ${timeoutMs} ms`);
  }

  /** Executes one cell and collects its outputs until the kernel is idle again. */
  async execute(code: string, options: ExecuteOptions = {}): Promise<ExecuteResult> {
    if (this.closed || this.exitCode !== undefined) throw new Error("the kernel is not running");
    // After a failed cell tslab cancels requests that arrive within 200 ms (its execQueue.reset(200)).
    const sinceError = Date.now() - this.lastErrorAt;
    if (sinceError < 250) await new Promise((r) => setTimeout(r, 250 - sinceError));

    const started = Date.now();
    const cell = new CellOutputs(options.displays ?? new DisplayRegistry());
    let errorMessage: CellError | undefined;
    let markIdle!: () => void;
    const idle = new Promise<void>((r) => (markIdle = r));
    const onIopub: Waiter = (m) => {
      const type = m.header.msg_type;
      if (type === "status") {
        if (m.content.execution_state === "idle") markIdle();
        return;
      }
      if (type === "error") errorMessage = m.content as unknown as CellError;
      cell.handle(type, m.content);
    };
    const msg = newMessage("execute_request", this.session, {
      code,
      silent: false,
      store_history: true,
      user_expressions: {},
      allow_stdin: false,
      stop_on_error: false,
    });
    const id = msg.header.msg_id;
    let gotReply!: (m: JupyterMessage) => void;
    const reply = new Promise<JupyterMessage>((r) => (gotReply = r));
    this.replies.set(id, gotReply);
    this.iopubWaiters.set(id, onIopub);
    const done = Promise.all([reply, idle]).then(([r]) => r);
    const died = this.exited.then(() => "dead" as const);
    let timer: NodeJS.Timeout | undefined;
    const timedOut =
      options.timeoutMs === undefined
        ? new Promise<never>(() => undefined)
        : new Promise<"timeout">((r) => (timer = setTimeout(() => r("timeout"), options.timeoutMs)));

    let outcome: JupyterMessage | "dead" | "timeout";
    try {
      await this.shell.send(encodeMessage(this.conn.key, msg));
      outcome = await Promise.race([done, died, timedOut]);
      if (outcome === "timeout") {
        // Interrupt (tslab breaks synchronous code on SIGINT too); if it does not stop, kill the kernel.
        this.proc.kill("SIGINT");
        const after = await Promise.race([
          done,
          died,
          new Promise<"stuck">((r) => setTimeout(() => r("stuck"), 5000)),
        ]);
        if (after === "stuck") this.killNow();
      }
    } finally {
      clearTimeout(timer);
      this.replies.delete(id);
      this.iopubWaiters.delete(id);
    }
    const outputs = tidyStreams(cell.outputs);
    const ms = Date.now() - started;
    if (outcome === "timeout") {
      this.lastErrorAt = Date.now();
      const seconds = Math.round((options.timeoutMs ?? 0) / 1000);
      const error = { ename: "Timeout", evalue: `cell did not finish within ${seconds} s`, traceback: [] };
      return { status: "timeout", executionCount: null, outputs, error, ms };
    }
    if (outcome === "dead") {
      const error = { ename: "KernelDied", evalue: this.diedError().message, traceback: [] };
      return { status: "dead", executionCount: null, outputs, error, ms };
    }
    const content = outcome.content as { status?: string; execution_count?: number; ename?: string };
    const status = content.status === "ok" ? "ok" : content.status === "abort" ? "abort" : "error";
    const executionCount = typeof content.execution_count === "number" ? content.execution_count : null;
    if (status === "ok") return { status, executionCount, outputs, ms };
    this.lastErrorAt = Date.now();
    let error: CellError;
    if (errorMessage) error = errorMessage;
    else if (content.ename) error = content as unknown as CellError;
    else if (status === "abort")
      error = { ename: "Aborted", evalue: "the kernel aborted the cell", traceback: [] };
    else {
      const stderr = outputs
        .filter((o) => o.output_type === "stream" && o.name === "stderr")
        .map((o) => (o.output_type === "stream" ? String(o.text) : ""))
        .join("");
      error = errorFromStderr(stderr);
    }
    return { status, executionCount, outputs, error, ms };
  }

  /** Kills the kernel's whole process group at once (synchronous; safe to call repeatedly). */
  killNow(): void {
    const pid = this.proc.pid;
    if (pid !== undefined) {
      try {
        if (process.platform === "win32") this.proc.kill("SIGKILL");
        else process.kill(-pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
    liveKernels.delete(this);
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  /** Asks the kernel to shut down, then makes sure its process group is gone and cleans up. */
  async shutdown(): Promise<void> {
    if (this.closed) return;
    if (this.exitCode === undefined) {
      try {
        await this.request(this.control, "shutdown_request", { restart: false }, 2000);
        await Promise.race([this.exited, new Promise((r) => setTimeout(r, 1000))]);
      } catch {
        // not answering: killed below
      }
    }
    this.closed = true;
    this.killNow();
    if (this.exitCode === undefined)
      await Promise.race([this.exited, new Promise((r) => setTimeout(r, 2000))]);
    for (const s of [this.shell, this.control, this.iopub]) s.close();
  }
}
