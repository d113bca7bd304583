/**
 * The page-side backend picker: WebGPU (a real GPU adapter, through `@tensorflow/tfjs-backend-webgpu`), then
 * WASM with SIMD, then plain JavaScript — the browser's version of `backend.initBackend`, reporting which and
 * why. A software WebGPU adapter (SwiftShader, or any adapter the browser marks as a fallback) computes on the
 * CPU, usually slower than WASM, so the picker skips it unless `allowSoftware` is set (`check:webgpu` sets it:
 * SwiftShader is where the WebGPU code path can be tested without a GPU).
 */
import * as tf from "@tensorflow/tfjs-core";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import "@tensorflow/tfjs-backend-cpu";
import { registerWasmKernels } from "../backend/wasm-kernels";
import { registerWebGpuKernels } from "../backend/webgpu-kernels";

/** The backends the page knows, in the picker's order. */
export const BROWSER_BACKENDS = ["webgpu", "wasm", "cpu"] as const;
export type BrowserBackendName = (typeof BROWSER_BACKENDS)[number];

export interface BrowserBackendInfo {
  name: BrowserBackendName;
  reason: string;
  /** Lines "name: why not" for the backends tried before. */
  skipped: string[];
  /** The WebGPU adapter's vendor and architecture (e.g. "google", "swiftshader") when WebGPU was probed. */
  adapter?: { vendor: string; architecture: string; software: boolean };
}

export interface BrowserBackendOptions {
  /** Use this backend or fail saying why (a page's `?backend=` parameter). */
  force?: BrowserBackendName;
  /** Accept a software WebGPU adapter (SwiftShader). Default false, except when `force` is "webgpu". */
  allowSoftware?: boolean;
  /** Where the tfjs WASM binaries are served (a URL folder ending in "/"). Default "./wasm/". */
  wasmPaths?: string;
}

interface GpuAdapterLike {
  isFallbackAdapter?: boolean;
  info?: { vendor?: string; architecture?: string; isFallbackAdapter?: boolean };
  requestAdapterInfo?: () => Promise<{ vendor?: string; architecture?: string }>;
}

/** What WebGPU adapter the browser offers: null when it has no `navigator.gpu` or no adapter. */
export async function probeWebGpu(): Promise<BrowserBackendInfo["adapter"] | null> {
  const gpu = (globalThis as { navigator?: { gpu?: { requestAdapter(): Promise<GpuAdapterLike | null> } } })
    .navigator?.gpu;
  if (!gpu) return null;
  const adapter = await gpu.requestAdapter();
  if (!adapter) return null;
  const info = adapter.info ?? (adapter.requestAdapterInfo ? await adapter.requestAdapterInfo() : {});
  const vendor = info.vendor ?? "";
  const architecture = info.architecture ?? "";
  const fallback = adapter.isFallbackAdapter ?? adapter.info?.isFallbackAdapter ?? false;
  return { vendor, architecture, software: fallback || /swiftshader/i.test(`${vendor} ${architecture}`) };
}

let wasmReady = false;

async function tryBackend(
  name: BrowserBackendName,
  options: BrowserBackendOptions,
  adapterOut: { adapter?: BrowserBackendInfo["adapter"] },
): Promise<void> {
  if (name === "webgpu") {
    const adapter = await probeWebGpu();
    if (!adapter) throw new Error("this browser offers no WebGPU adapter");
    adapterOut.adapter = adapter;
    const allowSoftware = options.allowSoftware ?? options.force === "webgpu";
    if (adapter.software && !allowSoftware) {
      throw new Error(`only a software adapter (${adapter.vendor} ${adapter.architecture}): not a GPU`);
    }
    if (!tf.findBackendFactory("webgpu")) {
      throw new Error(
        "the bundle was built without @tensorflow/tfjs-backend-webgpu (an optional dependency)",
      );
    }
    registerWebGpuKernels();
  }
  if (name === "wasm" && !wasmReady) {
    setWasmPaths(options.wasmPaths ?? "./wasm/");
    registerWasmKernels();
    wasmReady = true;
  }
  if (!(await tf.setBackend(name))) throw new Error(`tfjs could not initialise the '${name}' backend`);
  await tf.ready();
}

/**
 * Chooses and activates a backend: `force`, or the first of WebGPU, WASM, CPU that loads. A forced backend that
 * cannot load is an error naming the reason.
 */
export async function initBrowserBackend(options: BrowserBackendOptions = {}): Promise<BrowserBackendInfo> {
  const out: { adapter?: BrowserBackendInfo["adapter"] } = {};
  if (options.force) {
    if (!(BROWSER_BACKENDS as readonly string[]).includes(options.force)) {
      throw new Error(`backend "${options.force}" is not one of ${BROWSER_BACKENDS.join(", ")}`);
    }
    try {
      await tryBackend(options.force, options, out);
    } catch (err) {
      throw new Error(
        `the backend '${options.force}' was requested but could not be loaded: ${message(err)}`,
      );
    }
    return { name: options.force, reason: "forced", skipped: [], adapter: out.adapter };
  }
  const skipped: string[] = [];
  for (const name of BROWSER_BACKENDS) {
    try {
      await tryBackend(name, options, out);
      const reason = skipped.length ? `best available (skipped: ${skipped.join("; ")})` : "best available";
      return { name, reason, skipped, adapter: out.adapter };
    } catch (err) {
      skipped.push(`${name}: ${message(err)}`);
    }
  }
  throw new Error(`no tfjs backend could be loaded:\n  ${skipped.join("\n  ")}`);
}

function message(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split("\n")[0];
}
