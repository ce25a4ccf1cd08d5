/**
 * The matcher's engine: validated orders enter the per-market books, fills are persisted and
 * queued for settlement, cancellations (signed off-chain, or read from chain) remove orders, and
 * settlement outcomes are applied back (settled fills count as filled; a skipped match drops the
 * order at fault and puts the other order's size back through the book).
 *
 * All book mutations happen in synchronous sections together with their database transaction, so
 * the book never reflects a state the database does not hold (and a restart rebuilds it exactly).
 */
import { getAddress } from "ethers";
import type { Order, OrderJson } from "../../sdk/orders.js";
import type { Logger } from "../lib/logger.js";
import { type AddResult, type BookOrder, type Level, OrderBook } from "./book.js";
import type { ChainCancellation, MatchCall, MatcherChain, SkipReasonName } from "./chain.js";
import type { MatcherMetrics } from "./metrics.js";
import type {
  FillRecord,
  FillStatus,
  MatcherStore,
  OrderStatus,
  OwnerQuery,
  StoredFill,
  StoredOrder,
} from "./store.js";
import {
  CANCEL_TYPES,
  RequestError,
  cancelDomain,
  isValidSignatureBy,
  orderToJson,
  parseCancelBody,
  parseSignedOrder,
  validateOrder,
} from "./validation.js";

export interface EngineOptions {
  /** Orders must stay valid this long after acceptance; nearer-expiry orders stop matching. */
  expiryMarginSec: bigint;
  /** Unix time in seconds. */
  now: () => bigint;
}

export interface FillView {
  id: number;
  makerHash: string;
  takerHash: string;
  sizeX18: string;
  priceX18: string;
  status: FillStatus;
  skipReason: string | null;
  /** The settlement transaction, once its batch is signed. */
  txHash: string | null;
  /** When the book matched it (unix ms). */
  createdAt: number;
}

export interface OrderView {
  hash: string;
  status: OrderStatus;
  reason: string | null;
  order: OrderJson;
  filledX18: string;
  /** Size matched in the book but not settled yet. */
  pendingX18: string;
  /** Size resting in the book. */
  restingX18: string;
  /** Accepted at / last changed at (unix ms). */
  createdAt: number;
  updatedAt: number;
  fills: FillView[];
}

/** A fill seen from one of an owner's orders (`GET /accounts/:owner/fills`). */
export interface AccountFillView {
  fillId: number;
  orderHash: string;
  counterpartyHash: string;
  role: "maker" | "taker";
  marketId: string;
  subaccount: string;
  isBuy: boolean;
  sizeX18: string;
  priceX18: string;
  status: FillStatus;
  skipReason: string | null;
  txHash: string | null;
  createdAt: number;
}

function fillView(f: FillRecord): FillView {
  return {
    id: f.id,
    makerHash: f.makerHash,
    takerHash: f.takerHash,
    sizeX18: f.sizeX18.toString(),
    priceX18: f.priceX18.toString(),
    status: f.status,
    skipReason: f.skipReason,
    txHash: f.txHash,
    createdAt: f.createdAt,
  };
}

/**
 * Who is at fault when the clearinghouse skips a match for `reason`: that order is dropped and the
 * other one's size goes back through the book. Market-wide refusals (halt, reduce-only, caps) drop
 * the taker, the aggressor that met the book when the market refused; a price outside a band drops
 * the maker, whose resting price the market refuses.
 */
export function faultOf(reason: SkipReasonName): "maker" | "taker" {
  if (reason.startsWith("MAKER_")) return "maker";
  if (reason === "PRICE_OUTSIDE_FILL_BAND" || reason === "PRICE_OUTSIDE_ORACLE_BAND") return "maker";
  return "taker";
}

export class MatcherEngine {
  private readonly books = new Map<string, OrderBook>();
  private nextSeq: number;

  constructor(
    private readonly store: MatcherStore,
    private readonly chain: MatcherChain,
    private readonly logger: Logger,
    private readonly metrics: MatcherMetrics,
    private readonly options: EngineOptions,
  ) {
    this.nextSeq = store.nextSeq();
  }

  /** Rebuilds the books from the open orders in the store (remaining = size − filled − reserved). */
  load(): void {
    let restored = 0;
    for (const stored of this.store.openOrders()) {
      const remaining = stored.order.sizeX18 - stored.filledX18 - this.store.reservedX18(stored.hash);
      if (remaining > 0n) {
        this.bookOf(stored.order.marketId).restore(this.entryOf(stored, remaining));
        restored++;
      }
    }
    this.logger.info("books rebuilt", { restored, markets: this.books.size });
    this.sweepExpired();
    this.refreshGauges();
  }

