/** The liquidation keeper's command-line options (docs/keepers.md); `main.ts` is the CLI. */
import {
  LIQUIDATION_KEEPER,
  commonConfig,
  commonOptions,
  optionsFor,
  type CommonConfig,
  type Runner,
} from "../cli.js";
import { loadOptions, type OptionSpec } from "../lib/config.js";
import { MAX_LIQUIDATIONS_PER_TX } from "./keeper.js";

export const LIQUIDATION_OPTIONS: readonly OptionSpec[] = [
  ...commonOptions(LIQUIDATION_KEEPER, 9103),
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
    flag: "liquidations-per-tx",
    env: "SUNDIAL_LIQUIDATION_LIQUIDATIONS_PER_TX",
    kind: "int",
    min: 1,
    max: MAX_LIQUIDATIONS_PER_TX,
    default: "20",
    description: "liquidations per liquidateBatch transaction (1: one liquidate per account)",
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
  liquidationsPerTx: number;
  pollMs: number;
}

/** Parses and validates the CLI configuration. @throws ConfigError */
export function parseLiquidationConfig(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  runner: Runner = "direct",
): LiquidationCliConfig {
  if (argv.includes("--help")) return { help: true } as LiquidationCliConfig;
  const v = loadOptions(optionsFor(LIQUIDATION_OPTIONS, runner), argv, env);
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
    liquidationsPerTx: v["liquidations-per-tx"] as number,
    pollMs: v["poll-ms"] as number,
  };
}
