/**
 * The Chinchilla runs: 245 (N, C, loss) triples read off Figure 4 of Hoffmann et al. (2022) by Epoch AI for their
 * replication (Besiroglu et al. 2024), vendored under `datasets/chinchilla/` (read from the package root, so it
 * works from the repository, `dist/` and notebooks alike; nothing is downloaded).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { cached } from "./cache";

/** One Chinchilla training run. */
export interface ChinchillaRun {
  /** Parameters (the figure's "Model Size"). */
  N: number;
  /** Training FLOPs. */
  C: number;
  /** Tokens, D = C / (6·N). */
  D: number;
  /** Final training loss (nats per token). */
  loss: number;
}

/** The repository root: the nearest folder above this file holding llm-ts's package.json. */
export function packageRoot(): string {
  let dir = __dirname;
  for (;;) {
    const pj = path.join(dir, "package.json");
    if (fs.existsSync(pj) && (JSON.parse(fs.readFileSync(pj, "utf8")) as { name?: string }).name === "llm-ts")
      return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`packageRoot: no llm-ts package.json above ${__dirname}`);
    dir = up;
  }
}

/** Parses Epoch's CSV (columns x, y, color, Model Size, Training FLOP, hex_color, loss); a bad row is named. */
export function parseChinchillaCsv(text: string, file = "svg_extracted_data.csv"): ChinchillaRun[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== "");
  const header = lines[0].split(",");
  const col = (name: string): number => {
    const i = header.indexOf(name);
    if (i < 0) throw new Error(`${file}: no column "${name}" in the header (${header.join(", ")})`);
    return i;
  };
  const [iN, iC, iL] = [col("Model Size"), col("Training FLOP"), col("loss")];
  return lines.slice(1).map((line, k) => {
    const f = line.split(",");
    const [N, C, loss] = [Number(f[iN]), Number(f[iC]), Number(f[iL])];
    if (!(N > 0 && C > 0 && loss > 0)) {
      throw new Error(
        `${file}:${k + 2}: expected positive Model Size, Training FLOP and loss, got "${line}"`,
      );
    }
    return { N, C, D: C / (6 * N), loss };
  });
}

/** All 245 runs, in the file's order. */
export function chinchillaRuns(): readonly ChinchillaRun[] {
  return cached("chinchilla", () => {
    const file = path.join(packageRoot(), "datasets", "chinchilla", "svg_extracted_data.csv");
    if (!fs.existsSync(file)) {
      throw new Error(
        `chinchillaRuns: ${file} is missing; it is part of the repository (git checkout datasets/)`,
      );
    }
    return parseChinchillaCsv(fs.readFileSync(file, "utf8"), file);
  });
}

/** The 240 runs Epoch fits: all but the 5 with the highest loss (the smallest models, off the law's curve). */
export function chinchillaEpochRuns(): ChinchillaRun[] {
  const runs = [...chinchillaRuns()];
  const cut = [...runs].sort((a, b) => b.loss - a.loss)[4].loss;
  return runs.filter((r) => r.loss < cut);
}
