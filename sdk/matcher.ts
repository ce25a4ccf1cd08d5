/**
 * A typed client for the matcher's HTTP API (docs/matcher.md), so that an app or a market maker
 * trades on Sundial without gas: sign orders with `sdk/orders.ts` (or `SundialClient.signedOrder`),
 * submit them, cancel them with a signed `CancelOrder`, read orders, fills and the book.
 *
 * Amounts are native `bigint`s (the API sends decimal strings). Every failure is a `MatcherApiError`
 * carrying the HTTP status, the API's error `code` and its message; failures before an answer
 * (unreachable matcher, timeout) and answers that are not the API's shape have their own codes.
 *
 * This file also defines the wire vocabulary the matcher implements (`keepers/matcher/`): error
 * codes, order and fill statuses, and the EIP-712 `CancelOrder` message and domain.
 */
import { getAddress, type TypedDataDomain, type TypedDataField } from "ethers";
import { orderToJson, type Order, type TypedDataSigner } from "./orders.js";

// ------------------------------------------------------------------ wire vocabulary

/** The API's error codes (`{error: {code, message}}`), as listed in docs/matcher.md. */
export const MATCHER_ERROR_CODES = [
  "MALFORMED_REQUEST",
  "INVALID_FIELD",
  "MALFORMED_ORDER",
  "UNKNOWN_MARKET",
  "MARKET_HALTED",
  "EPOCH_MISMATCH",
  "OFF_TICK",
  "OFF_STEP",
  "BELOW_MIN_SIZE",
  "EXPIRED",
  "BAD_SIGNATURE",
  "SIGNER_NOT_AUTHORIZED",
  "ORDER_CANCELLED",
  "ORDER_FILLED",
  "POST_ONLY_WOULD_CROSS",
  "DUPLICATE_ORDER",
  "NOT_FOUND",
  "NOT_CANCELLED_ON_CHAIN",
  "BODY_TOO_LARGE",
  "METHOD_NOT_ALLOWED",
  "SHUTTING_DOWN",
  "INTERNAL",
] as const;
export type MatcherErrorCode = (typeof MATCHER_ERROR_CODES)[number];

/**
 * Codes of failures the client detects itself: the matcher could not be reached (`NETWORK_ERROR`),
 * did not answer in time (`TIMEOUT`), or answered something that is not the API's shape
 * (`BAD_RESPONSE`, e.g. an HTML page from a proxy).
 */
export type MatcherClientErrorCode = "NETWORK_ERROR" | "TIMEOUT" | "BAD_RESPONSE";

/** An order's status in the matcher. Every status but `open` is final. */
export const MATCHER_ORDER_STATUSES = ["open", "filled", "cancelled", "expired", "rejected"] as const;
export type MatcherOrderStatus = (typeof MATCHER_ORDER_STATUSES)[number];

/** A fill's status: matched (`queued`) → in a batch (`submitted`) → `settled` | `skipped` on chain. */
export const MATCHER_FILL_STATUSES = ["queued", "submitted", "settled", "skipped"] as const;
export type MatcherFillStatus = (typeof MATCHER_FILL_STATUSES)[number];

/**
 * The EIP-712 domain of matcher messages. It is not the clearinghouse's domain (same chain id and
 * verifying contract, another name), so a signed cancel can never be replayed as an order.
 */
export const CANCEL_DOMAIN_NAME = "Sundial Matcher";
export const CANCEL_DOMAIN_VERSION = "1";

/** `CancelOrder(bytes32 orderHash,uint64 deadline)`. */
export const CANCEL_TYPES: Record<string, TypedDataField[]> = {
  CancelOrder: [
    { name: "orderHash", type: "bytes32" },
    { name: "deadline", type: "uint64" },
  ],
};

/** An off-chain cancel of `orderHash`, valid until `deadline` (unix seconds). */
export interface CancelRequest {
  orderHash: string;
  deadline: bigint;
}