  private bookOf(marketId: string): OrderBook {
    let book = this.books.get(marketId);
    if (!book) {
      book = new OrderBook(marketId, this.options.expiryMarginSec);
      this.books.set(marketId, book);
    }
    return book;
  }

  private entryOf(stored: StoredOrder, remainingX18: bigint): BookOrder {
    return {
      hash: stored.hash,
      order: stored.order,
      signature: stored.signature,
      seq: stored.seq,
      remainingX18,
    };
  }

  // ------------------------------------------------------------------ orders

  /** Validates and books a signed order; returns its view. */
  async submit(body: unknown): Promise<OrderView> {
    const stopTimer = this.metrics.validationDuration.startTimer();
    let validated;
    try {
      const signed = parseSignedOrder(body);
      validated = await validateOrder(signed, {
        chain: this.chain,
        now: this.options.now(),
        expiryMarginSec: this.options.expiryMarginSec,
      });
    } catch (err) {
      if (err instanceof RequestError) this.metrics.ordersRejected.inc({ code: err.code });
      throw err;
    } finally {
      stopTimer();
    }
    // From here on no await: the book and the database change together.
    if (this.store.getOrder(validated.hash)) {
      this.metrics.ordersRejected.inc({ code: "DUPLICATE_ORDER" });
      throw new RequestError(409, "DUPLICATE_ORDER", `order ${validated.hash} was already submitted`);
    }
    const book = this.bookOf(validated.order.marketId);
    const entry: BookOrder = {
      hash: validated.hash,
      order: validated.order,
      signature: validated.signature,
      seq: this.nextSeq,
      remainingX18: validated.order.sizeX18 - validated.filledOnChainX18,
    };
    const result = book.add(entry, this.options.now());
    if (result.status === "rejected") {
      this.metrics.ordersRejected.inc({ code: result.reason });
      const code = result.reason === "EXPIRED" ? "EXPIRED" : "POST_ONLY_WOULD_CROSS";
      throw new RequestError(400, code, `order ${validated.hash} rejected: ${result.reason}`);
    }
    this.nextSeq++;
    this.store.transaction(() => {
      this.store.insertOrder({ ...validated, seq: entry.seq, filledX18: validated.filledOnChainX18 });
      this.recordAddResult(entry, result);
    });
    this.metrics.ordersAccepted.inc({ market: validated.order.marketId });
    this.logger.info("order accepted", {
      hash: validated.hash,
      market: validated.order.marketId,
      isBuy: validated.order.isBuy,
      sizeX18: validated.order.sizeX18,
      limitPriceX18: validated.order.limitPriceX18,
      fills: result.fills.length,
    });
    this.refreshGauges();
    return this.view(validated.hash)!;
  }

  /** Persists the fills and closures of one `book.add` (inside a transaction). */
  private recordAddResult(entry: BookOrder, result: Extract<AddResult, { status: "accepted" }>): void {
    for (const fill of result.fills) {
      this.store.insertFill({
        marketId: entry.order.marketId,
        makerHash: fill.maker.hash,
        takerHash: fill.taker.hash,
        sizeX18: fill.sizeX18,
        priceX18: fill.priceX18,
      });
      this.metrics.fills.inc({ market: entry.order.marketId });
    }
    for (const expired of result.expired) this.close(expired.hash, "expired", "EXPIRED");
    if (result.selfTradeCancelledX18 > 0n) this.close(entry.hash, "cancelled", "SELF_TRADE_PREVENTED");
  }

  private close(hash: string, status: Exclude<OrderStatus, "open">, reason: string): void {
    if (this.store.closeOrder(hash, status, reason)) this.metrics.ordersClosed.inc({ status });
  }

