/**
 * The funding keeper CLI: `npm run keeper:funding -- --rpc-url http://127.0.0.1:8545`.
 * Calls `Clearinghouse.fund(markets)` every `--interval-sec` and at every session change of the
 * calendar (SDK mirror of `MarketCalendar`), simulating first. JSON logs on stdout, Prometheus
 * metrics on `--metrics-port`, graceful shutdown on SIGINT/SIGTERM. See docs/keepers.md.
 */
import { loadCalendarFile } from "../../sdk/calendar.js";
import { runTickKeeper, systemClock } from "../common.js";
import { commonConfig, commonOptions, connectKeeper, runIfMain, type CommonConfig } from "../cli.js";
import { loadOptions, usage, type OptionSpec } from "../lib/config.js";
import { JsonLogger } from "../lib/logger.js";
import { MetricsRegistry } from "../lib/metrics.js";
import { WalletSubmitter } from "../lib/submitter.js";
import { EthersFundingChain } from "./chain.js";
import { FundingKeeper } from "./keeper.js";

export const FUNDING_OPTIONS: readonly OptionSpec[] = [
  ...commonOptions("funding", 9101),
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
export function parseFundingConfig(argv: readonly string[], env: NodeJS.ProcessEnv): FundingCliConfig {
  if (argv.includes("--help")) return { help: true } as FundingCliConfig;
  const v = loadOptions(FUNDING_OPTIONS, argv, env);
  return {
    ...commonConfig(v),
    help: false,
    intervalSec: v["interval-sec"] as number,
    pollMs: v["poll-ms"] as number,
  };
}

async function main(): Promise<void> {
  const config = parseFundingConfig(process.argv.slice(2), process.env);
  if (config.help) {
    process.stdout.write(usage("npm run keeper:funding --", FUNDING_OPTIONS) + "\n");
    return;
  }
  const logger = new JsonLogger({ level: config.logLevel, fields: { service: "funding-keeper" } });
  const { provider, wallet, deployment } = await connectKeeper(config);
  const metrics = new MetricsRegistry("sundial_funding_keeper_");
  const submitter = new WalletSubmitter(wallet, provider, logger.child({ component: "submitter" }));
  const chain = new EthersFundingChain(
    deployment.contracts.clearinghouse,
    deployment.contracts.marketRegistry,
    provider,
    submitter,
  );
  const keeper = new FundingKeeper(
    chain,
    await loadCalendarFile(),
    systemClock,
    { intervalSec: config.intervalSec },
    logger,
    metrics,
  );
  logger.info("funding keeper starting", {
    chainId: deployment.chainId,
    clearinghouse: deployment.contracts.clearinghouse,
    from: wallet.address,
    intervalSec: config.intervalSec,
  });
  await runTickKeeper({
    tick: () => keeper.tick(),
    intervalMs: config.pollMs,
    logger,
    metrics,
    metricsHost: config.metricsHost,
    metricsPort: config.metricsPort,
    provider,
    errorHelp: "keeper ticks that threw (RPC errors, reverts)",
  });
}

runIfMain(import.meta.url, "funding keeper", main);
