// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {CalendarMath} from "../../contracts/libraries/CalendarMath.sol";
import {DayKind} from "../../contracts/types/Session.sol";

/// @notice The NYSE 2026 calendar data of SPEC section 2 (as in deploy/parameters/nyse-calendar.json)
/// and a UTC time helper, shared by the tests that run on the REAL `MarketCalendar`.
library Nyse2026 {
    /// @dev Holidays Jan 1, Jan 19, Feb 16, Apr 3, May 25, Jun 19, Jul 3, Sep 7, Nov 26, Dec 25;
    /// early closes Nov 27, Dec 24: the `MarketCalendar` constructor's `initialDays`/`initialKinds`.
    function dayKinds() internal pure returns (uint256[] memory dayNumbers, DayKind[] memory kinds) {
        uint16[12] memory monthDays = [
            uint16(101),
            119,
            216,
            403,
            525,
            619,
            703,
            907,
            1126,
            1225,
            1127,
            1224
        ];
        dayNumbers = new uint256[](12);
        kinds = new DayKind[](12);
        for (uint256 i; i < 12; ++i) {
            dayNumbers[i] = CalendarMath.daysFromCivil(2026, monthDays[i] / 100, monthDays[i] % 100);
            kinds[i] = i < 10 ? DayKind.HOLIDAY : DayKind.EARLY_CLOSE;
        }
    }

    /// @dev UTC seconds of a UTC wall-clock time (New York is UTC-4 until Sun Nov 1 2026 02:00 EDT,
    /// UTC-5 after).
    function utc(
        uint256 year,
        uint256 month,
        uint256 day,
        uint256 hour,
        uint256 minute
    ) internal pure returns (uint256) {
        return CalendarMath.daysFromCivil(year, month, day) * 1 days + hour * 1 hours + minute * 1 minutes;
    }
}
