/**
 * A fake web service on an ephemeral local port (node:http) for the oracle keeper's fetchers: it
 * records every request and answers through a handler the test swaps at will.
 */
import { createHash, createHmac } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface RecordedRequest {
  method: string;
  /** Path and query as sent, e.g. `/v2/updates/price/latest?ids%5B%5D=…`. */
  url: string;
  headers: IncomingHttpHeaders;
}

/** Answers a request (what it returns is ignored; a rejection answers 599). */
export type FakeHandler = (req: RecordedRequest, res: ServerResponse) => unknown;

export interface FakeServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  requests: RecordedRequest[];
  handler: FakeHandler;
  close(): Promise<void>;
}

export async function startFakeServer(handler: FakeHandler): Promise<FakeServer> {
  const fake: FakeServer = { url: "", requests: [], handler, close: async () => undefined };
  const server = createServer((req, res) => {
    const recorded = { method: req.method ?? "", url: req.url ?? "", headers: req.headers };
    fake.requests.push(recorded);
    Promise.resolve(fake.handler(recorded, res)).catch((err: unknown) => {
      res.writeHead(599).end(String(err));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return fake;
}

export function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
}

/** A port nothing listens on (a server opened and closed again). */
export async function closedPort(): Promise<string> {
  const fake = await startFakeServer(() => undefined);
  await fake.close();
  return fake.url;
}

/**
 * The server side of Chainlink's Data Streams authentication, written from the documentation (not
 * from the keeper's code): the signature is the hex HMAC-SHA256, keyed with the secret, of
 * `"<METHOD> <path?query> <hex sha256(body)> <API key> <timestamp ms>"`, and the timestamp must be
 * within 5 s of the server's clock. Returns why a request is refused, or undefined.
 */
export function dataStreamsAuthProblem(
  req: RecordedRequest,
  apiKey: string,
  secret: string,
  serverNowMs: number,
): string | undefined {
  const key = req.headers["authorization"];
  const timestamp = req.headers["x-authorization-timestamp"];
  const signature = req.headers["x-authorization-signature-sha256"];
  if (key !== apiKey) return "unknown API key";
  if (typeof timestamp !== "string" || !/^\d+$/.test(timestamp)) return "no millisecond timestamp";
  if (Math.abs(Number(timestamp) - serverNowMs) > 5_000) return "timestamp more than 5 s off";
  const emptyBodyHash = createHash("sha256").update("").digest("hex");
  const expected = createHmac("sha256", secret)
    .update(`${req.method} ${req.url} ${emptyBodyHash} ${apiKey} ${timestamp}`)
    .digest("hex");
  return signature === expected ? undefined : "bad signature";
}
