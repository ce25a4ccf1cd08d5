/**
 * The demo's traders: seeded, deterministic accounts with different styles. None of them ever
 * sends a transaction — they sign EIP-712 orders with the SDK and hand them to the matcher, which
 * pays the gas (SPEC 5.2).
 *
 * - market makers (one per market) quote both sides around the oracle's price (post-only), skewed
 *   by their inventory, wider off-hours; after the AAPL news they centre AAPL above the mark;
 * - momentum takers follow the last move, mean-reversion takers fade the distance to an average,
 *   noise takers flip a coin; all cross the book with short-lived orders and keep their leverage
 *   under a cap by trading against their position when it is too large;
 * - news traders buy AAPL all weekend once the news is out;
 * - levered longs buy TSLA on Friday afternoon at 2.5× to 6× and hold it through the weekend.
 */
import { Wallet } from "ethers";
import { Session } from "../../sdk/calendar.js";
import { FLAG_POST_ONLY, accountId, type Order } from "../../sdk/orders.js";
import { seededRandom } from "../../keepers/oracle/prices.js";
import { GAP, LEVERED_OPEN, NEWS } from "./timeline.js";

export type Style = "maker" | "momentum" | "meanReversion" | "noise" | "news" | "levered";

export interface Trader {
  name: string;
  style: Style;
  wallet: Wallet;
  account: string;
  collateralUsd: number;
  /** Symbols this trader trades. */
  markets: string[];
  /** Levered longs: the leverage they open at. */
  leverage: number;
  nextNonce: bigint;
  /** Shares held per symbol, as last read or settled (+ long, − short). */
  positions: Map<string, number>;
  /** Levered longs: whether the position is open. */
  opened: boolean;
}

/** What a trader sees of one market at a step (from `OracleAdapter.priceState`). */
export interface MarketView {
  symbol: string;
  marketId: string;
  /** The oracle's state accepts new risk (OPEN, or CLOSED with internal pricing) and no breaker halt. */
  tradable: boolean;
  /** Priced internally (CLOSED or DEGRADED): the mark is the venue's EMA inside the band. */
  internal: boolean;
  session: Session;
  indexUsd: number;
  markUsd: number;
  bandLowUsd: number;
  bandHighUsd: number;
  epoch: bigint;
}

export interface OrderIntent {
  trader: Trader;
  order: Order;
}

export const SYMBOLS = ["AAPL", "TSLA", "NVDA", "SPY", "QQQ"] as const;
const X18 = 10n ** 18n;
/** Sizes are multiples of the markets' 0.001-share step; prices of the 0.01 tick. */
const STEP_SHARES = 1_000;
const TICK = 100;

export function sharesX18(shares: number): bigint {
  return BigInt(Math.floor(Math.abs(shares) * STEP_SHARES)) * (X18 / BigInt(STEP_SHARES));
}

function priceX18(usd: number, roundUp: boolean): bigint {
  const ticks = roundUp ? Math.ceil(usd * TICK - 1e-9) : Math.floor(usd * TICK + 1e-9);
  return BigInt(ticks) * (X18 / BigInt(TICK));
}

interface RosterEntry {
  style: Style;
  count: number;
  collateralUsd: number;
}

/** The full run's 34 accounts; the quick run keeps the makers, the news traders and the levered longs. */
function roster(quick: boolean): RosterEntry[] {
  return [
    { style: "maker", count: 5, collateralUsd: 3_000_000 },
    { style: "momentum", count: quick ? 2 : 6, collateralUsd: 150_000 },
    { style: "meanReversion", count: quick ? 2 : 6, collateralUsd: 150_000 },
    { style: "noise", count: quick ? 2 : 6, collateralUsd: 100_000 },
    { style: "news", count: 3, collateralUsd: 200_000 },
    { style: "levered", count: 4, collateralUsd: 10_000 },
  ];
}

/** Leverage of the four levered longs: one survives the gap, two are liquidated, one goes bankrupt. */
export const LEVERED_LEVERAGE = [2.5, 4, 5, 6] as const;

