// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IOracleAdapter} from "../interfaces/IOracleAdapter.sol";
import {IOracleCorporateActions} from "../interfaces/IOracleCorporateActions.sol";
import {Constants} from "../libraries/Constants.sol";
import {
    CorporateAction,
    CorporateActionKind,
    CorporateActionStatus,
    MarketCheckpoint,
    MarketState
} from "../types/Oracle.sol";

/// @title OracleCorporateActions
/// @notice The corporate-action schedule of one oracle adapter: scheduling with a minimum notice,
/// cancellation, and exactly-once application in effective-time order. See
/// `IOracleCorporateActions`.
/// @dev Created by the adapter's constructor. It pushes the earliest pending effective time to the
/// adapter after every change, and computes the effect of due actions on the checkpoint the adapter
/// hands it in `applyDue`.
contract OracleCorporateActions is IOracleCorporateActions, AccessControl {
    using SafeCast for uint256;

    /// @inheritdoc IOracleCorporateActions
    bytes32 public constant CORPORATE_ACTIONS_ROLE = keccak256("CORPORATE_ACTIONS_ROLE");

    /// @inheritdoc IOracleCorporateActions
    IOracleAdapter public immutable adapter;

    /// @inheritdoc IOracleCorporateActions
    uint256 public nextCorporateActionId = 1;

    mapping(uint256 actionId => CorporateAction) private _actions;
    mapping(bytes32 marketId => uint256[] actionIds) private _pending;

    /// @param admin The `DEFAULT_ADMIN_ROLE` holder (the timelock). The creator is the adapter.
    constructor(address admin) {
        adapter = IOracleAdapter(msg.sender);
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    // ============================================================================== schedule

    /// @inheritdoc IOracleCorporateActions
    function scheduleSplit(
        bytes32 marketId,
        uint256 effectiveTime,
        uint32 numerator,
        uint32 denominator
    ) external onlyRole(CORPORATE_ACTIONS_ROLE) returns (uint256 actionId) {
        if (!_isSplitTerm(numerator) || !_isSplitTerm(denominator) || numerator == denominator) {
            revert Oracle_InvalidSplitRatio(numerator, denominator);
        }
        // Both terms are non-zero, so the gcd is too. Exact positions need the reduced denominator to
        // divide the step quantum (Constants.SPLIT_EXACTNESS_QUANTUM).
        if (Constants.SPLIT_EXACTNESS_QUANTUM % (denominator / _gcd(numerator, denominator)) != 0) {
            revert Oracle_SplitNotExact(numerator, denominator);
        }
        MarketCheckpoint memory cp = _checkSchedulable(marketId, effectiveTime);
        _checkProjectedSplitFactor(marketId, cp.splitFactorX18, numerator, denominator);
        CorporateAction memory action = _newAction(marketId, CorporateActionKind.SPLIT, effectiveTime);
        (action.numerator, action.denominator) = (numerator, denominator);
        actionId = _schedule(action);
    }

    /// @inheritdoc IOracleCorporateActions
    function scheduleDividend(
        bytes32 marketId,
        uint256 exTime,
        uint256 amountX18
    ) external onlyRole(CORPORATE_ACTIONS_ROLE) returns (uint256 actionId) {
        MarketCheckpoint memory cp = _checkSchedulable(marketId, exTime);
        uint256 maxAmountX18 = (uint256(cp.lastGoodPriceX18) * Constants.MAX_DIVIDEND_BPS) / Constants.BPS;
        if (amountX18 == 0 || amountX18 > maxAmountX18)
            revert Oracle_InvalidDividend(amountX18, maxAmountX18);
        CorporateAction memory action = _newAction(marketId, CorporateActionKind.DIVIDEND, exTime);
        action.amountX18 = amountX18.toUint128();
        actionId = _schedule(action);
    }

    /// @inheritdoc IOracleCorporateActions
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

    /// @inheritdoc IOracleCorporateActions
    function cancelCorporateAction(uint256 actionId) external onlyRole(CORPORATE_ACTIONS_ROLE) {
        CorporateAction storage action = _actions[actionId];
        if (action.status != CorporateActionStatus.SCHEDULED)
            revert Oracle_ActionNotScheduled(actionId, action.status);
        if (block.timestamp >= action.effectiveTime)
            revert Oracle_ActionAlreadyEffective(actionId, action.effectiveTime);
        _cancel(actionId, action);
        adapter.setNextCorporateActionTime(action.marketId, _earliestPendingTime(action.marketId));
    }

    // ============================================================================== views

    /// @inheritdoc IOracleCorporateActions
    function corporateAction(uint256 actionId) external view returns (CorporateAction memory) {
        return _actions[actionId];
    }

    /// @inheritdoc IOracleCorporateActions
    function pendingCorporateActions(bytes32 marketId) external view returns (uint256[] memory) {
        return _pending[marketId];
    }

    /// @inheritdoc IOracleCorporateActions
    function earliestPending(
        bytes32 marketId
    ) external view returns (uint256 actionId, CorporateAction memory action) {
        actionId = _earliestPending(marketId);
        action = _actions[actionId];
    }

    // ============================================================================== application

    /// @inheritdoc IOracleCorporateActions
    function applyDue(
        bytes32 marketId,
        MarketCheckpoint memory cp
    ) external returns (MarketCheckpoint memory) {
        if (msg.sender != address(adapter)) revert Oracle_CallerNotAdapter(msg.sender);
        uint256 actionId = _earliestPending(marketId);
        while (actionId != 0 && _actions[actionId].effectiveTime <= block.timestamp) {
            CorporateAction storage action = _actions[actionId];
            _removePending(marketId, actionId);
            action.status = CorporateActionStatus.APPLIED;
            if (action.kind == CorporateActionKind.SPLIT) _applySplit(cp, action);
            else if (action.kind == CorporateActionKind.DIVIDEND) _applyDividend(cp, action);
            else _applyDelisting(marketId, cp, action);
            _emitApplied(actionId, cp, action);
            actionId = _earliestPending(marketId);
        }
        cp.nextActionTime = _earliestPendingTime(marketId).toUint40();
        return cp;
    }

    /// @dev epoch + 1; split factor * n/d; every stored price * d/n.
    function _applySplit(MarketCheckpoint memory cp, CorporateAction storage action) private view {
        (uint256 n, uint256 d) = (action.numerator, action.denominator);
        cp.epoch += 1;
        // Rounding down: the factor is informational for lazy conversion; the projected-factor check
        // at scheduling keeps it inside [MIN, MAX] so prices below stay within 128 bits.
        cp.splitFactorX18 = Math.mulDiv(cp.splitFactorX18, n, d).toUint80();
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
    function _applyDelisting(
        bytes32 marketId,
        MarketCheckpoint memory cp,
        CorporateAction storage action
    ) private {
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

    function _emitApplied(
        uint256 actionId,
        MarketCheckpoint memory cp,
        CorporateAction storage action
    ) private {
        bytes32 marketId = action.marketId;
        if (action.kind == CorporateActionKind.SPLIT) {
            emit SplitApplied(
                actionId,
                marketId,
                cp.epoch,
                action.numerator,
                action.denominator,
                cp.splitFactorX18
            );
        } else if (action.kind == CorporateActionKind.DIVIDEND) {
            emit DividendApplied(actionId, marketId, action.amountX18, cp.cumulativeDividendX18);
        } else {
            emit MarketSettled(actionId, marketId, action.amountX18);
        }
    }

    // ============================================================================== pending list

    /// @dev The pending action with the earliest effective time (ties: the lower id); 0 if none.
    function _earliestPending(bytes32 marketId) private view returns (uint256 earliestId) {
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

    /// @dev The earliest pending effective time, or `type(uint40).max` (never) if none.
    function _earliestPendingTime(bytes32 marketId) private view returns (uint256) {
        if (_pending[marketId].length == 0) return type(uint40).max;
        return _actions[_earliestPending(marketId)].effectiveTime;
    }

    function _schedule(CorporateAction memory action) private returns (uint256 actionId) {
        actionId = nextCorporateActionId++;
        _actions[actionId] = action;
        _pending[action.marketId].push(actionId);
        emit CorporateActionScheduled(
            actionId,
            action.marketId,
            action.kind,
            action.effectiveTime,
            action.numerator,
            action.denominator,
            action.amountX18
        );
        adapter.setNextCorporateActionTime(action.marketId, _earliestPendingTime(action.marketId));
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
    /// @return cp The adapter's stored checkpoint of the market.
    function _checkSchedulable(
        bytes32 marketId,
        uint256 effectiveTime
    ) private view returns (MarketCheckpoint memory cp) {
        cp = adapter.checkpoint(marketId);
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
    function _checkProjectedSplitFactor(
        bytes32 marketId,
        uint256 factorX18,
        uint256 numerator,
        uint256 denominator
    ) private view {
        uint256 highX18 = factorX18;
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
            revert Oracle_SplitFactorOutOfRange(
                highX18,
                Constants.MIN_SPLIT_FACTOR_X18,
                Constants.MAX_SPLIT_FACTOR_X18
            );
        }
        if (lowX18 < Constants.MIN_SPLIT_FACTOR_X18) {
            revert Oracle_SplitFactorOutOfRange(
                lowX18,
                Constants.MIN_SPLIT_FACTOR_X18,
                Constants.MAX_SPLIT_FACTOR_X18
            );
        }
    }

    /// @dev Greatest common divisor (Euclid); terms are at most MAX_SPLIT_TERM, so a few iterations.
    function _gcd(uint256 a, uint256 b) private pure returns (uint256) {
        while (b != 0) (a, b) = (b, a % b);
        return a;
    }

    function _isSplitTerm(uint256 term) private pure returns (bool) {
        return term != 0 && term <= Constants.MAX_SPLIT_TERM;
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
