import { expect } from "chai";
import { Wallet } from "ethers";
import { silentLogger } from "../../../keepers/lib/logger.js";
import { MatcherApi } from "../../../keepers/matcher/api.js";
import { CANCEL_TYPES, cancelDomain } from "../../../keepers/matcher/validation.js";
import { FLAG_POST_ONLY, orderDigest } from "../../../sdk/orders.js";
import {
  CHAIN_ID,
  CLEARINGHOUSE,
  E18,
  MARKET,
  NOW,
  alice,
  bob,
  body,
  carol,
  domain,
  makeMatcher,
  makeOrder,
  signed,
} from "./fakes.js";

type Json = Record<string, unknown> & { error?: { code: string; message: string } };

describe("matcher HTTP API", () => {
  let ctx: ReturnType<typeof makeMatcher>;
  let api: MatcherApi;
  let base: string;

  beforeEach(async () => {
    ctx = makeMatcher(":memory:");
    api = new MatcherApi(ctx.engine, ctx.metrics, silentLogger, {
      accepting: () => true,
      details: () => ({}),
    });
    base = `http://127.0.0.1:${await api.listen(0, "127.0.0.1")}`;
  });

  afterEach(async () => {
    await api.close();
    ctx.store.close();
  });

  async function call(
    method: string,
    path: string,
    payload?: unknown,
  ): Promise<{ status: number; json: Json }> {
    const res = await fetch(base + path, {
      method,
      headers: { "content-type": "application/json" },
      body:
        payload === undefined ? undefined : typeof payload === "string" ? payload : JSON.stringify(payload),
    });
    return { status: res.status, json: (await res.json()) as Json };
  }

  async function expectError(method: string, path: string, payload: unknown, status: number, code: string) {
    const { status: got, json } = await call(method, path, payload);
    expect(json.error?.code, json.error?.message).to.equal(code);
    expect(got).to.equal(status);
    expect(json.error?.message).to.be.a("string").and.not.equal("");
  }

  it("accepts a signed order, matches it and reports fills, order and book", async () => {
    const ask = await signed(alice, makeOrder(alice, false, 3n, 100n));
    const first = await call("POST", "/orders", body(ask));
    expect(first.status).to.equal(201);
    expect(first.json.hash).to.equal(orderDigest(domain, ask.order));
    expect(first.json.restingX18).to.equal((3n * E18).toString());

    const bid = await signed(bob, makeOrder(bob, true, 1n, 101n));
    const second = await call("POST", "/orders", body(bid));
    expect(second.status).to.equal(201);
    expect(second.json.pendingX18).to.equal(E18.toString());
    const fills = second.json.fills as { priceX18: string; status: string }[];
    expect(fills).to.have.length(1);
    expect(fills[0]!.priceX18).to.equal((100n * E18).toString()); // the maker's price
    expect(fills[0]!.status).to.equal("queued");

    const got = await call("GET", `/orders/${first.json.hash as string}`);
    expect(got.json.restingX18).to.equal((2n * E18).toString());
    const book = await call("GET", "/book/AAPL-USD?depth=5");
    expect(book.json).to.deep.equal({
      marketId: MARKET,
      bids: [],
      asks: [{ priceX18: (100n * E18).toString(), sizeX18: (2n * E18).toString(), orders: 1 }],
    });
    expect((await call("GET", `/book/${MARKET}`)).json.asks).to.have.length(1);
  });

  it("rejects malformed requests with 400 and a code", async () => {
    const good = body(await signed(alice, makeOrder(alice, true, 1n, 100n))) as {
      order: Record<string, unknown>;
    };
    await expectError("POST", "/orders", "{not json", 400, "MALFORMED_REQUEST");
    await expectError("POST", "/orders", [1, 2], 400, "MALFORMED_REQUEST");
    await expectError("POST", "/orders", { signature: "0x00" }, 400, "MALFORMED_REQUEST");
    await expectError("POST", "/orders", { ...good, signature: "zz" }, 400, "INVALID_FIELD");
    await expectError(
      "POST",
      "/orders",
      { ...good, order: { ...good.order, owner: "0x12" } },
      400,
      "INVALID_FIELD",
    );
    await expectError(
      "POST",
      "/orders",
      { ...good, order: { ...good.order, sizeX18: "-1" } },
      400,
      "INVALID_FIELD",
    );
    await expectError(
      "POST",
      "/orders",
      { ...good, order: { ...good.order, sizeX18: 1.5 } },
      400,
      "INVALID_FIELD",
    );
    await expectError(
      "POST",
      "/orders",
      { ...good, order: { ...good.order, isBuy: "yes" } },
      400,
      "INVALID_FIELD",
    );
    await expectError(
      "POST",
      "/orders",
      { ...good, order: { ...good.order, flags: 256 } },
      400,
      "INVALID_FIELD",
    );
    const { expiry: _expiry, ...noExpiry } = good.order;
    await expectError("POST", "/orders", { ...good, order: noExpiry }, 400, "INVALID_FIELD");
    await expectError(
      "POST",
      "/orders",
      { ...good, order: { ...good.order, marketId: "x".repeat(40) } },
      400,
      "INVALID_FIELD",
    );
    await expectError("POST", "/orders", "x".repeat(20_000), 413, "BODY_TOO_LARGE");
  });

  it("rejects orders the clearinghouse would refuse", async () => {
    const post = async (
      o: ReturnType<typeof makeOrder>,
      code: string,
      wallet: Wallet = alice,
      status = 400,
    ) => expectError("POST", "/orders", body(await signed(wallet, o)), status, code);
    await post(makeOrder(alice, true, 1n, 100n, { flags: 4 }), "MALFORMED_ORDER");
    await post(makeOrder(alice, true, 0n, 100n), "MALFORMED_ORDER");
    await post(makeOrder(alice, true, 1n, 100n, { marketId: "0x" + "ab".repeat(32) }), "UNKNOWN_MARKET");
    await post(makeOrder(alice, true, 1n, 100n, { epoch: 1n }), "EPOCH_MISMATCH");
    await post({ ...makeOrder(alice, true, 1n, 100n), limitPriceX18: 100n * E18 + 1n }, "OFF_TICK");
    await post({ ...makeOrder(alice, true, 1n, 100n), sizeX18: E18 + 1n }, "OFF_STEP");
    await post({ ...makeOrder(alice, true, 1n, 100n), sizeX18: 10n ** 15n }, "BELOW_MIN_SIZE");
    await post(makeOrder(alice, true, 1n, 100n, { expiry: NOW + 2n }), "EXPIRED");
    const cancelled = makeOrder(alice, true, 1n, 100n);
    ctx.chain.cancelledHashes.add(orderDigest(domain, cancelled));
    await post(cancelled, "ORDER_CANCELLED");
    ctx.chain.nonceFloors.set(alice.address.toLowerCase(), 10_000n);
    await post(makeOrder(alice, true, 1n, 100n), "ORDER_CANCELLED");
    const filled = makeOrder(bob, true, 1n, 100n);
    ctx.chain.filled.set(orderDigest(domain, filled), E18);
    await post(filled, "ORDER_FILLED", bob);
  });

  it("rejects bad signatures: wrong key, another chain, tampered field, unapproved operator", async () => {
    const order = makeOrder(alice, true, 1n, 100n);
    await expectError(
      "POST",
      "/orders",
      body({ order, signature: (await signed(bob, order)).signature }),
      400,
      "BAD_SIGNATURE",
    );
    const otherChain = await alice.signTypedData(
      { ...domain, chainId: 1n },
      (await import("../../../sdk/orders.js")).ORDER_TYPES,
      order,
    );
    await expectError("POST", "/orders", body({ order, signature: otherChain }), 400, "BAD_SIGNATURE");
    const s = await signed(alice, order);
    await expectError(
      "POST",
      "/orders",
      body({ ...s, order: { ...order, sizeX18: 2n * E18 } }),
      400,
      "BAD_SIGNATURE",
    );
    await expectError("POST", "/orders", body({ ...s, signature: "0x1234" }), 400, "BAD_SIGNATURE");
    const byOperator = makeOrder(alice, true, 1n, 100n, { signer: carol.address });
    await expectError("POST", "/orders", body(await signed(carol, byOperator)), 403, "SIGNER_NOT_AUTHORIZED");
    ctx.chain.operators.add(`${alice.address.toLowerCase()}:${carol.address.toLowerCase()}`);
    expect((await call("POST", "/orders", body(await signed(carol, byOperator)))).status).to.equal(201);
  });

  it("accepts an ERC-1271 signer when the wallet contract approves the digest", async () => {
    const walletContract = "0x000000000000000000000000000000000000a11e";
    const order = makeOrder(alice, true, 1n, 100n, { owner: walletContract, signer: walletContract });
    const digest = orderDigest(domain, order);
    ctx.chain.contractSigners.set(walletContract, (d, sig) => d === digest && sig === "0xc0ffee");
    expect((await call("POST", "/orders", body({ order, signature: "0xc0ffee" }))).status).to.equal(201);
    const other = makeOrder(alice, true, 1n, 100n, { owner: walletContract, signer: walletContract });
    await expectError("POST", "/orders", body({ order: other, signature: "0xc0ffee" }), 400, "BAD_SIGNATURE");
  });

  it("rejects a duplicate order and a crossing post-only order", async () => {
    const ask = await signed(alice, makeOrder(alice, false, 1n, 100n));
    await call("POST", "/orders", body(ask));
    await expectError("POST", "/orders", body(ask), 409, "DUPLICATE_ORDER");
    const post = await signed(bob, makeOrder(bob, true, 1n, 100n, { flags: FLAG_POST_ONLY }));
    await expectError("POST", "/orders", body(post), 400, "POST_ONLY_WOULD_CROSS");
    expect(ctx.metrics.ordersRejected.get({ code: "POST_ONLY_WOULD_CROSS" })).to.equal(1);
  });

  it("cancels with a signed CancelOrder and refuses other signers, expired deadlines and unsigned cancels", async () => {
    const ask = await signed(alice, makeOrder(alice, false, 1n, 100n));
    const hash = (await call("POST", "/orders", body(ask))).json.hash as string;
    const cdomain = cancelDomain(CHAIN_ID, CLEARINGHOUSE);
    const deadline = NOW + 60n;
    const bySomeoneElse = await bob.signTypedData(cdomain, CANCEL_TYPES, { orderHash: hash, deadline });
    await expectError(
      "DELETE",
      `/orders/${hash}`,
      { signature: bySomeoneElse, deadline: deadline.toString() },
      400,
      "BAD_SIGNATURE",
    );
    const late = await alice.signTypedData(cdomain, CANCEL_TYPES, { orderHash: hash, deadline: NOW - 1n });
    await expectError(
      "DELETE",
      `/orders/${hash}`,
      { signature: late, deadline: (NOW - 1n).toString() },
      400,
      "EXPIRED",
    );
    await expectError("DELETE", `/orders/${hash}`, undefined, 409, "NOT_CANCELLED_ON_CHAIN");
    const sig = await alice.signTypedData(cdomain, CANCEL_TYPES, { orderHash: hash, deadline });
    const res = await call("DELETE", `/orders/${hash}`, { signature: sig, deadline: deadline.toString() });
    expect(res.status).to.equal(200);
    expect(res.json.status).to.equal("cancelled");
    expect(res.json.reason).to.equal("CANCELLED_BY_USER");
    expect((await call("GET", "/book/AAPL-USD")).json.asks).to.deep.equal([]);
  });

  it("cancels without a body once the chain shows the order cancelled", async () => {
    const ask = await signed(alice, makeOrder(alice, false, 1n, 100n));
    const hash = (await call("POST", "/orders", body(ask))).json.hash as string;
    ctx.chain.cancelledHashes.add(hash);
    const res = await call("DELETE", `/orders/${hash}`);
    expect(res.json.status).to.equal("cancelled");
  });

  it("answers 404, 405, bad hashes and bad depth with JSON errors", async () => {
    await expectError("GET", `/orders/0x${"00".repeat(32)}`, undefined, 404, "NOT_FOUND");
    await expectError("DELETE", `/orders/0x${"00".repeat(32)}`, undefined, 404, "NOT_FOUND");
    await expectError("GET", "/orders/0x1234", undefined, 400, "INVALID_FIELD");
    await expectError("GET", "/nowhere", undefined, 404, "NOT_FOUND");
    await expectError("GET", "/orders/a/b", undefined, 404, "NOT_FOUND");
    await expectError("PUT", "/orders", {}, 405, "METHOD_NOT_ALLOWED");
    await expectError("POST", "/health", {}, 405, "METHOD_NOT_ALLOWED");
    await expectError("GET", "/book/AAPL-USD?depth=0", undefined, 400, "INVALID_FIELD");
  });

  it("serves health and Prometheus metrics", async () => {
    expect((await call("GET", "/health")).json).to.deep.equal({ status: "ok" });
    await call("POST", "/orders", body(await signed(alice, makeOrder(alice, false, 1n, 100n))));
    const res = await fetch(base + "/metrics");
    expect(res.headers.get("content-type")).to.match(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(text).to.include("# TYPE sundial_matcher_orders_accepted_total counter");
    expect(text).to.include(`sundial_matcher_orders_accepted_total{market="${MARKET}"} 1`);
    expect(text).to.include(`sundial_matcher_open_orders{market="${MARKET}"} 1`);
    expect(text).to.match(/sundial_matcher_http_requests_total\{route="\/health",status="200"\} 1/);
  });

  it("refuses new orders with 503 while shutting down", async () => {
    await api.close();
    api = new MatcherApi(ctx.engine, ctx.metrics, silentLogger, {
      accepting: () => false,
      details: () => ({}),
    });
    base = `http://127.0.0.1:${await api.listen(0, "127.0.0.1")}`;
    await expectError(
      "POST",
      "/orders",
      body(await signed(alice, makeOrder(alice, true, 1n, 1n))),
      503,
      "SHUTTING_DOWN",
    );
    expect((await call("GET", "/health")).json.status).to.equal("shutting_down");
  });
});
