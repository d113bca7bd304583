/**
 * The project-local Jupyter kernelspec for the tslab TypeScript kernel: `build/jupyter/kernels/tslab/kernel.json`,
 * found by Jupyter through `JUPYTER_PATH` (which takes precedence over the user's and the system's kernels).
 * Nothing is installed into the user's Jupyter; `npm run lab`, the nbclient cross-check and the browser check
 * all use this one kernelspec.
 */
import fs from "node:fs";
import path from "node:path";

/** The repository root (this file is tools/lab/kernelspec.ts). */
export const REPO_ROOT = path.resolve(__dirname, "..", "..");

/** The kernel name notebooks carry in `metadata.kernelspec.name`. */
export const KERNEL_NAME = "tslab";

export interface Kernelspec {
  argv: string[];
  display_name: string;
  language: string;
  interrupt_mode: "signal";
  metadata: Record<string, unknown>;
}

export interface KernelspecInstall {
  /** The folder to put on JUPYTER_PATH. */
  jupyterPath: string;
  /** The kernel.json written. */
  kernelJson: string;
  spec: Kernelspec;
}

/** The kernelspec: this Node binary running the repository's own tslab, by absolute paths. */
export function tslabKernelspec(root = REPO_ROOT): Kernelspec {
  const tslab = path.join(
    path.dirname(require.resolve("tslab/package.json", { paths: [root] })),
    "bin",
    "tslab",
  );
  return {
    argv: [process.execPath, tslab, "kernel", "--config-path", "{connection_file}"],
    display_name: "TypeScript (llm-ts)",
    language: "typescript",
    interrupt_mode: "signal",
    metadata: { "llm-ts": { repository: root } },
  };
}

/** Writes `<outDir>/kernels/tslab/kernel.json` (default outDir: build/jupyter) and returns where it is. */
export function writeKernelspec(
  root = REPO_ROOT,
  outDir = path.join(root, "build", "jupyter"),
): KernelspecInstall {
  const spec = tslabKernelspec(root);
  const dir = path.join(outDir, "kernels", KERNEL_NAME);
  fs.mkdirSync(dir, { recursive: true });
  const kernelJson = path.join(dir, "kernel.json");
  fs.writeFileSync(kernelJson, JSON.stringify(spec, null, 2) + "\n");
  return { jupyterPath: outDir, kernelJson, spec };
}

/** `base` with `jupyterPath` put first on JUPYTER_PATH (keeping any entries already there). */
export function jupyterEnv(jupyterPath: string, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const rest = base.JUPYTER_PATH ? [base.JUPYTER_PATH] : [];
  return { ...base, JUPYTER_PATH: [jupyterPath, ...rest].join(path.delimiter) };
}
