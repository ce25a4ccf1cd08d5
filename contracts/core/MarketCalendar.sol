// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IMarketCalendar} from "../interfaces/IMarketCalendar.sol";
import {CalendarMath} from "../libraries/CalendarMath.sol";
import {Constants} from "../libraries/Constants.sol";
import {DayKind, Session} from "../types/Session.sol";

/// @title MarketCalendar
/// @notice The US-equity session in force at any UTC timestamp (SPEC section 2).
/// @dev New York local time is computed by `CalendarMath` (US DST rule); only holidays and early
/// closes are stored, one `DayKind` per New York day. The local timeline is read as alternating
/// blocks: the day part `[04:00, 20:00)` of day D (pre-market, regular, post-market, then CLOSED
/// after an early post-market close; all CLOSED if D does not trade) and the night
/// `[D 20:00, D+1 04:00)`, which is OVERNIGHT exactly when D+1 trades. Session boundaries therefore
/// never fall at midnight or inside the 00:00-03:00 hours in which DST switches.
contract MarketCalendar is IMarketCalendar, AccessControl {
    /// @inheritdoc IMarketCalendar
    bytes32 public constant CALENDAR_ROLE = keccak256("CALENDAR_ROLE");

    /// @dev Holiday and early-close data by New York day number; unset days are NORMAL.
    mapping(uint256 day => DayKind kind) private _dayKinds;

    /// @param admin Receives `DEFAULT_ADMIN_ROLE` and `CALENDAR_ROLE` (the timelock in deployments).
    /// @param initialDays New York day numbers of the initial data; past days are allowed here.
    /// @param initialKinds The kind of each day in `initialDays`.
    constructor(address admin, uint256[] memory initialDays, DayKind[] memory initialKinds) {
        if (admin == address(0)) revert Calendar_AdminIsZeroAddress();
        if (initialDays.length != initialKinds.length) {
            revert Calendar_LengthMismatch(initialDays.length, initialKinds.length);
        }
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(CALENDAR_ROLE, admin);
        for (uint256 i = 0; i < initialDays.length; ++i) {
            _setDayKind(initialDays[i], initialKinds[i]);
        }
    }

    // ------------------------------------------------------------------ governance

    /// @inheritdoc IMarketCalendar
    function setDayKinds(
        uint256[] calldata dayNumbers,
        DayKind[] calldata kinds
    ) external onlyRole(CALENDAR_ROLE) {
        if (dayNumbers.length != kinds.length)
            revert Calendar_LengthMismatch(dayNumbers.length, kinds.length);
        (uint256 today, ) = _toNewYork(block.timestamp);
        for (uint256 i = 0; i < dayNumbers.length; ++i) {
            if (dayNumbers[i] <= today) revert Calendar_DayNotInFuture(dayNumbers[i], today);
            _setDayKind(dayNumbers[i], kinds[i]);
        }
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IMarketCalendar
    function dayKind(uint256 day) external view returns (DayKind kind) {
        return _dayKinds[day];
    }

    /// @inheritdoc IMarketCalendar
    function sessionAt(uint256 timestamp) external view returns (Session session) {
        (uint256 day, uint256 secondOfDay) = _toNewYork(timestamp);
        return _sessionAtLocal(day, secondOfDay);
    }

    /// @inheritdoc IMarketCalendar
    function sessionWindow(
        uint256 timestamp
    ) external view returns (Session session, uint256 start, uint256 end) {
        (uint256 day, uint256 secondOfDay) = _toNewYork(timestamp);
        session = _sessionAtLocal(day, secondOfDay);
        if (session == Session.CLOSED) {
            (start, end) = _closedWindow(timestamp, day);
        } else if (session == Session.OVERNIGHT) {
            // The night that started at 20:00 of the previous day if we are before 04:00.
            uint256 eveningDay = secondOfDay < Constants.CALENDAR_PRE_MARKET_OPEN ? day - 1 : day;
            start = CalendarMath.fromNewYork(eveningDay, Constants.CALENDAR_OVERNIGHT_OPEN);
            end = CalendarMath.fromNewYork(eveningDay + 1, Constants.CALENDAR_PRE_MARKET_OPEN);
        } else {
            (start, end) = _tradingDayWindow(session, day);
        }
    }

    /// @inheritdoc IMarketCalendar
    function lastRegularClose(uint256 timestamp) external view returns (uint256 closeTime) {
        (uint256 day, uint256 secondOfDay) = _toNewYork(timestamp);
        for (uint256 i = 0; i <= Constants.CALENDAR_SEARCH_HORIZON_DAYS; ++i) {
            (bool trading, DayKind kind) = _tradingDay(day - i);
            if (trading) {
                uint256 close = _regularClose(kind);
                // Today counts only once its close has passed; earlier trading days always do.
                if (i > 0 || secondOfDay >= close) return CalendarMath.fromNewYork(day - i, close);
            }
        }
        revert Calendar_NoRegularSessionWithin(timestamp, Constants.CALENDAR_SEARCH_HORIZON_DAYS);
    }

    /// @inheritdoc IMarketCalendar
    function nextRegularOpen(uint256 timestamp) external view returns (uint256 openTime) {
        (uint256 day, uint256 secondOfDay) = _toNewYork(timestamp);
        for (uint256 i = 0; i <= Constants.CALENDAR_SEARCH_HORIZON_DAYS; ++i) {
            (bool trading, ) = _tradingDay(day + i);
            // Today counts only while its open is still ahead; later trading days always do.
            if (trading && (i > 0 || secondOfDay < Constants.CALENDAR_REGULAR_OPEN)) {
                return CalendarMath.fromNewYork(day + i, Constants.CALENDAR_REGULAR_OPEN);
            }
        }
        revert Calendar_NoRegularSessionWithin(timestamp, Constants.CALENDAR_SEARCH_HORIZON_DAYS);
    }

    // ------------------------------------------------------------------ internals

    function _setDayKind(uint256 day, DayKind kind) private {
        if (CalendarMath.isWeekend(day)) revert Calendar_WeekendDay(day);
        DayKind previousKind = _dayKinds[day];
        _dayKinds[day] = kind;
        emit DayKindSet(day, previousKind, kind);
    }

    /// @dev New York day and second of day, after checking the supported range.
    function _toNewYork(uint256 timestamp) private pure returns (uint256 day, uint256 secondOfDay) {
        if (timestamp < Constants.CALENDAR_MIN_TIMESTAMP || timestamp > Constants.CALENDAR_MAX_TIMESTAMP) {
            revert Calendar_TimestampOutOfRange(timestamp);
        }
        return CalendarMath.toNewYork(timestamp);
    }

    /// @dev The session at New York local time `secondOfDay` of `day`; reads one day kind at most.
    function _sessionAtLocal(uint256 day, uint256 secondOfDay) private view returns (Session) {
        if (secondOfDay < Constants.CALENDAR_PRE_MARKET_OPEN) return _nightSession(day);
        if (secondOfDay >= Constants.CALENDAR_OVERNIGHT_OPEN) return _nightSession(day + 1);
        (bool trading, DayKind kind) = _tradingDay(day);
        if (!trading) return Session.CLOSED;
        if (secondOfDay < Constants.CALENDAR_REGULAR_OPEN) return Session.PRE_MARKET;
        if (secondOfDay < _regularClose(kind)) return Session.REGULAR;
        if (secondOfDay < _postMarketClose(kind)) return Session.POST_MARKET;
        return Session.CLOSED; // after an early post-market close, until 20:00
    }

    /// @dev The session of the night that ends at 04:00 of `morningDay`.
    function _nightSession(uint256 morningDay) private view returns (Session) {
        (bool trading, ) = _tradingDay(morningDay);
        return trading ? Session.OVERNIGHT : Session.CLOSED;
    }

    /// @dev The window of a PRE_MARKET, REGULAR or POST_MARKET session of the trading day `day`.
    function _tradingDayWindow(
        Session session,
        uint256 day
    ) private view returns (uint256 start, uint256 end) {
        DayKind kind = _dayKinds[day];
        uint256 localStart;
        uint256 localEnd;
        if (session == Session.PRE_MARKET) {
            (localStart, localEnd) = (Constants.CALENDAR_PRE_MARKET_OPEN, Constants.CALENDAR_REGULAR_OPEN);
        } else if (session == Session.REGULAR) {
            (localStart, localEnd) = (Constants.CALENDAR_REGULAR_OPEN, _regularClose(kind));
        } else {
            (localStart, localEnd) = (_regularClose(kind), _postMarketClose(kind));
        }
        return (CalendarMath.fromNewYork(day, localStart), CalendarMath.fromNewYork(day, localEnd));
    }

    /// @dev The CLOSED stretch around a CLOSED instant of New York day `day`. It starts at the
    /// post-market close of the latest trading day <= `day` (20:00, or 17:00 after an early close)
    /// and ends at 20:00 of the day before the next trading day > `day`, when the overnight opens.
    /// (A CLOSED instant before 04:00 lies in a day that does not trade, so the same rule holds.)
    function _closedWindow(uint256 timestamp, uint256 day) private view returns (uint256 start, uint256 end) {
        (uint256 previousDay, DayKind previousKind) = _searchTradingDay(timestamp, day, false);
        (uint256 nextDay, ) = _searchTradingDay(timestamp, day + 1, true);
        start = CalendarMath.fromNewYork(previousDay, _postMarketClose(previousKind));
        end = CalendarMath.fromNewYork(nextDay - 1, Constants.CALENDAR_OVERNIGHT_OPEN);
    }

    /// @dev The first trading day from `fromDay` (inclusive), walking forward or backward, within
    /// `CALENDAR_SEARCH_HORIZON_DAYS` further days; reverts beyond.
    function _searchTradingDay(
        uint256 timestamp,
        uint256 fromDay,
        bool forward
    ) private view returns (uint256 day, DayKind kind) {
        for (uint256 i = 0; i <= Constants.CALENDAR_SEARCH_HORIZON_DAYS; ++i) {
            day = forward ? fromDay + i : fromDay - i;
            bool trading;
            (trading, kind) = _tradingDay(day);
            if (trading) return (day, kind);
        }
        revert Calendar_NoRegularSessionWithin(timestamp, Constants.CALENDAR_SEARCH_HORIZON_DAYS);
    }

    /// @dev Whether New York day `day` has sessions (a weekday not marked HOLIDAY), and its kind.
    /// Weekends are decided without a storage read.
    function _tradingDay(uint256 day) private view returns (bool trading, DayKind kind) {
        if (CalendarMath.isWeekend(day)) return (false, DayKind.NORMAL);
        kind = _dayKinds[day];
        trading = kind != DayKind.HOLIDAY;
    }

    function _regularClose(DayKind kind) private pure returns (uint256) {
        return
            kind == DayKind.EARLY_CLOSE
                ? Constants.CALENDAR_EARLY_REGULAR_CLOSE
                : Constants.CALENDAR_REGULAR_CLOSE;
    }

    function _postMarketClose(DayKind kind) private pure returns (uint256) {
        return
            kind == DayKind.EARLY_CLOSE
                ? Constants.CALENDAR_EARLY_POST_MARKET_CLOSE
                : Constants.CALENDAR_POST_MARKET_CLOSE;
    }
}
