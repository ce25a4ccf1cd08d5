// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {Constants} from "./Constants.sol";
import {FixedPointMath} from "./FixedPointMath.sol";
import {FundingParams, FundingState, PackedFundingState} from "../types/Market.sol";

/// @title FundingMath
/// @notice Per-market funding (SPEC 5.4) and cash dividends (SPEC 3.5) through one cumulative index.
///
/// Units and signs:
/// - `indexX18` is cumulative funding in USD per BASE share (a share of the market's listing
///   epoch; one base share = `splitFactorX18 / 1e18` current shares). Keeping the index per base
///   share makes it immune to splits: a position's base size never changes, so its pending funding
///   is `baseSize * (index - lastIndex)` whatever splits happened in between.
/// - A rising index is paid by longs and received by shorts: pending funding of a position is
///   `size * (index - lastIndex) / splitFactor` (size in current shares at that split factor),
///   positive = owed by the account.
/// - Premium p = (perp price - index price) / index price. A premium held for the 8 h funding period
///   costs p; the rate per hour is clamp(p / 8 + interest, +/- cap) * session multiplier, accrued
///   per second: Δindex = rate * (index price per base share) * Δt / 1 h.
/// - A cash dividend D per base share LOWERS the index by D: longs "pay" -D (receive D per share),
///   shorts pay D, exactly offsetting the oracle's price drop of D (SPEC 3.5, INV-8).
///
/// Sampling is left-endpoint: the premium and multiplier sampled at an update hold until the next
/// update (a trade or `fund()`), like a Uniswap TWAP accumulator, so the result does not depend on
/// how often keepers call `fund()`, and a price pushed at one instant only counts from then on.
/// @dev `sdk/funding.ts` mirrors this file line by line; the two are differential-tested.
library FundingMath {
    /// @notice The index price is zero.
    error Funding_InvalidIndexPrice(uint256 indexPriceX18);
    /// @notice A split factor of zero was given for a non-empty position or an accrual.
    error Funding_InvalidSplitFactor(uint256 splitFactorX18);
    /// @notice `nowTime` is before the last update.
    error Funding_TimeWentBackwards(uint256 lastUpdateTime, uint256 nowTime);
    /// @notice The funding index left the int128 range of its storage field.
    error Funding_IndexOutOfRange(int256 indexX18);
    /// @notice The oracle's cumulative dividend went down (it only ever increases).
    error Funding_DividendDecreased(uint256 appliedDividendX18, uint256 cumulativeDividendX18);
    /// @notice A field does not fit its storage type (see `PackedFundingState`).
    error Funding_PremiumOutOfRange(int256 premiumX18);
    error Funding_PremiumCumulativeOutOfRange(int256 premiumCumulativeX18);
    error Funding_TimestampOutOfRange(uint256 timestamp);
    error Funding_MultiplierOutOfRange(uint256 multiplierBps);
    error Funding_DividendOutOfRange(uint256 cumulativeDividendX18);

    uint256 private constant X18 = Constants.X18;
    /// @dev The premium's share per hour: a premium held for the 8 h period costs the premium.
    int256 private constant PERIOD_HOURS = int256(
        Constants.CH_FUNDING_PERIOD / Constants.CH_FUNDING_RATE_UNIT
    );

    /// @notice The premium `(perpPrice - indexPrice) / indexPrice`, truncated toward zero and
    /// clamped to +/- `CH_MAX_ABS_PREMIUM_X18`.
    /// @dev Rounding direction is irrelevant to value transfer (it feeds a market-wide rate).
    function premiumX18(uint256 perpPriceX18, uint256 indexPriceX18) internal pure returns (int256) {
        if (indexPriceX18 == 0) revert Funding_InvalidIndexPrice(indexPriceX18);
        int256 gapX18 =
            perpPriceX18 >= indexPriceX18
                ? SafeCast.toInt256(perpPriceX18 - indexPriceX18)
                : -SafeCast.toInt256(indexPriceX18 - perpPriceX18);
        return _clampPremium(FixedPointMath.mulDivTrunc(gapX18, X18, indexPriceX18));
    }

    /// @notice The funding rate per hour for a premium: clamp(premium / 8 + interest, +/- cap) scaled
    /// by the session multiplier (bps). Positive: longs pay.
    /// @dev Truncated toward zero: a market-wide rate, paid and received alike.
    function fundingRatePerHourX18(
        int256 averagePremiumX18,
        FundingParams memory params,
        uint256 multiplierBps
    ) internal pure returns (int256) {
        int256 rawX18 = averagePremiumX18 / PERIOD_HOURS + params.interestRatePerHourX18;
        int256 capX18 = int256(uint256(params.rateCapPerHourX18));
        if (rawX18 > capX18) rawX18 = capX18;
        else if (rawX18 < -capX18) rawX18 = -capX18;
        return FixedPointMath.mulDivTrunc(rawX18, multiplierBps, Constants.BPS);
    }

    /// @notice The index increase (USD per base share) of `elapsed` seconds at `ratePerHourX18`:
    /// rate * indexPrice * splitFactor * elapsed / 1 h.
    /// @dev Truncated toward zero: the index is market-wide, so its rounding moves no value between
    /// longs and shorts (zero-sum holds exactly at the index level); truncation keeps each step no
    /// larger in magnitude than the exact one.
    function indexDeltaX18(
        int256 ratePerHourX18,
        uint256 indexPriceX18,
        uint256 splitFactorX18,
        uint256 elapsed
    ) internal pure returns (int256) {
        // Price per base share: one base share is splitFactor / 1e18 current shares (rounded down).
        uint256 pricePerBaseShareX18 = FixedPointMath.mulDivDown(indexPriceX18, splitFactorX18, X18);
        return
            FixedPointMath.mulDivTrunc(
                ratePerHourX18 * SafeCast.toInt256(elapsed),
                pricePerBaseShareX18,
                X18 * Constants.CH_FUNDING_RATE_UNIT
            );
    }

    /// @notice Accrues funding from `state.lastUpdateTime` to `nowTime` with the premium and
    /// multiplier sampled at the last update (left-endpoint), at the current index price. Integrates
    /// the premium accumulator. A never-updated state (`lastUpdateTime == 0`) only starts the clock.
    /// @param indexPriceX18 The oracle's index price (equal to the mark while CLOSED or DEGRADED).
    /// @param splitFactorX18 The oracle's current cumulative split factor.
    /// @return deltaX18 The index increase.
    function accrue(
        FundingState memory state,
        FundingParams memory params,
        uint256 indexPriceX18,
        uint256 splitFactorX18,
        uint256 nowTime
    ) internal pure returns (int256 deltaX18) {
        uint256 last = state.lastUpdateTime;
        if (nowTime < last) revert Funding_TimeWentBackwards(last, nowTime);
        if (last == 0) {
            state.lastUpdateTime = nowTime;
            return 0;
        }
        if (nowTime == last) return 0;
        if (indexPriceX18 == 0) revert Funding_InvalidIndexPrice(indexPriceX18);
        if (splitFactorX18 == 0) revert Funding_InvalidSplitFactor(splitFactorX18);
        uint256 elapsed = nowTime - last;
        state.premiumCumulativeX18 += state.lastPremiumX18 * SafeCast.toInt256(elapsed);
        int256 rateX18 = fundingRatePerHourX18(state.lastPremiumX18, params, state.lastMultiplierBps);
        deltaX18 = indexDeltaX18(rateX18, indexPriceX18, splitFactorX18, elapsed);
        state.indexX18 = _checkedIndex(state.indexX18 + deltaX18);
        state.lastUpdateTime = nowTime;
    }

    /// @notice Records the premium (clamped) and the session multiplier that hold from now on.
    /// @dev Call after `accrue` at the same time: at a trade with the trade's premium, at `fund()`
    /// with the unchanged `state.lastPremiumX18` and the current session's multiplier.
    function sample(FundingState memory state, int256 newPremiumX18, uint256 multiplierBps) internal pure {
        state.lastPremiumX18 = _clampPremium(newPremiumX18);
        state.lastMultiplierBps = multiplierBps;
    }

    /// @notice `accrue` to `nowTime`, then `sample` the new premium and multiplier.
    function update(
        FundingState memory state,
        FundingParams memory params,
        uint256 indexPriceX18,
        uint256 splitFactorX18,
        uint256 nowTime,
        int256 newPremiumX18,
        uint256 multiplierBps
    ) internal pure returns (int256 deltaX18) {
        deltaX18 = accrue(state, params, indexPriceX18, splitFactorX18, nowTime);
        sample(state, newPremiumX18, multiplierBps);
    }

    /// @notice Moves the oracle's cumulative dividend (USD per base share, only increasing) into the
    /// index: index -= (cumulative - applied). Longs receive, shorts pay that much per base share.
    /// "Exactly once" is structural: only the difference since the last application is applied.
    /// @return dividendX18 The dividend per base share applied now (0 when nothing is new).
    function applyDividend(
        FundingState memory state,
        uint256 cumulativeDividendX18
    ) internal pure returns (uint256 dividendX18) {
        uint256 applied = state.appliedDividendX18;
        if (cumulativeDividendX18 < applied) revert Funding_DividendDecreased(applied, cumulativeDividendX18);
        dividendX18 = cumulativeDividendX18 - applied;
        if (dividendX18 == 0) return 0;
        state.indexX18 = _checkedIndex(state.indexX18 - SafeCast.toInt256(dividendX18));
        state.appliedDividendX18 = cumulativeDividendX18;
    }

    /// @notice Funding owed by a position since it last settled: size * (index - lastIndex) /
    /// splitFactor, in USD. Positive: the account pays; negative: it receives.
    /// @param sizeX18 The stored size (current shares at `splitFactorX18`).
    /// @param splitFactorX18 The split factor at which `sizeX18` is expressed.
    /// @dev Rounded toward +infinity: a payer's amount rounds UP and a receiver's DOWN, so over any
    /// set of positions with zero net size the amounts paid cover the amounts received (INV-3,
    /// protocol-favouring dust only).
    function pendingFundingX18(
        int256 sizeX18,
        uint256 splitFactorX18,
        int256 lastIndexX18,
        int256 indexX18
    ) internal pure returns (int256) {
        if (sizeX18 == 0 || indexX18 == lastIndexX18) return 0;
        if (splitFactorX18 == 0) revert Funding_InvalidSplitFactor(splitFactorX18);
        int256 deltaX18 = indexX18 - lastIndexX18;
        // size * delta / factor = (-size) * (-delta) / factor: keep the unsigned factor non-negative.
        return
            deltaX18 >= 0
                ? FixedPointMath.mulDivCeil(sizeX18, uint256(deltaX18), splitFactorX18)
                : FixedPointMath.mulDivCeil(-sizeX18, uint256(-deltaX18), splitFactorX18);
    }

    /// @notice The time-weighted average premium between two readings of the accumulator.
    /// @dev For keepers and views (e.g. a predicted funding rate over the last hour).
    function twapPremiumX18(
        int256 premiumCumulativeStartX18,
        int256 premiumCumulativeEndX18,
        uint256 elapsed
    ) internal pure returns (int256) {
        if (elapsed == 0) return 0;
        return (premiumCumulativeEndX18 - premiumCumulativeStartX18) / SafeCast.toInt256(elapsed);
    }

    /// @notice The storage form of `state`, reverting if a field does not fit.
    function pack(FundingState memory state) internal pure returns (PackedFundingState memory packed) {
        packed.indexX18 = int128(_checkedIndex(state.indexX18));
        if (state.lastPremiumX18 > type(int72).max || state.lastPremiumX18 < type(int72).min) {
            revert Funding_PremiumOutOfRange(state.lastPremiumX18);
        }
        if (state.lastUpdateTime > type(uint40).max) revert Funding_TimestampOutOfRange(state.lastUpdateTime);
        if (state.lastMultiplierBps > type(uint16).max)
            revert Funding_MultiplierOutOfRange(state.lastMultiplierBps);
        if (state.premiumCumulativeX18 > type(int128).max || state.premiumCumulativeX18 < type(int128).min) {
            revert Funding_PremiumCumulativeOutOfRange(state.premiumCumulativeX18);
        }
        if (state.appliedDividendX18 > type(uint128).max) {
            revert Funding_DividendOutOfRange(state.appliedDividendX18);
        }
        // Every narrowing cast below was range-checked above.
        packed.lastPremiumX18 = int72(state.lastPremiumX18);
        packed.lastUpdateTime = uint40(state.lastUpdateTime);
        packed.lastMultiplierBps = uint16(state.lastMultiplierBps);
        packed.premiumCumulativeX18 = int128(state.premiumCumulativeX18);
        packed.appliedDividendX18 = uint128(state.appliedDividendX18);
    }

    /// @notice The memory form of a stored funding state.
    function unpack(PackedFundingState memory packed) internal pure returns (FundingState memory state) {
        state.indexX18 = packed.indexX18;
        state.premiumCumulativeX18 = packed.premiumCumulativeX18;
        state.lastPremiumX18 = packed.lastPremiumX18;
        state.lastUpdateTime = packed.lastUpdateTime;
        state.lastMultiplierBps = packed.lastMultiplierBps;
        state.appliedDividendX18 = packed.appliedDividendX18;
    }

    function _clampPremium(int256 premium) private pure returns (int256) {
        int256 maxPremium = int256(Constants.CH_MAX_ABS_PREMIUM_X18);
        if (premium > maxPremium) return maxPremium;
        if (premium < -maxPremium) return -maxPremium;
        return premium;
    }

    function _checkedIndex(int256 indexX18) private pure returns (int256) {
        if (indexX18 > type(int128).max || indexX18 < type(int128).min)
            revert Funding_IndexOutOfRange(indexX18);
        return indexX18;
    }
}
