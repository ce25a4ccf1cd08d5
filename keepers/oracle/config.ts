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

export const ORACLE_OPTIONS: readonly OptionSpec[] = [
  ...commonOptions(ORACLE_KEEPER, 9102),
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
