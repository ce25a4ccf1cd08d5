/**
 * The oracle keeper CLI: `npm run keeper:oracle -- --rpc-url http://127.0.0.1:8545`.
 * Local mode (`--mode local`, a deployment with mocks): prices from a random walk or a JSON file
 * drive Pyth's MockPyth, the Chainlink feed mocks, locally signed Data Streams reports and this
 * keeper's signed quotes. Production mode (`--mode production`): Pyth updates fetched from Hermes
 * and Data Streams reports fetched from Chainlink's REST API are pushed on chain (`pull.ts`), and
 * this keeper publishes signed quotes from `--price-file`. Both modes poke
 * `OracleAdapter.poke(market)` at every session transition of the SDK calendar. JSON logs,
 * Prometheus metrics, graceful shutdown (docs/keepers.md).
 */
import { SigningKey, type Provider } from "ethers";
import { dataStreamsSources, type DeploymentRecord } from "../../deploy/system.js";
import { loadCalendarFile } from "../../sdk/calendar.js";
import { IOracleAdapter__factory } from "../../typechain-types/index.js";
import { runTickKeeper } from "../common.js";
import { commonConfig, commonOptions, connectKeeper, runIfMain, type CommonConfig } from "../cli.js";
import { ConfigError, loadOptions, usage, type OptionSpec } from "../lib/config.js";
import { createFetchMetrics, type FetchOptions } from "../lib/http.js";
import { JsonLogger, type Logger } from "../lib/logger.js";
import { MetricsRegistry } from "../lib/metrics.js";
import { WalletSubmitter } from "../lib/submitter.js";
import {
  DATA_STREAMS_DEFAULT_URL,
  DataStreamsRestFetcher,
  loadDataStreamsCredentials,
  type DataStreamsCredentials,
} from "./datastreams.js";
import { HERMES_DEFAULT_URL, HermesFetcher } from "./hermes.js";
import { OracleKeeper } from "./keeper.js";
import { FilePriceInput, RandomWalkPriceInput, type PriceInput } from "./prices.js";
import {
  DataStreamsPullReports,
  EthersDataStreamsChain,
  EthersPythChain,
  PythPullUpdates,
  createPullMetrics,
} from "./pull.js";
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
    description:
      "local: drive the deployment's mocks; production: push Pyth (Hermes) and Data Streams (REST API) updates and signed quotes",
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
  {
    flag: "push-pyth",
    env: "SUNDIAL_ORACLE_PUSH_PYTH",
    kind: "bool",
    default: "true",
    description:
      "production: push Pyth updates fetched from Hermes (--push-pyth=false to leave Pyth to others)",
  },
  {
    flag: "hermes-url",
    env: "SUNDIAL_ORACLE_HERMES_URL",
    kind: "url",
    default: HERMES_DEFAULT_URL,
    description: "production: Hermes base URL (GET <url>/v2/updates/price/latest)",
  },
  {
    flag: "hermes-token-env",
    env: "SUNDIAL_ORACLE_HERMES_TOKEN_ENV",
    kind: "string",
    default: "SUNDIAL_HERMES_API_KEY",
    description:
      "production: NAME of the env var holding a Hermes provider's token (sent as a bearer token; unset: none)",
  },
  {
    flag: "push-data-streams",
    env: "SUNDIAL_ORACLE_PUSH_DATA_STREAMS",
    kind: "bool",
    default: "true",
    description: "production: push Data Streams reports fetched from Chainlink's REST API",
  },
  {
    flag: "data-streams-url",
    env: "SUNDIAL_ORACLE_DATA_STREAMS_URL",
    kind: "url",
    default: DATA_STREAMS_DEFAULT_URL,
    description: "production: Data Streams REST API base URL (GET <url>/api/v1/reports/latest)",
  },
  {
    flag: "data-streams-key-env",
    env: "SUNDIAL_ORACLE_DATA_STREAMS_KEY_ENV",
    kind: "string",
    default: "SUNDIAL_DATA_STREAMS_API_KEY",
    description: "production: NAME of the env var holding the Data Streams API key",
  },
  {
    flag: "data-streams-secret-env",
    env: "SUNDIAL_ORACLE_DATA_STREAMS_SECRET_ENV",
    kind: "string",
    default: "SUNDIAL_DATA_STREAMS_API_SECRET",
    description: "production: NAME of the env var holding the Data Streams API secret (HMAC key)",
  },
  {
    flag: "fetch-timeout-ms",
    env: "SUNDIAL_ORACLE_FETCH_TIMEOUT_MS",
    kind: "int",
    min: 100,
    max: 60_000,
    default: "3000",
    description: "production: timeout of each HTTP attempt to Hermes or the Data Streams API",
  },
  {
    flag: "fetch-attempts",
    env: "SUNDIAL_ORACLE_FETCH_ATTEMPTS",
    kind: "int",
    min: 1,
    max: 10,
    default: "3",
    description: "production: HTTP attempts per fetch (timeouts, connection errors, 5xx and 429 are retried)",
  },
  {
    flag: "fetch-backoff-ms",
    env: "SUNDIAL_ORACLE_FETCH_BACKOFF_MS",
    kind: "int",
    min: 0,
    max: 10_000,
    default: "250",
    description: "production: delay before the first retry, doubled per retry (at most 8x)",
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
  pushPyth: boolean;
  hermesUrl: string;
  /** A Hermes provider's token, from the variable `--hermes-token-env` names (absent: public Hermes). */
  hermesToken: string | undefined;
  pushDataStreams: boolean;
  dataStreamsUrl: string;
  /** From the variables `--data-streams-key-env` / `--data-streams-secret-env` name (production only). */
  dataStreamsCredentials: DataStreamsCredentials | undefined;
  fetchTimeoutMs: number;
  fetchAttempts: number;
  fetchBackoffMs: number;
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
    pushPyth: v["push-pyth"] as boolean,
    hermesUrl: v["hermes-url"] as string,
    hermesToken: nonEmpty(env[v["hermes-token-env"] as string]),
    pushDataStreams: v["push-data-streams"] as boolean,
    dataStreamsUrl: v["data-streams-url"] as string,
    dataStreamsCredentials: undefined,
    fetchTimeoutMs: v["fetch-timeout-ms"] as number,
    fetchAttempts: v["fetch-attempts"] as number,
    fetchBackoffMs: v["fetch-backoff-ms"] as number,
  };
  const problems: string[] = [];
  if (config.mode === "production" && config.pushDataStreams) {
    try {
      config.dataStreamsCredentials = loadDataStreamsCredentials(
        v["data-streams-key-env"] as string,
        v["data-streams-secret-env"] as string,
        env,
      );
    } catch (err) {
      problems.push(...(err as ConfigError).problems, "(or run with --push-data-streams=false)");
    }
  }
  if (config.priceInput === "file" && config.priceFile === undefined) {
    problems.push("--price-input file needs --price-file");
  }
  if (config.mode === "production" && config.priceInput === "random") {
    problems.push("--mode production publishes real quotes: use --price-input file, not a random walk");
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === "" ? undefined : value;
}

