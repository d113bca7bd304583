/**
 * A static HTTP server for the browser pages, on 127.0.0.1 only: `build/web/` (the bundle, its WASM binaries,
 * the pages), `/model/…` (the registry's `base` model, when it has been built) and `/data/moby-dick.txt` (the
 * text the playground trains on, from the course's npm corpus). Nothing is fetched from outside.
 */
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { mobyDickChapters } from "../../src/corpora";
import { WEB_DIR } from "./build";

const ROOT = path.resolve(__dirname, "..", "..");

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".map": "application/json",
  ".json": "application/json",
  ".css": "text/css",
  ".wasm": "application/wasm",
  ".txt": "text/plain; charset=utf-8",
  ".safetensors": "application/octet-stream",
};

/** The newest built `base` model folder (full, then quick), or null: the attention panel needs one. */
export function baseModelDir(): string | null {
  for (const size of ["full", "quick"]) {
    const dir = path.join(ROOT, "build", "models", "base", size);
    if (
      ["config.json", "tokenizer.json", "model.safetensors"].every((f) => fs.existsSync(path.join(dir, f)))
    ) {
      return dir;
    }
  }
  return null;
}

/** How to make the model the attention panel shows (printed by the server, shown by the page). */
export const BUILD_BASE_HINT =
  "npm run models -- --size quick base   (about a minute on 2 cores; --size full: the learners' model, ~10 min)";

let text: string | undefined;
/** The first chapters of Moby-Dick (~200k characters), the playground's training text. */
function mobyDickExcerpt(): string {
  if (text === undefined) {
    const parts: string[] = [];
    let n = 0;
    for (const c of mobyDickChapters()) {
      if (n > 200_000) break;
      parts.push(c.text);
      n += c.text.length;
    }
    text = parts.join("\n\n");
  }
  return text;
}

function send(res: http.ServerResponse, status: number, type: string, body: string | Buffer): void {
  res.writeHead(status, { "content-type": type, "cache-control": "no-store" });
  res.end(body);
}

export interface WebServer {
  url: string;
  close(): Promise<void>;
}

/** Starts the server on `port` (0: any free port); resolves once it listens. */
export function serveWeb(port = 0): Promise<WebServer> {
  const server = http.createServer((req, res) => {
    try {
      const url = new URL(req.url ?? "/", "http://localhost");
      const p = decodeURIComponent(url.pathname);
      if (p === "/") {
        res.writeHead(302, { location: "/playground.html" });
        res.end();
        return;
      }
      if (p === "/data/moby-dick.txt") return send(res, 200, TYPES[".txt"], mobyDickExcerpt());
      if (p === "/model/status.json") {
        const dir = baseModelDir();
        const body = dir
          ? { present: true, name: "base", size: path.basename(dir) }
          : { present: false, build: BUILD_BASE_HINT };
        return send(res, 200, TYPES[".json"], JSON.stringify(body));
      }
      let file: string | null;
      if (p.startsWith("/model/")) {
        const dir = baseModelDir();
        file = dir ? path.join(dir, path.basename(p)) : null;
      } else {
        file = path.join(WEB_DIR, path.normalize(p).replace(/^([/\\])+/, ""));
        if (!file.startsWith(WEB_DIR + path.sep)) file = null;
      }
      if (!file || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
        return send(res, 404, TYPES[".txt"], `not found: ${p}`);
      }
      send(res, 200, TYPES[path.extname(file)] ?? "application/octet-stream", fs.readFileSync(file));
    } catch (err) {
      send(res, 500, TYPES[".txt"], String(err));
    }
  });
  return new Promise((resolve, reject) => {
    server.on("error", reject);
    server.listen(port, "127.0.0.1", () => {
      const { port: actual } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${actual}`,
        close: () => new Promise((r) => server.close(() => r())),
      });
    });
  });
}
