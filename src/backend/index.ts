/**
 * Picks the fastest tfjs backend this machine can run, reports which one and why, and lets `LLM_BACKEND`
 * force a choice. Order of preference (COURSE.md): CUDA (`tfjs-node-gpu`), native CPU (`tfjs-node`),
 * a real WebGPU adapter (`tfjs-backend-webgpu` over the `webgpu` package), WASM with SIMD, plain JS CPU.
 */
import * as tf from "@tensorflow/tfjs-core";
import * as fs from "node:fs";
import * as path from "node:path";
import { registerWasmKernels } from "./wasm-kernels";
import { registerWebGpuKernels } from "./webgpu-kernels";

export { batchedMatMul, columnSum, dense, fusedAttention, withGrad } from "./ops";

/** The backends the course knows, by the name used in `LLM_BACKEND`. */
export const BACKEND_NAMES = ["node-gpu", "node", "webgpu", "wasm", "cpu"] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

export interface BackendInfo {
  /** The course's name for it (`LLM_BACKEND` value). */
  name: BackendName;
  /** tfjs's own backend name (`tensorflow`, `webgpu`, `wasm`, `cpu`). */
  tfName: string;
  /** Why it was chosen, and why the better ones were skipped. */
  reason: string;
  /** One line per backend tried before it, with the reason it was not used. */
  skipped: string[];
}

export interface InitOptions {
  /** Force a backend, like `LLM_BACKEND`; the option wins over the variable. */
  force?: BackendName;
  /** Print the one-line report (default true; printed once per process). */
  quiet?: boolean;
}

let current: BackendInfo | null = null;
let reported = false;

type Loader = () => Promise<string>;

function requireOptional(id: string): unknown {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(id);
}

function describeError(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.split("\n")[0].slice(0, 160);
}

/** Whether a Vulkan loader library is installed where Linux's dynamic linker looks for it. */
function hasVulkanLoader(): boolean {
  const dirs = [
    ...(process.env.LD_LIBRARY_PATH ?? "").split(":").filter(Boolean),
    "/usr/lib/x86_64-linux-gnu",
    "/usr/lib/aarch64-linux-gnu",
    "/usr/lib64",
    "/usr/lib",
    "/usr/local/lib",
    "/lib/x86_64-linux-gnu",
  ];
  return dirs.some((dir) => fs.existsSync(path.join(dir, "libvulkan.so.1")));
}

const loaders: Record<BackendName, Loader> = {
  "node-gpu": async () => {
    requireOptional("@tensorflow/tfjs-node-gpu");
    return "tensorflow";
  },
  node: async () => {
    requireOptional("@tensorflow/tfjs-node");
    return "tensorflow";
  },
  webgpu: async () => {
    if (process.platform === "linux" && !hasVulkanLoader()) {
      // Dawn would print a native warning and find no adapter anyway; say why in one line instead.
      throw new Error("no Vulkan loader (libvulkan.so.1) on this machine");
    }
    const dawn = requireOptional("webgpu") as { create(flags: string[]): unknown; globals?: object };
    const g = globalThis as unknown as Record<string, unknown>;
    if (dawn.globals) Object.assign(g, dawn.globals);
    const gpu = dawn.create([]) as {
      requestAdapter(): Promise<{
        isFallbackAdapter?: boolean;
        info?: { isFallbackAdapter?: boolean };
      } | null>;
    };
    const adapter = await gpu.requestAdapter();
    if (!adapter) throw new Error("no WebGPU adapter");
    if (adapter.isFallbackAdapter || adapter.info?.isFallbackAdapter) {
      throw new Error("only a software (fallback) WebGPU adapter: not a GPU");
    }
    const nav = (g.navigator ?? {}) as Record<string, unknown>;
    if (!nav.gpu) g.navigator = Object.assign(nav, { gpu });
    requireOptional("@tensorflow/tfjs-backend-webgpu");
    registerWebGpuKernels();
    return "webgpu";
  },
  wasm: async () => {
    const wasm = requireOptional("@tensorflow/tfjs-backend-wasm") as {
      setWasmPaths(prefix: string): void;
    };
    const dir = path.dirname(require.resolve("@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm"));
    wasm.setWasmPaths(dir + path.sep);
    registerWasmKernels();
    return "wasm";
  },
  cpu: async () => {
    requireOptional("@tensorflow/tfjs-backend-cpu");
    return "cpu";
  },
};

async function tryBackend(name: BackendName): Promise<string> {
  const tfName = await loaders[name]();
  const ok = await tf.setBackend(tfName);
  if (!ok) throw new Error(`tfjs could not initialise the '${tfName}' backend`);
  await tf.ready();
  return tfName;
}

function parseForced(value: string | undefined): BackendName | undefined {
  if (value === undefined || value === "") return undefined;
  if ((BACKEND_NAMES as readonly string[]).includes(value)) return value as BackendName;
  throw new Error(`LLM_BACKEND=${value} is not a backend; use one of: ${BACKEND_NAMES.join(", ")}`);
}

/**
 * Chooses and activates a backend (once per process; later calls return the same choice) and prints
 * `backend: wasm — <reason>` once. A forced backend that cannot load is an error that says why.
 */
export async function initBackend(options: InitOptions = {}): Promise<BackendInfo> {
  if (current) return current;
  const forced = options.force ?? parseForced(process.env.LLM_BACKEND);
  const skipped: string[] = [];
  if (forced) {
    try {
      const tfName = await tryBackend(forced);
      current = {
        name: forced,
        tfName,
        reason: `forced by ${options.force ? "initBackend({force})" : "LLM_BACKEND"}`,
        skipped,
      };
    } catch (err) {
      throw new Error(
        `The backend '${forced}' was requested but could not be loaded: ${describeError(err)}. ` +
          `Unset LLM_BACKEND to pick one automatically, or install its package (see README, "GPU").`,
      );
    }
  } else {
    for (const name of BACKEND_NAMES) {
      try {
        const tfName = await tryBackend(name);
        const why = skipped.length ? `best available (skipped: ${skipped.join("; ")})` : "best available";
        current = { name, tfName, reason: why, skipped };
        break;
      } catch (err) {
        skipped.push(`${name}: ${describeError(err)}`);
      }
    }
    if (!current) throw new Error(`No tfjs backend could be loaded:\n  ${skipped.join("\n  ")}`);
  }
  if (!options.quiet && !reported) {
    reported = true;
    console.log(`backend: ${current.name} — ${current.reason}`);
  }
  return current;
}

/** The backend chosen by `initBackend`, or null before it ran. */
export function currentBackend(): BackendInfo | null {
  return current;
}

/**
 * The course's name of the backend tfjs runs on now: the one `initBackend` chose, or, when a backend was set
 * with `tf.setBackend` instead, the course backend with that tfjs name (`tensorflow` counts as `node`);
 * undefined for a tfjs backend the course does not know.
 */
export function activeBackend(): BackendName | undefined {
  const tfName = tf.getBackend();
  if (current && current.tfName === tfName) return current.name;
  const byTfName: Record<string, BackendName> = {
    wasm: "wasm",
    cpu: "cpu",
    webgpu: "webgpu",
    tensorflow: "node",
  };
  return byTfName[tfName];
}
export { gatherRows, scatterAddRows } from "./rows";
