/**
 * The liquidation keeper, in-process: the real `LiquidationKeeper` of `keepers/liquidation/` (event
 * indexer, batched health scanner, liquidate until healthy, settle bad debt, ADL when the insurance
 * fund cannot cover) over its ethers chain adapter, an in-memory store and the keeper's own key,
 * ticked once per simulation step. What it did is read back from the engine's events (`Liquidated`,
 * `BadDebtSettled`, `AdlExecuted`): count, notional, penalties, keeper rewards, bad debt and cover.
 */
import type { Log } from "ethers";
import { EthersLiquidationChain } from "../../keepers/liquidation/chain.js";
import { LiquidationKeeper, type TickResult } from "../../keepers/liquidation/keeper.js";
import { LiquidationStore } from "../../keepers/liquidation/store.js";
import { silentLogger } from "../../keepers/lib/logger.js";
import { MetricsRegistry } from "../../keepers/lib/metrics.js";
import { DEFAULT_RETRY } from "../../keepers/lib/submitter.js";
import { type ILiquidationEngine, ILiquidationEngine__factory } from "../../typechain-types/index.js";
import type { World } from "./world.js";

const X18 = 10n ** 18n;

export interface LiquidationRecord {
  account: string;
  symbol: string;
  time: number;
  closedSizeX18: bigint;
  priceX18: bigint;
  penaltyX18: bigint;
  keeperRewardX18: bigint;
  equityBeforeX18: bigint;
}

export interface LiquidationStats {
  count: number;
  accounts: Set<string>;
  notionalX18: bigint;
  penaltiesX18: bigint;
  keeperRewardsX18: bigint;
  badDebtX18: bigint;
  insuranceCoveredX18: bigint;
  /** What the insurance fund paid into the vault: whole token units, each cover rounded up. */
  insurancePaidX18: bigint;
  uncoveredX18: bigint;
  adlSteps: number;
  adlNotionalX18: bigint;
  /** Keeper ticks that found liquidatable accounts but confirmed neither a liquidation nor an ADL step. */
  refused: number;
  /** The keeper's confirmed liquidation transactions (`liquidate` and `liquidateBatch`). */
  transactions: number;
  /** Of those, `liquidateBatch` transactions. */
  batches: number;
  /** Their gas (receipts). */
  gasUsed: bigint;
  records: LiquidationRecord[];
}

export class LiquidationDesk {
  readonly engine: ILiquidationEngine;
  backstop = "";
  private keeper: LiquidationKeeper | undefined;
  private lastBlock = 0;
  /** X18 per collateral token unit (1e12 for USDC). */
  private tokenScale = 0n;
  private readonly symbolOf = new Map<string, string>();
  readonly stats: LiquidationStats = {
    count: 0,
    accounts: new Set(),
    notionalX18: 0n,
    penaltiesX18: 0n,
    keeperRewardsX18: 0n,
    badDebtX18: 0n,
    insuranceCoveredX18: 0n,
    insurancePaidX18: 0n,
    uncoveredX18: 0n,
    adlSteps: 0,
    adlNotionalX18: 0n,
    refused: 0,
    transactions: 0,
    batches: 0,
    gasUsed: 0n,
    records: [],
  };
  private store: LiquidationStore | undefined;

  constructor(
    private readonly world: World,
    marketIds: ReadonlyMap<string, string>,
  ) {
    this.engine = ILiquidationEngine__factory.connect(
      world.record.contracts.liquidationEngine,
      world.connection.ethers.provider,
    );
    for (const [symbol, id] of marketIds) this.symbolOf.set(id, symbol);
  }

