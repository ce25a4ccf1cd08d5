/**
 * The matcher's HTTP API (node:http, JSON): submit, cancel and read orders, list an owner's orders
 * and fills, read the book, health and Prometheus metrics. Errors are `{error: {code, message}}`
 * with a 4xx/5xx status. The typed client is `sdk/matcher.ts`.
 *
 *   POST   /orders                     {order, signature}            → 201 order view
 *   DELETE /orders/:hash               {signature, deadline} or none → 200 order view
 *   GET    /orders/:hash                                             → 200 order view
 *   GET    /orders/:hash/fills                                       → 200 {orderHash, fills}
 *   GET    /accounts/:owner/orders     ?status&market&subaccount&limit&before → 200 {owner, orders, nextBefore}
 *   GET    /accounts/:owner/fills      ?status&market&subaccount&limit&before → 200 {owner, fills, nextBefore}
 *   GET    /book/:marketId?depth=N                                   → 200 {marketId, bids, asks}
 *   GET    /health                                                   → 200 {status: "ok", ...}
 *   GET    /metrics                                                  → 200 Prometheus text
 */
import { type IncomingMessage, type Server, type ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { encodeBytes32String, getAddress, isAddress, isHexString } from "ethers";
import { MATCHER_FILL_STATUSES, MATCHER_ORDER_STATUSES } from "../../sdk/matcher.js";
import type { Logger } from "../lib/logger.js";
import type { MatcherEngine } from "./engine.js";
import type { MatcherMetrics } from "./metrics.js";
import { RequestError } from "./validation.js";

/** Largest accepted request body (an order is ~700 bytes of JSON). */
export const MAX_BODY_BYTES = 16 * 1024;
const MAX_DEPTH = 500;
/** Largest page of the owner listings, and the default. */
export const MAX_LIST_LIMIT = 500;
const DEFAULT_LIST_LIMIT = 100;
const LIST_PARAMS = ["status", "market", "subaccount", "limit", "before"] as const;
const MAX_UINT96 = (1n << 96n) - 1n;

export interface ApiHealth {
  /** Extra health fields (e.g. queued fills, last batch). */
  details(): Record<string, unknown>;
  /** False while shutting down: new orders are refused with 503. */
  accepting(): boolean;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
  });
  res.end(text);
}

function sendError(res: ServerResponse, err: RequestError): void {
  sendJson(res, err.status, { error: { code: err.code, message: err.message } });
}

/** Reads and parses a JSON body; undefined when empty. */
async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > MAX_BODY_BYTES)
      throw new RequestError(413, "BODY_TOO_LARGE", `body exceeds ${MAX_BODY_BYTES} bytes`);
    chunks.push(buf);
  }
  if (size === 0) return undefined;
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8")) as unknown;
  } catch {
    throw new RequestError(400, "MALFORMED_REQUEST", "body is not valid JSON");
  }
}

function parseHash(raw: string): string {
  if (!isHexString(raw, 32))
    throw new RequestError(400, "INVALID_FIELD", "order hash must be 32 bytes of 0x hex");
  return raw.toLowerCase();
}

/** A percent-encoded path segment, decoded. */
function decodeSegment(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new RequestError(
      400,
      "INVALID_FIELD",
      `path segment ${raw.slice(0, 40)} is not valid percent-encoding`,
    );
  }
}

/** A market id: 32 bytes of hex, or a name ("AAPL-USD") encoded like `encodeBytes32String`. */
function parseMarket(name: string): string {
  if (isHexString(name, 32)) return name.toLowerCase();
  try {
    return encodeBytes32String(name);
  } catch {
    throw new RequestError(400, "INVALID_FIELD", "market id must be 32 bytes of hex or a name of ≤ 31 bytes");
  }
}

function parseOwner(raw: string): string {
  if (!isAddress(raw)) throw new RequestError(400, "INVALID_FIELD", "owner must be a 0x address");
  return getAddress(raw);
}

