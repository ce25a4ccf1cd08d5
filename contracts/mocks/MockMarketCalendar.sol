// SPDX-License-Identifier: MIT
pragma solidity ^0.8.19; // used by the Data Streams tests, which compile with solc 0.8.19

import {Session} from "../types/Session.sol";

/// @title MockMarketCalendar
/// @notice Test stand-in for `IMarketCalendar.sessionAt`: a programmable step schedule of sessions,
/// so price-source tests can place session boundaries wherever they need them.
contract MockMarketCalendar {
    error MockMarketCalendar_BadSchedule();

    uint256[] private _starts;
    Session[] private _sessions;

    constructor(Session initialSession) {
        _starts.push(0);
        _sessions.push(initialSession);
    }

    /// @notice The same session at every timestamp.
    function setSession(Session session) external {
        delete _starts;
        delete _sessions;
        _starts.push(0);
        _sessions.push(session);
    }

    /// @notice `sessions[i]` is in force from `starts[i]` (inclusive) until `starts[i + 1]`;
    /// `starts` must be strictly increasing and begin at 0.
    function setSchedule(uint256[] calldata starts, Session[] calldata sessions) external {
        if (starts.length == 0 || starts.length != sessions.length || starts[0] != 0) {
            revert MockMarketCalendar_BadSchedule();
        }
        for (uint256 i = 1; i < starts.length; ++i) {
            if (starts[i] <= starts[i - 1]) revert MockMarketCalendar_BadSchedule();
        }
        _starts = starts;
        delete _sessions;
        for (uint256 i = 0; i < sessions.length; ++i) {
            _sessions.push(sessions[i]);
        }
    }

    function sessionAt(uint256 timestamp) external view returns (Session) {
        uint256 i = _starts.length - 1;
        while (_starts[i] > timestamp) --i;
        return _sessions[i];
    }
}
