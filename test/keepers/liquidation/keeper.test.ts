import { mkdtempSync, rmSync } from "node:fs";
import { DatabaseSync } from "node:sqlite";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import {
  Transaction,
  Wallet,
  hexlify,
  makeError,
  toUtf8Bytes,
  toUtf8String,
  type Provider,
  type TransactionReceipt,
} from "ethers";
import {
  LiquidationKeeper,
  MAX_LIQUIDATIONS_PER_TX,
  type LiquidationKeeperConfig,
} from "../../../keepers/liquidation/keeper.js";
import { HealthScanner, chunk } from "../../../keepers/liquidation/scanner.js";
import { LiquidationStore } from "../../../keepers/liquidation/store.js";
import { parseLiquidationConfig } from "../../../keepers/liquidation/config.js";
import { ConfigError } from "../../../keepers/lib/config.js";
import { JsonLogger, silentLogger } from "../../../keepers/lib/logger.js";
import { MetricsRegistry } from "../../../keepers/lib/metrics.js";
import { WalletSubmitter, sleep } from "../../../keepers/lib/submitter.js";
import { FakeNode } from "../fakeNode.js";
import { logLines } from "../fakeSubmitter.js";
import {
  FakeLiquidationChain,
  FakeSubmitter,
  INSURANCE_INSUFFICIENT,
  MARKET,
  acct,
  networkError,
} from "./fakes.js";

/** A throwaway key (never funded anywhere). */
const devKeyForTests = "0x" + "11".repeat(32);

const FAST_RETRY = { attempts: 3, baseDelayMs: 1, maxDelayMs: 2 };

const CONFIG: LiquidationKeeperConfig = {
  indexer: { startBlock: 0, confirmations: 0, maxRange: 100, reorgRewindBlocks: 10 },
  scan: { batchSize: 2, concurrency: 2, retry: FAST_RETRY },
  maxRoundsPerAccount: 5,
  liquidationsPerTx: 3,
  retry: FAST_RETRY,
};

/** A chain whose block 1 shows accounts 1-5 (all healthy) and a keeper over it. */
function setup(store = new LiquidationStore(":memory:"), chain = new FakeLiquidationChain()) {
  if (chain.blocks.length === 0) {
    chain.mine(2, { 1: [acct(1), acct(2), acct(3), acct(4), acct(5)] });
    for (let i = 1; i <= 5; i++) chain.set(acct(i), {});
  }
  const submitter = new FakeSubmitter(chain);
  const metrics = new MetricsRegistry("t_");
  const log = logLines();
  const keeper = new LiquidationKeeper(
    chain,
    submitter,
    store,
    CONFIG,
    new JsonLogger({ sink: log.sink }),
    metrics,
  );
  return { chain, submitter, store, metrics, log, keeper };
}

/**
 * The keeper on database `file` sends a transaction for the liquidatable `accounts` that stays
 * pending, and its process dies; returns the first keeper and a second one started on the same
 * database and chain, whose node still has that transaction in its mempool.
 */
async function crashWithPending(file: string, accounts: string[]) {
  const first = setup(new LiquidationStore(file));
  for (const account of accounts) first.chain.set(account, { liquidatable: true });
  first.submitter.modes.push("pending");
  await first.keeper.tick();
  const unfinished = first.store.unfinishedTxs();
  expect(unfinished).to.have.length(1);
  first.store.close(); // the process dies
  const second = setup(new LiquidationStore(file), first.chain);
  second.submitter.txs.push(...first.submitter.txs); // the node still has it in its mempool
  second.submitter.nonce = first.submitter.nonce;
  return { first, second, pending: unfinished[0]! };
}

function txCount(metrics: MetricsRegistry, kind: string, outcome: string): string | undefined {
  const line = metrics
    .render()
    .split("\n")
    .find((l) => l.startsWith(`t_transactions_total{kind="${kind}",outcome="${outcome}"}`));
  return line?.split(" ")[1];
}

