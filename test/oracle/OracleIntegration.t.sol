// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {RealSourcesFixture} from "./RealSourcesFixture.sol";
import {IChainlinkDataStreamsSource} from "../../contracts/interfaces/IChainlinkDataStreamsSource.sol";
import {IOracleAdapter} from "../../contracts/interfaces/IOracleAdapter.sol";
import {IPythSource} from "../../contracts/interfaces/IPythSource.sol";
import {ISequencerUptimeGuard} from "../../contracts/interfaces/ISequencerUptimeGuard.sol";
import {OracleMath} from "../../contracts/libraries/OracleMath.sol";
import {Session} from "../../contracts/types/Session.sol";
import {
    DegradedReason,
    MarketCheckpoint,
    MarketState,
    PriceOrigin,
    PriceState
} from "../../contracts/types/Oracle.sol";

/// @notice The oracle adapter wired to the REAL price sources (Data Streams v11 through a verifying
/// proxy, Data Feeds, Pyth, signed quotes), the REAL NYSE 2026 `MarketCalendar` and the REAL
/// sequencer guard, as in production (see `RealSourcesFixture`); no `MockPriceSource`. A weekend
/// with time travel, every failure path through a real source ending DEGRADED, the sequencer's
/// grace period, and a 4:1 split with sources that quote per new share.
/// @dev Week of Fri Nov 13 - Mon Nov 16 2026, New York on EST (UTC-5): pre-market 09:00 UTC,
/// regular 14:30-21:00 UTC, post-market until 01:00 UTC, overnight from Sun 20:00 EST = 01:00 UTC.
contract OracleIntegrationTest is RealSourcesFixture {
    /// @dev Mon Nov 16 2026 10:00 EST: regular hours, where most failure paths start.
    uint256 internal constant MON_10AM = 1_794_841_200;
    /// @dev Sun Nov 15 2026 20:00 EST: the overnight session of Monday opens.
    uint256 internal constant SUN_OPEN = 1_794_790_800;

    function test_constants_MatchTheCalendar() public {
        _deployAt(_utc(2026, 11, 16, 15, 0), 200e18);
        assertEq(MON_10AM, _utc(2026, 11, 16, 15, 0), "Mon 10:00 EST");
        assertEq(SUN_OPEN, _utc(2026, 11, 16, 1, 0), "Sun 20:00 EST");
        assertEq(uint256(calendar.sessionAt(MON_10AM)), uint256(Session.REGULAR), "regular");
        assertEq(uint256(calendar.sessionAt(SUN_OPEN - 1)), uint256(Session.CLOSED), "closed before");
        assertEq(uint256(calendar.sessionAt(SUN_OPEN)), uint256(Session.OVERNIGHT), "overnight from");
    }

    // ================================================================== a weekend, Friday to Monday

    function test_weekend_FridayToMondayOnRealSources() public {
        _openAt(_utc(2026, 11, 13, 13, 0), 199e18); // listed Fri 08:00 EST (pre-market), OPEN at 08:05
        _fridayRegularAndPost();
        uint256 lastPrint = _fridayClose();
        uint256 p = _saturdayTrading(lastPrint);
        _sundayOpen(p);
        _mondayPreAndRegular();
    }

    /// @dev REGULAR: Data Streams primary; a soft-stale mid yields to a fresh Data Feed round.
    /// POST_MARKET: Data Streams primary again.
    function _fridayRegularAndPost() internal {
        vm.warp(_utc(2026, 11, 13, 14, 30) + 5);
        _publish(200e18);
        _assertLive(
            _viewThenPoke("Fri 09:30"),
            Session.REGULAR,
            MarketState.OPEN,
            PriceOrigin.PRIMARY,
            200e18,
            "Fri 09:30"
        );
        vm.warp(block.timestamp + 55); // the Data Streams mid is 55 s old (soft limit 30 s)
        _pushFeed(200.2e18);
        _assertLive(
            _viewThenPoke("Fri 09:31"),
            Session.REGULAR,
            MarketState.OPEN,
            PriceOrigin.SECONDARY,
            200.2e18,
            "Fri 09:31 Data Feed"
        );

        vm.warp(_utc(2026, 11, 13, 21, 0) + 5);
        _publish(201e18);
        _assertLive(
            _viewThenPoke("Fri 16:00"),
            Session.POST_MARKET,
            MarketState.OPEN,
            PriceOrigin.PRIMARY,
            201e18,
            "Fri 16:00"
        );
    }

    /// @dev 19:59:30 the last post-market report (and Pyth print) is pushed but nobody pokes; from
    /// 20:00 the market is CLOSED with the anchor at the primary's last print, in the lazy view at
    /// once and after a poke on Saturday morning (the catch-up of the close).
    function _fridayClose() internal returns (uint256 lastPrint) {
        lastPrint = _utc(2026, 11, 14, 0, 59) + 30;
        vm.warp(lastPrint);
        _publish(202e18);
        vm.warp(_utc(2026, 11, 14, 1, 0) + 30); // Fri 20:00:30
        PriceState memory s = _state();
        _assertInternal(s, Session.CLOSED, MarketState.CLOSED, "Fri 20:00:30");
        assertEq(s.anchorPriceX18, 202e18, "Fri 20:00:30: anchor = last Data Streams mid");
        assertEq(s.anchorTime, lastPrint, "Fri 20:00:30: anchor time");

        vm.warp(_utc(2026, 11, 14, 15, 0)); // Sat 10:00 EST: the keeper pokes only now
        PriceState memory v = _state();
        vm.expectEmit(address(adapter));
        emit IOracleAdapter.AnchorSet(AAPL, 202e18, lastPrint);
        vm.expectEmit(address(adapter));
        emit IOracleAdapter.PriceRecorded(AAPL, 202e18, lastPrint, PriceOrigin.PRIMARY);
        s = adapter.poke(AAPL);
        _assertSame(v, s, "Sat 10:00");
        _assertInternal(s, Session.CLOSED, MarketState.CLOSED, "Sat 10:00");
        assertEq(uint256(s.origin), uint256(PriceOrigin.INTERNAL), "Sat 10:00: no quotes yet");
        assertEq(s.anchorPriceX18, 202e18, "Sat 10:00: anchor");
        assertEq(s.markPriceX18, 202e18, "Sat 10:00: P = A");
    }

    /// @dev Saturday 12:00-12:24: five fills at 207 move P (EMA, 360 s each), a wash print at 300
    /// moves it at most 1 %; then three publishers quote (median 206): mark = clamp(75 % P + 25 % 206).
    function _saturdayTrading(uint256 anchorTime) internal returns (uint256 p) {
        uint256 noon = _utc(2026, 11, 14, 17, 0);
        p = 202e18;
        for (uint256 i; i < 5; ++i) {
            vm.warp(noon + i * 6 minutes);
            adapter.recordTrade(AAPL, 207e18, 50_000e18);
            p = OracleMath.emaStepX18(p, 207e18, 360, 1 hours, 100);
        }
        vm.warp(noon + 30 minutes);
        adapter.recordTrade(AAPL, 300e18, 1_000_000e18);
        // The EMA step would be 9.5 % of a ~95 USD gap; the cap allows 1 % of P.
        p += p / 100;
        assertEq(adapter.checkpoint(AAPL).internalPriceX18, p, "P = the capped EMA of the fills");

        vm.warp(noon + 31 minutes);
        _pushQuotes(205e18, 206e18, 209e18);
        PriceState memory s = _viewThenPoke("Sat 12:31");
        _assertInternal(s, Session.CLOSED, MarketState.CLOSED, "Sat 12:31");
        assertEq(uint256(s.origin), uint256(PriceOrigin.INTERNAL_QUOTE_BLEND), "Sat 12:31: quotes blended");
        uint256 b = OracleMath.bandHalfWidthX18(500, 2000, block.timestamp - anchorTime, 1 days);
        (uint256 low, uint256 high) = OracleMath.bandX18(202e18, b);
        assertEq(s.bandLowX18, low, "band low");
        assertEq(s.bandHighX18, high, "band high");
        assertEq(
            s.markPriceX18,
            OracleMath.clamp(OracleMath.blendX18(p, 206e18, QUOTE_WEIGHT_BPS), low, high),
            "mark"
        );
        assertGt(s.markPriceX18, 202e18, "the weekend moved the mark up");
    }

    /// @dev Sun 20:00: a report observed before the open is rejected (DEGRADED, PRICE_BEFORE_OPEN);
    /// the first report observed after it snaps the index, beyond the band: ReopenGap; OPEN 5 min
    /// after the snap price.
    function _sundayOpen(uint256 p) internal {
        vm.warp(SUN_OPEN - 5);
        _pushStreamsSeenAt(225e18, STATUS_CLOSED, SUN_OPEN - 10); // the DON's weekend report
        _pushPyth(225.1e18, PYTH_NORMAL_CONF_BPS);
        vm.warp(SUN_OPEN + 10);
        PriceState memory v = _state();
        _expectStateChange(
            MarketState.CLOSED,
            MarketState.DEGRADED,
            Session.OVERNIGHT,
            DegradedReason.PRICE_BEFORE_OPEN
        );
        PriceState memory s = adapter.poke(AAPL);
        _assertSame(v, s, "Sun 20:00:10");
        _assertInternal(s, Session.OVERNIGHT, MarketState.DEGRADED, "Sun 20:00:10: pre-open report");
        assertEq(uint256(s.origin), uint256(PriceOrigin.INTERNAL), "Saturday's quotes are stale");
        assertEq(s.markPriceX18, p, "the weekend mark: P");
        assertLt(s.bandHighX18, 225e18, "225 lies beyond the weekend band");

        vm.warp(SUN_OPEN + 30);
        _pushStreamsSeenAt(225e18, STATUS_OVERNIGHT, SUN_OPEN + 25);
        _pushPyth(225.1e18, PYTH_NORMAL_CONF_BPS);
        v = _state();
        vm.expectEmit(address(adapter));
        emit IOracleAdapter.MarketReopened(AAPL, 225e18, SUN_OPEN + 25);
        vm.expectEmit(address(adapter));
        emit IOracleAdapter.ReopenGap(AAPL, p, 225e18);
        s = adapter.poke(AAPL);
        _assertSame(v, s, "Sun 20:00:30");
        _assertLive(
            s,
            Session.OVERNIGHT,
            MarketState.REOPENING,
            PriceOrigin.PRIMARY,
            225e18,
            "Sun 20:00:30 snap"
        );
        assertEq(s.anchorTime, SUN_OPEN + 25, "snap price observed after the open");

        vm.warp(SUN_OPEN + 25 + 5 minutes - 1);
        assertEq(uint256(_state().state), uint256(MarketState.REOPENING), "reduce-only for 5 minutes");
        vm.warp(SUN_OPEN + 25 + 5 minutes);
        _publish(225.5e18);
        _assertLive(
            _viewThenPoke("Sun 20:05:25"),
            Session.OVERNIGHT,
            MarketState.OPEN,
            PriceOrigin.PRIMARY,
            225.5e18,
            "Sun 20:05:25"
        );
    }

    /// @dev PRE_MARKET: Data Streams primary, and Pyth when the mid goes soft-stale; REGULAR: Data
    /// Streams primary with the Data Feed agreeing.
    function _mondayPreAndRegular() internal {
        vm.warp(_utc(2026, 11, 16, 9, 0) + 5);
        _publish(226e18);
        _assertLive(
            _viewThenPoke("Mon 04:00"),
            Session.PRE_MARKET,
            MarketState.OPEN,
            PriceOrigin.PRIMARY,
            226e18,
            "Mon 04:00"
        );
        vm.warp(block.timestamp + 85); // the mid is 85 s old (soft limit 60 s); Pyth publishes
        _pushPyth(226.3e18, PYTH_NORMAL_CONF_BPS);
        _assertLive(
            _viewThenPoke("Mon 04:01"),
            Session.PRE_MARKET,
            MarketState.OPEN,
            PriceOrigin.SECONDARY,
            226.3e18,
            "Mon 04:01 Pyth"
        );

        vm.warp(_utc(2026, 11, 16, 14, 30) + 5);
        _publish(227e18);
        _assertLive(
            _viewThenPoke("Mon 09:30"),
            Session.REGULAR,
            MarketState.OPEN,
            PriceOrigin.PRIMARY,
            227e18,
            "Mon 09:30"
        );
    }

    /// @dev Regression (see the final report): the keeper pushes Data Streams until the close but
    /// pokes nothing after 16:05, and Pyth is silent. Hours later the catch-up must still anchor at
    /// the primary's last print, not at the last poked price (the source used to check a report's
    /// status against the session at READ time, so the post-market report failed after 20:01).
    function test_close_CatchUpAnchorsAtLastDataStreamsPrintWhenPokedHoursLater() public {
        _openAt(_utc(2026, 11, 13, 21, 0), 201e18); // Fri 16:00 EST, post-market, OPEN at 16:05
        uint256 lastPrint = _utc(2026, 11, 14, 0, 59) + 50; // 19:59:50
        vm.warp(lastPrint);
        _pushStreams(202e18, STATUS_POST);

        vm.warp(_utc(2026, 11, 14, 14, 0)); // Sat 09:00 EST
        PriceState memory v = _state();
        vm.expectEmit(address(adapter));
        emit IOracleAdapter.PriceRecorded(AAPL, 202e18, lastPrint, PriceOrigin.PRIMARY);
        PriceState memory s = adapter.poke(AAPL);
        _assertSame(v, s, "Saturday");
        assertEq(uint256(s.state), uint256(MarketState.CLOSED), "closed");
        assertEq(s.anchorPriceX18, 202e18, "anchor = the last Data Streams mid");
        assertEq(s.anchorTime, lastPrint, "anchor time");
    }

    // ================================================================== failures end DEGRADED

    /// @dev An unannounced closure: the DON says Closed while the calendar says regular. The source
    /// refuses the report, so its price is never used; the Data Feed carries the index only while
    /// fresh (the documented primary -> secondary fallback), then the market is DEGRADED.
    function test_failure_StatusContradictsCalendar_NeverUsedThenDegraded() public {
        _openAt(MON_10AM, 200e18);
        vm.warp(block.timestamp + 10);
        _pushStreams(200e18, STATUS_CLOSED);
        _pushFeed(200.05e18);
        vm.expectRevert(
            abi.encodeWithSelector(
                IChainlinkDataStreamsSource.DataStreams_MarketStatusMismatch.selector,
                AAPL,
                STATUS_CLOSED,
                Session.REGULAR
            )
        );
        streams.latestPrice(AAPL, 120);
        _assertLive(
            _viewThenPoke("contradiction"),
            Session.REGULAR,
            MarketState.OPEN,
            PriceOrigin.SECONDARY,
            200.05e18,
            "Data Feed only"
        );

        uint256 lastFeedRound = block.timestamp;
        vm.warp(lastFeedRound + 121); // the exchange is closed: no new Data Feed round
        _pushStreams(200e18, STATUS_CLOSED);
        PriceState memory v = _state();
        _expectStateChange(
            MarketState.OPEN,
            MarketState.DEGRADED,
            Session.REGULAR,
            DegradedReason.SOURCE_UNAVAILABLE
        );
        PriceState memory s = adapter.poke(AAPL);
        _assertSame(v, s, "degraded");
        _assertInternal(s, Session.REGULAR, MarketState.DEGRADED, "contradiction, Data Feed stale");
        assertEq(s.anchorPriceX18, 200.05e18, "anchor = last good price");
        assertEq(s.anchorTime, lastFeedRound, "anchor time");

        vm.warp(block.timestamp + 30); // the DON agrees with the calendar again
        _publish(199e18);
        _assertLive(
            _viewThenPoke("agree"),
            Session.REGULAR,
            MarketState.REOPENING,
            PriceOrigin.PRIMARY,
            199e18,
            "reopen"
        );
    }

    /// @dev A halted stock: reports keep arriving but `lastSeenTimestampNs` stops moving, and the
    /// Data Feed gets no new round. Valid up to the 120 s hard limit, DEGRADED after it, and a
    /// resumed mid reopens (snap, REOPENING).
    function test_failure_HaltedStock_DegradedAfterHardStaleness() public {
        _openAt(MON_10AM, 200e18);
        uint256 haltedAt = block.timestamp;
        for (uint256 i = 1; i <= 6; ++i) {
            vm.warp(haltedAt + i * 20);
            _pushStreamsSeenAt(200e18, STATUS_REGULAR, haltedAt);
        }
        _assertLive(
            _viewThenPoke("halt + 120 s"),
            Session.REGULAR,
            MarketState.OPEN,
            PriceOrigin.PRIMARY,
            200e18,
            "halt + 120 s"
        );

        vm.warp(haltedAt + 121);
        _pushStreamsSeenAt(200e18, STATUS_REGULAR, haltedAt);
        vm.expectRevert(
            abi.encodeWithSelector(
                IChainlinkDataStreamsSource.DataStreams_StalePrice.selector,
                AAPL,
                haltedAt,
                120
            )
        );
        streams.latestPrice(AAPL, 120);
        PriceState memory v = _state();
        _expectStateChange(
            MarketState.OPEN,
            MarketState.DEGRADED,
            Session.REGULAR,
            DegradedReason.SOURCE_UNAVAILABLE
        );
        PriceState memory s = adapter.poke(AAPL);
        _assertSame(v, s, "halted");
        _assertInternal(s, Session.REGULAR, MarketState.DEGRADED, "halt + 121 s");
        assertEq(s.anchorPriceX18, 200e18, "anchor = the halted price");
        assertEq(s.anchorTime, haltedAt, "anchor time = the halt");

        vm.warp(haltedAt + 10 minutes); // trading resumes
        _publish(196e18);
        v = _state();
        vm.expectEmit(address(adapter));
        emit IOracleAdapter.MarketReopened(AAPL, 196e18, block.timestamp);
        s = adapter.poke(AAPL);
        _assertSame(v, s, "resumed");
        _assertLive(s, Session.REGULAR, MarketState.REOPENING, PriceOrigin.PRIMARY, 196e18, "resumed");
    }

    /// @dev Data Streams 200 and the Data Feed 203 (1.5 % > 1 %): DEGRADED, not either price.
    function test_failure_SourcesDisagree_Degraded() public {
        _openAt(MON_10AM, 200e18);
        vm.warp(block.timestamp + 10);
        _pushStreams(200e18, STATUS_REGULAR);
        _pushFeed(203e18);
        assertEq(streams.latestPrice(AAPL, 120).priceX18, 200e18, "Data Streams valid on its own");
        assertEq(feeds.latestPrice(AAPL, 120).priceX18, 203e18, "Data Feed valid on its own");
        PriceState memory v = _state();
        _expectStateChange(
            MarketState.OPEN,
            MarketState.DEGRADED,
            Session.REGULAR,
            DegradedReason.SOURCES_DISAGREE
        );
        PriceState memory s = adapter.poke(AAPL);
        _assertSame(v, s, "disagree");
        _assertInternal(s, Session.REGULAR, MarketState.DEGRADED, "disagree");
        assertEq(s.markPriceX18, 200e18, "mark = last good price, not either source");
    }

    /// @dev PRE_MARKET with Data Streams hard-stale (300 s): Pyth alone prices while its confidence
    /// is tight, and a too-wide interval (1.2 % > 0.5 %) leaves no valid source: DEGRADED.
    function test_failure_PythConfidenceTooWideAsOnlyFreshSource_Degraded() public {
        _openAt(_utc(2026, 11, 16, 9, 10), 200e18); // Mon 04:10 EST, pre-market
        vm.warp(block.timestamp + 301);
        _pushPyth(200.3e18, PYTH_NORMAL_CONF_BPS);
        _assertLive(
            _viewThenPoke("Pyth alone"),
            Session.PRE_MARKET,
            MarketState.OPEN,
            PriceOrigin.SECONDARY,
            200.3e18,
            "Pyth alone"
        );
        uint256 lastGood = block.timestamp;

        vm.warp(block.timestamp + 5);
        _pushPyth(200.4e18, 120);
        vm.expectRevert(
            abi.encodeWithSelector(IPythSource.Pyth_ConfidenceTooWide.selector, AAPL, 120, PYTH_MAX_CONF_BPS)
        );
        pythSource.latestPrice(AAPL, 300);
        PriceState memory v = _state();
        _expectStateChange(
            MarketState.OPEN,
            MarketState.DEGRADED,
            Session.PRE_MARKET,
            DegradedReason.SOURCE_UNAVAILABLE
        );
        PriceState memory s = adapter.poke(AAPL);
        _assertSame(v, s, "wide");
        _assertInternal(s, Session.PRE_MARKET, MarketState.DEGRADED, "wide confidence");
        assertEq(s.anchorPriceX18, 200.3e18, "anchor = Pyth's last tight price");
        assertEq(s.anchorTime, lastGood, "anchor time");
    }

    /// @dev The sequencer goes down: DEGRADED (SEQUENCER_DOWN) with fresh prices; back up, still
    /// DEGRADED through the 1 h grace period (inclusive); one second later the next prices reopen.
    function test_failure_SequencerDownThenGracePeriod_DegradedThenRecovered() public {
        _openAt(MON_10AM, 200e18);
        vm.warp(block.timestamp + 10);
        _publish(200.5e18);
        _setSequencer(1, block.timestamp);
        PriceState memory v = _state();
        _expectStateChange(
            MarketState.OPEN,
            MarketState.DEGRADED,
            Session.REGULAR,
            DegradedReason.SEQUENCER_DOWN
        );
        PriceState memory s = adapter.poke(AAPL);
        _assertSame(v, s, "down");
        _assertInternal(s, Session.REGULAR, MarketState.DEGRADED, "sequencer down");

        uint256 upAt = block.timestamp + 20 minutes;
        vm.warp(upAt);
        _setSequencer(0, upAt);
        vm.warp(upAt + 1 hours);
        _publish(201e18);
        vm.expectRevert(
            abi.encodeWithSelector(
                ISequencerUptimeGuard.Sequencer_GracePeriodNotOver.selector,
                upAt,
                upAt + 1 hours
            )
        );
        guard.checkSequencer();
        s = _viewThenPoke("grace");
        _assertInternal(s, Session.REGULAR, MarketState.DEGRADED, "end of the grace period");
        assertEq(s.anchorPriceX18, 200e18, "anchor = last price recorded before the outage");

        vm.warp(upAt + 1 hours + 1);
        _publish(201.5e18);
        v = _state();
        _expectStateChange(MarketState.DEGRADED, MarketState.REOPENING, Session.REGULAR, DegradedReason.NONE);
        s = adapter.poke(AAPL);
        _assertSame(v, s, "recovered");
        _assertLive(s, Session.REGULAR, MarketState.REOPENING, PriceOrigin.PRIMARY, 201.5e18, "recovered");
        vm.warp(block.timestamp + 5 minutes);
        _publish(201.6e18);
        _assertLive(
            _viewThenPoke("open"),
            Session.REGULAR,
            MarketState.OPEN,
            PriceOrigin.PRIMARY,
            201.6e18,
            "open"
        );
    }

    /// @dev An outage nobody poked through: the first poke lands in the grace period, with fresh
    /// prices, and records DEGRADED with reason SEQUENCER_DOWN (the guard says not ok until the
    /// grace period is over, whatever the sources say).
    function test_failure_FirstPokeInGracePeriod_RecordsSequencerDown() public {
        _openAt(MON_10AM, 200e18);
        _setSequencer(1, block.timestamp);
        vm.warp(block.timestamp + 10 minutes);
        uint256 upAt = block.timestamp;
        _setSequencer(0, upAt);
        vm.warp(upAt + 30 minutes);
        _publish(200.5e18);
        PriceState memory v = _state();
        _expectStateChange(
            MarketState.OPEN,
            MarketState.DEGRADED,
            Session.REGULAR,
            DegradedReason.SEQUENCER_DOWN
        );
        PriceState memory s = adapter.poke(AAPL);
        _assertSame(v, s, "grace");
        _assertInternal(s, Session.REGULAR, MarketState.DEGRADED, "first poke in the grace period");
    }

    // ================================================================== a 4:1 split

    /// @dev Ex-date Monday Nov 16: effective at the start of its first session (Sun 20:00 EST), the
    /// moment the sources start quoting per new share. HALTED until a poke applies it; then the
    /// post-split Data Streams print reopens inside the (rescaled) band: no gap, epoch 1.
    function test_split4For1_EffectiveAtSundayOpen_SourcesQuotePerNewShare() public {
        _openAt(MON_10AM - 3 days, 200e18); // Fri Nov 13 10:00 EST
        vm.prank(admin);
        actions.scheduleSplit(AAPL, SUN_OPEN, 4, 1);
        _fridayCloseAt(202e18);
        vm.warp(_utc(2026, 11, 14, 17, 0)); // Saturday: closed, pre-split units
        _pushQuotes(203e18, 204e18, 205e18);
        adapter.recordTrade(AAPL, 204e18, 50_000e18);
        uint256 p = adapter.checkpoint(AAPL).internalPriceX18;
        vm.warp(SUN_OPEN - 2);
        _pushPyth(202.1e18, PYTH_NORMAL_CONF_BPS); // a last pre-split print

        vm.warp(SUN_OPEN);
        PriceState memory s = _state();
        assertEq(uint256(s.state), uint256(MarketState.HALTED), "HALTED at the effective time");
        assertEq(uint256(s.origin), uint256(PriceOrigin.FROZEN), "frozen");
        assertEq(s.indexPriceX18, 202e18, "old units");
        assertEq(s.bandLowX18, s.bandHighX18, "nothing fills");
        vm.warp(SUN_OPEN + 5);
        _pushStreamsSeenAt(50.6e18, STATUS_OVERNIGHT, SUN_OPEN + 3); // the DON quotes per new share
        assertEq(uint256(_state().state), uint256(MarketState.HALTED), "HALTED until a poke");

        vm.recordLogs();
        s = adapter.poke(AAPL);
        assertFalse(_emitted(vm.getRecordedLogs(), IOracleAdapter.ReopenGap.selector), "no ReopenGap");
        _assertLive(
            s,
            Session.OVERNIGHT,
            MarketState.REOPENING,
            PriceOrigin.PRIMARY,
            50.6e18,
            "post-split snap"
        );
        assertEq(uint256(s.epoch), 1, "epoch 1");
        assertEq(s.splitFactorX18, 4e18, "4 new shares per old share");
        MarketCheckpoint memory cp = adapter.checkpoint(AAPL);
        assertEq(uint256(cp.anchorPriceX18), 50.5e18, "weekend anchor / 4");
        assertEq(uint256(cp.internalPriceX18), p / 4, "P / 4");
        // Per new share, the print equals the pre-split close within 0.2 %: 50.6 * 4 = 202.4.
        assertFalse(
            OracleMath.deviatesBeyond(202e18, (s.indexPriceX18 * s.splitFactorX18) / 1e18, 20),
            "consistent"
        );

        vm.warp(SUN_OPEN + 60);
        _publish(50.7e18); // Pyth now quotes per new share too: they agree
        _assertLive(
            _viewThenPoke("Sun 20:01"),
            Session.OVERNIGHT,
            MarketState.REOPENING,
            PriceOrigin.PRIMARY,
            50.7e18,
            "Sun 20:01"
        );
        vm.warp(_utc(2026, 11, 16, 9, 0) + 5);
        _publish(50.8e18);
        _assertLive(
            _viewThenPoke("Mon 04:00"),
            Session.PRE_MARKET,
            MarketState.OPEN,
            PriceOrigin.PRIMARY,
            50.8e18,
            "Mon 04:00"
        );
        vm.warp(_utc(2026, 11, 16, 14, 30) + 5);
        _publish(51e18); // the Data Feed's first round of the day is per new share
        s = _viewThenPoke("Mon 09:30");
        _assertLive(s, Session.REGULAR, MarketState.OPEN, PriceOrigin.PRIMARY, 51e18, "Mon 09:30");
        assertEq(uint256(s.epoch), 1, "Monday epoch");
    }

    /// @dev The hazard the docs warn about: a split scheduled AFTER the sources switch to per-new-share
    /// prices (here Monday 09:30 while Sunday's overnight session already quotes them) looks like a
    /// 75 % crash to the adapter: a ReopenGap from the weekend mark to a quarter of it, epoch 0.
    function test_split_ScheduledAfterSourcesSwitch_LooksLikeACrash() public {
        _openAt(MON_10AM - 3 days, 200e18);
        vm.prank(admin);
        actions.scheduleSplit(AAPL, _utc(2026, 11, 16, 14, 30), 4, 1);
        _fridayCloseAt(202e18);
        vm.warp(SUN_OPEN + 5);
        _pushStreamsSeenAt(50.6e18, STATUS_OVERNIGHT, SUN_OPEN + 3);
        vm.expectEmit(address(adapter));
        emit IOracleAdapter.ReopenGap(AAPL, 202e18, 50.6e18);
        PriceState memory s = adapter.poke(AAPL);
        _assertLive(s, Session.OVERNIGHT, MarketState.REOPENING, PriceOrigin.PRIMARY, 50.6e18, "too late");
        assertEq(uint256(s.epoch), 0, "still epoch 0");
    }

    // ================================================================== helpers

    /// @dev Post-market at 16:00:05 and the last print at 19:59:30, each pushed and poked.
    function _fridayCloseAt(uint256 closeX18) internal {
        vm.warp(_utc(2026, 11, 13, 21, 0) + 5);
        _publish(closeX18 - 1e18);
        adapter.poke(AAPL);
        vm.warp(_utc(2026, 11, 14, 0, 59) + 30);
        _publish(closeX18);
        _assertLive(
            adapter.poke(AAPL),
            Session.POST_MARKET,
            MarketState.OPEN,
            PriceOrigin.PRIMARY,
            closeX18,
            "Fri 19:59:30"
        );
    }
}
