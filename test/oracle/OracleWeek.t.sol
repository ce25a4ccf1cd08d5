// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {NyseFixture} from "./NyseFixture.sol";
import {OracleMath} from "../../contracts/libraries/OracleMath.sol";
import {Session} from "../../contracts/types/Session.sol";
import {MarketState, PriceOrigin, PriceState} from "../../contracts/types/Oracle.sol";

/// @notice A whole simulated week on the REAL MarketCalendar with NYSE 2026 data: Thanksgiving week,
/// Sunday-night open to the next Monday's regular open, including the Thursday Nov 26 holiday
/// (no overnight session the night before it) and the Friday Nov 27 early close (regular 13:00,
/// post-market 17:00). At every session boundary the keeper publishes and pokes; the test asserts the
/// session, the state and which source produced the index, and that the lazy view (before the
/// poke) already agreed with the poke. Separate tests cover the DST switch weekend (Nov 1 2026) and
/// a normal 48 h weekend band (+-8.7 %).
/// @dev New York times in labels; UTC in the code (EST = UTC-5 after Nov 1 2026 02:00).
contract OracleWeekTest is NyseFixture {
    function setUp() public {
        _deployAt(_utc(2026, 11, 22, 17, 0), 100e18); // Sun Nov 22 12:00 EST, CLOSED
    }

    function test_week_ThanksgivingMondayToMonday() public {
        assertEq(
            uint256(adapter.priceState(AAPL).state),
            uint256(MarketState.CLOSED),
            "listed on Sunday: CLOSED"
        );

        // Sunday 20:00: the overnight session of Monday opens: reopen on Data Streams.
        _reopen(_utc(2026, 11, 23, 1, 0), 101e18, Session.OVERNIGHT, "Sun 20:00 overnight");
        // Monday and Tuesday: full trading days, each ending in an overnight session.
        _tradingDay(23, 101e18, Session.OVERNIGHT, "Mon");
        _tradingDay(24, 103e18, Session.OVERNIGHT, "Tue");
        // Wednesday: no overnight session (Thursday is a holiday): CLOSED from 20:00.
        _tradingDay(25, 105e18, Session.CLOSED, "Wed");
        _holiday();
        // Thursday 20:00: the overnight session of Friday opens.
        _reopen(_utc(2026, 11, 27, 1, 0), 106e18, Session.OVERNIGHT, "Thu 20:00 overnight");
        _earlyCloseFriday();
        _weekend();
        // Sunday 20:00: overnight of Monday Nov 30, then its pre-market and regular open.
        _reopen(_utc(2026, 11, 30, 1, 0), 104e18, Session.OVERNIGHT, "Sun 20:00 overnight");
        _boundary(_utc(2026, 11, 30, 9, 0), 104.5e18, Session.PRE_MARKET, "Mon Nov 30 04:00 pre");
        _boundary(_utc(2026, 11, 30, 14, 30), 105e18, Session.REGULAR, "Mon Nov 30 09:30 regular");
    }

    /// @dev DST ends Sun Nov 1 2026 02:00 EDT. Friday Oct 30 closes at 20:00 EDT = Sat 00:00 UTC;
    /// the overnight session opens Sun 20:00 EST = Mon 01:00 UTC: 49 h closed, one more than usual.
    /// Monday's regular session opens at 14:30 UTC (EST), not 13:30 UTC (EDT).
    function test_dstSwitch_SaturdayToMonday() public {
        _deployAt(_utc(2026, 10, 30, 23, 0), 100e18); // Fri Oct 30 19:00 EDT, POST_MARKET
        vm.warp(_utc(2026, 10, 30, 23, 59));
        _publish(100e18); // Data Streams, 19:59 EDT
        vm.warp(_utc(2026, 10, 31, 16, 0)); // Sat 12:00 EDT
        PriceState memory s = adapter.poke(AAPL);
        _assertPriceState(s, Session.CLOSED, MarketState.CLOSED, PriceOrigin.INTERNAL, "Saturday");
        assertEq(s.anchorPriceX18, 100e18 + STREAMS_OFFSET, "anchor = Friday's last post-market print");
        assertEq(s.anchorTime, _utc(2026, 10, 30, 23, 59), "anchor time");

        vm.warp(_utc(2026, 11, 2, 0, 59) + 59); // Sun 19:59:59 EST: still closed (20:00 EDT has passed)
        s = adapter.priceState(AAPL);
        _assertPriceState(s, Session.CLOSED, MarketState.CLOSED, PriceOrigin.INTERNAL, "Sun 19:59:59 EST");
        uint256 b = OracleMath.bandHalfWidthX18(500, 2000, 49 hours + 59, 1 days);
        assertEq(s.bandHighX18 - s.anchorPriceX18, (s.anchorPriceX18 * b) / 1e18, "49 h band (8.72 %)");

        _reopen(_utc(2026, 11, 2, 1, 0), 102e18, Session.OVERNIGHT, "Sun 20:00 EST overnight");
        _boundary(_utc(2026, 11, 2, 9, 0), 102.5e18, Session.PRE_MARKET, "Mon 04:00 EST pre");
        vm.warp(_utc(2026, 11, 2, 13, 30) + 5); // 08:30 EST: the EDT open time is still pre-market
        _publish(102.6e18);
        _assertPriceState(
            adapter.poke(AAPL),
            Session.PRE_MARKET,
            MarketState.OPEN,
            PriceOrigin.PRIMARY,
            "08:30"
        );
        _boundary(_utc(2026, 11, 2, 14, 30), 103e18, Session.REGULAR, "Mon 09:30 EST regular");
    }

    /// @dev Friday Nov 13 2026 20:00 EST to Sunday Nov 15 20:00 EST: 48 h, tier 1: +-8.66 %.
    function test_normalWeekend_BandIsAbout8Point7Percent() public {
        _deployAt(_utc(2026, 11, 14, 0, 0), 100e18); // Fri 19:00 EST, POST_MARKET
        vm.warp(_utc(2026, 11, 14, 1, 0) - 1); // Fri 19:59:59 EST
        streams.setPrice(AAPL, 100e18, block.timestamp);
        vm.warp(_utc(2026, 11, 16, 1, 0) - 1); // Sun 19:59:59 EST: 48 h later
        PriceState memory s = adapter.poke(AAPL);
        assertEq(uint256(s.state), uint256(MarketState.CLOSED), "closed all weekend");
        assertEq(s.anchorPriceX18, 100e18, "anchor");
        assertGe(s.bandHighX18, 108.65e18, ">= +8.65 %");
        assertLe(s.bandHighX18, 108.7e18, "<= +8.70 %");
        assertGe(s.bandLowX18, 91.3e18, ">= -8.70 %");
        assertLe(s.bandLowX18, 91.35e18, "<= -8.65 %");
    }

    // ================================================================== the week, day by day

    /// @dev Pre-market 04:00, regular 09:30, post-market 16:00, then `night` at 20:00 (EST).
    function _tradingDay(uint256 novDay, uint256 priceX18, Session night, string memory day) internal {
        _boundary(
            _utc(2026, 11, novDay, 9, 0),
            priceX18,
            Session.PRE_MARKET,
            string.concat(day, " 04:00 pre")
        );
        _boundary(
            _utc(2026, 11, novDay, 14, 30),
            priceX18 + 1e18,
            Session.REGULAR,
            string.concat(day, " 09:30")
        );
        _boundary(
            _utc(2026, 11, novDay, 21, 0),
            priceX18 + 1.5e18,
            Session.POST_MARKET,
            string.concat(day, " 16:00")
        );
        uint256 evening = _utc(2026, 11, novDay + 1, 1, 0);
        if (night == Session.OVERNIGHT)
            _boundary(evening, priceX18 + 2e18, night, string.concat(day, " 20:00"));
        else _close(evening, priceX18 + 2e18, string.concat(day, " 20:00 close before the holiday"));
    }

    /// @dev Thanksgiving: CLOSED all day. Weekend-style trading moves P; quotes are blended.
    function _holiday() internal {
        vm.warp(_utc(2026, 11, 26, 17, 0)); // Thu 12:00 EST, nobody poked since Wed 20:00
        PriceState memory s = adapter.priceState(AAPL);
        // Wednesday evening's quote is older than 900 s now: ignored, the mark is P alone.
        _assertPriceState(
            s,
            Session.CLOSED,
            MarketState.CLOSED,
            PriceOrigin.INTERNAL,
            "Thu noon, stale quotes"
        );
        uint256 anchor = s.anchorPriceX18;
        for (uint256 i; i < 6; ++i) {
            vm.warp(_utc(2026, 11, 26, 17, 0) + i * 6 minutes);
            _trade(anchor + 3e18, 50_000e18);
        }
        _publish(anchor + 2e18); // quotes agree with the holiday trading
        s = adapter.poke(AAPL);
        _assertPriceState(
            s,
            Session.CLOSED,
            MarketState.CLOSED,
            PriceOrigin.INTERNAL_QUOTE_BLEND,
            "Thu trading"
        );
        assertGt(s.markPriceX18, anchor, "holiday trading moved the mark up");
        assertEq(s.indexPriceX18, s.markPriceX18, "funding index = mark while closed");
    }

    /// @dev Friday Nov 27: regular 09:30-13:00, post-market 13:00-17:00, then CLOSED.
    function _earlyCloseFriday() internal {
        _boundary(_utc(2026, 11, 27, 9, 0), 106.5e18, Session.PRE_MARKET, "Fri 04:00 pre");
        _boundary(_utc(2026, 11, 27, 14, 30), 107e18, Session.REGULAR, "Fri 09:30 regular");
        _boundary(_utc(2026, 11, 27, 18, 0), 107.5e18, Session.POST_MARKET, "Fri 13:00 early close");
        vm.warp(_utc(2026, 11, 27, 21, 0) + 5); // 16:00: a normal close, but today still post-market
        _publish(107.6e18);
        _assertPriceState(
            adapter.poke(AAPL),
            Session.POST_MARKET,
            MarketState.OPEN,
            PriceOrigin.PRIMARY,
            "16:00"
        );
        _close(_utc(2026, 11, 27, 22, 0), 107.8e18, "Fri 17:00 early post-market close");
    }

    /// @dev Saturday: CLOSED, nobody pokes; the view widens the band lazily.
    function _weekend() internal {
        vm.warp(_utc(2026, 11, 28, 17, 0)); // Sat 12:00 EST
        PriceState memory s = adapter.priceState(AAPL);
        assertEq(uint256(s.state), uint256(MarketState.CLOSED), "Saturday closed");
        uint256 b = OracleMath.bandHalfWidthX18(500, 2000, block.timestamp - s.anchorTime, 1 days);
        assertEq(s.bandHighX18 - s.anchorPriceX18, (s.anchorPriceX18 * b) / 1e18, "band of the elapsed time");
    }

    // ================================================================== boundary helpers

    /// @dev A live-to-live boundary: the view one second before still shows the old session; five
    /// seconds after, the new session's source is used, OPEN, and view == poke.
    function _boundary(uint256 t, uint256 priceX18, Session session, string memory label) internal {
        vm.warp(t - 1);
        assertTrue(adapter.priceState(AAPL).session != session, string.concat(label, ": not yet"));
        vm.warp(t + 5);
        _publish(priceX18);
        PriceState memory s = _viewThenPoke(label);
        _assertPriceState(s, session, MarketState.OPEN, PriceOrigin.PRIMARY, label);
        assertEq(s.indexPriceX18, _sourcePrice(session, priceX18), string.concat(label, ": source price"));
    }

    /// @dev A closed-to-live boundary: REOPENING on the first post-open print, OPEN 5 minutes later.
    function _reopen(uint256 t, uint256 priceX18, Session session, string memory label) internal {
        vm.warp(t - 1);
        assertEq(
            uint256(adapter.priceState(AAPL).state),
            uint256(MarketState.CLOSED),
            string.concat(label, ": closed")
        );
        vm.warp(t + 5);
        _publish(priceX18);
        PriceState memory s = _viewThenPoke(label);
        _assertPriceState(s, session, MarketState.REOPENING, PriceOrigin.PRIMARY, label);
        assertEq(s.indexPriceX18, _sourcePrice(session, priceX18), string.concat(label, ": snapped"));
        vm.warp(t + 5 + 5 minutes);
        _publish(priceX18);
        _assertPriceState(adapter.poke(AAPL), session, MarketState.OPEN, PriceOrigin.PRIMARY, label);
    }

    /// @dev A live-to-closed boundary: the last post-market print becomes the anchor; signed quotes
    /// are blended from then on.
    function _close(uint256 t, uint256 priceX18, string memory label) internal {
        vm.warp(t - 30);
        _publish(priceX18); // last Data Streams print before the close
        vm.warp(t + 5);
        _publish(priceX18); // a signed quote, after the close
        PriceState memory s = _viewThenPoke(label);
        _assertPriceState(s, Session.CLOSED, MarketState.CLOSED, PriceOrigin.INTERNAL_QUOTE_BLEND, label);
        assertEq(s.anchorPriceX18, priceX18 + STREAMS_OFFSET, string.concat(label, ": anchor"));
        assertEq(s.anchorTime, t - 30, string.concat(label, ": anchor time"));
    }

    function _viewThenPoke(string memory label) internal returns (PriceState memory s) {
        PriceState memory v = adapter.priceState(AAPL);
        s = adapter.poke(AAPL);
        assertEq(uint256(v.state), uint256(s.state), string.concat(label, ": lazy view state"));
        assertEq(uint256(v.origin), uint256(s.origin), string.concat(label, ": lazy view origin"));
        assertEq(v.markPriceX18, s.markPriceX18, string.concat(label, ": lazy view mark"));
        assertEq(v.bandLowX18, s.bandLowX18, string.concat(label, ": lazy view band"));
    }

    function _sourcePrice(Session session, uint256 priceX18) internal pure returns (uint256) {
        return session == Session.REGULAR ? priceX18 : priceX18 + STREAMS_OFFSET;
    }
}
