/**
 * Deploying the whole system over JSON-RPC for the end-to-end tests and the benchmarks: the local
 * mocks and the system through `deploy/system.ts` (the Ignition modules `scripts/deploy-local.ts`
 * uses) against a node's URL, funding traders, and the chain time of a CLOSED weekend session.
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import { Wallet, parseUnits, type JsonRpcProvider } from "ethers";
import { network } from "hardhat";
import { loadDeploymentConfig, parametersFile } from "../../deploy/config.js";
import {
  deployLocalMocks,
  deploySystem,
  writeDeploymentRecord,
  type DeploymentRecord,
} from "../../deploy/system.js";
import { Session, type MarketCalendar } from "../../sdk/calendar.js";
import { accountId } from "../../sdk/orders.js";
import { CollateralVault__factory, MockUSDC__factory } from "../../typechain-types/index.js";
import { ROOT, devKey } from "./processes.js";

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

/** The first Saturday 15:00 UTC (10:00 New York, CLOSED session) at least a day after `now`. */
export function nextClosedSaturday(now: number, calendar: MarketCalendar): number {
  let t = Math.floor(now / 86_400) * 86_400 + 86_400 + 15 * 3_600;
  while (new Date(t * 1000).getUTCDay() !== 6 || calendar.sessionAt(t) !== Session.CLOSED) t += 86_400;
  return t;
}