describe("liquidation keeper: logic", function () {
  it("liquidates an unhealthy account again and again until it is healthy (partial rule)", async function () {
    const { chain, submitter, store, metrics, keeper } = setup();
    chain.set(acct(3), { liquidatable: true, roundsToHealthy: 3 });
    const result = await keeper.tick();
    expect(result).to.deep.include({ accounts: 5, liquidatable: 1, liquidations: 3, skippedInFlight: 0 });
    expect(submitter.txs.map((t) => t.data)).to.deep.equal(Array(3).fill(`liquidate:${acct(3)}`));
    expect(chain.accounts.get(acct(3))).to.deep.include({ size: 1n, liquidatable: false });
    expect(store.allTxs().map((t) => t.status)).to.deep.equal(["confirmed", "confirmed", "confirmed"]);
    expect(txCount(metrics, "liquidate", "confirmed")).to.equal("3");
    expect(metrics.render()).to.include("t_liquidations_sent_total 3");
    expect(metrics.render()).to.include("t_accounts_known 5");
    expect(metrics.render()).to.include("t_liquidatable_accounts 1");
    expect(metrics.render()).to.include("t_last_indexed_block 1");
    // the next tick finds nothing to do
    expect((await keeper.tick()).liquidations).to.equal(0);
  });

  it("stops at the per-tick round limit and continues on the next tick", async function () {
    const { chain, submitter, keeper } = setup();
    chain.set(acct(1), { size: 1n << 20n, liquidatable: true, roundsToHealthy: 7 });
    expect((await keeper.tick()).liquidations).to.equal(5);
    expect((await keeper.tick()).liquidations).to.equal(2);
    expect(submitter.txs).to.have.length(7);
  });

  it("sends nothing when the simulation fails (healthy again, or another keeper was faster)", async function () {
    const { chain, submitter, store, metrics, keeper } = setup();
    chain.set(acct(2), { liquidatable: true });
    // healthy between the scan and the simulation
    const original = chain.nextLiquidation.bind(chain);
    chain.nextLiquidation = async (account) => {
      chain.set(account, { liquidatable: false });
      return original(account);
    };
    expect((await keeper.tick()).liquidations).to.equal(0);
    expect(submitter.txs).to.have.length(0);
    expect(store.allTxs().map((t) => t.status)).to.deep.equal(["failed"]);
    expect(txCount(metrics, "liquidate", "simulation_failed")).to.equal("1");
  });

  it("runs ADL when the insurance fund cannot cover, with the complete opposite side", async function () {
    const { chain, submitter, metrics, keeper } = setup();
    chain.set(acct(4), { liquidatable: true, bankrupt: true });
    chain.adlTargets = [acct(5), acct(2)];
    const result = await keeper.tick();
    expect(result).to.deep.include({ liquidations: 0, adl: 1 });
    expect(submitter.txs.map((t) => t.data)).to.deep.equal([`adl:${acct(4)}:${acct(2)}`]);
    expect(txCount(metrics, "liquidate", "needs_adl")).to.equal("1");
    expect(txCount(metrics, "adl", "confirmed")).to.equal("1");
  });

  it("reports ADL without a profitable opposite position as failed and sends nothing", async function () {
    const { chain, submitter, log, keeper } = setup();
    chain.set(acct(4), { liquidatable: true, bankrupt: true });
    expect((await keeper.tick()).adl).to.equal(0);
    expect(submitter.txs).to.have.length(0);
    expect(log.lines.some((l) => l.includes("ADL needed but no profitable opposite position"))).to.equal(
      true,
    );
  });

  it("settles the bad debt of an account without positions", async function () {
    const { chain, submitter, keeper } = setup();
    chain.set(acct(5), { size: 0n, badDebt: true });
    expect((await keeper.tick()).badDebtSettled).to.equal(1);
    expect(submitter.txs.map((t) => t.data)).to.deep.equal([`settleBadDebt:${acct(5)}`]);
    expect((await keeper.tick()).badDebtSettled).to.equal(0);
  });

  it("counts a nonce conflict and keeps the re-signed transaction", async function () {
    const { chain, submitter, store, metrics, keeper } = setup();
    chain.set(acct(1), { liquidatable: true });
    submitter.modes.push("nonceConflict");
    expect((await keeper.tick()).liquidations).to.equal(1);
    const [row] = store.allTxs();
    expect(row).to.deep.include({ status: "confirmed", txHash: "0xtx1", txNonce: 1 });
    expect(metrics.render()).to.include("t_nonce_conflicts_total 1");
  });

  it("retries RPC errors of its reads with backoff, counting each", async function () {
    const { chain, metrics, keeper } = setup();
    chain.set(acct(1), { liquidatable: true });
    chain.failNext = networkError();
    chain.healthFailures = 1;
    expect((await keeper.tick()).liquidations).to.equal(1);
    expect(metrics.render()).to.include('t_rpc_errors_total{op="eth_getLogs"} 1');
    expect(metrics.render()).to.include('t_rpc_errors_total{op="health"} 1');
  });

  describe("restart", function () {
    let dir: string;

    beforeEach(function () {
      dir = mkdtempSync(join(tmpdir(), "liq-keeper-"));
    });

    afterEach(function () {
      rmSync(dir, { recursive: true, force: true });
    });

    it("a database written before attempts existed: a sent row's transaction becomes its attempt and is finished", async function () {
      const file = join(dir, "old.sqlite");
      const old = new DatabaseSync(file);
      old.exec(`CREATE TABLE keeper_txs (
        id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, account TEXT NOT NULL, market_id TEXT,
        size_x18 TEXT, status TEXT NOT NULL, tx_hash TEXT, tx_nonce INTEGER, raw_tx TEXT, gas_used TEXT,
        created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL)`);
      old.exec(`INSERT INTO keeper_txs (kind, account, status, tx_hash, tx_nonce, raw_tx, created_at, updated_at)
        VALUES ('liquidate', '${acct(2)}', 'sent', '0xtx0', 0, 'raw:0:liquidate:${acct(2)}', 1, 1)`);
      old.close();
      const { chain, submitter, store, keeper } = setup(new LiquidationStore(file));
      expect(store.attempts(1)).to.deep.equal([
        { txId: 1, hash: "0xtx0", nonce: 0, raw: `raw:0:liquidate:${acct(2)}`, signedAt: 1, status: "sent" },
      ]);
      chain.set(acct(2), { liquidatable: true });
      submitter.nonce = 1;
      const result = await keeper.tick();
      expect(result.reconciled).to.equal(1); // rebroadcast byte for byte and mined
      expect(submitter.rebroadcasts).to.deep.equal([`raw:0:liquidate:${acct(2)}`]);
      expect(store.tx(1)).to.deep.include({ status: "confirmed", txHash: "0xtx0" });
      expect(store.attempts(1)[0]!.status).to.equal("mined");
      store.close();
    });

    it("a transaction left pending at a crash is waited for, not sent again, then confirmed", async function () {
      const { second } = await crashWithPending(join(dir, "keeper.sqlite"), [acct(2)]);
      const waiting = await second.keeper.tick();
      expect(waiting).to.deep.include({
        reconciled: 0,
        liquidatable: 1,
        liquidations: 0,
        skippedInFlight: 1,
      });
      expect(second.submitter.txs).to.have.length(1);

      second.submitter.minePending("0xtx0");
      const done = await second.keeper.tick();
      expect(done).to.deep.include({ reconciled: 1, liquidatable: 0, liquidations: 0 });
      expect(second.store.allTxs().map((t) => t.status)).to.deep.equal(["confirmed"]);
      expect(txCount(second.metrics, "liquidate", "confirmed")).to.equal("1");
      second.store.close();
    });

    it("a batch left pending at a crash keeps all its accounts in flight; once mined, its entries are recorded from the receipt", async function () {
      const { second, pending } = await crashWithPending(join(dir, "keeper.sqlite"), [acct(2), acct(3)]);
      expect(pending).to.deep.include({ kind: "liquidateBatch", status: "sent" });
      expect(second.store.members(pending.id).map((m) => m.outcome)).to.deep.equal([null, null]);
      const waiting = await second.keeper.tick();
      expect(waiting).to.deep.include({
        reconciled: 0,
        liquidatable: 2,
        liquidations: 0,
        skippedInFlight: 2,
      });
      expect(second.submitter.txs).to.have.length(1);

      second.submitter.minePending("0xtx0");
      const done = await second.keeper.tick();
      expect(done).to.deep.include({ reconciled: 1, liquidatable: 0, liquidations: 0 });
      expect(second.store.allTxs().map((t) => [t.kind, t.status])).to.deep.equal([
        ["liquidateBatch", "confirmed"],
      ]);
      expect(second.store.members(pending.id).map((m) => m.outcome)).to.deep.equal([
        "liquidated",
        "liquidated",
      ]);
      expect(txCount(second.metrics, "liquidateBatch", "confirmed")).to.equal("1");
      expect(second.metrics.render()).to.include('t_batch_entries_total{outcome="liquidated"} 2');
      second.store.close();
    });

    it("a transaction the node forgot is rebroadcast byte for byte", async function () {
      const first = setup();
      first.chain.set(acct(2), { liquidatable: true });
      first.submitter.modes.push("drop");
      await first.keeper.tick();
      const [sent] = first.store.unfinishedTxs();
      expect(sent?.status).to.equal("sent");

      const second = setup(first.store, first.chain); // the node restarted with an empty mempool
      const result = await second.keeper.tick();
      expect(second.submitter.rebroadcasts).to.deep.equal([sent!.rawTx]);
      expect(result).to.deep.include({ reconciled: 1, liquidations: 0 });
      expect(first.store.allTxs().map((t) => t.status)).to.deep.equal(["confirmed"]);
    });

    it("a transaction whose nonce another transaction took is failed, and the account is liquidated anew", async function () {
      const first = setup();
      first.chain.set(acct(2), { liquidatable: true });
      first.submitter.modes.push("drop");
      await first.keeper.tick();

      const second = setup(first.store, first.chain);
      second.submitter.rebroadcastConflict = true;
      second.submitter.nonce = first.submitter.nonce + 1; // the other transaction used nonce 0
      const result = await second.keeper.tick();
      expect(result).to.deep.include({ reconciled: 1, liquidations: 1 });
      expect(first.store.allTxs().map((t) => t.status)).to.deep.equal(["failed", "confirmed"]);
    });

    it("a transaction never signed before the crash is dropped; a failed broadcast is reconciled later", async function () {
      const store = new LiquidationStore(":memory:");
      store.beginTx("liquidate", acct(1), null, null);
      const { chain, submitter, keeper } = setup(store);
      chain.set(acct(1), { liquidatable: true });
      submitter.modes.push("throw");
      const result = await keeper.tick();
      expect(result.reconciled).to.equal(1);
      // the broadcast failed after signing: the row stays `sent` (it might still be mined)
      expect(store.allTxs().map((t) => t.status)).to.deep.equal(["failed", "sent"]);
      const next = await keeper.tick();
      expect(next.reconciled).to.equal(1); // rebroadcast: the node never got it
      expect(store.allTxs().map((t) => t.status)).to.deep.equal(["failed", "confirmed"]);
    });
  });

  it("stops between two transactions after stop()", async function () {
    const { chain, submitter, keeper } = setup();
    chain.set(acct(1), { liquidatable: true, roundsToHealthy: 3 });
    for (const n of [2, 3, 4]) chain.set(acct(n), { liquidatable: true });
    const original = submitter.submit.bind(submitter);
    submitter.submit = async (req, hooks) => {
      keeper.stop();
      return original(req, hooks);
    };
    const result = await keeper.tick();
    // the first batch (3 per transaction) goes out; the second one and the next round do not
    expect(result.liquidations).to.equal(3);
    expect(submitter.txs.map((t) => t.data)).to.deep.equal([
      `liquidateBatch:${acct(1)},${acct(2)},${acct(3)}`,
    ]);
  });
});

