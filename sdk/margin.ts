/**
 * Account health and risk parameters of the Sundial clearinghouse, mirroring
 * `contracts/libraries/MarginMath.sol` and `contracts/libraries/RiskParamsLib.sol` (same formulas,
 * same rounding, same errors), differential-tested against them.
 *
 * - equity = collateral + Σ uPnL - Σ pending funding
 * - equity without profit = collateral + Σ min(uPnL, 0) - Σ pending funding
 * - IM / MM = Σ notional * ratio (each market at its session's ratios, rounded up)
 * - withdrawable = max(0, min(collateral, equity without profit - IM))
 */
import { Session } from "./calendar.js";
import {
  BPS,
  SundialMathError,
  X18,
  abs,
  fitsInt128,
  mulDivFloor,
  mulDivUp,
  mulDivWithRemainder,
} from "./fixed-point.js";
import { MAX_PRICE_X18 } from "./positions.js";
import {
  MAX_ABS_INTEREST_RATE_PER_HOUR_X18,
  MAX_FUNDING_RATE_CAP_PER_HOUR_X18,
  MIN_FUNDING_RATE_CAP_PER_HOUR_X18,
  type FundingParams,
} from "./funding.js";

/** Trading status of a market. Values are the Solidity enum's (`contracts/types/Market.sol`). */
export enum MarketStatus {
  ACTIVE = 0,
  REDUCE_ONLY = 1,
  HALTED = 2,
  SETTLED = 3,
}

/** Risk parameters of one market in one session (the Solidity `SessionRiskParams`). */
export interface SessionRiskParams {
  initialMarginBps: bigint;
  maintenanceMarginBps: bigint;
  /** Negative: a rebate. */
  makerFeeBps: bigint;
  takerFeeBps: bigint;
  fillBandBps: bigint;
  fundingMultiplierBps: bigint;
  /** USD notional per side. */
  openInterestCapX18: bigint;
}

/** One market's contribution to an account's health (the Solidity `MarketExposure`). */
export interface MarketExposure {
  sizeX18: bigint;
  openNotionalX18: bigint;
  /** + owed by the account. */
  pendingFundingX18: bigint;
  markPriceX18: bigint;
  initialMarginBps: bigint;
  maintenanceMarginBps: bigint;
}

/** An account's health (the Solidity `AccountHealth`). */
export interface AccountHealth {
  equityX18: bigint;
  equityWithoutProfitX18: bigint;
  initialMarginX18: bigint;
  maintenanceMarginX18: bigint;
  notionalX18: bigint;
}

// Mirrors the clearinghouse section of contracts/libraries/Constants.sol (derivations there).
export const MAX_LEVERAGE = 50n;
export const MIN_INITIAL_MARGIN_BPS = BPS / MAX_LEVERAGE;
export const MAX_INITIAL_MARGIN_BPS = BPS;
export const MIN_MAINTENANCE_MARGIN_BPS = 50n;
export const MAX_FEE_BPS = 100n;
export const MIN_FILL_BAND_BPS = 10n;
export const MAX_FILL_BAND_BPS = 2_000n;
export const MAX_FUNDING_MULTIPLIER_BPS = 20_000n;
export const MAX_OPEN_INTEREST_CAP_X18 = 10n ** 30n;

const REGULAR_DEFAULTS: SessionRiskParams = {
  initialMarginBps: 1_000n,
  maintenanceMarginBps: 500n,
  makerFeeBps: 0n,
  takerFeeBps: 4n,
  fillBandBps: 500n,
  fundingMultiplierBps: 10_000n,
  openInterestCapX18: 50_000_000n * X18,
};
const EXTENDED_DEFAULTS: SessionRiskParams = {
  initialMarginBps: 2_000n,
  maintenanceMarginBps: 1_000n,
  makerFeeBps: -1n,
  takerFeeBps: 6n,
  fillBandBps: 1_000n,
  fundingMultiplierBps: 10_000n,
  openInterestCapX18: 25_000_000n * X18,
};
const CLOSED_DEFAULTS: SessionRiskParams = {
  initialMarginBps: 2_500n,
  maintenanceMarginBps: 1_250n,
  makerFeeBps: -1n,
  takerFeeBps: 6n,
  fillBandBps: 1_000n,
  fundingMultiplierBps: 2_500n,
  openInterestCapX18: 10_000_000n * X18,
};

