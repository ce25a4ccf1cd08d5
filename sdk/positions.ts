/**
 * Position accounting of the Sundial clearinghouse, mirroring `contracts/libraries/PositionMath.sol`
 * line by line (same formulas, same rounding, same errors) and differential-tested against it.
 *
 * A position keeps a signed size (+ long, - short) and a signed cost basis, the open notional:
 * `uPnL = size * mark - openNotional`. Every rounding favours the protocol — see
 * `docs/clearinghouse-math.md` for the directions and why.
 */
import { pendingFundingX18 } from "./funding.js";
import {
  BPS,
  SundialMathError,
  X18,
  abs,
  fitsInt128,
  mulDivCeil,
  mulDivFloor,
  mulDivUp,
  UINT128_MAX,
} from "./fixed-point.js";

// Mirrors the clearinghouse section of contracts/libraries/Constants.sol (derivations there).
/** Largest price the position math accepts. */
export const MAX_PRICE_X18 = 10n ** 38n;
/** Largest |size| a fill may grow a position to (1e12 shares). */
export const MAX_ABS_SIZE_X18 = 10n ** 30n;
/** Largest |open notional| a fill may grow a position to (USD 1e15). */
export const MAX_ABS_OPEN_NOTIONAL_X18 = 10n ** 33n;

/** A position (the Solidity `Position` struct). */
export interface Position {
  /** Shares of the split epoch whose cumulative split factor is `splitFactorX18`; + long, - short. */
  sizeX18: bigint;
  /** Signed cost basis. */
  openNotionalX18: bigint;
  /** Funding index (USD per base share) at the last settlement. */
  lastFundingIndexX18: bigint;
  /** Cumulative split factor at which `sizeX18` is expressed (0 for a never-touched position). */
  splitFactorX18: bigint;
}

/** The result of `applyFill`. */
export interface FillResult {
  newSizeX18: bigint;
  newOpenNotionalX18: bigint;
  /** Added to the account's collateral. */
  realizedPnlX18: bigint;
}

/** `size * mark - openNotional`, the size term rounded toward -infinity. */
export function unrealizedPnlX18(sizeX18: bigint, openNotionalX18: bigint, markPriceX18: bigint): bigint {
  return mulDivFloor(sizeX18, markPriceX18, X18) - openNotionalX18;
}

/** `|size| * price`, rounded up. */
export function notionalX18(sizeX18: bigint, priceX18: bigint): bigint {
  return mulDivUp(abs(sizeX18), priceX18, X18);
}

/** `notional * ratio` on the rounded-up notional, rounded up. */
export function marginRequirementX18(sizeX18: bigint, markPriceX18: bigint, ratioBps: bigint): bigint {
  return mulDivUp(notionalX18(sizeX18, markPriceX18), ratioBps, BPS);
}

/** Fee of a fill, signed like the fee (negative = rebate), rounded toward +infinity. */
export function tradingFeeX18(fillSizeX18: bigint, priceX18: bigint, feeBps: bigint): bigint {
  return mulDivCeil(feeBps, abs(fillSizeX18) * priceX18, X18 * BPS);
}

/**
 * Applies a fill of signed size `fillSizeX18` (+ buy, - sell) at `priceX18`: open, increase,
 * reduce, close or flip. Throws (like the Solidity library reverts) on an invalid price or fill or
 * when a fill that is not a pure reduction would exceed the size or open-notional bounds.
 */
export function applyFill(
  sizeX18: bigint,
  openNotionalX18: bigint,
  fillSizeX18: bigint,
  priceX18: bigint,
): FillResult {
  checkFillInputs(sizeX18, openNotionalX18, fillSizeX18, priceX18);
  const newSizeX18 = sizeX18 + fillSizeX18;
  if (sizeX18 === 0n || sizeX18 > 0n === fillSizeX18 > 0n) {
    const newOpenNotionalX18 = openNotionalX18 + mulDivCeil(fillSizeX18, priceX18, X18);
    checkGrowth(newSizeX18, newOpenNotionalX18);
    return { newSizeX18, newOpenNotionalX18, realizedPnlX18: 0n };
  }
  if (newSizeX18 === 0n || newSizeX18 > 0n === sizeX18 > 0n) {
    return { newSizeX18, ...reduce(sizeX18, openNotionalX18, newSizeX18, priceX18) };
  }
  const realizedPnlX18 = mulDivFloor(sizeX18, priceX18, X18) - openNotionalX18;
  const newOpenNotionalX18 = mulDivCeil(newSizeX18, priceX18, X18);
  checkGrowth(newSizeX18, newOpenNotionalX18);
  return { newSizeX18, newOpenNotionalX18, realizedPnlX18 };
}

/** PnL of closing the whole position at `priceX18` (e.g. a delisting's settlement price). */
export function closeAt(sizeX18: bigint, openNotionalX18: bigint, priceX18: bigint): bigint {
  return mulDivFloor(sizeX18, priceX18, X18) - openNotionalX18;
}

