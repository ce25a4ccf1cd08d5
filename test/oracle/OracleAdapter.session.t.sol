// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {NyseFixture} from "./NyseFixture.sol";
import {IMarketCalendar} from "../../contracts/interfaces/IMarketCalendar.sol";
import {CalendarMath} from "../../contracts/libraries/CalendarMath.sol";
import {DayKind, Session} from "../../contracts/types/Session.sol";
import {MarketState, PriceState} from "../../contracts/types/Oracle.sol";

/// @notice The adapter's session on the REAL NYSE calendar: inside a started PRE_MARKET, REGULAR or
/// POST_MARKET window it uses the checkpoint's window without reading the calendar (those windows
/// depend only on their own day's kind, which governance can no longer change once the day started);
/// OVERNIGHT and CLOSED windows, which end on a later day governance may still change, are confirmed
/// with the calendar. Whatever the poke time, the view time and a governance change in between, the
/// adapter's session is the calendar's.
/// @dev A reverting mock of `sessionAt` proves that no read happens (the control tests show that the
/// same mock does make the view revert where the calendar is read). Mon Nov 23 2026, EST (UTC-5):
/// regular 14:30-21:00 UTC, post-market until 01:00 UTC, overnight of Tuesday from 01:00 UTC.
contract OracleAdapterSessionTest is NyseFixture {
    bytes internal constant NO_READ = "calendar read";

    function _refuseCalendarReads() internal {
        vm.mockCallRevert(
            address(calendar),
            abi.encodeWithSelector(IMarketCalendar.sessionAt.selector),
            NO_READ
        );
        vm.mockCallRevert(
            address(calendar),
            abi.encodeWithSelector(IMarketCalendar.sessionWindow.selector),
            NO_READ
        );
    }

    function _liveAt(uint256 t, uint256 priceX18) internal {
        vm.warp(t);
        _publish(priceX18);
        adapter.poke(AAPL);
    }

    function test_regular_InsideTheStartedWindow_NoCalendarRead() public {
        _deployAt(_utc(2026, 11, 23, 15, 0), 100e18); // Mon 10:00 EST
        _liveAt(_utc(2026, 11, 23, 15, 0) + 60, 100e18);
        vm.warp(_utc(2026, 11, 23, 20, 59)); // 15:59 EST, one minute before the close
        _publish(101e18);
        PriceState memory expected = adapter.priceState(AAPL);

        _refuseCalendarReads();
        PriceState memory s = adapter.priceState(AAPL);
        assertEq(uint256(s.session), uint256(Session.REGULAR), "session");
        assertEq(uint256(s.state), uint256(MarketState.OPEN), "state");
        assertEq(s.indexPriceX18, 101e18, "index: the REGULAR primary's price");
        assertEq(keccak256(abi.encode(s)), keccak256(abi.encode(expected)), "same as with the calendar read");
        _trade(101e18, 1e24); // recordTrade's cheap path: no calendar read either
        adapter.poke(AAPL);
    }

    function test_postMarket_InsideTheStartedWindow_NoCalendarRead() public {
        _deployAt(_utc(2026, 11, 23, 21, 30), 100e18); // Mon 16:30 EST
        _liveAt(_utc(2026, 11, 23, 21, 31), 100e18);
        vm.warp(_utc(2026, 11, 24, 0, 30)); // 19:30 EST
        _publish(102e18);
        _refuseCalendarReads();
        PriceState memory s = adapter.priceState(AAPL);
        assertEq(uint256(s.session), uint256(Session.POST_MARKET), "session");
        assertEq(s.indexPriceX18, 102e18 + STREAMS_OFFSET, "index: Data Streams");
    }

    function test_regular_AtItsEnd_ReadsTheCalendarAndMovesOn() public {
        _deployAt(_utc(2026, 11, 23, 15, 0), 100e18);
        _liveAt(_utc(2026, 11, 23, 15, 1), 100e18);
        vm.warp(_utc(2026, 11, 23, 21, 0)); // 16:00 EST: the stored window has ended
        _publish(100e18);
        assertEq(uint256(adapter.priceState(AAPL).session), uint256(Session.POST_MARKET), "post-market");
        _refuseCalendarReads(); // control: past the stored end the calendar is read
        vm.expectRevert(NO_READ);
        adapter.priceState(AAPL);
    }

    function test_earlyCloseSetTheDayBefore_TakesEffectNextDay() public {
        _deployAt(_utc(2026, 11, 23, 15, 0), 100e18); // Monday
        _liveAt(_utc(2026, 11, 23, 15, 1), 100e18);
        (uint256 today, ) = CalendarMath.toNewYork(block.timestamp);
        _setDayKind(today + 1, DayKind.EARLY_CLOSE); // Tuesday closes at 13:00
        // Monday's started window cannot change (governance cannot touch today).
        vm.expectRevert(
            abi.encodeWithSelector(IMarketCalendar.Calendar_DayNotInFuture.selector, today, today)
        );
        _setDayKind(today, DayKind.EARLY_CLOSE);
        vm.warp(_utc(2026, 11, 23, 20, 59)); // Monday 15:59: still REGULAR
        _publish(100e18);
        assertEq(uint256(adapter.priceState(AAPL).session), uint256(Session.REGULAR), "Mon 15:59");
        _liveAt(_utc(2026, 11, 24, 17, 59), 100e18); // Tuesday 12:59, poked: REGULAR until 13:00
        assertEq(uint256(adapter.priceState(AAPL).session), uint256(Session.REGULAR), "Tue 12:59");
        vm.warp(_utc(2026, 11, 24, 18, 0)); // Tuesday 13:00: the early close
        _publish(100e18);
        assertEq(uint256(adapter.priceState(AAPL).session), uint256(Session.POST_MARKET), "Tue 13:00");
    }

    function test_overnight_HolidaySetForItsMorning_ConfirmedWithTheCalendar() public {
        _deployAt(_utc(2026, 11, 24, 1, 30), 100e18); // Mon 20:30 EST: the overnight of Tuesday
        _liveAt(_utc(2026, 11, 24, 1, 31), 100e18);
        assertEq(uint256(adapter.priceState(AAPL).session), uint256(Session.OVERNIGHT), "overnight");
        // Still Monday in New York: governance may make Tuesday a holiday, which removes this night.
        (uint256 today, ) = CalendarMath.toNewYork(block.timestamp);
        _setDayKind(today + 1, DayKind.HOLIDAY);
        vm.warp(block.timestamp + 60);
        PriceState memory s = adapter.priceState(AAPL);
        assertEq(uint256(s.session), uint256(Session.CLOSED), "no overnight before a holiday");
        assertEq(uint256(s.state), uint256(MarketState.CLOSED), "state");
        _refuseCalendarReads(); // control: an OVERNIGHT checkpoint is always confirmed
        vm.expectRevert(NO_READ);
        adapter.priceState(AAPL);
    }

    /// @dev Poke at any time of a week, optionally change a future day's kind, view at any later
    /// time up to two days on: the adapter's session is the calendar's at that time.
    function testFuzz_session_AlwaysTheCalendars(
        uint256 pokeOffset,
        uint256 viewDelay,
        uint256 changedDayOffset,
        uint8 kind
    ) public {
        uint256 weekStart = _utc(2026, 11, 22, 17, 0); // Sun Nov 22 12:00 EST, CLOSED
        _deployAt(weekStart, 100e18);
        uint256 pokeAt = weekStart + bound(pokeOffset, 0, 6 days);
        _liveAt(pokeAt, 100e18);
        (uint256 today, ) = CalendarMath.toNewYork(pokeAt);
        uint256 day = today + bound(changedDayOffset, 1, 3);
        if (!CalendarMath.isWeekend(day)) _setDayKind(day, DayKind(bound(kind, 0, 2)));
        uint256 viewAt = pokeAt + bound(viewDelay, 0, 2 days);
        vm.warp(viewAt);
        _publish(100e18);
        assertEq(
            uint256(adapter.priceState(AAPL).session),
            uint256(calendar.sessionAt(viewAt)),
            "the adapter's session is the calendar's"
        );
    }

    function _setDayKind(uint256 day, DayKind dayKind) internal {
        uint256[] memory dayNumbers = new uint256[](1);
        DayKind[] memory kinds = new DayKind[](1);
        dayNumbers[0] = day;
        kinds[0] = dayKind;
        vm.prank(admin);
        calendar.setDayKinds(dayNumbers, kinds);
    }
}
