// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {OracleTestBase} from "./OracleTestBase.sol";
import {IOracleAdapter} from "../../contracts/interfaces/IOracleAdapter.sol";
import {IPriceSource} from "../../contracts/interfaces/IPriceSource.sol";
import {Constants} from "../../contracts/libraries/Constants.sol";
import {OracleMath} from "../../contracts/libraries/OracleMath.sol";
import {Session} from "../../contracts/types/Session.sol";
import {
    DegradedReason,
    MarketCheckpoint,
    MarketParams,
    MarketState,
    PriceOrigin,
    PriceState
} from "../../contracts/types/Oracle.sol";

/// @notice Source selection and validation while live, every source failure (DEGRADED), the
/// capture of the anchor at the close, internal pricing while closed, and `recordTrade`.
contract OracleAdapterPricingTest is OracleTestBase {
    // ================================================================== live source selection

    function test_priceState_OpenUsesFreshPrimary() public {
        _openAt(100e18);
        vm.warp(block.timestamp + 10);
        feed.setPrice(AAPL, 101e18, block.timestamp);
        pyth.setPrice(AAPL, 101.5e18, block.timestamp); // 0.5 % apart: agree
        PriceState memory s = _state();
        _assertState(s, MarketState.OPEN, PriceOrigin.PRIMARY, "fresh primary");
        assertEq(uint256(s.session), uint256(Session.REGULAR), "session");
        assertEq(s.indexPriceX18, 101e18, "index");
        assertEq(s.markPriceX18, 101e18, "mark = index");
        assertEq(s.anchorPriceX18, 101e18, "live anchor = index");
        assertEq(s.anchorTime, block.timestamp, "anchor time = observation");
        assertEq(s.bandLowX18, 95.95e18, "b_tier below");
        assertEq(s.bandHighX18, 106.05e18, "b_tier above");
        assertEq(s.epoch, 0, "epoch");
        assertEq(s.splitFactorX18, 1e18, "factor");
        assertEq(s.cumulativeDividendX18, 0, "dividends");
    }

    function test_priceState_SoftStalePrimaryYieldsToFreshSecondary() public {
        _openAt(100e18);
        vm.warp(block.timestamp + 100);
        feed.setPrice(AAPL, 101e18, block.timestamp - 31); // soft-stale (30 s), still valid (120 s)
        pyth.setPrice(AAPL, 101.2e18, block.timestamp - 5);
        PriceState memory s = _state();
        _assertState(s, MarketState.OPEN, PriceOrigin.SECONDARY, "fresh secondary");
        assertEq(s.indexPriceX18, 101.2e18, "secondary price");
    }

    function test_priceState_SoftStalePrimaryWithoutFreshSecondaryIsStillUsed() public {
        _openAt(100e18);
        vm.warp(block.timestamp + 100);
        feed.setPrice(AAPL, 101e18, block.timestamp - 31);
        pyth.setPrice(AAPL, 101.2e18, block.timestamp - 40); // also soft-stale
        _assertState(_state(), MarketState.OPEN, PriceOrigin.PRIMARY, "both soft-stale: primary");
        pyth.setReverting(AAPL, true);
        _assertState(_state(), MarketState.OPEN, PriceOrigin.PRIMARY, "no secondary: primary");
    }

    function test_priceState_InvalidPrimaryFallsBackToSecondary() public {
        _openAt(100e18);
        vm.warp(block.timestamp + 100);
        pyth.setPrice(AAPL, 99e18, block.timestamp - 100); // valid but soft-stale
        feed.setReverting(AAPL, true);
        PriceState memory s = _state();
        _assertState(s, MarketState.OPEN, PriceOrigin.SECONDARY, "reverting primary");
        assertEq(s.indexPriceX18, 99e18, "secondary");
        feed.setPrice(AAPL, 100e18, block.timestamp - 121); // hard-stale: the source itself reverts
        _assertState(_state(), MarketState.OPEN, PriceOrigin.SECONDARY, "hard-stale primary");
    }

    // ================================================================== every failure -> DEGRADED

    function test_priceState_DegradedWhenEverySourceReverts() public {
        _openAt(100e18);
        vm.warp(block.timestamp + 60);
        feed.setReverting(AAPL, true);
        pyth.setReverting(AAPL, true);
        _assertDegraded(DegradedReason.SOURCE_UNAVAILABLE);
    }

    function test_priceState_DegradedWhenPriceIsZero() public {
        _openAt(100e18);
        vm.warp(block.timestamp + 60);
        feed.setPrice(AAPL, 0, block.timestamp);
        pyth.setReverting(AAPL, true);
        _assertDegraded(DegradedReason.SOURCE_UNAVAILABLE);
    }

    function test_priceState_DegradedWhenPriceIsAboveMax() public {
        _openAt(100e18);
        vm.warp(block.timestamp + 60);
        feed.setPrice(AAPL, Constants.MAX_PRICE_X18 + 1, block.timestamp);
        pyth.setReverting(AAPL, true);
        _assertDegraded(DegradedReason.SOURCE_UNAVAILABLE);
    }

    function test_priceState_DegradedWhenSourceReturnsHardStalePrice() public {
        _openAt(100e18);
        vm.warp(block.timestamp + 500);
        feed.setEnforceMaxAge(false); // a buggy source: the adapter re-checks the age itself
        feed.setPrice(AAPL, 101e18, block.timestamp - 121);
        pyth.setReverting(AAPL, true);
        _assertDegraded(DegradedReason.SOURCE_UNAVAILABLE);
    }

    function test_priceState_DegradedWhenObservationIsInTheFuture() public {
        _openAt(100e18);
        vm.warp(block.timestamp + 60);
        feed.setPrice(AAPL, 101e18, block.timestamp + 1);
        pyth.setReverting(AAPL, true);
        _assertDegraded(DegradedReason.SOURCE_UNAVAILABLE);
    }

    function test_priceState_DegradedWhenSourcesDisagree() public {
        _openAt(100e18);
        vm.warp(block.timestamp + 60);
        feed.setPrice(AAPL, 110e18, block.timestamp);
        pyth.setPrice(AAPL, 108.8e18, block.timestamp); // 1.09 % below the primary
        PriceState memory s = _assertDegraded(DegradedReason.SOURCES_DISAGREE);
        assertEq(s.markPriceX18, 100e18, "neither disputed price: the last good one");
        pyth.setPrice(AAPL, 108.9e18, block.timestamp); // exactly 1 %: agree
        _assertState(_state(), MarketState.REOPENING, PriceOrigin.PRIMARY, "agree again: recovery reopens");
    }

    function test_priceState_DegradedWhileSequencerIsDown() public {
        _openAt(100e18);
        vm.warp(block.timestamp + 60);
        _pushRegular(101e18);
        guard.setStatus(false, 0);
        _assertDegraded(DegradedReason.SEQUENCER_DOWN);
    }

    function test_priceState_DegradedWhenSequencerGuardReverts() public {
        _openAt(100e18);
        vm.warp(block.timestamp + 60);
        _pushRegular(101e18);
        guard.setReverting(true);
        _assertDegraded(DegradedReason.SEQUENCER_DOWN);
    }

    function test_priceState_DegradedMarkStaysInWideningBandAroundLastGoodPrice() public {
        _openAt(100e18);
        uint256 lastGoodTime = block.timestamp;
        feed.setReverting(AAPL, true);
        pyth.setReverting(AAPL, true);
        vm.warp(lastGoodTime + 24 hours / 24); // one hour later (still REGULAR)
        _poke();
        _trade(150e18, 10_000e18); // P moves 1 % (capped) toward 150
        PriceState memory s = _state();
        uint256 b = OracleMath.bandHalfWidthX18(500, 2000, 1 hours, 1 days);
        (uint256 low, uint256 high) = OracleMath.bandX18(100e18, b);
        assertEq(s.bandLowX18, low, "band low around the last good price");
        assertEq(s.bandHighX18, high, "band high");
        assertEq(s.markPriceX18, 101e18, "P moved by the capped step, inside the band");
        assertEq(s.indexPriceX18, s.markPriceX18, "index = mark while DEGRADED");
    }

    // ================================================================== the close: anchor capture

    function test_poke_CapturesLastPriceBeforeTheCloseAsAnchor() public {
        _openAt(100e18);
        vm.warp(CLOSE_1 + 1 hours); // POST_MARKET, primary `streams`
        streams.setPrice(AAPL, 102e18, block.timestamp);
        PriceState memory s = _poke();
        _assertState(s, MarketState.OPEN, PriceOrigin.PRIMARY, "post-market continues the live run");
        vm.warp(POST_END - 10);
        streams.setPrice(AAPL, 103e18, block.timestamp); // last print, nobody pokes
        vm.warp(POST_END + 30);
        s = _state();
        _assertState(s, MarketState.CLOSED, PriceOrigin.INTERNAL, "closed");
        assertEq(s.anchorPriceX18, 103e18, "anchor = last price observed before the close");
        assertEq(s.anchorTime, POST_END - 10, "anchor time");
        assertEq(s.markPriceX18, 103e18, "mark = P = A");
        vm.expectEmit(address(adapter));
        emit IOracleAdapter.SessionChanged(AAPL, Session.POST_MARKET, Session.CLOSED, POST_END);
        vm.expectEmit(address(adapter));
        emit IOracleAdapter.AnchorSet(AAPL, 103e18, POST_END - 10);
        vm.expectEmit(address(adapter));
        emit IOracleAdapter.PriceRecorded(AAPL, 103e18, POST_END - 10, PriceOrigin.PRIMARY);
        vm.expectEmit(address(adapter));
        emit IOracleAdapter.MarketStateChanged(
            AAPL,
            MarketState.OPEN,
            MarketState.CLOSED,
            Session.CLOSED,
            DegradedReason.NONE
        );
        _poke();
        assertEq(_checkpoint().anchorPriceX18, 103e18, "stored");
    }

    function test_priceState_IgnoresPricesObservedAfterTheClose() public {
        _openAt(100e18);
        vm.warp(CLOSE_1 + 1 hours);
        streams.setPrice(AAPL, 102e18, block.timestamp);
        _poke();
        vm.warp(POST_END + 30);
        streams.setPrice(AAPL, 104e18, POST_END); // the first second of CLOSED belongs to CLOSED
        PriceState memory s = _state();
        assertEq(s.anchorPriceX18, 102e18, "anchor = last price recorded before the close");
        assertEq(s.anchorTime, CLOSE_1 + 1 hours, "its time");
    }

    function test_priceState_CapturesTheCloseOfASessionNobodyPoked() public {
        _openAt(100e18); // last poke during REGULAR
        vm.warp(POST_END - 20);
        streams.setPrice(AAPL, 97e18, block.timestamp); // POST_MARKET print; no poke all session
        vm.warp(POST_END + 1 hours);
        PriceState memory s = _state();
        assertEq(s.anchorPriceX18, 97e18, "anchor from the previous session, found through the calendar");
        _poke();
        MarketCheckpoint memory cp = _checkpoint();
        assertEq(cp.anchorPriceX18, 97e18, "stored anchor");
        assertEq(uint256(cp.state), uint256(MarketState.CLOSED), "stored state");
    }

    function test_priceState_KeepsLastRecordedPriceWhenTheCloseCannotBeRead() public {
        _openAt(100e18);
        vm.warp(POST_END + 1 hours);
        streams.setReverting(AAPL, true);
        PriceState memory s = _state();
        assertEq(s.anchorPriceX18, 100e18, "last recorded price");
        assertEq(s.anchorTime, OPEN_1 + 360, "its time");
    }

    function test_priceState_WeekendBandIsAbout8Point7Percent() public {
        _openAt(100e18);
        vm.warp(POST_END - 1);
        streams.setPrice(AAPL, 100e18, POST_END - 1);
        vm.warp(POST_END);
        _poke();
        vm.warp(OPEN_2 - 1); // 48 h after the anchor
        PriceState memory s = _state();
        assertEq(uint256(s.state), uint256(MarketState.CLOSED), "closed");
        assertGe(s.bandHighX18, 108.65e18, "band high >= +8.65 %");
        assertLe(s.bandHighX18, 108.7e18, "band high <= +8.70 %");
        assertGe(s.bandLowX18, 91.3e18, "band low >= -8.70 %");
        assertLe(s.bandLowX18, 91.35e18, "band low <= -8.65 %");
    }

    // ================================================================== recordTrade

    function test_recordTrade_MovesInternalPriceWhileClosed() public {
        _closeAt(100e18);
        vm.warp(POST_END + 200); // Δt = 200 s since the anchor (POST_END - 1)
        uint256 expected = OracleMath.emaStepX18(100e18, 104e18, 201, 3600, 100);
        vm.expectEmit(address(adapter));
        emit IOracleAdapter.InternalPriceUpdated(AAPL, 104e18, 5_000e18, 100e18, expected);
        _trade(104e18, 5_000e18);
        assertEq(_checkpoint().internalPriceX18, expected, "P after one EMA step");
        assertEq(_state().markPriceX18, expected, "mark = P inside the band");
    }

    function test_recordTrade_CapsEachUpdateAtOnePercent() public {
        _closeAt(100e18);
        vm.warp(POST_END + 1 hours);
        _trade(150e18, 5_000e18);
        assertEq(_checkpoint().internalPriceX18, 101e18, "capped at +1 %");
        vm.warp(block.timestamp + 1 hours);
        _trade(50e18, 5_000e18);
        assertEq(_checkpoint().internalPriceX18, 99.99e18, "capped at -1 % of 101");
    }

    function test_recordTrade_SecondTradeInTheSameSecondDoesNotMove() public {
        _closeAt(100e18);
        vm.warp(POST_END + 1 hours);
        _trade(150e18, 5_000e18);
        _trade(150e18, 5_000e18);
        _trade(150e18, 5_000e18);
        assertEq(_checkpoint().internalPriceX18, 101e18, "one effective update per timestamp");
    }

    function test_recordTrade_IgnoresTradesBelowMinimumNotional() public {
        _closeAt(100e18);
        vm.warp(POST_END + 1 hours);
        vm.recordLogs();
        _trade(150e18, 1_000e18 - 1);
        assertEq(_checkpoint().internalPriceX18, 100e18, "dust does not move P");
        assertEq(_checkpoint().internalUpdatedAt, POST_END - 1, "nor its clock");
        assertEq(vm.getRecordedLogs().length, 0, "no event");
        _trade(150e18, 1_000e18);
        assertEq(_checkpoint().internalPriceX18, 101e18, "the minimum itself counts");
    }

    function test_recordTrade_IgnoredWhileOpen() public {
        _openAt(100e18);
        uint256 before = _checkpoint().internalPriceX18;
        _trade(150e18, 1_000_000e18);
        assertEq(_checkpoint().internalPriceX18, before, "P untouched while live");
        _assertState(_state(), MarketState.OPEN, PriceOrigin.PRIMARY, "still open");
    }

    function test_recordTrade_UnrecordedDegradationMovesPOnlyAfterAPoke() public {
        _openAt(100e18);
        vm.warp(block.timestamp + 10 minutes);
        feed.setReverting(AAPL, true);
        pyth.setReverting(AAPL, true);
        assertEq(uint256(_state().state), uint256(MarketState.DEGRADED), "the view already says DEGRADED");
        _trade(150e18, 10_000e18);
        assertEq(uint256(_checkpoint().state), uint256(MarketState.OPEN), "cheap path: nothing recorded");
        assertEq(_state().markPriceX18, 100e18, "P not moved: the mark is the last good price");
        _poke();
        vm.warp(block.timestamp + 6 minutes);
        _trade(150e18, 10_000e18);
        assertEq(_state().markPriceX18, 101e18, "after the poke, fills move P");
    }

    function test_recordTrade_RecordsTheStateLikeAPoke() public {
        _openAt(100e18);
        vm.warp(POST_END - 5);
        streams.setPrice(AAPL, 100e18, block.timestamp);
        vm.warp(POST_END + 10);
        vm.expectEmit(address(adapter));
        emit IOracleAdapter.AnchorSet(AAPL, 100e18, POST_END - 5);
        _trade(100e18, 5_000e18);
        assertEq(uint256(_checkpoint().state), uint256(MarketState.CLOSED), "stored CLOSED by the trade");
    }

    function test_recordTrade_MarkIsClampedWhileInternalPriceLeavesTheBand() public {
        _closeAt(100e18);
        uint256 t = POST_END + 1 hours;
        for (uint256 i; i < 12; ++i) {
            vm.warp(t + i * 360);
            _trade(200e18, 10_000e18);
        }
        PriceState memory s = _state();
        assertGt(_checkpoint().internalPriceX18, s.bandHighX18, "P above the band after 12 capped steps");
        assertEq(s.markPriceX18, s.bandHighX18, "mark pinned at the band edge");
    }

    function test_recordTrade_RevertIf_CallerIsNotTradeReporter() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector,
                stranger,
                adapter.TRADE_REPORTER_ROLE()
            )
        );
        vm.prank(stranger);
        adapter.recordTrade(AAPL, 100e18, 5_000e18);
    }

    function test_recordTrade_RevertIf_PriceIsZeroOrAboveMax() public {
        uint256 max = Constants.MAX_PRICE_X18;
        vm.expectRevert(abi.encodeWithSelector(IOracleAdapter.Oracle_InvalidPrice.selector, 0, max));
        _trade(0, 5_000e18);
        vm.expectRevert(abi.encodeWithSelector(IOracleAdapter.Oracle_InvalidPrice.selector, max + 1, max));
        _trade(max + 1, 5_000e18);
    }

    function test_recordTrade_RevertIf_UnknownMarket() public {
        vm.expectRevert(
            abi.encodeWithSelector(IOracleAdapter.Oracle_UnknownMarket.selector, bytes32("NOPE"))
        );
        vm.prank(clearinghouse);
        adapter.recordTrade("NOPE", 100e18, 5_000e18);
    }

    // ================================================================== signed-quote blend

    function test_priceState_BlendsFreshSignedQuotesWhileClosed() public {
        _enableQuotes(5000);
        _closeAt(100e18);
        vm.warp(POST_END + 1 hours);
        quotes.setPrice(AAPL, 106e18, block.timestamp - 60);
        PriceState memory s = _state();
        _assertState(s, MarketState.CLOSED, PriceOrigin.INTERNAL_QUOTE_BLEND, "blend");
        assertEq(s.markPriceX18, 103e18, "half P (100), half quotes (106)");
        quotes.setPrice(AAPL, 140e18, block.timestamp);
        s = _state();
        assertEq(s.markPriceX18, s.bandHighX18, "the blend is clamped into the band too");
    }

    function test_priceState_IgnoresStaleRevertingOrPreCloseQuotes() public {
        _enableQuotes(5000);
        _closeAt(100e18);
        vm.warp(POST_END + 1 hours);
        quotes.setPrice(AAPL, 106e18, block.timestamp - 901); // older than 900 s
        _assertState(_state(), MarketState.CLOSED, PriceOrigin.INTERNAL, "stale quote");
        quotes.setReverting(AAPL, true);
        _assertState(_state(), MarketState.CLOSED, PriceOrigin.INTERNAL, "reverting quote source");
        vm.prank(riskManager);
        adapter.setSessionStaleness(AAPL, Session.CLOSED, 3600, 3600);
        quotes.setPrice(AAPL, 106e18, POST_END - 2); // observed before the anchor (POST_END - 1)
        _assertState(_state(), MarketState.CLOSED, PriceOrigin.INTERNAL, "quote from before the close");
    }

    function test_priceState_NoBlendWithZeroWeight() public {
        _enableQuotes(0);
        _closeAt(100e18);
        vm.warp(POST_END + 1 hours);
        quotes.setPrice(AAPL, 106e18, block.timestamp);
        _assertState(_state(), MarketState.CLOSED, PriceOrigin.INTERNAL, "weight 0");
        assertEq(_state().markPriceX18, 100e18, "P only");
    }

    // ================================================================== helpers

    /// @dev Opens at `priceX18`, records a post-market print at the close and pokes into CLOSED:
    /// anchor = P = `priceX18` at POST_END - 1.
    function _closeAt(uint256 priceX18) internal {
        _openAt(priceX18);
        vm.warp(POST_END - 1);
        streams.setPrice(AAPL, priceX18, block.timestamp);
        vm.warp(POST_END);
        _poke();
    }

    function _enableQuotes(uint16 weightBps) internal {
        vm.prank(lister);
        adapter.setSessionSources(AAPL, Session.CLOSED, IPriceSource(quotes), IPriceSource(address(0)));
        MarketParams memory p = _defaults();
        p.quoteWeightBps = weightBps;
        _setParams(p);
    }

    /// @dev The view says DEGRADED with the internal mark; a poke records it with `reason`.
    function _assertDegraded(DegradedReason reason) internal returns (PriceState memory s) {
        s = _state();
        _assertState(s, MarketState.DEGRADED, PriceOrigin.INTERNAL, "degraded");
        assertEq(s.anchorPriceX18, 100e18, "anchor = last good price");
        assertEq(s.markPriceX18, 100e18, "mark = last good price");
        assertEq(s.indexPriceX18, 100e18, "index = mark");
        vm.expectEmit(address(adapter));
        emit IOracleAdapter.MarketStateChanged(
            AAPL,
            MarketState.OPEN,
            MarketState.DEGRADED,
            Session.REGULAR,
            reason
        );
        _poke();
    }
}
