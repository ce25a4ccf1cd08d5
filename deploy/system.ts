/**
 * Deploys the whole system with Ignition from a network configuration and returns a
 * `DeploymentRecord`: the addresses keepers, the SDK and apps read (`deployments/<network>.json`).
 * Used by `scripts/deploy-local.ts`, `scripts/deploy-network.ts`, the tests and the example.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { network } from "hardhat";
import {
  DATA_STREAM_KINDS,
  resolveDeploymentConfig,
  type DataStreamKind,
  type DeploymentConfig,
  type LocalMockAddresses,
  type SourceKind,
} from "./config.js";
import { buildLocalMocksModule } from "./modules/LocalMocks.js";
import { DATA_STREAMS_SOURCE_KEYS } from "./modules/Oracle.js";
import { buildSundialModule, sundialParameters } from "./modules/Sundial.js";

export type HardhatConnection = Awaited<ReturnType<typeof network.connect>>;

export interface DeployedMarket {
  symbol: string;
  marketId: string;
  pythPriceId?: string;
  /** The market's Data Streams stream id per stream kind (`dataStreamKindOf` maps a session to its kind). */
  dataStreamsFeedIds?: Partial<Record<DataStreamKind, string>>;
  chainlinkFeed?: string;
  /** Source kinds per session name, e.g. `{ "REGULAR": ["chainlinkFeed", "pyth"] }`. */
  sessions: Record<string, SourceKind[]>;
}

/** Everything an off-chain component needs to find the contracts (JSON-serialisable). */
export interface DeploymentRecord {
  network: string;
  chainId: number;
  /** Block number of the last deployment transaction (event scans start here). */
  deployedAtBlock: number;
  contracts: {
    timelock: string;
    calendar: string;
    insuranceFund: string;
    vault: string;
    collateralToken: string;
    sequencerGuard: string | null;
    /** One `ChainlinkDataStreamsSource` per stream kind (`dataStreamsSources` maps kinds to them). */
    dataStreamsRegularHours: string;
    dataStreamsExtendedHours: string;
    dataStreamsOvernightHours: string;
    chainlinkFeedSource: string;
    pythSource: string;
    signedQuoteSource: string;
    oracleAdapter: string;
    corporateActions: string;
    marketRegistry: string;
    clearinghouse: string;
    liquidationEngine: string;
  };
  roles: {
    governance: string;
    guardian: string;
    matcher: string;
    riskManager: string;
    quoteGuardian: string;
  };
  /** External oracle contracts (mocks on a local network). */
  oracles: { pyth: string; dataStreamsVerifierProxy: string; sequencerUptimeFeed: string | null };
  markets: DeployedMarket[];
  /** Present on a local network: the mocks the oracle keeper drives. */
  mocks?: LocalMockAddresses;
}

export interface DeployOptions {
  /** Ignition deployment id (a journal under `deploy/deployments/<id>` on a persistent network). */
  deploymentId?: string;
}

async function addressOf(contract: { getAddress(): Promise<string> }): Promise<string> {
  return contract.getAddress();
}

/** Deploys the local oracle mocks and the collateral. `donSigner` signs Data Streams reports. */
export async function deployLocalMocks(
  connection: HardhatConnection,
  config: DeploymentConfig,
  donSigner: string,
  options: DeployOptions = {},
): Promise<LocalMockAddresses> {
  const mocks = await connection.ignition.deploy(buildLocalMocksModule(config.markets), {
    parameters: { LocalMocks: { donSigner } },
    ...(options.deploymentId === undefined ? {} : { deploymentId: options.deploymentId }),
  });
  const feeds = mocks as unknown as Record<string, { getAddress(): Promise<string> }>;
  const chainlinkFeeds: Record<string, string> = {};
  for (const [i, market] of config.markets.entries()) {
    const feed = feeds[`feed${i}`];
    if (feed === undefined) throw new Error(`mock feed of ${market.symbol} missing`);
    chainlinkFeeds[market.marketId] = await addressOf(feed);
  }
  return {
    collateralToken: await addressOf(mocks.usdc),
    pyth: await addressOf(mocks.pyth),
    dataStreamsVerifierProxy: await addressOf(mocks.verifierProxy),
    sequencerUptimeFeed: await addressOf(mocks.sequencerUptimeFeed),
    chainlinkFeeds,
  };
}

/**
 * Deploys the system described by `config` (after resolving its symbolic addresses with the
 * connection's accounts and, when given, the local `mocks`).
 */