describe("liquidation keeper: batches", function () {
  function member(account: string, outcome: string | null, reason: string | null, index: number) {
    return { index, account, marketId: MARKET, sizeX18: 2n ** 256n - 1n, outcome, reason };
  }

  it("sends a round's accounts together, liquidationsPerTx per liquidateBatch, then re-reads their health", async function () {
    const { chain, submitter, store, metrics, keeper } = setup();
    for (let n = 1; n <= 5; n++) chain.set(acct(n), { liquidatable: true });
    chain.set(acct(2), { roundsToHealthy: 2 });
    const result = await keeper.tick();
    expect(result).to.deep.include({ liquidatable: 5, liquidations: 6, adl: 0, skippedInFlight: 0 });
    expect(submitter.txs.map((t) => t.data)).to.deep.equal([
      `liquidateBatch:${acct(1)},${acct(2)},${acct(3)}`,
      `liquidateBatch:${acct(4)},${acct(5)}`,
      `liquidate:${acct(2)}`, // round 2: only account 2 is still liquidatable
    ]);
    for (let n = 1; n <= 5; n++) expect(chain.accounts.get(acct(n))!.liquidatable).to.equal(false);
    const rows = store.allTxs();
    expect(rows.map((t) => [t.kind, t.status])).to.deep.equal([
      ["liquidateBatch", "confirmed"],
      ["liquidateBatch", "confirmed"],
      ["liquidate", "confirmed"],
    ]);
    expect(store.members(rows[0]!.id)).to.deep.equal(
      [1, 2, 3].map((n, i) => member(acct(n), "liquidated", null, i)),
    );
    expect(store.members(rows[1]!.id)).to.deep.equal(
      [4, 5].map((n, i) => member(acct(n), "liquidated", null, i)),
    );
    expect(store.members(rows[2]!.id)).to.deep.equal([]);
    expect(txCount(metrics, "liquidateBatch", "confirmed")).to.equal("2");
    expect(txCount(metrics, "liquidate", "confirmed")).to.equal("1");
    expect(metrics.render()).to.include("t_liquidations_sent_total 6");
    expect(metrics.render()).to.include('t_batch_entries_total{outcome="liquidated"} 5');
    expect((await keeper.tick()).liquidations).to.equal(0);
  });

  it("sends a bankrupt account to ADL and drops one that would revert before the batch; reads on-chain skips from the receipt", async function () {
    const { chain, submitter, store, metrics, keeper } = setup();
    chain.set(acct(1), { liquidatable: true, bankrupt: true });
    for (const n of [2, 3, 4]) chain.set(acct(n), { liquidatable: true });
    chain.adlTargets = [acct(5)];
    chain.mine(1, { 0: [acct(6), acct(7)] });
    for (const n of [6, 7]) chain.set(acct(n), { liquidatable: true });
    // healthy between the scan and the simulation: dropped, nothing sent for it
    const original = chain.nextLiquidation.bind(chain);
    chain.nextLiquidation = async (account) => {
      if (account === acct(4)) chain.set(account, { liquidatable: false });
      return original(account);
    };
    // between the simulation and the batch's execution: account 3 turns healthy (another keeper was
    // faster), account 6's deficit outgrows the insurance fund
    chain.beforeExecute = (data) => {
      if (data.includes(acct(3))) chain.set(acct(3), { liquidatable: false });
      if (data.startsWith("liquidateBatch:") && data.includes(acct(6)))
        chain.set(acct(6), { bankrupt: true });
    };
    const result = await keeper.tick();
    // groups of 3 in scan order: [1, 2, 3] and [4, 6, 7]
    expect(result).to.deep.include({ liquidatable: 6, liquidations: 2, adl: 2 });
    expect(submitter.txs.map((t) => t.data)).to.deep.equal([
      `adl:${acct(1)}:${acct(5)}`,
      `liquidateBatch:${acct(2)},${acct(3)}`,
      `liquidateBatch:${acct(6)},${acct(7)}`,
      `adl:${acct(6)}:${acct(5)}`,
    ]);
    const [first, second] = store.allTxs().filter((t) => t.kind === "liquidateBatch");
    expect(store.members(first!.id)).to.deep.equal([
      member(acct(2), "liquidated", null, 0),
      member(acct(3), "skipped", "0x02", 1),
    ]);
    expect(store.members(second!.id)).to.deep.equal([
      member(acct(6), "skipped", INSURANCE_INSUFFICIENT, 0),
      member(acct(7), "liquidated", null, 1),
    ]);
    expect(txCount(metrics, "liquidate", "needs_adl")).to.equal("1");
    expect(txCount(metrics, "liquidate", "simulation_failed")).to.equal("1");
    expect(txCount(metrics, "adl", "confirmed")).to.equal("2");
    expect(metrics.render()).to.include('t_batch_entries_total{outcome="skipped"} 2');
    expect(metrics.render()).to.include('t_batch_entries_total{outcome="liquidated"} 2');
  });

  it("with liquidationsPerTx 1 sends one liquidate per account; refuses a value outside 1 to 50", async function () {
    const chain = new FakeLiquidationChain();
    chain.mine(2, { 1: [acct(1), acct(2)] });
    for (const n of [1, 2]) chain.set(acct(n), { liquidatable: true });
    const submitter = new FakeSubmitter(chain);
    const store = new LiquidationStore(":memory:");
    const make = (liquidationsPerTx: number) =>
      new LiquidationKeeper(
        chain,
        submitter,
        store,
        { ...CONFIG, liquidationsPerTx },
        silentLogger,
        new MetricsRegistry("t_"),
      );
    expect((await make(1).tick()).liquidations).to.equal(2);
    expect(submitter.txs.map((t) => t.data)).to.deep.equal([`liquidate:${acct(1)}`, `liquidate:${acct(2)}`]);
    for (const bad of [0, 51, 2.5]) {
      expect(() => make(bad)).to.throw(`liquidationsPerTx must be 1 to 50, got ${bad}`);
    }
    expect(make(MAX_LIQUIDATIONS_PER_TX)).to.be.instanceOf(LiquidationKeeper);
  });
});

