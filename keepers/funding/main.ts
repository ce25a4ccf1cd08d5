/**
 * The funding keeper CLI: `npm run keeper:funding -- --rpc-url http://127.0.0.1:8545`, or with the
 * key from Hardhat's keystore `npx hardhat run --no-compile --network sundialFunding
 * keepers/funding/main.ts` (options from the environment). Calls `Clearinghouse.fund(markets)` every
 * `--interval-sec` and at every session change of the calendar (SDK mirror of `MarketCalendar`),
 * simulating first. JSON logs on stdout, Prometheus metrics on `--metrics-port`, graceful shutdown
 * on SIGINT/SIGTERM. See docs/keepers.md. This module only runs: its options are in `config.ts`.
 */
import { loadCalendarFile } from "../../sdk/calendar.js";
import {
  FUNDING_KEEPER,
  connectKeeper,
  runCli,
  signerFields,
  walletSubmitter,
  type Invocation,
} from "../cli.js";
import { runTickKeeper, systemClock } from "../common.js";
import { usage } from "../lib/config.js";
import { JsonLogger } from "../lib/logger.js";
import { MetricsRegistry } from "../lib/metrics.js";
import { EthersFundingChain } from "./chain.js";
import { FUNDING_OPTIONS, parseFundingConfig } from "./config.js";
import { FundingKeeper } from "./keeper.js";

async function main({ argv, runner }: Invocation): Promise<void> {
  const config = parseFundingConfig(argv, process.env, runner);
  if (config.help) {
    process.stdout.write(usage("npm run keeper:funding --", FUNDING_OPTIONS) + "\n");
    return;
  }
  const logger = new JsonLogger({ level: config.logLevel, fields: { service: "funding-keeper" } });
  const { provider, wallet, signer, deployment } = await connectKeeper(config, FUNDING_KEEPER);
  const metrics = new MetricsRegistry("sundial_funding_keeper_");
  const submitter = walletSubmitter(wallet, provider, logger, config, metrics);
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
    ...signerFields(signer),
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

runCli(import.meta.url, FUNDING_KEEPER.name, main);
