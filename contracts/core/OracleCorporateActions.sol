// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IOracleAdapter} from "../interfaces/IOracleAdapter.sol";
import {Constants} from "../libraries/Constants.sol";
import {
    CorporateAction,
    CorporateActionKind,
    CorporateActionStatus,
    MarketCheckpoint,
    MarketState
} from "../types/Oracle.sol";

/// @title OracleCorporateActions
/// @notice The corporate-action half of the oracle adapter (SPEC section 3.5): scheduling with a
/// minimum notice, cancellation, and exactly-once application in effective-time order.
/// @dev Holds the market checkpoints because applying an action rewrites them. An action leaves
/// the SCHEDULED status exactly once (APPLIED or CANCELLED) and is removed from the market's pending
/// list in the same step, so no code path can apply it twice.
abstract contract OracleCorporateActions is IOracleAdapter, AccessControl {
    using SafeCast for uint256;

    /// @inheritdoc IOracleAdapter
    bytes32 public constant CORPORATE_ACTIONS_ROLE = keccak256("CORPORATE_ACTIONS_ROLE");

    /// @inheritdoc IOracleAdapter
    uint256 public nextCorporateActionId = 1;

    mapping(bytes32 marketId => MarketCheckpoint) internal _checkpoints;
    mapping(uint256 actionId => CorporateAction) internal _actions;
    mapping(bytes32 marketId => uint256[] actionIds) private _pending;

    // ============================================================================== schedule

    /// @inheritdoc IOracleAdapter
    function scheduleSplit(
        bytes32 marketId,
        uint256 effectiveTime,
        uint32 numerator,
        uint32 denominator
    ) external onlyRole(CORPORATE_ACTIONS_ROLE) returns (uint256 actionId) {
        bool termsInRange = numerator != 0 && denominator != 0;
        termsInRange = termsInRange && numerator <= Constants.MAX_SPLIT_TERM && denominator <= Constants.MAX_SPLIT_TERM;
        if (!termsInRange || numerator == denominator) revert Oracle_InvalidSplitRatio(numerator, denominator);
        _checkSchedulable(marketId, effectiveTime);
        _checkProjectedSplitFactor(marketId, numerator, denominator);
        CorporateAction memory action = _newAction(marketId, CorporateActionKind.SPLIT, effectiveTime);
        (action.numerator, action.denominator) = (numerator, denominator);
        actionId = _schedule(action);
    }

    /// @inheritdoc IOracleAdapter
    function scheduleDividend(
        bytes32 marketId,
        uint256 exTime,
        uint256 amountX18
    ) external onlyRole(CORPORATE_ACTIONS_ROLE) returns (uint256 actionId) {
        _checkSchedulable(marketId, exTime);
        uint256 maxAmountX18 = (uint256(_checkpoints[marketId].lastGoodPriceX18) * Constants.MAX_DIVIDEND_BPS) /
            Constants.BPS;
        if (amountX18 == 0 || amountX18 > maxAmountX18) revert Oracle_InvalidDividend(amountX18, maxAmountX18);
        CorporateAction memory action = _newAction(marketId, CorporateActionKind.DIVIDEND, exTime);
        action.amountX18 = amountX18.toUint128();
        actionId = _schedule(action);
    }

    /// @inheritdoc IOracleAdapter
    function scheduleDelisting(
        bytes32 marketId,
        uint256 effectiveTime,
        uint256 settlementPriceX18
    ) external onlyRole(CORPORATE_ACTIONS_ROLE) returns (uint256 actionId) {
        if (settlementPriceX18 == 0 || settlementPriceX18 > Constants.MAX_PRICE_X18) {
            revert Oracle_InvalidPrice(settlementPriceX18, Constants.MAX_PRICE_X18);
        }
        _checkSchedulable(marketId, effectiveTime);
        CorporateAction memory action = _newAction(marketId, CorporateActionKind.DELISTING, effectiveTime);
        action.amountX18 = settlementPriceX18.toUint128();
        actionId = _schedule(action);
    }

    /// @inheritdoc IOracleAdapter
    function cancelCorporateAction(uint256 actionId) external onlyRole(CORPORATE_ACTIONS_ROLE) {
        CorporateAction storage action = _actions[actionId];
        if (action.status != CorporateActionStatus.SCHEDULED) revert Oracle_ActionNotScheduled(actionId, action.status);
        if (block.timestamp >= action.effectiveTime) revert Oracle_ActionAlreadyEffective(actionId, action.effectiveTime);
        _cancel(actionId, action);
        _checkpoints[action.marketId].nextActionTime = _earliestPendingTime(action.marketId);
    }

    // ============================================================================== views

    /// @inheritdoc IOracleAdapter
    function corporateAction(uint256 actionId) external view returns (CorporateAction memory) {
        return _actions[actionId];
    }

    /// @inheritdoc IOracleAdapter
    function pendingCorporateActions(bytes32 marketId) external view returns (uint256[] memory) {
        return _pending[marketId];
    }

    // ============================================================================== application

    /// @dev Applies every due action of the market in effective-time order (ties: lower id first),
    /// storing the checkpoint after each one so that its event follows the state change. `cp` is
    /// the caller's in-memory checkpoint; it is updated in place.
    function _applyDueActions(bytes32 marketId, MarketCheckpoint memory cp) internal {
        while (cp.nextActionTime <= block.timestamp && cp.state != MarketState.SETTLED) {
            uint256 actionId = _earliestPending(marketId);
            CorporateAction storage action = _actions[actionId];
            _removePending(marketId, actionId);
            action.status = CorporateActionStatus.APPLIED;
            if (action.kind == CorporateActionKind.SPLIT) _applySplit(cp, action);
            else if (action.kind == CorporateActionKind.DIVIDEND) _applyDividend(cp, action);
            else _applyDelisting(marketId, cp, action);
            cp.nextActionTime = _earliestPendingTime(marketId);
            _storeCheckpoint(marketId, cp);
            _emitApplied(actionId, cp, action);
        }
    }

    /// @dev epoch + 1; split factor * n/d; every stored price * d/n.
    function _applySplit(MarketCheckpoint memory cp, CorporateAction storage action) private view {
        (uint256 n, uint256 d) = (action.numerator, action.denominator);
        cp.epoch += 1;
        // Rounding down: the factor is informational for lazy conversion; the projected-factor check
        // at scheduling keeps it inside [MIN, MAX] so prices below stay within 128 bits.
        cp.splitFactorX18 = Math.mulDiv(cp.splitFactorX18, n, d);
        cp.lastGoodPriceX18 = _rescale(cp.lastGoodPriceX18, d, n);
        cp.anchorPriceX18 = _rescale(cp.anchorPriceX18, d, n);
        cp.internalPriceX18 = _rescale(cp.internalPriceX18, d, n);
        cp.lastAdjustmentTime = action.effectiveTime;
    }

    /// @dev Stored prices lowered by D (never by more than MAX_DIVIDEND_BPS of themselves, see
    /// `_lowerBy`); the per-base-share accumulator raised by D * splitFactor.
    function _applyDividend(MarketCheckpoint memory cp, CorporateAction storage action) private view {
        uint256 amountX18 = action.amountX18;
        cp.lastGoodPriceX18 = _lowerBy(cp.lastGoodPriceX18, amountX18);
        cp.anchorPriceX18 = _lowerBy(cp.anchorPriceX18, amountX18);
        cp.internalPriceX18 = _lowerBy(cp.internalPriceX18, amountX18);
        // D is per current share; one base share is splitFactor current shares. Rounding down: the
        // clearinghouse pays longs exactly what it collects from shorts from this one number.
        cp.cumulativeDividendX18 += Math.mulDiv(amountX18, cp.splitFactorX18, Constants.X18);
        cp.lastAdjustmentTime = action.effectiveTime;
    }

    /// @dev SETTLED at the settlement price from the effective time on; later actions are dropped.
    function _applyDelisting(bytes32 marketId, MarketCheckpoint memory cp, CorporateAction storage action) private {
        uint128 priceX18 = action.amountX18;
        cp.state = MarketState.SETTLED;
        (cp.lastGoodPriceX18, cp.lastGoodTime) = (priceX18, action.effectiveTime);
        (cp.anchorPriceX18, cp.anchorTime) = (priceX18, action.effectiveTime);
        (cp.internalPriceX18, cp.internalUpdatedAt) = (priceX18, action.effectiveTime);
        uint256[] storage pending = _pending[marketId];
        while (pending.length != 0) {
            uint256 droppedId = pending[pending.length - 1];
            _cancel(droppedId, _actions[droppedId]);
        }
    }

    function _emitApplied(uint256 actionId, MarketCheckpoint memory cp, CorporateAction storage action) private {
        bytes32 marketId = action.marketId;
        if (action.kind == CorporateActionKind.SPLIT) {
            emit SplitApplied(actionId, marketId, cp.epoch, action.numerator, action.denominator, cp.splitFactorX18);
        } else if (action.kind == CorporateActionKind.DIVIDEND) {
            emit DividendApplied(actionId, marketId, action.amountX18, cp.cumulativeDividendX18);
        } else {
            emit MarketSettled(actionId, marketId, action.amountX18);
        }
    }

    // ============================================================================== checkpoint storage

    /// @dev One copy of the (six-slot) load and store code, shared by every caller.
    function _readCheckpoint(bytes32 marketId) internal view returns (MarketCheckpoint memory) {
        return _checkpoints[marketId];
    }

    function _storeCheckpoint(bytes32 marketId, MarketCheckpoint memory cp) internal {
        _checkpoints[marketId] = cp;
    }

    // ============================================================================== pending list

    /// @dev The pending action with the earliest effective time (ties: the lower id). The caller
    /// knows at least one is pending.
    function _earliestPending(bytes32 marketId) internal view returns (uint256 earliestId) {
        uint256[] storage pending = _pending[marketId];
        uint256 earliestTime = type(uint256).max;
        for (uint256 i; i < pending.length; ++i) {
            uint256 id = pending[i];
            uint256 time = _actions[id].effectiveTime;
            if (time < earliestTime || (time == earliestTime && id < earliestId)) {
                (earliestId, earliestTime) = (id, time);
            }
        }
    }

    function _earliestPendingTime(bytes32 marketId) private view returns (uint40) {
        if (_pending[marketId].length == 0) return type(uint40).max;
        return _actions[_earliestPending(marketId)].effectiveTime;
    }

    function _isDelisting(CorporateAction storage action) internal view returns (bool) {
        return action.kind == CorporateActionKind.DELISTING;
    }

    function _schedule(CorporateAction memory action) private returns (uint256 actionId) {
        actionId = nextCorporateActionId++;
        _actions[actionId] = action;
        _pending[action.marketId].push(actionId);
        MarketCheckpoint storage cp = _checkpoints[action.marketId];
        if (action.effectiveTime < cp.nextActionTime) cp.nextActionTime = action.effectiveTime;
        emit CorporateActionScheduled(
            actionId,
            action.marketId,
            action.kind,
            action.effectiveTime,
            action.numerator,
            action.denominator,
            action.amountX18
        );
    }

    function _cancel(uint256 actionId, CorporateAction storage action) private {
        action.status = CorporateActionStatus.CANCELLED;
        _removePending(action.marketId, actionId);
        emit CorporateActionCancelled(actionId, action.marketId);
    }

    function _removePending(bytes32 marketId, uint256 actionId) private {
        uint256[] storage pending = _pending[marketId];
        uint256 last = pending.length - 1;
        for (uint256 i; i <= last; ++i) {
            if (pending[i] == actionId) {
                pending[i] = pending[last];
                pending.pop();
                return;
            }
        }
    }

    // ============================================================================== checks

    function _newAction(
        bytes32 marketId,
        CorporateActionKind kind,
        uint256 effectiveTime
    ) private pure returns (CorporateAction memory action) {
        action.marketId = marketId;
        action.kind = kind;
        action.status = CorporateActionStatus.SCHEDULED;
        action.effectiveTime = effectiveTime.toUint40();
    }

    /// @dev Listed, not settled, room in the pending list, notice and horizon respected.
    function _checkSchedulable(bytes32 marketId, uint256 effectiveTime) private view {
        MarketCheckpoint storage cp = _checkpoints[marketId];
        if (cp.lastGoodPriceX18 == 0) revert Oracle_UnknownMarket(marketId);
        if (cp.state == MarketState.SETTLED) revert Oracle_MarketSettled(marketId);
        if (_pending[marketId].length >= Constants.MAX_PENDING_CORPORATE_ACTIONS) {
            revert Oracle_TooManyPendingActions(marketId, Constants.MAX_PENDING_CORPORATE_ACTIONS);
        }
        uint256 earliest = block.timestamp + Constants.MIN_CORPORATE_ACTION_NOTICE;
        uint256 latest = block.timestamp + Constants.MAX_CORPORATE_ACTION_HORIZON;
        if (effectiveTime < earliest || effectiveTime > latest) {
            revert Oracle_EffectiveTimeOutOfRange(effectiveTime, earliest, latest);
        }
    }

    /// @dev Whatever order the pending splits apply in, every intermediate factor lies between the
    /// current factor times all pending reverse ratios and times all pending forward ratios; both
    /// extremes (with the new split) must stay inside [MIN_SPLIT_FACTOR_X18, MAX_SPLIT_FACTOR_X18].
    function _checkProjectedSplitFactor(bytes32 marketId, uint256 numerator, uint256 denominator) private view {
        uint256 highX18 = _checkpoints[marketId].splitFactorX18;
        uint256 lowX18 = highX18;
        uint256[] storage pending = _pending[marketId];
        for (uint256 i; i <= pending.length; ++i) {
            (uint256 n, uint256 d) = (numerator, denominator);
            if (i < pending.length) {
                CorporateAction storage action = _actions[pending[i]];
                if (action.kind != CorporateActionKind.SPLIT) continue;
                (n, d) = (action.numerator, action.denominator);
            }
            // Rounding up the high and down the low extreme makes the check conservative.
            if (n > d) highX18 = Math.mulDiv(highX18, n, d, Math.Rounding.Ceil);
            else lowX18 = Math.mulDiv(lowX18, n, d);
        }
        if (highX18 > Constants.MAX_SPLIT_FACTOR_X18) {
            revert Oracle_SplitFactorOutOfRange(highX18, Constants.MIN_SPLIT_FACTOR_X18, Constants.MAX_SPLIT_FACTOR_X18);
        }
        if (lowX18 < Constants.MIN_SPLIT_FACTOR_X18) {
            revert Oracle_SplitFactorOutOfRange(lowX18, Constants.MIN_SPLIT_FACTOR_X18, Constants.MAX_SPLIT_FACTOR_X18);
        }
    }

    /// @dev `priceX18 * multiplier / divisor`, rounded down (prices are references, not amounts owed).
    function _rescale(uint128 priceX18, uint256 multiplier, uint256 divisor) private pure returns (uint128) {
        return Math.mulDiv(priceX18, multiplier, divisor).toUint128();
    }

    /// @dev `price - D`, but never below `price * (1 - MAX_DIVIDEND_BPS)`: D was checked against the
    /// price at scheduling; if the price has since collapsed below 2 D, lowering by D would leave a
    /// near-zero or negative reference, so the reference drops by half instead (the accumulator still
    /// carries the full D).
    function _lowerBy(uint128 priceX18, uint256 amountX18) private pure returns (uint128) {
        uint256 maxDropX18 = (uint256(priceX18) * Constants.MAX_DIVIDEND_BPS) / Constants.BPS;
        // The result is at most `priceX18`, so it fits 128 bits.
        return uint128(priceX18 - Math.min(amountX18, maxDropX18));
    }
}
