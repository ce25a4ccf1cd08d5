/**
 * The week's corporate actions go through the path the deployment wires: `CORPORATE_ACTIONS_ROLE`
 * is held by the governance timelock, so governance proposes `scheduleSplit` and `scheduleDividend`
 * as one timelock batch on Saturday and executes it once the 48 h delay has passed.
 */
import { ZeroHash, id } from "ethers";
import type { OracleCorporateActions, TimelockController } from "../../typechain-types/index.js";
import { toX18 } from "./prices.js";
import { DIVIDEND, SPLIT } from "./timeline.js";

export class CorporateActionsProposal {
  private readonly targets: string[];
  private readonly payloads: string[];
  private readonly values: bigint[];
  private readonly salt = id("sundial-demo: NVDA 4:1 split and SPY dividend, December 2026");
  executed = false;
  splitId = 0n;
  dividendId = 0n;

  constructor(
    private readonly timelock: TimelockController,
    private readonly corporateActions: OracleCorporateActions,
    corporateActionsAddress: string,
    private readonly marketIds: ReadonlyMap<string, string>,
  ) {
    const iface = corporateActions.interface;
    this.targets = [corporateActionsAddress, corporateActionsAddress];
    this.values = [0n, 0n];
    this.payloads = [
      iface.encodeFunctionData("scheduleSplit", [
        this.market(SPLIT.symbol),
        SPLIT.effectiveTime,
        SPLIT.numerator,
        SPLIT.denominator,
      ]),
      iface.encodeFunctionData("scheduleDividend", [
        this.market(DIVIDEND.symbol),
        DIVIDEND.exTime,
        toX18(DIVIDEND.amountUsd),
      ]),
    ];
  }

  private market(symbol: string): string {
    const marketId = this.marketIds.get(symbol);
    if (marketId === undefined) throw new Error(`market ${symbol} is not deployed`);
    return marketId;
  }

  /** Governance proposes the batch with the timelock's minimum delay. */
  async propose(): Promise<void> {
    const delay = await this.timelock.getMinDelay();
    await (
      await this.timelock.scheduleBatch(this.targets, this.values, this.payloads, ZeroHash, this.salt, delay)
    ).wait();
  }

  async operationId(): Promise<string> {
    return this.timelock.hashOperationBatch(this.targets, this.values, this.payloads, ZeroHash, this.salt);
  }

  /** Executes the batch if the delay has passed; returns whether it did so now. */
  async executeWhenReady(): Promise<boolean> {
    if (this.executed || !(await this.timelock.isOperationReady(await this.operationId()))) return false;
    const first = await this.corporateActions.nextCorporateActionId();
    await (
      await this.timelock.executeBatch(this.targets, this.values, this.payloads, ZeroHash, this.salt)
    ).wait();
    this.executed = true;
    this.splitId = first;
    this.dividendId = first + 1n;
    return true;
  }
}
