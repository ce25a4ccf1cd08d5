/** The funding keeper's command-line options (docs/keepers.md); `main.ts` is the CLI. */
import {
  FUNDING_KEEPER,
  commonConfig,
  commonOptions,
  optionsFor,
  type CommonConfig,
  type Runner,
} from "../cli.js";
import { loadOptions, type OptionSpec } from "../lib/config.js";

export const FUNDING_OPTIONS: readonly OptionSpec[] = [
  ...commonOptions(FUNDING_KEEPER, 9101),
  {
    flag: "interval-sec",
    env: "SUNDIAL_FUNDING_INTERVAL_SEC",
    kind: "int",
    min: 10,
    max: 86_400,
    default: "3600",
    description: "seconds between fund() calls within one session",
  },
  {
    flag: "poll-ms",
    env: "SUNDIAL_FUNDING_POLL_MS",
    kind: "int",
    min: 100,
    max: 600_000,
    default: "5000",
    description: "how often the keeper checks whether funding is due",
  },
];

export interface FundingCliConfig extends CommonConfig {
  help: boolean;
  intervalSec: number;
  pollMs: number;
}

/** Parses and validates the CLI configuration. @throws ConfigError */
export function parseFundingConfig(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  runner: Runner = "direct",
): FundingCliConfig {
  if (argv.includes("--help")) return { help: true } as FundingCliConfig;
  const v = loadOptions(optionsFor(FUNDING_OPTIONS, runner), argv, env);
  return {
    ...commonConfig(v),
    help: false,
    intervalSec: v["interval-sec"] as number,
    pollMs: v["poll-ms"] as number,
  };
}