  /**
   * Cancels an order off-chain. With a body `{signature, deadline}`: an EIP-712 `CancelOrder(orderHash,
   * deadline)` signed by the order's owner or signer (matcher domain). Without a body: only if the
   * chain already shows the order cancelled (by hash, nonce floor or used nonce).
   */
  async cancel(hash: string, body: unknown): Promise<OrderView> {
    const stored = this.store.getOrder(hash);
    if (!stored) throw new RequestError(404, "NOT_FOUND", `order ${hash} is unknown`);
    const auth = parseCancelBody(body);
    if (auth) {
      if (auth.deadline < this.options.now()) {
        throw new RequestError(400, "EXPIRED", `cancel deadline ${auth.deadline} has passed`);
      }
      const domain = cancelDomain(this.chain.chainId, this.chain.clearinghouse);
      const value = { orderHash: hash, deadline: auth.deadline };
      let valid = false;
      for (const who of new Set([stored.order.owner, stored.order.signer].map((a) => getAddress(a)))) {
        if (await isValidSignatureBy(this.chain, who, domain, CANCEL_TYPES, value, auth.signature))
          valid = true;
        if (valid) break;
      }
      if (!valid) {
        throw new RequestError(400, "BAD_SIGNATURE", "cancel signature is not the order owner's or signer's");
      }
    } else {
      const state = await this.chain.orderState(stored.order.owner, stored.order.nonce, hash);
      // A used nonce cancels the order unless it is the order's own partial fill.
      const nonceUsedByOther = state.nonceUsed && state.filledX18 === 0n;
      const cancelled = state.cancelled || nonceUsedByOther || stored.order.nonce < state.nonceFloor;
      if (!cancelled) {
        throw new RequestError(
          409,
          "NOT_CANCELLED_ON_CHAIN",
          "order is not cancelled on chain; send a signed CancelOrder body or cancel on chain first",
        );
      }
    }
    this.cancelInBook(hash, "CANCELLED_BY_USER");
    return this.view(hash)!;
  }

  private cancelInBook(hash: string, reason: string): void {
    const stored = this.store.getOrder(hash);
    if (!stored) return;
    this.bookOf(stored.order.marketId).cancel(hash);
    this.close(hash, "cancelled", reason);
    this.logger.info("order cancelled", { hash, reason });
    this.refreshGauges();
  }

  /** Applies cancellations read from chain events (by hash, nonce floor, invalidated nonces). */
  applyChainCancellations(events: readonly ChainCancellation[]): number {
    let removed = 0;
    for (const event of events) {
      if (event.kind === "hash") {
        if (this.store.getOrder(event.orderHash)?.status === "open") {
          this.cancelInBook(event.orderHash, "CANCELLED_ON_CHAIN");
          removed++;
        }
        continue;
      }
      const owner = event.owner.toLowerCase();
      const matches = (o: Order): boolean => {
        if (o.owner.toLowerCase() !== owner) return false;
        if (event.kind === "floor") return o.nonce < event.newFloor;
        return o.nonce >> 8n === event.wordIndex && ((event.mask >> (o.nonce & 0xffn)) & 1n) === 1n;
      };
      const hashes = this.store
        .openOrders()
        .filter((s) => matches(s.order))
        .map((s) => s.hash);
      for (const hash of hashes) this.cancelInBook(hash, "CANCELLED_ON_CHAIN");
      removed += hashes.length;
    }
    return removed;
  }

  /** Removes orders that can no longer settle in time; returns how many. */
  sweepExpired(): number {
    let removed = 0;
    const now = this.options.now();
    for (const book of this.books.values()) {
      const expired = book.removeExpired(now);
      this.store.transaction(() => {
        for (const entry of expired) this.close(entry.hash, "expired", "EXPIRED");
      });
      removed += expired.length;
    }
    if (removed > 0) this.refreshGauges();
    return removed;
  }

  // ------------------------------------------------------------------ settlement outcomes

  /** The `settleMatches` entry of a stored fill. */
  matchCall(fill: StoredFill): MatchCall {
    const maker = this.store.getOrder(fill.makerHash);
    const taker = this.store.getOrder(fill.takerHash);
    if (!maker || !taker) throw new Error(`fill ${fill.id} references an unknown order`);
    return {
      maker: maker.order,
      makerSignature: maker.signature,
      taker: taker.order,
      takerSignature: taker.signature,
      fillSizeX18: fill.sizeX18,
    };
  }

  /** A fill settled on chain (call inside a transaction). */
  applySettled(fill: StoredFill): void {
    this.store.setFillOutcome(fill.id, "settled", null);
    this.metrics.matchesSettled.inc();
    for (const hash of [fill.makerHash, fill.takerHash]) {
      const filled = this.store.addFilled(hash, fill.sizeX18);
      const stored = this.store.getOrder(hash)!;
      // Orders sharing a nonce are one-cancels-other on chain: the first fill of one uses the nonce.
      for (const sibling of this.store.openOrdersWithNonce(stored.order.owner, stored.order.nonce)) {
        if (sibling.hash === hash) continue;
        this.bookOf(sibling.order.marketId).cancel(sibling.hash);
        this.close(sibling.hash, "cancelled", "NONCE_USED");
      }
      if (filled >= stored.order.sizeX18) this.close(hash, "filled", "FILLED");
    }
  }

