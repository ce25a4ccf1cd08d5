/**
 * The SDK's matcher client (`sdk/matcher.ts`) against the real HTTP API (`keepers/matcher/api.ts`)
 * over the matcher's test doubles (fake chain and submitter), and against misbehaving servers.
 */
import { type Server, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { expect } from "chai";
import { silentLogger } from "../../keepers/lib/logger.js";
import { MatcherApi } from "../../keepers/matcher/api.js";
import {
  MatcherApiError,
  MatcherClient,
  cancelDomain,
  signCancel,
  type MatcherOrder,
} from "../../sdk/matcher.js";
import { orderDigest } from "../../sdk/orders.js";
import {
  CHAIN_ID,
  CLEARINGHOUSE,
  E18,
  type FakeMatcher,
  MARKET,
  NOW,
  alice,
  bob,
  domain,
  makeMatcher,
  makeOrder,
  signed,
} from "../keepers/matcher/fakes.js";

/** The rejection of `promise`, which must be a `MatcherApiError`. */
async function apiError(promise: Promise<unknown>): Promise<MatcherApiError> {
  try {
    await promise;
  } catch (err) {
    expect(err).to.be.instanceOf(MatcherApiError);
    return err as MatcherApiError;
  }
  expect.fail("expected a MatcherApiError");
}

/** A server that answers every request with `handler`'s status, content type and body. */
async function rawServer(handler: () => { status: number; type: string; body: string } | "hang"): Promise<{
  url: string;
  server: Server;
}> {
  const server = createServer((_req, res) => {
    const answer = handler();
    if (answer === "hang") return;
    res.writeHead(answer.status, { "content-type": answer.type });
    res.end(answer.body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

describe("sdk/matcher: the matcher HTTP client", () => {
  let ctx: FakeMatcher;
  let api: MatcherApi;
  let client: MatcherClient;

  beforeEach(async () => {
    ctx = makeMatcher(":memory:");
    api = new MatcherApi(ctx.engine, ctx.metrics, silentLogger, {
      accepting: () => true,
      details: () => ({ queuedFills: ctx.store.countFills("queued") }),
    });
    client = new MatcherClient(`http://127.0.0.1:${await api.listen(0, "127.0.0.1")}/`);
  });

  afterEach(async () => {
    await api.close();
    ctx.store.close();
  });

  it("submits orders and reads them back with bigint amounts: order, fills, listings, book", async () => {
    const ask = await signed(alice, makeOrder(alice, false, 3n, 100n));
    const accepted = await client.submitOrder(ask);
    expect(accepted.hash).to.equal(orderDigest(domain, ask.order));
    expect(accepted.order).to.deep.equal(ask.order);
    expect(accepted).to.deep.include({ status: "open", reason: null, restingX18: 3n * E18, filledX18: 0n });

    const bid = await client.submitOrder(await signed(bob, makeOrder(bob, true, 1n, 101n)));
    expect(bid.status).to.equal("open");
    expect(bid.pendingX18).to.equal(E18);
    expect(bid.fills).to.have.length(1);
    expect(bid.fills[0]).to.deep.include({
      id: 1,
      makerHash: accepted.hash,
      takerHash: bid.hash,
      sizeX18: E18,
      priceX18: 100n * E18,
      status: "queued",
      skipReason: null,
      txHash: null,
    });

    await ctx.settler.drain();
    const settled = await client.getOrder(bid.hash);
    expect(settled).to.deep.include({ status: "filled", filledX18: E18, pendingX18: 0n });
    const txHash = ctx.submitter.sent[0]!.hash;
    expect((await client.getOrderFills(accepted.hash)).map((f) => [f.status, f.txHash])).to.deep.equal([
      ["settled", txHash],
    ]);

    const orders = await client.listOrders(alice.address, { status: ["open", "filled"], limit: 10 });
    expect(orders.orders.map((o) => o.hash)).to.deep.equal([accepted.hash]);
    expect(orders.nextBefore).to.equal(null);
    expect((await client.listOrders(alice.address, { status: "filled" })).orders).to.deep.equal([]);
    expect((await client.listOrders(alice.address, { subaccount: 1n })).orders).to.deep.equal([]);

    const fills = await client.listFills(bob.address, { status: "settled", market: "AAPL-USD" });
    expect(fills.fills).to.deep.equal([
      {
        fillId: 1,
        orderHash: bid.hash,
        counterpartyHash: accepted.hash,
        role: "taker",
        marketId: MARKET,
        subaccount: 0n,
        isBuy: true,
        sizeX18: E18,
        priceX18: 100n * E18,
        status: "settled",
        skipReason: null,
        txHash,
        createdAt: fills.fills[0]!.createdAt,
      },
    ]);

    const book = await client.getBook("AAPL-USD", 5);
    expect(book).to.deep.equal({
      marketId: MARKET,
      bids: [],
      asks: [{ priceX18: 100n * E18, sizeX18: 2n * E18, orders: 1 }],
    });
    expect(await client.getBook(MARKET)).to.deep.equal(book);
    expect(await client.getHealth()).to.deep.equal({ status: "ok", queuedFills: 0 });
    expect(await client.getMetrics()).to.include("sundial_matcher_orders_accepted_total");
  });

  it("pages through an owner's orders with nextBefore", async () => {
    const hashes: string[] = [];
    for (const price of [90n, 91n, 92n]) {
      hashes.push((await client.submitOrder(await signed(alice, makeOrder(alice, true, 1n, price)))).hash);
    }
    const seen: string[] = [];
    let before: number | undefined;
    for (;;) {
      const page = await client.listOrders(alice.address, {
        limit: 2,
        ...(before === undefined ? {} : { before }),
      });
      seen.push(...page.orders.map((o) => o.hash));
      if (page.nextBefore === null) break;
      before = page.nextBefore;
    }
    expect(seen).to.deep.equal(hashes.reverse());
  });

  it("cancels with a signed CancelOrder, and without one only once the chain shows the order cancelled", async () => {
    const order = await client.submitOrder(await signed(alice, makeOrder(alice, false, 1n, 100n)));
    const deadline = NOW + 60n;
    const cdomain = cancelDomain(CHAIN_ID, CLEARINGHOUSE);
    const byBob = await signCancel(bob, cdomain, { orderHash: order.hash, deadline });
    const refused = await apiError(client.cancelOrder(order.hash, { signature: byBob, deadline }));
    expect(refused).to.deep.include({ status: 400, code: "BAD_SIGNATURE" });

    const unsigned = await apiError(client.cancelOrder(order.hash));
    expect(unsigned).to.deep.include({ status: 409, code: "NOT_CANCELLED_ON_CHAIN" });

    const signature = await signCancel(alice, cdomain, { orderHash: order.hash, deadline });
    const cancelled = await client.cancelOrder(order.hash, { signature, deadline });
    expect(cancelled).to.deep.include({ status: "cancelled", reason: "CANCELLED_BY_USER", restingX18: 0n });
    expect((await client.getBook("AAPL-USD")).asks).to.deep.equal([]);

    const other = await client.submitOrder(await signed(alice, makeOrder(alice, false, 1n, 100n)));
    ctx.chain.cancelledHashes.add(other.hash);
    expect((await client.cancelOrder(other.hash)).status).to.equal("cancelled");
  });

  it("throws MatcherApiError with the API's status, code and message", async () => {
    const order = makeOrder(alice, true, 1n, 100n);
    const forged = await apiError(
      client.submitOrder({ order, signature: (await signed(bob, order)).signature }),
    );
    expect(forged.status).to.equal(400);
    expect(forged.code).to.equal("BAD_SIGNATURE");
    expect(forged.detail).to.equal(`signature is not ${alice.address}'s over this order and domain`);
    expect(forged.request).to.equal("POST /orders");
    expect(forged.message).to.equal(`POST /orders failed: BAD_SIGNATURE (HTTP 400): ${forged.detail}`);

    const s = await signed(alice, order);
    await client.submitOrder(s);
    expect(await apiError(client.submitOrder(s))).to.deep.include({ status: 409, code: "DUPLICATE_ORDER" });
    const unknown = `0x${"00".repeat(32)}`;
    expect(await apiError(client.getOrder(unknown))).to.deep.include({ status: 404, code: "NOT_FOUND" });
    expect(await apiError(client.getOrderFills(unknown))).to.deep.include({ status: 404, code: "NOT_FOUND" });
    expect(await apiError(client.getOrder("0x1234"))).to.deep.include({ status: 400, code: "INVALID_FIELD" });
    expect(await apiError(client.listOrders("not-an-address"))).to.deep.include({
      status: 400,
      code: "INVALID_FIELD",
      detail: "owner must be a 0x address",
    });
    expect(await apiError(client.listFills(alice.address, { limit: 0 }))).to.deep.include({
      code: "INVALID_FIELD",
      detail: "limit must be an integer in [1, 500]",
    });
    expect(await apiError(client.getBook("x".repeat(40)))).to.deep.include({ code: "INVALID_FIELD" });
    // A path segment cannot escape its route.
    expect(await apiError(client.getOrder("../health"))).to.deep.include({
      status: 400,
      code: "INVALID_FIELD",
    });
  });

  it("waits for an order to reach a state, or times out naming the last state", async () => {
    const ask = await client.submitOrder(await signed(alice, makeOrder(alice, false, 1n, 100n)));
    const bid = await client.submitOrder(await signed(bob, makeOrder(bob, true, 1n, 100n)));
    const settling = new Promise<void>((resolve, reject) => {
      setTimeout(() => ctx.settler.drain().then(() => resolve(), reject), 50);
    });
    const filled = await client.waitForOrder(bid.hash, (o: MatcherOrder) => o.status === "filled", {
      intervalMs: 10,
      timeoutMs: 5_000,
    });
    await settling;
    expect(filled.filledX18).to.equal(E18);
    expect((await client.getOrder(ask.hash)).status).to.equal("filled");

    const resting = await client.submitOrder(await signed(alice, makeOrder(alice, false, 1n, 120n)));
    const timeout = await apiError(
      client.waitForOrder(resting.hash, (o) => o.status === "filled", { intervalMs: 10, timeoutMs: 50 }),
    );
    expect(timeout.code).to.equal("TIMEOUT");
    expect(timeout.status).to.equal(0);
    expect(timeout.detail).to.match(/within 50 ms \(last: open, filled 0, pending 0\)/);
  });
});

describe("sdk/matcher: transport failures and unexpected answers", () => {
  it("reports an unreachable matcher as NETWORK_ERROR", async () => {
    const { url, server } = await rawServer(() => ({ status: 200, type: "text/plain", body: "" }));
    await close(server);
    const err = await apiError(new MatcherClient(url).getHealth());
    expect(err).to.deep.include({ status: 0, code: "NETWORK_ERROR", request: "GET /health" });
    expect(err.detail).to.match(/^cannot reach http:\/\/127\.0\.0\.1:\d+: .*ECONNREFUSED/);
  });

  it("gives up after timeoutMs with TIMEOUT", async () => {
    const { url, server } = await rawServer(() => "hang");
    try {
      const err = await apiError(new MatcherClient(url, { timeoutMs: 100 }).getHealth());
      expect(err).to.deep.include({ status: 0, code: "TIMEOUT", detail: "no answer within 100 ms" });
    } finally {
      await close(server);
    }
  });

  it("reports answers that are not the API's as BAD_RESPONSE and passes unknown API codes through", async () => {
    let answer = { status: 502, type: "text/html", body: "<html>Bad Gateway</html>" };
    const { url, server } = await rawServer(() => answer);
    const client = new MatcherClient(url);
    try {
      expect(await apiError(client.getHealth())).to.deep.include({
        status: 502,
        code: "BAD_RESPONSE",
        detail: "HTTP 502 without an API error body: <html>Bad Gateway</html>",
      });
      answer = { status: 200, type: "text/plain", body: "ok" };
      expect(await apiError(client.getHealth())).to.deep.include({
        status: 200,
        code: "BAD_RESPONSE",
        detail: "unexpected answer: the body is not JSON: ok",
      });
      answer = { status: 200, type: "application/json", body: JSON.stringify({ hash: 1 }) };
      expect(await apiError(client.getOrder(`0x${"11".repeat(32)}`))).to.deep.include({
        code: "BAD_RESPONSE",
        detail: "unexpected answer: order view.hash is not a string",
      });
      answer = { status: 200, type: "application/json", body: JSON.stringify({ fills: [{ id: 1 }] }) };
      expect((await apiError(client.getOrderFills(`0x${"11".repeat(32)}`))).detail).to.equal(
        "unexpected answer: fills[0].makerHash is not a string",
      );
      answer = { status: 200, type: "application/json", body: JSON.stringify({ status: "maybe" }) };
      expect((await apiError(client.getHealth())).detail).to.equal(
        'unexpected answer: health.status "maybe" is unknown',
      );
      answer = {
        status: 200,
        type: "application/json",
        body: JSON.stringify({
          marketId: MARKET,
          bids: [{ priceX18: "1.5", sizeX18: "1", orders: 1 }],
          asks: [],
        }),
      };
      expect((await apiError(client.getBook(MARKET))).detail).to.equal(
        "unexpected answer: book.bids[0].priceX18 is not a decimal integer string",
      );
      answer = {
        status: 429,
        type: "application/json",
        body: JSON.stringify({ error: { code: "RATE_LIMITED", message: "slow down" } }),
      };
      expect(await apiError(client.getHealth())).to.deep.include({
        status: 429,
        code: "RATE_LIMITED",
        detail: "slow down",
      });
      answer = { status: 500, type: "text/plain", body: "boom" };
      expect(await apiError(client.getMetrics())).to.deep.include({ status: 500, code: "BAD_RESPONSE" });
    } finally {
      await close(server);
    }
  });

  it("sends requests through the given fetch under the base URL's path", async () => {
    const seen: string[] = [];
    const recording: typeof fetch = async (input, init) => {
      seen.push(`${init?.method} ${String(input)} ${String(init?.body ?? "")}`);
      return new Response(JSON.stringify({ status: "ok" }), { status: 200 });
    };
    const client = new MatcherClient("https://matcher.example/api/v1/", { fetch: recording });
    expect(client.baseUrl).to.equal("https://matcher.example/api/v1");
    expect(await client.getHealth()).to.deep.equal({ status: "ok" });
    await apiError(client.listFills("0xab", { status: ["queued", "settled"], subaccount: 2n, before: 9 }));
    expect(seen).to.deep.equal([
      "GET https://matcher.example/api/v1/health ",
      "GET https://matcher.example/api/v1/accounts/0xab/fills?status=queued%2Csettled&subaccount=2&before=9 ",
    ]);
    expect(() => new MatcherClient("ftp://matcher.example")).to.throw(
      TypeError,
      "matcher URL must be http(s)",
    );
  });
});
