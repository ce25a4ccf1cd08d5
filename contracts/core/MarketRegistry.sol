// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IMarketRegistry} from "../interfaces/IMarketRegistry.sol";
import {IOracleAdapter} from "../interfaces/IOracleAdapter.sol";
import {Constants} from "../libraries/Constants.sol";
import {RiskParamsLib} from "../libraries/RiskParamsLib.sol";
import {CircuitBreakerParams, MarketConfig} from "../types/Clearinghouse.sol";
import {FundingParams, MarketStatus, SessionRiskParams} from "../types/Market.sol";
import {Session} from "../types/Session.sol";

/// @title MarketRegistry
/// @notice Markets and their per-session risk parameters. See `IMarketRegistry` and docs/clearinghouse.md.
contract MarketRegistry is IMarketRegistry, AccessControl {
    /// @inheritdoc IMarketRegistry
    bytes32 public constant MARKET_LISTER_ROLE = keccak256("MARKET_LISTER_ROLE");
    /// @inheritdoc IMarketRegistry
    bytes32 public constant RISK_MANAGER_ROLE = keccak256("RISK_MANAGER_ROLE");

    /// @dev Number of `Session` values (CLOSED ... OVERNIGHT).
    uint256 private constant SESSION_COUNT = 5;

    /// @inheritdoc IMarketRegistry
    IOracleAdapter public immutable oracle;

    mapping(bytes32 marketId => MarketConfig) private _configs;
    mapping(bytes32 marketId => mapping(Session session => SessionRiskParams)) private _sessionParams;
    bytes32[] private _marketIds;

    /// @param oracleAdapter The oracle adapter (markets must be listed there first).
    /// @param admin `DEFAULT_ADMIN_ROLE` (the governance timelock).
    constructor(IOracleAdapter oracleAdapter, address admin) {
        if (address(oracleAdapter) == address(0) || admin == address(0)) revert Registry_ZeroAddress();
        oracle = oracleAdapter;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    // ============================================================================ listing

    /// @inheritdoc IMarketRegistry
    function listMarket(
        bytes32 marketId,
        MarketConfig calldata config,
        SessionRiskParams[5] calldata sessionParams
    ) external onlyRole(MARKET_LISTER_ROLE) {
        if (marketId == bytes32(0)) revert Registry_ZeroMarketId();
        if (_configs[marketId].listed) revert Registry_MarketAlreadyListed(marketId);
        if (!oracle.isListed(marketId)) revert Registry_MarketNotInOracle(marketId);
        if (_marketIds.length >= Constants.CH_MAX_MARKETS)
            revert Registry_TooManyMarkets(Constants.CH_MAX_MARKETS);
        _validateSizes(config.tickSizeX18, config.stepSizeX18, config.minOrderSizeX18);
        RiskParamsLib.validateFunding(config.funding);
        _validateBreaker(config.breaker);
        MarketConfig storage stored = _configs[marketId];
        stored.listed = true;
        stored.status = MarketStatus.ACTIVE;
        stored.tickSizeX18 = config.tickSizeX18;
        stored.stepSizeX18 = config.stepSizeX18;
        stored.minOrderSizeX18 = config.minOrderSizeX18;
        stored.funding = config.funding;
        stored.breaker = config.breaker;
        for (uint256 i; i < SESSION_COUNT; ++i) {
            _setSessionParams(marketId, Session(i), sessionParams[i]);
        }
        _marketIds.push(marketId);
        emit MarketListed(marketId, stored, sessionParams);
    }

    // ============================================================================ bounded changes

    /// @inheritdoc IMarketRegistry
    function setSessionRiskParams(
        bytes32 marketId,
        Session session,
        SessionRiskParams calldata params
    ) external onlyRole(RISK_MANAGER_ROLE) {
        _requireListed(marketId);
        _setSessionParams(marketId, session, params);
        emit SessionRiskParamsSet(marketId, session, params);
    }

    /// @inheritdoc IMarketRegistry
    function setFundingParams(
        bytes32 marketId,
        FundingParams calldata params
    ) external onlyRole(RISK_MANAGER_ROLE) {
        _requireListed(marketId);
        RiskParamsLib.validateFunding(params);
        _configs[marketId].funding = params;
        emit FundingParamsSet(marketId, params);
    }

    /// @inheritdoc IMarketRegistry
    function setSizeParams(
        bytes32 marketId,
        uint256 tickSizeX18,
        uint256 stepSizeX18,
        uint256 minOrderSizeX18
    ) external onlyRole(RISK_MANAGER_ROLE) {
        _requireListed(marketId);
        _validateSizes(tickSizeX18, stepSizeX18, minOrderSizeX18);
        MarketConfig storage stored = _configs[marketId];
        stored.tickSizeX18 = tickSizeX18;
        stored.stepSizeX18 = stepSizeX18;
        stored.minOrderSizeX18 = minOrderSizeX18;
        emit SizeParamsSet(marketId, tickSizeX18, stepSizeX18, minOrderSizeX18);
    }

    /// @inheritdoc IMarketRegistry
    function setCircuitBreakerParams(
        bytes32 marketId,
        CircuitBreakerParams calldata params
    ) external onlyRole(RISK_MANAGER_ROLE) {
        _requireListed(marketId);
        _validateBreaker(params);
        _configs[marketId].breaker = params;
        emit CircuitBreakerParamsSet(marketId, params);
    }

    /// @inheritdoc IMarketRegistry
    function setMarketStatus(bytes32 marketId, MarketStatus status) external onlyRole(RISK_MANAGER_ROLE) {
        _requireListed(marketId);
        if (status == MarketStatus.SETTLED) revert Registry_StatusNotSettable(status);
        MarketConfig storage stored = _configs[marketId];
        MarketStatus fromStatus = stored.status;
        stored.status = status;
        emit MarketStatusSet(marketId, fromStatus, status);
    }

    // ============================================================================ views

    /// @inheritdoc IMarketRegistry
    function isListed(bytes32 marketId) external view returns (bool) {
        return _configs[marketId].listed;
    }

    /// @inheritdoc IMarketRegistry
    function marketConfig(bytes32 marketId) external view returns (MarketConfig memory) {
        return _configs[marketId];
    }

    /// @inheritdoc IMarketRegistry
    function sessionRiskParams(
        bytes32 marketId,
        Session session
    ) external view returns (SessionRiskParams memory) {
        return _sessionParams[marketId][session];
    }

    /// @inheritdoc IMarketRegistry
    function tradingConfig(
        bytes32 marketId,
        Session session
    ) external view returns (MarketConfig memory config, SessionRiskParams memory params) {
        config = _configs[marketId];
        params = _sessionParams[marketId][session];
    }

    /// @inheritdoc IMarketRegistry
    function marketIds() external view returns (bytes32[] memory) {
        return _marketIds;
    }

    /// @inheritdoc IMarketRegistry
    function defaultCircuitBreakerParams() external pure returns (CircuitBreakerParams memory) {
        // Every default is a small constant documented in `Constants`; the narrowing casts are exact.
        return
            CircuitBreakerParams({
                level1Bps: uint16(Constants.CH_DEFAULT_BREAKER_LEVEL1_BPS),
                level2Bps: uint16(Constants.CH_DEFAULT_BREAKER_LEVEL2_BPS),
                level3Bps: uint16(Constants.CH_DEFAULT_BREAKER_LEVEL3_BPS),
                windowSec: uint32(Constants.CH_DEFAULT_BREAKER_WINDOW),
                level1HaltSec: uint32(Constants.CH_DEFAULT_BREAKER_LEVEL12_HALT),
                level2HaltSec: uint32(Constants.CH_DEFAULT_BREAKER_LEVEL12_HALT),
                level3HaltSec: uint32(Constants.CH_DEFAULT_BREAKER_LEVEL3_HALT),
                reduceOnlySec: uint32(Constants.CH_DEFAULT_BREAKER_REDUCE_ONLY)
            });
    }

    // ============================================================================ internals

    function _setSessionParams(bytes32 marketId, Session session, SessionRiskParams calldata params) private {
        RiskParamsLib.validate(params);
        if (session == Session.CLOSED) {
            uint256 bandCapBps = oracle.marketParams(marketId).bandCapBps;
            if (params.initialMarginBps < bandCapBps) {
                revert Registry_ClosedMarginBelowBandCap(marketId, params.initialMarginBps, bandCapBps);
            }
        }
        _sessionParams[marketId][session] = params;
    }

    function _requireListed(bytes32 marketId) private view {
        if (!_configs[marketId].listed) revert Registry_UnknownMarket(marketId);
    }

    function _validateSizes(uint256 tickSizeX18, uint256 stepSizeX18, uint256 minOrderSizeX18) private pure {
        if (
            tickSizeX18 == 0 ||
            tickSizeX18 > Constants.CH_MAX_TICK_SIZE_X18 ||
            stepSizeX18 == 0 ||
            stepSizeX18 > Constants.CH_MAX_STEP_SIZE_X18 ||
            stepSizeX18 % Constants.CH_STEP_SIZE_QUANTUM_X18 != 0 ||
            minOrderSizeX18 == 0 ||
            minOrderSizeX18 > Constants.CH_MAX_ABS_SIZE_X18 ||
            minOrderSizeX18 % stepSizeX18 != 0
        ) {
            revert Registry_InvalidSizeParams(tickSizeX18, stepSizeX18, minOrderSizeX18);
        }
    }

    function _validateBreaker(CircuitBreakerParams calldata params) private pure {
        uint256 maxPeriod = Constants.CH_MAX_BREAKER_PERIOD;
        uint256 minPeriod = Constants.CH_MIN_BREAKER_PERIOD;
        bool levelsOk =
            params.level1Bps >= Constants.CH_MIN_BREAKER_LEVEL_BPS &&
                params.level1Bps < params.level2Bps &&
                params.level2Bps < params.level3Bps &&
                params.level3Bps <= Constants.CH_MAX_BREAKER_LEVEL_BPS;
        bool periodsOk =
            _within(params.windowSec, minPeriod, maxPeriod) &&
                _within(params.level1HaltSec, minPeriod, maxPeriod) &&
                _within(params.level2HaltSec, minPeriod, maxPeriod) &&
                _within(params.level3HaltSec, minPeriod, maxPeriod) &&
                params.reduceOnlySec <= maxPeriod;
        if (!levelsOk || !periodsOk) revert Registry_InvalidCircuitBreaker(params);
    }

    function _within(uint256 value, uint256 min, uint256 max) private pure returns (bool) {
        return value >= min && value <= max;
    }
}
