// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IOracleAdapter} from "./IOracleAdapter.sol";
import {
    CorporateAction,
    CorporateActionKind,
    CorporateActionStatus,
    MarketCheckpoint
} from "../types/Oracle.sol";

/// @title IOracleCorporateActions
/// @notice The corporate-action schedule of the oracle adapter (SPEC section 3.5): splits (also
/// reverse), cash dividends and delistings, scheduled in advance, cancellable before they take
/// effect, and applied exactly once, in effective-time order, by the adapter's `poke`.
/// @dev Created by the `OracleAdapter` constructor (its `adapter` is that adapter, for life). It
/// tells the adapter the earliest pending effective time after every change, so the adapter's
/// `priceState` reports HALTED (or SETTLED for a delisting) from that time on without a call here.
/// An action leaves SCHEDULED exactly once (APPLIED or CANCELLED) and leaves the pending list in
/// the same step, so no code path can apply it twice.
///
/// Roles (OpenZeppelin AccessControl):
/// - `DEFAULT_ADMIN_ROLE` (the `TimelockController`): grants and revokes roles.
/// - `CORPORATE_ACTIONS_ROLE` (the `TimelockController`): schedules actions at least
///   `MIN_CORPORATE_ACTION_NOTICE` ahead and cancels them before their effective time. It cannot
///   apply anything early, change an applied action, or touch prices directly.
/// - The adapter: the only caller of `applyDue`.
interface IOracleCorporateActions {
    // ---------------------------------------------------------------------------------- events

    /// @notice A corporate action was scheduled. SPLIT uses numerator/denominator; DIVIDEND and
    /// DELISTING use `amountX18` (dividend per share, settlement price).
    event CorporateActionScheduled(
        uint256 indexed actionId,
        bytes32 indexed marketId,
        CorporateActionKind kind,
        uint256 effectiveTime,
        uint256 numerator,
        uint256 denominator,
        uint256 amountX18
    );
    /// @notice A scheduled action was cancelled (by the role, or dropped by a delisting).
    event CorporateActionCancelled(uint256 indexed actionId, bytes32 indexed marketId);
    /// @notice A split was applied: new epoch and cumulative split factor.
    event SplitApplied(
        uint256 indexed actionId,
        bytes32 indexed marketId,
        uint64 epoch,
        uint256 numerator,
        uint256 denominator,
        uint256 splitFactorX18
    );
    /// @notice A cash dividend was applied: prices lowered by `amountX18`, accumulator raised.
    event DividendApplied(
        uint256 indexed actionId,
        bytes32 indexed marketId,
        uint256 amountX18,
        uint256 cumulativeDividendX18
    );
    /// @notice A delisting was applied: the market is SETTLED at `settlementPriceX18` forever.
    event MarketSettled(uint256 indexed actionId, bytes32 indexed marketId, uint256 settlementPriceX18);

    // ---------------------------------------------------------------------------------- errors

    /// @notice No market with this id is listed on the adapter.
    error Oracle_UnknownMarket(bytes32 marketId);
    /// @notice The market is delisted; nothing can be scheduled any more.
    error Oracle_MarketSettled(bytes32 marketId);
    /// @notice The settlement price is zero or above `MAX_PRICE_X18`.
    error Oracle_InvalidPrice(uint256 priceX18, uint256 maxPriceX18);
    /// @notice The split ratio is 1:1 or a term is outside [1, MAX_SPLIT_TERM].
    error Oracle_InvalidSplitRatio(uint256 numerator, uint256 denominator);
    /// @notice The split's reduced denominator does not divide `SPLIT_EXACTNESS_QUANTUM` (e.g. 1:3), so
    /// positions could not be rescaled exactly and longs would no longer equal shorts.
    error Oracle_SplitNotExact(uint256 numerator, uint256 denominator);
    /// @notice With this split the cumulative split factor could leave its bounds.
    error Oracle_SplitFactorOutOfRange(
        uint256 projectedFactorX18,
        uint256 minFactorX18,
        uint256 maxFactorX18
    );
    /// @notice The dividend is zero or above MAX_DIVIDEND_BPS of the last good price.
    error Oracle_InvalidDividend(uint256 amountX18, uint256 maxAmountX18);
    /// @notice The effective time is inside the minimum notice or beyond the horizon.
    error Oracle_EffectiveTimeOutOfRange(uint256 effectiveTime, uint256 earliest, uint256 latest);
    /// @notice The market already has MAX_PENDING_CORPORATE_ACTIONS pending actions.
    error Oracle_TooManyPendingActions(bytes32 marketId, uint256 maxPending);
    /// @notice The action is not in the SCHEDULED status.
    error Oracle_ActionNotScheduled(uint256 actionId, CorporateActionStatus status);
    /// @notice The action's effective time has come: it can no longer be cancelled.
    error Oracle_ActionAlreadyEffective(uint256 actionId, uint256 effectiveTime);
    /// @notice Only the adapter may apply actions.
    error Oracle_CallerNotAdapter(address caller);

