/**
 * `LiquidationChain` over the deployed Clearinghouse and LiquidationEngine (TypeChain bindings):
 *
 * - accounts come from `MatchSettled` (maker and taker) on the clearinghouse and `Liquidated`,
 *   `BackstopAbsorbed` and `AdlExecuted` on the engine — every event that gives an account a
 *   position or changes one;
 * - health comes from `LiquidationEngine.accountsHealth(accounts)`: one `eth_call` per batch, every
 *   market read once per batch; the backstop account is never a liquidation target
 *   (`Liquidation_BackstopAccount`: it is unwound through the matcher);
 * - a liquidation targets the account's largest position (by cost basis) with the size the engine's
 *   `liquidationSizeX18` allows now (half or all of it), so the engine runs the move once; had the
 *   account changed by execution, the engine resizes to the allowed size itself;
 * - several liquidations go in one `liquidateBatch(requests)`; its receipt tells each entry's outcome
 *   (the engine emits `LiquidationSkipped(index, account, market, reason)` for an entry it skipped,
 *   and `Liquidated` for the others);
 * - ADL ranks every known account with `adlRanking` and proposes the best-scored opposite position,
 *   passing the complete opposite side in increasing id order, as the engine requires.
 */
import { type Provider, type TransactionReceipt } from "ethers";
import { IClearinghouse__factory, ILiquidationEngine__factory } from "../../typechain-types/index.js";
import type { TxRequest } from "../lib/submitter.js";
import type { AccountSighting } from "./indexer.js";
import type {
  AdlPlan,
  BatchEntryOutcome,
  LiquidationChain,
  LiquidationEntry,
  LiquidationTarget,
} from "./keeper.js";
import { chunk, type AccountRisk } from "./scanner.js";

/** `type(int256).min`: the ADL score of an ineligible account. */
const NOT_ELIGIBLE = -(2n ** 255n);

/** How many accounts one `adlRanking` call reads. */
const RANKING_BATCH = 200;

export class EthersLiquidationChain implements LiquidationChain {
  private readonly clearinghouse;
  private readonly engine;
  private readonly insuranceInsufficient: string;

  private constructor(
    private readonly provider: Provider,
    private readonly clearinghouseAddress: string,
    private readonly engineAddress: string,
    /** The backstop account id (lower-case hex), never a liquidation target. */
    readonly backstop: string,
  ) {
    this.clearinghouse = IClearinghouse__factory.connect(clearinghouseAddress, provider);
    this.engine = ILiquidationEngine__factory.connect(engineAddress, provider);
    this.insuranceInsufficient = this.engine.interface.getError(
      "Liquidation_InsuranceInsufficient",
    )!.selector;
  }

  static async connect(
    provider: Provider,
    clearinghouse: string,
    engine: string,
  ): Promise<EthersLiquidationChain> {
    const backstop = await ILiquidationEngine__factory.connect(engine, provider).backstopAccount();
    return new EthersLiquidationChain(provider, clearinghouse, engine, backstop.toLowerCase());
  }

  blockNumber(): Promise<number> {
    return this.provider.getBlockNumber();
  }

  async blockHash(n: number): Promise<string | null> {
    return (await this.provider.getBlock(n))?.hash ?? null;
  }

  async accountsIn(from: number, to: number): Promise<AccountSighting[]> {
    const ch = this.clearinghouse.interface;
    const engine = this.engine.interface;
    const topics = [
      ch.getEvent("MatchSettled").topicHash,
      engine.getEvent("Liquidated").topicHash,
      engine.getEvent("BackstopAbsorbed").topicHash,
      engine.getEvent("AdlExecuted").topicHash,
    ];
    const logs = await this.provider.getLogs({
      address: [this.clearinghouseAddress, this.engineAddress],
      fromBlock: from,
      toBlock: to,
      topics: [topics],
    });
    const out: AccountSighting[] = [];
    for (const log of logs) {
      const isClearinghouse = log.address.toLowerCase() === this.clearinghouseAddress.toLowerCase();
      const parsed = (isClearinghouse ? ch : engine).parseLog(log);
      if (parsed === null) continue;
      const args = parsed.args as unknown as Record<string, string>;
      const accounts =
        parsed.name === "MatchSettled"
          ? [args.maker!, args.taker!]
          : parsed.name === "Liquidated"
            ? [args.account!]
            : parsed.name === "BackstopAbsorbed"
              ? [args.backstop!]
              : [args.account!, args.target!];
      for (const account of accounts) out.push({ account: account.toLowerCase(), block: log.blockNumber });
    }
    return out;
  }

