/**
 * Where the oracle keeper's prices come from, behind one interface. Local mode has two
 * implementations: a seeded random walk and a JSON price file re-read every tick. In production the
 * keeper does not invent prices: Pyth updates come from Pyth's Hermes service and Data Streams
 * reports from Chainlink's Data Streams API, both already signed by their networks (see
 * docs/keepers.md, "production inputs"); `PriceInput` then only feeds the keeper's own signed quotes.
 */
import { readFileSync } from "node:fs";
import { parseUnits } from "ethers";

/** A USD price (18 decimals) per market symbol at `now`. */
export interface PriceInput {
  prices(symbols: readonly string[], now: number): Promise<Map<string, bigint>>;
}

/** mulberry32: a small seeded PRNG, so a local run is reproducible. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Each call moves every price by a uniform step in ±`stepBps` (basis points), never below 1 % of
 * its start (a walk cannot reach zero).
 */
export class RandomWalkPriceInput implements PriceInput {
  private readonly current: Map<string, bigint>;
  private readonly floors: Map<string, bigint>;
  private readonly random: () => number;

  constructor(
    initialX18: ReadonlyMap<string, bigint>,
    private readonly stepBps: number,
    seed: number,
  ) {
    this.current = new Map(initialX18);
    this.floors = new Map([...initialX18].map(([s, p]) => [s, p / 100n]));
    this.random = seededRandom(seed);
  }

  async prices(symbols: readonly string[]): Promise<Map<string, bigint>> {
    const out = new Map<string, bigint>();
    for (const symbol of symbols) {
      const price = this.current.get(symbol);
      if (price === undefined) throw new Error(`random walk has no start price for ${symbol}`);
      const stepBps = BigInt(Math.round((this.random() * 2 - 1) * this.stepBps));
      const next = (price * (10_000n + stepBps)) / 10_000n;
      const floor = this.floors.get(symbol) ?? 1n;
      this.current.set(symbol, next < floor ? floor : next);
      out.set(symbol, this.current.get(symbol)!);
    }
    return out;
  }
}

/** Reads `{"AAPL": "231.50", ...}` (decimal strings or numbers, USD) from `path` on every call. */
export class FilePriceInput implements PriceInput {
  constructor(private readonly path: string) {}

  async prices(symbols: readonly string[]): Promise<Map<string, bigint>> {
    const json = JSON.parse(readFileSync(this.path, "utf8")) as Record<string, unknown>;
    const out = new Map<string, bigint>();
    for (const symbol of symbols) {
      const value = json[symbol];
      if (typeof value !== "string" && typeof value !== "number") {
        throw new Error(`${this.path} has no price for ${symbol}`);
      }
      const x18 = parseUnits(String(value), 18);
      if (x18 <= 0n) throw new Error(`${this.path}: price of ${symbol} must be positive`);
      out.set(symbol, x18);
    }
    return out;
  }
}