/** The suggested large-cap parameters of a session (`RiskParamsLib.defaults`). */
export function defaultRiskParams(session: Session): SessionRiskParams {
  if (session === Session.REGULAR) return { ...REGULAR_DEFAULTS };
  if (session === Session.CLOSED) return { ...CLOSED_DEFAULTS };
  if (session === Session.OVERNIGHT) return { ...EXTENDED_DEFAULTS, fundingMultiplierBps: 5_000n };
  return { ...EXTENDED_DEFAULTS };
}

/** The suggested funding parameters (`RiskParamsLib.defaultFunding`). */
export function defaultFundingParams(): FundingParams {
  return { rateCapPerHourX18: 10n ** 15n, interestRatePerHourX18: 5n * 10n ** 12n };
}

/** Throws unless `params` is inside the hard bounds (`RiskParamsLib.validate`). */
export function validateRiskParams(params: SessionRiskParams): void {
  const im = params.initialMarginBps;
  if (im < MIN_INITIAL_MARGIN_BPS || im > MAX_INITIAL_MARGIN_BPS) {
    throw new SundialMathError("RiskParams_InitialMarginOutOfRange", [
      im,
      MIN_INITIAL_MARGIN_BPS,
      MAX_INITIAL_MARGIN_BPS,
    ]);
  }
  const mm = params.maintenanceMarginBps;
  if (mm < MIN_MAINTENANCE_MARGIN_BPS || mm >= im) {
    throw new SundialMathError("RiskParams_MaintenanceMarginOutOfRange", [
      mm,
      MIN_MAINTENANCE_MARGIN_BPS,
      im,
    ]);
  }
  if (params.takerFeeBps < 0n || params.takerFeeBps > MAX_FEE_BPS) {
    throw new SundialMathError("RiskParams_TakerFeeOutOfRange", [params.takerFeeBps, MAX_FEE_BPS]);
  }
  if (params.makerFeeBps < -params.takerFeeBps || params.makerFeeBps > MAX_FEE_BPS) {
    throw new SundialMathError("RiskParams_MakerFeeOutOfRange", [
      params.makerFeeBps,
      -params.takerFeeBps,
      MAX_FEE_BPS,
    ]);
  }
  if (params.fillBandBps < MIN_FILL_BAND_BPS || params.fillBandBps > MAX_FILL_BAND_BPS) {
    throw new SundialMathError("RiskParams_FillBandOutOfRange", [
      params.fillBandBps,
      MIN_FILL_BAND_BPS,
      MAX_FILL_BAND_BPS,
    ]);
  }
  if (params.fundingMultiplierBps > MAX_FUNDING_MULTIPLIER_BPS) {
    throw new SundialMathError("RiskParams_FundingMultiplierAboveMax", [
      params.fundingMultiplierBps,
      MAX_FUNDING_MULTIPLIER_BPS,
    ]);
  }
  if (params.openInterestCapX18 > MAX_OPEN_INTEREST_CAP_X18) {
    throw new SundialMathError("RiskParams_OpenInterestCapAboveMax", [
      params.openInterestCapX18,
      MAX_OPEN_INTEREST_CAP_X18,
    ]);
  }
}

/** Throws unless the funding parameters are inside the hard bounds (`RiskParamsLib.validateFunding`). */
export function validateFundingParams(params: FundingParams): void {
  const cap = params.rateCapPerHourX18;
  if (cap < MIN_FUNDING_RATE_CAP_PER_HOUR_X18 || cap > MAX_FUNDING_RATE_CAP_PER_HOUR_X18) {
    throw new SundialMathError("RiskParams_FundingRateCapOutOfRange", [
      cap,
      MIN_FUNDING_RATE_CAP_PER_HOUR_X18,
      MAX_FUNDING_RATE_CAP_PER_HOUR_X18,
    ]);
  }
  if (abs(params.interestRatePerHourX18) > MAX_ABS_INTEREST_RATE_PER_HOUR_X18) {
    throw new SundialMathError("RiskParams_InterestRateOutOfRange", [
      params.interestRatePerHourX18,
      MAX_ABS_INTEREST_RATE_PER_HOUR_X18,
    ]);
  }
}