/** The matcher's EIP-712 domain on `chainId` for the clearinghouse at `clearinghouse`. */
export function cancelDomain(chainId: bigint, clearinghouse: string): TypedDataDomain {
  return {
    name: CANCEL_DOMAIN_NAME,
    version: CANCEL_DOMAIN_VERSION,
    chainId,
    verifyingContract: getAddress(clearinghouse),
  };
}

/** Signs a `CancelOrder` (by the order's owner or signer) for `MatcherClient.cancelOrder`. */
export function signCancel(
  signer: TypedDataSigner,
  domain: TypedDataDomain,
  request: CancelRequest,
): Promise<string> {
  return signer.signTypedData(domain, CANCEL_TYPES, { ...request });
}

// ------------------------------------------------------------------ views

/** One match of an order book (`makerHash` rested, `takerHash` arrived). */
export interface MatcherFill {
  id: number;
  makerHash: string;
  takerHash: string;
  sizeX18: bigint;
  /** Always the maker's limit price. */
  priceX18: bigint;
  status: MatcherFillStatus;
  /** Why the clearinghouse skipped the match (`MAKER_MARGIN`, …), when `skipped`. */
  skipReason: string | null;
  /**
   * The `settleMatches` transaction, once its batch is signed: the latest one signed while the batch
   * waits (a stuck one is replaced with higher fees), the mined one once `settled` or `skipped`.
   */
  txHash: string | null;
  /** When the book matched it (the matcher's clock, unix milliseconds). */
  createdAt: number;
}

/** An order as the matcher knows it. */
export interface MatcherOrder {
  /** `IClearinghouse.hashOrder(order)`: the EIP-712 digest. */
  hash: string;
  status: MatcherOrderStatus;
  /** Why it left the book: FILLED, CANCELLED_BY_USER, EXPIRED, a skip reason, … */
  reason: string | null;
  order: Order;
  /** Settled on chain. */
  filledX18: bigint;
  /** Matched, waiting for settlement. */
  pendingX18: bigint;
  /** Resting in the book. */
  restingX18: bigint;
  /** Accepted at (unix milliseconds). */
  createdAt: number;
  /** Last change (unix milliseconds). */
  updatedAt: number;
  fills: MatcherFill[];
}

/** One fill of one of an account's orders (a fill between two of its orders appears twice). */
export interface MatcherAccountFill {
  /** The fill's id (`MatcherFill.id`). */
  fillId: number;
  /** The account's order. */
  orderHash: string;
  /** The other order of the match. */
  counterpartyHash: string;
  role: "maker" | "taker";
  marketId: string;
  subaccount: bigint;
  isBuy: boolean;
  sizeX18: bigint;
  priceX18: bigint;
  status: MatcherFillStatus;
  skipReason: string | null;
  txHash: string | null;
  createdAt: number;
}

export interface MatcherBookLevel {
  priceX18: bigint;
  sizeX18: bigint;
  /** Orders resting at this price. */
  orders: number;
}

/** Aggregated price levels, best first. */
export interface MatcherBook {
  marketId: string;
  bids: MatcherBookLevel[];
  asks: MatcherBookLevel[];
}

export interface MatcherHealth {
  status: "ok" | "shutting_down";
  queuedFills?: number;
  submittedFills?: number;
  pendingBatches?: number;
}

/** Filters of `listOrders` / `listFills`; newest first, `limit` per page (1–500, default 100). */
export interface ListQuery<S extends string> {
  /** One status or several (default: every status). */
  status?: S | readonly S[];
  /** A market id (bytes32 hex) or its name ("AAPL-USD"). */
  market?: string;
  subaccount?: bigint;
  limit?: number;
  /** The `nextBefore` of the previous page. */
  before?: number;
}

export interface MatcherOrderPage {
  orders: MatcherOrder[];
  /** Pass as `before` for the next (older) page; null on the last page. */
  nextBefore: number | null;
}

export interface MatcherAccountFillPage {
  fills: MatcherAccountFill[];
  nextBefore: number | null;
}

