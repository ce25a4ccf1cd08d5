/**
 * The oracle keeper CLI: `npm run keeper:oracle -- --rpc-url http://127.0.0.1:8545`, or with the key
 * from Hardhat's keystore `npx hardhat run --no-compile --network sundialOracle keepers/oracle/main.ts`
 * (options from the environment).
 * Local mode (`--mode local`, a deployment with mocks): prices from a random walk or a JSON file
 * drive Pyth's MockPyth, the Chainlink feed mocks, locally signed Data Streams reports and this
 * keeper's signed quotes. Production mode (`--mode production`): Pyth updates fetched from Hermes
 * and Data Streams reports fetched from Chainlink's REST API are pushed on chain (`pull.ts`), and
 * this keeper publishes signed quotes from `--price-file`. Both modes poke
 * `OracleAdapter.poke(market)` at every session transition of the SDK calendar. JSON logs,
 * Prometheus metrics, graceful shutdown (docs/keepers.md).
 * This module only runs: its options are in `config.ts`, its production builders in `pull.ts`.
 */
import { SigningKey } from "ethers";
import { dataStreamsSources } from "../../deploy/system.js";
import { loadCalendarFile } from "../../sdk/calendar.js";
import { IOracleAdapter__factory } from "../../typechain-types/index.js";
import {
  ORACLE_KEEPER,
  connectKeeper,
  runCli,
  signerFields,
  walletSubmitter,
  type Invocation,
} from "../cli.js";
import { runTickKeeper } from "../common.js";
import { ConfigError, usage } from "../lib/config.js";
import { JsonLogger } from "../lib/logger.js";
import { MetricsRegistry } from "../lib/metrics.js";
import { ORACLE_OPTIONS, parseOracleConfig } from "./config.js";
import { OracleKeeper } from "./keeper.js";
import { FilePriceInput, RandomWalkPriceInput, type PriceInput } from "./prices.js";
import { pullBuilders } from "./pull.js";
import {
  LocalDonReports,
  MockFeedAnswers,
  MockPythUpdates,
  SignedQuoteUpdates,
  type UpdateBuilder,
} from "./updates.js";

async function main({ argv, runner }: Invocation): Promise<void> {
  const config = parseOracleConfig(argv, process.env, runner);
  if (config.help) {
    process.stdout.write(usage("npm run keeper:oracle --", ORACLE_OPTIONS) + "\n");
    return;
  }
  const logger = new JsonLogger({ level: config.logLevel, fields: { service: "oracle-keeper" } });
  const { provider, wallet, signer, deployment } = await connectKeeper(config, ORACLE_KEEPER);
  const metrics = new MetricsRegistry("sundial_oracle_keeper_");
  const submitter = walletSubmitter(wallet, provider, logger, config, metrics);
  const markets = deployment.markets;
  const initial = new Map<string, bigint>();
  const adapter = IOracleAdapter__factory.connect(deployment.contracts.oracleAdapter, provider);
  for (const m of markets) initial.set(m.symbol, (await adapter.priceState(m.marketId)).indexPriceX18);
  const input: PriceInput =
    config.priceInput === "file"
      ? new FilePriceInput(config.priceFile!)
      : new RandomWalkPriceInput(initial, config.randomStepBps, config.seed);
  const quotes = new SignedQuoteUpdates(
    deployment.contracts.signedQuoteSource,
    BigInt(deployment.chainId),
    wallet,
  );
  let builders: UpdateBuilder[];
  if (config.mode === "local") {
    if (deployment.mocks === undefined) throw new ConfigError([`${config.deployment} has no local mocks`]);
    const donKeyHex = process.env[config.donKeyEnv];
    const donKey = donKeyHex ? new SigningKey(donKeyHex) : wallet.signingKey;
    builders = [
      new MockFeedAnswers(),
      new MockPythUpdates(deployment.mocks.pyth, provider),
      new LocalDonReports(dataStreamsSources(deployment.contracts), donKey),
      quotes,
    ];
  } else {
    builders = [...pullBuilders(config, deployment, provider, logger, metrics), quotes];
  }
  const calendar = await loadCalendarFile();
  const chainTime = async (): Promise<number> => (await provider.getBlock("latest"))?.timestamp ?? 0;
  const keeper = new OracleKeeper(
    markets,
    deployment.contracts.oracleAdapter,
    input,
    builders,
    submitter,
    calendar,
    chainTime,
    logger,
    metrics,
  );
  logger.info("oracle keeper starting", {
    chainId: deployment.chainId,
    mode: config.mode,
    sources: builders.map((b) => b.source),
    adapter: deployment.contracts.oracleAdapter,
    ...signerFields(signer),
    markets: markets.map((m) => m.symbol),
  });
  await runTickKeeper({
    tick: () => keeper.tick(),
    intervalMs: config.intervalMs,
    logger,
    metrics,
    metricsHost: config.metricsHost,
    metricsPort: config.metricsPort,
    provider,
    errorHelp: "keeper ticks that threw (RPC errors, bad input)",
  });
}

runCli(import.meta.url, ORACLE_KEEPER.name, main);