  async risks(accounts: readonly string[]): Promise<AccountRisk[]> {
    if (accounts.length === 0) return [];
    const [healths, liquidatable] = await this.engine.accountsHealth([...accounts]);
    return accounts.map((account, i) => {
      const health = healths[i]!;
      return {
        account,
        liquidatable: liquidatable[i] === true && account.toLowerCase() !== this.backstop,
        badDebt: health.notionalX18 === 0n && health.equityX18 < 0n,
      };
    });
  }

  async nextLiquidation(account: string): Promise<LiquidationTarget | null> {
    const markets = await this.clearinghouse.accountMarkets(account);
    let best: { marketId: string; weight: bigint } | null = null;
    for (const marketId of markets) {
      const p = await this.clearinghouse.position(account, marketId);
      if (p.sizeX18 === 0n) continue;
      const weight = p.openNotionalX18 < 0n ? -p.openNotionalX18 : p.openNotionalX18;
      if (best === null || weight > best.weight) best = { marketId, weight };
    }
    if (best === null) return null;
    // The exact size the engine allows now: passing it spares the engine a second run of the move.
    // If the account changed by the time the transaction runs, the engine resizes (it still succeeds).
    const sizeX18 = await this.engine.liquidationSizeX18(account, best.marketId);
    return sizeX18 === 0n ? null : { marketId: best.marketId, sizeX18 };
  }

  needsAdl(revertData: string | undefined): boolean {
    return (
      revertData !== undefined &&
      revertData.toLowerCase().startsWith(this.insuranceInsufficient.toLowerCase())
    );
  }

  async adlPlan(account: string, marketId: string, accounts: readonly string[]): Promise<AdlPlan | null> {
    const own = await this.clearinghouse.position(account, marketId);
    if (own.sizeX18 === 0n) return null;
    const candidates: { account: string; sizeX18: bigint; scoreX18: bigint }[] = [];
    for (const batch of chunk(accounts, RANKING_BATCH)) {
      const ranking = await this.engine.adlRanking(marketId, batch);
      for (const c of ranking)
        candidates.push({ account: c.account, sizeX18: c.sizeX18, scoreX18: c.scoreX18 });
    }
    const opposite = candidates
      .filter((c) => (own.sizeX18 > 0n ? c.sizeX18 < 0n : c.sizeX18 > 0n))
      .sort((a, b) => (BigInt(a.account) < BigInt(b.account) ? -1 : 1));
    let target: { account: string; scoreX18: bigint } | null = null;
    for (const c of opposite) {
      if (c.scoreX18 === NOT_ELIGIBLE) continue;
      if (target === null || c.scoreX18 > target.scoreX18) target = c;
    }
    if (target === null) return null;
    return { marketId, target: target.account, oppositeSide: opposite.map((c) => c.account) };
  }

  liquidateRequest(account: string, target: LiquidationTarget): TxRequest {
    return {
      to: this.engineAddress,
      data: this.engine.interface.encodeFunctionData("liquidate", [account, target.marketId, target.sizeX18]),
    };
  }

  liquidateBatchRequest(entries: readonly LiquidationEntry[]): TxRequest {
    const requests = entries.map((e) => ({
      account: e.account,
      marketId: e.target.marketId,
      sizeX18: e.target.sizeX18,
    }));
    return {
      to: this.engineAddress,
      data: this.engine.interface.encodeFunctionData("liquidateBatch", [requests]),
    };
  }

  /**
   * Reads the engine's `LiquidationSkipped` logs of a `liquidateBatch` receipt: those entries were
   * skipped (with the revert data `liquidate` would give), every other entry was liquidated.
   * @throws Error when a log names an index outside the batch (not this batch's receipt).
   */
  batchOutcomes(receipt: TransactionReceipt, count: number): BatchEntryOutcome[] {
    const outcomes: BatchEntryOutcome[] = Array.from({ length: count }, (_, index) => ({
      index,
      outcome: "liquidated",
      reason: null,
    }));
    const skipped = this.engine.interface.getEvent("LiquidationSkipped").topicHash;
    for (const log of receipt.logs) {
      if (log.address.toLowerCase() !== this.engineAddress.toLowerCase() || log.topics[0] !== skipped)
        continue;
      const args = this.engine.interface.parseLog(log)!.args;
      const index = Number(args.index);
      if (index >= count) throw new Error(`LiquidationSkipped index ${index} outside a batch of ${count}`);
      outcomes[index] = { index, outcome: "skipped", reason: String(args.reason) };
    }
    return outcomes;
  }

  adlRequest(account: string, plan: AdlPlan): TxRequest {
    return {
      to: this.engineAddress,
      data: this.engine.interface.encodeFunctionData("adl", [
        account,
        plan.marketId,
        plan.target,
        plan.oppositeSide,
      ]),
    };
  }

  settleBadDebtRequest(account: string): TxRequest {
    return {
      to: this.engineAddress,
      data: this.engine.interface.encodeFunctionData("settleBadDebt", [account]),
    };
  }
}
