/**
 * Funding and dividends of the Sundial clearinghouse, mirroring `contracts/libraries/FundingMath.sol`
 * line by line (same formulas, same rounding, same errors) and differential-tested against it.
 *
 * The funding index is cumulative USD per BASE share (a share of the listing epoch): splits never
 * touch it. A rising index is paid by longs. Pending funding of a position is
 * `size * (index - lastIndex) / splitFactor`, rounded toward +infinity (payers round up, receivers
 * down). A cash dividend D per base share lowers the index by D (longs receive, shorts pay).
 * Functions never modify their inputs: state transitions return a new state.
 */
import {
  BPS,
  INT128_MAX,
  INT128_MIN,
  SundialMathError,
  UINT128_MAX,
  X18,
  fitsInt128,
  mulDivCeil,
  mulDivDown,
  mulDivTrunc,
} from "./fixed-point.js";

// Mirrors the clearinghouse section of contracts/libraries/Constants.sol (derivations there).
/** The funding period: a premium held for 8 h costs the premium. */
export const FUNDING_PERIOD = 8n * 3_600n;
/** Rates are per hour. */
export const FUNDING_RATE_UNIT = 3_600n;
/** Bounds of the per-hour funding-rate cap. */
export const MIN_FUNDING_RATE_CAP_PER_HOUR_X18 = 10n ** 14n;
export const MAX_FUNDING_RATE_CAP_PER_HOUR_X18 = 4n * 10n ** 16n;
/** Bound of |interest rate per hour|. */
export const MAX_ABS_INTEREST_RATE_PER_HOUR_X18 = 5n * 10n ** 13n;
/** Premium samples are clamped to +/- 100 %. */
export const MAX_ABS_PREMIUM_X18 = X18;

const PERIOD_HOURS = FUNDING_PERIOD / FUNDING_RATE_UNIT;
const INT72_MIN = -(2n ** 71n);
const INT72_MAX = 2n ** 71n - 1n;
const UINT40_MAX = 2n ** 40n - 1n;
const UINT16_MAX = 2n ** 16n - 1n;

/** Per-market funding parameters (the Solidity `FundingParams`). */
export interface FundingParams {
  rateCapPerHourX18: bigint;
  interestRatePerHourX18: bigint;
}

/** A market's funding state (the Solidity `FundingState`). */
export interface FundingState {
  /** Cumulative funding, USD per base share. */
  indexX18: bigint;
  /** Integral of the premium over time (X18 * seconds). */
  premiumCumulativeX18: bigint;
  /** Premium sampled at `lastUpdateTime`, in force until the next sample. */
  lastPremiumX18: bigint;
  /** Last accrual, unix seconds (0 = never). */
  lastUpdateTime: bigint;
  /** Session multiplier sampled at `lastUpdateTime`. */
  lastMultiplierBps: bigint;
  /** Oracle cumulative dividend per base share already applied to the index. */
  appliedDividendX18: bigint;
}

/** A fresh (never updated) funding state. */
export function emptyFundingState(): FundingState {
  return {
    indexX18: 0n,
    premiumCumulativeX18: 0n,
    lastPremiumX18: 0n,
    lastUpdateTime: 0n,
    lastMultiplierBps: 0n,
    appliedDividendX18: 0n,
  };
}

/** `(perp - index) / index`, truncated toward zero and clamped to +/- 100 %. */
export function premiumX18(perpPriceX18: bigint, indexPriceX18: bigint): bigint {
  if (indexPriceX18 === 0n) throw new SundialMathError("Funding_InvalidIndexPrice", [indexPriceX18]);
  return clampPremium(mulDivTrunc(perpPriceX18 - indexPriceX18, X18, indexPriceX18));
}

/** clamp(premium / 8 + interest, +/- cap) * multiplier, per hour, truncated toward zero. */
export function fundingRatePerHourX18(
  averagePremiumX18: bigint,
  params: FundingParams,
  multiplierBps: bigint,
): bigint {
  let rawX18 = averagePremiumX18 / PERIOD_HOURS + params.interestRatePerHourX18;
  const capX18 = params.rateCapPerHourX18;
  if (rawX18 > capX18) rawX18 = capX18;
  else if (rawX18 < -capX18) rawX18 = -capX18;
  return mulDivTrunc(rawX18, multiplierBps, BPS);
}

/** Index increase of `elapsed` seconds at `ratePerHourX18`, per base share, truncated toward zero. */
export function indexDeltaX18(
  ratePerHourX18: bigint,
  indexPriceX18: bigint,
  splitFactorX18: bigint,
  elapsed: bigint,
): bigint {
  const pricePerBaseShareX18 = mulDivDown(indexPriceX18, splitFactorX18, X18);
  return mulDivTrunc(ratePerHourX18 * elapsed, pricePerBaseShareX18, X18 * FUNDING_RATE_UNIT);
}

