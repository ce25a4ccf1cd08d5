/**
 * The matcher's order book for one market: pure, synchronous, no I/O.
 *
 * - Price-time priority: the best price first (highest bid, lowest ask), then the earliest accepted
 *   (`seq`, assigned by the matcher when it accepts an order and persisted, so priority survives a
 *   restart).
 * - Limit orders with partial fills; the unfilled remainder rests at its limit price.
 * - One fill price rule: the resting (maker) order's limit price (SPEC 5.2).
 * - Post-only orders are rejected whole if they would cross on arrival (they may only rest).
 * - Expired orders (and those within `expiryMarginSec` of expiry, which could not settle in time)
 *   never match; they are removed when met and by `removeExpired`.
 * - Self-trade prevention (the chain skips SELF_TRADE matches): an incoming order stops matching at
 *   the first resting order of the same account (owner and subaccount); its remainder is cancelled
 *   ("cancel newest"), so the resting order keeps its priority and the book never stays crossed.
 * - Reduce-only is not checked here (positions are on chain): the flag is signed and enforced by the
 *   clearinghouse, which skips a fill that would grow risk.
 */
import type { Order } from "../../sdk/orders.js";
import { isPostOnly } from "../../sdk/orders.js";

/** An order accepted into the book. `remainingX18` excludes fills already made by the matcher. */
export interface BookOrder {
  /** The order hash (the EIP-712 digest, as `IClearinghouse.hashOrder`). */
  readonly hash: string;
  readonly order: Order;
  readonly signature: string;
  /** Acceptance sequence number: the time priority. */
  readonly seq: number;
  remainingX18: bigint;
}

export interface Fill {
  maker: BookOrder;
  taker: BookOrder;
  sizeX18: bigint;
  /** Always the maker's limit price. */
  priceX18: bigint;
}

export type AddResult =
  | {
      status: "accepted";
      fills: Fill[];
      /** Size left resting in the book (0 when fully filled or cancelled by self-trade prevention). */
      restingX18: bigint;
      /** Resting orders found expired while matching (removed). */
      expired: BookOrder[];
      /** Size of the incoming order cancelled by self-trade prevention (0 if none). */
      selfTradeCancelledX18: bigint;
    }
  | { status: "rejected"; reason: "POST_ONLY_WOULD_CROSS" | "ALREADY_IN_BOOK" | "EXPIRED" };

export interface Level {
  priceX18: bigint;
  sizeX18: bigint;
  orders: number;
}

interface PriceLevel {
  priceX18: bigint;
  orders: BookOrder[]; // ascending seq
}

/** The account key of an order: owner (lower-case) and subaccount. */
export function accountKey(order: Order): string {
  return `${order.owner.toLowerCase()}:${order.subaccount}`;
}

/** One side of the book: levels sorted best first. */
class BookSide {
  /** Best first: bids descending, asks ascending. */
  readonly levels: PriceLevel[] = [];

  constructor(private readonly isBid: boolean) {}

  /** Whether price `a` is better than `b` on this side. */
  private better(a: bigint, b: bigint): boolean {
    return this.isBid ? a > b : a < b;
  }

  /** Index of the level at `price`, or where it would be inserted (binary search). */
  private search(price: bigint): { index: number; found: boolean } {
    let lo = 0;
    let hi = this.levels.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const p = this.levels[mid]!.priceX18;
      if (p === price) return { index: mid, found: true };
      if (this.better(p, price)) lo = mid + 1;
      else hi = mid;
    }
    return { index: lo, found: false };
  }

  /** Inserts by price, then by `seq` inside the level (restores keep their original priority). */
  insert(entry: BookOrder): void {
    const price = entry.order.limitPriceX18;
    const { index, found } = this.search(price);
    if (!found) {
      this.levels.splice(index, 0, { priceX18: price, orders: [entry] });
      return;
    }
    const orders = this.levels[index]!.orders;
    let at = orders.length;
    while (at > 0 && orders[at - 1]!.seq > entry.seq) at--;
    orders.splice(at, 0, entry);
  }

  remove(entry: BookOrder): boolean {
    const { index, found } = this.search(entry.order.limitPriceX18);
    if (!found) return false;
    const level = this.levels[index]!;
    const at = level.orders.indexOf(entry);
    if (at === -1) return false;
    level.orders.splice(at, 1);
    if (level.orders.length === 0) this.levels.splice(index, 1);
    return true;
  }

  best(): BookOrder | undefined {
    return this.levels[0]?.orders[0];
  }

  aggregate(depth: number): Level[] {
    return this.levels.slice(0, depth).map((level) => ({
      priceX18: level.priceX18,
      sizeX18: level.orders.reduce((sum, o) => sum + o.remainingX18, 0n),
      orders: level.orders.length,
    }));
  }
}

export class OrderBook {
  private readonly bids = new BookSide(true);
  private readonly asks = new BookSide(false);
  private readonly byHash = new Map<string, BookOrder>();

  /**
   * @param marketId the market this book serves (orders for another market are a programming error).
   * @param expiryMarginSec an order expiring within this many seconds of `now` no longer matches.
   */
  constructor(
    readonly marketId: string,
    readonly expiryMarginSec = 0n,
  ) {}

  get size(): number {
    return this.byHash.size;
  }