describe("liquidation keeper: health scanner", function () {
  it("reads in batches with bounded concurrency and keeps the account order", async function () {
    const chain = new FakeLiquidationChain();
    const accounts = Array.from({ length: 23 }, (_, i) => acct(i + 1));
    for (const a of accounts) chain.set(a, {});
    chain.set(acct(7), { liquidatable: true });
    chain.set(acct(19), { liquidatable: true });
    chain.set(acct(20), { badDebt: true });
    const scanner = new HealthScanner(
      chain,
      { batchSize: 5, concurrency: 2, retry: FAST_RETRY },
      silentLogger,
    );
    const result = await scanner.scan(accounts);
    expect(result).to.deep.include({
      scanned: 23,
      batches: 5,
      liquidatable: [acct(7), acct(19)],
      badDebt: [acct(20)],
    });
    expect(chain.healthCalls.map((c) => c.length)).to.deep.equal([5, 5, 5, 5, 3]);
    expect(chain.maxInFlight).to.equal(2);
    expect(chunk([1, 2, 3], 2)).to.deep.equal([[1, 2], [3]]);
    expect(() => chunk([1], 0)).to.throw("chunk size must be ≥ 1");
  });

  it("retries a failed batch read, gives up after the retry budget, and rejects a short answer", async function () {
    const chain = new FakeLiquidationChain();
    chain.set(acct(1), {});
    let errors = 0;
    const scanner = new HealthScanner(
      chain,
      { batchSize: 10, concurrency: 1, retry: FAST_RETRY },
      silentLogger,
      () => errors++,
    );
    chain.healthFailures = 2;
    expect((await scanner.scan([acct(1)])).scanned).to.equal(1);
    expect(errors).to.equal(2);
    chain.healthFailures = 3;
    let thrown: unknown;
    await scanner.scan([acct(1)]).catch((err: unknown) => (thrown = err));
    expect(String(thrown)).to.include("connection refused");
    chain.risks = async () => [];
    thrown = undefined;
    await scanner.scan([acct(1)]).catch((err: unknown) => (thrown = err));
    expect(String(thrown)).to.include("health batch returned 0 results for 1 accounts");
  });
});