const invalid = (message: string): RequestError => new RequestError(400, "INVALID_FIELD", message);
const shown = (text: string): string => JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);

/** The query parameters of `url`: only `allowed` ones, each at most once. */
function queryOf(url: URL, allowed: readonly string[]): Map<string, string> {
  const params = new Map<string, string>();
  for (const key of new Set(url.searchParams.keys())) {
    if (!allowed.includes(key)) {
      throw invalid(`unknown query parameter ${shown(key)} (allowed: ${allowed.join(", ")})`);
    }
    const values = url.searchParams.getAll(key);
    if (values.length > 1) throw invalid(`query parameter ${key} is given ${values.length} times`);
    params.set(key, values[0]!);
  }
  return params;
}

/** A decimal integer in [1, max] (no signs, exponents, hex or spaces). */
function parseCount(name: string, raw: string, max: number): number {
  const n = /^[1-9]\d{0,15}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(n) || n > max) throw invalid(`${name} must be an integer in [1, ${max}]`);
  return n;
}

/** A comma-separated list of statuses out of `known`. */
function parseStatuses<S extends string>(raw: string, known: readonly S[]): S[] {
  const statuses = raw.split(",").map((s) => s.trim());
  for (const status of statuses) {
    if (!(known as readonly string[]).includes(status)) {
      throw invalid(`status ${shown(status)} is not one of ${known.join(", ")}`);
    }
  }
  return [...new Set(statuses as S[])];
}

/** The filters of `GET /accounts/:owner/{orders,fills}`. */
function parseListQuery<S extends string>(owner: string, url: URL, known: readonly S[]) {
  const params = queryOf(url, LIST_PARAMS);
  const get = (key: (typeof LIST_PARAMS)[number]): string | undefined => params.get(key);
  const status = get("status");
  const market = get("market");
  const subaccount = get("subaccount");
  const before = get("before");
  const limit = get("limit");
  if (subaccount !== undefined && (!/^(0|[1-9]\d*)$/.test(subaccount) || BigInt(subaccount) > MAX_UINT96)) {
    throw invalid("subaccount must be a uint96 decimal integer");
  }
  return {
    owner: parseOwner(owner),
    statuses: status === undefined ? undefined : parseStatuses(status, known),
    marketId: market === undefined ? undefined : parseMarket(market),
    subaccount: subaccount === undefined ? undefined : BigInt(subaccount),
    before: before === undefined ? undefined : parseCount("before", before, Number.MAX_SAFE_INTEGER),
    limit: limit === undefined ? DEFAULT_LIST_LIMIT : parseCount("limit", limit, MAX_LIST_LIMIT),
  };
}

/**
 * The route template of a path (the `route` label of the HTTP metrics): a fixed set of values, so
 * that arbitrary paths cannot grow the metrics without bound.
 */
function routeOf(parts: readonly string[]): string {
  const [head, , tail] = parts;
  if (parts.length === 1 && (head === "orders" || head === "health" || head === "metrics")) return `/${head}`;
  if (parts.length === 2 && (head === "orders" || head === "book")) return `/${head}/:id`;
  if (parts.length === 3 && head === "orders" && tail === "fills") return "/orders/:id/fills";
  if (parts.length === 3 && head === "accounts" && (tail === "orders" || tail === "fills")) {
    return `/accounts/:id/${tail}`;
  }
  return "unmatched";
}

export class MatcherApi {
  private readonly server: Server;

  constructor(
    private readonly engine: MatcherEngine,
    private readonly metrics: MatcherMetrics,
    private readonly logger: Logger,
    private readonly health: ApiHealth,
  ) {
    this.server = createServer((req, res) => {
      void this.handle(req, res);
    });
    // Bound slow clients: a request must arrive within 10 s.
    this.server.requestTimeout = 10_000;
    this.server.headersTimeout = 10_000;
  }