    // ---------------------------------------------------------------------------------- views

    /// @notice Schedules and cancels corporate actions (timelocked).
    function CORPORATE_ACTIONS_ROLE() external view returns (bytes32);

    /// @notice The oracle adapter that created this schedule and applies its actions.
    function adapter() external view returns (IOracleAdapter);

    /// @notice The id the next scheduled action will get (ids start at 1).
    function nextCorporateActionId() external view returns (uint256);

    /// @notice A corporate action by id (status NONE for an unknown id).
    function corporateAction(uint256 actionId) external view returns (CorporateAction memory);

    /// @notice The ids of the market's scheduled, not yet applied or cancelled actions.
    function pendingCorporateActions(bytes32 marketId) external view returns (uint256[] memory);

    /// @notice The pending action with the earliest effective time (ties: the lower id).
    /// @return actionId 0 when nothing is pending.
    function earliestPending(
        bytes32 marketId
    ) external view returns (uint256 actionId, CorporateAction memory action);

    // ---------------------------------------------------------------------------------- schedule

    /// @notice Schedules a split of `numerator` new shares per `denominator` old shares (4:1 forward,
    /// 1:10 reverse). The market is HALTED from `effectiveTime` until a poke applies it: epoch + 1,
    /// split factor * n/d, stored prices * d/n.
    /// @dev Only `CORPORATE_ACTIONS_ROLE`.
    function scheduleSplit(
        bytes32 marketId,
        uint256 effectiveTime,
        uint32 numerator,
        uint32 denominator
    ) external returns (uint256 actionId);

    /// @notice Schedules a cash dividend of `amountX18` USD per share, in the share units in force at
    /// `exTime` (after any split scheduled before it). Applied by a poke at/after `exTime`: stored
    /// prices lowered by the amount, `cumulativeDividendX18` raised by amount * splitFactor.
    /// @dev Only `CORPORATE_ACTIONS_ROLE`. The amount is bounded by MAX_DIVIDEND_BPS of the last good
    /// price at scheduling.
    function scheduleDividend(
        bytes32 marketId,
        uint256 exTime,
        uint256 amountX18
    ) external returns (uint256 actionId);

    /// @notice Schedules a delisting: from `effectiveTime` on the market is SETTLED at
    /// `settlementPriceX18` (in the units in force then). Pending actions after it are dropped.
    /// @dev Only `CORPORATE_ACTIONS_ROLE`.
    function scheduleDelisting(
        bytes32 marketId,
        uint256 effectiveTime,
        uint256 settlementPriceX18
    ) external returns (uint256 actionId);

    /// @notice Cancels a scheduled action before its effective time.
    /// @dev Only `CORPORATE_ACTIONS_ROLE`.
    function cancelCorporateAction(uint256 actionId) external;

    // ---------------------------------------------------------------------------------- apply

    /// @notice Applies every due action of `marketId` to `cp`, in effective-time order, marking each
    /// APPLIED, and returns the checkpoint for the adapter to store (with `nextActionTime` updated).
    /// @dev Only the adapter (from `poke`).
    function applyDue(
        bytes32 marketId,
        MarketCheckpoint memory cp
    ) external returns (MarketCheckpoint memory);
}
