// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IMarketCalendar} from "../interfaces/IMarketCalendar.sol";
import {DayKind, Session} from "../types/Session.sol";

/// @notice Deterministic test calendar: sessions are set per time range, in increasing order;
/// every gap between ranges (and everything before the first / after the last) is CLOSED.
/// @dev Windows are maximal as long as tests do not set a CLOSED range next to a gap.
contract MockCalendar is IMarketCalendar {
    struct Range {
        uint256 start;
        uint256 end;
        Session session;
    }

    bytes32 public constant CALENDAR_ROLE = keccak256("CALENDAR_ROLE");
    uint256 private constant FAR_FUTURE = type(uint40).max;

    Range[] public ranges;

    /// @notice Appends `[start, end)` with `session`; must start at or after the previous end.
    function setSession(uint256 start, uint256 end, Session session) external {
        require(start < end, "MockCalendar: empty range");
        require(ranges.length == 0 || start >= ranges[ranges.length - 1].end, "MockCalendar: not increasing");
        ranges.push(Range(start, end, session));
    }

    /// @notice Removes every range (everything is CLOSED again).
    function clear() external {
        delete ranges;
    }

    function sessionAt(uint256 timestamp) external view returns (Session session) {
        (session, , ) = _window(timestamp);
    }

    function sessionWindow(uint256 timestamp) external view returns (Session, uint256, uint256) {
        return _window(timestamp);
    }

    function lastRegularClose(uint256 timestamp) external view returns (uint256 closeTime) {
        for (uint256 i; i < ranges.length; ++i) {
            Range memory r = ranges[i];
            if (r.session == Session.REGULAR && r.end <= timestamp) closeTime = r.end;
        }
    }

    function nextRegularOpen(uint256 timestamp) external view returns (uint256) {
        for (uint256 i; i < ranges.length; ++i) {
            Range memory r = ranges[i];
            if (r.session == Session.REGULAR && r.start > timestamp) return r.start;
        }
        revert Calendar_NoRegularSessionWithin(timestamp, 0);
    }

    function dayKind(uint256) external pure returns (DayKind) {
        return DayKind.NORMAL;
    }

    function setDayKinds(uint256[] calldata, DayKind[] calldata) external pure {
        revert("MockCalendar: not supported");
    }

    function _window(uint256 timestamp) private view returns (Session, uint256, uint256) {
        uint256 gapStart;
        for (uint256 i; i < ranges.length; ++i) {
            Range memory r = ranges[i];
            if (timestamp < r.start) return (Session.CLOSED, gapStart, r.start);
            if (timestamp < r.end) return (r.session, r.start, r.end);
            gapStart = r.end;
        }
        return (Session.CLOSED, gapStart, FAR_FUTURE);
    }
}
