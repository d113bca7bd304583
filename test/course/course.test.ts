import assert from "node:assert/strict";
import { course } from "../../src";

/** The lines `fn` prints with console.log. */
function printed(fn: () => void): string[] {
  const lines: string[] = [];
  const log = console.log;
  console.log = (...args: unknown[]) => void lines.push(args.map(String).join(" "));
  try {
    fn();
  } finally {
    console.log = log;
  }
  return lines;
}

describe("course: the notebooks' shared checks", () => {
  beforeEach(() => course.resetChecks());
  after(() => course.resetChecks());

  it("prints OK / DIFFERS lines the course runner counts, and tallies them", () => {
    const lines = printed(() => {
      course.check("names", 8405, 8405, 0);
      course.check("loss", 4.7164, 4.685, 0.02);
      course.check("nan", NaN, 0, 1);
      course.checkRange("share", 0.75, 0.6, 0.9);
      course.checkRange("share", 0.95, 0.6, 0.9);
      course.checkThat("ids equal tiktoken's", true, "293752 ids");
      course.checkThat("no leak", false);
      course.checkSummary();
    });
    assert.deepEqual(lines, [
      "OK       names: 8405 (expected 8405 ± 0)",
      "DIFFERS  loss: 4.7164 (expected 4.685 ± 0.02)",
      "DIFFERS  nan: NaN (expected 0 ± 1)",
      "OK       share: 0.75 (expected in [0.6, 0.9])",
      "DIFFERS  share: 0.95 (expected in [0.6, 0.9])",
      "OK       ids equal tiktoken's: 293752 ids",
      "DIFFERS  no leak",
      "checks: 3 OK, 4 DIFFERS",
    ]);
    assert.deepEqual(course.checkCounts(), { ok: 3, differs: 4 });
    // The marks the runner's pattern looks for.
    assert.equal(course.CHECK_OK, "OK     ");
    assert.equal(course.CHECK_DIFFERS, "DIFFERS");
  });

  it("shows at most six significant digits, integers whole, and the tolerance edge as OK", () => {
    const lines = printed(() => {
      course.check("pi", Math.PI, 3.14159, 0.00001);
      course.check("edge", 2.5, 2, 0.5);
      course.check("big", 1216578, 1216578, 0);
    });
    assert.deepEqual(lines, [
      "OK       pi: 3.14159 (expected 3.14159 ± 0.00001)",
      "OK       edge: 2.5 (expected 2 ± 0.5)",
      "OK       big: 1216578 (expected 1216578 ± 0)",
    ]);
  });

  it("finds the repository root from inside it and says what is wrong outside it", () => {
    const root = course.repositoryRoot(__dirname);
    assert.equal(root, course.repositoryRoot(`${root}/notebooks`));
    assert.throws(
      () => course.repositoryRoot("/"),
      /no llm-ts package\.json above \/; is the library installed\?/,
    );
  });
});
