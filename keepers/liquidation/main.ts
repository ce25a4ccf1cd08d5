/**
 * The liquidation keeper CLI: `npm run keeper:liquidation -- --rpc-url http://127.0.0.1:8545`, or
 * with the key from Hardhat's keystore `npx hardhat run --no-compile --network sundialLiquidation
 * keepers/liquidation/main.ts` (options from the environment).
 * Learns accounts from clearinghouse and liquidation-engine events (checkpointed in SQLite), scans
 * their health in batches, liquidates unhealthy accounts into the backstop until they are healthy,
 * runs ADL when the insurance fund cannot cover, settles bad debt. JSON logs on stdout, Prometheus
 * metrics on `--metrics-port`, graceful shutdown on SIGINT/SIGTERM. See docs/keepers.md.
 * This module only runs: its options are in `config.ts`.
 */
import {
  LIQUIDATION_KEEPER,
  connectKeeper,
  runCli,
  signerFields,
  walletSubmitter,
  type Invocation,
} from "../cli.js";
import { KeeperLoop, closeServer, startMetricsServer } from "../common.js";
import { ConfigError, usage } from "../lib/config.js";
import { JsonLogger } from "../lib/logger.js";
import { MetricsRegistry } from "../lib/metrics.js";
import { ShutdownCoordinator } from "../lib/shutdown.js";
import { DEFAULT_RETRY } from "../lib/submitter.js";
import { EthersLiquidationChain } from "./chain.js";
import { LIQUIDATION_OPTIONS, parseLiquidationConfig } from "./config.js";
import { LiquidationKeeper } from "./keeper.js";
import { LiquidationStore } from "./store.js";

async function main({ argv, runner }: Invocation): Promise<void> {
  const config = parseLiquidationConfig(argv, process.env, runner);
  if (config.help) {
    process.stdout.write(usage("npm run keeper:liquidation --", LIQUIDATION_OPTIONS) + "\n");
    return;
  }
  const logger = new JsonLogger({ level: config.logLevel, fields: { service: "liquidation-keeper" } });
  const { provider, wallet, signer, deployment } = await connectKeeper(config, LIQUIDATION_KEEPER);
  const engine = config.liquidationEngine ?? deployment.contracts.liquidationEngine;
  if (engine === undefined) {
    throw new ConfigError([`${config.deployment} has no liquidationEngine: pass --liquidation-engine`]);
  }
  const store = new LiquidationStore(config.db);
  store.bindDeployment(`${deployment.chainId}:${deployment.contracts.clearinghouse.toLowerCase()}`);
  const metrics = new MetricsRegistry("sundial_liquidation_keeper_");
  const submitter = walletSubmitter(wallet, provider, logger, config, metrics);
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
      liquidationsPerTx: config.liquidationsPerTx,
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
    ...signerFields(signer),
    db: config.db,
    resumeFrom: (store.checkpoint()?.block ?? startBlock - 1) + 1,
    knownAccounts: store.accountCount(),
    unfinishedTxs: store.unfinishedTxs().length,
  });
  loop.start();
}

runCli(import.meta.url, LIQUIDATION_KEEPER.name, main);
