/**
 * The stock market of the demo: one scripted, seeded price path per stock, as the real exchanges
 * would print it. It moves only while the calendar has a live session (a random walk scaled by
 * √time), and it carries the week's events: the AAPL news priced in at the Sunday-evening open, the
 * TSLA gap at the same open, the NVDA split (prices per new share from the effective time) and the
 * SPY dividend (the price drops by the dividend at the ex-time).
 *
 * It implements the oracle keeper's `PriceInput`, so the real keeper pushes these prices to the
 * mock Pyth, Chainlink and Data Streams sources exactly as it would push a price file.
 */
import { Session, type MarketCalendar } from "../../sdk/calendar.js";
import type { PriceInput } from "../../keepers/oracle/prices.js";
import { seededRandom } from "../../keepers/oracle/prices.js";
import { DIVIDEND, GAP, NEWS, SPLIT } from "./timeline.js";

/** Hourly volatility of the walk while a session is live (≈ 1.2 % a trading day of 6.5 h). */
const HOURLY_VOLATILITY = 0.005;

export const toX18 = (usd: number): bigint => BigInt(Math.round(usd * 1e6)) * 10n ** 12n;
export const fromX18 = (x18: bigint): number => Number(x18 / 10n ** 12n) / 1e6;

interface StockPath {
  priceUsd: number;
  lastTime: number;
}

export class ScriptedMarket implements PriceInput {
  private readonly paths = new Map<string, StockPath>();
  private readonly random: () => number;
  private readonly applied = new Set<string>();

  constructor(
    initialUsd: ReadonlyMap<string, number>,
    startTime: number,
    private readonly calendar: MarketCalendar,
    seed: number,
  ) {
    for (const [symbol, priceUsd] of initialUsd) this.paths.set(symbol, { priceUsd, lastTime: startTime });
    this.random = seededRandom(seed);
  }

  /** The stock's printed price at `now` (advancing its path to `now`). */
  priceUsd(symbol: string, now: number): number {
    const path = this.paths.get(symbol);
    if (path === undefined) throw new Error(`no price path for ${symbol}`);
    if (now > path.lastTime) {
      const live = this.calendar.sessionAt(now) !== Session.CLOSED;
      if (live) {
        const hours = (now - path.lastTime) / 3_600;
        const shock = (this.random() * 2 - 1) * Math.sqrt(3) * HOURLY_VOLATILITY * Math.sqrt(hours);
        path.priceUsd *= 1 + shock;
      }
      path.lastTime = now;
    }
    this.applyEvents(symbol, path, now);
    return path.priceUsd;
  }

  /** Each scripted event changes the path once, at the first price read at or after its time. */
  private applyEvents(symbol: string, path: StockPath, now: number): void {
    const once = (key: string, due: boolean, apply: () => void): void => {
      if (due && !this.applied.has(key)) {
        this.applied.add(key);
        apply();
      }
    };
    if (symbol === SPLIT.symbol) {
      once("split", now >= SPLIT.effectiveTime, () => {
        path.priceUsd = (path.priceUsd * SPLIT.denominator) / SPLIT.numerator;
      });
    }
    if (symbol === DIVIDEND.symbol) {
      once("dividend", now >= DIVIDEND.exTime, () => {
        path.priceUsd -= DIVIDEND.amountUsd;
      });
    }
    if (symbol === NEWS.symbol) {
      once("news", now >= GAP.time, () => {
        path.priceUsd *= 1 + NEWS.openMove;
      });
    }
    if (symbol === GAP.symbol) {
      once("gap", now >= GAP.time, () => {
        path.priceUsd *= 1 + GAP.move;
      });
    }
  }

  async prices(symbols: readonly string[], now: number): Promise<Map<string, bigint>> {
    return new Map(symbols.map((s) => [s, toX18(this.priceUsd(s, now))]));
  }
}
