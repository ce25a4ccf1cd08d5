/**
 * The registry listing the TypeScript tests and benches give a market: the SDK's default session
 * risk and funding parameters, the deployment's default circuit breaker (`deploy/defaults.ts`, which
 * `test/deploy/system.test.ts` holds equal to the registry's own `defaultCircuitBreakerParams`), a
 * 0.01 USD tick and a 0.001-share step and minimum.
 */
import { defaultCircuitBreakerParams } from "../../deploy/defaults.js";
import { Session } from "../../sdk/calendar.js";
import { defaultFundingParams, defaultRiskParams, type SessionRiskParams } from "../../sdk/margin.js";

/** `MarketRegistry.listMarket`'s config argument. */
export function defaultMarketConfig() {
  return {
    listed: false,
    status: 0,
    tickSizeX18: 10n ** 16n,
    stepSizeX18: 10n ** 15n,
    minOrderSizeX18: 10n ** 15n,
    funding: defaultFundingParams(),
    breaker: defaultCircuitBreakerParams(),
  };
}

/** `MarketRegistry.listMarket`'s five sessions, in `Session` order (CLOSED .. OVERNIGHT). */
export function defaultSessionParams(): [
  SessionRiskParams,
  SessionRiskParams,
  SessionRiskParams,
  SessionRiskParams,
  SessionRiskParams,
] {
  return [
    defaultRiskParams(Session.CLOSED),
    defaultRiskParams(Session.PRE_MARKET),
    defaultRiskParams(Session.REGULAR),
    defaultRiskParams(Session.POST_MARKET),
    defaultRiskParams(Session.OVERNIGHT),
  ];
}
