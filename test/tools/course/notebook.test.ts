import assert from "node:assert/strict";
import { checkNotebookText } from "../../../tools/course/check-clean";
import {
  clearOutputs,
  dirtyCells,
  parseNotebook,
  serializeNotebook,
  splitLines,
  validateNotebook,
  type Notebook,
} from "../../../tools/course/notebook";

/** What nbformat 5.5 (`nbformat.writes`, Python) writes for `sample()`: the byte-for-byte reference. */
const NBFORMAT_TEXT =
  '{\n "cells": [\n  {\n   "cell_type": "markdown",\n   "id": "m1",\n   "metadata": {},\n   "source": [\n    "# Title\\n",\n    "line two"\n   ]\n  },\n  {\n   "cell_type": "code",\n   "execution_count": 3,\n   "id": "c1",\n   "metadata": {},\n   "outputs": [\n    {\n     "name": "stdout",\n     "output_type": "stream",\n     "text": [\n      "one\\n",\n      "two\\n"\n     ]\n    },\n    {\n     "data": {\n      "application/vnd.vegalite.v5+json": {\n       "b": [\n        1,\n        2\n       ],\n       "mark": "line"\n      },\n      "image/svg+xml": [\n       "<svg>\\n",\n       "</svg>"\n      ],\n      "text/plain": [\n       "x\\n",\n       "y"\n      ]\n     },\n     "metadata": {},\n     "output_type": "display_data"\n    }\n   ],\n   "source": [\n    "const a = 1;\\n",\n    "a"\n   ]\n  }\n ],\n "metadata": {\n  "kernelspec": {\n   "display_name": "TypeScript",\n   "language": "typescript",\n   "name": "tslab"\n  }\n },\n "nbformat": 4,\n "nbformat_minor": 5\n}\n';

function sample(): Notebook {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: "tslab", display_name: "TypeScript", language: "typescript" } },
    cells: [
      { cell_type: "markdown", id: "m1", metadata: {}, source: "# Title\nline two" },
      {
        cell_type: "code",
        id: "c1",
        metadata: {},
        source: "const a = 1;\na",
        execution_count: 3,
        outputs: [
          { output_type: "stream", name: "stdout", text: "one\ntwo\n" },
          {
            output_type: "display_data",
            metadata: {},
            data: {
              "text/plain": "x\ny",
              "image/svg+xml": "<svg>\n</svg>",
              "application/vnd.vegalite.v5+json": { mark: "line", b: [1, 2] },
            },
          },
        ],
      },
    ],
  };
}

describe("course runner: notebooks (nbformat 4)", () => {
  it("writes exactly what Jupyter's nbformat writes, and reads it back", () => {
    const text = serializeNotebook(sample());
    assert.equal(text, NBFORMAT_TEXT);
    const back = parseNotebook(text);
    assert.equal(serializeNotebook(back), text);
    assert.deepEqual(back.cells[1].source, ["const a = 1;\n", "a"]);
  });

  it("clears outputs, execution counts and nbclient timings, and then reports the notebook clean", () => {
    const nb = sample();
    (nb.cells[1].metadata as Record<string, unknown>).execution = { "shell.execute_reply": "2026-01-01" };
    assert.deepEqual(dirtyCells(nb), [{ cell: 2, outputs: 2, executionCount: 3, timings: true }]);
    const clean = clearOutputs(nb);
    assert.deepEqual(dirtyCells(clean), []);
    const code = clean.cells[1];
    assert.ok(code.cell_type === "code" && code.outputs.length === 0 && code.execution_count === null);
    assert.deepEqual(code.metadata, {});
    assert.equal(nb.cells[1].cell_type === "code" && nb.cells[1].outputs.length, 2, "input left untouched");
    const round = parseNotebook(serializeNotebook(clean));
    assert.deepEqual(dirtyCells(round), []);
    assert.equal(round.cells[0].source.length, 2);
  });

  it("check:notebooks names files and cells with outputs, bad JSON, and a foreign kernel", () => {
    const dirty = checkNotebookText(serializeNotebook(sample()), "nb/00-x.ipynb");
    assert.deepEqual(dirty.fixable, ["nb/00-x.ipynb: cell 2 has 2 outputs, execution_count 3"]);
    assert.deepEqual(dirty.other, []);
    assert.deepEqual(checkNotebookText(serializeNotebook(clearOutputs(sample())), "f"), {
      fixable: [],
      other: [],
    });
    assert.match(checkNotebookText('{"cells": [', "bad.ipynb").other[0], /^bad\.ipynb: invalid JSON/);
    const python = sample();
    python.metadata.kernelspec = { name: "python3", display_name: "Python 3" };
    assert.match(checkNotebookText(serializeNotebook(python), "p").other[0], /kernelspec\.name is "python3"/);
  });

  it("validates the nbformat structure with useful messages", () => {
    assert.deepEqual(validateNotebook(sample()), []);
    assert.deepEqual(validateNotebook([]), ["not a JSON object"]);
    const bad = { nbformat: 3, nbformat_minor: 5, metadata: {}, cells: [{ cell_type: "code", source: 1 }] };
    const problems = validateNotebook(bad);
    assert.ok(problems.includes("nbformat is 3, expected 4"), problems.join("; "));
    assert.ok(problems.includes("cell 1: source is not text"));
    assert.ok(problems.includes("cell 1: outputs is not a list"));
    assert.ok(problems.includes("cell 1: missing id (required by nbformat 4.5)"));
    assert.throws(
      () => parseNotebook(JSON.stringify(bad), "x.ipynb"),
      /x\.ipynb: not an nbformat-4 notebook/,
    );
  });

  it("splits text into lines the way nbformat does", () => {
    assert.deepEqual(splitLines("a\nb"), ["a\n", "b"]);
    assert.deepEqual(splitLines("a\n\nb\n"), ["a\n", "\n", "b\n"]);
    assert.deepEqual(splitLines(""), []);
  });
});
