/**
 * The liquidation keeper CLI: `npm run keeper:liquidation -- --rpc-url http://127.0.0.1:8545`.
 * Learns accounts from clearinghouse and liquidation-engine events (checkpointed in SQLite), scans
 * their health in batches, liquidates unhealthy accounts into the backstop until they are healthy,
 * runs ADL when the insurance fund cannot cover, settles bad debt. JSON logs on stdout, Prometheus
 * metrics on `--metrics-port`, graceful shutdown on SIGINT/SIGTERM. See docs/keepers.md.
 */
import { KeeperLoop, closeServer, startMetricsServer } from "../common.js";
import { commonConfig, commonOptions, connectKeeper, runIfMain, type CommonConfig } from "../cli.js";
import { ConfigError, loadOptions, usage, type OptionSpec } from "../lib/config.js";
import { JsonLogger } from "../lib/logger.js";
import { MetricsRegistry } from "../lib/metrics.js";
import { ShutdownCoordinator } from "../lib/shutdown.js";
import { DEFAULT_RETRY, WalletSubmitter } from "../lib/submitter.js";
import { EthersLiquidationChain } from "./chain.js";
import { LiquidationKeeper } from "./keeper.js";
import { LiquidationStore } from "./store.js";

export const LIQUIDATION_OPTIONS: readonly OptionSpec[] = [
  ...commonOptions("liquidation", 9103),
  {
    flag: "liquidation-engine",
    env: "SUNDIAL_LIQUIDATION_ENGINE",
    kind: "address",
    optional: true,
    description: "LiquidationEngine address (default: the deployment record's)",
  },
  {
    flag: "db",
    env: "SUNDIAL_LIQUIDATION_DB",
    kind: "string",
    default: "liquidation-keeper.sqlite",
    description: "SQLite file: checkpoint, known accounts, keeper transactions",
  },
  {
    flag: "start-block",
    env: "SUNDIAL_LIQUIDATION_START_BLOCK",
    kind: "int",
    min: 0,
    optional: true,
    description: "first block to index on an empty database (default: the deployment record's block)",
  },
  {
    flag: "confirmations",
    env: "SUNDIAL_LIQUIDATION_CONFIRMATIONS",
    kind: "int",
    min: 0,
    max: 1_000,
    default: "2",
    description: "blocks younger than this are not indexed yet (reorg safety)",
  },
  {
    flag: "max-block-range",
    env: "SUNDIAL_LIQUIDATION_MAX_BLOCK_RANGE",
    kind: "int",
    min: 1,
    max: 1_000_000,
    default: "2000",
    description: "largest eth_getLogs block range (halved automatically when the node refuses)",
  },
  {
    flag: "reorg-rewind-blocks",
    env: "SUNDIAL_LIQUIDATION_REORG_REWIND_BLOCKS",
    kind: "int",
    min: 1,
    max: 100_000,
    default: "64",
    description: "how far the checkpoint moves back when its block left the chain",
  },
  {
    flag: "batch-size",
    env: "SUNDIAL_LIQUIDATION_BATCH_SIZE",
    kind: "int",
    min: 1,
    max: 5_000,
    default: "200",
    description: "accounts per accountsHealth call",
  },
  {
    flag: "scan-concurrency",
    env: "SUNDIAL_LIQUIDATION_SCAN_CONCURRENCY",
    kind: "int",
    min: 1,
    max: 64,
    default: "4",
    description: "accountsHealth calls in flight at once",
  },
  {
    flag: "max-rounds",
    env: "SUNDIAL_LIQUIDATION_MAX_ROUNDS",
    kind: "int",
    min: 1,
    max: 100,
    default: "10",
    description: "liquidations of one account per tick at most (partial liquidations repeat)",
  },
  {
    flag: "poll-ms",
    env: "SUNDIAL_LIQUIDATION_POLL_MS",
    kind: "int",
    min: 100,
    max: 600_000,
    default: "2000",
    description: "pause between two ticks (index, scan, liquidate)",
  },
];

