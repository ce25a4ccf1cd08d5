/**
 * On-chain default parameters mirrored in TypeScript so that Ignition can pass them as literal
 * arguments. Each mirrors one Solidity function; `test/deploy/system.test.ts` compares them with the
 * deployed contracts' own `defaultMarketParams` / `defaultCircuitBreakerParams` views.
 */

/** `OracleAdapter.defaultMarketParams(bandTierBps)` (`OracleParams.defaults`, `Constants` oracle section). */
export function defaultOracleMarketParams(bandTierBps: number) {
  return {
    bandTierBps,
    bandCapBps: 2_000,
    maxDeviationBps: 100,
    maxEmaStepBps: 100,
    quoteWeightBps: 0,
    bandHorizonSec: 24 * 3_600,
    emaTauSec: 3_600,
    emaMaxDtSec: 360,
    reopeningWindowSec: 5 * 60,
    minTradeNotionalX18: 1_000n * 10n ** 18n,
  };
}

/** `MarketRegistry.defaultCircuitBreakerParams()` (`Constants.CH_DEFAULT_BREAKER_*`). */
export function defaultCircuitBreakerParams() {
  return {
    level1Bps: 700,
    level2Bps: 1_300,
    level3Bps: 2_000,
    windowSec: 24 * 3_600,
    level1HaltSec: 15 * 60,
    level2HaltSec: 15 * 60,
    level3HaltSec: 3_600,
    reduceOnlySec: 10 * 60,
  };
}
