/**
 * Locality-sensitive hashing over MinHash signatures ("banding"). A signature of k = bands × rows values is cut
 * into `bands` bands of `rows` values; two documents become a candidate pair when all rows of at least one
 * band agree. For a pair with Jaccard similarity s each row agrees with probability s, so
 *
 *   P(candidate) = 1 − (1 − s^rows)^bands,
 *
 * an S-curve whose steepest point sits near the threshold t ≈ (1/bands)^(1/rows).
 */
import { fmix32 } from "./hash";

// @answer 05.lshProbability
/** The probability 1 − (1 − s^rows)^bands that a pair with Jaccard similarity `s` becomes a candidate. */
export function lshProbability(s: number, bands: number, rows: number): number {
  if (!(s >= 0 && s <= 1)) throw new Error(`lshProbability: similarity must be in [0, 1], got ${s}`);
  if (!Number.isInteger(bands) || bands < 1 || !Number.isInteger(rows) || rows < 1) {
    throw new Error(`lshProbability: bands and rows must be positive integers, got ${bands} × ${rows}`);
  }
  return 1 - Math.pow(1 - Math.pow(s, rows), bands);
}
// @end-answer

/** The approximate similarity where the S-curve is steepest: (1/bands)^(1/rows). */
export function lshThreshold(bands: number, rows: number): number {
  return Math.pow(1 / bands, 1 / rows);
}

/**
 * The bands × rows (with bands·rows ≤ numPerm) that minimise the weighted area of false positives
 * (∫₀ᵗ P(s) ds) plus false negatives (∫ₜ¹ 1 − P(s) ds) around `threshold` — the same criterion as the
 * `datasketch` library. A larger `fnWeight` favours recall.
 */
export function chooseBandsRows(
  numPerm: number,
  threshold: number,
  options: { fpWeight?: number; fnWeight?: number } = {},
): { bands: number; rows: number } {
  const fpWeight = options.fpWeight ?? 0.5;
  const fnWeight = options.fnWeight ?? 0.5;
  const integrate = (f: (s: number) => number, a: number, b: number): number => {
    const steps = 200;
    const h = (b - a) / steps;
    let acc = 0;
    for (let i = 0; i < steps; i++) acc += f(a + (i + 0.5) * h) * h;
    return acc;
  };
  let best = { bands: 1, rows: numPerm };
  let bestErr = Infinity;
  for (let bands = 1; bands <= numPerm; bands++) {
    for (let rows = 1; bands * rows <= numPerm; rows++) {
      const fp = integrate((s) => lshProbability(s, bands, rows), 0, threshold);
      const fn = integrate((s) => 1 - lshProbability(s, bands, rows), threshold, 1);
      const err = fpWeight * fp + fnWeight * fn;
      if (err < bestErr) {
        bestErr = err;
        best = { bands, rows };
      }
    }
  }
  return best;
}

/**
 * An LSH index: one hash table per band mapping the band's `rows` signature values to the ids inserted with
 * them. Memory grows by `bands` small entries per inserted document, not by its text.
 */
export class LshIndex {
  readonly bands: number;
  readonly rows: number;
  private readonly tables: Map<number, number[]>[];

  constructor(bands: number, rows: number) {
    if (!Number.isInteger(bands) || bands < 1 || !Number.isInteger(rows) || rows < 1) {
      throw new Error(`LshIndex: bands and rows must be positive integers, got ${bands} × ${rows}`);
    }
    this.bands = bands;
    this.rows = rows;
    this.tables = Array.from({ length: bands }, () => new Map<number, number[]>());
  }

  /**
   * The bucket key of band `band`: its `rows` values mixed into a 30-bit integer (a small integer is the
   * fastest Map key in V8). Two different bands collide with probability 2^-30: that only adds a candidate,
   * which verification then rejects.
   */
  private key(sig: ArrayLike<number>, band: number): number {
    let h = 0x1b873593 ^ band;
    const start = band * this.rows;
    for (let r = 0; r < this.rows; r++) h = fmix32(Math.imul(h, 0x9e3779b1) ^ sig[start + r]);
    return h >>> 2;
  }

  private check(sig: ArrayLike<number>): void {
    if (sig.length < this.bands * this.rows) {
      throw new Error(
        `LshIndex: signature has ${sig.length} values, fewer than bands × rows = ${this.bands * this.rows}`,
      );
    }
  }

  /** Adds document `id` with signature `sig` (length ≥ bands × rows). */
  insert(id: number, sig: ArrayLike<number>): void {
    this.check(sig);
    for (let band = 0; band < this.bands; band++) {
      const table = this.tables[band];
      const k = this.key(sig, band);
      const bucket = table.get(k);
      if (bucket) bucket.push(id);
      else table.set(k, [id]);
    }
  }

  /** The ids already inserted that share at least one band with `sig`, each once, in insertion order. */
  query(sig: ArrayLike<number>): number[] {
    this.check(sig);
    const seen = new Set<number>();
    for (let band = 0; band < this.bands; band++) {
      const bucket = this.tables[band].get(this.key(sig, band));
      if (bucket) for (const id of bucket) seen.add(id);
    }
    return [...seen].sort((a, b) => a - b);
  }

  /** Every candidate pair [i, j] (i < j) among inserted documents: pairs sharing a bucket in some band. */
  candidatePairs(): Array<[number, number]> {
    const pairs = new Set<number>();
    const out: Array<[number, number]> = [];
    for (const table of this.tables) {
      for (const bucket of table.values()) {
        if (bucket.length < 2) continue;
        for (let x = 0; x < bucket.length; x++) {
          for (let y = x + 1; y < bucket.length; y++) {
            const i = Math.min(bucket[x], bucket[y]);
            const j = Math.max(bucket[x], bucket[y]);
            const code = i * 67108864 + j;
            if (!pairs.has(code)) {
              pairs.add(code);
              out.push([i, j]);
            }
          }
        }
      }
    }
    return out;
  }
}
