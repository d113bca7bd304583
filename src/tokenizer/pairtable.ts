/**
 * An open-addressing hash table from a pair of token ids (a, b) to the id of the token whose bytes are
 * bytes(a) + bytes(b). It replaces a `Map<string, number>` on the encoder's hot path: no key strings, no
 * allocation, two integer compares per probe.
 */
export class PairTable {
  /** Slots of 4 int32s: [a, b, value, unused]; a = -1 marks an empty slot. One probe reads one cache line. */
  private slots: Int32Array;
  private mask: number;
  private count = 0;

  constructor(expected = 1024) {
    let cap = 16;
    while (cap < expected * 2) cap *= 2;
    this.slots = PairTable.empty(cap);
    this.mask = cap - 1;
  }

  private static empty(cap: number): Int32Array {
    const slots = new Int32Array(cap * 4);
    for (let i = 0; i < slots.length; i += 4) slots[i] = -1;
    return slots;
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
    const slots = this.slots;
    const mask = this.mask;
    let i = PairTable.hash(a, b) & mask;
    for (;;) {
      const at = i << 2;
      const ka = slots[at];
      if (ka === -1) return -1;
      if (ka === a && slots[at + 1] === b) return slots[at + 2];
      i = (i + 1) & mask;
    }
  }

  /** Sets (a, b) → value unless (a, b) is present with a smaller value (the lower rank wins). */
  setMin(a: number, b: number, value: number): void {
    if ((this.count + 1) * 2 > this.mask + 1) this.grow();
    const slots = this.slots;
    const mask = this.mask;
    let i = PairTable.hash(a, b) & mask;
    for (;;) {
      const at = i << 2;
      const ka = slots[at];
      if (ka === -1) {
        slots[at] = a;
        slots[at + 1] = b;
        slots[at + 2] = value;
        this.count++;
        return;
      }
      if (ka === a && slots[at + 1] === b) {
        if (value < slots[at + 2]) slots[at + 2] = value;
        return;
      }
      i = (i + 1) & mask;
    }
  }

  private grow(): void {
    const old = this.slots;
    const cap = (this.mask + 1) * 2;
    this.slots = PairTable.empty(cap);
    this.mask = cap - 1;
    this.count = 0;
    for (let at = 0; at < old.length; at += 4)
      if (old[at] !== -1) this.setMin(old[at], old[at + 1], old[at + 2]);
  }
}
