/**
 * An open-addressing hash table from a pair of token ids (a, b) to the id of the token whose bytes are
 * bytes(a) + bytes(b). It replaces a `Map<string, number>` on the encoder's hot path: no key strings, no
 * allocation, two integer compares per probe.
 */
export class PairTable {
  private keysA: Int32Array;
  private keysB: Int32Array;
  private vals: Int32Array;
  private mask: number;
  private count = 0;

  constructor(expected = 1024) {
    let cap = 16;
    while (cap < expected * 2) cap *= 2;
    this.keysA = new Int32Array(cap).fill(-1);
    this.keysB = new Int32Array(cap);
    this.vals = new Int32Array(cap);
    this.mask = cap - 1;
  }

  /** Entries stored. */
  get size(): number {
    return this.count;
  }

  private static hash(a: number, b: number): number {
    let h = Math.imul(a, 0x9e3779b1) ^ Math.imul(b + 0x7f4a7c15, 0x85ebca77);
    h ^= h >>> 15;
    return Math.imul(h, 0x2c1b3c6d);
  }

  /** The value for (a, b), or -1. */
  get(a: number, b: number): number {
    const mask = this.mask;
    let i = PairTable.hash(a, b) & mask;
    for (;;) {
      const ka = this.keysA[i];
      if (ka === -1) return -1;
      if (ka === a && this.keysB[i] === b) return this.vals[i];
      i = (i + 1) & mask;
    }
  }

  /** Sets (a, b) → value unless (a, b) is present with a smaller value (the lower rank wins). */
  setMin(a: number, b: number, value: number): void {
    if ((this.count + 1) * 2 > this.keysA.length) this.grow();
    const mask = this.mask;
    let i = PairTable.hash(a, b) & mask;
    for (;;) {
      const ka = this.keysA[i];
      if (ka === -1) {
        this.keysA[i] = a;
        this.keysB[i] = b;
        this.vals[i] = value;
        this.count++;
        return;
      }
      if (ka === a && this.keysB[i] === b) {
        if (value < this.vals[i]) this.vals[i] = value;
        return;
      }
      i = (i + 1) & mask;
    }
  }

  private grow(): void {
    const { keysA, keysB, vals } = this;
    const cap = keysA.length * 2;
    this.keysA = new Int32Array(cap).fill(-1);
    this.keysB = new Int32Array(cap);
    this.vals = new Int32Array(cap);
    this.mask = cap - 1;
    this.count = 0;
    for (let i = 0; i < keysA.length; i++) if (keysA[i] !== -1) this.setMin(keysA[i], keysB[i], vals[i]);
  }
}
