// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {SignedMath} from "@openzeppelin/contracts/utils/math/SignedMath.sol";

/// @title FixedPointMath
/// @notice `x * y / d` with the rounding direction in the name, unsigned and signed. The
/// clearinghouse libraries use it wherever an amount is scaled, so every rounding choice is visible.
/// @dev Hot-path cost: when `x * y` fits in 256 bits (always, for the clearinghouse's bounded sizes
/// and prices) it is one multiplication, one division and one modulo; otherwise it falls back to
/// OpenZeppelin's 512-bit `Math.mulDiv`, so no input overflows silently. A quotient beyond
/// int256 reverts with OpenZeppelin's `SafeCastOverflowedUintToInt`; `d == 0` panics (division by
/// zero) — callers never pass it. `sdk/fixed-point.ts` mirrors this file.
library FixedPointMath {
    /// @notice `floor(x * y / d)` for unsigned values.
    function mulDivDown(uint256 x, uint256 y, uint256 d) internal pure returns (uint256 quotient) {
        (quotient, ) = _mulDiv(x, y, d);
    }

    /// @notice `floor(x * y / d)` and whether the division dropped a remainder (so that a caller
    /// needing both roundings of one product pays for one division).
    function mulDivWithRemainder(
        uint256 x,
        uint256 y,
        uint256 d
    ) internal pure returns (uint256 quotientDown, bool hasRemainder) {
        return _mulDiv(x, y, d);
    }

    /// @notice `ceil(x * y / d)` for unsigned values.
    function mulDivUp(uint256 x, uint256 y, uint256 d) internal pure returns (uint256) {
        (uint256 quotient, bool inexact) = _mulDiv(x, y, d);
        // Checked: only a 512-bit quotient of 2^256 - 1 with a remainder could wrap; it reverts.
        return inexact ? quotient + 1 : quotient;
    }

    /// @notice `floor(x * y / d)`: rounded toward negative infinity.
    function mulDivFloor(int256 x, uint256 y, uint256 d) internal pure returns (int256) {
        (uint256 magnitude, bool inexact) = _mulDiv(SignedMath.abs(x), y, d);
        // Toward -inf: a non-negative quotient keeps its magnitude rounded down, a negative one up.
        if (x >= 0) return SafeCast.toInt256(magnitude);
        return -_toInt256RoundedUp(magnitude, inexact);
    }

    /// @notice `ceil(x * y / d)`: rounded toward positive infinity.
    function mulDivCeil(int256 x, uint256 y, uint256 d) internal pure returns (int256) {
        (uint256 magnitude, bool inexact) = _mulDiv(SignedMath.abs(x), y, d);
        // Toward +inf: a non-negative quotient rounds its magnitude up, a negative one keeps it down.
        if (x >= 0) return _toInt256RoundedUp(magnitude, inexact);
        return -SafeCast.toInt256(magnitude);
    }

    /// @notice `trunc(x * y / d)`: rounded toward zero (for market-wide quantities whose rounding
    /// moves no value between parties, e.g. a funding rate).
    function mulDivTrunc(int256 x, uint256 y, uint256 d) internal pure returns (int256) {
        (uint256 magnitude, ) = _mulDiv(SignedMath.abs(x), y, d);
        return x >= 0 ? SafeCast.toInt256(magnitude) : -SafeCast.toInt256(magnitude);
    }

    /// @dev `floor(x * y / d)` and whether it dropped a remainder. The hot path (the product fits in
    /// 256 bits and d != 0) is four opcodes of inline assembly: legacy code generation spends ~5x
    /// more on the same checked Solidity arithmetic, and this runs several times per fill and per
    /// market of every margin check. Differential-tested against OpenZeppelin's `Math.mulDiv` (Solidity
    /// fuzz) and against exact bigint arithmetic (SDK). Every other input takes the checked path:
    /// OpenZeppelin's 512-bit `mulDiv`, which panics on d == 0 or a quotient >= 2^256.
    function _mulDiv(uint256 x, uint256 y, uint256 d) private pure returns (uint256 quotient, bool inexact) {
        bool fits;
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            let product := mul(x, y)
            // The product fits iff x == 0 or product / x == y (EVM div by zero yields 0, no revert).
            fits := and(gt(d, 0), or(iszero(x), eq(div(product, x), y)))
            if fits {
                quotient := div(product, d)
                inexact := gt(mod(product, d), 0)
            }
        }
        if (!fits) {
            quotient = Math.mulDiv(x, y, d);
            inexact = mulmod(x, y, d) != 0;
        }
    }

    function _toInt256RoundedUp(uint256 magnitude, bool inexact) private pure returns (int256) {
        return SafeCast.toInt256(inexact ? magnitude + 1 : magnitude);
    }
}
