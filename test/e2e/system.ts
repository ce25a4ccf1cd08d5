/**
 * The pieces of the end-to-end scenario that do not depend on the node: deploying the whole system
 * through `deploy/system.ts` (the Ignition modules `scripts/deploy-local.ts` uses) against a node's
 * URL, funding traders, signing orders for the matcher (the scenario submits them with the SDK's
 * `MatcherClient`), steering the oracle keeper's prices through its price file, and chain-time
 * control.
 */
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { JsonRpcProvider, Wallet, parseUnits, type Signer } from "ethers";
import { network } from "hardhat";
import { loadDeploymentConfig, parametersFile } from "../../deploy/config.js";
import {
  deployLocalMocks,
  deploySystem,
  writeDeploymentRecord,
  type DeploymentRecord,
} from "../../deploy/system.js";
import { MarketCalendar, loadCalendarFile } from "../../sdk/calendar.js";
import { accountId, orderDomain, signOrder, type Order } from "../../sdk/orders.js";
import {
  CollateralVault__factory,
  IOracleAdapter__factory,
  MockUSDC__factory,
} from "../../typechain-types/index.js";
import { ROOT, devKey, rpc } from "./processes.js";

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

export interface DeployedSystem {
  record: DeploymentRecord;
  recordFile: string;
  /** Ignition journal folders to delete afterwards. */
  journals: string[];
}

/**
 * Deploys the local mocks and the system with Ignition from `deploy/parameters/local.json` against
 * `url`, exactly like `npm run deploy:local` (account 4 signs Data Streams reports and publishes
 * quotes), and writes the deployment record the keepers read.
 */
export async function deployOverRpc(url: string, workDir: string, tag: string): Promise<DeployedSystem> {
  const connection = await network.create({ network: "localhost", override: { url } });
  const config = loadDeploymentConfig(parametersFile("local"));
  const signers = await connection.ethers.getSigners();
  const donSigner = signers[4]!.address;
  const deploymentId = `e2e-${tag}-${process.pid}-${Date.now()}`;
  const journals = [deploymentId, `${deploymentId}-mocks`].map((id) =>
    join(ROOT, "deploy", "deployments", id),
  );
  const mocks = await deployLocalMocks(connection, config, donSigner, {
    deploymentId: `${deploymentId}-mocks`,
  });
  const record = await deploySystem(connection, config, mocks, { deploymentId });
  const recordFile = join(workDir, "deployment.json");
  writeDeploymentRecord(recordFile, record);
  await connection.close();
  return { record, recordFile, journals };
}

export function removeJournals(journals: readonly string[]): void {
  for (const dir of journals) rmSync(dir, { recursive: true, force: true });
}

/** Writes the oracle keeper's price file (`--price-input file`), USD per share. */
export function writePrices(file: string, prices: Record<string, string>): void {
  writeFileSync(file, JSON.stringify(prices, null, 2) + "\n");
}

/** The deployer (account 0) mints MockUSDC and deposits it into each trader's account 0. */
export async function fundTraders(
  provider: JsonRpcProvider,
  record: DeploymentRecord,
  deposits: ReadonlyArray<{ owner: string; usdc: string }>,
): Promise<void> {
  const deployer = new Wallet(devKey(0), provider);
  const usdc = MockUSDC__factory.connect(record.contracts.collateralToken, deployer);
  const vault = CollateralVault__factory.connect(record.contracts.vault, deployer);
  const total = deposits.reduce((sum, d) => sum + parseUnits(d.usdc, 6), 0n);
  await (await usdc.mint(deployer.address, total)).wait();
  await (await usdc.approve(record.contracts.vault, total)).wait();
  for (const d of deposits) {
    await (await vault.depositFor(accountId(d.owner, 0n), parseUnits(d.usdc, 6))).wait();
  }
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
