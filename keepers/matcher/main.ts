/**
 * The matcher CLI: `npm run matcher -- --rpc-url http://127.0.0.1:8545 --deployment deployments/local.json`
 * with the MATCHER_ROLE key in `$SUNDIAL_MATCHER_KEY` (or the variable `--key-env` names), or with
 * the key from Hardhat's keystore `npx hardhat run --no-compile --network sundialMatcher
 * keepers/matcher/main.ts` (options from the environment; `--key-source hardhat` does the same
 * under `npm run matcher`). Every flag has an environment variable (see `--help` or
 * docs/matcher.md). A key is never a flag, never in code, never in a file we write. This module only
 * runs: its options are in `config.ts`.
 */
import { MATCHER, connectKeeper, runCli, signerFields, walletSubmitter, type Invocation } from "../cli.js";
import { usage } from "../lib/config.js";
import { JsonLogger } from "../lib/logger.js";
import { ShutdownCoordinator } from "../lib/shutdown.js";
import { EthersMatcherChain } from "./chain.js";
import { MATCHER_OPTIONS, parseMatcherConfig } from "./config.js";
import { createMatcherMetrics } from "./metrics.js";
import { MatcherService } from "./service.js";

async function main({ argv, runner }: Invocation): Promise<void> {
  const config = parseMatcherConfig(argv, process.env, runner);
  if (config.help) {
    process.stdout.write(usage("npm run matcher --", MATCHER_OPTIONS) + "\n");
    return;
  }
  const logger = new JsonLogger({ level: config.logLevel, fields: { service: "matcher" } });
  const { provider, wallet, signer, deployment } = await connectKeeper(config, MATCHER);
  const clearinghouse = config.clearinghouse ?? deployment.contracts.clearinghouse;
  const chain = await EthersMatcherChain.connect(provider, clearinghouse);
  const metrics = createMatcherMetrics();
  const submitter = walletSubmitter(wallet, provider, logger, config, metrics.registry);
  const service = new MatcherService(config.service, chain, submitter, logger, metrics);
  const shutdown = new ShutdownCoordinator(logger);
  shutdown.register("rpc provider", () => provider.destroy());
  shutdown.register("matcher", () => service.stop());
  shutdown.installSignalHandlers();
  logger.info("matcher starting", {
    chainId: chain.chainId,
    clearinghouse,
    clearinghouseSource: config.clearinghouse === undefined ? "deployment" : "--clearinghouse",
    ...signerFields(signer),
  });
  await service.start();
}

runCli(import.meta.url, MATCHER.name, main);
