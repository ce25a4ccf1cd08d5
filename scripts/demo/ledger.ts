/**
 * What happened during the run, read from the chain's events (one `eth_getLogs` per step over the
 * clearinghouse, the oracle adapter and its corporate actions): trades, volume and fees per market,
 * skipped matches, funding updates, dividends, circuit breakers, reopen gaps and applied corporate
 * actions. Funding flows are integrated from the funding index and the open interest after each step.
 */
import type { Log, Provider } from "ethers";
import type { Clearinghouse, OracleAdapter, OracleCorporateActions } from "../../typechain-types/index.js";
import { skipReasonName } from "../../keepers/matcher/chain.js";
import type { Trader } from "./traders.js";

const X18 = 10n ** 18n;

export interface MarketStats {
  symbol: string;
  trades: number;
  volumeX18: bigint;
  feesX18: bigint;
  /** Funding paid by longs to shorts (negative: shorts paid longs), excluding dividends. */
  fundingX18: bigint;
  /** Dividends paid by shorts to longs through the funding index. */
  dividendsX18: bigint;
  lastIndexX18: bigint;
  lastAppliedDividendX18: bigint;
  lastLongBaseX18: bigint;
}

export class Ledger {
  readonly markets = new Map<string, MarketStats>();
  readonly skipped = new Map<string, number>();
  readonly rejected = new Map<string, number>();
  readonly events = {
    reopenGaps: [] as { symbol: string; fromX18: bigint; toX18: bigint }[],
    breakers: [] as { symbol: string; level: number; referenceX18: bigint; indexX18: bigint; time: number }[],
    splitsApplied: [] as { symbol: string; epoch: bigint }[],
    dividendsApplied: [] as { symbol: string; dividendX18: bigint }[],
    clearinghouseDividends: [] as { symbol: string; dividendX18: bigint }[],
    fundingUpdates: 0,
  };
  private lastBlock: number;
  private readonly symbolOf = new Map<string, string>();
  private readonly traderOf = new Map<string, Trader>();

  constructor(
    private readonly provider: Provider,
    private readonly clearinghouse: Clearinghouse,
    private readonly oracle: OracleAdapter,
    private readonly corporateActions: OracleCorporateActions,
    marketIds: ReadonlyMap<string, string>,
    traders: readonly Trader[],
    fromBlock: number,
  ) {
    this.lastBlock = fromBlock;
    for (const [symbol, id] of marketIds) {
      this.symbolOf.set(id, symbol);
      this.markets.set(id, {
        symbol,
        trades: 0,
        volumeX18: 0n,
        feesX18: 0n,
        fundingX18: 0n,
        dividendsX18: 0n,
        lastIndexX18: 0n,
        lastAppliedDividendX18: 0n,
        lastLongBaseX18: 0n,
      });
    }
    for (const t of traders) this.traderOf.set(t.account.toLowerCase(), t);
  }

  get trades(): number {
    return [...this.markets.values()].reduce((n, m) => n + m.trades, 0);
  }

  count(map: Map<string, number>, key: string): void {
    map.set(key, (map.get(key) ?? 0) + 1);
  }

  /** Reads the events of every block since the last call. */
  async readEvents(): Promise<void> {
    const head = await this.provider.getBlockNumber();
    if (head <= this.lastBlock) return;
    const addresses = [this.clearinghouse, this.oracle, this.corporateActions];
    const logs: Log[] = await this.provider.getLogs({
      address: await Promise.all(addresses.map((c) => c.getAddress())),
      fromBlock: this.lastBlock + 1,
      toBlock: head,
    });
    this.lastBlock = head;
    for (const log of logs) await this.apply(log);
  }