  /** A fill the chain skipped (call inside a transaction): drop the order at fault, re-book the other. */
  applySkipped(fill: StoredFill, reason: SkipReasonName): void {
    this.store.setFillOutcome(fill.id, "skipped", reason);
    this.metrics.matchesSkipped.inc({ reason });
    const fault = faultOf(reason);
    const [dropHash, keepHash] =
      fault === "maker" ? [fill.makerHash, fill.takerHash] : [fill.takerHash, fill.makerHash];
    const dropped = this.store.getOrder(dropHash)!;
    this.bookOf(dropped.order.marketId).cancel(dropHash);
    this.close(dropHash, "rejected", reason);
    this.logger.warn("match skipped on chain", { fill: fill.id, reason, dropped: dropHash, kept: keepHash });
    this.rebook(keepHash, fill.sizeX18);
  }

  /** Puts `releasedX18` of an open order back through the book (it keeps its time priority). */
  private rebook(hash: string, releasedX18: bigint): void {
    const stored = this.store.getOrder(hash)!;
    if (stored.status !== "open") return;
    const book = this.bookOf(stored.order.marketId);
    const resting = book.cancel(hash);
    const entry = this.entryOf(stored, (resting?.remainingX18 ?? 0n) + releasedX18);
    const result = book.add(entry, this.options.now());
    if (result.status === "rejected") {
      const status = result.reason === "EXPIRED" ? "expired" : "cancelled";
      this.close(hash, status, result.reason);
      return;
    }
    this.recordAddResult(entry, result);
  }

  // ------------------------------------------------------------------ views

  view(hash: string): OrderView | undefined {
    const stored = this.store.getOrder(hash);
    return stored ? this.viewOf(stored) : undefined;
  }

  private viewOf(stored: StoredOrder): OrderView {
    const fills = this.store.fillsOfOrder(stored.hash);
    const pending = fills
      .filter((f) => f.status === "queued" || f.status === "submitted")
      .reduce((sum, f) => sum + f.sizeX18, 0n);
    return {
      hash: stored.hash,
      status: stored.status,
      reason: stored.reason,
      order: orderToJson(stored.order),
      filledX18: stored.filledX18.toString(),
      pendingX18: pending.toString(),
      restingX18: (this.books.get(stored.order.marketId)?.get(stored.hash)?.remainingX18 ?? 0n).toString(),
      createdAt: stored.createdAt,
      updatedAt: stored.updatedAt,
      fills: fills.map(fillView),
    };
  }

  /** The fills of an order, oldest first; undefined for an unknown order. */
  orderFills(hash: string): FillView[] | undefined {
    if (!this.store.getOrder(hash)) return undefined;
    return this.store.fillsOfOrder(hash).map(fillView);
  }

  /** An owner's orders, newest first, one page. */
  ordersOf(query: OwnerQuery<OrderStatus>): { orders: OrderView[]; nextBefore: number | null } {
    const page = this.store.ordersOfOwner(query);
    return { orders: page.items.map((o) => this.viewOf(o)), nextBefore: page.nextBefore };
  }

  /** The fills of an owner's orders, newest first, one page. */
  fillsOf(query: OwnerQuery<FillStatus>): { fills: AccountFillView[]; nextBefore: number | null } {
    const page = this.store.fillsOfOwner(query);
    const fills = page.items.map((f): AccountFillView => ({
      fillId: f.id,
      orderHash: f.orderHash,
      counterpartyHash: f.role === "maker" ? f.takerHash : f.makerHash,
      role: f.role,
      marketId: f.marketId,
      subaccount: f.order.subaccount.toString(),
      isBuy: f.order.isBuy,
      sizeX18: f.sizeX18.toString(),
      priceX18: f.priceX18.toString(),
      status: f.status,
      skipReason: f.skipReason,
      txHash: f.txHash,
      createdAt: f.createdAt,
    }));
    return { fills, nextBefore: page.nextBefore };
  }

  depth(marketId: string, depth: number): { bids: Level[]; asks: Level[] } {
    return this.books.get(marketId)?.depth(depth) ?? { bids: [], asks: [] };
  }

  refreshGauges(): void {
    for (const [marketId, book] of this.books) this.metrics.openOrders.set(book.size, { market: marketId });
    this.metrics.queuedFills.set(this.store.countFills("queued"));
  }
}
