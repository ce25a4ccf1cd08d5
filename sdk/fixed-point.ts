/**
 * Fixed-point helpers shared by the clearinghouse mirrors (`positions.ts`, `funding.ts`,
 * `margin.ts`). They mirror `contracts/libraries/FixedPointMath.sol`: `x * y / d` with the rounding
 * direction in the name, exact on native `bigint`, and the same failures as the Solidity code
 * (a quotient beyond int256 / uint256, a zero divisor).
 */

/** 18-decimal fixed point: 1e18 is 1.0. */
export const X18 = 10n ** 18n;
/** Basis points: 10,000 bps is 100 %. */
export const BPS = 10_000n;

export const INT128_MIN = -(2n ** 127n);
export const INT128_MAX = 2n ** 127n - 1n;
export const UINT128_MAX = 2n ** 128n - 1n;
export const INT256_MAX = 2n ** 255n - 1n;
export const UINT256_MAX = 2n ** 256n - 1n;

/**
 * A failure of the clearinghouse math. `code` is the name of the Solidity custom error (or panic)
 * the on-chain code reverts with, and `args` its arguments, so callers and differential tests can
 * compare them one to one.
 */
export class SundialMathError extends Error {
  constructor(
    readonly code: string,
    readonly args: readonly bigint[] = [],
  ) {
    super(`${code}(${args.join(", ")})`);
    this.name = "SundialMathError";
  }
}

/** |x| */
export function abs(x: bigint): bigint {
  return x < 0n ? -x : x;
}

/** Whether `value` fits int128 (the clearinghouse's storage fields). */
export function fitsInt128(value: bigint): boolean {
  return value >= INT128_MIN && value <= INT128_MAX;
}

/** OpenZeppelin `SafeCast.toInt256`: a uint256 above int256's maximum reverts. */
function toInt256(value: bigint): bigint {
  if (value > INT256_MAX) throw new SundialMathError("SafeCastOverflowedUintToInt", [value]);
  return value;
}

/** `floor(x * y / d)` and whether a remainder was dropped (unsigned operands). */
export function mulDivWithRemainder(
  x: bigint,
  y: bigint,
  d: bigint,
): { quotientDown: bigint; hasRemainder: boolean } {
  if (d === 0n) throw new SundialMathError("Panic", [0x12n]);
  const product = x * y;
  const quotientDown = product / d;
  if (quotientDown > UINT256_MAX) throw new SundialMathError("Panic", [0x11n]);
  return { quotientDown, hasRemainder: product % d !== 0n };
}

/** `floor(x * y / d)` for unsigned values. */
export function mulDivDown(x: bigint, y: bigint, d: bigint): bigint {
  return mulDivWithRemainder(x, y, d).quotientDown;
}

/** `ceil(x * y / d)` for unsigned values. */
export function mulDivUp(x: bigint, y: bigint, d: bigint): bigint {
  const { quotientDown, hasRemainder } = mulDivWithRemainder(x, y, d);
  const quotient = hasRemainder ? quotientDown + 1n : quotientDown;
  if (quotient > UINT256_MAX) throw new SundialMathError("Panic", [0x11n]);
  return quotient;
}

/** `floor(x * y / d)`: toward negative infinity (x signed, y and d unsigned). */
export function mulDivFloor(x: bigint, y: bigint, d: bigint): bigint {
  const { quotientDown, hasRemainder } = mulDivWithRemainder(abs(x), y, d);
  if (x >= 0n) return toInt256(quotientDown);
  return -toInt256(hasRemainder ? quotientDown + 1n : quotientDown);
}

/** `ceil(x * y / d)`: toward positive infinity. */
export function mulDivCeil(x: bigint, y: bigint, d: bigint): bigint {
  const { quotientDown, hasRemainder } = mulDivWithRemainder(abs(x), y, d);
  if (x >= 0n) return toInt256(hasRemainder ? quotientDown + 1n : quotientDown);
  return -toInt256(quotientDown);
}

/** `trunc(x * y / d)`: toward zero. */
export function mulDivTrunc(x: bigint, y: bigint, d: bigint): bigint {
  const magnitude = toInt256(mulDivWithRemainder(abs(x), y, d).quotientDown);
  return x >= 0n ? magnitude : -magnitude;
}
