// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Vm} from "../utils/Vm.sol";
import {OracleTestBase} from "./OracleTestBase.sol";
import {IOracleAdapter} from "../../contracts/interfaces/IOracleAdapter.sol";
import {OracleMath} from "../../contracts/libraries/OracleMath.sol";
import {Session} from "../../contracts/types/Session.sol";
import {DegradedReason, MarketState, PriceOrigin, PriceState} from "../../contracts/types/Oracle.sol";

/// @notice The reopen after a weekend (SPEC 3.4): post-open rule, snap, gap events, REOPENING.
/// @dev Fixture: OPEN at 100, anchored at 100 at POST_END - 1, CLOSED for 48 h, REGULAR at OPEN_2.
/// At OPEN_2 + 30 s the band is 100 * (1 +- 8.66 %): [91.34, 108.66].
contract OracleAdapterReopenTest is OracleTestBase {
    uint256 internal constant REOPEN = OPEN_2 + 30;

    function setUp() public override {
        super.setUp();
        _openAt(100e18);
        vm.warp(POST_END - 1);
        streams.setPrice(AAPL, 100e18, block.timestamp);
        vm.warp(POST_END);
        _poke();
    }

    function test_reopen_GapUpInsideBandSnapsWithoutGapEvent() public {
        _reopenExpect(105e18, false);
    }

    function test_reopen_GapUpBeyondBandEmitsReopenGap() public {
        _reopenExpect(112e18, true);
    }

    function test_reopen_GapDownInsideBandSnapsWithoutGapEvent() public {
        _reopenExpect(95e18, false);
    }

    function test_reopen_GapDownBeyondBandEmitsReopenGap() public {
        _reopenExpect(88e18, true);
    }

    function test_reopen_GapIsMeasuredFromTheWeekendMark() public {
        vm.warp(POST_END + 1 hours);
        _trade(103e18, 10_000e18); // weekend trading moves P (and the mark) up
        uint256 weekendMark = _state().markPriceX18;
        assertGt(weekendMark, 100e18, "the weekend mark moved");
        vm.warp(REOPEN);
        _pushRegular(80e18);
        vm.expectEmit(address(adapter));
        emit IOracleAdapter.ReopenGap(AAPL, weekendMark, 80e18);
        _poke();
    }

    function test_reopen_RejectsARepeatedFridayClose() public {
        vm.warp(REOPEN);
        // Sources still serve a price observed 5 s before the open: fresh enough, but pre-open.
        feed.setPrice(AAPL, 100e18, OPEN_2 - 5);
        pyth.setPrice(AAPL, 100e18, OPEN_2 - 5);
        PriceState memory s = _state();
        _assertState(s, MarketState.DEGRADED, PriceOrigin.INTERNAL, "no post-open price yet");
        assertEq(s.markPriceX18, 100e18, "internal mark, not a snap");
        vm.expectEmit(address(adapter));
        emit IOracleAdapter.MarketStateChanged(
            AAPL,
            MarketState.CLOSED,
            MarketState.DEGRADED,
            Session.REGULAR,
            DegradedReason.PRICE_BEFORE_OPEN
        );
        _poke();
        vm.warp(REOPEN + 10);
        _pushRegular(101e18);
        _assertState(_state(), MarketState.REOPENING, PriceOrigin.PRIMARY, "first post-open price");
    }

    function test_reopen_AcceptsAPriceObservedAtTheOpeningSecond() public {
        vm.warp(REOPEN);
        feed.setPrice(AAPL, 101e18, OPEN_2);
        pyth.setPrice(AAPL, 101e18, OPEN_2);
        _assertState(_state(), MarketState.REOPENING, PriceOrigin.PRIMARY, "observed at the session start");
    }

    function test_reopen_DegradedWhileNoSourceHasAnyPrice() public {
        vm.warp(REOPEN);
        feed.setReverting(AAPL, true);
        pyth.setReverting(AAPL, true);
        _assertState(_state(), MarketState.DEGRADED, PriceOrigin.INTERNAL, "calendar open, no price");
    }

    function test_reopen_ReopeningWindowThenOpen() public {
        vm.warp(REOPEN);
        _pushRegular(101e18);
        _poke();
        assertEq(_checkpoint().reopenedAt, REOPEN, "window starts at the snap price's observation");
        vm.warp(REOPEN + 5 minutes - 1);
        _pushRegular(101.5e18);
        _assertState(_state(), MarketState.REOPENING, PriceOrigin.PRIMARY, "inside the window");
        assertEq(_state().indexPriceX18, 101.5e18, "index follows the source while reopening");
        vm.warp(REOPEN + 5 minutes);
        _pushRegular(102e18);
        _assertState(_state(), MarketState.OPEN, PriceOrigin.PRIMARY, "window over");
        vm.expectEmit(address(adapter));
        emit IOracleAdapter.MarketStateChanged(
            AAPL,
            MarketState.REOPENING,
            MarketState.OPEN,
            Session.REGULAR,
            DegradedReason.NONE
        );
        _poke();
    }

    function test_reopen_ViewSnapsWithoutAPoke() public {
        vm.warp(REOPEN);
        _pushRegular(104e18);
        PriceState memory s = _state();
        _assertState(s, MarketState.REOPENING, PriceOrigin.PRIMARY, "lazy reopen");
        assertEq(s.indexPriceX18, 104e18, "index snapped");
        assertEq(s.markPriceX18, 104e18, "mark snapped (no smoothing)");
        assertEq(uint256(_checkpoint().state), uint256(MarketState.CLOSED), "nothing stored by a view");
    }

    function test_reopen_DegradedThenRecoveredReopensAgain() public {
        vm.warp(REOPEN);
        _pushRegular(101e18);
        _poke();
        vm.warp(REOPEN + 10 minutes);
        _pushRegular(101e18);
        _poke(); // OPEN
        vm.warp(REOPEN + 20 minutes);
        feed.setReverting(AAPL, true);
        pyth.setReverting(AAPL, true);
        _poke(); // DEGRADED, anchored at 101 (REOPEN + 10 min)
        assertEq(uint256(_checkpoint().state), uint256(MarketState.DEGRADED), "recorded DEGRADED");
        vm.warp(REOPEN + 30 minutes);
        _pushRegular(102e18);
        vm.expectEmit(address(adapter));
        emit IOracleAdapter.MarketReopened(AAPL, 102e18, REOPEN + 30 minutes);
        PriceState memory s = _poke();
        _assertState(s, MarketState.REOPENING, PriceOrigin.PRIMARY, "recovery from DEGRADED is a reopen");
    }

    // ================================================================== helpers

    function _reopenExpect(uint256 priceX18, bool gap) internal {
        vm.warp(REOPEN);
        _pushRegular(priceX18);
        uint256 b = OracleMath.bandHalfWidthX18(500, 2000, REOPEN - (POST_END - 1), 1 days);
        (uint256 low, uint256 high) = OracleMath.bandX18(100e18, b);
        assertEq(gap, priceX18 < low || priceX18 > high, "fixture: gap iff outside the band");
        vm.recordLogs();
        PriceState memory s = _poke();
        _assertState(s, MarketState.REOPENING, PriceOrigin.PRIMARY, "reopening");
        assertEq(s.indexPriceX18, priceX18, "index snapped");
        assertEq(s.markPriceX18, priceX18, "mark snapped");
        bool sawGap;
        bool sawReopened;
        Vm.Log[] memory logs = vm.getRecordedLogs();
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].topics[0] == IOracleAdapter.ReopenGap.selector) {
                sawGap = true;
                assertEq(logs[i].data, abi.encode(100e18, priceX18), "ReopenGap(from mark, to price)");
            }
            if (logs[i].topics[0] == IOracleAdapter.MarketReopened.selector) sawReopened = true;
        }
        assertEq(sawGap, gap, "ReopenGap emitted only beyond the band");
        assertTrue(sawReopened, "MarketReopened emitted");
    }
}