  /** Connects the keeper; it indexes accounts from `fromBlock` (the deployment). */
  async init(fromBlock: number): Promise<void> {
    const { provider } = this.world.connection.ethers;
    const engineAddress = this.world.record.contracts.liquidationEngine;
    const chain = await EthersLiquidationChain.connect(
      provider,
      this.world.record.contracts.clearinghouse,
      engineAddress,
    );
    this.backstop = chain.backstop;
    this.tokenScale = await this.world.contracts.vault.tokenScale();
    const store = new LiquidationStore(":memory:");
    this.store = store;
    store.bindDeployment(
      `${this.world.record.chainId}:${this.world.record.contracts.clearinghouse.toLowerCase()}`,
    );
    this.keeper = new LiquidationKeeper(
      chain,
      this.world.submitter(this.world.actors.liquidator),
      store,
      {
        // Automine: every block is final at once.
        indexer: { startBlock: fromBlock, confirmations: 0, maxRange: 10_000, reorgRewindBlocks: 0 },
        scan: { batchSize: 100, concurrency: 1, retry: DEFAULT_RETRY },
        maxRoundsPerAccount: 8,
        liquidationsPerTx: 20,
        retry: DEFAULT_RETRY,
      },
      silentLogger,
      new MetricsRegistry("demo_liquidation_"),
    );
    this.lastBlock = fromBlock - 1;
  }

  /** The backstop account (it holds positions after liquidations; the invariant checks include it). */
  extraAccounts(): string[] {
    return this.backstop === "" ? [] : [this.backstop];
  }

  /** One keeper tick, then its events. */
  async tick(): Promise<TickResult> {
    if (this.keeper === undefined) throw new Error("LiquidationDesk.init was not called");
    const result = await this.keeper.tick();
    this.stats.refused += result.liquidatable > 0 && result.liquidations === 0 && result.adl === 0 ? 1 : 0;
    const sent = this.store!.allTxs().filter(
      (t) => t.status === "confirmed" && (t.kind === "liquidate" || t.kind === "liquidateBatch"),
    );
    this.stats.transactions = sent.length;
    this.stats.batches = sent.filter((t) => t.kind === "liquidateBatch").length;
    this.stats.gasUsed = sent.reduce((sum, t) => sum + (t.gasUsed ?? 0n), 0n);
    await this.readEvents();
    return result;
  }

  private async readEvents(): Promise<void> {
    const { provider } = this.world.connection.ethers;
    const head = await provider.getBlockNumber();
    if (head <= this.lastBlock) return;
    const logs: Log[] = await provider.getLogs({
      address: await this.engine.getAddress(),
      fromBlock: this.lastBlock + 1,
      toBlock: head,
    });
    this.lastBlock = head;
    for (const log of logs) await this.apply(log);
  }

  private async apply(log: Log): Promise<void> {
    const parsed = this.engine.interface.parseLog(log);
    if (parsed === null) return;
    const a = parsed.args;
    if (parsed.name === "Liquidated") {
      const time = (await this.world.connection.ethers.provider.getBlock(log.blockNumber))?.timestamp ?? 0;
      const closed = a[3] as bigint;
      const price = a[4] as bigint;
      this.stats.count += 1;
      this.stats.accounts.add((a[0] as string).toLowerCase());
      this.stats.notionalX18 += ((closed < 0n ? -closed : closed) * price) / X18;
      this.stats.penaltiesX18 += a[5] as bigint;
      this.stats.keeperRewardsX18 += a[6] as bigint;
      this.stats.records.push({
        account: a[0] as string,
        symbol: this.symbolOf.get(a[1] as string) ?? (a[1] as string),
        time,
        closedSizeX18: closed,
        priceX18: price,
        penaltyX18: a[5] as bigint,
        keeperRewardX18: a[6] as bigint,
        equityBeforeX18: a[7] as bigint,
      });
    } else if (parsed.name === "BadDebtSettled") {
      this.stats.badDebtX18 += a[1] as bigint;
      this.stats.insuranceCoveredX18 += a[2] as bigint;
      this.stats.uncoveredX18 += a[3] as bigint;
    } else if (parsed.name === "InsuranceCovered") {
      this.stats.insurancePaidX18 += (a[1] as bigint) * this.tokenScale;
    } else if (parsed.name === "AdlExecuted") {
      const size = a[3] as bigint;
      this.stats.adlSteps += 1;
      this.stats.adlNotionalX18 += ((size < 0n ? -size : size) * (a[4] as bigint)) / X18;
    }
  }
}