// ------------------------------------------------------------------ errors

/** A failed matcher call: the API's `{error: {code, message}}`, or a client-side failure. */
export class MatcherApiError extends Error {
  override readonly name = "MatcherApiError";
  constructor(
    /** HTTP status; 0 when no answer arrived (`NETWORK_ERROR`, `TIMEOUT`). */
    readonly status: number,
    /** The API's code (a code this SDK does not know yet is passed through as is), or a client code. */
    readonly code: MatcherErrorCode | MatcherClientErrorCode | (string & Record<never, never>),
    /** The API's message (or the client's explanation). */
    readonly detail: string,
    /** `METHOD /path` of the call. */
    readonly request: string,
    options?: { cause?: unknown },
  ) {
    super(`${request} failed: ${code}${status > 0 ? ` (HTTP ${status})` : ""}: ${detail}`, options);
  }
}

// ------------------------------------------------------------------ response decoding

/** A response that does not have the API's shape (becomes `BAD_RESPONSE`). */
class ShapeError extends Error {}

type Json = Record<string, unknown>;

function object(value: unknown, at: string): Json {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ShapeError(`${at} is not an object`);
  }
  return value as Json;
}

function array(value: unknown, at: string): unknown[] {
  if (!Array.isArray(value)) throw new ShapeError(`${at} is not an array`);
  return value;
}

function string(o: Json, key: string, at: string): string {
  const v = o[key];
  if (typeof v !== "string") throw new ShapeError(`${at}.${key} is not a string`);
  return v;
}

function nullableString(o: Json, key: string, at: string): string | null {
  return o[key] === null ? null : string(o, key, at);
}

function integer(o: Json, key: string, at: string): number {
  const v = o[key];
  if (typeof v !== "number" || !Number.isSafeInteger(v))
    throw new ShapeError(`${at}.${key} is not an integer`);
  return v;
}

function nullableInteger(o: Json, key: string, at: string): number | null {
  return o[key] === null ? null : integer(o, key, at);
}

function boolean(o: Json, key: string, at: string): boolean {
  const v = o[key];
  if (typeof v !== "boolean") throw new ShapeError(`${at}.${key} is not a boolean`);
  return v;
}

function uint(o: Json, key: string, at: string): bigint {
  const v = string(o, key, at);
  if (!/^(0|[1-9]\d*)$/.test(v)) throw new ShapeError(`${at}.${key} is not a decimal integer string`);
  return BigInt(v);
}

function oneOf<T extends string>(o: Json, key: string, at: string, values: readonly T[]): T {
  const v = string(o, key, at);
  if (!(values as readonly string[]).includes(v)) throw new ShapeError(`${at}.${key} "${v}" is unknown`);
  return v as T;
}

function decodeOrder(value: unknown, at: string): Order {
  const o = object(value, at);
  return {
    owner: string(o, "owner", at),
    subaccount: uint(o, "subaccount", at),
    signer: string(o, "signer", at),
    marketId: string(o, "marketId", at),
    isBuy: boolean(o, "isBuy", at),
    sizeX18: uint(o, "sizeX18", at),
    limitPriceX18: uint(o, "limitPriceX18", at),
    expiry: uint(o, "expiry", at),
    nonce: uint(o, "nonce", at),
    epoch: uint(o, "epoch", at),
    flags: integer(o, "flags", at),
  };
}

function decodeFill(value: unknown, at: string): MatcherFill {
  const f = object(value, at);
  return {
    id: integer(f, "id", at),
    makerHash: string(f, "makerHash", at),
    takerHash: string(f, "takerHash", at),
    sizeX18: uint(f, "sizeX18", at),
    priceX18: uint(f, "priceX18", at),
    status: oneOf(f, "status", at, MATCHER_FILL_STATUSES),
    skipReason: nullableString(f, "skipReason", at),
    txHash: nullableString(f, "txHash", at),
    createdAt: integer(f, "createdAt", at),
  };
}

