import { expect } from "chai";
import { Wallet, encodeBytes32String } from "ethers";
import { silentLogger } from "../../../keepers/lib/logger.js";
import { MatcherApi } from "../../../keepers/matcher/api.js";
import { CANCEL_TYPES, cancelDomain } from "../../../keepers/matcher/validation.js";
import { FLAG_POST_ONLY, orderDigest } from "../../../sdk/orders.js";
import {
  CHAIN_ID,
  CLEARINGHOUSE,
  E18,
  type FakeMatcher,
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
  let ctx: FakeMatcher;
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

  describe("owner listings", () => {
    const TSLA = encodeBytes32String("TSLA-USD");
    type OrderList = { owner: string; orders: { hash: string; status: string }[]; nextBefore: number | null };
    type FillEntry = {
      fillId: number;
      orderHash: string;
      counterpartyHash: string;
      role: string;
      marketId: string;
      subaccount: string;
      isBuy: boolean;
      sizeX18: string;
      priceX18: string;
      status: string;
      txHash: string | null;
    };
    type FillList = { owner: string; fills: FillEntry[]; nextBefore: number | null };

    async function post(wallet: Wallet, order: ReturnType<typeof makeOrder>): Promise<string> {
      const res = await call("POST", "/orders", body(await signed(wallet, order)));
      expect(res.status, JSON.stringify(res.json)).to.equal(201);
      return res.json.hash as string;
    }
    const list = async (path: string): Promise<OrderList> => {
      const res = await call("GET", path);
      expect(res.status, JSON.stringify(res.json)).to.equal(200);
      return res.json as unknown as OrderList;
    };
    const fills = async (path: string): Promise<FillList> => {
      const res = await call("GET", path);
      expect(res.status, JSON.stringify(res.json)).to.equal(200);
      return res.json as unknown as FillList;
    };

    it("lists an owner's orders newest first, filtered by status, market and subaccount, in pages", async () => {
      ctx.chain.markets.set(TSLA, { ...(await ctx.chain.market(MARKET)) });
      const ask = await post(alice, makeOrder(alice, false, 1n, 100n));
      await post(bob, makeOrder(bob, true, 1n, 100n)); // fills alice's ask
      const resting = await post(alice, makeOrder(alice, true, 1n, 90n, { subaccount: 1n }));
      const tsla = await post(alice, makeOrder(alice, true, 1n, 90n, { marketId: TSLA }));
      const cancelled = await post(alice, makeOrder(alice, true, 1n, 80n));
      const deadline = NOW + 60n;
      const signature = await alice.signTypedData(cancelDomain(CHAIN_ID, CLEARINGHOUSE), CANCEL_TYPES, {
        orderHash: cancelled,
        deadline,
      });
      await call("DELETE", `/orders/${cancelled}`, { signature, deadline: deadline.toString() });
      await ctx.settler.drain();

      const all = await list(`/accounts/${alice.address.toLowerCase()}/orders`);
      expect(all.owner).to.equal(alice.address);
      expect(all.orders.map((o) => o.hash)).to.deep.equal([cancelled, tsla, resting, ask]);
      expect(all.orders.map((o) => o.status)).to.deep.equal(["cancelled", "open", "open", "filled"]);
      expect(all.nextBefore).to.equal(null);
      expect(all.orders[3]).to.include({ filledX18: E18.toString(), reason: "FILLED" });
      expect(all.orders[3]).to.have.property("createdAt").that.is.a("number");

      const path = `/accounts/${alice.address}/orders`;
      expect((await list(`${path}?status=open`)).orders.map((o) => o.hash)).to.deep.equal([tsla, resting]);
      expect((await list(`${path}?status=filled,cancelled`)).orders.map((o) => o.hash)).to.deep.equal([
        cancelled,
        ask,
      ]);
      expect((await list(`${path}?subaccount=1`)).orders.map((o) => o.hash)).to.deep.equal([resting]);
      expect((await list(`${path}?market=TSLA-USD`)).orders.map((o) => o.hash)).to.deep.equal([tsla]);
      expect((await list(`${path}?market=${MARKET}&status=open`)).orders.map((o) => o.hash)).to.deep.equal([
        resting,
      ]);

      const first = await list(`${path}?limit=3`);
      expect(first.orders.map((o) => o.hash)).to.deep.equal([cancelled, tsla, resting]);
      expect(first.nextBefore).to.be.a("number");
      const second = await list(`${path}?limit=3&before=${first.nextBefore}`);
      expect(second.orders.map((o) => o.hash)).to.deep.equal([ask]);
      expect(second.nextBefore).to.equal(null);

      expect((await list(`/accounts/${bob.address}/orders`)).orders).to.have.length(1);
      expect((await list(`/accounts/${carol.address}/orders`)).orders).to.deep.equal([]);
    });

    it("lists the fills of an owner's orders with role, side and settlement transaction, in pages", async () => {
      const ask = await post(alice, makeOrder(alice, false, 3n, 100n));
      const bid1 = await post(bob, makeOrder(bob, true, 1n, 101n));
      const bid2 = await post(bob, makeOrder(bob, true, 1n, 100n));
      const [result] = await ctx.settler.drain();
      expect(result?.kind).to.equal("confirmed");
      // Alice's subaccount 1 buys from her subaccount 0: one fill, two of her orders.
      const own = await post(alice, makeOrder(alice, true, 1n, 100n, { subaccount: 1n }));
      const txHash = ctx.submitter.sent[0]!.hash;

      const all = await fills(`/accounts/${alice.address}/fills`);
      expect(all.owner).to.equal(alice.address);
      expect(all.nextBefore).to.equal(null);
      expect(all.fills.map((f) => [f.fillId, f.role, f.orderHash, f.counterpartyHash])).to.deep.equal([
        [3, "maker", ask, own],
        [3, "taker", own, ask],
        [2, "maker", ask, bid2],
        [1, "maker", ask, bid1],
      ]);
      expect(all.fills[0]).to.deep.include({ isBuy: false, subaccount: "0", status: "queued", txHash: null });
      expect(all.fills[1]).to.deep.include({ isBuy: true, subaccount: "1" });
      expect(all.fills[3]).to.deep.include({
        marketId: MARKET,
        sizeX18: E18.toString(),
        priceX18: (100n * E18).toString(),
        status: "settled",
        txHash,
      });

      const path = `/accounts/${alice.address}/fills`;
      const page1 = await fills(`${path}?limit=1`);
      expect(page1.fills.map((f) => f.fillId)).to.deep.equal([3, 3]); // a fill is never split
      expect(page1.nextBefore).to.equal(3);
      const page2 = await fills(`${path}?limit=1&before=3`);
      expect(page2.fills.map((f) => f.fillId)).to.deep.equal([2]);
      expect(page2.nextBefore).to.equal(2);
      const page3 = await fills(`${path}?limit=1&before=2`);
      expect(page3.fills.map((f) => f.fillId)).to.deep.equal([1]);
      expect(page3.nextBefore).to.equal(null);

      expect((await fills(`${path}?status=settled`)).fills.map((f) => f.fillId)).to.deep.equal([2, 1]);
      expect((await fills(`${path}?subaccount=1`)).fills.map((f) => [f.fillId, f.role])).to.deep.equal([
        [3, "taker"],
      ]);
      const bobs = await fills(`/accounts/${bob.address}/fills`);
      expect(bobs.fills.map((f) => [f.fillId, f.role, f.isBuy])).to.deep.equal([
        [2, "taker", true],
        [1, "taker", true],
      ]);

      const ofOrder = await call("GET", `/orders/${ask}/fills`);
      expect(ofOrder.status).to.equal(200);
      expect(ofOrder.json.orderHash).to.equal(ask);
      const orderFills = ofOrder.json.fills as { id: number; status: string; txHash: string | null }[];
      expect(orderFills.map((f) => [f.id, f.status, f.txHash])).to.deep.equal([
        [1, "settled", txHash],
        [2, "settled", txHash],
        [3, "queued", null],
      ]);
      expect((await call("GET", `/orders/${ask}`)).json.fills).to.deep.equal(orderFills);
    });

    it("rejects malformed listing queries with 400 INVALID_FIELD", async () => {
      const path = `/accounts/${alice.address}`;
      const badChecksum = alice.address.replace(/[a-f]/, (c) => c.toUpperCase());
      expect(badChecksum).to.not.equal(alice.address);
      for (const bad of [
        "/accounts/0x12/orders",
        "/accounts/alice/fills",
        `/accounts/${badChecksum}/orders`,
        `${path}/orders?status=bogus`,
        `${path}/orders?status=`,
        `${path}/orders?status=open,`,
        `${path}/fills?status=open`, // an order status is not a fill status
        `${path}/orders?status=open&status=filled`,
        `${path}/orders?limit=0`,
        `${path}/orders?limit=501`,
        `${path}/orders?limit=abc`,
        `${path}/orders?limit=1e2`,
        `${path}/fills?limit=-1`,
        `${path}/fills?before=0`,
        `${path}/fills?before=1.5`,
        `${path}/fills?before=99999999999999999999`,
        `${path}/orders?subaccount=-1`,
        `${path}/orders?subaccount=${1n << 96n}`,
        `${path}/orders?market=${"x".repeat(40)}`,
        `${path}/orders?foo=1`,
        `/orders/0x1234/fills`,
        `/book/AAPL-USD?depth=1e1`,
        `/book/AAPL-USD?level=2`,
        `/book/%E0%A4%A`,
      ]) {
        await expectError("GET", bad, undefined, 400, "INVALID_FIELD");
      }
      const unknown = await call("GET", `${path}/orders?foo=1`);
      expect(unknown.json.error?.message).to.equal(
        'unknown query parameter "foo" (allowed: status, market, subaccount, limit, before)',
      );
      const status = await call("GET", `${path}/orders?status=bogus`);
      expect(status.json.error?.message).to.equal(
        'status "bogus" is not one of open, filled, cancelled, expired, rejected',
      );
      await expectError("GET", `/orders/0x${"00".repeat(32)}/fills`, undefined, 404, "NOT_FOUND");
      await expectError("GET", `${path}/positions`, undefined, 404, "NOT_FOUND");
      await expectError("GET", `/accounts/${alice.address}`, undefined, 404, "NOT_FOUND");
      await expectError("POST", `${path}/orders`, {}, 405, "METHOD_NOT_ALLOWED");
      await expectError("DELETE", `/orders/0x${"00".repeat(32)}/fills`, undefined, 405, "METHOD_NOT_ALLOWED");
    });

    it("labels HTTP metrics with route templates, unknown paths as one label", async () => {
      await call("GET", `/accounts/${alice.address}/orders`);
      await call("GET", `/accounts/${bob.address}/fills`);
      await call("GET", "/nowhere/at/all");
      await call("GET", "/elsewhere");
      const text = await (await fetch(base + "/metrics")).text();
      expect(text).to.include(
        'sundial_matcher_http_requests_total{route="/accounts/:id/orders",status="200"} 1',
      );
      expect(text).to.include(
        'sundial_matcher_http_requests_total{route="/accounts/:id/fills",status="200"} 1',
      );
      expect(text).to.include('sundial_matcher_http_requests_total{route="unmatched",status="404"} 2');
      expect(text).to.not.include("nowhere");
    });
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