describe("liquidation keeper: health scanner batch splitting", function () {
  it("splits a batch the node cannot execute (eth_call gas cap) and skips an account that fails alone", async function () {
    const chain = new FakeLiquidationChain();
    const accounts = Array.from({ length: 10 }, (_, i) => acct(i + 1));
    for (const a of accounts) chain.set(a, {});
    chain.set(acct(9), { liquidatable: true });
    const original = chain.risks.bind(chain);
    chain.risks = async (batch) => {
      if (batch.length > 3) throw new Error("Transaction reverted: contract call run out of gas");
      if (batch.includes(acct(2))) throw new Error("execution reverted: 0x1234");
      return original(batch);
    };
    let unreadable = 0;
    const log = logLines();
    const scanner = new HealthScanner(
      chain,
      { batchSize: 10, concurrency: 1, retry: FAST_RETRY },
      new JsonLogger({ sink: log.sink }),
      () => undefined,
      () => unreadable++,
    );
    const result = await scanner.scan(accounts);
    expect(result.scanned).to.equal(10);
    expect(result.liquidatable).to.deep.equal([acct(9)]);
    expect(unreadable).to.equal(1);
    expect(log.lines.filter((l) => l.includes("health batch failed; splitting it")).length).to.be.greaterThan(
      0,
    );
    expect(log.lines.some((l) => l.includes("health of an account cannot be read"))).to.equal(true);
  });
});

