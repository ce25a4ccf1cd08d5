/**
 * A small seeded random source for the clearinghouse differential tests, so every run compares the
 * same cases (mulberry32 for 32-bit words, assembled into bigints).
 */
export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A uniform 32-bit unsigned integer. */
  next32(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** A uniform float in [0, 1). */
  float(): number {
    return this.next32() / 4_294_967_296;
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.float() < p;
  }

  /** A uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.float() * n);
  }

  /** A uniform element of `items`. */
  pick<T>(items: readonly T[]): T {
    const item = items[this.int(items.length)];
    if (item === undefined) throw new Error("pick from an empty list");
    return item;
  }

  /** A uniform unsigned bigint of `bits` bits. */
  bits(bits: number): bigint {
    let value = 0n;
    for (let filled = 0; filled < bits; filled += 32) value = (value << 32n) | BigInt(this.next32());
    const excess = Math.ceil(bits / 32) * 32 - bits;
    return value >> BigInt(excess);
  }

  /** A uniform bigint in [min, max]. */
  between(min: bigint, max: bigint): bigint {
    if (max < min) throw new Error("empty range");
    const span = max - min + 1n;
    const bitLength = span.toString(2).length + 16;
    return min + (this.bits(bitLength) % span);
  }

  /** A bigint whose magnitude is log-uniform in [1, 10^maxDigits] (many scales, many roundings). */
  magnitude(maxDigits: number): bigint {
    const digits = this.int(maxDigits) + 1;
    return this.between(1n, 10n ** BigInt(digits));
  }

  /** `magnitude(maxDigits)` with a random sign. */
  signed(maxDigits: number): bigint {
    const value = this.magnitude(maxDigits);
    return this.chance(0.5) ? value : -value;
  }
}

/** Splits `items` into consecutive chunks of at most `size`. */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const result: T[][] = [];
  for (let i = 0; i < items.length; i += size) result.push(items.slice(i, i + size));
  return result;
}
