/**
 * The oracle keeper CLI: `npm run keeper:oracle -- --rpc-url http://127.0.0.1:8545`.
 * Local mode (`--mode local`, a deployment with mocks): prices from a random walk or a JSON file
 * drive Pyth's MockPyth, the Chainlink feed mocks, locally signed Data Streams reports and this
 * keeper's signed quotes. Production mode (`--mode production`): this keeper publishes signed quotes
 * from `--price-file` and pokes session transitions; Pyth and Data Streams updates come from their
 * networks' services (docs/keepers.md). Both modes poke `OracleAdapter.poke(market)` at every
 * session transition of the SDK calendar. JSON logs, Prometheus metrics, graceful shutdown.
 */
import { SigningKey } from "ethers";
import { dataStreamsSources } from "../../deploy/system.js";
import { loadCalendarFile } from "../../sdk/calendar.js";
import { IOracleAdapter__factory } from "../../typechain-types/index.js";
import { runTickKeeper } from "../common.js";
import { commonConfig, commonOptions, connectKeeper, runIfMain, type CommonConfig } from "../cli.js";
import { ConfigError, loadOptions, usage, type OptionSpec } from "../lib/config.js";
import { JsonLogger } from "../lib/logger.js";
import { MetricsRegistry } from "../lib/metrics.js";
import { WalletSubmitter } from "../lib/submitter.js";
import { OracleKeeper } from "./keeper.js";
import { FilePriceInput, RandomWalkPriceInput, type PriceInput } from "./prices.js";
import {
  LocalDonReports,
  MockFeedAnswers,
  MockPythUpdates,
  SignedQuoteUpdates,
  type UpdateBuilder,
} from "./updates.js";

export const ORACLE_OPTIONS: readonly OptionSpec[] = [
  ...commonOptions("oracle", 9102),
  {
    flag: "mode",
    env: "SUNDIAL_ORACLE_MODE",
    kind: "enum",
    values: ["local", "production"],
    default: "local",
    description: "local: drive the deployment's mocks; production: signed quotes and pokes only",
  },
  {
    flag: "price-input",
    env: "SUNDIAL_ORACLE_PRICE_INPUT",
    kind: "enum",
    values: ["random", "file"],
    default: "random",
    description: "where prices come from: a seeded random walk or --price-file",
  },
  {
    flag: "price-file",
    env: "SUNDIAL_ORACLE_PRICE_FILE",
    kind: "string",
    optional: true,
    description: 'JSON {"AAPL": "231.50", ...}, re-read every tick',
  },
  {
    flag: "random-step-bps",
    env: "SUNDIAL_ORACLE_RANDOM_STEP_BPS",
    kind: "int",
    min: 0,
    max: 1_000,
    default: "5",
    description: "largest random-walk step per tick, basis points",
  },
  {
    flag: "seed",
    env: "SUNDIAL_ORACLE_SEED",
    kind: "int",
    min: 0,
    default: "1",
    description: "random-walk seed",
  },
  {
    flag: "don-key-env",
    env: "SUNDIAL_ORACLE_DON_KEY_ENV",
    kind: "string",
    default: "SUNDIAL_LOCAL_DON_KEY",
    description: "local mode: env var holding the MockVerifierProxy signer's key (default: the keeper's key)",
  },
  {
    flag: "interval-ms",
    env: "SUNDIAL_ORACLE_INTERVAL_MS",
    kind: "int",
    min: 200,
    max: 600_000,
    default: "5000",
    description: "tick interval: one round of updates (and pokes at transitions) per tick",
  },
];

export interface OracleCliConfig extends CommonConfig {
  help: boolean;
  mode: "local" | "production";
  priceInput: "random" | "file";
  priceFile: string | undefined;
  randomStepBps: number;
  seed: number;
  donKeyEnv: string;
  intervalMs: number;
}

/** Parses and validates the CLI configuration. @throws ConfigError */
export function parseOracleConfig(argv: readonly string[], env: NodeJS.ProcessEnv): OracleCliConfig {
  if (argv.includes("--help")) return { help: true } as OracleCliConfig;
  const v = loadOptions(ORACLE_OPTIONS, argv, env);
  const config: OracleCliConfig = {
    ...commonConfig(v),
    help: false,
    mode: v["mode"] as "local" | "production",
    priceInput: v["price-input"] as "random" | "file",
    priceFile: v["price-file"] as string | undefined,
    randomStepBps: v["random-step-bps"] as number,
    seed: v["seed"] as number,
    donKeyEnv: v["don-key-env"] as string,
    intervalMs: v["interval-ms"] as number,
  };
  const problems: string[] = [];
  if (config.priceInput === "file" && config.priceFile === undefined) {
    problems.push("--price-input file needs --price-file");
  }
  if (config.mode === "production" && config.priceInput === "random") {
    problems.push("--mode production publishes real quotes: use --price-input file, not a random walk");
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

async function main(): Promise<void> {
  const config = parseOracleConfig(process.argv.slice(2), process.env);
  if (config.help) {
    process.stdout.write(usage("npm run keeper:oracle --", ORACLE_OPTIONS) + "\n");
    return;
  }
  const logger = new JsonLogger({ level: config.logLevel, fields: { service: "oracle-keeper" } });
  const { provider, wallet, deployment } = await connectKeeper(config);
  const metrics = new MetricsRegistry("sundial_oracle_keeper_");
  const submitter = new WalletSubmitter(wallet, provider, logger.child({ component: "submitter" }));
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
  let builders: UpdateBuilder[] = [quotes];
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
    adapter: deployment.contracts.oracleAdapter,
    from: wallet.address,
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

runIfMain(import.meta.url, "oracle keeper", main);