  private async apply(log: Log): Promise<void> {
    const ch = this.clearinghouse.interface.parseLog(log);
    if (ch?.name === "CircuitBreakerTriggered") {
      const block = await this.provider.getBlock(log.blockNumber);
      this.events.breakers.push({
        symbol: this.symbol(ch.args[0] as string),
        level: Number(ch.args[1]),
        referenceX18: ch.args[2] as bigint,
        indexX18: ch.args[3] as bigint,
        time: block?.timestamp ?? 0,
      });
      return;
    }
    if (ch !== null) return this.applyClearinghouse(ch.name, ch.args);
    const oracle = this.oracle.interface.parseLog(log);
    if (oracle?.name === "ReopenGap") {
      const [marketId, fromX18, toX18] = oracle.args as unknown as [string, bigint, bigint];
      this.events.reopenGaps.push({ symbol: this.symbol(marketId), fromX18, toX18 });
      return;
    }
    const ca = this.corporateActions.interface.parseLog(log);
    if (ca?.name === "SplitApplied") {
      this.events.splitsApplied.push({
        symbol: this.symbol(ca.args[1] as string),
        epoch: ca.args[2] as bigint,
      });
    } else if (ca?.name === "DividendApplied") {
      this.events.dividendsApplied.push({
        symbol: this.symbol(ca.args[1] as string),
        dividendX18: ca.args[2] as bigint,
      });
    }
  }

  private applyClearinghouse(name: string, args: ReadonlyArray<unknown>): void {
    if (name === "MatchSettled") {
      const marketId = args[1] as string;
      const stats = this.markets.get(marketId)!;
      const maker = args[4] as string;
      const taker = args[5] as string;
      const takerIsBuy = args[6] as boolean;
      const sizeX18 = args[7] as bigint;
      const priceX18 = args[8] as bigint;
      stats.trades += 1;
      stats.volumeX18 += (sizeX18 * priceX18) / X18;
      stats.feesX18 += (args[9] as bigint) + (args[10] as bigint);
      const shares = Number(sizeX18) / 1e18;
      this.move(taker, stats.symbol, takerIsBuy ? shares : -shares);
      this.move(maker, stats.symbol, takerIsBuy ? -shares : shares);
    } else if (name === "MatchSkipped") {
      this.count(this.skipped, skipReasonName(Number(args[3])));
    } else if (name === "FundingUpdated") {
      this.events.fundingUpdates += 1;
    } else if (name === "DividendApplied") {
      this.events.clearinghouseDividends.push({
        symbol: this.symbol(args[0] as string),
        dividendX18: args[1] as bigint,
      });
    }
  }

  private move(account: string, symbol: string, shares: number): void {
    const trader = this.traderOf.get(account.toLowerCase());
    if (trader === undefined) return;
    trader.positions.set(symbol, (trader.positions.get(symbol) ?? 0) + shares);
  }

  symbol(marketId: string): string {
    return this.symbolOf.get(marketId) ?? marketId;
  }

  /**
   * Integrates funding since the last call: the funding index moved by Δ per base share while the
   * long open interest was what the last call saw (positions change only after the accrual of the
   * call that changes them). Dividends entered the same index; they are reported apart.
   */
  async accrueFunding(): Promise<void> {
    for (const [marketId, stats] of this.markets) {
      const [funding, oi] = await Promise.all([
        this.clearinghouse.fundingState(marketId),
        this.clearinghouse.openInterest(marketId),
      ]);
      const dividendDelta = funding.appliedDividendX18 - stats.lastAppliedDividendX18;
      const indexDelta = funding.indexX18 - stats.lastIndexX18;
      // Longs pay the index rise; a dividend lowers the index (longs receive it) by the dividend.
      stats.fundingX18 += (stats.lastLongBaseX18 * (indexDelta + dividendDelta)) / X18;
      stats.dividendsX18 += (stats.lastLongBaseX18 * dividendDelta) / X18;
      stats.lastIndexX18 = funding.indexX18;
      stats.lastAppliedDividendX18 = funding.appliedDividendX18;
      stats.lastLongBaseX18 = oi.splitFactorX18 === 0n ? 0n : (oi[0] * X18) / oi.splitFactorX18;
    }
  }
}
