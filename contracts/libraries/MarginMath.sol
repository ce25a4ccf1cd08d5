// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {SignedMath} from "@openzeppelin/contracts/utils/math/SignedMath.sol";
import {Constants} from "./Constants.sol";
import {FixedPointMath} from "./FixedPointMath.sol";
import {AccountHealth, MarketExposure} from "../types/Market.sol";

/// @title MarginMath
/// @notice Cross-margin health of one account (SPEC 5.3, 4): equity, initial and maintenance
/// margin, margin ratio and withdrawable collateral, summed in ONE pass over the account's markets.
///
/// - equity = collateral + Σ uPnL - Σ pending funding
/// - equity without profit = collateral + Σ min(uPnL, 0) - Σ pending funding. Each market's
///   positive uPnL counts as zero (not netted against another market's loss): unrealized profit,
///   which a manipulated mark can create, never backs a withdrawal (SPEC 4, the Mango lesson).
/// - IM = Σ |size| * mark * IM ratio, MM likewise, each market at its own session's ratios.
/// - withdrawable = max(0, min(collateral, equity without profit - IM)).
/// - liquidatable when equity < MM; a new risk needs equity >= IM after the trade.
///
/// Usage: `AccountHealth memory h = MarginMath.start(collateral);` then, in the clearinghouse's
/// loop over the account's markets, `MarginMath.accumulate(h, exposure)`; or `MarginMath.accountHealth`
/// over a memory array. Every per-market term rounds against the account (uPnL down, requirements
/// up), so the sums are conservative.
/// @dev `sdk/margin.ts` mirrors this file; the two are differential-tested.
library MarginMath {
    uint256 private constant X18 = Constants.X18;
    uint256 private constant BPS = Constants.BPS;

    /// @notice Collateral or an exposure field is outside the range the clearinghouse stores
    /// (values in int128, mark <= CH_MAX_PRICE_X18, ratios <= 100 %).
    error Margin_CollateralOutOfRange(int256 collateralX18);
    error Margin_ExposureOutOfRange(
        int256 sizeX18,
        int256 openNotionalX18,
        int256 pendingFundingX18,
        uint256 markPriceX18,
        uint256 initialMarginBps,
        uint256 maintenanceMarginBps
    );

    /// @notice A health record for an account with `collateralX18` and no positions yet.
    function start(int256 collateralX18) internal pure returns (AccountHealth memory health) {
        if (!_fitsInt128(collateralX18)) revert Margin_CollateralOutOfRange(collateralX18);
        health.equityX18 = collateralX18;
        health.equityWithoutProfitX18 = collateralX18;
    }

    /// @notice Adds one market's position to `health`.
    /// @dev One product |size| * mark gives every term, with the roundings of
    /// `PositionMath.unrealizedPnlX18` (toward -infinity), `notionalX18` (up) and
    /// `marginRequirementX18` (up, on the rounded-up notional); the equality is tested.
    function accumulate(AccountHealth memory health, MarketExposure memory exposure) internal pure {
        accumulateValues(
            health,
            exposure.sizeX18,
            exposure.openNotionalX18,
            exposure.pendingFundingX18,
            exposure.markPriceX18,
            exposure.initialMarginBps,
            exposure.maintenanceMarginBps
        );
    }

    /// @notice `accumulate` with the exposure's fields as values (no `MarketExposure` in memory: the
    /// clearinghouse's margin check calls it for every market of both sides of every match).
    function accumulateValues(
        AccountHealth memory health,
        int256 sizeX18,
        int256 openNotionalX18,
        int256 pendingFundingX18,
        uint256 markPriceX18,
        uint256 initialMarginBps,
        uint256 maintenanceMarginBps
    ) internal pure {
        if (
            !_fitsInt128(sizeX18) ||
            !_fitsInt128(openNotionalX18) ||
            !_fitsInt128(pendingFundingX18) ||
            markPriceX18 > Constants.CH_MAX_PRICE_X18 ||
            initialMarginBps > BPS ||
            maintenanceMarginBps > BPS
        ) {
            revert Margin_ExposureOutOfRange(
                sizeX18,
                openNotionalX18,
                pendingFundingX18,
                markPriceX18,
                initialMarginBps,
                maintenanceMarginBps
            );
        }
        (uint256 notionalDownX18, bool hasRemainder) = FixedPointMath.mulDivWithRemainder(
            SignedMath.abs(sizeX18),
            markPriceX18,
            X18
        );
        // Unchecked: with the ranges checked above every term is below 2^196 in magnitude (|size| and
        // mark below 2^127, divided by 1e18), so a sum over fewer than 2^58 markets cannot overflow.
        unchecked {
            uint256 notionalUpX18 = hasRemainder ? notionalDownX18 + 1 : notionalDownX18;
            // size * mark toward -infinity: a long's value rounds down, a short's liability up.
            int256 uPnlX18 =
                (sizeX18 >= 0 ? int256(notionalDownX18) : -int256(notionalUpX18)) - openNotionalX18;
            health.equityX18 += uPnlX18 - pendingFundingX18;
            health.equityWithoutProfitX18 += (uPnlX18 < 0 ? uPnlX18 : int256(0)) - pendingFundingX18;
            health.notionalX18 += notionalUpX18;
            health.initialMarginX18 += FixedPointMath.mulDivUp(notionalUpX18, initialMarginBps, BPS);
            health.maintenanceMarginX18 += FixedPointMath.mulDivUp(notionalUpX18, maintenanceMarginBps, BPS);
        }
    }

    /// @notice One position's uPnL and initial margin, rounded exactly as `accumulate` rounds them
    /// (uPnL toward -infinity, the notional and the requirement up): the clearinghouse's margin check
    /// of an account whose only position is the traded one.
    /// @dev Warning: no range checks. The caller guarantees |size| <= CH_MAX_ABS_SIZE_X18, |open
    /// notional| < 2^127, mark <= CH_MAX_PRICE_X18 and initialMarginBps <= BPS (the bounds `accumulate`
    /// checks), under which nothing below overflows. The rounding repeats `accumulateValues` on
    /// purpose (a shared internal helper is not inlined and costs ~100 gas per match);
    /// `testFuzz_pnlAndInitialMargin_MatchesAccumulate` holds the two equal.
    function pnlAndInitialMargin(
        int256 sizeX18,
        int256 openNotionalX18,
        uint256 markPriceX18,
        uint256 initialMarginBps
    ) internal pure returns (int256 uPnlX18, uint256 initialMarginX18) {
        (uint256 notionalDownX18, bool hasRemainder) = FixedPointMath.mulDivWithRemainder(
            SignedMath.abs(sizeX18),
            markPriceX18,
            X18
        );
        // Unchecked: |size| * mark / 1e18 < 2^200 and |open notional| < 2^127 under the caller's bounds.
        unchecked {
            uint256 notionalUpX18 = hasRemainder ? notionalDownX18 + 1 : notionalDownX18;
            uPnlX18 = (sizeX18 >= 0 ? int256(notionalDownX18) : -int256(notionalUpX18)) - openNotionalX18;
            initialMarginX18 = FixedPointMath.mulDivUp(notionalUpX18, initialMarginBps, BPS);
        }
    }

    /// @notice The health of an account with `collateralX18` and the positions in `exposures`.
    function accountHealth(
        int256 collateralX18,
        MarketExposure[] memory exposures
    ) internal pure returns (AccountHealth memory health) {
        health = start(collateralX18);
        uint256 count = exposures.length;
        for (uint256 i; i < count; ++i) {
            accumulate(health, exposures[i]);
        }
    }

    /// @notice equity / Σ notional (X18), rounded down; `type(int256).max` without positions.
    /// @dev Compare with a requirement ratio r (bps) as `ratio >= r * 1e14`; e.g. SPEC 7's
    /// "margin ratio >= MM / 2" is `2 * equity >= maintenanceMargin`.
    function marginRatioX18(AccountHealth memory health) internal pure returns (int256) {
        if (health.notionalX18 == 0) return type(int256).max;
        return FixedPointMath.mulDivFloor(health.equityX18, X18, health.notionalX18);
    }

    /// @notice Collateral that may leave the account: max(0, min(collateral, equity without profit -
    /// IM)) (SPEC 4; the vault's `IMarginAuthority.withdrawableX18`).
    function withdrawableX18(
        int256 collateralX18,
        AccountHealth memory health
    ) internal pure returns (uint256) {
        int256 freeX18 = health.equityWithoutProfitX18 - SafeCast.toInt256(health.initialMarginX18);
        int256 capX18 = collateralX18 < freeX18 ? collateralX18 : freeX18;
        return capX18 > 0 ? uint256(capX18) : 0;
    }

    /// @notice Whether the account may take new risk: equity >= IM.
    function meetsInitialMargin(AccountHealth memory health) internal pure returns (bool) {
        return health.equityX18 >= SafeCast.toInt256(health.initialMarginX18);
    }

    /// @notice Whether the account may be liquidated: equity < MM (INV-4: never when equity >= MM).
    function isLiquidatable(AccountHealth memory health) internal pure returns (bool) {
        return health.equityX18 < SafeCast.toInt256(health.maintenanceMarginX18);
    }

    /// @dev Whether `value` fits int128 (a sign extension from bit 127 leaves it unchanged).
    function _fitsInt128(int256 value) private pure returns (bool) {
        return int256(int128(value)) == value;
    }
}
