// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {FundingMath} from "../libraries/FundingMath.sol";
import {FundingParams, FundingState, PackedFundingState} from "../types/Market.sol";

/// @notice Test harness: exposes `FundingMath` externally (expected reverts in Solidity tests, SDK
/// differential tests), with batch entry points and gas probes.
contract FundingMathHarness {
    /// @notice One step of a funding simulation: optional dividend, accrual to `time`, then a sample.
    struct Step {
        uint256 time;
        uint256 indexPriceX18;
        uint256 splitFactorX18;
        int256 newPremiumX18;
        uint256 multiplierBps;
        uint256 cumulativeDividendX18;
    }

    struct PendingCase {
        int256 sizeX18;
        uint256 splitFactorX18;
        int256 lastIndexX18;
        int256 indexX18;
    }

    function premiumX18(uint256 perpPriceX18, uint256 indexPriceX18) external pure returns (int256) {
        return FundingMath.premiumX18(perpPriceX18, indexPriceX18);
    }

    function fundingRatePerHourX18(
        int256 averagePremiumX18,
        FundingParams memory params,
        uint256 multiplierBps
    ) external pure returns (int256) {
        return FundingMath.fundingRatePerHourX18(averagePremiumX18, params, multiplierBps);
    }

    function indexDeltaX18(
        int256 ratePerHourX18,
        uint256 indexPriceX18,
        uint256 splitFactorX18,
        uint256 elapsed
    ) external pure returns (int256) {
        return FundingMath.indexDeltaX18(ratePerHourX18, indexPriceX18, splitFactorX18, elapsed);
    }

    function accrue(
        FundingState memory state,
        FundingParams memory params,
        uint256 indexPriceX18,
        uint256 splitFactorX18,
        uint256 nowTime
    ) external pure returns (FundingState memory, int256 deltaX18) {
        deltaX18 = FundingMath.accrue(state, params, indexPriceX18, splitFactorX18, nowTime);
        return (state, deltaX18);
    }

    function sample(
        FundingState memory state,
        int256 newPremiumX18,
        uint256 multiplierBps
    ) external pure returns (FundingState memory) {
        FundingMath.sample(state, newPremiumX18, multiplierBps);
        return state;
    }

    function update(
        FundingState memory state,
        FundingParams memory params,
        Step memory step
    ) external pure returns (FundingState memory, int256 deltaX18) {
        deltaX18 = FundingMath.update(
            state,
            params,
            step.indexPriceX18,
            step.splitFactorX18,
            step.time,
            step.newPremiumX18,
            step.multiplierBps
        );
        return (state, deltaX18);
    }

    function applyDividend(
        FundingState memory state,
        uint256 cumulativeDividendX18
    ) external pure returns (FundingState memory, uint256 dividendX18) {
        dividendX18 = FundingMath.applyDividend(state, cumulativeDividendX18);
        return (state, dividendX18);
    }

    function pendingFundingX18(
        int256 sizeX18,
        uint256 splitFactorX18,
        int256 lastIndexX18,
        int256 indexX18
    ) external pure returns (int256) {
        return FundingMath.pendingFundingX18(sizeX18, splitFactorX18, lastIndexX18, indexX18);
    }

    function twapPremiumX18(int256 startX18, int256 endX18, uint256 elapsed) external pure returns (int256) {
        return FundingMath.twapPremiumX18(startX18, endX18, elapsed);
    }

    function pack(FundingState memory state) external pure returns (PackedFundingState memory) {
        return FundingMath.pack(state);
    }

    function unpack(PackedFundingState memory packed) external pure returns (FundingState memory) {
        return FundingMath.unpack(packed);
    }

    /// @notice Runs `steps` from `state`: each applies the dividend, then `update`. Returns the state
    /// after every step.
    function simulate(
        FundingState memory state,
        FundingParams memory params,
        Step[] calldata steps
    ) external pure returns (FundingState[] memory states) {
        states = new FundingState[](steps.length);
        for (uint256 i; i < steps.length; ++i) {
            Step calldata s = steps[i];
            FundingMath.update(
                state,
                params,
                s.indexPriceX18,
                s.splitFactorX18,
                s.time,
                s.newPremiumX18,
                s.multiplierBps
            );
            FundingMath.applyDividend(state, s.cumulativeDividendX18);
            states[i] = FundingState(
                state.indexX18,
                state.premiumCumulativeX18,
                state.lastPremiumX18,
                state.lastUpdateTime,
                state.lastMultiplierBps,
                state.appliedDividendX18
            );
        }
    }

    /// @notice `premiumX18` over many (perp, index) pairs with non-zero index prices.
    function premiumBatch(
        uint256[] calldata perpPricesX18,
        uint256[] calldata indexPricesX18
    ) external pure returns (int256[] memory premiums) {
        premiums = new int256[](perpPricesX18.length);
        for (uint256 i; i < perpPricesX18.length; ++i) {
            premiums[i] = FundingMath.premiumX18(perpPricesX18[i], indexPricesX18[i]);
        }
    }

    /// @notice `pendingFundingX18` over many cases.
    function pendingBatch(PendingCase[] calldata cases) external pure returns (int256[] memory owed) {
        owed = new int256[](cases.length);
        for (uint256 i; i < cases.length; ++i) {
            PendingCase calldata c = cases[i];
            owed[i] = FundingMath.pendingFundingX18(c.sizeX18, c.splitFactorX18, c.lastIndexX18, c.indexX18);
        }
    }

    /// @notice Gas of one `pendingFundingX18`.
    function gasPendingFunding(
        int256 sizeX18,
        uint256 splitFactorX18,
        int256 lastIndexX18,
        int256 indexX18
    ) external view returns (uint256 gasUsed, int256 owedX18) {
        uint256 before = gasleft();
        owedX18 = FundingMath.pendingFundingX18(sizeX18, splitFactorX18, lastIndexX18, indexX18);
        gasUsed = before - gasleft();
    }

    /// @notice Gas of one `update` (accrual + sample) of a memory state.
    function gasUpdate(
        FundingState memory state,
        FundingParams memory params,
        Step memory step
    ) external view returns (uint256 gasUsed, int256 deltaX18) {
        uint256 before = gasleft();
        deltaX18 = FundingMath.update(
            state,
            params,
            step.indexPriceX18,
            step.splitFactorX18,
            step.time,
            step.newPremiumX18,
            step.multiplierBps
        );
        gasUsed = before - gasleft();
    }
}