export function createTraders(makeWallet: (name: string) => Wallet, quick: boolean): Trader[] {
  const traders: Trader[] = [];
  for (const entry of roster(quick)) {
    for (let i = 0; i < entry.count; i++) {
      const name = `${entry.style}-${i + 1}`;
      const wallet = makeWallet(name);
      const markets =
        entry.style === "maker"
          ? [SYMBOLS[i % SYMBOLS.length]!]
          : entry.style === "news"
            ? [NEWS.symbol]
            : entry.style === "levered"
              ? [GAP.symbol]
              : [...SYMBOLS];
      traders.push({
        name,
        style: entry.style,
        wallet,
        account: accountId(wallet.address, 0n),
        collateralUsd: entry.collateralUsd,
        markets,
        leverage: entry.style === "levered" ? LEVERED_LEVERAGE[i]! : 0,
        nextNonce: 1n,
        positions: new Map(),
        opened: false,
      });
    }
  }
  return traders;
}

/** Half-spread of the makers' quotes per session, as a fraction of the price. */
function halfSpread(session: Session): number {
  if (session === Session.REGULAR) return 0.0008;
  if (session === Session.CLOSED) return 0.004;
  return 0.0025;
}

/** The takers' participation: the chance that a taker trades at a step. */
function activity(session: Session): number {
  if (session === Session.REGULAR) return 0.5;
  if (session === Session.CLOSED) return 0.12;
  return 0.2;
}

const MAKER_QUOTE_USD = 250_000;
const MAKER_INVENTORY_LIMIT_USD = 1_500_000;
const TAKER_MAX_LEVERAGE = 3;

/**
 * Decides the orders of one step. `history` holds each market's reference prices of earlier steps
 * (the oldest first); `expiry` is the last second the makers' quotes may fill.
 */
export class TradingDesk {
  private readonly random: () => number;
  private readonly history = new Map<string, number[]>();

  constructor(seed: number) {
    this.random = seededRandom(seed);
  }

  /** The price a trader reasons from: the index while the exchange prints, the mark while closed. */
  static reference(view: MarketView): number {
    return view.session === Session.CLOSED ? view.markUsd : view.indexUsd;
  }

  /** Records the step's reference prices (call once per step, after deciding). */
  remember(views: ReadonlyMap<string, MarketView>): void {
    for (const [symbol, view] of views) {
      const list = this.history.get(symbol) ?? [];
      list.push(TradingDesk.reference(view));
      if (list.length > 12) list.shift();
      this.history.set(symbol, list);
    }
  }

  decide(
    traders: readonly Trader[],
    views: ReadonlyMap<string, MarketView>,
    now: number,
    makerExpiry: number,
  ): OrderIntent[] {
    const quotes: OrderIntent[] = [];
    const takes: OrderIntent[] = [];
    for (const trader of traders) {
      if (trader.style === "maker") quotes.push(...this.quote(trader, views, now, makerExpiry));
      else takes.push(...this.take(trader, views, now));
    }
    return [...quotes, ...takes];
  }

  private quote(trader: Trader, views: ReadonlyMap<string, MarketView>, now: number, expiry: number) {
    const out: OrderIntent[] = [];
    for (const symbol of trader.markets) {
      const view = views.get(symbol);
      if (view === undefined || !view.tradable) continue;
      let mid = TradingDesk.reference(view);
      // The informed weekend: makers price the AAPL news in above the venue's mark.
      if (symbol === NEWS.symbol && view.session === Session.CLOSED && now >= NEWS.time && now < GAP.time) {
        mid *= 1 + NEWS.weekendPremium;
      }
      const inventoryUsd = (trader.positions.get(symbol) ?? 0) * mid;
      const skew = Math.max(-1, Math.min(1, inventoryUsd / MAKER_INVENTORY_LIMIT_USD)) * 0.002;
      const spread = halfSpread(view.session) * (1 + 0.5 * this.random());
      const bid = Math.max(view.bandLowUsd, Math.min(view.bandHighUsd, mid * (1 - spread - skew)));
      const ask = Math.min(view.bandHighUsd, Math.max(view.bandLowUsd, mid * (1 + spread - skew)));
      const shares = MAKER_QUOTE_USD / mid;
      out.push(this.intent(trader, view, true, shares, priceX18(bid, true), expiry, FLAG_POST_ONLY));
      out.push(this.intent(trader, view, false, shares, priceX18(ask, false), expiry, FLAG_POST_ONLY));
    }
    return out;
  }

