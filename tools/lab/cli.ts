/**
 * `npm run lab [-- --print-env | <jupyter options…>]`: registers the tslab TypeScript kernel project-locally
 * (build/jupyter/kernels/tslab, put first on JUPYTER_PATH; nothing is installed into the user's Jupyter) and
 * opens JupyterLab — or the classic Notebook where JupyterLab is missing — on the notebooks/ folder.
 * Without Jupyter it says what to install and exits 1. `--print-env` only writes the kernelspec and prints
 * `JUPYTER_PATH=…` (for scripts: `eval "$(npm run -s lab -- --print-env)"`).
 */
import { spawn, spawnSync } from "node:child_process";
import path from "node:path";
import { jupyterEnv, REPO_ROOT, writeKernelspec } from "./kernelspec";

const INSTALL_HELP = `Jupyter is not installed (no \`jupyter lab\` or \`jupyter notebook\` on PATH). Install one of:
  pip install jupyterlab                      # JupyterLab (any OS; in a virtualenv or with --user)
  sudo apt-get install jupyter-notebook       # Debian/Ubuntu: the classic Notebook
then run \`npm run lab\` again. (The TypeScript kernel itself comes with \`npm install\`.)`;

/** Whether `jupyter <sub> --version` works with this environment. */
function hasJupyter(sub: "lab" | "notebook", env: NodeJS.ProcessEnv): boolean {
  const r = spawnSync("jupyter", [sub, "--version"], { env, stdio: "ignore", timeout: 60_000 });
  return r.status === 0;
}

function main(): void {
  const argv = process.argv.slice(2);
  const { jupyterPath, kernelJson } = writeKernelspec();
  const env = jupyterEnv(jupyterPath);
  if (argv.includes("--print-env")) {
    console.log(`JUPYTER_PATH=${env.JUPYTER_PATH}`);
    return;
  }
  const app = hasJupyter("lab", env) ? "lab" : hasJupyter("notebook", env) ? "notebook" : undefined;
  if (!app) {
    console.error(`lab: ${INSTALL_HELP}`);
    process.exit(1);
  }
  const notebooks = path.join(REPO_ROOT, "notebooks");
  console.log(`lab: kernel "TypeScript (llm-ts)" registered in ${path.relative(process.cwd(), kernelJson)}`);
  console.log(
    `lab: starting jupyter ${app} in ${path.relative(process.cwd(), notebooks) || "."}/ (Ctrl-C stops it)`,
  );
  // --notebook-dir is understood by JupyterLab (alias of ServerApp.root_dir) and by the classic Notebook.
  const args = [app, `--notebook-dir=${notebooks}`, ...argv];
  // Jupyter refuses to start as root (containers, CI) unless told to.
  if (process.getuid?.() === 0 && !argv.includes("--allow-root")) args.push("--allow-root");
  const child = spawn("jupyter", args, { env, stdio: "inherit" });
  // Ctrl-C reaches Jupyter directly (same terminal); forward termination requests too.
  for (const sig of ["SIGTERM", "SIGHUP"] as const) process.on(sig, () => child.kill(sig));
  process.on("SIGINT", () => undefined);
  child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

main();
