/**
 * Verify plots in a real front end: serve executed notebooks from Debian's classic Jupyter Notebook (6.4, which
 * draws the static SVG of each plot bundle; it has no Vega-Lite renderer), open each in headless Chromium, count
 * the drawn `svg` elements of real size in the output areas, and keep a full-page screenshot.
 *
 *   npm run check:browser                      # build/notebooks/ copies of notebooks/00-* and 01-* (`npm run course`)
 *   npm run check:browser -- a.ipynb b.ipynb   # these notebooks
 *   npm run check:browser -- --self-test       # a notebook made here from src/plot, no kernel needed
 *
 * Prints one line per notebook and exits non-zero if any plot is missing. The notebooks are copied to a temp
 * directory and trusted there (`jupyter trust` = nbformat.sign, with a private Jupyter data dir), so nothing of the
 * user's Jupyter set-up is read or changed. The server and the browser are always killed.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { Browser, delay, killGroup } from "./cdp";

const ROOT = path.resolve(__dirname, "..", "..");
const OUT_DIR = path.join(ROOT, "build", "browser");
const JUPYTER = process.env.LLM_JUPYTER ?? "/usr/bin/jupyter";
const PYTHON = process.env.LLM_PYTHON ?? "/usr/bin/python3";
const CHROMIUM = process.env.LLM_CHROMIUM ?? "/usr/bin/chromium";
/** An svg counts as a drawn plot when at least this big (CSS pixels). */
const MIN_WIDTH = 100;
const MIN_HEIGHT = 50;
const PAGE_TIMEOUT_MS = 90_000;

interface NotebookJson {
  cells: { cell_type: string; outputs?: { output_type: string; data?: Record<string, unknown> }[] }[];
}

/**
 * How many plots a notebook's outputs hold: static SVG plots (the plot layer's bundles) plus Plotly figures (HTML
 * made by `plot.plotly`, drawn by plotly.js in a live, trusted front end like this one).
 */
export function countPlotOutputs(nb: NotebookJson): number {
  let n = 0;
  for (const cell of nb.cells) {
    for (const out of cell.outputs ?? []) {
      if (out.output_type !== "display_data" && out.output_type !== "execute_result") continue;
      const html = out.data?.["text/html"];
      const joined = Array.isArray(html) ? html.join("") : typeof html === "string" ? html : "";
      if (out.data?.["image/svg+xml"] || joined.includes('id="llm-ts-plotly-')) n++;
    }
  }
  return n;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

function requireExecutable(file: string, what: string, install: string): void {
  try {
    fs.accessSync(file, fs.constants.X_OK);
  } catch {
    throw new Error(
      `${what} not found at ${file}. Install it (${install}) or point the environment variable at it.`,
    );
  }
}

/** The executed copies (build/notebooks/) of the course's chapters 00 and 01 (notebooks/00-*, notebooks/01-*). */
async function defaultNotebooks(): Promise<string[]> {
  const source = path.join(ROOT, "notebooks");
  const built = path.join(ROOT, "build", "notebooks");
  const names = (fs.existsSync(source) ? fs.readdirSync(source) : []).filter((n) =>
    /^(00|01)-.*\.ipynb$/.test(n),
  );
  if (names.length === 0) throw new Error(`no notebooks 00-*.ipynb / 01-*.ipynb in ${source}.`);
  const missing = names.filter((n) => !fs.existsSync(path.join(built, n)));
  if (missing.length > 0) {
    throw new Error(`no executed copy of ${missing.join(", ")} in ${built}; run \`npm run course\` first.`);
  }
  return names.sort().map((n) => path.join(built, n));
}

/** The HTTP status of a GET, or 0 when nothing answers (the types of Node 18 that tslab needs lack `fetch`). */
function httpStatus(url: string): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get(url, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("error", () => resolve(0));
    req.setTimeout(5000, () => req.destroy());
  });
}

