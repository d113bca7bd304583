/** L-BFGS on standard problems with known minima: Rosenbrock's valley and quadratics. */
import * as assert from "node:assert/strict";
import { minimizeLbfgs } from "../../src/scaling";

describe("scaling: L-BFGS", () => {
  it("finds Rosenbrock's minimum (1, 1) from (−1.2, 1)", () => {
    // f = (1 − x)² + 100(y − x²)²
    const r = minimizeLbfgs(
      (p, g) => {
        const [x, y] = [p[0], p[1]];
        g[0] = -2 * (1 - x) - 400 * x * (y - x * x);
        g[1] = 200 * (y - x * x);
        return (1 - x) ** 2 + 100 * (y - x * x) ** 2;
      },
      [-1.2, 1],
    );
    assert.ok(r.converged, r.reason);
    assert.ok(Math.abs(r.x[0] - 1) < 1e-6 && Math.abs(r.x[1] - 1) < 1e-6, `got ${Array.from(r.x)}`);
    assert.ok(r.f < 1e-12, `f = ${r.f}`);
    assert.ok(r.iterations < 100, `${r.iterations} iterations`);
  });

  it("finds the 10-dimensional Rosenbrock minimum", () => {
    const n = 10;
    const r = minimizeLbfgs((x, g) => {
      let f = 0;
      g.fill(0);
      for (let i = 0; i < n - 1; i++) {
        const a = x[i + 1] - x[i] * x[i];
        f += 100 * a * a + (1 - x[i]) ** 2;
        g[i] += -400 * x[i] * a - 2 * (1 - x[i]);
        g[i + 1] += 200 * a;
      }
      return f;
    }, new Array(n).fill(-1));
    assert.ok(r.converged, r.reason);
    for (const v of r.x) assert.ok(Math.abs(v - 1) < 1e-5, `got ${Array.from(r.x)}`);
  });

  it("solves an ill-conditioned quadratic ½xᵀAx − bᵀx exactly (x* = A⁻¹b)", () => {
    // A = diag(1, 10, 100, 1000) plus a coupling 0.5 between x0 and x1; b = (1, 2, 3, 4).
    const A = [
      [1, 0.5, 0, 0],
      [0.5, 10, 0, 0],
      [0, 0, 100, 0],
      [0, 0, 0, 1000],
    ];
    const b = [1, 2, 3, 4];
    const r = minimizeLbfgs(
      (x, g) => {
        let f = 0;
        for (let i = 0; i < 4; i++) {
          let ax = 0;
          for (let j = 0; j < 4; j++) ax += A[i][j] * x[j];
          g[i] = ax - b[i];
          f += 0.5 * x[i] * ax - b[i] * x[i];
        }
        return f;
      },
      [0, 0, 0, 0],
    );
    // 2×2 block: det = 10 − 0.25 = 9.75; x0 = (10·1 − 0.5·2)/9.75, x1 = (1·2 − 0.5·1)/9.75.
    const expected = [9 / 9.75, 1.5 / 9.75, 0.03, 0.004];
    assert.ok(r.converged, r.reason);
    expected.forEach((e, i) => assert.ok(Math.abs(r.x[i] - e) < 1e-8, `x${i} = ${r.x[i]}, expected ${e}`));
  });

  it("says when it did not converge", () => {
    const r = minimizeLbfgs(
      (x, g) => {
        g[0] = -1;
        return -x[0];
      },
      [0],
      { maxIterations: 5 },
    );
    assert.equal(r.converged, false);
    const nan = minimizeLbfgs(
      (_x, g) => {
        g[0] = NaN;
        return NaN;
      },
      [0],
    );
    assert.equal(nan.converged, false);
    assert.equal(nan.reason, "not finite");
  });
});
