// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IMarketCalendar} from "../interfaces/IMarketCalendar.sol";
import {Session} from "../types/Session.sol";

/// @title CalendarLens
/// @notice Batch views over an `IMarketCalendar`, so that apps, keepers and the differential test
/// can read thousands of points in one `eth_call`. Stateless; the core never imports it.
/// @dev Each function reverts with the calendar's error for the first timestamp that reverts.
contract CalendarLens {
    /// @notice `calendar.sessionAt` of every timestamp.
    function sessionsAt(
        IMarketCalendar calendar,
        uint256[] calldata timestamps
    ) external view returns (Session[] memory sessions) {
        sessions = new Session[](timestamps.length);
        for (uint256 i = 0; i < timestamps.length; ++i) {
            sessions[i] = calendar.sessionAt(timestamps[i]);
        }
    }

    /// @notice `calendar.sessionWindow` of every timestamp, as three parallel arrays.
    function sessionWindows(
        IMarketCalendar calendar,
        uint256[] calldata timestamps
    ) external view returns (Session[] memory sessions, uint256[] memory starts, uint256[] memory ends) {
        sessions = new Session[](timestamps.length);
        starts = new uint256[](timestamps.length);
        ends = new uint256[](timestamps.length);
        for (uint256 i = 0; i < timestamps.length; ++i) {
            (sessions[i], starts[i], ends[i]) = calendar.sessionWindow(timestamps[i]);
        }
    }

    /// @notice `calendar.lastRegularClose` of every timestamp.
    function lastRegularCloses(
        IMarketCalendar calendar,
        uint256[] calldata timestamps
    ) external view returns (uint256[] memory closeTimes) {
        closeTimes = new uint256[](timestamps.length);
        for (uint256 i = 0; i < timestamps.length; ++i) {
            closeTimes[i] = calendar.lastRegularClose(timestamps[i]);
        }
    }

    /// @notice `calendar.nextRegularOpen` of every timestamp.
    function nextRegularOpens(
        IMarketCalendar calendar,
        uint256[] calldata timestamps
    ) external view returns (uint256[] memory openTimes) {
        openTimes = new uint256[](timestamps.length);
        for (uint256 i = 0; i < timestamps.length; ++i) {
            openTimes[i] = calendar.nextRegularOpen(timestamps[i]);
        }
    }
}
