/** The matcher's command-line options (docs/matcher.md); `main.ts` is the CLI. */
import {
  LOG_OPTIONS,
  MATCHER,
  SUBMITTER_OPTIONS,
  connectionConfig,
  connectionOptions,
  optionsFor,
  type ConnectionConfig,
  type Runner,
} from "../cli.js";
import { ConfigError, loadOptions, type OptionSpec } from "../lib/config.js";
import type { MatcherServiceConfig } from "./service.js";

export const MATCHER_OPTIONS: readonly OptionSpec[] = [
  ...connectionOptions(MATCHER),
  ...SUBMITTER_OPTIONS,
  {
    flag: "clearinghouse",
    env: "SUNDIAL_CLEARINGHOUSE",
    kind: "address",
    optional: true,
    description: "Clearinghouse address (default: the deployment record's)",
  },
  {
    flag: "db",
    env: "SUNDIAL_MATCHER_DB",
    kind: "string",
    default: "matcher.sqlite",
    description: "SQLite file",
  },
  {
    flag: "host",
    env: "SUNDIAL_MATCHER_HOST",
    kind: "string",
    default: "127.0.0.1",
    description: "HTTP bind address",
  },
  {
    flag: "port",
    env: "SUNDIAL_MATCHER_PORT",
    kind: "int",
    min: 0,
    max: 65535,
    default: "8080",
    description: "HTTP port",
  },
  {
    flag: "batch-size",
    env: "SUNDIAL_MATCHER_BATCH_SIZE",
    kind: "int",
    min: 1,
    max: 200,
    default: "40",
    description: "matches per settleMatches transaction",
  },
  {
    flag: "settle-interval-ms",
    env: "SUNDIAL_MATCHER_SETTLE_INTERVAL_MS",
    kind: "int",
    min: 50,
    max: 600_000,
    default: "1000",
    description: "how often a batch is submitted",
  },
  {
    flag: "expiry-margin-sec",
    env: "SUNDIAL_MATCHER_EXPIRY_MARGIN_SEC",
    kind: "int",
    min: 0,
    max: 3600,
    default: "10",
    description: "orders expiring sooner than this are refused / stop matching",
  },
  {
    flag: "cancel-poll-ms",
    env: "SUNDIAL_MATCHER_CANCEL_POLL_MS",
    kind: "int",
    min: 0,
    max: 600_000,
    default: "2000",
    description: "how often on-chain cancellations are read (0 = never)",
  },
  ...LOG_OPTIONS,
];

export interface MatcherCliConfig extends ConnectionConfig {
  /** Overrides the deployment record's clearinghouse. */
  clearinghouse: string | undefined;
  help: boolean;
  service: MatcherServiceConfig;
}

/** Environment variables of earlier versions, refused so that a stale setting is never ignored. */
const RENAMED_ENV: Record<string, string> = {
  SUNDIAL_KEY_ENV: "SUNDIAL_MATCHER_KEY_ENV",
};

/** Parses and validates the CLI configuration. @throws ConfigError */
export function parseMatcherConfig(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  runner: Runner = "direct",
): MatcherCliConfig {
  if (argv.includes("--help")) {
    return { help: true } as MatcherCliConfig;
  }
  const renamed = Object.entries(RENAMED_ENV)
    .filter(([old]) => env[old] !== undefined)
    .map(([old, now]) => `$${old} was renamed $${now}`);
  if (renamed.length > 0) throw new ConfigError(renamed);
  const v = loadOptions(optionsFor(MATCHER_OPTIONS, runner), argv, env);
  return {
    ...connectionConfig(v),
    clearinghouse: v["clearinghouse"] as string | undefined,
    help: false,
    service: {
      dbPath: v["db"] as string,
      host: v["host"] as string,
      port: v["port"] as number,
      batchSize: v["batch-size"] as number,
      settleIntervalMs: v["settle-interval-ms"] as number,
      expiryMarginSec: BigInt(v["expiry-margin-sec"] as number),
      cancelPollMs: v["cancel-poll-ms"] as number,
    },
  };
}
