/**
 * Builds the browser pages into `build/web/` with esbuild (a dependency of tsx, pinned in devDependencies):
 *
 * - `llm-ts.js` — the library as one ES module (`src/browser/index.ts`): tfjs-core, the WASM and (when
 *   installed) WebGPU backends, tokenizer, model, training step, generation, plot;
 * - `wasm/` — tfjs's WASM binaries, which the bundle fetches at run time;
 * - `gpt2-ranks.json` — GPT-2's BPE ranks from js-tiktoken (the bundle leaves them out);
 * - the pages (`pages/*.html`) and their scripts, which import the library as "llm-ts" through an import map.
 *
 *   npx tsx tools/web/build.ts      # (npm run check:webgpu and npm run playground run it first)
 */
import * as esbuild from "esbuild";
import fs from "node:fs";
import path from "node:path";

const ROOT = path.resolve(__dirname, "..", "..");
export const WEB_DIR = path.join(ROOT, "build", "web");
const PAGES = path.join(__dirname, "pages");

function resolvable(id: string): boolean {
  try {
    require.resolve(id, { paths: [ROOT] });
    return true;
  } catch {
    return false;
  }
}

/** Keeps Node-only modules out of the bundle: they are never reached from `src/browser`, and must not be. */
const browserOnly: esbuild.Plugin = {
  name: "llm-ts-browser",
  setup(build) {
    // The union package only registers gradients (src/backend/gradients.ts); the entry imports tfjs-core's own.
    build.onResolve({ filter: /^@tensorflow\/tfjs$/ }, () => ({ path: "tfjs-union", namespace: "empty" }));
    if (!resolvable("@tensorflow/tfjs-backend-webgpu")) {
      build.onResolve({ filter: /^@tensorflow\/tfjs-backend-webgpu$/ }, () => ({
        path: "webgpu",
        namespace: "empty",
      }));
    }
    // The tokenizer's `require` of js-tiktoken's ranks (loadGpt2/loadCl100k): pages fetch gpt2-ranks.json.
    build.onResolve({ filter: /^js-tiktoken\/ranks\// }, (a) => ({ path: a.path, namespace: "no-ranks" }));
    build.onLoad({ filter: /.*/, namespace: "no-ranks" }, (a) => ({
      contents: `throw new Error("${a.path} is not in the browser bundle: fetch the ranks and use tokenizer.fromJsTiktokenRanks");`,
    }));
    // Node built-ins: packages (tfjs-backend-wasm's Emscripten glue, seedrandom) require them only when they
    // run under Node, so they get an empty module; from the library's own code they are a build error.
    build.onResolve({ filter: /^node:|^(fs|path|os|worker_threads|child_process|crypto)$/ }, (a) =>
      a.importer.includes(`${path.sep}node_modules${path.sep}`)
        ? { path: a.path, namespace: "empty" }
        : { errors: [{ text: `${a.path} (a Node module) reached the browser bundle from ${a.importer}` }] },
    );
    build.onLoad({ filter: /.*/, namespace: "empty" }, () => ({ contents: "module.exports = {};" }));
  },
};

/** Page scripts import the library as "llm-ts" (or ../../../src/browser in TypeScript): keep that external. */
const libraryExternal: esbuild.Plugin = {
  name: "llm-ts-external",
  setup(build) {
    build.onResolve({ filter: /(^llm-ts$)|src\/browser(\/index)?$/ }, () => ({
      path: "llm-ts",
      external: true,
    }));
  },
};

export interface BuildResult {
  dir: string;
  webgpu: boolean;
  bundleBytes: number;
}

export async function buildWeb(): Promise<BuildResult> {
  fs.mkdirSync(path.join(WEB_DIR, "wasm"), { recursive: true });
  const webgpu = resolvable("@tensorflow/tfjs-backend-webgpu");
  await esbuild.build({
    entryPoints: [path.join(ROOT, "src", "browser", "index.ts")],
    outfile: path.join(WEB_DIR, "llm-ts.js"),
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2020",
    minify: true,
    sourcemap: true,
    logLevel: "warning",
    plugins: [browserOnly],
    define: { "process.env.NODE_ENV": '"production"' },
  });
  const pageScripts = fs.readdirSync(PAGES).filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"));
  await esbuild.build({
    entryPoints: pageScripts.map((f) => path.join(PAGES, f)),
    outdir: WEB_DIR,
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2020",
    sourcemap: true,
    logLevel: "warning",
    plugins: [libraryExternal],
  });
  for (const f of fs.readdirSync(PAGES).filter((f) => /\.(html|css)$/.test(f))) {
    fs.copyFileSync(path.join(PAGES, f), path.join(WEB_DIR, f));
  }
  const wasmDir = path.dirname(require.resolve("@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm"));
  for (const f of fs.readdirSync(wasmDir).filter((f) => f.endsWith(".wasm"))) {
    fs.copyFileSync(path.join(wasmDir, f), path.join(WEB_DIR, "wasm", f));
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  fs.writeFileSync(path.join(WEB_DIR, "gpt2-ranks.json"), JSON.stringify(require("js-tiktoken/ranks/gpt2")));
  return { dir: WEB_DIR, webgpu, bundleBytes: fs.statSync(path.join(WEB_DIR, "llm-ts.js")).size };
}

if (require.main === module) {
  buildWeb().then(
    (r) =>
      console.log(
        `web: built ${path.relative(ROOT, r.dir)} (llm-ts.js ${(r.bundleBytes / 1e6).toFixed(2)} MB, ` +
          `WebGPU backend ${r.webgpu ? "included" : "not installed: WASM only"})`,
      ),
    (err: unknown) => {
      console.error(`web: build failed: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    },
  );
}