function decodeOrderView(value: unknown, at: string): MatcherOrder {
  const v = object(value, at);
  return {
    hash: string(v, "hash", at),
    status: oneOf(v, "status", at, MATCHER_ORDER_STATUSES),
    reason: nullableString(v, "reason", at),
    order: decodeOrder(v.order, `${at}.order`),
    filledX18: uint(v, "filledX18", at),
    pendingX18: uint(v, "pendingX18", at),
    restingX18: uint(v, "restingX18", at),
    createdAt: integer(v, "createdAt", at),
    updatedAt: integer(v, "updatedAt", at),
    fills: array(v.fills, `${at}.fills`).map((f, i) => decodeFill(f, `${at}.fills[${i}]`)),
  };
}

function decodeAccountFill(value: unknown, at: string): MatcherAccountFill {
  const f = object(value, at);
  return {
    fillId: integer(f, "fillId", at),
    orderHash: string(f, "orderHash", at),
    counterpartyHash: string(f, "counterpartyHash", at),
    role: oneOf(f, "role", at, ["maker", "taker"] as const),
    marketId: string(f, "marketId", at),
    subaccount: uint(f, "subaccount", at),
    isBuy: boolean(f, "isBuy", at),
    sizeX18: uint(f, "sizeX18", at),
    priceX18: uint(f, "priceX18", at),
    status: oneOf(f, "status", at, MATCHER_FILL_STATUSES),
    skipReason: nullableString(f, "skipReason", at),
    txHash: nullableString(f, "txHash", at),
    createdAt: integer(f, "createdAt", at),
  };
}

function decodeLevels(value: unknown, at: string): MatcherBookLevel[] {
  return array(value, at).map((l, i) => {
    const level = object(l, `${at}[${i}]`);
    return {
      priceX18: uint(level, "priceX18", `${at}[${i}]`),
      sizeX18: uint(level, "sizeX18", `${at}[${i}]`),
      orders: integer(level, "orders", `${at}[${i}]`),
    };
  });
}

function optionalInteger(o: Json, key: string, at: string): number | undefined {
  return o[key] === undefined ? undefined : integer(o, key, at);
}

// ------------------------------------------------------------------ the client

export interface MatcherClientOptions {
  /** Per-request timeout in milliseconds (default 10,000: the matcher's own request timeout). */
  timeoutMs?: number;
  /** The `fetch` to use (default: the global one), e.g. one that authenticates to a proxy. */
  fetch?: typeof fetch;
}

export interface WaitOptions {
  /** Give up after this many milliseconds (default 30,000). */
  timeoutMs?: number;
  /** Poll every this many milliseconds (default 250). */
  intervalMs?: number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function isTimeout(err: unknown): boolean {
  const name = (err as { name?: unknown } | null)?.name;
  return name === "TimeoutError" || name === "AbortError";
}

export class MatcherClient {
  /** The API's base URL, without a trailing slash. */
  readonly baseUrl: string;
  private readonly timeoutMs: number;
  private readonly fetchFn: typeof fetch;

  /** @param baseUrl e.g. `http://127.0.0.1:8080` (a path prefix behind a proxy is kept). */
  constructor(baseUrl: string | URL, options: MatcherClientOptions = {}) {
    const url = new URL(baseUrl);
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw new TypeError(`matcher URL must be http(s), got ${url.protocol}`);
    }
    this.baseUrl = url.href.replace(/\/+$/, "");
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.fetchFn = options.fetch ?? fetch;
  }

  /** Submits a signed order (`POST /orders`); resolves with its view (fills made on arrival included). */
  submitOrder(signed: { order: Order; signature: string }): Promise<MatcherOrder> {
    const body = { order: orderToJson(signed.order), signature: signed.signature };
    return this.call("POST", "/orders", body, (json) => decodeOrderView(json, "order view"));
  }