  private take(trader: Trader, views: ReadonlyMap<string, MarketView>, now: number): OrderIntent[] {
    if (trader.style === "levered") return this.lever(trader, views, now);
    if (trader.style === "news") return this.chaseNews(trader, views, now);
    const symbol = trader.markets[Math.floor(this.random() * trader.markets.length)]!;
    const view = views.get(symbol);
    const chance = this.random();
    if (view === undefined || !view.tradable || chance > activity(view.session)) return [];
    const ref = TradingDesk.reference(view);
    const past = this.history.get(symbol) ?? [];
    let isBuy: boolean;
    if (trader.style === "momentum") {
      const last = past[past.length - 1];
      if (last === undefined || last === ref) return [];
      isBuy = ref > last;
    } else if (trader.style === "meanReversion") {
      if (past.length < 3) return [];
      const average = past.reduce((a, b) => a + b, 0) / past.length;
      if (Math.abs(ref / average - 1) < 0.001) return [];
      isBuy = ref < average;
    } else {
      isBuy = this.random() < 0.5;
    }
    let notional = 5_000 + this.random() * 35_000;
    const held = (trader.positions.get(symbol) ?? 0) * ref;
    const exposure = [...trader.positions].reduce((sum, [s, shares]) => {
      const v = views.get(s);
      return sum + Math.abs(shares * (v === undefined ? 0 : TradingDesk.reference(v)));
    }, 0);
    if (exposure > TAKER_MAX_LEVERAGE * trader.collateralUsd && held !== 0) {
      // Over the leverage cap: trade against the position instead.
      isBuy = held < 0;
      notional = Math.min(Math.abs(held), notional * 2);
    }
    return [this.cross(trader, view, isBuy, notional / ref, now, 0.004)];
  }

  private chaseNews(trader: Trader, views: ReadonlyMap<string, MarketView>, now: number): OrderIntent[] {
    const view = views.get(NEWS.symbol);
    if (view === undefined || !view.tradable || view.session !== Session.CLOSED) return [];
    if (now < NEWS.time || now >= GAP.time || this.random() > 0.8) return [];
    const ref = TradingDesk.reference(view);
    const notional = 20_000 + this.random() * 40_000;
    return [this.cross(trader, view, true, notional / ref, now, NEWS.weekendPremium + 0.01)];
  }

  private lever(trader: Trader, views: ReadonlyMap<string, MarketView>, now: number): OrderIntent[] {
    const view = views.get(GAP.symbol);
    if (trader.opened || now < LEVERED_OPEN || view === undefined || !view.tradable) return [];
    trader.opened = true;
    const ref = TradingDesk.reference(view);
    return [this.cross(trader, view, true, (trader.leverage * trader.collateralUsd) / ref, now, 0.003)];
  }

  /** A taker order that crosses the book up to `slippage` and expires within the step. */
  private cross(
    trader: Trader,
    view: MarketView,
    isBuy: boolean,
    shares: number,
    now: number,
    slippage: number,
  ): OrderIntent {
    const ref = TradingDesk.reference(view);
    const limit = isBuy
      ? Math.min(view.bandHighUsd, ref * (1 + slippage))
      : Math.max(view.bandLowUsd, ref * (1 - slippage));
    return this.intent(trader, view, isBuy, shares, priceX18(limit, !isBuy), now + 120, 0);
  }

  private intent(
    trader: Trader,
    view: MarketView,
    isBuy: boolean,
    shares: number,
    limitPriceX18: bigint,
    expiry: number,
    flags: number,
  ): OrderIntent {
    const order: Order = {
      owner: trader.wallet.address,
      subaccount: 0n,
      signer: trader.wallet.address,
      marketId: view.marketId,
      isBuy,
      sizeX18: sharesX18(Math.max(shares, 0.001)),
      limitPriceX18,
      expiry: BigInt(expiry),
      nonce: trader.nextNonce++,
      epoch: view.epoch,
      flags,
    };
    return { trader, order };
  }
}
