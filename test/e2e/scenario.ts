/**
 * The end-to-end scenario, run once per node implementation (`nodes.test.ts`): a separately started
 * JSON-RPC node, the whole system deployed with the Ignition modules over JSON-RPC, and the matcher,
 * the funding, oracle and liquidation keepers as child processes running their real CLIs (flags,
 * keys from the environment). Traders sign orders and post them over HTTP; the test moves prices
 * through the oracle keeper's price file and time through the node, and reads the outcome on chain.
 *
 * The liquidation keeper is stopped twice: with SIGTERM while idle (accounts trade and become
 * liquidatable while it is down: after the restart it must resume from its checkpoint and liquidate
 * them), and with SIGKILL while its liquidation transaction is pending in the node's mempool (mining
 * paused): after the restart it must wait for that transaction instead of sending another. At the end
 * every `Liquidated` event is matched one to one with a confirmed transaction in the keeper's
 * database and the keeper's nonce equals its number of transactions: no missed and no double work.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { expect } from "chai";
import { JsonRpcProvider, Wallet, parseUnits } from "ethers";
import type { DeploymentRecord } from "../../deploy/system.js";
import { MatcherApiError, MatcherClient } from "../../sdk/matcher.js";
import { accountId } from "../../sdk/orders.js";
import { IClearinghouse__factory, ILiquidationEngine__factory } from "../../typechain-types/index.js";
import {
  devKey,
  freePort,
  rpc,
  startNode,
  startTsProcess,
  waitFor,
  type ManagedProcess,
  type NodeKind,
  type RpcNode,
} from "../../scripts/lib/processes.js";
import { deployOverRpc, fundTraders, removeJournals } from "../../scripts/lib/system.js";
import {
  X18,
  increaseTime,
  indexPrice,
  loadCalendarFile,
  moveToRegularSession,
  signTraderOrder,
  writePrices,
} from "./system.js";

const OPEN = 0n;
const REOPENING = 3n;
const START_PRICES = { AAPL: "230", TSLA: "350", NVDA: "180", SPY: "660", QQQ: "600" };

/** Development accounts: 3 = matcher (local.json), 4 = oracle keeper (DON signer, publisher). */
const MATCHER = 3;
const ORACLE_KEEPER = 4;
const FUNDING_KEEPER = 6;
const LIQUIDATION_KEEPER = 7;

interface Context {
  node: RpcNode;
  provider: JsonRpcProvider;
  workDir: string;
  record: DeploymentRecord;
  recordFile: string;
  journals: string[];
  priceFile: string;
  prices: Record<string, string>;
  matcherUrl: string;
  matcher: MatcherClient;
  processes: Map<string, ManagedProcess>;
  liquidationArgs: string[];
  liquidationMetricsPort: number;
  traders: Record<string, Wallet>;
  engine: string;
}

function marketId(record: DeploymentRecord, symbol: string): string {
  const market = record.markets.find((m) => m.symbol === symbol);
  if (market === undefined) throw new Error(`no market ${symbol}`);
  return market.marketId;
}

