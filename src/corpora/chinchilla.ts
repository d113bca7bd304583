/**
 * The Chinchilla runs: 245 (N, C, loss) triples read off Figure 4 of Hoffmann et al. (2022) by Epoch AI for their
 * replication (Besiroglu et al. 2024), vendored under `datasets/chinchilla/` (read from the package root, so it
 * works from the repository, `dist/` and notebooks alike; nothing is downloaded).
 */
import { cached } from "./cache";
import { parseCsv, readCsv } from "./files";

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

/** Parses Epoch's CSV (columns x, y, color, Model Size, Training FLOP, hex_color, loss); a bad row is named. */
export function parseChinchillaCsv(text: string, file = "svg_extracted_data.csv"): ChinchillaRun[] {
  return chinchillaRows(parseCsv(text), file);
}

/** CSV rows (keyed by the header) → runs, checking every number. */
function chinchillaRows(rows: Record<string, string>[], file: string): ChinchillaRun[] {
  for (const name of ["Model Size", "Training FLOP", "loss"]) {
    if (rows.length > 0 && !(name in rows[0])) {
      throw new Error(`${file}: no column "${name}" in the header (${Object.keys(rows[0]).join(", ")})`);
    }
  }
  return rows.map((r, k) => {
    const [N, C, loss] = [Number(r["Model Size"]), Number(r["Training FLOP"]), Number(r.loss)];
    if (!(N > 0 && C > 0 && loss > 0)) {
      throw new Error(
        `${file}:${k + 2}: expected positive Model Size, Training FLOP and loss, got ${JSON.stringify(r)}`,
      );
    }
    return { N, C, D: C / (6 * N), loss };
  });
}

/** All 245 runs, in the file's order. */
export function chinchillaRuns(): readonly ChinchillaRun[] {
  return cached("chinchilla", () =>
    chinchillaRows(
      readCsv("chinchilla", "svg_extracted_data.csv"),
      "datasets/chinchilla/svg_extracted_data.csv",
    ),
  );
}

/** The 240 runs Epoch fits: all but the 5 with the highest loss (the smallest models, off the law's curve). */
export function chinchillaEpochRuns(): ChinchillaRun[] {
  const runs = [...chinchillaRuns()];
  const cut = [...runs].sort((a, b) => b.loss - a.loss)[4].loss;
  return runs.filter((r) => r.loss < cut);
}