describe("liquidation keeper: configuration", function () {
  it("reads flags and environment with defaults, and reports every invalid value", function () {
    const config = parseLiquidationConfig(["--rpc-url", "http://127.0.0.1:8545", "--confirmations", "0"], {
      SUNDIAL_LIQUIDATION_BATCH_SIZE: "500",
    });
    expect(config).to.deep.include({
      rpcUrl: "http://127.0.0.1:8545",
      confirmations: 0,
      batchSize: 500,
      maxBlockRange: 2000,
      db: "liquidation-keeper.sqlite",
      keyEnv: "SUNDIAL_LIQUIDATION_KEEPER_KEY",
      metricsPort: 9103,
      startBlock: undefined,
      liquidationEngine: undefined,
      liquidationsPerTx: 20,
    });
    expect(
      parseLiquidationConfig(["--rpc-url", "http://127.0.0.1:8545", "--liquidations-per-tx", "50"], {})
        .liquidationsPerTx,
    ).to.equal(50);
    let thrown: unknown;
    try {
      parseLiquidationConfig(
        ["--batch-size", "0", "--liquidation-engine", "0x12", "--liquidations-per-tx", "51"],
        {},
      );
    } catch (err) {
      thrown = err;
    }
    expect(thrown).to.be.instanceOf(ConfigError);
    const problems = (thrown as ConfigError).problems;
    expect(problems.some((p) => p.startsWith("missing --rpc-url"))).to.equal(true);
    expect(problems.some((p) => p.includes("must be ≥ 1, got 0"))).to.equal(true);
    expect(problems.some((p) => p.includes("--liquidations-per-tx") && p.includes("got 51"))).to.equal(true);
    expect(problems.some((p) => p.includes('must be a 0x address, got "0x12"'))).to.equal(true);
    expect(parseLiquidationConfig(["--help"], {}).help).to.equal(true);
  });
});