/** Start `jupyter notebook` on a free port with a random token; resolves when its API answers. */
async function startServer(notebookDir: string, env: NodeJS.ProcessEnv) {
  const port = await freePort();
  const token = randomBytes(16).toString("hex");
  const log = path.join(notebookDir, "..", "jupyter-server.log");
  const logFd = fs.openSync(log, "w");
  const proc = spawn(
    JUPYTER,
    [
      "notebook",
      "--no-browser",
      `--port=${port}`,
      "--ip=127.0.0.1",
      `--NotebookApp.token=${token}`,
      "--NotebookApp.port_retries=0",
      "--allow-root",
      `--notebook-dir=${notebookDir}`,
    ],
    { env, stdio: ["ignore", logFd, logFd], detached: true },
  );
  fs.closeSync(logFd);
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (proc.exitCode !== null) {
      throw new Error(
        `jupyter notebook exited (${proc.exitCode}):\n${fs.readFileSync(log, "utf8").slice(-2000)}`,
      );
    }
    if ((await httpStatus(`${base}/api/status?token=${token}`)) === 200) break;
    if (Date.now() > deadline) {
      throw new Error(
        `jupyter notebook did not answer in 60 s:\n${fs.readFileSync(log, "utf8").slice(-2000)}`,
      );
    }
    await delay(300);
  }
  return { proc, base, token };
}

/** What the page shows: svg sizes inside output areas (outermost svgs only), and whether the notebook loaded. */
const MEASURE = `(() => {
  const sizes = [];
  for (const svg of document.querySelectorAll('.output_area svg')) {
    if (svg.parentElement && svg.parentElement.closest('svg, .js-plotly-plot')) continue;
    const r = svg.getBoundingClientRect();
    sizes.push([Math.round(r.width), Math.round(r.height)]);
  }
  for (const fig of document.querySelectorAll('.output_area .js-plotly-plot')) {
    if (!fig.querySelector('svg.main-svg')) continue;
    const r = fig.getBoundingClientRect();
    sizes.push([Math.round(r.width), Math.round(r.height)]);
  }
  const loaded = !!(window.Jupyter && Jupyter.notebook && Jupyter.notebook._fully_loaded);
  const untrusted = !!(window.Jupyter && Jupyter.notebook && Jupyter.notebook.trusted === false);
  return { sizes, loaded, untrusted, cells: document.querySelectorAll('.cell').length };
})()`;

/** Close the "kernel not found" dialog (no kernel is needed to view) and unroll the page for a full screenshot. */
const PREPARE_SCREENSHOT = `(() => {
  if (window.$) { $('.modal').modal('hide'); }
  document.querySelectorAll('.modal, .modal-backdrop').forEach((e) => e.remove());
  const style = document.createElement('style');
  style.textContent = 'html, body { height: auto !important; overflow: visible !important; }' +
    ' #site { height: auto !important; overflow: visible !important; display: block !important; }' +
    ' #header { position: static !important; }';
  document.head.appendChild(style);
  return [document.documentElement.scrollWidth, document.documentElement.scrollHeight];
})()`;

interface Result {
  name: string;
  expected: number;
  drawn: number;
  screenshot: string;
  problem?: string;
}

async function checkNotebook(browser: Browser, base: string, token: string, file: string): Promise<Result> {
  const name = path.basename(file, ".ipynb");
  const expected = countPlotOutputs(JSON.parse(fs.readFileSync(file, "utf8")) as NotebookJson);
  const screenshot = path.join(OUT_DIR, `${name}.png`);
  const session = await browser.newPage();
  await browser.send(
    "Emulation.setDeviceMetricsOverride",
    { width: 1280, height: 900, deviceScaleFactor: 1, mobile: false },
    session,
  );
  const url = `${base}/notebooks/${encodeURIComponent(path.basename(file))}?token=${token}`;
  const loaded = browser.waitFor("Page.loadEventFired", session, PAGE_TIMEOUT_MS);
  await browser.send("Page.navigate", { url }, session);
  await loaded;
  type Measure = { sizes: [number, number][]; loaded: boolean; untrusted: boolean; cells: number };
  let m: Measure = { sizes: [], loaded: false, untrusted: false, cells: 0 };
  const big = (s: [number, number]) => s[0] > MIN_WIDTH && s[1] > MIN_HEIGHT;
  const deadline = Date.now() + PAGE_TIMEOUT_MS;
  while (Date.now() < deadline) {
    m = await browser.evaluate<Measure>(session, MEASURE);
    if (m.loaded && m.sizes.filter(big).length >= expected) break;
    await delay(250);
  }
  if (m.loaded) await delay(500); // let late layout settle before the screenshot
  m = await browser.evaluate<Measure>(session, MEASURE);
  const [width, height] = await browser.evaluate<[number, number]>(session, PREPARE_SCREENSHOT);
  await delay(200);
  const shot = await browser.send<{ data: string }>(
    "Page.captureScreenshot",
    {
      format: "png",
      captureBeyondViewport: true,
      clip: { x: 0, y: 0, width, height: Math.min(height, 16_000), scale: 1 },
    },
    session,
  );
  fs.writeFileSync(screenshot, Buffer.from(shot.data, "base64"));
  const drawn = m.sizes.filter(big).length;
  let problem: string | undefined;
  if (!m.loaded) problem = `the notebook did not finish loading in ${PAGE_TIMEOUT_MS / 1000} s`;
  else if (m.untrusted) problem = "the notebook is not trusted, so its SVG outputs are not shown";
  else if (expected === 0) problem = "the notebook has no plot outputs (SVG or Plotly); was it executed?";
  else if (drawn < expected)
    problem = `only ${drawn} of ${expected} plots drawn (svg sizes: ${JSON.stringify(m.sizes)})`;
  return { name, expected, drawn, screenshot, problem };
}

