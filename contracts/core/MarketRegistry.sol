// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IMarketRegistry} from "../interfaces/IMarketRegistry.sol";
import {IOracleAdapter} from "../interfaces/IOracleAdapter.sol";
import {Constants} from "../libraries/Constants.sol";
import {RiskParamsLib} from "../libraries/RiskParamsLib.sol";
import {CircuitBreakerParams, MarketConfig} from "../types/Clearinghouse.sol";
import {FundingParams, MarketStatus, SessionRiskParams} from "../types/Market.sol";
import {Session} from "../types/Session.sol";

/// @title MarketRegistry
/// @notice Markets and their per-session risk parameters. See `IMarketRegistry` and docs/clearinghouse.md.
/// @dev Storage: one `MarketRecord` per market, its `MarketConfig` packed into two slots and one
/// slot per session's risk parameters, so that `tradingConfig` (the clearinghouse's read per market
/// per batch) costs one hash and three SLOADs.
contract MarketRegistry is IMarketRegistry, AccessControl {
    using SafeCast for uint256;
    using SafeCast for int256;

    /// @inheritdoc IMarketRegistry
    bytes32 public constant MARKET_LISTER_ROLE = keccak256("MARKET_LISTER_ROLE");
    /// @inheritdoc IMarketRegistry
    bytes32 public constant RISK_MANAGER_ROLE = keccak256("RISK_MANAGER_ROLE");

    /// @dev Number of `Session` values (CLOSED ... OVERNIGHT).
    uint256 private constant SESSION_COUNT = 5;
    /// @dev Step and minimum sizes are stored as multiples of the step quantum (1e-9 share).
    uint256 private constant SIZE_QUANTUM_X18 = Constants.CH_STEP_SIZE_QUANTUM_X18;

    /// @inheritdoc IMarketRegistry
    IOracleAdapter public immutable oracle;

    /// @dev The storage form of a `MarketConfig`: two slots. Step and minimum size are kept in units
    /// of the step quantum, which divides both (`_validateSizes`), so the division is exact. Every
    /// width below holds its field's hard bound in `Constants` (the setters check the bounds first),
    /// and every narrowing goes through SafeCast, so a value that does not fit reverts instead of
    /// being truncated (MarketRegistry.packing.t.sol round-trips every field at both bounds).
    struct PackedConfig {
        // slot 0: sizes and the funding interest term (80 + 56 + 72 + 48 = 256 bits)
        uint80 tickSizeX18; // <= CH_MAX_TICK_SIZE_X18 = 1e24 < 2^80
        uint56 stepSizeQuanta; // <= CH_MAX_STEP_SIZE_X18 / quantum = 1e15 < 2^56
        uint72 minOrderSizeQuanta; // <= CH_MAX_ABS_SIZE_X18 / quantum = 1e21 < 2^72
        int48 interestRatePerHourX18; // |.| <= CH_MAX_ABS_INTEREST_RATE_PER_HOUR_X18 = 5e13 < 2^47
        // slot 1: listing, status, funding cap and circuit breaker (8 + 8 + 56 + 3 x 16 + 5 x 24 = 240 bits)
        bool listed;
        MarketStatus status;
        uint56 rateCapPerHourX18; // <= CH_MAX_FUNDING_RATE_CAP_PER_HOUR_X18 = 4e16 < 2^56
        uint16 level1Bps;
        uint16 level2Bps;
        uint16 level3Bps;
        uint24 windowSec; // every breaker period <= CH_MAX_BREAKER_PERIOD = 1 day < 2^24
        uint24 level1HaltSec;
        uint24 level2HaltSec;
        uint24 level3HaltSec;
        uint24 reduceOnlySec;
    }

    /// @dev Everything the registry keeps on one market, under one mapping key (one hash per read).
    struct MarketRecord {
        PackedConfig config; // slots 0-1
        SessionRiskParams[SESSION_COUNT] sessions; // slots 2-6, by `Session` value
    }

    mapping(bytes32 marketId => MarketRecord) private _markets;
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
        if (_markets[marketId].config.listed) revert Registry_MarketAlreadyListed(marketId);
        if (!oracle.isListed(marketId)) revert Registry_MarketNotInOracle(marketId);
        if (_marketIds.length >= Constants.CH_MAX_MARKETS)
            revert Registry_TooManyMarkets(Constants.CH_MAX_MARKETS);
        _validateSizes(config.tickSizeX18, config.stepSizeX18, config.minOrderSizeX18);
        RiskParamsLib.validateFunding(config.funding);
        _validateBreaker(config.breaker);
        PackedConfig storage stored = _markets[marketId].config;
        stored.listed = true;
        stored.status = MarketStatus.ACTIVE;
        _storeSizes(stored, config.tickSizeX18, config.stepSizeX18, config.minOrderSizeX18);
        _storeFunding(stored, config.funding);
        _storeBreaker(stored, config.breaker);
        for (uint256 i; i < SESSION_COUNT; ++i) {
            _setSessionParams(marketId, Session(i), sessionParams[i]);
        }
        _marketIds.push(marketId);
        emit MarketListed(marketId, _unpack(stored), sessionParams);
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
        _storeFunding(_markets[marketId].config, params);
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
        _storeSizes(_markets[marketId].config, tickSizeX18, stepSizeX18, minOrderSizeX18);
        emit SizeParamsSet(marketId, tickSizeX18, stepSizeX18, minOrderSizeX18);
    }

    /// @inheritdoc IMarketRegistry
    function setCircuitBreakerParams(
        bytes32 marketId,
        CircuitBreakerParams calldata params
    ) external onlyRole(RISK_MANAGER_ROLE) {
        _requireListed(marketId);
        _validateBreaker(params);
        _storeBreaker(_markets[marketId].config, params);
        emit CircuitBreakerParamsSet(marketId, params);
    }

    /// @inheritdoc IMarketRegistry
    function setMarketStatus(bytes32 marketId, MarketStatus status) external onlyRole(RISK_MANAGER_ROLE) {
        _requireListed(marketId);
        if (status == MarketStatus.SETTLED) revert Registry_StatusNotSettable(status);
        PackedConfig storage stored = _markets[marketId].config;
        MarketStatus fromStatus = stored.status;
        stored.status = status;
        emit MarketStatusSet(marketId, fromStatus, status);
    }

    // ============================================================================ views

    /// @inheritdoc IMarketRegistry
    function isListed(bytes32 marketId) external view returns (bool) {
        return _markets[marketId].config.listed;
    }

    /// @inheritdoc IMarketRegistry
    function marketConfig(bytes32 marketId) external view returns (MarketConfig memory) {
        return _unpack(_markets[marketId].config);
    }

    /// @inheritdoc IMarketRegistry
    function sessionRiskParams(
        bytes32 marketId,
        Session session
    ) external view returns (SessionRiskParams memory) {
        return _markets[marketId].sessions[uint256(session)];
    }

    /// @inheritdoc IMarketRegistry
    function tradingConfig(
        bytes32 marketId,
        Session session
    ) external view returns (MarketConfig memory, SessionRiskParams memory) {
        MarketRecord storage market = _markets[marketId];
        _returnTradingConfig(market.config, market.sessions[uint256(session)]);
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
        _markets[marketId].sessions[uint256(session)] = params;
    }

    function _storeSizes(
        PackedConfig storage stored,
        uint256 tickSizeX18,
        uint256 stepSizeX18,
        uint256 minOrderSizeX18
    ) private {
        // Exact divisions: `_validateSizes` checked that the quantum divides the step and the step
        // divides the minimum.
        stored.tickSizeX18 = tickSizeX18.toUint80();
        stored.stepSizeQuanta = (stepSizeX18 / SIZE_QUANTUM_X18).toUint56();
        stored.minOrderSizeQuanta = (minOrderSizeX18 / SIZE_QUANTUM_X18).toUint72();
    }

    function _storeFunding(PackedConfig storage stored, FundingParams calldata funding) private {
        stored.rateCapPerHourX18 = uint256(funding.rateCapPerHourX18).toUint56();
        stored.interestRatePerHourX18 = int256(funding.interestRatePerHourX18).toInt48();
    }

    function _storeBreaker(PackedConfig storage stored, CircuitBreakerParams calldata breaker) private {
        (stored.level1Bps, stored.level2Bps, stored.level3Bps) = (
            breaker.level1Bps,
            breaker.level2Bps,
            breaker.level3Bps
        );
        stored.windowSec = uint256(breaker.windowSec).toUint24();
        stored.level1HaltSec = uint256(breaker.level1HaltSec).toUint24();
        stored.level2HaltSec = uint256(breaker.level2HaltSec).toUint24();
        stored.level3HaltSec = uint256(breaker.level3HaltSec).toUint24();
        stored.reduceOnlySec = uint256(breaker.reduceOnlySec).toUint24();
    }

    /// @dev The `MarketConfig` of a packed record (all zero for an unknown market), by the
    /// compiler's struct access (two SLOADs: the optimizer reads each slot once for all its fields).
    function _unpack(PackedConfig storage stored) private view returns (MarketConfig memory config) {
        config.listed = stored.listed;
        config.status = stored.status;
        config.tickSizeX18 = stored.tickSizeX18;
        config.stepSizeX18 = uint256(stored.stepSizeQuanta) * SIZE_QUANTUM_X18;
        config.minOrderSizeX18 = uint256(stored.minOrderSizeQuanta) * SIZE_QUANTUM_X18;
        config.funding = FundingParams(stored.rateCapPerHourX18, stored.interestRatePerHourX18);
        config.breaker = CircuitBreakerParams(
            stored.level1Bps,
            stored.level2Bps,
            stored.level3Bps,
            stored.windowSec,
            stored.level1HaltSec,
            stored.level2HaltSec,
            stored.level3HaltSec,
            stored.reduceOnlySec
        );
    }

    /// @dev Ends the call with the ABI encoding of `(MarketConfig, SessionRiskParams)` (22 static
    /// words, in field order) written straight from the three storage words. The clearinghouse makes
    /// this read once per market per batch, liquidation, `fund` and health check; the compiler's
    /// memory structs and encoder cost ~3,000 gas more than the three SLOADs. Field positions are the
    /// compiler's layout of `PackedConfig` and `SessionRiskParams` (a slot's first field in its low
    /// bits); signed fields are sign-extended as the ABI requires. Differential-tested against
    /// `marketConfig` and `sessionRiskParams`, which the compiler encodes (MarketRegistry.packing.t.sol).
    function _returnTradingConfig(
        PackedConfig storage config,
        SessionRiskParams storage params
    ) private view {
        uint256 quantum = SIZE_QUANTUM_X18;
        // Not memory-safe, on purpose: the call ends in this block, so the return data is written
        // from offset 0 (scratch space, free memory pointer and beyond are dead by then).
        // solhint-disable-next-line no-inline-assembly
        assembly {
            let sizes := sload(config.slot)
            let rules := sload(add(config.slot, 1))
            let risk := sload(params.slot)
            // MarketConfig
            mstore(0x00, and(rules, 0xff)) // listed
            mstore(0x20, and(shr(8, rules), 0xff)) // status
            mstore(0x40, and(sizes, 0xffffffffffffffffffff)) // tickSizeX18 (80 bits)
            mstore(0x60, mul(and(shr(80, sizes), 0xffffffffffffff), quantum)) // stepSizeX18 (56)
            mstore(0x80, mul(and(shr(136, sizes), 0xffffffffffffffffff), quantum)) // minOrder (72)
            mstore(0xa0, and(shr(16, rules), 0xffffffffffffff)) // funding.rateCapPerHourX18 (56)
            mstore(0xc0, signextend(5, shr(208, sizes))) // funding.interestRatePerHourX18 (int48)
            mstore(0xe0, and(shr(72, rules), 0xffff)) // breaker.level1Bps
            mstore(0x100, and(shr(88, rules), 0xffff)) // breaker.level2Bps
            mstore(0x120, and(shr(104, rules), 0xffff)) // breaker.level3Bps
            mstore(0x140, and(shr(120, rules), 0xffffff)) // breaker.windowSec (24)
            mstore(0x160, and(shr(144, rules), 0xffffff)) // breaker.level1HaltSec
            mstore(0x180, and(shr(168, rules), 0xffffff)) // breaker.level2HaltSec
            mstore(0x1a0, and(shr(192, rules), 0xffffff)) // breaker.level3HaltSec
            mstore(0x1c0, and(shr(216, rules), 0xffffff)) // breaker.reduceOnlySec
            // SessionRiskParams
            mstore(0x1e0, and(risk, 0xffff)) // initialMarginBps
            mstore(0x200, and(shr(16, risk), 0xffff)) // maintenanceMarginBps
            mstore(0x220, signextend(1, shr(32, risk))) // makerFeeBps (int16)
            mstore(0x240, signextend(1, shr(48, risk))) // takerFeeBps (int16)
            mstore(0x260, and(shr(64, risk), 0xffff)) // fillBandBps
            mstore(0x280, and(shr(80, risk), 0xffff)) // fundingMultiplierBps
            mstore(0x2a0, shr(96, risk)) // openInterestCapX18 (128, the slot's last field)
            return(0x00, 0x2c0)
        }
    }

    function _requireListed(bytes32 marketId) private view {
        if (!_markets[marketId].config.listed) revert Registry_UnknownMarket(marketId);
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