  /**
   * Cancels an order (`DELETE /orders/:hash`). With `auth` (see `signCancel`): immediately, by the
   * owner's or signer's signature. Without: only if the order is already cancelled on chain
   * (`cancelOrders`, `raiseNonceFloor`, `invalidateNonces`), else `NOT_CANCELLED_ON_CHAIN`.
   */
  cancelOrder(orderHash: string, auth?: { signature: string; deadline: bigint }): Promise<MatcherOrder> {
    const body =
      auth === undefined ? undefined : { signature: auth.signature, deadline: auth.deadline.toString() };
    return this.call("DELETE", `/orders/${encodeURIComponent(orderHash)}`, body, (json) =>
      decodeOrderView(json, "order view"),
    );
  }

  /** An order by hash (`GET /orders/:hash`); `NOT_FOUND` if the matcher never accepted it. */
  getOrder(orderHash: string): Promise<MatcherOrder> {
    return this.call("GET", `/orders/${encodeURIComponent(orderHash)}`, undefined, (json) =>
      decodeOrderView(json, "order view"),
    );
  }

  /** The fills of an order, oldest first (`GET /orders/:hash/fills`). */
  getOrderFills(orderHash: string): Promise<MatcherFill[]> {
    return this.call("GET", `/orders/${encodeURIComponent(orderHash)}/fills`, undefined, (json) =>
      array(object(json, "response").fills, "fills").map((f, i) => decodeFill(f, `fills[${i}]`)),
    );
  }

  /** An owner's orders, newest first (`GET /accounts/:owner/orders`). */
  listOrders(owner: string, query: ListQuery<MatcherOrderStatus> = {}): Promise<MatcherOrderPage> {
    return this.call(
      "GET",
      `/accounts/${encodeURIComponent(owner)}/orders${searchOf(query)}`,
      undefined,
      (json) => {
        const page = object(json, "response");
        return {
          orders: array(page.orders, "orders").map((o, i) => decodeOrderView(o, `orders[${i}]`)),
          nextBefore: nullableInteger(page, "nextBefore", "response"),
        };
      },
    );
  }

  /** The fills of an owner's orders, newest first (`GET /accounts/:owner/fills`). */
  listFills(owner: string, query: ListQuery<MatcherFillStatus> = {}): Promise<MatcherAccountFillPage> {
    return this.call(
      "GET",
      `/accounts/${encodeURIComponent(owner)}/fills${searchOf(query)}`,
      undefined,
      (json) => {
        const page = object(json, "response");
        return {
          fills: array(page.fills, "fills").map((f, i) => decodeAccountFill(f, `fills[${i}]`)),
          nextBefore: nullableInteger(page, "nextBefore", "response"),
        };
      },
    );
  }

  /** The book of `market` (bytes32 id or name), at most `depth` levels per side (default 50). */
  getBook(market: string, depth?: number): Promise<MatcherBook> {
    const search = depth === undefined ? "" : `?depth=${depth}`;
    return this.call("GET", `/book/${encodeURIComponent(market)}${search}`, undefined, (json) => {
      const book = object(json, "book");
      return {
        marketId: string(book, "marketId", "book"),
        bids: decodeLevels(book.bids, "book.bids"),
        asks: decodeLevels(book.asks, "book.asks"),
      };
    });
  }

  /** `GET /health`. */
  getHealth(): Promise<MatcherHealth> {
    return this.call("GET", "/health", undefined, (json) => {
      const h = object(json, "health");
      const health: MatcherHealth = {
        status: oneOf(h, "status", "health", ["ok", "shutting_down"] as const),
      };
      for (const key of ["queuedFills", "submittedFills", "pendingBatches"] as const) {
        const value = optionalInteger(h, key, "health");
        if (value !== undefined) health[key] = value;
      }
      return health;
    });
  }

  /** The Prometheus metrics text (`GET /metrics`). */
  async getMetrics(): Promise<string> {
    const { response, text } = await this.send("GET", "/metrics", undefined);
    if (!response.ok) this.fail(response, text, "GET /metrics");
    return text;
  }

