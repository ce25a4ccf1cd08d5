// SPDX-License-Identifier: MIT
pragma solidity ^0.8.19;

/// @notice The US-equity session in force at a moment (SPEC section 2).
/// @dev The numeric values are part of the ABI and mirrored by `sdk/calendar.ts`; never reorder.
enum Session {
    CLOSED, // weekends, full holidays, 17:00–20:00 after an early close, nights before a holiday
    PRE_MARKET, // 04:00–09:30 New York, trading days
    REGULAR, // 09:30–16:00 (13:00 on early-close days)
    POST_MARKET, // 16:00–20:00 (13:00–17:00 on early-close days)
    OVERNIGHT // 20:00–04:00, Sunday–Thursday nights, unless the next day is a full holiday
}

/// @notice How governance has marked a New York calendar day.
enum DayKind {
    NORMAL, // an ordinary weekday (or weekend: weekends are closed by rule, not by data)
    HOLIDAY, // full exchange holiday: closed all day, and the night before has no overnight session
    EARLY_CLOSE // regular session closes at 13:00 and post-market at 17:00
}
