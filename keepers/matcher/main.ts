/**
 * The matcher CLI: `npm run matcher -- --rpc-url http://127.0.0.1:8545 --clearinghouse 0x… --key-env MATCHER_KEY`.
 * Every flag has an environment variable (see `--help` or docs/matcher.md). The private key is read
 * from the environment variable named by `--key-env`, or, with `--key-source hardhat` when run by
 * `hardhat run`, from the first account of the Hardhat network (configuration variables resolve from
 * Hardhat's encrypted keystore). A key is never a flag, never in code, never in a file we write.
 */
import { JsonRpcProvider, Wallet } from "ethers";
import { hardhatKey } from "../cli.js";
import { ConfigError, loadOptions, loadWallet, usage, type OptionSpec } from "../lib/config.js";
import { JsonLogger, LOG_LEVELS, type LogLevel } from "../lib/logger.js";
import { ShutdownCoordinator } from "../lib/shutdown.js";
import { WalletSubmitter } from "../lib/submitter.js";
import { EthersMatcherChain } from "./chain.js";
import { MatcherService, type MatcherServiceConfig } from "./service.js";

export const MATCHER_OPTIONS: readonly OptionSpec[] = [
  { flag: "rpc-url", env: "SUNDIAL_RPC_URL", kind: "url", description: "JSON-RPC endpoint of the chain" },
  {
    flag: "clearinghouse",
    env: "SUNDIAL_CLEARINGHOUSE",
    kind: "address",
    description: "Clearinghouse address",
  },
  {
    flag: "key-source",
    env: "SUNDIAL_KEY_SOURCE",
    kind: "enum",
    values: ["env", "hardhat"],
    default: "env",
    description:
      "where the MATCHER_ROLE key comes from: an env var (--key-env) or Hardhat's network accounts",
  },
  {
    flag: "key-env",
    env: "SUNDIAL_KEY_ENV",
    kind: "string",
    default: "SUNDIAL_MATCHER_KEY",
    description: "name of the environment variable holding the matcher's private key",
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
  {
    flag: "log-level",
    env: "SUNDIAL_LOG_LEVEL",
    kind: "enum",
    values: LOG_LEVELS,
    default: "info",
    description: "minimum log level",
  },
  { flag: "help", kind: "bool", default: "false", description: "print this help" },
];

export interface MatcherCliConfig {
  rpcUrl: string;
  clearinghouse: string;
  keySource: "env" | "hardhat";
  keyEnv: string;
  logLevel: LogLevel;
  help: boolean;
  service: MatcherServiceConfig;
}

/** Parses and validates the CLI configuration. @throws ConfigError */
export function parseMatcherConfig(argv: readonly string[], env: NodeJS.ProcessEnv): MatcherCliConfig {
  if (argv.includes("--help")) {
    return { help: true } as MatcherCliConfig;
  }
  const v = loadOptions(MATCHER_OPTIONS, argv, env);
  return {
    rpcUrl: v["rpc-url"] as string,
    clearinghouse: v["clearinghouse"] as string,
    keySource: v["key-source"] as "env" | "hardhat",
    keyEnv: v["key-env"] as string,
    logLevel: v["log-level"] as LogLevel,
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

async function main(): Promise<void> {
  let config: MatcherCliConfig;
  try {
    config = parseMatcherConfig(process.argv.slice(2), process.env);
  } catch (err) {
    process.stderr.write((err instanceof Error ? err.message : String(err)) + "\n");
    process.exit(2);
  }
  if (config.help) {
    process.stdout.write(usage("npm run matcher --", MATCHER_OPTIONS) + "\n");
    return;
  }
  const logger = new JsonLogger({ level: config.logLevel, fields: { service: "matcher" } });
  const provider = new JsonRpcProvider(config.rpcUrl);
  const wallet =
    config.keySource === "hardhat"
      ? new Wallet(await hardhatKey(), provider)
      : loadWallet(config.keyEnv, process.env, provider);
  const chain = await EthersMatcherChain.connect(provider, config.clearinghouse);
  const submitter = new WalletSubmitter(wallet, provider, logger.child({ component: "submitter" }));
  const service = new MatcherService(config.service, chain, submitter, logger);
  const shutdown = new ShutdownCoordinator(logger);
  shutdown.register("rpc provider", () => provider.destroy());
  shutdown.register("matcher", () => service.stop());
  shutdown.installSignalHandlers();
  logger.info("matcher starting", {
    chainId: chain.chainId,
    clearinghouse: config.clearinghouse,
    from: wallet.address,
  });
  await service.start();
}

if (process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/\\/g, "/"))) {
  main().catch((err: unknown) => {
    process.stderr.write(JSON.stringify({ level: "error", msg: "matcher crashed", err: String(err) }) + "\n");
    process.exit(1);
  });
}