export function endToEnd(kind: NodeKind): void {
  const ctx = { processes: new Map<string, ManagedProcess>() } as Context;

  async function chainTime(): Promise<number> {
    return (await ctx.provider.getBlock("latest"))!.timestamp;
  }

  function start(name: string, script: string, args: string[], env: Record<string, string>): ManagedProcess {
    const child = startTsProcess(name, script, args, env, ctx.workDir);
    ctx.processes.set(name, child);
    return child;
  }

  function startLiquidationKeeper(): ManagedProcess {
    return start("liquidation-keeper", "keepers/liquidation/main.ts", ctx.liquidationArgs, {
      SUNDIAL_LIQUIDATION_KEEPER_KEY: devKey(LIQUIDATION_KEEPER),
    });
  }

  /** Sets the oracle keeper's price for `symbol` and waits until the market is OPEN at that index. */
  async function setPrice(symbol: string, usd: string): Promise<void> {
    ctx.prices[symbol] = usd;
    writePrices(ctx.priceFile, ctx.prices);
    const id = marketId(ctx.record, symbol);
    await waitFor(`${symbol} index ${usd}`, async () => {
      const s = await indexPrice(ctx.provider, ctx.record, id);
      return s.state === OPEN && s.indexPriceX18 === parseUnits(usd, 18);
    });
  }

  /** A maker order then a crossing taker order; resolves when both are filled on chain. */
  async function trade(
    symbol: string,
    maker: Wallet,
    taker: Wallet,
    makerBuys: boolean,
    size: string,
    price: string,
  ) {
    const { chainId } = await ctx.provider.getNetwork();
    const expiry = BigInt((await chainTime()) + 3_600);
    const fields = { marketId: marketId(ctx.record, symbol), size, price, expiry };
    const ch = ctx.record.contracts.clearinghouse;
    const makerOrder = await ctx.matcher.submitOrder(
      await signTraderOrder(maker, chainId, ch, { ...fields, isBuy: makerBuys }),
    );
    const takerOrder = await ctx.matcher.submitOrder(
      await signTraderOrder(taker, chainId, ch, { ...fields, isBuy: !makerBuys }),
    );
    for (const hash of [makerOrder.hash, takerOrder.hash]) {
      await ctx.matcher.waitForOrder(
        hash,
        (view) => {
          if (view.status === "rejected" || view.status === "cancelled") {
            throw new Error(`order ${hash} ${view.status}: ${view.reason}`);
          }
          return view.status === "filled";
        },
        { timeoutMs: 60_000 },
      );
    }
  }

  function engine() {
    return ILiquidationEngine__factory.connect(ctx.engine, ctx.provider);
  }

  async function liquidatedEvents(account?: string) {
    const e = engine();
    return e.queryFilter(e.filters.Liquidated(account), ctx.record.deployedAtBlock);
  }

  async function waitHealthy(owner: Wallet, what: string): Promise<void> {
    await waitFor(
      `${what} liquidated and healthy`,
      async () => {
        const events = await liquidatedEvents(accountId(owner.address, 0n));
        return events.length > 0 && !(await engine().isLiquidatable(accountId(owner.address, 0n)));
      },
      90_000,
    );
  }

  before(async function () {
    this.timeout(600_000);
    ctx.workDir = mkdtempSync(join(tmpdir(), `sundial-e2e-${kind}-`));
    ctx.node = await startNode(kind, ctx.workDir);
    ctx.provider = new JsonRpcProvider(ctx.node.url, undefined, { pollingInterval: 250, cacheTimeout: -1 });
    await moveToRegularSession(ctx.node.url, await loadCalendarFile());
    const deployed = await deployOverRpc(ctx.node.url, ctx.workDir, kind);
    Object.assign(ctx, deployed);
    ctx.engine = ctx.record.contracts.liquidationEngine;
    ctx.traders = Object.fromEntries(
      ["alice", "bob", "dave", "erin", "frank", "grace"].map((n) => [
        n,
        new Wallet(Wallet.createRandom().privateKey),
      ]),
    );
    const t = ctx.traders;
    await fundTraders(ctx.provider, ctx.record, [
      { owner: t.alice!.address, usdc: "245" },
      { owner: t.bob!.address, usdc: "100000" },
      { owner: t.dave!.address, usdc: "230" },
      { owner: t.erin!.address, usdc: "100000" },
      { owner: t.frank!.address, usdc: "370" },
      { owner: t.grace!.address, usdc: "100000" },
    ]);

    ctx.priceFile = join(ctx.workDir, "prices.json");
    ctx.prices = { ...START_PRICES };
    writePrices(ctx.priceFile, ctx.prices);
    const common = ["--rpc-url", ctx.node.url, "--deployment", ctx.recordFile, "--log-level", "info"];
    const oracleMetrics = `http://127.0.0.1:${await freePort()}`;
    const oracle = start(
      "oracle-keeper",
      "keepers/oracle/main.ts",
      [
        ...common,
        "--price-input",
        "file",
        "--price-file",
        ctx.priceFile,
        "--interval-ms",
        "1000",
        "--metrics-port",
        oracleMetrics.split(":")[2]!,
      ],
      { SUNDIAL_ORACLE_KEEPER_KEY: devKey(ORACLE_KEEPER) },
    );
    await oracle.waitForLog("oracle keeper starting", 120_000);
    // Its first tick pushes every source, then pokes every market: the first live price after the
    // deployment reopens the markets (REOPENING, reduce-only for 5 min from the poke's price).
    const lastMarket = ctx.record.markets.at(-1)!.symbol;
    await waitFor("the oracle keeper's pokes", async () =>
      (await (await fetch(`${oracleMetrics}/metrics`)).text()).includes(
        `sundial_oracle_keeper_pokes_total{market="${lastMarket}",outcome="sent"} 1`,
      ),
    );
    const states = async (): Promise<bigint[]> =>
      Promise.all(
        ctx.record.markets.map(async (m) => (await indexPrice(ctx.provider, ctx.record, m.marketId)).state),
      );
    const live = await waitFor("a live price in every market", async () => {
      const all = await states();
      return all.every((s) => s === OPEN || s === REOPENING) ? all : undefined;
    });
    if (live.includes(REOPENING)) await increaseTime(ctx.node.url, 6 * 60);
    await waitFor("every market OPEN", async () => (await states()).every((s) => s === OPEN));

    const matcherPort = await freePort();
    ctx.matcherUrl = `http://127.0.0.1:${matcherPort}`;
    ctx.matcher = new MatcherClient(ctx.matcherUrl);
    const matcher = start(
      "matcher",
      "keepers/matcher/main.ts",
      [
        ...common,
        "--db",
        join(ctx.workDir, "matcher.sqlite"),
        "--port",
        String(matcherPort),
        "--settle-interval-ms",
        "300",
        "--cancel-poll-ms",
        "0",
      ],
      { SUNDIAL_MATCHER_KEY: devKey(MATCHER) },
    );
    const matcherStarted = await matcher.waitForLog("matcher starting", 120_000);
    // The matcher reads the clearinghouse from the deployment record, like the keepers.
    expect(matcherStarted.clearinghouse).to.equal(ctx.record.contracts.clearinghouse);
    await waitFor("matcher HTTP", async () => (await ctx.matcher.getHealth()).status === "ok");

    start(
      "funding-keeper",
      "keepers/funding/main.ts",
      [...common, "--interval-sec", "10", "--poll-ms", "1000", "--metrics-port", String(await freePort())],
      { SUNDIAL_FUNDING_KEEPER_KEY: devKey(FUNDING_KEEPER) },
    );
    ctx.liquidationMetricsPort = await freePort();
    ctx.liquidationArgs = [
      ...common,
      "--db",
      join(ctx.workDir, "liquidation.sqlite"),
      "--confirmations",
      "1",
      "--max-block-range",
      "50",
      "--poll-ms",
      "300",
      "--metrics-port",
      String(ctx.liquidationMetricsPort),
    ];
    await startLiquidationKeeper().waitForLog("liquidation keeper starting", 120_000);
  });

  after(async function () {
    this.timeout(120_000);
    for (const child of [...ctx.processes.values()].reverse()) await child.stop("SIGTERM", 10_000);
    ctx.provider?.destroy();
    await ctx.node?.process.stop("SIGTERM", 10_000);
    removeJournals(ctx.journals ?? []);
    if (ctx.workDir && process.env["SUNDIAL_E2E_KEEP"] === undefined)
      rmSync(ctx.workDir, { recursive: true, force: true });
  });

  it("settles signed orders posted to the matcher over HTTP", async function () {
    const { alice, bob } = ctx.traders;
    await trade("AAPL", alice!, bob!, true, "10", "230");
    const ch = IClearinghouse__factory.connect(ctx.record.contracts.clearinghouse, ctx.provider);
    const aapl = marketId(ctx.record, "AAPL");
    expect((await ch.position(accountId(alice!.address, 0n), aapl)).sizeX18).to.equal(10n * X18);
    expect((await ch.position(accountId(bob!.address, 0n), aapl)).sizeX18).to.equal(-10n * X18);
    const settled = await ch.queryFilter(ch.filters.MatchSettled(), ctx.record.deployedAtBlock);
    expect(settled).to.have.length(1);
    expect(settled[0]!.args.fillSizeX18).to.equal(10n * X18);
    expect(settled[0]!.args.priceX18).to.equal(230n * X18);
  });

  it("rejects malformed and badly signed orders over HTTP with a clear error", async function () {
    const post = async (body: string) => {
      const response = await fetch(`${ctx.matcherUrl}/orders`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
      });
      return {
        status: response.status,
        body: (await response.json()) as { error: { code: string; message: string } },
      };
    };
    const malformed = await post("{not json");
    expect(malformed.status).to.equal(400);
    expect(malformed.body.error.code).to.equal("MALFORMED_REQUEST");
    // a valid order of erin's, signed by someone else
    const { chainId } = await ctx.provider.getNetwork();
    const expiry = BigInt((await chainTime()) + 3_600);
    const fields = { marketId: marketId(ctx.record, "NVDA"), isBuy: true, size: "1", price: "180", expiry };
    const forged = await signTraderOrder(
      ctx.traders.erin!,
      chainId,
      ctx.record.contracts.clearinghouse,
      fields,
      {
        signWith: ctx.traders.bob!,
      },
    );
    const refused = await ctx.matcher.submitOrder(forged).then(
      () => expect.fail("the matcher accepted a badly signed order"),
      (err: unknown) => err,
    );
    expect(refused).to.be.instanceOf(MatcherApiError);
    expect(refused).to.deep.include({ status: 400, code: "BAD_SIGNATURE" });
  });

  it("moves the funding index as chain time passes (funding keeper)", async function () {
    const ch = IClearinghouse__factory.connect(ctx.record.contracts.clearinghouse, ctx.provider);
    const aapl = marketId(ctx.record, "AAPL");
    const before = await ch.fundingState(aapl);
    await increaseTime(ctx.node.url, 30 * 60);
    const jumped = await chainTime();
    const after = await waitFor("a fund() after the time jump", async () => {
      const s = await ch.fundingState(aapl);
      return s.lastUpdateTime >= BigInt(jumped) ? s : undefined;
    });
    expect(after.indexX18).to.not.equal(before.indexX18);
  });

  it("liquidates an account made unhealthy by a price move", async function () {
    const alice = accountId(ctx.traders.alice!.address, 0n);
    await setPrice("AAPL", "215");
    await waitHealthy(ctx.traders.alice!, "alice");
    const events = await liquidatedEvents(alice);
    const keeper = new Wallet(devKey(LIQUIDATION_KEEPER)).address;
    for (const e of events) expect(e.args.keeper).to.equal(keeper);
    const ch = IClearinghouse__factory.connect(ctx.record.contracts.clearinghouse, ctx.provider);
    const remaining = (await ch.position(alice, marketId(ctx.record, "AAPL"))).sizeX18;
    expect(remaining).to.be.lessThan(10n * X18);
    const metrics = await (await fetch(`http://127.0.0.1:${ctx.liquidationMetricsPort}/metrics`)).text();
    expect(metrics).to.include(
      `sundial_liquidation_keeper_transactions_total{kind="liquidate",outcome="confirmed"} ${events.length}`,
    );
  });

  it("after SIGTERM, resumes from its checkpoint and liquidates accounts that traded while it was down", async function () {
    const keeperProcess = ctx.processes.get("liquidation-keeper")!;
    expect(await keeperProcess.stop("SIGTERM")).to.equal(0);
    const dave = accountId(ctx.traders.dave!.address, 0n);
    await trade("AAPL", ctx.traders.dave!, ctx.traders.erin!, false, "10", "215");
    await setPrice("AAPL", "229");
    expect(await engine().isLiquidatable(dave)).to.equal(true);
    expect(await liquidatedEvents(dave)).to.have.length(0);

    const restarted = startLiquidationKeeper();
    const started = await restarted.waitForLog("liquidation keeper starting");
    expect(started.knownAccounts).to.be.greaterThan(0);
    expect(started.resumeFrom).to.be.greaterThan(ctx.record.deployedAtBlock + 1);
    await waitHealthy(ctx.traders.dave!, "dave");
  });

  it("after SIGKILL with its liquidation pending, finishes that transaction instead of sending another", async function () {
    let keeperProcess = ctx.processes.get("liquidation-keeper")!;
    expect(await keeperProcess.stop("SIGTERM")).to.equal(0);
    const frank = accountId(ctx.traders.frank!.address, 0n);
    await trade("TSLA", ctx.traders.frank!, ctx.traders.grace!, true, "10", "350");
    await setPrice("TSLA", "327");
    expect(await engine().isLiquidatable(frank)).to.equal(true);

    await rpc(ctx.node.url, "evm_setAutomine", [false]);
    try {
      keeperProcess = startLiquidationKeeper();
      const signed = await waitFor("the keeper's liquidation of frank signed", () =>
        keeperProcess.logs("transaction signed").find((r) => r.account === frank),
      );
      const hash = String(signed.hash);
      await waitFor(
        "the liquidation in the mempool",
        async () => (await ctx.provider.getTransaction(hash)) !== null,
      );
      expect(await keeperProcess.stop("SIGKILL")).to.equal(null);
      expect(await ctx.provider.getTransactionReceipt(hash)).to.equal(null);

      keeperProcess = startLiquidationKeeper();
      const started = await keeperProcess.waitForLog("liquidation keeper starting");
      expect(started.unfinishedTxs).to.equal(1);
      const pending = await keeperProcess.waitForLog("transaction from a previous run still pending");
      expect(pending.hash).to.equal(hash);
      expect(keeperProcess.logs("transaction signed")).to.have.length(0);
    } finally {
      await rpc(ctx.node.url, "evm_setAutomine", [true]);
      await rpc(ctx.node.url, "evm_mine");
    }
    await keeperProcess.waitForLog("liquidate confirmed (from a previous run)");
    await waitHealthy(ctx.traders.frank!, "frank");
  });

  it("did no double and no missed work: one confirmed keeper transaction per Liquidated event", async function () {
    const keeperProcess = ctx.processes.get("liquidation-keeper")!;
    expect(await keeperProcess.stop("SIGTERM")).to.equal(0);
    const keeper = new Wallet(devKey(LIQUIDATION_KEEPER)).address;
    const events = await liquidatedEvents();
    const db = new DatabaseSync(join(ctx.workDir, "liquidation.sqlite"), { readOnly: true });
    const rows = db
      .prepare("SELECT id, kind, account, status, tx_hash FROM keeper_txs WHERE tx_hash IS NOT NULL")
      .all() as {
      id: number;
      kind: string;
      status: string;
      tx_hash: string;
    }[];
    const liquidatedInBatch = db.prepare(
      "SELECT COUNT(*) AS n FROM keeper_tx_members WHERE tx_id = ? AND outcome = 'liquidated'",
    );
    // One Liquidated event per confirmed `liquidate`, and one per liquidated entry of a `liquidateBatch`.
    const expected = rows
      .filter((r) => r.status === "confirmed")
      .flatMap((r) =>
        r.kind === "liquidate"
          ? [r.tx_hash]
          : r.kind === "liquidateBatch"
            ? Array<string>(Number((liquidatedInBatch.get(r.id) as { n: number }).n)).fill(r.tx_hash)
            : [],
      );
    db.close();
    expect(events.map((e) => e.transactionHash).sort()).to.deep.equal(expected.sort());
    for (const e of events) expect(e.args.keeper).to.equal(keeper);
    // Every transaction the keeper ever signed and broadcast is one row; none was sent twice.
    expect(await ctx.provider.getTransactionCount(keeper)).to.equal(rows.length);
    for (const owner of [ctx.traders.alice!, ctx.traders.dave!, ctx.traders.frank!]) {
      expect(await engine().isLiquidatable(accountId(owner.address, 0n))).to.equal(false);
    }
  });
}