/** `FundingMath.accrue`: accrues funding to `nowTime` with the premium and multiplier of the last sample. */
export function accrueFunding(
  state: FundingState,
  params: FundingParams,
  indexPriceX18: bigint,
  splitFactorX18: bigint,
  nowTime: bigint,
): { state: FundingState; deltaX18: bigint } {
  const last = state.lastUpdateTime;
  if (nowTime < last) throw new SundialMathError("Funding_TimeWentBackwards", [last, nowTime]);
  if (last === 0n) return { state: { ...state, lastUpdateTime: nowTime }, deltaX18: 0n };
  if (nowTime === last) return { state: { ...state }, deltaX18: 0n };
  if (indexPriceX18 === 0n) throw new SundialMathError("Funding_InvalidIndexPrice", [indexPriceX18]);
  if (splitFactorX18 === 0n) throw new SundialMathError("Funding_InvalidSplitFactor", [splitFactorX18]);
  const elapsed = nowTime - last;
  const rateX18 = fundingRatePerHourX18(state.lastPremiumX18, params, state.lastMultiplierBps);
  const deltaX18 = indexDeltaX18(rateX18, indexPriceX18, splitFactorX18, elapsed);
  return {
    deltaX18,
    state: {
      ...state,
      premiumCumulativeX18: state.premiumCumulativeX18 + state.lastPremiumX18 * elapsed,
      indexX18: checkedIndex(state.indexX18 + deltaX18),
      lastUpdateTime: nowTime,
    },
  };
}

/** `FundingMath.sample`: records the premium (clamped) and multiplier in force from now on. */
export function sampleFunding(
  state: FundingState,
  newPremiumX18: bigint,
  multiplierBps: bigint,
): FundingState {
  return { ...state, lastPremiumX18: clampPremium(newPremiumX18), lastMultiplierBps: multiplierBps };
}

/** `FundingMath.update`: `accrueFunding` to `nowTime`, then `sampleFunding`. */
export function updateFunding(
  state: FundingState,
  params: FundingParams,
  indexPriceX18: bigint,
  splitFactorX18: bigint,
  nowTime: bigint,
  newPremiumX18: bigint,
  multiplierBps: bigint,
): { state: FundingState; deltaX18: bigint } {
  const accrued = accrueFunding(state, params, indexPriceX18, splitFactorX18, nowTime);
  return { state: sampleFunding(accrued.state, newPremiumX18, multiplierBps), deltaX18: accrued.deltaX18 };
}

/** Lowers the index by the oracle's new cumulative dividend per base share (longs receive it). */
export function applyDividend(
  state: FundingState,
  cumulativeDividendX18: bigint,
): { state: FundingState; dividendX18: bigint } {
  const applied = state.appliedDividendX18;
  if (cumulativeDividendX18 < applied) {
    throw new SundialMathError("Funding_DividendDecreased", [applied, cumulativeDividendX18]);
  }
  const dividendX18 = cumulativeDividendX18 - applied;
  if (dividendX18 === 0n) return { state: { ...state }, dividendX18 };
  return {
    dividendX18,
    state: {
      ...state,
      indexX18: checkedIndex(state.indexX18 - dividendX18),
      appliedDividendX18: cumulativeDividendX18,
    },
  };
}

/**
 * Funding a position owes since its last settlement (positive: pays, negative: receives), rounded
 * toward +infinity. `sizeX18` is expressed at `splitFactorX18`.
 */
export function pendingFundingX18(
  sizeX18: bigint,
  splitFactorX18: bigint,
  lastIndexX18: bigint,
  indexX18: bigint,
): bigint {
  if (sizeX18 === 0n || indexX18 === lastIndexX18) return 0n;
  if (splitFactorX18 === 0n) throw new SundialMathError("Funding_InvalidSplitFactor", [splitFactorX18]);
  const deltaX18 = indexX18 - lastIndexX18;
  return deltaX18 >= 0n
    ? mulDivCeil(sizeX18, deltaX18, splitFactorX18)
    : mulDivCeil(-sizeX18, -deltaX18, splitFactorX18);
}

/** Time-weighted average premium between two accumulator readings (0 over an empty interval). */
export function twapPremiumX18(startX18: bigint, endX18: bigint, elapsed: bigint): bigint {
  if (elapsed === 0n) return 0n;
  return (endX18 - startX18) / elapsed;
}

/** Throws unless every field fits its storage field (`FundingMath.pack`). */
export function checkFundingStatePackable(state: FundingState): void {
  checkedIndex(state.indexX18);
  if (state.lastPremiumX18 < INT72_MIN || state.lastPremiumX18 > INT72_MAX) {
    throw new SundialMathError("Funding_PremiumOutOfRange", [state.lastPremiumX18]);
  }
  if (state.lastUpdateTime > UINT40_MAX) {
    throw new SundialMathError("Funding_TimestampOutOfRange", [state.lastUpdateTime]);
  }
  if (state.lastMultiplierBps > UINT16_MAX) {
    throw new SundialMathError("Funding_MultiplierOutOfRange", [state.lastMultiplierBps]);
  }
  if (!fitsInt128(state.premiumCumulativeX18)) {
    throw new SundialMathError("Funding_PremiumCumulativeOutOfRange", [state.premiumCumulativeX18]);
  }
  if (state.appliedDividendX18 > UINT128_MAX) {
    throw new SundialMathError("Funding_DividendOutOfRange", [state.appliedDividendX18]);
  }
}

function clampPremium(premium: bigint): bigint {
  if (premium > MAX_ABS_PREMIUM_X18) return MAX_ABS_PREMIUM_X18;
  if (premium < -MAX_ABS_PREMIUM_X18) return -MAX_ABS_PREMIUM_X18;
  return premium;
}

function checkedIndex(indexX18: bigint): bigint {
  if (indexX18 > INT128_MAX || indexX18 < INT128_MIN) {
    throw new SundialMathError("Funding_IndexOutOfRange", [indexX18]);
  }
  return indexX18;
}