export async function deploySystem(
  connection: HardhatConnection,
  config: DeploymentConfig,
  mocks?: LocalMockAddresses,
  options: DeployOptions = {},
): Promise<DeploymentRecord> {
  const signers = await connection.ethers.getSigners();
  const accounts = signers.map((s) => s.address);
  const deployer = accounts[0];
  if (deployer === undefined) throw new Error("the network has no accounts");
  const resolved = resolveDeploymentConfig(config, { deployer, accounts, ...(mocks ? { mocks } : {}) });
  const deployed = await connection.ignition.deploy(buildSundialModule(resolved), {
    parameters: sundialParameters(resolved),
    ...(options.deploymentId === undefined ? {} : { deploymentId: options.deploymentId }),
  });
  const timelock = await addressOf(deployed.timelock);
  const orTimelock = (ref: string): string => (ref === "TIMELOCK" ? timelock : ref);
  const guard = "sequencerGuard" in deployed ? deployed.sequencerGuard : undefined;
  const sequencerGuard = guard === undefined ? null : await addressOf(guard);
  const { chainId } = await connection.ethers.provider.getNetwork();
  return {
    network: resolved.network,
    chainId: Number(chainId),
    deployedAtBlock: await connection.ethers.provider.getBlockNumber(),
    contracts: {
      timelock,
      calendar: await addressOf(deployed.calendar),
      insuranceFund: await addressOf(deployed.insuranceFund),
      vault: await addressOf(deployed.vault),
      collateralToken: resolved.collateralToken,
      sequencerGuard,
      dataStreamsRegularHours: await addressOf(deployed.dataStreamsRegularHours),
      dataStreamsExtendedHours: await addressOf(deployed.dataStreamsExtendedHours),
      dataStreamsOvernightHours: await addressOf(deployed.dataStreamsOvernightHours),
      chainlinkFeedSource: await addressOf(deployed.chainlinkFeedSource),
      pythSource: await addressOf(deployed.pythSource),
      signedQuoteSource: await addressOf(deployed.signedQuoteSource),
      oracleAdapter: await addressOf(deployed.oracleAdapter),
      corporateActions: await addressOf(deployed.corporateActions),
      marketRegistry: await addressOf(deployed.marketRegistry),
      clearinghouse: await addressOf(deployed.clearinghouse),
      liquidationEngine: await addressOf(deployed.liquidationEngine),
    },
    roles: {
      governance: resolved.governance.governance,
      guardian: orTimelock(resolved.roles.guardian),
      matcher: orTimelock(resolved.roles.matcher),
      riskManager: orTimelock(resolved.roles.riskManager),
      quoteGuardian: orTimelock(resolved.roles.quoteGuardian),
    },
    oracles: {
      pyth: resolved.oracle.pyth,
      dataStreamsVerifierProxy: resolved.oracle.dataStreamsVerifierProxy,
      sequencerUptimeFeed: resolved.oracle.sequencerUptimeFeed,
    },
    markets: resolved.markets.map((m) => ({
      symbol: m.symbol,
      marketId: m.marketId,
      ...(m.pyth ? { pythPriceId: m.pyth.priceId } : {}),
      ...(m.dataStreams ? { dataStreamsFeedIds: { ...m.dataStreams } } : {}),
      ...(m.chainlinkFeed ? { chainlinkFeed: m.chainlinkFeed } : {}),
      sessions: Object.fromEntries(
        [...m.sessions].map(([session, s]) => [
          sessionName(session),
          s.secondary ? [s.primary, s.secondary] : [s.primary],
        ]),
      ),
    })),
    ...(mocks ? { mocks } : {}),
  };
}

/** The Data Streams source of each stream kind in a deployment record. */
export function dataStreamsSources(
  contracts: DeploymentRecord["contracts"],
): Readonly<Record<DataStreamKind, string>> {
  return Object.fromEntries(
    DATA_STREAM_KINDS.map((kind) => [kind, contracts[DATA_STREAMS_SOURCE_KEYS[kind]]]),
  ) as Record<DataStreamKind, string>;
}

function sessionName(session: number): string {
  return ["CLOSED", "PRE_MARKET", "REGULAR", "POST_MARKET", "OVERNIGHT"][session] ?? String(session);
}

/** Writes a deployment record as pretty JSON (creating the folder). */
export function writeDeploymentRecord(file: string, record: DeploymentRecord): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(record, null, 2) + "\n");
}

/** Reads a deployment record written by `writeDeploymentRecord`. */
export function readDeploymentRecord(file: string): DeploymentRecord {
  const record = JSON.parse(readFileSync(file, "utf8")) as DeploymentRecord;
  if (typeof record.contracts?.clearinghouse !== "string" || !Array.isArray(record.markets)) {
    throw new Error(`${file} is not a Sundial deployment record`);
  }
  return record;
}