describe("liquidation keeper: nonce conflicts with the wallet submitter", function () {
  /**
   * A node (just enough of ethers' Provider for `WalletSubmitter`) on which another sender of the
   * same key takes the keeper's nonce once: the first broadcast is refused with "nonce too low".
   */
  function conflictingNode(chain: FakeLiquidationChain) {
    let pending = 7;
    const refused: number[] = [];
    const mined = new Map<string, TransactionReceipt>();
    const provider = {
      call: async () => "0x",
      estimateGas: async () => 100_000n,
      getTransactionCount: async () => pending,
      getFeeData: async () => ({ maxFeePerGas: 10n, maxPriorityFeePerGas: 1n, gasPrice: null }),
      getNetwork: async () => ({ chainId: 31337n }),
      getTransaction: async (hash: string) => (mined.has(hash) ? {} : null),
      getTransactionReceipt: async (hash: string) => mined.get(hash) ?? null,
      broadcastTransaction: async (raw: string) => {
        const tx = Transaction.from(raw);
        if (refused.length === 0) {
          refused.push(tx.nonce);
          pending++; // another transaction of this key took the nonce
          throw makeError("nonce too low", "NONCE_EXPIRED", { transaction: {} });
        }
        chain.execute(toUtf8String(tx.data));
        pending = tx.nonce + 1;
        mined.set(tx.hash!, { hash: tx.hash, status: 1, gasUsed: 90_000n } as TransactionReceipt);
        return {};
      },
    };
    return { provider: provider as unknown as Provider, refused };
  }

  it("re-signs with a fresh nonce after checking the first transaction was not mined, once", async function () {
    const chain = new FakeLiquidationChain();
    chain.mine(2, { 1: [acct(1)] });
    chain.set(acct(1), { liquidatable: true });
    const hexRequest = (data: string) => ({
      to: "0x000000000000000000000000000000000000e9e1",
      data: hexlify(toUtf8Bytes(data)),
    });
    chain.liquidateRequest = (account) => hexRequest(`liquidate:${account}`);
    const { provider, refused } = conflictingNode(chain);
    const wallet = new Wallet(devKeyForTests);
    const submitter = new WalletSubmitter(wallet, provider, silentLogger, {
      retry: FAST_RETRY,
      receiptPollMs: 1,
    });
    const store = new LiquidationStore(":memory:");
    const metrics = new MetricsRegistry("t_");
    const keeper = new LiquidationKeeper(chain, submitter, store, CONFIG, silentLogger, metrics);
    const result = await keeper.tick();
    expect(result.liquidations).to.equal(1);
    expect(refused).to.deep.equal([7]);
    const rows = store.allTxs();
    expect(rows).to.have.length(1);
    expect(rows[0]).to.deep.include({ status: "confirmed", txNonce: 8 });
    expect(metrics.render()).to.include("t_nonce_conflicts_total 1");
    expect(chain.accounts.get(acct(1))?.liquidatable).to.equal(false);
  });
});

