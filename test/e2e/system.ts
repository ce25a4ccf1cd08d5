/**
 * The pieces of the end-to-end scenario that do not depend on the node: signing orders for the
 * matcher (the scenario submits them with the SDK's `MatcherClient`), steering the oracle keeper's
 * prices through its price file, and chain-time control. Deploying the system over JSON-RPC and
 * funding traders are in `scripts/lib/system.ts` (shared with the benchmarks).
 */
import { writeFileSync } from "node:fs";
import { JsonRpcProvider, parseUnits, type Signer } from "ethers";
import type { DeploymentRecord } from "../../deploy/system.js";
import { MarketCalendar, loadCalendarFile } from "../../sdk/calendar.js";
import { orderDomain, signOrder, type Order } from "../../sdk/orders.js";
import { IOracleAdapter__factory } from "../../typechain-types/index.js";
import { rpc } from "../../scripts/lib/processes.js";

export const X18 = 10n ** 18n;
export const USDC = 10n ** 6n;

/**
 * Moves the node's clock to 45 minutes after the next regular-session open (SDK calendar), so that
 * the scenario runs in REGULAR hours: Chainlink Data Feeds primary, Pyth secondary, 10× leverage.
 */
export async function moveToRegularSession(url: string, calendar: MarketCalendar): Promise<number> {
  const latest = await rpc<{ timestamp: string }>(url, "eth_getBlockByNumber", ["latest", false]);
  const now = Number(BigInt(latest.timestamp));
  const target = calendar.nextRegularOpen(now) + 45 * 60;
  await rpc(url, "evm_setNextBlockTimestamp", [target]);
  await rpc(url, "evm_mine");
  return target;
}

/** Advances the node's clock by `seconds` and mines a block. */
export async function increaseTime(url: string, seconds: number): Promise<void> {
  await rpc(url, "evm_increaseTime", [seconds]);
  await rpc(url, "evm_mine");
}

/** Writes the oracle keeper's price file (`--price-input file`), USD per share. */
export function writePrices(file: string, prices: Record<string, string>): void {
  writeFileSync(file, JSON.stringify(prices, null, 2) + "\n");
}

let nextNonce = 1n;

/**
 * An order of `trader` (owner = signer, subaccount 0, a fresh nonce) signed with the SDK, ready for
 * `MatcherClient.submitOrder`; `signWith` signs it with another key instead (a bad signature).
 */
export async function signTraderOrder(
  trader: Signer,
  chainId: bigint,
  clearinghouse: string,
  fields: { marketId: string; isBuy: boolean; size: string; price: string; expiry: bigint },
  options: { signWith?: Signer } = {},
): Promise<{ order: Order; signature: string }> {
  const owner = await trader.getAddress();
  const order: Order = {
    owner,
    subaccount: 0n,
    signer: owner,
    marketId: fields.marketId,
    isBuy: fields.isBuy,
    sizeX18: parseUnits(fields.size, 18),
    limitPriceX18: parseUnits(fields.price, 18),
    expiry: fields.expiry,
    nonce: nextNonce++,
    epoch: 0n,
    flags: 0,
  };
  const signature = await signOrder(options.signWith ?? trader, orderDomain(chainId, clearinghouse), order);
  return { order, signature };
}

/** The oracle adapter's index price of `marketId` (USD X18). */
export async function indexPrice(
  provider: JsonRpcProvider,
  record: DeploymentRecord,
  marketId: string,
): Promise<{ state: bigint; indexPriceX18: bigint }> {
  const adapter = IOracleAdapter__factory.connect(record.contracts.oracleAdapter, provider);
  const s = await adapter.priceState(marketId);
  return { state: s.state, indexPriceX18: s.indexPriceX18 };
}

export { loadCalendarFile };
