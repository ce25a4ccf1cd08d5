/**
 * `LiquidationChain` over the deployed Clearinghouse and LiquidationEngine (TypeChain bindings):
 *
 * - accounts come from `MatchSettled` (maker and taker) on the clearinghouse and `Liquidated`,
 *   `BackstopAbsorbed` and `AdlExecuted` on the engine — every event that gives an account a
 *   position or changes one;
 * - health comes from `LiquidationEngine.accountsHealth(accounts)`: one `eth_call` per batch, every
 *   market read once per batch; the backstop account is never a liquidation target
 *   (`Liquidation_BackstopAccount`: it is unwound through the matcher);
 * - a liquidation targets the account's largest position (by cost basis) with `type(uint256).max`
 *   ("as much as the partial rule allows"); the engine closes half or all of it;
 * - ADL ranks every known account with `adlRanking` and proposes the best-scored opposite position,
 *   passing the complete opposite side in increasing id order, as the engine requires.
 */
import { MaxUint256, type Provider } from "ethers";
import { IClearinghouse__factory, ILiquidationEngine__factory } from "../../typechain-types/index.js";
import type { SimulationError, TxRequest } from "../lib/submitter.js";
import type { AccountSighting } from "./indexer.js";
import type { AdlPlan, LiquidationChain, LiquidationTarget } from "./keeper.js";
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
    return best === null ? null : { marketId: best.marketId, sizeX18: MaxUint256 };
  }

  needsAdl(err: SimulationError): boolean {
    return (
      err.data !== undefined && err.data.toLowerCase().startsWith(this.insuranceInsufficient.toLowerCase())
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
