// SPDX-License-Identifier: MIT
pragma solidity ^0.8.19;

import {DayKind, Session} from "../types/Session.sol";

/// @title IMarketCalendar
/// @notice Maps any UTC timestamp to the US-equity session in force (SPEC section 2).
/// @dev New York time is computed from the US daylight-saving rule (second Sunday of March 02:00 →
/// first Sunday of November 02:00). Full holidays and early closes are governance data, keyed by
/// the New York calendar day as a day number (days since 1970-01-01 of that local date).
///
/// Roles:
/// - `DEFAULT_ADMIN_ROLE` (held by the `TimelockController`): grants and revokes roles.
/// - `CALENDAR_ROLE` (held by the `TimelockController`, so every change is delayed and public):
///   marks future days as holidays, early closes or normal days. Days already started can never be
///   changed, so past sessions (and prices anchored to them) are immutable.
interface IMarketCalendar {
    /// @notice A day's kind was set (by the constructor's initial data or by governance).
    event DayKindSet(uint256 indexed day, DayKind previousKind, DayKind newKind);

    /// @notice The day is a Saturday or Sunday: weekends are closed by rule, not by data.
    error Calendar_WeekendDay(uint256 day);
    /// @notice Governance may only change days that have not started in New York yet.
    error Calendar_DayNotInFuture(uint256 day, uint256 today);
    /// @notice Two arrays that must be the same length are not.
    error Calendar_LengthMismatch(uint256 daysLength, uint256 kindsLength);
    /// @notice No regular session was found within the search horizon.
    error Calendar_NoRegularSessionWithin(uint256 timestamp, uint256 horizonDays);
    /// @notice The timestamp is outside the calendar's supported range
    /// [`Constants.CALENDAR_MIN_TIMESTAMP`, `Constants.CALENDAR_MAX_TIMESTAMP`] (mid-January 1970 to
    /// the end of year 9999).
    error Calendar_TimestampOutOfRange(uint256 timestamp);
    /// @notice The constructor's admin is the zero address (the calendar would be frozen forever).
    error Calendar_AdminIsZeroAddress();

    /// @notice The role allowed to change holiday and early-close data.
    function CALENDAR_ROLE() external view returns (bytes32);

    /// @notice The session in force at `timestamp` (UTC seconds). Sessions are half-open intervals
    /// `[start, end)` of New York local time: a boundary second belongs to the session it opens.
    /// @dev Reverts with `Calendar_TimestampOutOfRange` outside the supported range. Reads one day
    /// kind at most.
    function sessionAt(uint256 timestamp) external view returns (Session session);

    /// @notice The session at `timestamp` and the maximal interval `[start, end)` around it during
    /// which that same session is in force without interruption.
    /// @dev The oracle uses `start` to reject prices observed before a session began. The walk is
    /// bounded: a CLOSED stretch longer than `Constants.CALENDAR_SEARCH_HORIZON_DAYS` days reverts
    /// with `Calendar_NoRegularSessionWithin`. `end` may lie past `Constants.CALENDAR_MAX_TIMESTAMP`.
    function sessionWindow(
        uint256 timestamp
    ) external view returns (Session session, uint256 start, uint256 end);

    /// @notice The latest regular-session close at or before `timestamp`.
    /// @dev Looks back at most `Constants.CALENDAR_SEARCH_HORIZON_DAYS` New York days before the day
    /// of `timestamp`, else reverts with `Calendar_NoRegularSessionWithin`.
    function lastRegularClose(uint256 timestamp) external view returns (uint256 closeTime);

    /// @notice The earliest regular-session open strictly after `timestamp`.
    /// @dev Looks ahead at most `Constants.CALENDAR_SEARCH_HORIZON_DAYS` New York days after the day
    /// of `timestamp`, else reverts with `Calendar_NoRegularSessionWithin`.
    function nextRegularOpen(uint256 timestamp) external view returns (uint256 openTime);

    /// @notice How governance marked the New York calendar day `day` (days since 1970-01-01).
    /// @dev Unmarked days (and all weekends) are `NORMAL`.
    function dayKind(uint256 day) external view returns (DayKind kind);

    /// @notice Marks future New York days as holidays, early closes or normal days.
    /// @dev Only `CALENDAR_ROLE`. Reverts on weekend days and on days that have already started:
    /// every day must be strictly after the current New York day. Emits `DayKindSet` per entry
    /// (also when the kind does not change). Marking a day HOLIDAY also removes the overnight
    /// session of the night before it.
    /// @dev Warning: through the timelock, a change takes effect only after the timelock delay. An
    /// unscheduled closure announced with less notice than that delay cannot be entered in time (the
    /// calendar would show sessions on a closed day); keep the delay short (docs/calendar.md).
    function setDayKinds(uint256[] calldata dayNumbers, DayKind[] calldata kinds) external;
}