export interface LiquidationCliConfig extends CommonConfig {
  help: boolean;
  liquidationEngine: string | undefined;
  db: string;
  startBlock: number | undefined;
  confirmations: number;
  maxBlockRange: number;
  reorgRewindBlocks: number;
  batchSize: number;
  scanConcurrency: number;
  maxRounds: number;
  pollMs: number;
}

/** Parses and validates the CLI configuration. @throws ConfigError */
export function parseLiquidationConfig(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
): LiquidationCliConfig {
  if (argv.includes("--help")) return { help: true } as LiquidationCliConfig;
  const v = loadOptions(LIQUIDATION_OPTIONS, argv, env);
  return {
    ...commonConfig(v),
    help: false,
    liquidationEngine: v["liquidation-engine"] as string | undefined,
    db: v["db"] as string,
    startBlock: v["start-block"] as number | undefined,
    confirmations: v["confirmations"] as number,
    maxBlockRange: v["max-block-range"] as number,
    reorgRewindBlocks: v["reorg-rewind-blocks"] as number,
    batchSize: v["batch-size"] as number,
    scanConcurrency: v["scan-concurrency"] as number,
    maxRounds: v["max-rounds"] as number,
    pollMs: v["poll-ms"] as number,
  };
}

async function main(): Promise<void> {
  const config = parseLiquidationConfig(process.argv.slice(2), process.env);
  if (config.help) {
    process.stdout.write(usage("npm run keeper:liquidation --", LIQUIDATION_OPTIONS) + "\n");
    return;
  }
  const logger = new JsonLogger({ level: config.logLevel, fields: { service: "liquidation-keeper" } });
  const { provider, wallet, deployment } = await connectKeeper(config);
  const engine = config.liquidationEngine ?? deployment.contracts.liquidationEngine;
  if (engine === undefined) {
    throw new ConfigError([`${config.deployment} has no liquidationEngine: pass --liquidation-engine`]);
  }
  const store = new LiquidationStore(config.db);
  store.bindDeployment(`${deployment.chainId}:${deployment.contracts.clearinghouse.toLowerCase()}`);
  const metrics = new MetricsRegistry("sundial_liquidation_keeper_");
  const submitter = new WalletSubmitter(wallet, provider, logger.child({ component: "submitter" }));
  const chain = await EthersLiquidationChain.connect(provider, deployment.contracts.clearinghouse, engine);
  const startBlock = config.startBlock ?? deployment.deployedAtBlock;
  const keeper = new LiquidationKeeper(
    chain,
    submitter,
    store,
    {
      indexer: {
        startBlock,
        confirmations: config.confirmations,
        maxRange: config.maxBlockRange,
        reorgRewindBlocks: config.reorgRewindBlocks,
      },
      scan: { batchSize: config.batchSize, concurrency: config.scanConcurrency, retry: DEFAULT_RETRY },
      maxRoundsPerAccount: config.maxRounds,
      retry: DEFAULT_RETRY,
    },
    logger,
    metrics,
  );
  const errors = metrics.counter(
    "tick_errors_total",
    "keeper ticks that threw (RPC errors past the retries)",
  );
  const loop = new KeeperLoop(
    async () => {
      const result = await keeper.tick();
      logger.debug("tick", { ...result });
    },
    config.pollMs,
    logger,
    () => errors.inc(),
  );
  const server = await startMetricsServer(metrics, config.metricsHost, config.metricsPort);
  const shutdown = new ShutdownCoordinator(logger);
  shutdown.register("rpc provider", () => provider.destroy());
  shutdown.register("database", () => store.close());
  shutdown.register("metrics server", () => closeServer(server));
  shutdown.register("keeper loop", () => {
    keeper.stop();
    return loop.stop();
  });
  shutdown.installSignalHandlers();
  logger.info("liquidation keeper starting", {
    chainId: deployment.chainId,
    clearinghouse: deployment.contracts.clearinghouse,
    engine,
    from: wallet.address,
    db: config.db,
    resumeFrom: (store.checkpoint()?.block ?? startBlock - 1) + 1,
    knownAccounts: store.accountCount(),
    unfinishedTxs: store.unfinishedTxs().length,
  });
  loop.start();
}

runIfMain(import.meta.url, "liquidation keeper", main);
