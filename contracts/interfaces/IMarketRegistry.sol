// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IOracleAdapter} from "./IOracleAdapter.sol";
import {CircuitBreakerParams, MarketConfig} from "../types/Clearinghouse.sol";
import {FundingParams, MarketStatus, SessionRiskParams} from "../types/Market.sol";
import {Session} from "../types/Session.sol";

/// @title IMarketRegistry
/// @notice The clearinghouse's market registry (SPEC 5.1): which markets trade, their tick, step and
/// minimum order size, their trading status, funding and circuit-breaker parameters, and their
/// risk parameters per calendar session (initial/maintenance margin, open-interest cap per side,
/// maker/taker fee, fill-price band, funding multiplier: the off-hours incentive system).
///
/// Every setter enforces the immutable hard bounds of `Constants` (through `RiskParamsLib` for risk
/// and funding parameters). In addition the CLOSED session's initial margin ratio must be at least
/// the oracle's band cap (SPEC 3.3: max leverage <= 1 / b_cap), so that a mark pinned at the band's
/// edge stays within initial margin.
///
/// Roles (OpenZeppelin AccessControl):
/// - `DEFAULT_ADMIN_ROLE` (the governance `TimelockController`): grants and revokes roles. No direct
///   power over markets.
/// - `MARKET_LISTER_ROLE` (timelocked): lists a market that the oracle already lists, with its full
///   initial configuration (`listMarket`). Markets are never removed: a delisting is the oracle's
///   settlement (SPEC 3.5).
/// - `RISK_MANAGER_ROLE`: bounded changes of a listed market's session risk parameters, funding
///   parameters, size parameters, circuit-breaker parameters and status (ACTIVE / REDUCE_ONLY /
///   HALTED; never SETTLED, which only the oracle's delisting produces).
/// - Anyone: views.
/// @dev Warning: the closed-session margin check reads the oracle's `bandCapBps` when a parameter is
/// set. Raising `bandCapBps` on the oracle later requires raising the CLOSED session's IM here first.
interface IMarketRegistry {
    // ------------------------------------------------------------------ events

    /// @notice `marketId` was listed with `config` and the five session parameter sets (by `Session` value).
    event MarketListed(bytes32 indexed marketId, MarketConfig config, SessionRiskParams[5] sessionParams);
    /// @notice The risk parameters of `session` in `marketId` were set.
    event SessionRiskParamsSet(bytes32 indexed marketId, Session indexed session, SessionRiskParams params);
    /// @notice The funding parameters of `marketId` were set.
    event FundingParamsSet(bytes32 indexed marketId, FundingParams params);
    /// @notice The tick, step and minimum order size of `marketId` were set.
    event SizeParamsSet(
        bytes32 indexed marketId,
        uint256 tickSizeX18,
        uint256 stepSizeX18,
        uint256 minOrderSizeX18
    );
    /// @notice The circuit-breaker parameters of `marketId` were set.
    event CircuitBreakerParamsSet(bytes32 indexed marketId, CircuitBreakerParams params);
    /// @notice The trading status of `marketId` changed.
    event MarketStatusSet(bytes32 indexed marketId, MarketStatus fromStatus, MarketStatus toStatus);

    // ------------------------------------------------------------------ errors

