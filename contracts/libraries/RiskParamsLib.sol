// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Constants} from "./Constants.sol";
import {FundingParams, SessionRiskParams} from "../types/Market.sol";
import {Session} from "../types/Session.sol";

/// @title RiskParamsLib
/// @notice Hard bounds and suggested defaults of the clearinghouse's per-session risk parameters and
/// per-market funding parameters (SPEC 5.1, 5.4). Setters call `validate` / `validateFunding`; the
/// bounds are immutable constants in the clearinghouse section of `Constants`, each with its derivation.
/// @dev Every violation reverts with a custom error naming the offending value and its bounds.
library RiskParamsLib {
    /// @notice IM is outside [1 / max leverage, 100 %].
    error RiskParams_InitialMarginOutOfRange(uint256 initialMarginBps, uint256 minBps, uint256 maxBps);
    /// @notice MM is below its floor or not strictly below IM.
    error RiskParams_MaintenanceMarginOutOfRange(
        uint256 maintenanceMarginBps,
        uint256 minBps,
        uint256 initialMarginBps
    );
    /// @notice The taker fee is negative or above the fee cap.
    error RiskParams_TakerFeeOutOfRange(int256 takerFeeBps, uint256 maxBps);
    /// @notice The maker fee is above the fee cap, or its rebate exceeds the taker fee.
    error RiskParams_MakerFeeOutOfRange(int256 makerFeeBps, int256 minBps, uint256 maxBps);
    /// @notice The fill-price band is outside its bounds.
    error RiskParams_FillBandOutOfRange(uint256 fillBandBps, uint256 minBps, uint256 maxBps);
    /// @notice The funding multiplier is above its bound.
    error RiskParams_FundingMultiplierAboveMax(uint256 fundingMultiplierBps, uint256 maxBps);
    /// @notice The open-interest cap is above its bound.
    error RiskParams_OpenInterestCapAboveMax(uint256 openInterestCapX18, uint256 maxX18);
    /// @notice The per-hour funding-rate cap is outside its bounds.
    error RiskParams_FundingRateCapOutOfRange(uint256 rateCapPerHourX18, uint256 minX18, uint256 maxX18);
    /// @notice |interest rate per hour| is above its bound.
    error RiskParams_InterestRateOutOfRange(int256 interestRatePerHourX18, uint256 maxAbsX18);

    /// @notice Reverts unless every field of `params` is inside its hard bounds: IM in [2 %, 100 %]
    /// (leverage <= 50x), MM in [0.5 %, IM), taker fee in [0, 1 %], maker fee in [-taker fee, 1 %]
    /// (a rebate never exceeds the taker fee of the same match), fill band in [0.1 %, 20 %], funding
    /// multiplier <= 2x, open-interest cap <= USD 1e12.
    function validate(SessionRiskParams memory params) internal pure {
        _validateMargins(params.initialMarginBps, params.maintenanceMarginBps);
        _validateFees(params.makerFeeBps, params.takerFeeBps);
        if (
            params.fillBandBps < Constants.CH_MIN_FILL_BAND_BPS ||
            params.fillBandBps > Constants.CH_MAX_FILL_BAND_BPS
        ) {
            revert RiskParams_FillBandOutOfRange(
                params.fillBandBps,
                Constants.CH_MIN_FILL_BAND_BPS,
                Constants.CH_MAX_FILL_BAND_BPS
            );
        }
        if (params.fundingMultiplierBps > Constants.CH_MAX_FUNDING_MULTIPLIER_BPS) {
            revert RiskParams_FundingMultiplierAboveMax(
                params.fundingMultiplierBps,
                Constants.CH_MAX_FUNDING_MULTIPLIER_BPS
            );
        }
        if (params.openInterestCapX18 > Constants.CH_MAX_OPEN_INTEREST_CAP_X18) {
            revert RiskParams_OpenInterestCapAboveMax(
                params.openInterestCapX18,
                Constants.CH_MAX_OPEN_INTEREST_CAP_X18
            );
        }
    }

    /// @notice Reverts unless the funding-rate cap is in [0.01 %, 4 %] per hour and |interest| is
    /// at most 0.005 % per hour.
    function validateFunding(FundingParams memory params) internal pure {
        if (
            params.rateCapPerHourX18 < Constants.CH_MIN_FUNDING_RATE_CAP_PER_HOUR_X18 ||
            params.rateCapPerHourX18 > Constants.CH_MAX_FUNDING_RATE_CAP_PER_HOUR_X18
        ) {
            revert RiskParams_FundingRateCapOutOfRange(
                params.rateCapPerHourX18,
                Constants.CH_MIN_FUNDING_RATE_CAP_PER_HOUR_X18,
                Constants.CH_MAX_FUNDING_RATE_CAP_PER_HOUR_X18
            );
        }
        int256 interest = params.interestRatePerHourX18;
        uint256 maxInterest = Constants.CH_MAX_ABS_INTEREST_RATE_PER_HOUR_X18;
        // int64 values are far inside int256, so the cast of the bound (5e13) is exact.
        if (interest > int256(maxInterest) || interest < -int256(maxInterest)) {
            revert RiskParams_InterestRateOutOfRange(interest, maxInterest);
        }
    }

    /// @notice The suggested large-cap parameters for `session` (SPEC 5.1): regular 10x (IM 10 %,
    /// MM 5 %), pre/post-market and overnight 5x, closed 4x; see `Constants` for each derivation.
    /// @dev The result always passes `validate` (tested for every session).
    function defaults(Session session) internal pure returns (SessionRiskParams memory params) {
        if (session == Session.REGULAR) {
            return
                _params(
                    Constants.CH_DEFAULT_REGULAR_IM_BPS,
                    Constants.CH_DEFAULT_REGULAR_MM_BPS,
                    Constants.CH_DEFAULT_REGULAR_MAKER_FEE_BPS,
                    Constants.CH_DEFAULT_REGULAR_TAKER_FEE_BPS,
                    Constants.CH_DEFAULT_REGULAR_FILL_BAND_BPS,
                    Constants.CH_DEFAULT_FULL_FUNDING_MULTIPLIER_BPS,
                    Constants.CH_DEFAULT_REGULAR_OPEN_INTEREST_CAP_X18
                );
        }
        if (session == Session.CLOSED) {
            return
                _params(
                    Constants.CH_DEFAULT_CLOSED_IM_BPS,
                    Constants.CH_DEFAULT_CLOSED_MM_BPS,
                    Constants.CH_DEFAULT_OFF_HOURS_MAKER_FEE_BPS,
                    Constants.CH_DEFAULT_OFF_HOURS_TAKER_FEE_BPS,
                    Constants.CH_DEFAULT_OFF_HOURS_FILL_BAND_BPS,
                    Constants.CH_DEFAULT_CLOSED_FUNDING_MULTIPLIER_BPS,
                    Constants.CH_DEFAULT_CLOSED_OPEN_INTEREST_CAP_X18
                );
        }
        return
            _params(
                Constants.CH_DEFAULT_EXTENDED_IM_BPS,
                Constants.CH_DEFAULT_EXTENDED_MM_BPS,
                Constants.CH_DEFAULT_OFF_HOURS_MAKER_FEE_BPS,
                Constants.CH_DEFAULT_OFF_HOURS_TAKER_FEE_BPS,
                Constants.CH_DEFAULT_OFF_HOURS_FILL_BAND_BPS,
                session == Session.OVERNIGHT
                    ? Constants.CH_DEFAULT_OVERNIGHT_FUNDING_MULTIPLIER_BPS
                    : Constants.CH_DEFAULT_FULL_FUNDING_MULTIPLIER_BPS,
                Constants.CH_DEFAULT_EXTENDED_OPEN_INTEREST_CAP_X18
            );
    }

    /// @notice The suggested funding parameters: cap 0.1 %/h, interest 0.0005 %/h (~4.4 %/year).
    function defaultFunding() internal pure returns (FundingParams memory) {
        return
            FundingParams({
                rateCapPerHourX18: uint64(Constants.CH_DEFAULT_FUNDING_RATE_CAP_PER_HOUR_X18),
                interestRatePerHourX18: int64(Constants.CH_DEFAULT_INTEREST_RATE_PER_HOUR_X18)
            });
    }

    /// @notice The largest leverage `params` allows, rounded down (10,000 / IM bps).
    function maxLeverage(SessionRiskParams memory params) internal pure returns (uint256) {
        return Constants.BPS / params.initialMarginBps;
    }

    function _validateMargins(uint256 initialMarginBps, uint256 maintenanceMarginBps) private pure {
        if (
            initialMarginBps < Constants.CH_MIN_INITIAL_MARGIN_BPS ||
            initialMarginBps > Constants.CH_MAX_INITIAL_MARGIN_BPS
        ) {
            revert RiskParams_InitialMarginOutOfRange(
                initialMarginBps,
                Constants.CH_MIN_INITIAL_MARGIN_BPS,
                Constants.CH_MAX_INITIAL_MARGIN_BPS
            );
        }
        if (
            maintenanceMarginBps < Constants.CH_MIN_MAINTENANCE_MARGIN_BPS ||
            maintenanceMarginBps >= initialMarginBps
        ) {
            revert RiskParams_MaintenanceMarginOutOfRange(
                maintenanceMarginBps,
                Constants.CH_MIN_MAINTENANCE_MARGIN_BPS,
                initialMarginBps
            );
        }
    }

    function _validateFees(int256 makerFeeBps, int256 takerFeeBps) private pure {
        // The cap is 100, so the casts of the bound to int256 are exact.
        int256 cap = int256(Constants.CH_MAX_FEE_BPS);
        if (takerFeeBps < 0 || takerFeeBps > cap) {
            revert RiskParams_TakerFeeOutOfRange(takerFeeBps, Constants.CH_MAX_FEE_BPS);
        }
        // maker >= -taker: a maker rebate is paid out of the taker fee of the same match.
        if (makerFeeBps < -takerFeeBps || makerFeeBps > cap) {
            revert RiskParams_MakerFeeOutOfRange(makerFeeBps, -takerFeeBps, Constants.CH_MAX_FEE_BPS);
        }
    }

    function _params(
        uint256 initialMarginBps,
        uint256 maintenanceMarginBps,
        int256 makerFeeBps,
        int256 takerFeeBps,
        uint256 fillBandBps,
        uint256 fundingMultiplierBps,
        uint256 openInterestCapX18
    ) private pure returns (SessionRiskParams memory) {
        // Every default is a small constant documented in `Constants`; the narrowing casts are exact.
        return
            SessionRiskParams({
                initialMarginBps: uint16(initialMarginBps),
                maintenanceMarginBps: uint16(maintenanceMarginBps),
                makerFeeBps: int16(makerFeeBps),
                takerFeeBps: int16(takerFeeBps),
                fillBandBps: uint16(fillBandBps),
                fundingMultiplierBps: uint16(fundingMultiplierBps),
                openInterestCapX18: uint128(openInterestCapX18)
            });
    }
}
