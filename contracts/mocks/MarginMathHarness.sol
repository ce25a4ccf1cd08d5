// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {MarginMath} from "../libraries/MarginMath.sol";
import {RiskParamsLib} from "../libraries/RiskParamsLib.sol";
import {AccountHealth, FundingParams, MarketExposure, SessionRiskParams} from "../types/Market.sol";
import {Session} from "../types/Session.sol";

/// @notice Test harness: exposes `MarginMath` and `RiskParamsLib` externally (expected reverts in
/// Solidity tests, SDK differential tests), with a gas probe.
contract MarginMathHarness {
    struct HealthView {
        AccountHealth health;
        int256 marginRatioX18;
        uint256 withdrawableX18;
        bool meetsInitialMargin;
        bool isLiquidatable;
    }

    function start(int256 collateralX18) external pure returns (AccountHealth memory) {
        return MarginMath.start(collateralX18);
    }

    function accumulate(
        AccountHealth memory health,
        MarketExposure memory exposure
    ) external pure returns (AccountHealth memory) {
        MarginMath.accumulate(health, exposure);
        return health;
    }

    function accountHealth(
        int256 collateralX18,
        MarketExposure[] memory exposures
    ) external pure returns (AccountHealth memory) {
        return MarginMath.accountHealth(collateralX18, exposures);
    }

    function marginRatioX18(AccountHealth memory health) external pure returns (int256) {
        return MarginMath.marginRatioX18(health);
    }

    function withdrawableX18(
        int256 collateralX18,
        AccountHealth memory health
    ) external pure returns (uint256) {
        return MarginMath.withdrawableX18(collateralX18, health);
    }

    function meetsInitialMargin(AccountHealth memory health) external pure returns (bool) {
        return MarginMath.meetsInitialMargin(health);
    }

    function isLiquidatable(AccountHealth memory health) external pure returns (bool) {
        return MarginMath.isLiquidatable(health);
    }

    /// @notice Everything the SDK mirrors for one account, in one call.
    function fullHealth(
        int256 collateralX18,
        MarketExposure[] memory exposures
    ) public pure returns (HealthView memory result) {
        result.health = MarginMath.accountHealth(collateralX18, exposures);
        result.marginRatioX18 = MarginMath.marginRatioX18(result.health);
        result.withdrawableX18 = MarginMath.withdrawableX18(collateralX18, result.health);
        result.meetsInitialMargin = MarginMath.meetsInitialMargin(result.health);
        result.isLiquidatable = MarginMath.isLiquidatable(result.health);
    }

    /// @notice `fullHealth` over many accounts.
    function fullHealthBatch(
        int256[] calldata collateralsX18,
        MarketExposure[][] calldata exposures
    ) external pure returns (HealthView[] memory results) {
        results = new HealthView[](collateralsX18.length);
        for (uint256 i; i < collateralsX18.length; ++i) {
            results[i] = fullHealth(collateralsX18[i], exposures[i]);
        }
    }

    function validate(SessionRiskParams memory params) external pure {
        RiskParamsLib.validate(params);
    }

    function validateFunding(FundingParams memory params) external pure {
        RiskParamsLib.validateFunding(params);
    }

    function defaults(Session session) external pure returns (SessionRiskParams memory) {
        return RiskParamsLib.defaults(session);
    }

    function defaultFunding() external pure returns (FundingParams memory) {
        return RiskParamsLib.defaultFunding();
    }

    function maxLeverage(SessionRiskParams memory params) external pure returns (uint256) {
        return RiskParamsLib.maxLeverage(params);
    }

    /// @notice Gas of `accountHealth` over `exposures` plus the withdrawable and health checks.
    function gasAccountHealth(
        int256 collateralX18,
        MarketExposure[] memory exposures
    ) external view returns (uint256 gasUsed, bool healthy) {
        uint256 before = gasleft();
        AccountHealth memory health = MarginMath.accountHealth(collateralX18, exposures);
        healthy = MarginMath.meetsInitialMargin(health);
        gasUsed = before - gasleft();
    }
}
