import { expect } from "chai";
import { type BookOrder, OrderBook } from "../../../keepers/matcher/book.js";
import { FLAG_POST_ONLY, FLAG_REDUCE_ONLY } from "../../../sdk/orders.js";
import { E18, MARKET, NOW, alice, bob, carol, makeOrder } from "./fakes.js";
import type { Wallet } from "ethers";

let seq = 0;
function entry(wallet: Wallet, isBuy: boolean, size: bigint, price: bigint, extra = {}): BookOrder {
  const order = makeOrder(wallet, isBuy, size, price, extra);
  seq++;
  return {
    hash: `0x${seq.toString(16).padStart(64, "0")}`,
    order,
    signature: "0x",
    seq,
    remainingX18: order.sizeX18,
  };
}

function accepted(book: OrderBook, e: BookOrder, now = NOW) {
  const result = book.add(e, now);
  if (result.status !== "accepted") throw new Error(`rejected: ${result.reason}`);
  return result;
}

describe("matcher order book", () => {
  it("rests non-crossing orders and aggregates levels best first", () => {
    const book = new OrderBook(MARKET);
    accepted(book, entry(alice, true, 1n, 99n));
    accepted(book, entry(bob, true, 2n, 100n));
    accepted(book, entry(carol, true, 3n, 100n));
    accepted(book, entry(alice, false, 1n, 102n));
    accepted(book, entry(bob, false, 4n, 101n));
    const depth = book.depth(10);
    expect(depth.bids).to.deep.equal([
      { priceX18: 100n * E18, sizeX18: 5n * E18, orders: 2 },
      { priceX18: 99n * E18, sizeX18: 1n * E18, orders: 1 },
    ]);
    expect(depth.asks.map((l) => l.priceX18)).to.deep.equal([101n * E18, 102n * E18]);
    expect(book.depth(1).bids).to.have.length(1);
  });

  it("fills at the maker's limit price, best price first", () => {
    const book = new OrderBook(MARKET);
    const far = entry(alice, false, 1n, 105n);
    const near = entry(bob, false, 1n, 101n);
    accepted(book, far);
    accepted(book, near);
    const taker = entry(carol, true, 2n, 110n);
    const result = accepted(book, taker);
    expect(result.fills.map((f) => [f.maker.hash, f.priceX18, f.sizeX18])).to.deep.equal([
      [near.hash, 101n * E18, E18],
      [far.hash, 105n * E18, E18],
    ]);
    expect(result.restingX18).to.equal(0n);
    expect(book.size).to.equal(0);
  });

  it("gives the earliest accepted order priority within a price level", () => {
    const book = new OrderBook(MARKET);
    const first = entry(alice, false, 1n, 100n);
    const second = entry(bob, false, 1n, 100n);
    accepted(book, first);
    accepted(book, second);
    const result = accepted(book, entry(carol, true, 1n, 100n));
    expect(result.fills).to.have.length(1);
    expect(result.fills[0]!.maker.hash).to.equal(first.hash);
    expect(book.get(second.hash)?.remainingX18).to.equal(E18);
  });

  it("partially fills the maker and rests the taker's remainder", () => {
    const book = new OrderBook(MARKET);
    const maker = entry(alice, false, 5n, 100n);
    accepted(book, maker);
    const r1 = accepted(book, entry(bob, true, 2n, 100n));
    expect(r1.fills[0]!.sizeX18).to.equal(2n * E18);
    expect(book.get(maker.hash)?.remainingX18).to.equal(3n * E18);
    const taker = entry(carol, true, 4n, 100n);
    const r2 = accepted(book, taker);
    expect(r2.fills[0]!.sizeX18).to.equal(3n * E18);
    expect(r2.restingX18).to.equal(E18);
    expect(book.get(maker.hash)).to.equal(undefined);
    expect(book.depth(5).bids).to.deep.equal([{ priceX18: 100n * E18, sizeX18: E18, orders: 1 }]);
  });

  it("does not fill beyond the taker's limit", () => {
    const book = new OrderBook(MARKET);
    accepted(book, entry(alice, false, 1n, 101n));
    const result = accepted(book, entry(bob, true, 1n, 100n));
    expect(result.fills).to.have.length(0);
    expect(book.wouldCross(true, 101n * E18)).to.equal(true);
    expect(book.wouldCross(true, 100n * E18)).to.equal(false);
    expect(book.wouldCross(false, 100n * E18)).to.equal(true);
  });

  it("rejects a post-only order that would cross, and rests one that does not", () => {
    const book = new OrderBook(MARKET);
    accepted(book, entry(alice, false, 1n, 101n));
    const crossing = book.add(entry(bob, true, 1n, 101n, { flags: FLAG_POST_ONLY }), NOW);
    expect(crossing).to.deep.equal({ status: "rejected", reason: "POST_ONLY_WOULD_CROSS" });
    const resting = accepted(book, entry(bob, true, 1n, 100n, { flags: FLAG_POST_ONLY }));
    expect(resting.restingX18).to.equal(E18);
    expect(book.size).to.equal(2);
  });

  it("carries the reduce-only flag on the order (enforced on chain)", () => {
    const book = new OrderBook(MARKET);
    accepted(book, entry(alice, false, 1n, 100n, { flags: FLAG_REDUCE_ONLY }));
    const result = accepted(book, entry(bob, true, 1n, 100n));
    expect(result.fills[0]!.maker.order.flags).to.equal(FLAG_REDUCE_ONLY);
  });

  it("drops expired resting orders instead of matching them", () => {
    const book = new OrderBook(MARKET, 5n);
    const stale = entry(alice, false, 1n, 100n, { expiry: NOW + 3n }); // inside the 5 s margin at NOW
    const live = entry(bob, false, 1n, 101n);
    accepted(book, stale, NOW - 100n);
    accepted(book, live, NOW - 100n);
    const result = accepted(book, entry(carol, true, 1n, 101n));
    expect(result.expired.map((e) => e.hash)).to.deep.equal([stale.hash]);
    expect(result.fills[0]!.maker.hash).to.equal(live.hash);
    expect(book.add(entry(carol, true, 1n, 100n, { expiry: NOW }), NOW)).to.deep.equal({
      status: "rejected",
      reason: "EXPIRED",
    });
  });

  it("removeExpired sweeps orders past their expiry", () => {
    const book = new OrderBook(MARKET);
    const short = entry(alice, true, 1n, 99n, { expiry: NOW + 10n });
    accepted(book, short);
    accepted(book, entry(bob, true, 1n, 98n));
    expect(book.removeExpired(NOW + 5n)).to.have.length(0);
    expect(book.removeExpired(NOW + 11n).map((e) => e.hash)).to.deep.equal([short.hash]);
    expect(book.size).to.equal(1);
  });

  it("cancels by hash and by a nonce floor", () => {
    const book = new OrderBook(MARKET);
    const a1 = entry(alice, true, 1n, 99n, { nonce: 1n });
    const a2 = entry(alice, true, 1n, 98n, { nonce: 7n });
    const b1 = entry(bob, true, 1n, 97n, { nonce: 1n });
    for (const e of [a1, a2, b1]) accepted(book, e);
    expect(book.cancel(a2.hash)?.hash).to.equal(a2.hash);
    expect(book.cancel(a2.hash)).to.equal(undefined);
    const removed = book.cancelWhere((e) => e.order.owner === alice.address && e.order.nonce < 5n);
    expect(removed.map((e) => e.hash)).to.deep.equal([a1.hash]);
    expect(book.orders().map((e) => e.hash)).to.deep.equal([b1.hash]);
  });

  it("stops matching at the taker's own resting order and cancels the taker's remainder", () => {
    const book = new OrderBook(MARKET);
    accepted(book, entry(bob, false, 1n, 100n));
    const own = entry(alice, false, 1n, 101n);
    accepted(book, own);
    const result = accepted(book, entry(alice, true, 3n, 102n));
    expect(result.fills).to.have.length(1);
    expect(result.selfTradeCancelledX18).to.equal(2n * E18);
    expect(result.restingX18).to.equal(0n);
    expect(book.get(own.hash)?.remainingX18).to.equal(E18);
  });

  it("restore keeps the original time priority", () => {
    const book = new OrderBook(MARKET);
    const early = entry(alice, false, 1n, 100n);
    const late = entry(bob, false, 1n, 100n);
    accepted(book, late); // late rests first...
    book.restore(early); // ...but early was accepted earlier (lower seq)
    const result = accepted(book, entry(carol, true, 1n, 100n));
    expect(result.fills[0]!.maker.hash).to.equal(early.hash);
    book.restore({ ...late, remainingX18: E18 });
    expect(book.get(late.hash)?.remainingX18).to.equal(2n * E18);
  });

  it("refuses an order already in the book and an order for another market", () => {
    const book = new OrderBook(MARKET);
    const e = entry(alice, true, 1n, 99n);
    accepted(book, e);
    expect(book.add(e, NOW)).to.deep.equal({ status: "rejected", reason: "ALREADY_IN_BOOK" });
    const other = entry(alice, true, 1n, 99n, { marketId: "0x" + "ab".repeat(32) });
    expect(() => book.add(other, NOW)).to.throw(/not 0x/);
  });

  it("matches a deep book consistently (sum of fills equals the crossed volume)", () => {
    const book = new OrderBook(MARKET);
    let total = 0n;
    for (let i = 0; i < 200; i++) {
      const size = BigInt(1 + (i % 7));
      total += size * E18;
      accepted(book, entry(i % 2 === 0 ? alice : bob, false, size, 100n + BigInt(i % 13)));
    }
    const result = accepted(book, entry(carol, true, 10_000n, 200n));
    expect(result.fills.reduce((s, f) => s + f.sizeX18, 0n)).to.equal(total);
    const prices = result.fills.map((f) => f.priceX18);
    expect([...prices].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))).to.deep.equal(prices);
    expect(book.depth(5).asks).to.have.length(0);
  });
});