/** The largest leverage the parameters allow, rounded down. */
export function maxLeverage(params: SessionRiskParams): bigint {
  return BPS / params.initialMarginBps;
}

/** `MarginMath.start`: a health record for an account with `collateralX18` and no positions. */
export function startHealth(collateralX18: bigint): AccountHealth {
  if (!fitsInt128(collateralX18)) throw new SundialMathError("Margin_CollateralOutOfRange", [collateralX18]);
  return {
    equityX18: collateralX18,
    equityWithoutProfitX18: collateralX18,
    initialMarginX18: 0n,
    maintenanceMarginX18: 0n,
    notionalX18: 0n,
  };
}

/** `MarginMath.accumulate`: `health` plus one market's position (returns a new record). */
export function accumulateHealth(health: AccountHealth, exposure: MarketExposure): AccountHealth {
  checkExposure(exposure);
  const { quotientDown, hasRemainder } = mulDivWithRemainder(
    abs(exposure.sizeX18),
    exposure.markPriceX18,
    X18,
  );
  const notionalUpX18 = hasRemainder ? quotientDown + 1n : quotientDown;
  const uPnlX18 = (exposure.sizeX18 >= 0n ? quotientDown : -notionalUpX18) - exposure.openNotionalX18;
  return {
    equityX18: health.equityX18 + uPnlX18 - exposure.pendingFundingX18,
    equityWithoutProfitX18:
      health.equityWithoutProfitX18 + (uPnlX18 < 0n ? uPnlX18 : 0n) - exposure.pendingFundingX18,
    notionalX18: health.notionalX18 + notionalUpX18,
    initialMarginX18: health.initialMarginX18 + mulDivUp(notionalUpX18, exposure.initialMarginBps, BPS),
    maintenanceMarginX18:
      health.maintenanceMarginX18 + mulDivUp(notionalUpX18, exposure.maintenanceMarginBps, BPS),
  };
}

/** The health of an account with `collateralX18` and the positions in `exposures`. */
export function accountHealth(collateralX18: bigint, exposures: readonly MarketExposure[]): AccountHealth {
  return exposures.reduce(accumulateHealth, startHealth(collateralX18));
}

/** equity / Σ notional (X18), rounded down; int256 max without positions. */
export function marginRatioX18(health: AccountHealth): bigint {
  if (health.notionalX18 === 0n) return 2n ** 255n - 1n;
  return mulDivFloor(health.equityX18, X18, health.notionalX18);
}

/** max(0, min(collateral, equity without profit - IM)). */
export function withdrawableX18(collateralX18: bigint, health: AccountHealth): bigint {
  const freeX18 = health.equityWithoutProfitX18 - health.initialMarginX18;
  const capX18 = collateralX18 < freeX18 ? collateralX18 : freeX18;
  return capX18 > 0n ? capX18 : 0n;
}

/** equity >= IM: the account may take new risk. */
export function meetsInitialMargin(health: AccountHealth): boolean {
  return health.equityX18 >= health.initialMarginX18;
}

/** equity < MM: the account may be liquidated. */
export function isLiquidatable(health: AccountHealth): boolean {
  return health.equityX18 < health.maintenanceMarginX18;
}

function checkExposure(exposure: MarketExposure): void {
  if (
    !fitsInt128(exposure.sizeX18) ||
    !fitsInt128(exposure.openNotionalX18) ||
    !fitsInt128(exposure.pendingFundingX18) ||
    exposure.markPriceX18 > MAX_PRICE_X18 ||
    exposure.initialMarginBps > BPS ||
    exposure.maintenanceMarginBps > BPS
  ) {
    throw new SundialMathError("Margin_ExposureOutOfRange", [
      exposure.sizeX18,
      exposure.openNotionalX18,
      exposure.pendingFundingX18,
      exposure.markPriceX18,
      exposure.initialMarginBps,
      exposure.maintenanceMarginBps,
    ]);
  }
}
