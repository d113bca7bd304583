/**
 * Opening the pages of `build/web/` in headless Chromium (Debian's, over the DevTools pipe of tools/browser/cdp.ts),
 * with WebGPU offered: without a GPU its adapter is SwiftShader. Used by `check:webgpu` and the playground test.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Browser, delay } from "../browser/cdp";
import { buildWeb } from "./build";
import { serveWeb, type WebServer } from "./serve";

export const CHROMIUM = process.env.LLM_CHROMIUM ?? "/usr/bin/chromium";

export interface PageSession {
  browser: Browser;
  session: string;
  server: WebServer;
  /** Console messages and page errors, for failure reports. */
  log: string[];
  close(): Promise<void>;
}

/** Builds the pages, serves them, starts Chromium and opens `page`; waits until `readyExpr` is true. */
export async function openPage(
  page: string,
  readyExpr: string,
  opts: { width?: number; height?: number; timeoutMs?: number } = {},
): Promise<PageSession> {
  try {
    fs.accessSync(CHROMIUM, fs.constants.X_OK);
  } catch {
    throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install chromium, or set LLM_CHROMIUM.`);
  }
  if (!process.env.LLM_WEB_NO_BUILD) await buildWeb();
  const server = await serveWeb();
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "llm-ts-web-"));
  const browser = Browser.launch({
    executable: CHROMIUM,
    userDataDir: profile,
    webgpu: true,
    width: opts.width,
    height: opts.height,
  });
  const log: string[] = [];
  const close = async () => {
    await browser.close();
    await server.close();
    fs.rmSync(profile, { recursive: true, force: true });
  };
  try {
    const session = await browser.newPage();
    browser.onEvent((m) => {
      if (m.sessionId !== session) return;
      if (m.method === "Runtime.consoleAPICalled") {
        const p = m.params as { type: string; args: { value?: unknown; description?: string }[] };
        log.push(`console.${p.type}: ${p.args.map((a) => a.value ?? a.description).join(" ")}`);
      } else if (m.method === "Runtime.exceptionThrown") {
        const p = m.params as { exceptionDetails: { exception?: { description?: string }; text: string } };
        log.push(`exception: ${p.exceptionDetails.exception?.description ?? p.exceptionDetails.text}`);
      }
    });
    await browser.send(
      "Emulation.setDeviceMetricsOverride",
      { width: opts.width ?? 1280, height: opts.height ?? 900, deviceScaleFactor: 1, mobile: false },
      session,
    );
    const loaded = browser.waitFor("Page.loadEventFired", session, 60_000);
    await browser.send("Page.navigate", { url: `${server.url}/${page}` }, session);
    await loaded;
    const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
    while (!(await browser.evaluate<boolean>(session, `!!(${readyExpr})`))) {
      if (Date.now() > deadline) {
        throw new Error(`${page} was not ready (${readyExpr}) in time; page log:\n${log.join("\n")}`);
      }
      await delay(100);
    }
    return { browser, session, server, log, close };
  } catch (err) {
    await close();
    throw err;
  }
}
