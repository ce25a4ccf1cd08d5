// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {OracleTestBase} from "./OracleTestBase.sol";
import {IOracleAdapter} from "../../contracts/interfaces/IOracleAdapter.sol";
import {IOracleCorporateActions} from "../../contracts/interfaces/IOracleCorporateActions.sol";
import {Constants} from "../../contracts/libraries/Constants.sol";
import {Session} from "../../contracts/types/Session.sol";
import {
    CorporateAction,
    CorporateActionKind,
    CorporateActionStatus,
    DegradedReason,
    MarketCheckpoint,
    MarketState,
    PriceOrigin,
    PriceState
} from "../../contracts/types/Oracle.sol";

/// @notice Splits, reverse splits, dividends and delistings (SPEC 3.5, INV-8 oracle side): exact
/// effects, exactly-once application, cancellation, notice and every bound.
/// @dev Fixture: CLOSED weekend anchored at 100 (POST_END - 1); the weekend internal price moved
/// to 101 by one capped trade at POST_END + 1 h. Actions are scheduled 2 days ahead (notice 1 day).
contract OracleCorporateActionsTest is OracleTestBase {
    uint256 internal effective;

    function setUp() public override {
        super.setUp();
        vm.startPrank(admin);
        actions.grantRole(actions.CORPORATE_ACTIONS_ROLE(), admin);
        vm.stopPrank();
        _openAt(100e18);
        vm.warp(POST_END - 1);
        streams.setPrice(AAPL, 100e18, block.timestamp);
        vm.warp(POST_END);
        _poke();
        vm.warp(POST_END + 1 hours);
        _trade(150e18, 10_000e18); // P = 101 (capped step)
        vm.warp(POST_END + 2 hours);
        effective = POST_END + 26 hours; // still inside the 48 h weekend
    }

    // ================================================================== split

    function test_scheduleSplit_StoresEmitsAndTellsTheAdapter() public {
        vm.expectEmit(address(actions));
        emit IOracleCorporateActions.CorporateActionScheduled(
            1,
            AAPL,
            CorporateActionKind.SPLIT,
            effective,
            4,
            1,
            0
        );
        vm.expectEmit(address(adapter));
        emit IOracleAdapter.NextCorporateActionTimeSet(AAPL, effective);
        uint256 id = _split(4, 1);
        assertEq(id, 1, "first id");
        assertEq(actions.nextCorporateActionId(), 2, "next id");
        CorporateAction memory a = actions.corporateAction(id);
        assertEq(a.marketId, AAPL, "market");
        assertEq(uint256(a.kind), uint256(CorporateActionKind.SPLIT), "kind");
        assertEq(uint256(a.status), uint256(CorporateActionStatus.SCHEDULED), "status");
        assertEq(a.effectiveTime, effective, "time");
        assertEq(actions.pendingCorporateActions(AAPL).length, 1, "pending");
        assertEq(_checkpoint().nextActionTime, effective, "adapter knows the time");
        (uint256 earliestId, CorporateAction memory earliest) = actions.earliestPending(AAPL);
        assertEq(earliestId, id, "earliest id");
        assertEq(earliest.numerator, 4, "earliest numerator");
    }

    function test_split_HaltsFromTheEffectiveTimeUntilApplied() public {
        _split(4, 1);
        vm.warp(effective - 1);
        assertEq(uint256(_state().state), uint256(MarketState.CLOSED), "before: closed");
        vm.warp(effective);
        PriceState memory s = _state();
        _assertState(s, MarketState.HALTED, PriceOrigin.FROZEN, "due, not applied");
        assertEq(s.markPriceX18, 100e18, "frozen last good price, old units");
        assertEq(s.bandLowX18, s.bandHighX18, "zero-width band: nothing fills");
        assertEq(s.epoch, 0, "old epoch");
        uint256 pBefore = _checkpoint().internalPriceX18;
        _trade(150e18, 10_000e18);
        assertEq(_checkpoint().internalPriceX18, pBefore, "trades ignored while HALTED");
    }

    function test_split_FourForOneDividesPricesExactly() public {
        uint256 id = _split(4, 1);
        vm.warp(effective + 10);
        vm.expectEmit(address(actions));
        emit IOracleCorporateActions.SplitApplied(id, AAPL, 1, 4, 1, 4e18);
        PriceState memory s = _poke();
        MarketCheckpoint memory cp = _checkpoint();
        assertEq(cp.epoch, 1, "epoch + 1");
        assertEq(cp.splitFactorX18, 4e18, "factor x 4");
        assertEq(cp.anchorPriceX18, 25e18, "anchor / 4");
        assertEq(cp.internalPriceX18, 25.25e18, "P / 4");
        assertEq(cp.lastGoodPriceX18, 25e18, "last good / 4");
        assertEq(cp.lastAdjustmentTime, effective, "adjustment time");
        assertEq(cp.nextActionTime, type(uint40).max, "nothing pending");
        _assertState(s, MarketState.CLOSED, PriceOrigin.INTERNAL, "closed again, new units");
        assertEq(s.markPriceX18, 25.25e18, "mark in post-split units");
        assertEq(s.epoch, 1, "view epoch");
        assertEq(s.splitFactorX18, 4e18, "view factor");
        assertEq(
            uint256(actions.corporateAction(id).status),
            uint256(CorporateActionStatus.APPLIED),
            "APPLIED"
        );
        assertEq(actions.pendingCorporateActions(AAPL).length, 0, "removed from pending");
    }

    function test_split_OneForTenReverseMultipliesPricesExactly() public {
        _split(1, 10);
        vm.warp(effective);
        _poke();
        MarketCheckpoint memory cp = _checkpoint();
        assertEq(cp.splitFactorX18, 0.1e18, "factor / 10");
        assertEq(cp.anchorPriceX18, 1000e18, "anchor x 10");
        assertEq(cp.internalPriceX18, 1010e18, "P x 10");
        assertEq(_state().markPriceX18, 1010e18, "mark x 10");
    }

    function test_split_IsAppliedExactlyOnce() public {
        uint256 id = _split(4, 1);
        vm.warp(effective);
        _poke();
        vm.recordLogs();
        _poke();
        vm.warp(effective + 1 hours);
        _poke();
        assertEq(_checkpoint().epoch, 1, "still epoch 1");
        assertEq(_checkpoint().splitFactorX18, 4e18, "still x 4");
        assertEq(_checkpoint().anchorPriceX18, 25e18, "not divided twice");
        vm.expectRevert(
            abi.encodeWithSelector(
                IOracleCorporateActions.Oracle_ActionNotScheduled.selector,
                id,
                CorporateActionStatus.APPLIED
            )
        );
        vm.prank(admin);
        actions.cancelCorporateAction(id);
        MarketCheckpoint memory cp = _checkpoint();
        vm.expectRevert(
            abi.encodeWithSelector(IOracleCorporateActions.Oracle_CallerNotAdapter.selector, admin)
        );
        vm.prank(admin);
        actions.applyDue(AAPL, cp);
    }

    function test_split_RejectsPricesObservedBeforeTheSplit() public {
        // A split effective in the middle of a live session; a lagging source still serves a
        // print observed before it (pre-split units).
        uint256 splitTime = OPEN_2 + 2 hours; // inside the second regular session
        vm.prank(admin);
        actions.scheduleSplit(AAPL, splitTime, 2, 1);
        vm.warp(splitTime - 30 minutes);
        _pushRegular(100e18);
        _poke(); // reopen
        vm.warp(splitTime - 20 minutes);
        _pushRegular(100e18);
        _poke(); // OPEN
        vm.warp(splitTime + 10);
        feed.setPrice(AAPL, 100e18, splitTime - 5);
        pyth.setPrice(AAPL, 100e18, splitTime - 5);
        vm.expectEmit(address(adapter));
        emit IOracleAdapter.MarketStateChanged(
            AAPL,
            MarketState.OPEN,
            MarketState.DEGRADED,
            _regular(),
            DegradedReason.PRICE_BEFORE_OPEN
        );
        PriceState memory s = _poke();
        assertEq(s.markPriceX18, 50e18, "internal price in post-split units, not the stale print");
        vm.warp(splitTime + 20);
        _pushRegular(50.5e18);
        _assertState(_state(), MarketState.REOPENING, PriceOrigin.PRIMARY, "post-split print accepted");
    }

    function test_split_RecordsTheUnpokedCloseInOldUnitsFirst() public {
        uint256 splitTime = CLOSE_2 + 1 hours; // after the second regular session
        vm.prank(admin);
        actions.scheduleSplit(AAPL, splitTime, 2, 1);
        vm.warp(OPEN_2 + 60);
        _pushRegular(104e18);
        _poke(); // reopened in the second regular session
        vm.warp(CLOSE_2 - 10);
        _pushRegular(110e18); // the last print before the close; nobody pokes until after the split
        vm.warp(splitTime + 2 hours);
        vm.expectEmit(address(adapter));
        emit IOracleAdapter.PriceRecorded(AAPL, 110e18, CLOSE_2 - 10, PriceOrigin.PRIMARY);
        PriceState memory s = _poke();
        MarketCheckpoint memory cp = _checkpoint();
        assertEq(cp.epoch, 1, "split applied");
        assertEq(cp.anchorPriceX18, 55e18, "anchor = the close (110, old units) / 2");
        assertEq(cp.anchorTime, CLOSE_2 - 10, "anchor time");
        assertEq(s.markPriceX18, 55e18, "mark in new units");
    }

    // ================================================================== dividend

    function test_dividend_LowersPricesAndRaisesAccumulatorOnce() public {
        uint256 id = _dividend(0.75e18);
        vm.warp(effective);
        assertEq(uint256(_state().state), uint256(MarketState.HALTED), "due: HALTED");
        vm.expectEmit(address(actions));
        emit IOracleCorporateActions.DividendApplied(id, AAPL, 0.75e18, 0.75e18);
        _poke();
        MarketCheckpoint memory cp = _checkpoint();
        assertEq(cp.anchorPriceX18, 99.25e18, "anchor - D");
        assertEq(cp.internalPriceX18, 100.25e18, "P - D");
        assertEq(cp.lastGoodPriceX18, 99.25e18, "last good - D");
        assertEq(cp.cumulativeDividendX18, 0.75e18, "accumulator + D");
        assertEq(_state().cumulativeDividendX18, 0.75e18, "view accumulator");
        _poke();
        vm.warp(effective + 1 days);
        _poke();
        assertEq(_checkpoint().cumulativeDividendX18, 0.75e18, "applied exactly once");
        assertEq(_checkpoint().anchorPriceX18, 99.25e18, "lowered exactly once");
    }

    function test_dividend_AfterSplitCountsPerBaseShare() public {
        _split(4, 1);
        vm.prank(admin);
        actions.scheduleDividend(AAPL, effective + 1 hours, 0.25e18); // post-split units
        vm.warp(effective + 2 hours); // both due: one poke applies them in time order
        _poke();
        MarketCheckpoint memory cp = _checkpoint();
        assertEq(cp.anchorPriceX18, 24.75e18, "100 / 4 - 0.25");
        assertEq(cp.cumulativeDividendX18, 1e18, "0.25 per share = 1.00 per base share");
        assertEq(cp.epoch, 1, "one split");
    }

    function test_dividend_NeverLowersAPriceByMoreThanHalf() public {
        uint256 exTime = CLOSE_2 + 1 hours;
        vm.prank(admin);
        actions.scheduleDividend(AAPL, exTime, 45e18); // <= 50 % of 100 at scheduling
        vm.warp(OPEN_2 + 60);
        _pushRegular(60e18); // the price collapses before the ex-date
        _poke();
        vm.warp(exTime);
        _poke();
        MarketCheckpoint memory cp = _checkpoint();
        assertEq(cp.lastGoodPriceX18, 30e18, "60 lowered by 30 (half), not by 45");
        assertEq(cp.anchorPriceX18, 30e18, "the new weekend anchors at the lowered price");
        assertEq(cp.cumulativeDividendX18, 45e18, "the accumulator still carries the full D");
    }

    // ================================================================== delisting

    function test_delisting_SettlesAtItsPriceAndDropsLaterActions() public {
        uint256 delistId = _delisting(42e18);
        vm.prank(admin);
        uint256 laterId = actions.scheduleDividend(AAPL, effective + 1 hours, 1e18);
        vm.warp(effective);
        PriceState memory s = _state();
        _assertState(s, MarketState.SETTLED, PriceOrigin.SETTLEMENT, "due: already SETTLED in the view");
        assertEq(s.markPriceX18, 42e18, "settlement price");
        vm.expectEmit(address(actions));
        emit IOracleCorporateActions.CorporateActionCancelled(laterId, AAPL);
        vm.expectEmit(address(actions));
        emit IOracleCorporateActions.MarketSettled(delistId, AAPL, 42e18);
        s = _poke();
        _assertState(s, MarketState.SETTLED, PriceOrigin.SETTLEMENT, "applied");
        assertEq(s.indexPriceX18, 42e18, "index");
        assertEq(s.bandLowX18, 42e18, "band low");
        assertEq(s.bandHighX18, 42e18, "band high");
        assertEq(s.anchorTime, effective, "settled at the effective time");
        assertEq(uint256(_checkpoint().state), uint256(MarketState.SETTLED), "stored");
        assertEq(
            uint256(actions.corporateAction(laterId).status),
            uint256(CorporateActionStatus.CANCELLED),
            "dropped"
        );
        vm.warp(effective + 10 days);
        _trade(100e18, 10_000e18);
        s = _poke();
        assertEq(s.markPriceX18, 42e18, "settled forever");
        vm.expectRevert(abi.encodeWithSelector(IOracleCorporateActions.Oracle_MarketSettled.selector, AAPL));
        vm.prank(admin);
        actions.scheduleDividend(AAPL, block.timestamp + 2 days, 1e18);
    }

    // ================================================================== cancellation and order

    function test_cancelCorporateAction_CancelsBeforeItsTime() public {
        uint256 id = _split(4, 1);
        vm.prank(admin);
        uint256 later = actions.scheduleDividend(AAPL, effective + 1 hours, 1e18);
        vm.expectEmit(address(actions));
        emit IOracleCorporateActions.CorporateActionCancelled(id, AAPL);
        vm.expectEmit(address(adapter));
        emit IOracleAdapter.NextCorporateActionTimeSet(AAPL, effective + 1 hours);
        vm.prank(admin);
        actions.cancelCorporateAction(id);
        assertEq(
            uint256(actions.corporateAction(id).status),
            uint256(CorporateActionStatus.CANCELLED),
            "status"
        );
        assertEq(_checkpoint().nextActionTime, effective + 1 hours, "next = the dividend");
        vm.prank(admin);
        actions.cancelCorporateAction(later);
        assertEq(_checkpoint().nextActionTime, type(uint40).max, "nothing pending");
        vm.warp(effective + 2 hours);
        _poke();
        assertEq(_checkpoint().epoch, 0, "cancelled split never applies");
        assertEq(_checkpoint().cumulativeDividendX18, 0, "cancelled dividend never applies");
    }

    function test_cancelCorporateAction_RevertIf_NotScheduled() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                IOracleCorporateActions.Oracle_ActionNotScheduled.selector,
                7,
                CorporateActionStatus.NONE
            )
        );
        vm.prank(admin);
        actions.cancelCorporateAction(7);
        uint256 id = _split(4, 1);
        vm.prank(admin);
        actions.cancelCorporateAction(id);
        vm.expectRevert(
            abi.encodeWithSelector(
                IOracleCorporateActions.Oracle_ActionNotScheduled.selector,
                id,
                CorporateActionStatus.CANCELLED
            )
        );
        vm.prank(admin);
        actions.cancelCorporateAction(id);
    }

    function test_cancelCorporateAction_RevertIf_AlreadyEffective() public {
        uint256 id = _split(4, 1);
        vm.warp(effective);
        vm.expectRevert(
            abi.encodeWithSelector(
                IOracleCorporateActions.Oracle_ActionAlreadyEffective.selector,
                id,
                effective
            )
        );
        vm.prank(admin);
        actions.cancelCorporateAction(id);
    }

    function test_applyDue_TiesApplyInIdOrder() public {
        vm.startPrank(admin);
        uint256 first = actions.scheduleDividend(AAPL, effective, 1e18);
        actions.scheduleSplit(AAPL, effective, 2, 1);
        vm.stopPrank();
        (uint256 earliestId, ) = actions.earliestPending(AAPL);
        assertEq(earliestId, first, "lower id first");
        vm.warp(effective);
        _poke();
        assertEq(_checkpoint().anchorPriceX18, 49.5e18, "(100 - 1) / 2: dividend, then split");
        assertEq(_checkpoint().cumulativeDividendX18, 1e18, "dividend at factor 1");
    }

    function test_earliestPending_ReturnsZeroWhenNothingIsPending() public view {
        (uint256 id, CorporateAction memory a) = actions.earliestPending(AAPL);
        assertEq(id, 0, "none");
        assertEq(uint256(a.status), uint256(CorporateActionStatus.NONE), "empty");
    }

    // ================================================================== schedule checks

    function test_schedule_RevertIf_NoticeTooShortOrBeyondHorizon() public {
        uint256 earliest = block.timestamp + Constants.MIN_CORPORATE_ACTION_NOTICE;
        uint256 latest = block.timestamp + Constants.MAX_CORPORATE_ACTION_HORIZON;
        bytes memory tooEarly = abi.encodeWithSelector(
            IOracleCorporateActions.Oracle_EffectiveTimeOutOfRange.selector,
            earliest - 1,
            earliest,
            latest
        );
        vm.startPrank(admin);
        vm.expectRevert(tooEarly);
        actions.scheduleSplit(AAPL, earliest - 1, 4, 1);
        vm.expectRevert(tooEarly);
        actions.scheduleDividend(AAPL, earliest - 1, 1e18);
        vm.expectRevert(tooEarly);
        actions.scheduleDelisting(AAPL, earliest - 1, 1e18);
        vm.expectRevert(
            abi.encodeWithSelector(
                IOracleCorporateActions.Oracle_EffectiveTimeOutOfRange.selector,
                latest + 1,
                earliest,
                latest
            )
        );
        actions.scheduleSplit(AAPL, latest + 1, 4, 1);
        actions.scheduleSplit(AAPL, earliest, 4, 1); // both bounds are valid
        actions.scheduleSplit(AAPL, latest, 1, 4);
        vm.stopPrank();
    }

    function test_scheduleSplit_RevertIf_InvalidRatio() public {
        uint32[2][5] memory bad = [
            [uint32(0), 1],
            [uint32(1), 0],
            [uint32(3), 3],
            [uint32(1001), 1],
            [uint32(1), 1001]
        ];
        for (uint256 i; i < bad.length; ++i) {
            vm.expectRevert(
                abi.encodeWithSelector(
                    IOracleCorporateActions.Oracle_InvalidSplitRatio.selector,
                    bad[i][0],
                    bad[i][1]
                )
            );
            vm.prank(admin);
            actions.scheduleSplit(AAPL, effective, bad[i][0], bad[i][1]);
        }
    }

    function test_scheduleSplit_RevertIf_FactorCouldLeaveItsBounds() public {
        vm.startPrank(admin);
        actions.scheduleSplit(AAPL, effective, 1000, 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                IOracleCorporateActions.Oracle_SplitFactorOutOfRange.selector,
                1e24,
                1e14,
                1e22
            )
        );
        actions.scheduleSplit(AAPL, effective + 1, 1000, 1);
        actions.scheduleSplit(AAPL, effective + 1, 10, 1); // 1e22: the bound itself
        // Reverse splits are checked on their own extreme: 1e18 / 1000 / 1000 < 1e14.
        actions.scheduleSplit(AAPL, effective + 2, 1, 1000);
        vm.expectRevert(
            abi.encodeWithSelector(
                IOracleCorporateActions.Oracle_SplitFactorOutOfRange.selector,
                1e12,
                1e14,
                1e22
            )
        );
        actions.scheduleSplit(AAPL, effective + 3, 1, 1000);
        vm.stopPrank();
    }

    function test_scheduleDividend_RevertIf_ZeroOrAboveHalfThePrice() public {
        vm.expectRevert(
            abi.encodeWithSelector(IOracleCorporateActions.Oracle_InvalidDividend.selector, 0, 50e18)
        );
        vm.prank(admin);
        actions.scheduleDividend(AAPL, effective, 0);
        vm.expectRevert(
            abi.encodeWithSelector(IOracleCorporateActions.Oracle_InvalidDividend.selector, 50e18 + 1, 50e18)
        );
        vm.prank(admin);
        actions.scheduleDividend(AAPL, effective, 50e18 + 1);
        _dividend(50e18); // the bound itself
    }

    function test_scheduleDelisting_RevertIf_PriceZeroOrAboveMax() public {
        uint256 max = Constants.MAX_PRICE_X18;
        vm.expectRevert(abi.encodeWithSelector(IOracleCorporateActions.Oracle_InvalidPrice.selector, 0, max));
        vm.prank(admin);
        actions.scheduleDelisting(AAPL, effective, 0);
        vm.expectRevert(
            abi.encodeWithSelector(IOracleCorporateActions.Oracle_InvalidPrice.selector, max + 1, max)
        );
        vm.prank(admin);
        actions.scheduleDelisting(AAPL, effective, max + 1);
    }

    function test_schedule_RevertIf_UnknownMarket() public {
        vm.expectRevert(
            abi.encodeWithSelector(IOracleCorporateActions.Oracle_UnknownMarket.selector, bytes32("NOPE"))
        );
        vm.prank(admin);
        actions.scheduleSplit("NOPE", effective, 4, 1);
    }

    function test_schedule_RevertIf_TooManyPending() public {
        vm.startPrank(admin);
        for (uint256 i; i < Constants.MAX_PENDING_CORPORATE_ACTIONS; ++i) {
            actions.scheduleDividend(AAPL, effective + i, 0.01e18);
        }
        vm.expectRevert(
            abi.encodeWithSelector(IOracleCorporateActions.Oracle_TooManyPendingActions.selector, AAPL, 8)
        );
        actions.scheduleDividend(AAPL, effective + 100, 0.01e18);
        vm.stopPrank();
    }

    function test_schedule_RevertIf_CallerLacksRole() public {
        bytes memory denied = abi.encodeWithSelector(
            IAccessControl.AccessControlUnauthorizedAccount.selector,
            stranger,
            actions.CORPORATE_ACTIONS_ROLE()
        );
        vm.startPrank(stranger);
        vm.expectRevert(denied);
        actions.scheduleSplit(AAPL, effective, 4, 1);
        vm.expectRevert(denied);
        actions.scheduleDividend(AAPL, effective, 1e18);
        vm.expectRevert(denied);
        actions.scheduleDelisting(AAPL, effective, 1e18);
        vm.expectRevert(denied);
        actions.cancelCorporateAction(1);
        vm.stopPrank();
    }

    function test_scheduleSplit_RevertIf_DenominatorDoesNotDivideTheStepQuantum() public {
        // 1:3 and 2:3 would leave sub-wei rounding dust on positions that is not zero-sum (INV-2).
        vm.startPrank(admin);
        vm.expectRevert(abi.encodeWithSelector(IOracleCorporateActions.Oracle_SplitNotExact.selector, 1, 3));
        actions.scheduleSplit(AAPL, effective, 1, 3);
        vm.expectRevert(abi.encodeWithSelector(IOracleCorporateActions.Oracle_SplitNotExact.selector, 2, 3));
        actions.scheduleSplit(AAPL, effective, 2, 3);
        vm.expectRevert(abi.encodeWithSelector(IOracleCorporateActions.Oracle_SplitNotExact.selector, 1, 7));
        actions.scheduleSplit(AAPL, effective, 1, 7);
        vm.stopPrank();
    }

    function test_scheduleSplit_AcceptsRatiosThatReduceToAnExactDenominator() public {
        // 3:6 reduces to 1:2; 6:4 to 3:2; 1:1000 and 2:5 divide the 1e9 quantum.
        vm.startPrank(admin);
        uint256 first = actions.scheduleSplit(AAPL, effective, 3, 6);
        uint256 second = actions.scheduleSplit(AAPL, effective + 1, 6, 4);
        uint256 third = actions.scheduleSplit(AAPL, effective + 2, 2, 5);
        vm.stopPrank();
        assertEq(second, first + 1, "6:4 scheduled");
        assertEq(third, first + 2, "2:5 scheduled");
    }

    // ================================================================== helpers

    function _split(uint32 numerator, uint32 denominator) internal returns (uint256) {
        vm.prank(admin);
        return actions.scheduleSplit(AAPL, effective, numerator, denominator);
    }

    function _dividend(uint256 amountX18) internal returns (uint256) {
        vm.prank(admin);
        return actions.scheduleDividend(AAPL, effective, amountX18);
    }

    function _delisting(uint256 priceX18) internal returns (uint256) {
        vm.prank(admin);
        return actions.scheduleDelisting(AAPL, effective, priceX18);
    }

    function _regular() internal pure returns (Session) {
        return Session.REGULAR;
    }
}
