/**
 * A small executed notebook made without a kernel, for `npm run check:browser -- --self-test`: each code cell's
 * output is the display bundle the plot layer would send from tslab (same `mimeBundle`, same `tableBundle`), so
 * the browser check can be proven on this machine before (or without) `npm run course`.
 */
import { plot } from "../../src";

interface Cell {
  cell_type: "markdown" | "code";
  metadata: object;
  source: string[];
  execution_count?: number | null;
  outputs?: object[];
}

function code(n: number, source: string, outputs: object[]): Cell {
  return { cell_type: "code", metadata: {}, source: [source], execution_count: n, outputs };
}

function display(data: Record<string, unknown>): object {
  return { output_type: "display_data", data, metadata: {} };
}

/** The notebook (nbformat 4.5 JSON) and how many plot outputs it holds. */
export async function selfTestNotebook(): Promise<{ notebook: object; plots: number }> {
  const steps = Array.from({ length: 50 }, (_, i) => i + 1);
  const charts = [
    plot.lines(
      [
        { name: "train", x: steps, y: steps.map((s) => 3.3 * s ** -0.3) },
        { name: "val", x: steps, y: steps.map((s) => 3.4 * s ** -0.28) },
      ],
      { title: "Loss (log–log)", xTitle: "step", yTitle: "loss", logX: true, logY: true },
    ),
    plot.layer(
      plot.scatter(
        { x: [1, 2, 3, 4, 5], y: [1.2, 1.8, 3.1, 4.2, 4.8], label: ["a", "b", "c", "d", "e"] },
        { title: "Fit" },
      ),
      plot.lines([{ name: "fit", x: [1, 5], y: [1.1, 5.0] }]),
    ),
    plot.bars({ category: ["the", "of", "and", "to"], value: [120, 70, 65, 50] }, { title: "Word counts" }),
    plot.heatmap(
      [
        [1, 0, 0],
        [0.4, 0.6, 0],
        [0.2, 0.3, 0.5],
      ],
      { xLabels: ["h", "i", "!"], yLabels: ["h", "i", "!"], showValues: true, title: "Attention" },
    ),
    plot.heatmap(
      Array.from({ length: 27 }, (_, i) =>
        Array.from({ length: 27 }, (_, j) => ((i * 7 + j * 13) % 29) ** 3),
      ),
      {
        xLabels: [".", ..."abcdefghijklmnopqrstuvwxyz"],
        yLabels: [".", ..."abcdefghijklmnopqrstuvwxyz"],
        title: "27×27 counts, sqrt colour",
        xTitle: "next",
        yTitle: "previous",
        colorScale: "sqrt",
      },
    ),
  ];
  const cells: Cell[] = [
    {
      cell_type: "markdown",
      metadata: {},
      source: ["# Browser check self-test\n", "Five plots and a table."],
    },
  ];
  for (const [i, fig] of charts.entries()) {
    cells.push(code(i + 1, `await plot.show(chart${i});`, [display(await plot.mimeBundle(fig))]));
  }
  const table = plot.tableBundle(
    [
      { token: "the", count: 120 },
      { token: "of", count: 70 },
    ],
    { title: "Top tokens" },
  );
  cells.push(code(charts.length + 1, "plot.table(top);", [display(table)]));
  const notebook = {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {
      kernelspec: { name: "tslab", display_name: "TypeScript", language: "typescript" },
      language_info: { name: "typescript" },
    },
    cells: cells.map((c, i) => ({ id: `cell-${i}`, ...c })),
  };
  return { notebook, plots: charts.length };
}