  /**
   * Polls `getOrder` until `done(order)` holds (e.g. `(o) => o.status === "filled"`); resolves with
   * that view. A `TIMEOUT` error carries the last status seen.
   */
  async waitForOrder(
    orderHash: string,
    done: (order: MatcherOrder) => boolean,
    options: WaitOptions = {},
  ): Promise<MatcherOrder> {
    const timeoutMs = options.timeoutMs ?? 30_000;
    const intervalMs = options.intervalMs ?? 250;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const order = await this.getOrder(orderHash);
      if (done(order)) return order;
      if (Date.now() + intervalMs > deadline) {
        throw new MatcherApiError(
          0,
          "TIMEOUT",
          `order ${orderHash} did not reach the awaited state within ${timeoutMs} ms (last: ${order.status}, ` +
            `filled ${order.filledX18}, pending ${order.pendingX18})`,
          `GET /orders/${orderHash}`,
        );
      }
      await sleep(intervalMs);
    }
  }

  // ---------------------------------------------------------------- transport

  private async send(
    method: string,
    path: string,
    body: unknown,
  ): Promise<{ response: Response; text: string }> {
    const request = `${method} ${path}`;
    const headers: Record<string, string> = { accept: "application/json" };
    if (body !== undefined) headers["content-type"] = "application/json";
    try {
      const response = await this.fetchFn(this.baseUrl + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      return { response, text: await response.text() };
    } catch (err) {
      if (isTimeout(err)) {
        throw new MatcherApiError(0, "TIMEOUT", `no answer within ${this.timeoutMs} ms`, request, {
          cause: err,
        });
      }
      const why =
        err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
      throw new MatcherApiError(0, "NETWORK_ERROR", `cannot reach ${this.baseUrl}: ${why}`, request, {
        cause: err,
      });
    }
  }

  /** Throws the API's error of a non-2xx answer (or `BAD_RESPONSE` if it has none). */
  private fail(response: Response, text: string, request: string): never {
    let error: { code?: unknown; message?: unknown } | undefined;
    try {
      error = (JSON.parse(text) as { error?: { code?: unknown; message?: unknown } } | null)?.error;
    } catch {
      error = undefined;
    }
    if (typeof error?.code === "string" && typeof error.message === "string") {
      throw new MatcherApiError(response.status, error.code, error.message, request);
    }
    throw new MatcherApiError(
      response.status,
      "BAD_RESPONSE",
      `HTTP ${response.status} without an API error body: ${text.slice(0, 200)}`,
      request,
    );
  }

  private async call<T>(
    method: string,
    path: string,
    body: unknown,
    decode: (json: unknown) => T,
  ): Promise<T> {
    const request = `${method} ${path}`;
    const { response, text } = await this.send(method, path, body);
    if (!response.ok) this.fail(response, text, request);
    const bad = (why: string, cause: unknown): MatcherApiError =>
      new MatcherApiError(response.status, "BAD_RESPONSE", `unexpected answer: ${why}`, request, { cause });
    let json: unknown;
    try {
      json = JSON.parse(text) as unknown;
    } catch (err) {
      throw bad(`the body is not JSON: ${text.slice(0, 200)}`, err);
    }
    try {
      return decode(json);
    } catch (err) {
      if (err instanceof ShapeError) throw bad(err.message, err);
      throw err;
    }
  }
}

function searchOf<S extends string>(query: ListQuery<S>): string {
  const params = new URLSearchParams();
  if (query.status !== undefined) {
    params.set("status", typeof query.status === "string" ? query.status : query.status.join(","));
  }
  if (query.market !== undefined) params.set("market", query.market);
  if (query.subaccount !== undefined) params.set("subaccount", query.subaccount.toString());
  if (query.limit !== undefined) params.set("limit", String(query.limit));
  if (query.before !== undefined) params.set("before", String(query.before));
  const search = params.toString();
  return search === "" ? "" : `?${search}`;
}
