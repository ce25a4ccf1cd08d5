/**
 * The matcher's HTTP API (node:http, JSON): submit, cancel and read orders, read the book, health
 * and Prometheus metrics. Errors are `{error: {code, message}}` with a 4xx/5xx status.
 *
 *   POST   /orders            {order, signature}            → 201 order view
 *   DELETE /orders/:hash      {signature, deadline} or none → 200 order view
 *   GET    /orders/:hash                                    → 200 order view
 *   GET    /book/:marketId?depth=N                          → 200 {marketId, bids, asks}
 *   GET    /health                                          → 200 {status: "ok", ...}
 *   GET    /metrics                                         → 200 Prometheus text
 */
import { type IncomingMessage, type Server, type ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { encodeBytes32String, isHexString } from "ethers";
import type { Logger } from "../lib/logger.js";
import type { MatcherEngine } from "./engine.js";
import type { MatcherMetrics } from "./metrics.js";
import { RequestError } from "./validation.js";

/** Largest accepted request body (an order is ~700 bytes of JSON). */
export const MAX_BODY_BYTES = 16 * 1024;
const MAX_DEPTH = 500;

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

function parseMarket(raw: string): string {
  const decoded = decodeURIComponent(raw);
  if (isHexString(decoded, 32)) return decoded.toLowerCase();
  try {
    return encodeBytes32String(decoded);
  } catch {
    throw new RequestError(400, "INVALID_FIELD", "market id must be 32 bytes of hex or a name of ≤ 31 bytes");
  }
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
    const route = parts.length === 0 ? "/" : `/${parts[0]}${parts.length > 1 ? "/:id" : ""}`;
    const stopTimer = this.metrics.httpDuration.startTimer({ route });
    try {
      await this.route(req, res, parts, url);
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

  private async route(req: IncomingMessage, res: ServerResponse, parts: string[], url: URL): Promise<void> {
    const method = req.method ?? "GET";
    const [head, id, extra] = parts;
    const notAllowed = (): RequestError =>
      new RequestError(405, "METHOD_NOT_ALLOWED", `${method} ${url.pathname} is not allowed`);
    if (extra !== undefined) throw new RequestError(404, "NOT_FOUND", `no route ${url.pathname}`);
    if (head === "orders" && id === undefined) {
      if (method !== "POST") throw notAllowed();
      if (!this.health.accepting())
        throw new RequestError(503, "SHUTTING_DOWN", "the matcher is shutting down");
      sendJson(res, 201, await this.engine.submit(await readJson(req)));
      return;
    }
    if (head === "orders" && id !== undefined) {
      const hash = parseHash(id);
      if (method === "GET") {
        const view = this.engine.view(hash);
        if (!view) throw new RequestError(404, "NOT_FOUND", `order ${hash} is unknown`);
        sendJson(res, 200, view);
      } else if (method === "DELETE") {
        sendJson(res, 200, await this.engine.cancel(hash, await readJson(req)));
      } else throw notAllowed();
      return;
    }
    if (method !== "GET") throw notAllowed();
    if (head === "book" && id !== undefined) {
      const depthParam = url.searchParams.get("depth") ?? "50";
      const depth = Number(depthParam);
      if (!Number.isSafeInteger(depth) || depth < 1 || depth > MAX_DEPTH) {
        throw new RequestError(400, "INVALID_FIELD", `depth must be an integer in [1, ${MAX_DEPTH}]`);
      }
      const marketId = parseMarket(id);
      const book = this.engine.depth(marketId, depth);
      const level = (l: { priceX18: bigint; sizeX18: bigint; orders: number }): Record<string, unknown> => ({
        priceX18: l.priceX18.toString(),
        sizeX18: l.sizeX18.toString(),
        orders: l.orders,
      });
      sendJson(res, 200, { marketId, bids: book.bids.map(level), asks: book.asks.map(level) });
    } else if (head === "health" && id === undefined) {
      sendJson(res, 200, {
        status: this.health.accepting() ? "ok" : "shutting_down",
        ...this.health.details(),
      });
    } else if (head === "metrics" && id === undefined) {
      this.metrics.registry.handle(req, res);
    } else {
      throw new RequestError(404, "NOT_FOUND", `no route ${url.pathname}`);
    }
  }
}