/** Whether `old -> new` strictly does not grow risk: |new| <= |old| and no sign flip. */
export function reducesRisk(oldSizeX18: bigint, newSizeX18: bigint): boolean {
  if (newSizeX18 === 0n) return true;
  const sameSide = (oldSizeX18 > 0n && newSizeX18 > 0n) || (oldSizeX18 < 0n && newSizeX18 < 0n);
  return sameSide && abs(newSizeX18) <= abs(oldSizeX18);
}

/** A size re-expressed from one cumulative split factor to another, rounded toward -infinity. */
export function rescaleSize(sizeX18: bigint, fromSplitFactorX18: bigint, toSplitFactorX18: bigint): bigint {
  if (sizeX18 === 0n || fromSplitFactorX18 === toSplitFactorX18) return sizeX18;
  if (fromSplitFactorX18 === 0n) throw new SundialMathError("Position_InvalidSplitFactor", [0n]);
  if (toSplitFactorX18 === 0n) throw new SundialMathError("Position_InvalidSplitFactor", [0n]);
  return checkedSize(mulDivFloor(sizeX18, toSplitFactorX18, fromSplitFactorX18));
}

/**
 * `PositionMath.sync`: settles funding since the position's last touch and applies splits since then (returns a new
 * position; the input is not modified).
 */
export function syncPosition(
  position: Position,
  fundingIndexX18: bigint,
  splitFactorX18: bigint,
): { position: Position; fundingOwedX18: bigint } {
  const fundingOwedX18 = pendingFundingX18(
    position.sizeX18,
    position.splitFactorX18,
    position.lastFundingIndexX18,
    fundingIndexX18,
  );
  return {
    fundingOwedX18,
    position: {
      sizeX18: rescaleSize(position.sizeX18, position.splitFactorX18, splitFactorX18),
      openNotionalX18: position.openNotionalX18,
      lastFundingIndexX18: fundingIndexX18,
      splitFactorX18,
    },
  };
}

/**
 * Throws unless every field fits its storage field (`PositionMath.encode` of an inline position:
 * size int128, open notional int127, funding index int128, split factor uint128).
 */
export function checkPositionPackable(position: Position): void {
  if (position.splitFactorX18 < 0n || position.splitFactorX18 > UINT128_MAX) {
    throw new SundialMathError("Position_InvalidSplitFactor", [position.splitFactorX18]);
  }
  if (!fitsInt128(position.lastFundingIndexX18)) {
    throw new SundialMathError("Position_FundingIndexOutOfRange", [position.lastFundingIndexX18]);
  }
  checkedSize(position.sizeX18);
  const notionalBound = 1n << 126n;
  if (position.openNotionalX18 < -notionalBound || position.openNotionalX18 >= notionalBound) {
    throw new SundialMathError("Position_OpenNotionalOutOfRange", [position.openNotionalX18]);
  }
}

function reduce(
  sizeX18: bigint,
  openNotionalX18: bigint,
  newSizeX18: bigint,
  priceX18: bigint,
): { newOpenNotionalX18: bigint; realizedPnlX18: bigint } {
  let keptX18 = 0n;
  let closedOpenNotionalX18 = openNotionalX18;
  if (newSizeX18 !== 0n) {
    const oldAbs = abs(sizeX18);
    const newAbs = abs(newSizeX18);
    keptX18 = mulDivCeil(openNotionalX18, newAbs, oldAbs);
    closedOpenNotionalX18 = mulDivCeil(openNotionalX18, oldAbs - newAbs, oldAbs);
  }
  const realizedPnlX18 = mulDivFloor(sizeX18 - newSizeX18, priceX18, X18) - closedOpenNotionalX18;
  return { newOpenNotionalX18: keptX18, realizedPnlX18 };
}

function checkFillInputs(
  sizeX18: bigint,
  openNotionalX18: bigint,
  fillSizeX18: bigint,
  priceX18: bigint,
): void {
  if (priceX18 === 0n || priceX18 > MAX_PRICE_X18) {
    throw new SundialMathError("Position_InvalidPrice", [priceX18, MAX_PRICE_X18]);
  }
  if (fillSizeX18 === 0n || !fitsInt128(fillSizeX18)) {
    throw new SundialMathError("Position_InvalidFillSize", [fillSizeX18]);
  }
  checkedSize(sizeX18);
  checkedOpenNotional(openNotionalX18);
}

function checkGrowth(newSizeX18: bigint, newOpenNotionalX18: bigint): void {
  if (abs(newSizeX18) > MAX_ABS_SIZE_X18) {
    throw new SundialMathError("Position_SizeAboveMax", [newSizeX18, MAX_ABS_SIZE_X18]);
  }
  if (abs(newOpenNotionalX18) > MAX_ABS_OPEN_NOTIONAL_X18) {
    throw new SundialMathError("Position_OpenNotionalAboveMax", [
      newOpenNotionalX18,
      MAX_ABS_OPEN_NOTIONAL_X18,
    ]);
  }
}

function checkedSize(sizeX18: bigint): bigint {
  if (!fitsInt128(sizeX18)) throw new SundialMathError("Position_SizeOutOfRange", [sizeX18]);
  return sizeX18;
}

function checkedOpenNotional(openNotionalX18: bigint): bigint {
  if (!fitsInt128(openNotionalX18))
    throw new SundialMathError("Position_OpenNotionalOutOfRange", [openNotionalX18]);
  return openNotionalX18;
}
