import { mkdtempSync, rmSync } from "node:fs";
import { DatabaseSync } from "node:sqlite";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { Wallet } from "ethers";
import { silentLogger } from "../../../keepers/lib/logger.js";
import { WalletSubmitter, type WalletSubmitterOptions } from "../../../keepers/lib/submitter.js";
import { faultOf } from "../../../keepers/matcher/engine.js";
import { FakeNode } from "../fakeNode.js";
import {
  E18,
  FakeChain,
  FakeSubmitter,
  alice,
  bob,
  body,
  carol,
  decodeMatches,
  makeMatcher,
  makeOrder,
  signed,
} from "./fakes.js";

describe("matcher settlement and persistence", () => {
  let dir: string;
  let dbPath: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "matcher-"));
    dbPath = join(dir, "matcher.sqlite");
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("settles queued fills in batches of the configured size and marks orders filled", async () => {
    const m = makeMatcher<FakeSubmitter>(dbPath, undefined, undefined, 2);
    const ask = await m.engine.submit(body(await signed(alice, makeOrder(alice, false, 3n, 100n))));
    for (let i = 0; i < 3; i++)
      await m.engine.submit(body(await signed(bob, makeOrder(bob, true, 1n, 100n))));
    const results = await m.settler.drain();
    expect(results.map((r) => r.kind)).to.deep.equal(["confirmed", "confirmed"]);
    expect(m.submitter.sent.map((s) => s.matches.length)).to.deep.equal([2, 1]);
    expect(m.submitter.sent[0]!.matches[0]!.fillSizeX18).to.equal(E18);
    const view = m.engine.view(ask.hash)!;
    expect(view.status).to.equal("filled");
    expect(view.filledX18).to.equal((3n * E18).toString());
    expect(m.metrics.matchesSettled.get()).to.equal(3);
    expect(m.metrics.batchGasPerMatch.get()).to.equal(60_000);
    expect(await m.settler.flush()).to.deep.equal({ kind: "idle" });
    m.store.close();
  });

  it("drops the maker at fault and puts the taker back through the book", async () => {
    const m = makeMatcher(dbPath);
    const bad = await m.engine.submit(body(await signed(alice, makeOrder(alice, false, 1n, 100n))));
    const good = await m.engine.submit(body(await signed(carol, makeOrder(carol, false, 1n, 101n))));
    const taker = await m.engine.submit(body(await signed(bob, makeOrder(bob, true, 1n, 101n))));
    m.submitter.policy = (match) => (match.maker.owner === alice.address ? "MAKER_MARGIN" : true);
    await m.settler.drain();
    expect(m.engine.view(bad.hash)).to.include({ status: "rejected", reason: "MAKER_MARGIN" });
    // The taker's size re-entered the book and met carol's ask at 101, which then settled.
    expect(m.engine.view(taker.hash)!.status).to.equal("filled");
    expect(m.engine.view(good.hash)!.status).to.equal("filled");
    expect(m.submitter.sent.map((s) => s.matches.length)).to.deep.equal([1, 1]);
    expect(m.metrics.matchesSkipped.get({ reason: "MAKER_MARGIN" })).to.equal(1);
    m.store.close();
  });

  it("drops the taker for market-wide refusals and the maker keeps its place", async () => {
    const m = makeMatcher(dbPath);
    const maker = await m.engine.submit(body(await signed(alice, makeOrder(alice, false, 2n, 100n))));
    const taker = await m.engine.submit(body(await signed(bob, makeOrder(bob, true, 1n, 100n))));
    m.submitter.policy = () => "MARKET_HALTED";
    await m.settler.drain();
    expect(m.engine.view(taker.hash)).to.include({ status: "rejected", reason: "MARKET_HALTED" });
    expect(m.engine.view(maker.hash)).to.include({ status: "open", restingX18: (2n * E18).toString() });
    expect(faultOf("PRICE_OUTSIDE_FILL_BAND")).to.equal("maker");
    expect(faultOf("TAKER_CANCELLED")).to.equal("taker");
    expect(faultOf("OPEN_INTEREST_CAP")).to.equal("taker");
    m.store.close();
  });

  it("requeues the fills of a batch whose simulation reverts", async () => {
    const m = makeMatcher(dbPath);
    await m.engine.submit(body(await signed(alice, makeOrder(alice, false, 1n, 100n))));
    await m.engine.submit(body(await signed(bob, makeOrder(bob, true, 1n, 100n))));
    m.submitter.simulateRevert = true;
    expect((await m.settler.flush()).kind).to.equal("simulation-failed");
    expect(m.store.countFills("queued")).to.equal(1);
    expect(m.submitter.sent).to.have.length(0);
    m.submitter.simulateRevert = false;
    expect((await m.settler.flush()).kind).to.equal("confirmed");
    expect(m.store.countFills("settled")).to.equal(1);
    m.store.close();
  });

  it("keeps accepted orders, priority and queued fills across a restart", async () => {
    const first = makeMatcher(dbPath);
    const early = await first.engine.submit(body(await signed(alice, makeOrder(alice, false, 1n, 100n))));
    const late = await first.engine.submit(body(await signed(carol, makeOrder(carol, false, 1n, 100n))));
    const partial = await first.engine.submit(body(await signed(alice, makeOrder(alice, true, 5n, 90n))));
    await first.engine.submit(body(await signed(bob, makeOrder(bob, false, 2n, 90n)))); // fills 2 of `partial`
    first.store.close();

    const second = makeMatcher(dbPath);
    second.engine.load();
    expect(second.engine.view(partial.hash)).to.include({
      restingX18: (3n * E18).toString(),
      pendingX18: (2n * E18).toString(),
    });
    expect(second.engine.depth(late.order.marketId as string, 5).asks).to.deep.equal([
      { priceX18: 100n * E18, sizeX18: 2n * E18, orders: 2 },
    ]);
    const taker = await second.engine.submit(body(await signed(bob, makeOrder(bob, true, 1n, 100n))));
    expect(second.engine.view(taker.hash)!.fills[0]!.makerHash).to.equal(early.hash); // priority kept
    await second.settler.drain();
    expect(second.submitter.sent.map((s) => s.matches.length)).to.deep.equal([2]);
    expect(second.engine.view(partial.hash)!.filledX18).to.equal((2n * E18).toString());
    second.store.close();
  });

  it("reconciles a batch sent before a crash from its receipt without settling it twice", async () => {
    const chain = new FakeChain();
    const submitter = new FakeSubmitter(chain);
    const first = makeMatcher(dbPath, chain, submitter);
    const ask = await first.engine.submit(body(await signed(alice, makeOrder(alice, false, 1n, 100n))));
    await first.engine.submit(body(await signed(bob, makeOrder(bob, true, 1n, 100n))));
    const [signedTx] = await (async () => {
      submitter.failAfterSigning = true; // signed and stored, then the process "crashes"
      const result = await first.settler.flush();
      expect(result.kind).to.equal("pending");
      return first.store.pendingBatches();
    })();
    expect(signedTx!.status).to.equal("sent");
    expect(submitter.sent).to.have.length(0);
    first.store.close();

    // Case 1: the node never saw it → the stored raw transaction is rebroadcast as is.
    const second = makeMatcher(dbPath, chain, submitter);
    await second.settler.reconcile();
    second.engine.load();
    expect(submitter.sent).to.have.length(1);
    expect(submitter.sent[0]!.hash).to.equal(signedTx!.txHash);
    expect(second.engine.view(ask.hash)!.status).to.equal("filled");
    expect(second.store.pendingBatches()).to.have.length(0);
    // A second reconcile and a flush do nothing more.
    await second.settler.reconcile();
    expect(await second.settler.flush()).to.deep.equal({ kind: "idle" });
    expect(submitter.sent).to.have.length(1);
    second.store.close();
  });

  it("takes up a batch sent by a version without attempts: its transaction becomes the attempt", async () => {
    const chain = new FakeChain();
    const submitter = new FakeSubmitter(chain);
    const first = makeMatcher(dbPath, chain, submitter);
    const ask = await first.engine.submit(body(await signed(alice, makeOrder(alice, false, 1n, 100n))));
    await first.engine.submit(body(await signed(bob, makeOrder(bob, true, 1n, 100n))));
    submitter.failAfterSigning = true;
    await first.settler.flush();
    const batch = first.store.pendingBatches()[0]!;
    first.store.close();
    const old = new DatabaseSync(dbPath);
    old.exec("DROP TABLE batch_attempts"); // the database as the previous version left it
    old.close();

    const second = makeMatcher(dbPath, chain, submitter);
    expect(second.store.batchAttempts(batch.id)).to.deep.equal([
      {
        batchId: batch.id,
        hash: batch.txHash,
        nonce: batch.txNonce,
        raw: batch.rawTx,
        signedAt: batch.updatedAt,
        status: "sent",
      },
    ]);
    await second.settler.reconcile();
    second.engine.load();
    expect(second.store.getBatch(batch.id)!.status).to.equal("confirmed");
    expect(second.store.batchAttempts(batch.id)[0]!.status).to.equal("mined");
    expect(second.engine.view(ask.hash)!.status).to.equal("filled");
    expect(submitter.sent).to.have.length(1);
    second.store.close();
  });

  it("reconciles a batch that was mined before the crash from its receipt", async () => {
    const chain = new FakeChain();
    const submitter = new FakeSubmitter(chain);
    const first = makeMatcher(dbPath, chain, submitter);
    await first.engine.submit(body(await signed(alice, makeOrder(alice, false, 1n, 100n))));
    const bid = await first.engine.submit(body(await signed(bob, makeOrder(bob, true, 1n, 100n))));
    submitter.failAfterSigning = true;
    await first.settler.flush();
    const batch = first.store.pendingBatches()[0]!;
    submitter.execute(batch.txHash!, batch.rawTx!); // it was mined after all
    first.store.close();

    const second = makeMatcher(dbPath, chain, submitter);
    await second.settler.reconcile();
    expect(second.store.getBatch(batch.id)!.status).to.equal("confirmed");
    expect(second.engine.view(bid.hash)!.status).to.equal("filled");
    expect(submitter.sent).to.have.length(1);
    second.store.close();
  });

  it("requeues a batch that was never signed", async () => {
    const first = makeMatcher(dbPath);
    await first.engine.submit(body(await signed(alice, makeOrder(alice, false, 1n, 100n))));
    await first.engine.submit(body(await signed(bob, makeOrder(bob, true, 1n, 100n))));
    const fill = first.store.queuedFills(10)[0]!;
    first.store.transaction(() => first.store.createBatch([fill.id]));
    first.store.close();
    const second = makeMatcher(dbPath);
    await second.settler.reconcile();
    expect(second.store.countFills("queued")).to.equal(1);
    expect((await second.settler.flush()).kind).to.equal("confirmed");
    second.store.close();
  });

  it("follows on-chain cancellations by hash, nonce floor and invalidated nonces", async () => {
    const m = makeMatcher(dbPath);
    const a = await m.engine.submit(
      body(await signed(alice, makeOrder(alice, true, 1n, 90n, { nonce: 3n }))),
    );
    const b = await m.engine.submit(
      body(await signed(alice, makeOrder(alice, true, 1n, 91n, { nonce: 300n }))),
    );
    const c = await m.engine.submit(body(await signed(bob, makeOrder(bob, true, 1n, 92n, { nonce: 5n }))));
    const d = await m.engine.submit(
      body(await signed(carol, makeOrder(carol, true, 1n, 93n, { nonce: 1n }))),
    );
    const removed = m.engine.applyChainCancellations([
      { kind: "floor", owner: alice.address, newFloor: 10n },
      { kind: "nonces", owner: bob.address, wordIndex: 0n, mask: 1n << 5n },
      { kind: "hash", orderHash: d.hash, owner: carol.address },
      { kind: "hash", orderHash: d.hash, owner: carol.address },
    ]);
    expect(removed).to.equal(3);
    expect(m.engine.view(a.hash)!.status).to.equal("cancelled");
    expect(m.engine.view(b.hash)!.status).to.equal("open");
    expect(m.engine.view(c.hash)!.reason).to.equal("CANCELLED_ON_CHAIN");
    expect(m.engine.view(d.hash)!.status).to.equal("cancelled");
    m.store.close();
  });

  it("cancels the other open orders sharing a nonce once one completes", async () => {
    const m = makeMatcher(dbPath);
    const one = await m.engine.submit(
      body(await signed(alice, makeOrder(alice, false, 1n, 100n, { nonce: 42n }))),
    );
    const other = await m.engine.submit(
      body(await signed(alice, makeOrder(alice, false, 1n, 105n, { nonce: 42n }))),
    );
    await m.engine.submit(body(await signed(bob, makeOrder(bob, true, 1n, 100n))));
    await m.settler.drain();
    expect(m.engine.view(one.hash)!.status).to.equal("filled");
    expect(m.engine.view(other.hash)).to.include({
      status: "cancelled",
      reason: "NONCE_USED",
      restingX18: "0",
    });
    m.store.close();
  });

  it("cancels the other open orders sharing a nonce at the first partial fill of one", async () => {
    const m = makeMatcher(dbPath);
    const one = await m.engine.submit(
      body(await signed(alice, makeOrder(alice, false, 2n, 100n, { nonce: 43n }))),
    );
    const other = await m.engine.submit(
      body(await signed(alice, makeOrder(alice, false, 1n, 105n, { nonce: 43n }))),
    );
    await m.engine.submit(body(await signed(bob, makeOrder(bob, true, 1n, 100n))));
    await m.settler.drain();
    expect(m.engine.view(one.hash)).to.include({ status: "open", filledX18: (1n * E18).toString() });
    expect(m.engine.view(other.hash)).to.include({ status: "cancelled", reason: "NONCE_USED" });
    m.store.close();
  });

  it("sweeps expired orders", async () => {
    let now = 1_800_000_000n;
    const m = makeMatcher(dbPath);
    (m.engine as unknown as { options: { now: () => bigint } }).options.now = () => now;
    const o = await m.engine.submit(
      body(await signed(alice, makeOrder(alice, true, 1n, 90n, { expiry: now + 60n }))),
    );
    expect(m.engine.sweepExpired()).to.equal(0);
    now += 56n; // within the 5 s margin
    expect(m.engine.sweepExpired()).to.equal(1);
    expect(m.engine.view(o.hash)).to.include({ status: "expired", restingX18: "0" });
    m.store.close();
  });
});