/**
 * The production pull builders `config` enables (`--push-pyth`, `--push-data-streams`) over
 * `deployment`'s contracts, sharing one set of fetch options and metrics.
 */
export function pullBuilders(
  config: OracleCliConfig,
  deployment: DeploymentRecord,
  provider: Provider,
  logger: Logger,
  metrics: MetricsRegistry,
): UpdateBuilder[] {
  const fetch: FetchOptions = {
    timeoutMs: config.fetchTimeoutMs,
    retry: {
      attempts: config.fetchAttempts,
      baseDelayMs: config.fetchBackoffMs,
      maxDelayMs: 8 * config.fetchBackoffMs,
    },
    logger: logger.child({ component: "fetch" }),
    metrics: createFetchMetrics(metrics),
  };
  const pullMetrics = createPullMetrics(metrics);
  const builders: UpdateBuilder[] = [];
  if (config.pushPyth) {
    const hermes = new HermesFetcher(
      {
        baseUrl: config.hermesUrl,
        ...(config.hermesToken === undefined ? {} : { token: config.hermesToken }),
      },
      fetch,
    );
    const pyth = deployment.oracles.pyth;
    builders.push(
      new PythPullUpdates(pyth, hermes, new EthersPythChain(pyth, provider), logger, pullMetrics),
    );
  }
  if (config.dataStreamsCredentials !== undefined) {
    const streams = new DataStreamsRestFetcher(
      { baseUrl: config.dataStreamsUrl, credentials: config.dataStreamsCredentials },
      fetch,
    );
    builders.push(
      new DataStreamsPullReports(
        dataStreamsSources(deployment.contracts),
        streams,
        new EthersDataStreamsChain(provider),
        logger,
        pullMetrics,
      ),
    );
  }
  return builders;
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
