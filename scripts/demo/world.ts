/**
 * The demo's world on Hardhat's in-process chain: the whole system deployed with the Ignition
 * modules from `deploy/parameters/local.json` (mocks for Pyth, Chainlink and Data Streams), the
 * off-chain actors with their own keys (the matcher, the oracle keeper, the funding keeper, the
 * liquidator, governance), and the real keeper and matcher objects wired to them in-process.
 */
import { SigningKey, Wallet, keccak256, toUtf8Bytes } from "ethers";
import type { Signer } from "ethers";
import { loadDeploymentConfig, parametersFile } from "../../deploy/config.js";
import {
  dataStreamsSources,
  deployLocalMocks,
  deploySystem,
  type DeploymentRecord,
} from "../../deploy/system.js";
import type { HardhatConnection } from "../../deploy/system.js";
import { FundingKeeper } from "../../keepers/funding/keeper.js";
import { EthersFundingChain } from "../../keepers/funding/chain.js";
import { silentLogger } from "../../keepers/lib/logger.js";
import { MetricsRegistry } from "../../keepers/lib/metrics.js";
import { WalletSubmitter } from "../../keepers/lib/submitter.js";
import { EthersMatcherChain } from "../../keepers/matcher/chain.js";
import { MatcherEngine } from "../../keepers/matcher/engine.js";
import { createMatcherMetrics } from "../../keepers/matcher/metrics.js";
import { BatchSettler } from "../../keepers/matcher/settlement.js";
import { MatcherStore } from "../../keepers/matcher/store.js";
import { OracleKeeper } from "../../keepers/oracle/keeper.js";
import { LocalDonReports, MockFeedAnswers, MockPythUpdates } from "../../keepers/oracle/updates.js";
import type { MarketCalendar as SdkCalendar } from "../../sdk/calendar.js";
import {
  Clearinghouse__factory,
  CollateralVault__factory,
  InsuranceFund__factory,
  MarketRegistry__factory,
  MockUSDC__factory,
  OracleAdapter__factory,
  OracleCorporateActions__factory,
  TimelockController__factory,
} from "../../typechain-types/index.js";
import type { ScriptedMarket } from "./prices.js";

/** Matches per `settleMatches` call (the matcher's default batch size). */
const BATCH_SIZE = 50;
/** An order must stay valid this long after it is accepted (the matcher's settlement window). */
const EXPIRY_MARGIN_SEC = 5n;
/** Seconds between two `fund()` calls while the session does not change. */
const FUNDING_INTERVAL_SEC = 3_600;
const GAS_MONEY = 10n ** 21n;

/** A deterministic key for an actor of the demo (never used outside the in-process chain). */
export function demoWallet(name: string, connection: HardhatConnection): Wallet {
  return new Wallet(keccak256(toUtf8Bytes(`sundial-demo/${name}`)), connection.ethers.provider);
}

export type World = Awaited<ReturnType<typeof buildWorld>>;

/**
 * Deploys the system (the chain's clock must already be at the deployment time) and wires the
 * matcher and keepers; `now` is the simulation clock the keepers and the matcher read.
 */
export async function buildWorld(
  connection: HardhatConnection,
  market: ScriptedMarket,
  calendar: SdkCalendar,
  now: () => number,
) {
  const { ethers, networkHelpers } = connection;
  const actors = {
    matcher: demoWallet("matcher", connection),
    oracleKeeper: demoWallet("oracle-keeper", connection),
    fundingKeeper: demoWallet("funding-keeper", connection),
    liquidator: demoWallet("liquidator", connection),
  };
  for (const wallet of Object.values(actors)) await networkHelpers.setBalance(wallet.address, GAS_MONEY);

  const config = loadDeploymentConfig(parametersFile("local"));
  // The matcher and the oracle keeper run with their own keys: the keeper is the local DON signer
  // and one of the three signed-quote publishers (as in `deploy:local` with SUNDIAL_DON_SIGNER).
  config.roles.matcher = actors.matcher.address;
  config.oracle.quotePublishers = [actors.oracleKeeper.address, "ACCOUNT:5", "ACCOUNT:8"];
  const mocks = await deployLocalMocks(connection, config, actors.oracleKeeper.address);
  const record = await deploySystem(connection, config, mocks);
  const signers = await ethers.getSigners();
  const deployer = signers[0];
  const governance = signers[1];
  if (deployer === undefined || governance === undefined) throw new Error("too few accounts");

  const c = record.contracts;
  const contracts = {
    clearinghouse: Clearinghouse__factory.connect(c.clearinghouse, ethers.provider),
    vault: CollateralVault__factory.connect(c.vault, ethers.provider),
    insuranceFund: InsuranceFund__factory.connect(c.insuranceFund, ethers.provider),
    registry: MarketRegistry__factory.connect(c.marketRegistry, ethers.provider),
    oracle: OracleAdapter__factory.connect(c.oracleAdapter, ethers.provider),
    corporateActions: OracleCorporateActions__factory.connect(c.corporateActions, ethers.provider),
    timelock: TimelockController__factory.connect(c.timelock, governance),
    usdc: MockUSDC__factory.connect(c.collateralToken, deployer),
  };

  const submitter = (wallet: Wallet) =>
    new WalletSubmitter(wallet, ethers.provider, silentLogger, { receiptPollMs: 5 });
  const oracleKeeper = new OracleKeeper(
    record.markets,
    c.oracleAdapter,
    market,
    [
      new MockFeedAnswers(),
      new MockPythUpdates(record.mocks!.pyth, ethers.provider),
      new LocalDonReports(dataStreamsSources(c), new SigningKey(actors.oracleKeeper.privateKey)),
    ],
    submitter(actors.oracleKeeper),
    calendar,
    async () => now(),
    silentLogger,
    new MetricsRegistry("demo_oracle_"),
  );
  const fundingKeeper = new FundingKeeper(
    new EthersFundingChain(
      c.clearinghouse,
      c.marketRegistry,
      ethers.provider,
      submitter(actors.fundingKeeper),
    ),
    calendar,
    now,
    { intervalSec: FUNDING_INTERVAL_SEC },
    silentLogger,
    new MetricsRegistry("demo_funding_"),
  );

  const matcherChain = await EthersMatcherChain.connect(ethers.provider, c.clearinghouse, {
    // Epochs change at the split: a market read is reused only within one step's burst of orders.
    marketCacheMs: 250,
  });
  const store = new MatcherStore(":memory:");
  const matcherMetrics = createMatcherMetrics();
  const engine = new MatcherEngine(store, matcherChain, silentLogger, matcherMetrics, {
    expiryMarginSec: EXPIRY_MARGIN_SEC,
    now: () => BigInt(now()),
  });
  engine.load();
  const settler = new BatchSettler(
    store,
    engine,
    matcherChain,
    submitter(actors.matcher),
    silentLogger,
    matcherMetrics,
    { batchSize: BATCH_SIZE },
  );

  return {
    connection,
    record,
    contracts,
    actors,
    deployer: deployer as Signer,
    governance: governance as Signer,
    oracleKeeper,
    fundingKeeper,
    matcher: { engine, settler, store, metrics: matcherMetrics },
    submitter,
  };
}

/** The deployment's markets by symbol: `{ AAPL: "0x4141…", … }`. */
export function marketIds(record: DeploymentRecord): Map<string, string> {
  return new Map(record.markets.map((m) => [m.symbol, m.marketId]));
}
