// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {Constants} from "./Constants.sol";

/// @title OracleMath
/// @notice Stateless fixed-point math of the weekend-aware oracle (SPEC section 3.3): the EMA
/// weight `1 - e^(-x)`, the capped EMA step, the time-widening band and the quote blend.
/// @dev All values are 18-decimal fixed point unless the name says otherwise.
library OracleMath {
    /// @notice `oneMinusExpNegX18` is defined on [0, 1] only.
    error Oracle_ExpInputOutOfRange(uint256 xX18, uint256 maxX18);

    uint256 private constant X18 = Constants.X18;
    /// @dev bps -> X18: 1 bps = 1e-4 = 1e14 in X18.
    uint256 private constant BPS_TO_X18 = 1e14;

    /// @notice `1 - e^(-x)` for `x` in [0, 1].
    /// @dev The alternating Taylor series `x - x^2/2! + x^3/3! - ...`, summed directly so that small
    /// `x` loses no precision to cancellation. Each term is the previous one times `x / k`, rounded
    /// down; the loop stops when a term rounds to zero (at most 20 terms: 1/20! < 1e-18). Positive
    /// and negative terms are summed separately. The absolute error is a few wei (each rounded term
    /// is off by < k wei); the differential fuzz test bounds it by 10 wei against a 36-decimal
    /// reference. The result is always <= x <= 1e18.
    function oneMinusExpNegX18(uint256 xX18) internal pure returns (uint256) {
        if (xX18 > X18) revert Oracle_ExpInputOutOfRange(xX18, X18);
        uint256 positiveX18 = xX18;
        uint256 negativeX18;
        uint256 termX18 = xX18;
        for (uint256 k = 2; termX18 != 0; ++k) {
            // Rounding down: every term (and so each partial sum) is a lower bound of the exact one.
            termX18 = (termX18 * xX18) / (k * X18);
            if (k % 2 == 0) negativeX18 += termX18;
            else positiveX18 += termX18;
        }
        // The negative terms sum to at most x^2/2 < x, so this never underflows.
        return positiveX18 - negativeX18;
    }

    /// @notice One EMA update of the internal price toward a trade price, capped per update.
    /// @param currentX18 The internal price P before the trade.
    /// @param tradeX18 The trade price.
    /// @param dtSec Δt* = min(seconds since the last update, maxDt); must be <= `tauSec`.
    /// @param tauSec The EMA time constant.
    /// @param maxStepBps The largest move of one update, in bps of `currentX18`.
    /// @return nextX18 `P + min((1 - e^(-dt/tau)) * |trade - P|, P * maxStep)` toward the trade.
    /// @dev Both the weighted move and the cap round down, so P moves at most the exact amount (a
    /// rounding toward the current value: a wash trader gains nothing from rounding).
    function emaStepX18(
        uint256 currentX18,
        uint256 tradeX18,
        uint256 dtSec,
        uint256 tauSec,
        uint256 maxStepBps
    ) internal pure returns (uint256 nextX18) {
        uint256 weightX18 = oneMinusExpNegX18(Math.mulDiv(dtSec, X18, tauSec));
        uint256 gapX18 = tradeX18 > currentX18 ? tradeX18 - currentX18 : currentX18 - tradeX18;
        uint256 moveX18 = Math.min(
            Math.mulDiv(gapX18, weightX18, X18),
            (currentX18 * maxStepBps) / Constants.BPS
        );
        // The cap keeps the move <= P (the adapter bounds maxStepBps to 5 %), so this cannot underflow.
        nextX18 = tradeX18 > currentX18 ? currentX18 + moveX18 : currentX18 - moveX18;
    }

    /// @notice The band half-width `b(h) = min(b_cap, b_tier * sqrt(1 + h / horizon))` as a fraction.
    /// @param tierBps b_tier.
    /// @param capBps b_cap.
    /// @param elapsedSec Seconds since the anchor was observed (h, in seconds).
    /// @param horizonSec The "24 h" of the formula, in seconds.
    /// @return halfWidthX18 The half-width as an 18-decimal fraction (0.05e18 = 5 %).
    /// @dev The square root and the product round down: the band is never wider than the formula,
    /// so a mark clamped into it never lies outside the exact band.
    function bandHalfWidthX18(
        uint256 tierBps,
        uint256 capBps,
        uint256 elapsedSec,
        uint256 horizonSec
    ) internal pure returns (uint256 halfWidthX18) {
        uint256 growthX18 = Math.sqrt((X18 + Math.mulDiv(elapsedSec, X18, horizonSec)) * X18);
        halfWidthX18 = Math.min((tierBps * BPS_TO_X18 * growthX18) / X18, capBps * BPS_TO_X18);
    }

    /// @notice A bps value as an 18-decimal fraction (exact).
    function bpsToX18(uint256 bps) internal pure returns (uint256) {
        return bps * BPS_TO_X18;
    }

    /// @notice The band `[anchor * (1 - b), anchor * (1 + b)]`.
    /// @dev The offset `anchor * b` rounds down, so the low edge rounds up and the high edge rounds
    /// down: the returned band lies inside the exact one.
    function bandX18(
        uint256 anchorX18,
        uint256 halfWidthX18
    ) internal pure returns (uint256 lowX18, uint256 highX18) {
        uint256 offsetX18 = Math.mulDiv(anchorX18, halfWidthX18, X18);
        // halfWidth <= 20 % (MAX_BAND_CAP_BPS), so the offset is below the anchor.
        lowX18 = anchorX18 - offsetX18;
        highX18 = anchorX18 + offsetX18;
    }

    /// @notice `value` clamped into `[lowX18, highX18]` (requires low <= high).
    function clamp(uint256 value, uint256 lowX18, uint256 highX18) internal pure returns (uint256) {
        return Math.min(Math.max(value, lowX18), highX18);
    }

    /// @notice Whether `otherX18` deviates from `referenceX18` by more than `maxDeviationBps` of it.
    /// @dev Compared as integers (`|a - b| * BPS > max * a`): no rounding at all.
    function deviatesBeyond(
        uint256 referenceX18,
        uint256 otherX18,
        uint256 maxDeviationBps
    ) internal pure returns (bool) {
        uint256 gapX18 = referenceX18 > otherX18 ? referenceX18 - otherX18 : otherX18 - referenceX18;
        return gapX18 * Constants.BPS > referenceX18 * maxDeviationBps;
    }

    /// @notice `internal * (1 - w) + quote * w`, with `w = weightBps / BPS`.
    /// @dev Rounds down (one wei at most); the result is then clamped into the band anyway.
    function blendX18(
        uint256 internalX18,
        uint256 quoteX18,
        uint256 weightBps
    ) internal pure returns (uint256) {
        return (internalX18 * (Constants.BPS - weightBps) + quoteX18 * weightBps) / Constants.BPS;
    }
}