describe("liquidation keeper: stuck transactions with the wallet submitter", function () {
  /** A keeper whose liquidations go through `WalletSubmitter` to a fake node that runs them on `chain`. */
  function stuckSetup(options: { receiptTimeoutMs?: number; replaceAfterMs: number }) {
    const chain = new FakeLiquidationChain();
    chain.mine(2, { 1: [acct(1)] });
    chain.set(acct(1), { liquidatable: true });
    chain.liquidateRequest = (account) => ({
      to: "0x000000000000000000000000000000000000e9e1",
      data: hexlify(toUtf8Bytes(`liquidate:${account}`)),
    });
    const node = new FakeNode();
    node.onMined = (tx) => chain.execute(toUtf8String(tx.data));
    node.onBroadcast = () => {
      node.baseFee = 100n; // blocks now need more than the first transaction's fee cap
    };
    const metrics = new MetricsRegistry("t_");
    const log = logLines();
    const logger = new JsonLogger({ sink: log.sink });
    const submitter = new WalletSubmitter(new Wallet(devKeyForTests), node.provider, logger, {
      retry: FAST_RETRY,
      receiptPollMs: 1,
      ...(options.receiptTimeoutMs === undefined ? {} : { receiptTimeoutMs: options.receiptTimeoutMs }),
      feeBump: { replaceAfterMs: options.replaceAfterMs },
      metrics,
    });
    const store = new LiquidationStore(":memory:");
    const config = { ...CONFIG, maxRoundsPerAccount: 1 };
    const keeper = new LiquidationKeeper(chain, submitter, store, config, logger, metrics);
    const logs = () => log.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    return { chain, node, metrics, store, keeper, logs };
  }

  it("replaces a stuck liquidation within the tick: one row, the mined attempt's hash, no nonce conflict", async function () {
    const { chain, node, metrics, store, keeper, logs } = stuckSetup({ replaceAfterMs: 20 });
    const result = await keeper.tick();
    expect(result).to.deep.include({ liquidations: 1 });
    const [row] = store.allTxs();
    const attempts = store.attempts(row!.id);
    expect(attempts.map((a) => a.status)).to.deep.equal(["dropped", "mined"]);
    expect(row).to.deep.include({ status: "confirmed", txHash: attempts[1]!.hash, txNonce: 0 });
    expect(node.minedTxs.map((t) => t.hash)).to.deep.equal([attempts[1]!.hash]);
    expect(chain.accounts.get(acct(1))?.size).to.equal(5n); // liquidated once (half of 10)
    const rendered = metrics.render();
    expect(rendered).to.not.match(/^t_nonce_conflicts_total /m); // never incremented
    expect(rendered).to.include("t_liquidations_sent_total 1");
    expect(rendered).to.include('t_tx_replacements_total{outcome="sent"} 1');
    const signed = logs().find((l) => l.msg === "replacement transaction signed");
    expect(signed).to.deep.include({
      kind: "liquidate",
      hash: attempts[1]!.hash,
      previous: attempts[0]!.hash,
    });
  });

  it("replaces a liquidation left pending by a receipt timeout at the next tick's reconcile, and finishes it once", async function () {
    const { chain, node, store, keeper } = stuckSetup({ receiptTimeoutMs: 10, replaceAfterMs: 50 });
    const first = await keeper.tick();
    expect(first.liquidations).to.equal(0);
    const [row] = store.allTxs();
    expect(row!.status).to.equal("sent");
    await sleep(60);
    node.autoMine = false; // the replacement waits for the next block
    const second = await keeper.tick();
    expect(second).to.deep.include({ reconciled: 0, skippedInFlight: 1, liquidations: 0 });
    const attempts = store.attempts(row!.id);
    expect(attempts).to.have.length(2);
    expect(node.isPending(attempts[1]!.hash)).to.equal(true);
    expect(node.isPending(attempts[0]!.hash)).to.equal(false); // replaced in the mempool

    node.mine();
    const third = await keeper.tick();
    expect(third).to.deep.include({ reconciled: 1, liquidations: 0 });
    expect(store.attempts(row!.id).map((a) => a.status)).to.deep.equal(["dropped", "mined"]);
    expect(store.tx(row!.id)).to.deep.include({ status: "confirmed", txHash: attempts[1]!.hash });
    expect(store.allTxs()).to.have.length(1);
    expect(node.minedTxs).to.have.length(1);
    expect(chain.accounts.get(acct(1))?.size).to.equal(5n);
  });
});
