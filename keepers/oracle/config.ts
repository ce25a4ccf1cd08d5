/** The oracle keeper's command-line options (docs/keepers.md); `main.ts` is the CLI. */
import {
  ORACLE_KEEPER,
  commonConfig,
  commonOptions,
  optionsFor,
  type CommonConfig,
  type Runner,
} from "../cli.js";
import { ConfigError, loadOptions, type OptionSpec } from "../lib/config.js";
import {
  DATA_STREAMS_DEFAULT_URL,
  loadDataStreamsCredentials,
  type DataStreamsCredentials,
} from "./datastreams.js";
import { HERMES_DEFAULT_URL } from "./hermes.js";

export const ORACLE_OPTIONS: readonly OptionSpec[] = [
  ...commonOptions(ORACLE_KEEPER, 9102),
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
export function parseOracleConfig(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  runner: Runner = "direct",
): OracleCliConfig {
  if (argv.includes("--help")) return { help: true } as OracleCliConfig;
  const v = loadOptions(optionsFor(ORACLE_OPTIONS, runner), argv, env);
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