    /// @notice A constructor address argument is zero.
    error Registry_ZeroAddress();
    /// @notice The market id is zero.
    error Registry_ZeroMarketId();
    /// @notice The oracle does not list `marketId`; list it there first.
    error Registry_MarketNotInOracle(bytes32 marketId);
    /// @notice `marketId` is already listed.
    error Registry_MarketAlreadyListed(bytes32 marketId);
    /// @notice `marketId` is not listed.
    error Registry_UnknownMarket(bytes32 marketId);
    /// @notice The registry already lists `maxMarkets` markets (`Constants.CH_MAX_MARKETS`, the width of
    /// an account set's market index).
    error Registry_TooManyMarkets(uint256 maxMarkets);
    /// @notice The CLOSED session's initial margin `initialMarginBps` is below the oracle's band cap.
    error Registry_ClosedMarginBelowBandCap(bytes32 marketId, uint256 initialMarginBps, uint256 bandCapBps);
    /// @notice Tick, step or minimum size is zero, above its bound, the step is not a multiple of
    /// `CH_STEP_SIZE_QUANTUM_X18` (1e-9 share, which keeps splits exact), or the minimum is not a
    /// multiple of the step.
    error Registry_InvalidSizeParams(uint256 tickSizeX18, uint256 stepSizeX18, uint256 minOrderSizeX18);
    /// @notice Circuit-breaker parameters outside their bounds: levels must satisfy
    /// `CH_MIN_BREAKER_LEVEL_BPS <= level1 < level2 < level3 <= CH_MAX_BREAKER_LEVEL_BPS`, the window
    /// and halts lie in [`CH_MIN_BREAKER_PERIOD`, `CH_MAX_BREAKER_PERIOD`], reduce-only at most the max.
    error Registry_InvalidCircuitBreaker(CircuitBreakerParams params);
    /// @notice SETTLED is not settable here (the oracle's delisting settles a market); the status is unchanged.
    error Registry_StatusNotSettable(MarketStatus status);

    // ------------------------------------------------------------------ roles and wiring

    /// @notice Lists markets (timelocked).
    function MARKET_LISTER_ROLE() external view returns (bytes32);

    /// @notice Makes bounded parameter and status changes.
    function RISK_MANAGER_ROLE() external view returns (bytes32);

    /// @notice The oracle adapter: a market must be listed there first; its band cap bounds CLOSED's IM.
    function oracle() external view returns (IOracleAdapter);

    // ------------------------------------------------------------------ views

    /// @notice Whether `marketId` is listed.
    function isListed(bytes32 marketId) external view returns (bool);

    /// @notice The market-wide configuration of `marketId` (`listed == false` for an unknown market).
    function marketConfig(bytes32 marketId) external view returns (MarketConfig memory);

    /// @notice The risk parameters of `marketId` in `session` (all zero for an unknown market).
    function sessionRiskParams(
        bytes32 marketId,
        Session session
    ) external view returns (SessionRiskParams memory);

    /// @notice The clearinghouse's single read per market per batch: the configuration and the
    /// risk parameters of `session`. For an unknown market `config.listed` is false.
    function tradingConfig(
        bytes32 marketId,
        Session session
    ) external view returns (MarketConfig memory config, SessionRiskParams memory params);

    /// @notice Every listed market id, in listing order.
    function marketIds() external view returns (bytes32[] memory);

    /// @notice The default circuit breaker: 7 / 13 / 20 % levels (see `Constants`).
    function defaultCircuitBreakerParams() external pure returns (CircuitBreakerParams memory);

    // ------------------------------------------------------------------ listing (MARKET_LISTER_ROLE)

    /// @notice Lists `marketId` (already listed in the oracle) as ACTIVE with `config` (its `listed`
    /// and `status` fields are ignored) and one parameter set per `Session` value.
    function listMarket(
        bytes32 marketId,
        MarketConfig calldata config,
        SessionRiskParams[5] calldata sessionParams
    ) external;

    // ------------------------------------------------------------------ bounded changes (RISK_MANAGER_ROLE)

    /// @notice Sets the risk parameters of one session (RiskParamsLib bounds; CLOSED IM >= band cap).
    function setSessionRiskParams(
        bytes32 marketId,
        Session session,
        SessionRiskParams calldata params
    ) external;

    /// @notice Sets the funding parameters (RiskParamsLib.validateFunding bounds). Funding accrued so
    /// far is unaffected only once the clearinghouse next updates the market (call `fund` first).
    function setFundingParams(bytes32 marketId, FundingParams calldata params) external;

    /// @notice Sets tick, step and minimum order size. Resting orders off the new grid stop filling.
    function setSizeParams(
        bytes32 marketId,
        uint256 tickSizeX18,
        uint256 stepSizeX18,
        uint256 minOrderSizeX18
    ) external;

    /// @notice Sets the circuit-breaker parameters (bounds in `Registry_InvalidCircuitBreaker`).
    function setCircuitBreakerParams(bytes32 marketId, CircuitBreakerParams calldata params) external;

    /// @notice Sets the trading status to ACTIVE, REDUCE_ONLY or HALTED.
    function setMarketStatus(bytes32 marketId, MarketStatus status) external;
}
