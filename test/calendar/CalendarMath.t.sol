// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Test} from "../utils/Test.sol";
import {CalendarMath} from "../../contracts/libraries/CalendarMath.sol";
import {Constants} from "../../contracts/libraries/Constants.sol";

/// @notice Unit and fuzz tests of the calendar's date arithmetic. Expected values were computed
/// independently (Python's `datetime` and the published US DST dates).
contract CalendarMathTest is Test {
    /// @dev External wrapper so that `vm.expectRevert` can observe the library's revert.
    function daysFromCivilExternal(uint256 year, uint256 month, uint256 day) external pure returns (uint256) {
        return CalendarMath.daysFromCivil(year, month, day);
    }

    // ------------------------------------------------------------------ civil dates

    function test_daysFromCivil_KnownDates() public pure {
        assertEq(CalendarMath.daysFromCivil(1970, 1, 1), 0, "epoch");
        assertEq(CalendarMath.daysFromCivil(1970, 1, 15), 14, "1970-01-15");
        assertEq(CalendarMath.daysFromCivil(2000, 3, 1), 11_017, "2000-03-01 (after a 400-year leap day)");
        assertEq(CalendarMath.daysFromCivil(2024, 2, 29), 19_782, "2024-02-29 (leap day)");
        assertEq(CalendarMath.daysFromCivil(2026, 1, 1), 20_454, "2026-01-01");
        assertEq(CalendarMath.daysFromCivil(2100, 3, 1), 47_541, "2100-03-01 (2100 is not leap)");
        assertEq(CalendarMath.daysFromCivil(2400, 2, 29), 157_113, "2400-02-29 (2400 is leap)");
        assertEq(CalendarMath.daysFromCivil(9999, 12, 31), 2_932_896, "9999-12-31");
    }

    function test_daysFromCivil_RevertIf_DateBefore1970() public {
        vm.expectRevert(abi.encodeWithSignature("Panic(uint256)", 0x11));
        this.daysFromCivilExternal(1969, 12, 31);
    }

    function test_civilFromDays_KnownDates() public pure {
        _assertCivil(0, 1970, 1, 1);
        _assertCivil(11_017, 2000, 3, 1);
        _assertCivil(19_782, 2024, 2, 29);
        _assertCivil(20_454, 2026, 1, 1);
        _assertCivil(47_540, 2100, 2, 28);
        _assertCivil(157_113, 2400, 2, 29);
        _assertCivil(2_932_896, 9999, 12, 31);
    }

    function testFuzz_civilFromDays_RoundTripsThroughDaysFromCivil(uint256 day) public pure {
        day = bound(day, 0, 2_932_896 + 1000);
        (uint256 year, uint256 month, uint256 dayOfMonth) = CalendarMath.civilFromDays(day);
        assertTrue(month >= 1 && month <= 12, "month in range");
        assertTrue(dayOfMonth >= 1 && dayOfMonth <= 31, "day in range");
        assertEq(CalendarMath.daysFromCivil(year, month, dayOfMonth), day, "round trip");
        // The next day is either the next day of the month or the first of the next month.
        (uint256 nextYear, uint256 nextMonth, uint256 nextDay) = CalendarMath.civilFromDays(day + 1);
        if (nextDay != 1) {
            assertEq(nextDay, dayOfMonth + 1, "consecutive days");
            assertEq(nextMonth, month, "same month");
        } else {
            assertEq(nextMonth, month == 12 ? 1 : month + 1, "next month");
            assertEq(nextYear, month == 12 ? year + 1 : year, "next year");
        }
    }

    // ------------------------------------------------------------------ weekdays

    function test_weekday_KnownDates() public pure {
        assertEq(CalendarMath.weekday(0), 4, "1970-01-01 was a Thursday");
        assertEq(CalendarMath.weekday(20_454), 4, "2026-01-01 is a Thursday");
        assertEq(CalendarMath.weekday(20_520), 0, "2026-03-08 is a Sunday");
        assertEq(CalendarMath.weekday(2_932_896), 5, "9999-12-31 is a Friday");
    }

    function test_isWeekend_OnlySaturdayAndSunday() public pure {
        // 2026-01-05 (day 20458) is a Monday.
        for (uint256 i = 0; i < 7; ++i) {
            assertEq(CalendarMath.isWeekend(20_458 + i), i >= 5, "Mon..Fri trade, Sat and Sun do not");
        }
    }

    // ------------------------------------------------------------------ daylight saving

    /// @dev Every switch 2026-2030 (US Naval Observatory / NIST dates), one second before and at it.
    /// 2026 covers the edge cases: March 1 and November 1 are both Sundays. 2027 has the latest
    /// possible dates (March 14, November 7).
    function test_isDaylightSavingAt_SwitchesAtPublishedInstants() public pure {
        uint16[5] memory switchYears = [2026, 2027, 2028, 2029, 2030];
        uint8[5] memory marchDays = [8, 14, 12, 11, 10];
        uint8[5] memory novemberDays = [1, 7, 5, 4, 3];
        for (uint256 i = 0; i < 5; ++i) {
            uint256 start = CalendarMath.daysFromCivil(switchYears[i], 3, marchDays[i]) * 1 days + 7 hours;
            uint256 end = CalendarMath.daysFromCivil(switchYears[i], 11, novemberDays[i]) * 1 days + 6 hours;
            assertFalse(CalendarMath.isDaylightSavingAt(start - 1), "EST just before the March switch");
            assertTrue(
                CalendarMath.isDaylightSavingAt(start),
                "EDT from 07:00 UTC on the second Sunday of March"
            );
            assertTrue(CalendarMath.isDaylightSavingAt(end - 1), "EDT just before the November switch");
            assertFalse(
                CalendarMath.isDaylightSavingAt(end),
                "EST from 06:00 UTC on the first Sunday of November"
            );
        }
    }

    function test_isDaylightSavingAt_WinterAndSummer() public pure {
        assertFalse(CalendarMath.isDaylightSavingAt(_utc(2026, 1, 1, 0, 0)), "New Year (UTC day in January)");
        assertFalse(CalendarMath.isDaylightSavingAt(_utc(2026, 2, 28, 23, 59)), "end of February");
        assertTrue(CalendarMath.isDaylightSavingAt(_utc(2026, 7, 4, 12, 0)), "July");
        assertFalse(CalendarMath.isDaylightSavingAt(_utc(2026, 12, 31, 23, 59)), "end of December");
    }

    function test_toNewYork_SubtractsTheOffsetInForce() public pure {
        // 2026-01-06 14:30 UTC is 09:30 EST on 2026-01-06.
        (uint256 day, uint256 secondOfDay) = CalendarMath.toNewYork(_utc(2026, 1, 6, 14, 30));
        assertEq(day, 20_459, "EST day");
        assertEq(secondOfDay, 9 hours + 30 minutes, "EST time");
        // 2026-06-09 13:30 UTC is 09:30 EDT on 2026-06-09.
        (day, secondOfDay) = CalendarMath.toNewYork(_utc(2026, 6, 9, 13, 30));
        assertEq(day, CalendarMath.daysFromCivil(2026, 6, 9), "EDT day");
        assertEq(secondOfDay, 9 hours + 30 minutes, "EDT time");
        // 2026-01-01 04:59:59 UTC is still 2025-12-31 in New York.
        (day, secondOfDay) = CalendarMath.toNewYork(_utc(2026, 1, 1, 4, 59) + 59);
        assertEq(day, 20_453, "previous local day");
        assertEq(secondOfDay, 1 days - 1, "23:59:59");
    }

    function test_toNewYork_AcrossTheSwitchNights() public pure {
        // 2026-03-08: 01:59:59 EST is followed by 03:00:00 EDT.
        (, uint256 beforeSwitch) = CalendarMath.toNewYork(_utc(2026, 3, 8, 6, 59) + 59);
        (, uint256 afterSwitch) = CalendarMath.toNewYork(_utc(2026, 3, 8, 7, 0));
        assertEq(beforeSwitch, 2 hours - 1, "01:59:59 EST");
        assertEq(afterSwitch, 3 hours, "03:00:00 EDT");
        // 2026-11-01: 01:59:59 EDT is followed by 01:00:00 EST.
        (, beforeSwitch) = CalendarMath.toNewYork(_utc(2026, 11, 1, 5, 59) + 59);
        (, afterSwitch) = CalendarMath.toNewYork(_utc(2026, 11, 1, 6, 0));
        assertEq(beforeSwitch, 2 hours - 1, "01:59:59 EDT");
        assertEq(afterSwitch, 1 hours, "01:00:00 EST");
    }

    function test_fromNewYork_SessionBoundariesOnSwitchSundays() public pure {
        assertEq(CalendarMath.fromNewYork(20_520, 20 hours), _utc(2026, 3, 9, 0, 0), "Sun Mar 8 20:00 EDT");
        assertEq(CalendarMath.fromNewYork(20_758, 20 hours), _utc(2026, 11, 2, 1, 0), "Sun Nov 1 20:00 EST");
        assertEq(CalendarMath.fromNewYork(20_519, 20 hours), _utc(2026, 3, 8, 1, 0), "Sat Mar 7 20:00 EST");
    }

    /// @dev `fromNewYork` inverts `toNewYork` everywhere except 00:00-03:00 on the switch Sundays.
    function testFuzz_fromNewYork_InvertsToNewYork(uint256 timestamp) public pure {
        timestamp = bound(timestamp, Constants.CALENDAR_MIN_TIMESTAMP, Constants.CALENDAR_MAX_TIMESTAMP);
        (uint256 day, uint256 secondOfDay) = CalendarMath.toNewYork(timestamp);
        assertTrue(secondOfDay < 1 days, "second of day");
        bool switchHours = CalendarMath.weekday(day) == 0 && secondOfDay < 3 hours;
        if (!switchHours) assertEq(CalendarMath.fromNewYork(day, secondOfDay), timestamp, "inverse");
        uint256 offset = timestamp - (day * 1 days + secondOfDay);
        assertTrue(offset == 4 hours || offset == 5 hours, "offset is EDT or EST");
    }

    function _assertCivil(uint256 day, uint256 year, uint256 month, uint256 dayOfMonth) private pure {
        (uint256 y, uint256 m, uint256 d) = CalendarMath.civilFromDays(day);
        assertEq(y, year, "year");
        assertEq(m, month, "month");
        assertEq(d, dayOfMonth, "day");
    }

    function _utc(
        uint256 year,
        uint256 month,
        uint256 day,
        uint256 hour,
        uint256 minute
    ) private pure returns (uint256) {
        return CalendarMath.daysFromCivil(year, month, day) * 1 days + hour * 1 hours + minute * 1 minutes;
    }
}
