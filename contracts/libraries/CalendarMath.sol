// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Constants} from "./Constants.sol";

/// @title CalendarMath
/// @notice Pure date arithmetic for the market calendar: civil dates <-> day numbers (days since
/// 1970-01-01), weekdays, and UTC <-> New York local time with the US daylight-saving rule computed
/// (second Sunday of March 02:00 local -> first Sunday of November 02:00 local), never stored.
/// @dev Civil-date conversion is Howard Hinnant's `days_from_civil` / `civil_from_days`
/// (http://howardhinnant.github.io/date_algorithms.html), restricted to non-negative day numbers.
/// It shifts the epoch to 0000-03-01 so that a "March year" runs March 1 -> end of February and leap
/// days fall last. The DST rule is applied proleptically: before 2007 the US used other rules, so
/// local times computed for earlier years follow today's rule, not history.
/// `sdk/calendar.ts` mirrors this file line by line; the two are differential-tested.
library CalendarMath {
    /// @dev Days from 0000-03-01 to 1970-01-01 in the proleptic Gregorian calendar.
    uint256 internal constant EPOCH_SHIFT_DAYS = 719_468;
    /// @dev Days in a 400-year Gregorian era.
    uint256 internal constant DAYS_PER_ERA = 146_097;
    /// @dev Days from March 1 to November 1 (31+30+31+30+31+31+30+31).
    uint256 internal constant MARCH_1_TO_NOVEMBER_1 = 245;

    /// @notice The day number (days since 1970-01-01) of a proleptic Gregorian date.
    /// @dev Not on the calendar's hot path (the calendar takes day numbers), so fully checked: reverts
    /// (arithmetic underflow) for dates before 1970-01-01. Month and day are not range-checked: an
    /// impossible date such as Feb 30 maps to the number of Mar 2.
    function daysFromCivil(
        uint256 year,
        uint256 month,
        uint256 day
    ) internal pure returns (uint256 dayNumber) {
        uint256 marchYear = month <= 2 ? year - 1 : year;
        uint256 era = marchYear / 400;
        uint256 yoe = marchYear - era * 400; // [0, 399]
        uint256 monthIndex = month > 2 ? month - 3 : month + 9; // March = 0 ... February = 11
        uint256 doy = (153 * monthIndex + 2) / 5 + day - 1; // [0, 365]
        uint256 doe = yoe * 365 + yoe / 4 - yoe / 100 + doy; // [0, 146096]
        // Underflows (reverts) for dates before 1970-01-01.
        dayNumber = era * DAYS_PER_ERA + doe - EPOCH_SHIFT_DAYS;
    }

    /// @notice The proleptic Gregorian date of a day number (days since 1970-01-01).
    function civilFromDays(
        uint256 dayNumber
    ) internal pure returns (uint256 year, uint256 month, uint256 day) {
        (uint256 era, uint256 yoe, uint256 doy) = _marchYear(dayNumber + EPOCH_SHIFT_DAYS);
        // Unchecked: `doy <= 365` so `5 * doy + 2 < 2**11` and `mp <= 11`; `day` is in [1, 31] by
        // the algorithm; `era * 400 + yoe` is at most (2**256 / DAYS_PER_ERA) * 400 + 399.
        unchecked {
            uint256 mp = (5 * doy + 2) / 153; // March = 0 ... February = 11
            day = doy - (153 * mp + 2) / 5 + 1;
            month = mp < 10 ? mp + 3 : mp - 9;
            year = era * 400 + yoe + (month <= 2 ? 1 : 0);
        }
    }

    /// @notice Day of the week of a day number: 0 = Sunday, 1 = Monday, ..., 6 = Saturday.
    /// @dev 1970-01-01 was a Thursday (4).
    function weekday(uint256 dayNumber) internal pure returns (uint256) {
        return (dayNumber + 4) % 7;
    }

    /// @notice Whether the day number is a Saturday or a Sunday.
    function isWeekend(uint256 dayNumber) internal pure returns (bool) {
        uint256 dayOfWeek = weekday(dayNumber);
        return dayOfWeek == 0 || dayOfWeek == 6;
    }

    /// @notice Whether US daylight-saving time (EDT) is in force at the UTC `timestamp`.
    /// @dev DST runs from 07:00 UTC on the second Sunday of March to 06:00 UTC on the first Sunday
    /// of November. A UTC day in January or February belongs to the previous March year, whose DST
    /// period has ended, so comparing within the March year is exact.
    function isDaylightSavingAt(uint256 timestamp) internal pure returns (bool) {
        uint256 shiftedDay = timestamp / 1 days + EPOCH_SHIFT_DAYS;
        uint256 secondOfDay = timestamp % 1 days;
        (uint256 startDay, uint256 endDay) = _dstDays(shiftedDay);
        bool started =
            shiftedDay > startDay ||
                (shiftedDay == startDay && secondOfDay >= Constants.CALENDAR_DST_START_UTC);
        bool ended =
            shiftedDay > endDay || (shiftedDay == endDay && secondOfDay >= Constants.CALENDAR_DST_END_UTC);
        return started && !ended;
    }

    /// @notice The New York local day number and second of that day at the UTC `timestamp`.
    /// @dev Requires `timestamp >= 5 hours` (the New York day number of earlier instants would be
    /// negative); the calendar only passes timestamps >= `Constants.CALENDAR_MIN_TIMESTAMP`.
    function toNewYork(uint256 timestamp) internal pure returns (uint256 day, uint256 secondOfDay) {
        uint256 offset =
            isDaylightSavingAt(timestamp) ? Constants.CALENDAR_EDT_OFFSET : Constants.CALENDAR_EST_OFFSET;
        uint256 localTime = timestamp - offset;
        day = localTime / 1 days;
        secondOfDay = localTime % 1 days;
    }

    /// @notice The UTC timestamp of New York local time `secondOfDay` on New York day `day`.
    /// @dev Uses the UTC offset in force at local noon of that day. This is exact for every local
    /// time except 00:00-03:00 on the two switch Sundays (when 02:00-03:00 is skipped or 01:00-02:00
    /// repeats); the calendar only converts session boundaries (04:00, 09:30, 13:00, 16:00, 17:00,
    /// 20:00), never those hours.
    function fromNewYork(uint256 day, uint256 secondOfDay) internal pure returns (uint256 timestamp) {
        uint256 shiftedDay = day + EPOCH_SHIFT_DAYS;
        (uint256 startDay, uint256 endDay) = _dstDays(shiftedDay);
        bool daylightSaving = shiftedDay >= startDay && shiftedDay < endDay;
        uint256 offset = daylightSaving ? Constants.CALENDAR_EDT_OFFSET : Constants.CALENDAR_EST_OFFSET;
        return day * 1 days + secondOfDay + offset;
    }

    /// @dev The DST start (second Sunday of March) and end (first Sunday of November) of the March
    /// year containing `shiftedDay`, as shifted day numbers (days since 0000-03-01).
    function _dstDays(uint256 shiftedDay) private pure returns (uint256 startDay, uint256 endDay) {
        (, , uint256 doy) = _marchYear(shiftedDay);
        uint256 marchFirst = shiftedDay - doy;
        startDay = marchFirst + _daysUntilSunday(marchFirst) + 7;
        uint256 novemberFirst = marchFirst + MARCH_1_TO_NOVEMBER_1;
        endDay = novemberFirst + _daysUntilSunday(novemberFirst);
    }

    /// @dev Days from the shifted day to the next Sunday (0 if it is a Sunday). Shifted day 0
    /// (0000-03-01) was a Wednesday, so the weekday of a shifted day is `(shiftedDay + 3) % 7`.
    function _daysUntilSunday(uint256 shiftedDay) private pure returns (uint256) {
        return (7 - ((shiftedDay + 3) % 7)) % 7;
    }

    /// @dev Splits a shifted day number (days since 0000-03-01) into its 400-year era, year of era
    /// and day of the March year.
    function _marchYear(uint256 shiftedDay) private pure returns (uint256 era, uint256 yoe, uint256 doy) {
        era = shiftedDay / DAYS_PER_ERA;
        // Unchecked: `era * DAYS_PER_ERA <= shiftedDay` by floor division, so `doe` is in
        // [0, 146096]; Hinnant's bounds then give `yoe` in [0, 399] and `doy` in [0, 365], and every
        // intermediate is below 2**18.
        unchecked {
            uint256 doe = shiftedDay - era * DAYS_PER_ERA;
            yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
            doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        }
    }
}