describe("matcher settlement with the wallet submitter: stuck transactions", () => {
  let dir: string;
  let dbPath: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "matcher-"));
    dbPath = join(dir, "matcher.sqlite");
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** A fake node whose mined `settleMatches` settle every match, and a matcher key (never funded). */
  function nodeFor(chain: FakeChain): FakeNode {
    const node = new FakeNode();
    node.onMined = (tx, receipt) =>
      chain.outcomes.set(
        receipt.hash,
        decodeMatches(tx.data).map((_, index) => ({ index, settled: true as const })),
      );
    return node;
  }

  function walletSubmitter(node: FakeNode, options: WalletSubmitterOptions = {}): WalletSubmitter {
    return new WalletSubmitter(new Wallet("0x" + "6b".repeat(32)), node.provider, silentLogger, {
      receiptPollMs: 1,
      ...options,
      feeBump: { replaceAfterMs: 20 },
    });
  }

  async function crossingOrders(m: ReturnType<typeof makeMatcher<WalletSubmitter>>) {
    const ask = await m.engine.submit(body(await signed(alice, makeOrder(alice, false, 1n, 100n))));
    const bid = await m.engine.submit(body(await signed(bob, makeOrder(bob, true, 1n, 100n))));
    return { ask, bid };
  }

  it("settles a batch whose transaction was replaced with higher fees once, recording the mined one", async () => {
    const chain = new FakeChain();
    const node = nodeFor(chain);
    node.onBroadcast = () => {
      node.baseFee = 100n; // the first transaction's fee cap no longer covers the base fee
    };
    const m = makeMatcher(dbPath, chain, walletSubmitter(node));
    const { ask, bid } = await crossingOrders(m);
    const result = await m.settler.flush();
    expect(result).to.deep.include({ kind: "confirmed", settled: 1, skipped: 0 });
    const batchId = (result as { batchId: number }).batchId;
    const attempts = m.store.batchAttempts(batchId);
    expect(attempts.map((a) => a.status)).to.deep.equal(["dropped", "mined"]);
    expect(attempts[1]!.nonce).to.equal(attempts[0]!.nonce);
    expect(m.store.getBatch(batchId)).to.deep.include({ status: "confirmed", txHash: attempts[1]!.hash });
    expect(node.minedTxs.map((t) => t.hash)).to.deep.equal([attempts[1]!.hash]);
    // The API's fills carry the settlement transaction that was mined, not the replaced one.
    expect(m.store.fillsOfOrder(ask.hash).map((f) => [f.status, f.txHash])).to.deep.equal([
      ["settled", attempts[1]!.hash],
    ]);
    for (const order of [ask, bid]) {
      expect(m.engine.view(order.hash)).to.include({ status: "filled", filledX18: E18.toString() });
    }
    expect(m.metrics.matchesSettled.get()).to.equal(1);
    expect(await m.settler.flush()).to.deep.equal({ kind: "idle" });
    m.store.close();
  });

  it("after a restart, applies once the original of a replaced batch transaction that was mined after all", async () => {
    const chain = new FakeChain();
    const node = nodeFor(chain);
    node.keepReplacedElsewhere = true;
    node.includes = () => false; // nothing is mined while the first matcher waits
    const first = makeMatcher(dbPath, chain, walletSubmitter(node, { receiptTimeoutMs: 100 }));
    const { ask } = await crossingOrders(first);
    const pending = await first.settler.flush();
    expect(pending.kind).to.equal("pending");
    const batchId = (pending as { batchId: number }).batchId;
    const sent = first.store.batchAttempts(batchId);
    expect(sent.length).to.be.greaterThan(1); // replaced while waiting
    expect(new Set(sent.map((a) => a.nonce)).size).to.equal(1);
    // While the batch waits, its fills show the latest transaction signed for it.
    expect(first.store.fillsOfOrder(ask.hash).map((f) => [f.status, f.txHash])).to.deep.equal([
      ["submitted", sent.at(-1)!.hash],
    ]);
    first.store.close(); // the process stops

    const original = sent[0]!.hash;
    node.includes = (tx) => tx.hash === original; // another node's miner had the original
    const second = makeMatcher(dbPath, chain, walletSubmitter(node));
    await second.settler.reconcile();
    second.engine.load();
    const attempts = second.store.batchAttempts(batchId);
    expect(attempts[0]).to.deep.include({ hash: original, status: "mined" });
    expect(attempts.slice(1).every((a) => a.status === "dropped")).to.equal(true);
    expect(second.store.getBatch(batchId)).to.deep.include({ status: "confirmed", txHash: original });
    expect(node.minedTxs.map((t) => t.hash)).to.deep.equal([original]);
    expect(second.engine.view(ask.hash)).to.include({ status: "filled", filledX18: E18.toString() });
    expect(second.store.fillsOfOrder(ask.hash).map((f) => [f.status, f.txHash])).to.deep.equal([
      ["settled", original],
    ]);
    expect(await second.settler.flush()).to.deep.equal({ kind: "idle" });
    await second.settler.reconcile();
    expect(second.engine.view(ask.hash)!.filledX18).to.equal(E18.toString());
    second.store.close();
  });
});