  get(hash: string): BookOrder | undefined {
    return this.byHash.get(hash);
  }

  /** Every resting order (any order). */
  orders(): BookOrder[] {
    return [...this.byHash.values()];
  }

  isLive(order: Order, now: bigint): boolean {
    return order.expiry >= now + this.expiryMarginSec;
  }

  /** Whether an order at `limitPriceX18` on side `isBuy` would cross the best live opposite order. */
  wouldCross(isBuy: boolean, limitPriceX18: bigint): boolean {
    const best = (isBuy ? this.asks : this.bids).best();
    if (!best) return false;
    return isBuy ? best.order.limitPriceX18 <= limitPriceX18 : best.order.limitPriceX18 >= limitPriceX18;
  }

  /**
   * Matches `incoming` against the book, then rests its remainder. `incoming.remainingX18` is the
   * size still to fill (less than `order.sizeX18` after earlier fills).
   */
  add(incoming: BookOrder, now: bigint): AddResult {
    if (incoming.order.marketId !== this.marketId) {
      throw new Error(
        `order ${incoming.hash} is for market ${incoming.order.marketId}, not ${this.marketId}`,
      );
    }
    if (this.byHash.has(incoming.hash)) return { status: "rejected", reason: "ALREADY_IN_BOOK" };
    if (!this.isLive(incoming.order, now)) return { status: "rejected", reason: "EXPIRED" };
    const expired = this.dropExpiredAtTop(!incoming.order.isBuy, now);
    if (isPostOnly(incoming.order) && this.wouldCross(incoming.order.isBuy, incoming.order.limitPriceX18)) {
      return { status: "rejected", reason: "POST_ONLY_WOULD_CROSS" };
    }
    const fills: Fill[] = [];
    let selfTradeCancelledX18 = 0n;
    const opposite = incoming.order.isBuy ? this.asks : this.bids;
    const taker = accountKey(incoming.order);
    while (incoming.remainingX18 > 0n) {
      expired.push(...this.dropExpiredAtTop(!incoming.order.isBuy, now));
      const maker = opposite.best();
      if (!maker || !this.wouldCross(incoming.order.isBuy, incoming.order.limitPriceX18)) break;
      if (accountKey(maker.order) === taker) {
        selfTradeCancelledX18 = incoming.remainingX18;
        incoming.remainingX18 = 0n;
        break;
      }
      const sizeX18 = maker.remainingX18 < incoming.remainingX18 ? maker.remainingX18 : incoming.remainingX18;
      maker.remainingX18 -= sizeX18;
      incoming.remainingX18 -= sizeX18;
      fills.push({ maker, taker: incoming, sizeX18, priceX18: maker.order.limitPriceX18 });
      if (maker.remainingX18 === 0n) this.removeEntry(maker);
    }
    const restingX18 = incoming.remainingX18;
    if (restingX18 > 0n) this.insert(incoming);
    return { status: "accepted", fills, restingX18, expired, selfTradeCancelledX18 };
  }

  /**
   * Puts an order back (with its original `seq`, so it keeps its time priority) without matching,
   * e.g. a maker whose reserved fill the chain skipped, or the book rebuilt after a restart.
   * If it already rests, its remaining size grows by `remainingX18` instead.
   */
  restore(entry: BookOrder): void {
    if (entry.remainingX18 <= 0n) return;
    const resting = this.byHash.get(entry.hash);
    if (resting) {
      resting.remainingX18 += entry.remainingX18;
      return;
    }
    this.insert(entry);
  }

  /** Removes an order; returns it, or undefined if it was not resting. */
  cancel(hash: string): BookOrder | undefined {
    const entry = this.byHash.get(hash);
    if (entry) this.removeEntry(entry);
    return entry;
  }

  /** Removes every resting order `predicate` selects (e.g. nonces below an owner's floor). */
  cancelWhere(predicate: (entry: BookOrder) => boolean): BookOrder[] {
    const removed = [...this.byHash.values()].filter(predicate);
    for (const entry of removed) this.removeEntry(entry);
    return removed;
  }

  /** Removes every order that is no longer live at `now`. */
  removeExpired(now: bigint): BookOrder[] {
    return this.cancelWhere((entry) => !this.isLive(entry.order, now));
  }

  /** Aggregated levels, best first, at most `depth` per side. */
  depth(depth: number): { bids: Level[]; asks: Level[] } {
    return { bids: this.bids.aggregate(depth), asks: this.asks.aggregate(depth) };
  }

  private insert(entry: BookOrder): void {
    (entry.order.isBuy ? this.bids : this.asks).insert(entry);
    this.byHash.set(entry.hash, entry);
  }

  private removeEntry(entry: BookOrder): void {
    (entry.order.isBuy ? this.bids : this.asks).remove(entry);
    this.byHash.delete(entry.hash);
  }

  /** Removes expired orders at the top of a side, so the best order is live. */
  private dropExpiredAtTop(bidSide: boolean, now: bigint): BookOrder[] {
    const side = bidSide ? this.bids : this.asks;
    const removed: BookOrder[] = [];
    for (let best = side.best(); best && !this.isLive(best.order, now); best = side.best()) {
      this.removeEntry(best);
      removed.push(best);
    }
    return removed;
  }
}