async function main(argv: string[]): Promise<number> {
  requireExecutable(JUPYTER, "Jupyter", "apt-get install jupyter-notebook python3-nbformat");
  requireExecutable(CHROMIUM, "Chromium", "apt-get install chromium");
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "llm-ts-browser-"));
  const nbDir = path.join(tmp, "notebooks");
  fs.mkdirSync(nbDir);
  fs.mkdirSync(OUT_DIR, { recursive: true });

  let files: string[];
  if (argv.includes("--self-test")) {
    const { selfTestNotebook } = await import("./fixture");
    const { notebook } = await selfTestNotebook();
    const file = path.join(tmp, "self-test.ipynb");
    fs.writeFileSync(file, JSON.stringify(notebook, null, 1));
    files = [file];
  } else {
    const given = argv.filter((a) => !a.startsWith("--"));
    files = given.length > 0 ? given.map((f) => path.resolve(f)) : await defaultNotebooks();
  }
  for (const f of files) {
    if (!fs.existsSync(f)) throw new Error(`notebook not found: ${f}`);
    fs.copyFileSync(f, path.join(nbDir, path.basename(f)));
  }

  // A private Jupyter set-up: trust database, signing key, config and runtime files live in the temp dir.
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    JUPYTER_DATA_DIR: path.join(tmp, "data"),
    JUPYTER_CONFIG_DIR: path.join(tmp, "config"),
    JUPYTER_RUNTIME_DIR: path.join(tmp, "runtime"),
    JUPYTER_PATH: path.join(tmp, "data"),
    IPYTHONDIR: path.join(tmp, "ipython"),
  };
  // Viewing needs no kernel, and a kernel would start in its own session (out of reach of the clean-up): allow
  // none, so the page only shows a "kernel not found" dialog, which the check closes.
  fs.mkdirSync(env.JUPYTER_CONFIG_DIR!, { recursive: true });
  fs.writeFileSync(
    path.join(env.JUPYTER_CONFIG_DIR!, "jupyter_notebook_config.json"),
    JSON.stringify({ KernelSpecManager: { allowed_kernelspecs: ["no-kernel-needed-to-view"] } }),
  );
  const copies = files.map((f) => path.join(nbDir, path.basename(f)));
  // `jupyter trust` is nbformat's TrustNotebookApp; Debian ships it without the jupyter-trust launcher.
  const trust = spawnSync(PYTHON, ["-m", "nbformat.sign", ...copies], { env, encoding: "utf8" });
  if (trust.status !== 0) throw new Error(`jupyter trust failed:\n${trust.stderr}${trust.stdout}`);

  let server: ChildProcess | undefined;
  let browser: Browser | undefined;
  const cleanup = () => {
    if (browser?.pid) killGroup({ pid: browser.pid } as ChildProcess);
    if (server) killGroup(server);
  };
  process.on("exit", cleanup);
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.on(sig, () => {
      cleanup();
      process.exit(130);
    });
  }
  let failed = 0;
  try {
    const started = await startServer(nbDir, env);
    server = started.proc;
    browser = Browser.launch({ executable: CHROMIUM, userDataDir: path.join(tmp, "chromium") });
    for (const file of copies) {
      const r = await checkNotebook(browser, started.base, started.token, file);
      const shot = path.relative(ROOT, r.screenshot);
      if (r.problem) {
        failed++;
        console.log(`browser: ${r.name} FAILED: ${r.problem}; screenshot ${shot}`);
      } else {
        console.log(
          `browser: ${r.name} ${r.drawn} plots drawn (${r.expected} in the notebook), screenshot ${shot}`,
        );
      }
    }
  } finally {
    if (browser) await browser.close();
    cleanup();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return failed === 0 ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`browser: check failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
