// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {Test} from "../utils/Test.sol";
import {MarketCalendar} from "../../contracts/core/MarketCalendar.sol";
import {IMarketCalendar} from "../../contracts/interfaces/IMarketCalendar.sol";
import {CalendarMath} from "../../contracts/libraries/CalendarMath.sol";
import {Constants} from "../../contracts/libraries/Constants.sol";
import {DayKind, Session} from "../../contracts/types/Session.sol";

/// @notice Unit and fuzz tests of `MarketCalendar` over the NYSE 2026-2028 data of SPEC section 2.
/// @dev Expected instants are written in UTC with the New York time in a comment (EST = UTC-5,
/// EDT = UTC-4), so that they do not depend on the DST code under test. `_utc` only uses
/// `CalendarMath.daysFromCivil`, which `CalendarMath.t.sol` checks against known dates.
contract MarketCalendarTest is Test {
    uint256 internal constant HORIZON = Constants.CALENDAR_SEARCH_HORIZON_DAYS;

    MarketCalendar internal calendar;
    address internal admin = makeAddr("timelock");
    address internal stranger = makeAddr("stranger");

    function setUp() public {
        (uint256[] memory dayNumbers, DayKind[] memory kinds) = _nyseData();
        calendar = new MarketCalendar(admin, dayNumbers, kinds);
        vm.warp(_utc(2026, 1, 1, 12, 0));
    }

    // ================================================================== constructor and roles

    function test_constructor_GrantsBothRolesToAdmin() public view {
        assertTrue(calendar.hasRole(calendar.DEFAULT_ADMIN_ROLE(), admin), "admin holds DEFAULT_ADMIN_ROLE");
        assertTrue(calendar.hasRole(calendar.CALENDAR_ROLE(), admin), "admin holds CALENDAR_ROLE");
        assertFalse(calendar.hasRole(calendar.DEFAULT_ADMIN_ROLE(), address(this)), "deployer holds nothing");
        assertFalse(calendar.hasRole(calendar.CALENDAR_ROLE(), address(this)), "deployer holds nothing");
    }

    function test_CALENDAR_ROLE_IsHashOfItsName() public view {
        assertEq(calendar.CALENDAR_ROLE(), keccak256("CALENDAR_ROLE"), "role id");
    }

    function test_constructor_SetsInitialDayKinds() public view {
        assertEq(uint8(calendar.dayKind(_day(2026, 4, 3))), uint8(DayKind.HOLIDAY), "Good Friday 2026");
        assertEq(uint8(calendar.dayKind(_day(2028, 12, 25))), uint8(DayKind.HOLIDAY), "Christmas 2028");
        assertEq(
            uint8(calendar.dayKind(_day(2026, 11, 27))),
            uint8(DayKind.EARLY_CLOSE),
            "Black Friday 2026"
        );
        assertEq(uint8(calendar.dayKind(_day(2028, 7, 3))), uint8(DayKind.EARLY_CLOSE), "July 3 2028");
    }

    function test_constructor_AcceptsPastDays() public {
        vm.warp(_utc(2030, 1, 1, 0, 0));
        (uint256[] memory dayNumbers, DayKind[] memory kinds) = _nyseData();
        MarketCalendar late = new MarketCalendar(admin, dayNumbers, kinds);
        assertEq(uint8(late.dayKind(_day(2026, 1, 1))), uint8(DayKind.HOLIDAY), "past day stored");
    }

    function test_constructor_EmitsDayKindSetForEachDay() public {
        uint256[] memory dayNumbers = new uint256[](2);
        DayKind[] memory kinds = new DayKind[](2);
        (dayNumbers[0], kinds[0]) = (_day(2026, 1, 1), DayKind.HOLIDAY);
        (dayNumbers[1], kinds[1]) = (_day(2026, 11, 27), DayKind.EARLY_CLOSE);
        vm.expectEmit();
        emit IMarketCalendar.DayKindSet(dayNumbers[0], DayKind.NORMAL, DayKind.HOLIDAY);
        vm.expectEmit();
        emit IMarketCalendar.DayKindSet(dayNumbers[1], DayKind.NORMAL, DayKind.EARLY_CLOSE);
        new MarketCalendar(admin, dayNumbers, kinds);
    }

    function test_constructor_RevertIf_AdminIsZeroAddress() public {
        vm.expectRevert(abi.encodeWithSelector(IMarketCalendar.Calendar_AdminIsZeroAddress.selector));
        new MarketCalendar(address(0), new uint256[](0), new DayKind[](0));
    }

    function test_constructor_RevertIf_LengthMismatch() public {
        vm.expectRevert(abi.encodeWithSelector(IMarketCalendar.Calendar_LengthMismatch.selector, 2, 1));
        new MarketCalendar(admin, new uint256[](2), new DayKind[](1));
    }

    function test_constructor_RevertIf_WeekendDay() public {
        uint256[] memory dayNumbers = new uint256[](1);
        dayNumbers[0] = _day(2026, 1, 3); // Saturday
        vm.expectRevert(abi.encodeWithSelector(IMarketCalendar.Calendar_WeekendDay.selector, dayNumbers[0]));
        new MarketCalendar(admin, dayNumbers, new DayKind[](1));
        dayNumbers[0] = _day(2026, 1, 4); // Sunday
        vm.expectRevert(abi.encodeWithSelector(IMarketCalendar.Calendar_WeekendDay.selector, dayNumbers[0]));
        new MarketCalendar(admin, dayNumbers, new DayKind[](1));
    }

    // ================================================================== setDayKinds

    function test_setDayKinds_ChangesFutureDaysAndTheirSessions() public {
        uint256 monday = _day(2026, 3, 16);
        _setOne(monday, DayKind.HOLIDAY);
        assertEq(uint8(calendar.dayKind(monday)), uint8(DayKind.HOLIDAY), "stored");
        // Sun Mar 15 20:00 EDT: no overnight before a holiday; Mon 09:30 EDT closed.
        assertEq(_session(_utc(2026, 3, 16, 0, 0)), Session.CLOSED, "night before the new holiday");
        assertEq(_session(_utc(2026, 3, 16, 13, 30)), Session.CLOSED, "new holiday");
        _setOne(monday, DayKind.EARLY_CLOSE);
        assertEq(_session(_utc(2026, 3, 16, 0, 0)), Session.OVERNIGHT, "overnight is back");
        assertEq(_session(_utc(2026, 3, 16, 17, 0)), Session.POST_MARKET, "13:00 EDT: post-market");
        _setOne(monday, DayKind.NORMAL);
        assertEq(_session(_utc(2026, 3, 16, 17, 0)), Session.REGULAR, "13:00 EDT: regular again");
    }

    function test_setDayKinds_EmitsDayKindSetWithPreviousKind() public {
        uint256 blackFriday = _day(2026, 11, 27);
        vm.expectEmit(address(calendar));
        emit IMarketCalendar.DayKindSet(blackFriday, DayKind.EARLY_CLOSE, DayKind.HOLIDAY);
        _setOne(blackFriday, DayKind.HOLIDAY);
    }

    function test_setDayKinds_AcceptsTomorrowInNewYork() public {
        // 2026-03-03 03:00 UTC is still Monday March 2, 22:00 EST: Tuesday March 3 is tomorrow.
        vm.warp(_utc(2026, 3, 3, 3, 0));
        _setOne(_day(2026, 3, 3), DayKind.EARLY_CLOSE);
        assertEq(uint8(calendar.dayKind(_day(2026, 3, 3))), uint8(DayKind.EARLY_CLOSE), "tomorrow set");
    }

    function test_setDayKinds_RevertIf_DayIsTodayInNewYork() public {
        // 03:00 UTC on March 3 is March 2 in New York, so March 2 is today, though UTC says March 3.
        vm.warp(_utc(2026, 3, 3, 3, 0));
        uint256 today = _day(2026, 3, 2);
        _expectRevertSet(
            today,
            abi.encodeWithSelector(IMarketCalendar.Calendar_DayNotInFuture.selector, today, today)
        );
        // At 00:00 EST on March 3, March 3 itself has started.
        vm.warp(_utc(2026, 3, 3, 5, 0));
        today = _day(2026, 3, 3);
        _expectRevertSet(
            today,
            abi.encodeWithSelector(IMarketCalendar.Calendar_DayNotInFuture.selector, today, today)
        );
    }

    function test_setDayKinds_RevertIf_DayInPast() public {
        uint256 past = _day(2025, 12, 31);
        uint256 today = _day(2026, 1, 1);
        _expectRevertSet(
            past,
            abi.encodeWithSelector(IMarketCalendar.Calendar_DayNotInFuture.selector, past, today)
        );
    }

    function test_setDayKinds_RevertIf_WeekendDay() public {
        uint256 saturday = _day(2026, 3, 7);
        _expectRevertSet(
            saturday,
            abi.encodeWithSelector(IMarketCalendar.Calendar_WeekendDay.selector, saturday)
        );
    }

    function test_setDayKinds_RevertIf_LengthMismatch() public {
        vm.expectRevert(abi.encodeWithSelector(IMarketCalendar.Calendar_LengthMismatch.selector, 1, 2));
        vm.prank(admin);
        calendar.setDayKinds(new uint256[](1), new DayKind[](2));
    }

    function test_setDayKinds_RevertIf_CallerLacksCalendarRole() public {
        bytes32 role = calendar.CALENDAR_ROLE();
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, stranger, role)
        );
        vm.prank(stranger);
        calendar.setDayKinds(new uint256[](0), new DayKind[](0));
    }

    function test_setDayKinds_RevertIf_BlockTimestampOutOfRange() public {
        vm.warp(1);
        vm.expectRevert(abi.encodeWithSelector(IMarketCalendar.Calendar_TimestampOutOfRange.selector, 1));
        vm.prank(admin);
        calendar.setDayKinds(new uint256[](0), new DayKind[](0));
    }

    function test_setDayKinds_RevertsWholeBatchOnOneBadDay() public {
        uint256[] memory dayNumbers = new uint256[](2);
        DayKind[] memory kinds = new DayKind[](2);
        (dayNumbers[0], kinds[0]) = (_day(2026, 3, 16), DayKind.HOLIDAY);
        (dayNumbers[1], kinds[1]) = (_day(2026, 3, 21), DayKind.HOLIDAY); // Saturday
        vm.expectRevert(abi.encodeWithSelector(IMarketCalendar.Calendar_WeekendDay.selector, dayNumbers[1]));
        vm.prank(admin);
        calendar.setDayKinds(dayNumbers, kinds);
        assertEq(uint8(calendar.dayKind(dayNumbers[0])), uint8(DayKind.NORMAL), "first entry not applied");
    }

    function test_setDayKinds_WorksForAnAccountGrantedTheRole() public {
        bytes32 role = calendar.CALENDAR_ROLE();
        vm.prank(admin);
        calendar.grantRole(role, stranger);
        vm.prank(stranger);
        calendar.setDayKinds(_one(_day(2026, 3, 16)), _oneKind(DayKind.HOLIDAY));
        assertEq(uint8(calendar.dayKind(_day(2026, 3, 16))), uint8(DayKind.HOLIDAY), "set by grantee");
    }

    // ================================================================== dayKind

    function test_dayKind_DefaultsToNormal() public view {
        assertEq(uint8(calendar.dayKind(_day(2026, 3, 10))), uint8(DayKind.NORMAL), "unmarked weekday");
        assertEq(uint8(calendar.dayKind(_day(2026, 3, 7))), uint8(DayKind.NORMAL), "weekend");
        assertEq(uint8(calendar.dayKind(_day(2031, 1, 1))), uint8(DayKind.NORMAL), "beyond the data");
    }

    // ================================================================== sessionAt

    function test_sessionAt_NormalDayInWinter() public view {
        // Tuesday 2026-01-06, EST.
        _assertTransition(_utc(2026, 1, 6, 9, 0), Session.OVERNIGHT, Session.PRE_MARKET); // 04:00
        _assertTransition(_utc(2026, 1, 6, 14, 30), Session.PRE_MARKET, Session.REGULAR); // 09:30
        _assertTransition(_utc(2026, 1, 6, 21, 0), Session.REGULAR, Session.POST_MARKET); // 16:00
        _assertTransition(_utc(2026, 1, 7, 1, 0), Session.POST_MARKET, Session.OVERNIGHT); // 20:00
        assertEq(_session(_utc(2026, 1, 7, 5, 0)), Session.OVERNIGHT, "Wed 00:00 EST: still overnight");
    }

    function test_sessionAt_NormalDayInSummer() public view {
        // Tuesday 2026-06-09, EDT.
        _assertTransition(_utc(2026, 6, 9, 8, 0), Session.OVERNIGHT, Session.PRE_MARKET); // 04:00
        _assertTransition(_utc(2026, 6, 9, 13, 30), Session.PRE_MARKET, Session.REGULAR); // 09:30
        _assertTransition(_utc(2026, 6, 9, 20, 0), Session.REGULAR, Session.POST_MARKET); // 16:00
        _assertTransition(_utc(2026, 6, 10, 0, 0), Session.POST_MARKET, Session.OVERNIGHT); // 20:00
    }

    function test_sessionAt_Weekend() public view {
        _assertTransition(_utc(2026, 1, 10, 1, 0), Session.POST_MARKET, Session.CLOSED); // Fri 20:00
        assertEq(_session(_utc(2026, 1, 10, 17, 0)), Session.CLOSED, "Saturday noon");
        assertEq(_session(_utc(2026, 1, 11, 9, 0)), Session.CLOSED, "Sunday 04:00");
        _assertTransition(_utc(2026, 1, 12, 1, 0), Session.CLOSED, Session.OVERNIGHT); // Sun 20:00
    }

    function test_sessionAt_DaylightSavingStartWeek() public view {
        // Fri 2026-03-06 is EST; DST starts Sun 2026-03-08 07:00 UTC; Mon 2026-03-09 is EDT.
        _assertTransition(_utc(2026, 3, 6, 21, 0), Session.REGULAR, Session.POST_MARKET); // Fri 16:00 EST
        _assertTransition(_utc(2026, 3, 7, 1, 0), Session.POST_MARKET, Session.CLOSED); // Fri 20:00 EST
        assertEq(_session(_utc(2026, 3, 8, 7, 0)), Session.CLOSED, "the switch instant");
        _assertTransition(_utc(2026, 3, 9, 0, 0), Session.CLOSED, Session.OVERNIGHT); // Sun 20:00 EDT
        _assertTransition(_utc(2026, 3, 9, 8, 0), Session.OVERNIGHT, Session.PRE_MARKET); // Mon 04:00 EDT
        _assertTransition(_utc(2026, 3, 9, 13, 30), Session.PRE_MARKET, Session.REGULAR); // Mon 09:30 EDT
        _assertTransition(_utc(2026, 3, 9, 20, 0), Session.REGULAR, Session.POST_MARKET); // Mon 16:00 EDT
    }

    function test_sessionAt_DaylightSavingEndWeek() public view {
        // Fri 2026-10-30 is EDT; DST ends Sun 2026-11-01 06:00 UTC; Mon 2026-11-02 is EST.
        _assertTransition(_utc(2026, 10, 30, 20, 0), Session.REGULAR, Session.POST_MARKET); // Fri 16:00 EDT
        _assertTransition(_utc(2026, 10, 31, 0, 0), Session.POST_MARKET, Session.CLOSED); // Fri 20:00 EDT
        assertEq(_session(_utc(2026, 11, 1, 6, 0)), Session.CLOSED, "the switch instant");
        _assertTransition(_utc(2026, 11, 2, 1, 0), Session.CLOSED, Session.OVERNIGHT); // Sun 20:00 EST
        _assertTransition(_utc(2026, 11, 2, 14, 30), Session.PRE_MARKET, Session.REGULAR); // Mon 09:30 EST
        _assertTransition(_utc(2026, 11, 2, 21, 0), Session.REGULAR, Session.POST_MARKET); // Mon 16:00 EST
    }

    function test_sessionAt_ThanksgivingAndBlackFriday() public view {
        // Wed 2026-11-25 20:00 EST: no overnight before Thanksgiving.
        _assertTransition(_utc(2026, 11, 26, 1, 0), Session.POST_MARKET, Session.CLOSED);
        assertEq(_session(_utc(2026, 11, 26, 14, 30)), Session.CLOSED, "Thanksgiving 09:30");
        // Thu 20:00 EST: overnight into Black Friday, then an early close at 13:00 and 17:00.
        _assertTransition(_utc(2026, 11, 27, 1, 0), Session.CLOSED, Session.OVERNIGHT);
        _assertTransition(_utc(2026, 11, 27, 9, 0), Session.OVERNIGHT, Session.PRE_MARKET);
        _assertTransition(_utc(2026, 11, 27, 14, 30), Session.PRE_MARKET, Session.REGULAR);
        _assertTransition(_utc(2026, 11, 27, 18, 0), Session.REGULAR, Session.POST_MARKET); // 13:00
        _assertTransition(_utc(2026, 11, 27, 22, 0), Session.POST_MARKET, Session.CLOSED); // 17:00
        assertEq(_session(_utc(2026, 11, 28, 1, 0)), Session.CLOSED, "Fri 20:00: weekend");
    }

    function test_sessionAt_ChristmasEveEarlyCloseThenHoliday() public view {
        _assertTransition(_utc(2026, 12, 24, 18, 0), Session.REGULAR, Session.POST_MARKET); // Thu 13:00
        _assertTransition(_utc(2026, 12, 24, 22, 0), Session.POST_MARKET, Session.CLOSED); // Thu 17:00
        assertEq(
            _session(_utc(2026, 12, 25, 1, 0)),
            Session.CLOSED,
            "Thu 20:00: no overnight before Christmas"
        );
        assertEq(_session(_utc(2026, 12, 25, 9, 0)), Session.CLOSED, "Christmas 04:00");
        assertEq(_session(_utc(2026, 12, 26, 1, 0)), Session.CLOSED, "Christmas 20:00: Saturday next");
        _assertTransition(_utc(2026, 12, 28, 1, 0), Session.CLOSED, Session.OVERNIGHT); // Sun 20:00
    }

    function test_sessionAt_GoodFriday() public view {
        // Thu 2026-04-02 20:00 EDT: no overnight before Good Friday; closed until Sunday 20:00.
        _assertTransition(_utc(2026, 4, 3, 0, 0), Session.POST_MARKET, Session.CLOSED);
        assertEq(_session(_utc(2026, 4, 3, 13, 30)), Session.CLOSED, "Good Friday 09:30");
        _assertTransition(_utc(2026, 4, 6, 0, 0), Session.CLOSED, Session.OVERNIGHT); // Sun 20:00 EDT
    }

    function test_sessionAt_MondayHoliday() public view {
        // Martin Luther King Jr. Day, Mon 2026-01-19 (EST).
        assertEq(_session(_utc(2026, 1, 19, 1, 0)), Session.CLOSED, "Sun 20:00: no overnight");
        assertEq(_session(_utc(2026, 1, 19, 14, 30)), Session.CLOSED, "Mon 09:30");
        _assertTransition(_utc(2026, 1, 20, 1, 0), Session.CLOSED, Session.OVERNIGHT); // Mon 20:00
        _assertTransition(_utc(2026, 1, 20, 9, 0), Session.OVERNIGHT, Session.PRE_MARKET); // Tue 04:00
    }

    function test_sessionAt_AcceptsTheRangeBounds() public view {
        calendar.sessionAt(Constants.CALENDAR_MIN_TIMESTAMP);
        calendar.sessionAt(Constants.CALENDAR_MAX_TIMESTAMP);
    }

    function test_sessionAt_RevertIf_TimestampOutOfRange() public {
        _expectOutOfRange(Constants.CALENDAR_MIN_TIMESTAMP - 1);
        calendar.sessionAt(Constants.CALENDAR_MIN_TIMESTAMP - 1);
        _expectOutOfRange(Constants.CALENDAR_MAX_TIMESTAMP + 1);
        calendar.sessionAt(Constants.CALENDAR_MAX_TIMESTAMP + 1);
    }

    // ================================================================== sessionWindow

    function test_sessionWindow_TradingDaySessions() public view {
        // Tuesday 2026-01-06, EST.
        _assertWindow(
            _utc(2026, 1, 6, 12, 0),
            Session.PRE_MARKET,
            _utc(2026, 1, 6, 9, 0),
            _utc(2026, 1, 6, 14, 30)
        );
        _assertWindow(
            _utc(2026, 1, 6, 18, 0),
            Session.REGULAR,
            _utc(2026, 1, 6, 14, 30),
            _utc(2026, 1, 6, 21, 0)
        );
        _assertWindow(
            _utc(2026, 1, 6, 23, 0),
            Session.POST_MARKET,
            _utc(2026, 1, 6, 21, 0),
            _utc(2026, 1, 7, 1, 0)
        );
    }

    function test_sessionWindow_OvernightIsTheSameBeforeAndAfterMidnight() public view {
        uint256 start = _utc(2026, 6, 10, 0, 0); // Tue 20:00 EDT
        uint256 end = _utc(2026, 6, 10, 8, 0); // Wed 04:00 EDT
        _assertWindow(start, Session.OVERNIGHT, start, end);
        _assertWindow(_utc(2026, 6, 10, 3, 59), Session.OVERNIGHT, start, end); // 23:59
        _assertWindow(_utc(2026, 6, 10, 4, 0), Session.OVERNIGHT, start, end); // 00:00
        _assertWindow(end - 1, Session.OVERNIGHT, start, end);
    }

    function test_sessionWindow_WeekendAcrossDaylightSavingStart() public view {
        // Fri Mar 6 20:00 EST to Sun Mar 8 20:00 EDT: 47 hours.
        (, uint256 start, uint256 end) = calendar.sessionWindow(_utc(2026, 3, 7, 12, 0));
        assertEq(start, _utc(2026, 3, 7, 1, 0), "Fri 20:00 EST");
        assertEq(end, _utc(2026, 3, 9, 0, 0), "Sun 20:00 EDT");
        assertEq(end - start, 47 hours, "one hour shorter");
    }

    function test_sessionWindow_WeekendAcrossDaylightSavingEnd() public view {
        // Fri Oct 30 20:00 EDT to Sun Nov 1 20:00 EST: 49 hours.
        _assertWindow(
            _utc(2026, 11, 1, 6, 0),
            Session.CLOSED,
            _utc(2026, 10, 31, 0, 0),
            _utc(2026, 11, 2, 1, 0)
        );
    }

    function test_sessionWindow_Overnight() public view {
        // Sun 2026-03-08 20:00 EDT to Mon 04:00 EDT.
        _assertWindow(
            _utc(2026, 3, 9, 2, 0),
            Session.OVERNIGHT,
            _utc(2026, 3, 9, 0, 0),
            _utc(2026, 3, 9, 8, 0)
        );
    }

    function test_sessionWindow_EarlyCloseDay() public view {
        // Black Friday 2026-11-27 (EST): regular 09:30-13:00, post 13:00-17:00, closed 17:00 to Sun 20:00.
        _assertWindow(
            _utc(2026, 11, 27, 15, 0),
            Session.REGULAR,
            _utc(2026, 11, 27, 14, 30),
            _utc(2026, 11, 27, 18, 0)
        );
        _assertWindow(
            _utc(2026, 11, 27, 19, 0),
            Session.POST_MARKET,
            _utc(2026, 11, 27, 18, 0),
            _utc(2026, 11, 27, 22, 0)
        );
        _assertWindow(
            _utc(2026, 11, 27, 22, 0),
            Session.CLOSED,
            _utc(2026, 11, 27, 22, 0),
            _utc(2026, 11, 30, 1, 0)
        );
    }

    function test_sessionWindow_ThanksgivingClosedDay() public view {
        // Wed Nov 25 20:00 EST to Thu Nov 26 20:00 EST, then overnight into Black Friday.
        _assertWindow(
            _utc(2026, 11, 26, 17, 0),
            Session.CLOSED,
            _utc(2026, 11, 26, 1, 0),
            _utc(2026, 11, 27, 1, 0)
        );
        _assertWindow(
            _utc(2026, 11, 27, 1, 0),
            Session.OVERNIGHT,
            _utc(2026, 11, 27, 1, 0),
            _utc(2026, 11, 27, 9, 0)
        );
    }

    function test_sessionWindow_ChristmasBlockStartsAtTheEarlyPostMarketClose() public view {
        // Thu Dec 24 17:00 EST to Sun Dec 27 20:00 EST.
        _assertWindow(
            _utc(2026, 12, 25, 17, 0),
            Session.CLOSED,
            _utc(2026, 12, 24, 22, 0),
            _utc(2026, 12, 28, 1, 0)
        );
    }

    function test_sessionWindow_GoodFridayLongWeekend() public view {
        // Thu Apr 2 20:00 EDT to Sun Apr 5 20:00 EDT.
        _assertWindow(
            _utc(2026, 4, 4, 12, 0),
            Session.CLOSED,
            _utc(2026, 4, 3, 0, 0),
            _utc(2026, 4, 6, 0, 0)
        );
    }

    function test_sessionWindow_MondayHolidayLongWeekend() public view {
        // Fri Jan 16 20:00 EST to Mon Jan 19 20:00 EST (the Sunday night is closed too).
        _assertWindow(
            _utc(2026, 1, 19, 3, 0),
            Session.CLOSED,
            _utc(2026, 1, 17, 1, 0),
            _utc(2026, 1, 20, 1, 0)
        );
        _assertWindow(
            _utc(2026, 1, 20, 3, 0),
            Session.OVERNIGHT,
            _utc(2026, 1, 20, 1, 0),
            _utc(2026, 1, 20, 9, 0)
        );
    }

    function test_sessionWindow_EarlyCloseBeforeATradingDay() public {
        // A governance early close on Wed 2026-03-04: closed 17:00-20:00 EST, then the overnight.
        _setOne(_day(2026, 3, 4), DayKind.EARLY_CLOSE);
        _assertWindow(
            _utc(2026, 3, 4, 23, 0),
            Session.CLOSED,
            _utc(2026, 3, 4, 22, 0),
            _utc(2026, 3, 5, 1, 0)
        );
        _assertWindow(
            _utc(2026, 3, 5, 1, 0),
            Session.OVERNIGHT,
            _utc(2026, 3, 5, 1, 0),
            _utc(2026, 3, 5, 9, 0)
        );
    }

    function test_sessionWindow_ReachesExactlyTheHorizon() public {
        _useLongClosure();
        // Mon Jan 5 12:00 EST: the last trading day is Fri Jan 2; the next, Tue Jan 20, is 14 days
        // after Jan 6 (where the forward search starts).
        _assertWindow(
            _utc(2026, 1, 5, 17, 0),
            Session.CLOSED,
            _utc(2026, 1, 3, 1, 0),
            _utc(2026, 1, 20, 1, 0)
        );
    }

    function test_sessionWindow_RevertIf_NoRegularSessionWithinHorizon() public {
        _useLongClosure();
        // Sun Jan 4: the forward search from Jan 5 would need 15 days to reach Tue Jan 20.
        uint256 sunday = _utc(2026, 1, 4, 17, 0);
        _expectNoRegularSession(sunday);
        calendar.sessionWindow(sunday);
        // Sat Jan 17: the backward search from Jan 17 would need 15 days to reach Fri Jan 2.
        uint256 saturday = _utc(2026, 1, 17, 17, 0);
        _expectNoRegularSession(saturday);
        calendar.sessionWindow(saturday);
    }

    function test_sessionWindow_RevertIf_TimestampOutOfRange() public {
        _expectOutOfRange(Constants.CALENDAR_MAX_TIMESTAMP + 1);
        calendar.sessionWindow(Constants.CALENDAR_MAX_TIMESTAMP + 1);
    }

    // ================================================================== lastRegularClose

    function test_lastRegularClose_IncludesTodayFromTheCloseOn() public view {
        uint256 tuesdayClose = _utc(2026, 1, 6, 21, 0); // 16:00 EST
        assertEq(calendar.lastRegularClose(tuesdayClose), tuesdayClose, "at the close");
        assertEq(calendar.lastRegularClose(tuesdayClose + 5 hours), tuesdayClose, "after the close");
        assertEq(calendar.lastRegularClose(tuesdayClose - 1), _utc(2026, 1, 5, 21, 0), "before: Monday's");
    }

    function test_lastRegularClose_SkipsWeekendsAndHolidays() public view {
        // Sun Jan 4 22:00 EST -> Fri Jan 2 (Thu Jan 1 was a holiday).
        assertEq(calendar.lastRegularClose(_utc(2026, 1, 5, 3, 0)), _utc(2026, 1, 2, 21, 0), "weekend");
        // Fri Jan 2 before the close -> Wed Dec 31 2025, across New Year's Day.
        assertEq(calendar.lastRegularClose(_utc(2026, 1, 2, 20, 0)), _utc(2025, 12, 31, 21, 0), "holiday");
        // Sat Apr 4 -> Thu Apr 2 16:00 EDT, across Good Friday.
        assertEq(calendar.lastRegularClose(_utc(2026, 4, 4, 12, 0)), _utc(2026, 4, 2, 20, 0), "Good Friday");
    }

    function test_lastRegularClose_EarlyClose() public view {
        // Black Friday closes at 13:00 EST.
        assertEq(calendar.lastRegularClose(_utc(2026, 11, 27, 18, 0)), _utc(2026, 11, 27, 18, 0), "at 13:00");
        assertEq(
            calendar.lastRegularClose(_utc(2026, 11, 29, 12, 0)),
            _utc(2026, 11, 27, 18, 0),
            "weekend after"
        );
    }

    function test_lastRegularClose_ReachesExactlyTheHorizon() public {
        _useLongClosure();
        // Fri Jan 16: the last trading day, Fri Jan 2, is exactly 14 days back.
        assertEq(
            calendar.lastRegularClose(_utc(2026, 1, 16, 17, 0)),
            _utc(2026, 1, 2, 21, 0),
            "14 days back"
        );
    }

    function test_lastRegularClose_RevertIf_NoRegularSessionWithinHorizon() public {
        _useLongClosure();
        uint256 saturday = _utc(2026, 1, 17, 17, 0); // 15 days after Fri Jan 2
        _expectNoRegularSession(saturday);
        calendar.lastRegularClose(saturday);
    }

    function test_lastRegularClose_RevertIf_TimestampOutOfRange() public {
        _expectOutOfRange(Constants.CALENDAR_MIN_TIMESTAMP - 1);
        calendar.lastRegularClose(Constants.CALENDAR_MIN_TIMESTAMP - 1);
    }

    // ================================================================== nextRegularOpen

    function test_nextRegularOpen_ExcludesTodayFromTheOpenOn() public view {
        uint256 tuesdayOpen = _utc(2026, 1, 6, 14, 30); // 09:30 EST
        assertEq(calendar.nextRegularOpen(tuesdayOpen - 1), tuesdayOpen, "before the open");
        assertEq(calendar.nextRegularOpen(tuesdayOpen), _utc(2026, 1, 7, 14, 30), "at the open: tomorrow's");
    }

    function test_nextRegularOpen_SkipsWeekendsAndHolidays() public view {
        // Fri Jan 16 16:00 EST -> Tue Jan 20, across MLK day.
        assertEq(calendar.nextRegularOpen(_utc(2026, 1, 16, 21, 0)), _utc(2026, 1, 20, 14, 30), "MLK");
        // Fri Mar 6 16:00 EST -> Mon Mar 9 09:30 EDT, across the DST switch.
        assertEq(calendar.nextRegularOpen(_utc(2026, 3, 6, 21, 0)), _utc(2026, 3, 9, 13, 30), "DST");
        // Thu Dec 24 13:00 EST -> Mon Dec 28, across Christmas.
        assertEq(
            calendar.nextRegularOpen(_utc(2026, 12, 24, 18, 0)),
            _utc(2026, 12, 28, 14, 30),
            "Christmas"
        );
    }

    function test_nextRegularOpen_ReachesExactlyTheHorizon() public {
        _useLongClosure();
        // Tue Jan 6: the next trading day, Tue Jan 20, is exactly 14 days ahead.
        assertEq(
            calendar.nextRegularOpen(_utc(2026, 1, 6, 17, 0)),
            _utc(2026, 1, 20, 14, 30),
            "14 days ahead"
        );
    }

    function test_nextRegularOpen_RevertIf_NoRegularSessionWithinHorizon() public {
        _useLongClosure();
        uint256 monday = _utc(2026, 1, 5, 17, 0); // Jan 5 to Jan 19 (14 days later) have no session
        _expectNoRegularSession(monday);
        calendar.nextRegularOpen(monday);
    }

    function test_nextRegularOpen_RevertIf_TimestampOutOfRange() public {
        _expectOutOfRange(Constants.CALENDAR_MAX_TIMESTAMP + 1);
        calendar.nextRegularOpen(Constants.CALENDAR_MAX_TIMESTAMP + 1);
    }

    // ================================================================== fuzz

    function testFuzz_sessionAt_NeverRevertsInRange(uint256 timestamp) public view {
        timestamp = bound(timestamp, Constants.CALENDAR_MIN_TIMESTAMP, Constants.CALENDAR_MAX_TIMESTAMP);
        calendar.sessionAt(timestamp);
    }

    function testFuzz_sessionWindow_IsMaximalAroundTimestamp(uint256 timestamp) public view {
        _checkWindow(bound(timestamp, _utc(1971, 1, 1, 0, 0), _utc(9999, 11, 30, 0, 0)));
    }

    /// @dev Same property where the holiday data lives.
    function testFuzz_sessionWindow_IsMaximalAroundTimestampIn2026To2028(uint256 timestamp) public view {
        _checkWindow(bound(timestamp, _utc(2026, 1, 1, 0, 0), _utc(2029, 1, 1, 0, 0)));
    }

    function testFuzz_lastRegularCloseAndNextRegularOpen_BracketTimestamp(uint256 timestamp) public view {
        timestamp = bound(timestamp, _utc(2025, 12, 1, 0, 0), _utc(2029, 1, 31, 0, 0));
        uint256 close = calendar.lastRegularClose(timestamp);
        uint256 open = calendar.nextRegularOpen(timestamp);
        assertLe(close, timestamp, "close <= ts");
        assertGt(open, timestamp, "open > ts");
        assertEq(_session(close - 1), Session.REGULAR, "regular before the close");
        assertTrue(_session(close) != Session.REGULAR, "not regular at the close");
        assertEq(_session(open), Session.REGULAR, "regular at the open");
        assertEq(_session(open - 1), Session.PRE_MARKET, "pre-market before the open");
        // No full regular session fits between `close` and `ts`, nor between `ts` and `open`.
        (Session session, uint256 start, uint256 end) = calendar.sessionWindow(timestamp);
        uint256 openAfterClose = calendar.nextRegularOpen(close);
        uint256 closeBeforeOpen = calendar.lastRegularClose(open - 1);
        if (session == Session.REGULAR) {
            assertEq(openAfterClose, start, "the next open after `close` starts ts's session");
            assertEq(closeBeforeOpen, end, "the close before the next open ends ts's session");
            assertTrue(open > end, "the next open is after ts's session");
        } else {
            assertGt(openAfterClose, timestamp, "no regular open in (close, ts]");
            assertEq(closeBeforeOpen, close, "no regular close in (ts, open)");
        }
    }

    // ================================================================== helpers

    function _checkWindow(uint256 timestamp) private view {
        (Session session, uint256 start, uint256 end) = calendar.sessionWindow(timestamp);
        assertEq(_session(timestamp), session, "window session is sessionAt");
        assertLe(start, timestamp, "start <= ts");
        assertGt(end, timestamp, "end > ts");
        assertEq(_session(start), session, "same session at start");
        assertEq(_session(end - 1), session, "same session just before end");
        assertTrue(_session(start - 1) != session, "start is a transition");
        assertTrue(_session(end) != session, "end is a transition");
    }

    function _assertTransition(uint256 at, Session before, Session afterwards) private view {
        assertEq(_session(at - 1), before, string.concat("before ", vm.toString(at)));
        assertEq(_session(at), afterwards, string.concat("at ", vm.toString(at)));
    }

    function _assertWindow(uint256 timestamp, Session session, uint256 start, uint256 end) private view {
        (Session actual, uint256 actualStart, uint256 actualEnd) = calendar.sessionWindow(timestamp);
        assertEq(actual, session, "window session");
        assertEq(actualStart, start, "window start");
        assertEq(actualEnd, end, "window end");
    }

    function _session(uint256 timestamp) private view returns (Session) {
        return calendar.sessionAt(timestamp);
    }

    function assertEq(Session left, Session right, string memory message) internal pure {
        assertEq(uint256(left), uint256(right), message);
    }

    function _setOne(uint256 day, DayKind kind) private {
        vm.prank(admin);
        calendar.setDayKinds(_one(day), _oneKind(kind));
    }

    function _expectRevertSet(uint256 day, bytes memory revertData) private {
        vm.expectRevert(revertData);
        vm.prank(admin);
        calendar.setDayKinds(_one(day), _oneKind(DayKind.HOLIDAY));
    }

    function _expectOutOfRange(uint256 timestamp) private {
        vm.expectRevert(
            abi.encodeWithSelector(IMarketCalendar.Calendar_TimestampOutOfRange.selector, timestamp)
        );
    }

    function _expectNoRegularSession(uint256 timestamp) private {
        vm.expectRevert(
            abi.encodeWithSelector(
                IMarketCalendar.Calendar_NoRegularSessionWithin.selector,
                timestamp,
                HORIZON
            )
        );
    }

    /// @dev Replaces the calendar: holidays on Thu Jan 1 2026 and on every weekday from Mon Jan 5 to
    /// Mon Jan 19, so Fri Jan 2 and Tue Jan 20 are the trading days around a 17-day closure.
    function _useLongClosure() private {
        uint256 last = _day(2026, 1, 19);
        uint256[] memory dayNumbers = new uint256[](20);
        uint256 count;
        dayNumbers[count++] = _day(2026, 1, 1);
        for (uint256 day = _day(2026, 1, 5); day <= last; ++day) {
            if (!CalendarMath.isWeekend(day)) dayNumbers[count++] = day;
        }
        uint256[] memory trimmed = new uint256[](count);
        DayKind[] memory kinds = new DayKind[](count);
        for (uint256 i = 0; i < count; ++i) (trimmed[i], kinds[i]) = (dayNumbers[i], DayKind.HOLIDAY);
        calendar = new MarketCalendar(admin, trimmed, kinds);
    }

    /// @dev NYSE holidays and early closes 2026-2028 (SPEC section 2; `deploy/parameters/nyse-calendar.json`).
    function _nyseData() private pure returns (uint256[] memory dayNumbers, DayKind[] memory kinds) {
        uint32[29] memory holidays = [
            uint32(20260101),
            20260119,
            20260216,
            20260403,
            20260525,
            20260619,
            20260703,
            20260907,
            20261126,
            20261225,
            20270101,
            20270118,
            20270215,
            20270326,
            20270531,
            20270618,
            20270705,
            20270906,
            20271125,
            20271224,
            20280117,
            20280221,
            20280414,
            20280529,
            20280619,
            20280704,
            20280904,
            20281123,
            20281225
        ];
        uint32[5] memory earlyCloses = [uint32(20261127), 20261224, 20271126, 20280703, 20281124];
        dayNumbers = new uint256[](holidays.length + earlyCloses.length);
        kinds = new DayKind[](dayNumbers.length);
        for (uint256 i = 0; i < holidays.length; ++i) {
            (dayNumbers[i], kinds[i]) = (_yyyymmdd(holidays[i]), DayKind.HOLIDAY);
        }
        for (uint256 i = 0; i < earlyCloses.length; ++i) {
            uint256 j = holidays.length + i;
            (dayNumbers[j], kinds[j]) = (_yyyymmdd(earlyCloses[i]), DayKind.EARLY_CLOSE);
        }
    }

    function _yyyymmdd(uint256 date) private pure returns (uint256) {
        return _day(date / 10_000, (date / 100) % 100, date % 100);
    }

    function _one(uint256 day) private pure returns (uint256[] memory dayNumbers) {
        dayNumbers = new uint256[](1);
        dayNumbers[0] = day;
    }

    function _oneKind(DayKind kind) private pure returns (DayKind[] memory kinds) {
        kinds = new DayKind[](1);
        kinds[0] = kind;
    }

    function _day(uint256 year, uint256 month, uint256 day) private pure returns (uint256) {
        return CalendarMath.daysFromCivil(year, month, day);
    }

    function _utc(
        uint256 year,
        uint256 month,
        uint256 day,
        uint256 hour,
        uint256 minute
    ) private pure returns (uint256) {
        return _day(year, month, day) * 1 days + hour * 1 hours + minute * 1 minutes;
    }
}