  /** Listens on `host:port` (port 0 = ephemeral); resolves with the bound port. */
  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(port, host, () => {
        this.server.off("error", reject);
        resolve((this.server.address() as AddressInfo).port);
      });
    });
  }

  /** Stops accepting connections and waits for in-flight requests. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeIdleConnections();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://matcher");
    const parts = url.pathname.split("/").filter((p) => p.length > 0);
    const route = routeOf(parts);
    const stopTimer = this.metrics.httpDuration.startTimer({ route });
    try {
      await this.route(req, res, route, parts, url);
    } catch (err) {
      if (err instanceof RequestError) sendError(res, err);
      else {
        this.logger.error("request failed", { method: req.method, path: url.pathname, err });
        sendError(res, new RequestError(500, "INTERNAL", "internal error"));
      }
    } finally {
      stopTimer();
      this.metrics.httpRequests.inc({ route, status: String(res.statusCode) });
    }
  }

  private async route(
    req: IncomingMessage,
    res: ServerResponse,
    route: string,
    parts: readonly string[],
    url: URL,
  ): Promise<void> {
    const method = req.method ?? "GET";
    const id = parts[1] ?? "";
    const notAllowed = (): RequestError =>
      new RequestError(405, "METHOD_NOT_ALLOWED", `${method} ${url.pathname} is not allowed`);
    if (route === "unmatched") throw new RequestError(404, "NOT_FOUND", `no route ${url.pathname}`);
    if (route === "/orders") {
      if (method !== "POST") throw notAllowed();
      if (!this.health.accepting())
        throw new RequestError(503, "SHUTTING_DOWN", "the matcher is shutting down");
      sendJson(res, 201, await this.engine.submit(await readJson(req)));
      return;
    }
    if (route === "/orders/:id" && method === "DELETE") {
      sendJson(res, 200, await this.engine.cancel(parseHash(id), await readJson(req)));
      return;
    }
    if (method !== "GET") throw notAllowed();
    switch (route) {
      case "/orders/:id": {
        const hash = parseHash(id);
        const view = this.engine.view(hash);
        if (!view) throw new RequestError(404, "NOT_FOUND", `order ${hash} is unknown`);
        sendJson(res, 200, view);
        return;
      }
      case "/orders/:id/fills": {
        const hash = parseHash(id);
        const fills = this.engine.orderFills(hash);
        if (!fills) throw new RequestError(404, "NOT_FOUND", `order ${hash} is unknown`);
        sendJson(res, 200, { orderHash: hash, fills });
        return;
      }
      case "/accounts/:id/orders": {
        const query = parseListQuery(id, url, MATCHER_ORDER_STATUSES);
        sendJson(res, 200, { owner: query.owner, ...this.engine.ordersOf(query) });
        return;
      }
      case "/accounts/:id/fills": {
        const query = parseListQuery(id, url, MATCHER_FILL_STATUSES);
        sendJson(res, 200, { owner: query.owner, ...this.engine.fillsOf(query) });
        return;
      }
      case "/book/:id": {
        const depthParam = queryOf(url, ["depth"]).get("depth");
        const depth = depthParam === undefined ? 50 : parseCount("depth", depthParam, MAX_DEPTH);
        const marketId = parseMarket(decodeSegment(id));
        const book = this.engine.depth(marketId, depth);
        const level = (l: {
          priceX18: bigint;
          sizeX18: bigint;
          orders: number;
        }): Record<string, unknown> => ({
          priceX18: l.priceX18.toString(),
          sizeX18: l.sizeX18.toString(),
          orders: l.orders,
        });
        sendJson(res, 200, { marketId, bids: book.bids.map(level), asks: book.asks.map(level) });
        return;
      }
      case "/health":
        sendJson(res, 200, {
          status: this.health.accepting() ? "ok" : "shutting_down",
          ...this.health.details(),
        });
        return;
      case "/metrics":
        this.metrics.registry.handle(req, res);
        return;
      default:
        throw new RequestError(404, "NOT_FOUND", `no route ${url.pathname}`);
    }
  }
}
