// SPDX-License-Identifier: MIT
pragma solidity ^0.8.19;

/// @title Constants
/// @notice Every protocol constant and hard bound, each with its derivation. Per-market parameters
/// are set by governance inside these bounds; the bounds themselves are immutable.
library Constants {
    // ============================================================================ units
    /// @dev 18-decimal fixed point: prices, sizes and USD values (SPEC section 1).
    uint256 internal constant X18 = 1e18;
    /// @dev Basis points: 10,000 bps = 100 %.
    uint256 internal constant BPS = 10_000;

    // ============================================================================ calendar
    // (section owned by the market calendar)

    // New York session boundaries, in seconds after local midnight (SPEC section 2).
    /// @dev 04:00 New York: pre-market opens; also the end of the overnight session.
    uint256 internal constant CALENDAR_PRE_MARKET_OPEN = 4 hours;
    /// @dev 09:30 New York: the regular session opens.
    uint256 internal constant CALENDAR_REGULAR_OPEN = 9 hours + 30 minutes;
    /// @dev 16:00 New York: the regular session closes on a normal day.
    uint256 internal constant CALENDAR_REGULAR_CLOSE = 16 hours;
    /// @dev 13:00 New York: the regular session closes on an early-close day (NYSE half day).
    uint256 internal constant CALENDAR_EARLY_REGULAR_CLOSE = 13 hours;
    /// @dev 20:00 New York: post-market closes on a normal day.
    uint256 internal constant CALENDAR_POST_MARKET_CLOSE = 20 hours;
    /// @dev 17:00 New York: post-market closes on an early-close day (four hours after 13:00, as on
    /// the major US venues' half days).
    uint256 internal constant CALENDAR_EARLY_POST_MARKET_CLOSE = 17 hours;
    /// @dev 20:00 New York: the overnight session opens (when the next day trades).
    uint256 internal constant CALENDAR_OVERNIGHT_OPEN = 20 hours;

    // US daylight-saving rule (Energy Policy Act of 2005, in force since 2007), computed, not stored.
    /// @dev Eastern Standard Time is UTC-5.
    uint256 internal constant CALENDAR_EST_OFFSET = 5 hours;
    /// @dev Eastern Daylight Time is UTC-4.
    uint256 internal constant CALENDAR_EDT_OFFSET = 4 hours;
    /// @dev DST starts on the second Sunday of March at 02:00 EST = 07:00 UTC.
    uint256 internal constant CALENDAR_DST_START_UTC = 7 hours;
    /// @dev DST ends on the first Sunday of November at 02:00 EDT = 06:00 UTC.
    uint256 internal constant CALENDAR_DST_END_UTC = 6 hours;

    // Hard bounds of the calendar's searches and of its supported timestamps.
    /// @dev Days a search for a trading day may look past its starting day (`lastRegularClose`,
    /// `nextRegularOpen`, CLOSED `sessionWindow`). The longest scheduled NYSE closure is a 4-day
    /// weekend (3 days + 1 holiday); the longest unscheduled one since 1933 was 9/11 (Tuesday 11 to
    /// Monday 17 September 2001: 6 days without a session). Two weeks covers that plus the weekends
    /// around it, and caps a search at 15 day-kind reads (~32k gas cold). Governance data that closes
    /// the market for longer makes these functions revert rather than loop unboundedly.
    uint256 internal constant CALENDAR_SEARCH_HORIZON_DAYS = 14;
    /// @dev The first supported timestamp: 1970-01-15 00:00 New York (05:00 UTC), the first instant
    /// whose New York day number is at least `CALENDAR_SEARCH_HORIZON_DAYS`, so that every backward
    /// search stays at day numbers >= 0 (day numbers are unsigned). No real timestamp is this early.
    uint256 internal constant CALENDAR_MIN_TIMESTAMP =
        CALENDAR_SEARCH_HORIZON_DAYS * 1 days + CALENDAR_EST_OFFSET;
    /// @dev The last supported timestamp: 9999-12-31 23:59:59 UTC (four-digit years, as in ISO 8601
    /// and the SDK's `YYYY-MM-DD` day strings). Forward searches may return times up to
    /// `CALENDAR_SEARCH_HORIZON_DAYS + 1` days later, which the date arithmetic handles exactly.
    uint256 internal constant CALENDAR_MAX_TIMESTAMP = 253_402_300_799;

    // ============================================================================ vault

    // (section owned by the collateral vault and insurance fund)

    // ============================================================================ oracle

    // (section owned by the oracle adapter and price sources)

    // ============================================================================ clearinghouse

    // (section owned by the clearinghouse, funding and liquidation)

    // Risk-parameter hard bounds (RiskParamsLib.validate). Ratios, fees and bands are in basis points.
    /// @dev Highest leverage any session may offer: 50x, the ceiling of the major perp venues for
    /// the most liquid assets. A US stock moves more than 2 % in a day routinely, so nothing above
    /// this is defensible.
    uint256 internal constant CH_MAX_LEVERAGE = 50;
    /// @dev Initial margin ratio floor = 1 / CH_MAX_LEVERAGE = 200 bps (2 %).
    uint256 internal constant CH_MIN_INITIAL_MARGIN_BPS = BPS / CH_MAX_LEVERAGE;
    /// @dev Initial margin ratio ceiling: 100 % (1x, a fully collateralised position). Above it a
    /// position would need more collateral than its notional, which no session needs.
    uint256 internal constant CH_MAX_INITIAL_MARGIN_BPS = BPS;
    /// @dev Maintenance margin ratio floor: 0.5 %. Maintenance margin is the last buffer between a
    /// liquidation and bad debt (price move between health checks, the backstop's unwind); 0.5 % is
    /// about the lowest tier the large venues use on their most liquid contract (0.4 % on BTC), and a
    /// single stock moves more. The ceiling is relative and strict: MM < IM, so that a position
    /// opened at exactly its initial margin is not immediately liquidatable.
    uint256 internal constant CH_MIN_MAINTENANCE_MARGIN_BPS = 50;
    /// @dev |fee| cap for maker and taker fees: 1 % of notional, ten times any fee a major venue
    /// charges. The taker fee is in [0, cap]; the maker fee in [-takerFee, cap] (a rebate is paid out
    /// of the same match's taker fee, so the fee ledger never loses on a match).
    uint256 internal constant CH_MAX_FEE_BPS = 100;
    /// @dev Fill-price band around the mark: at least 0.1 % (a band narrower than a few ticks makes
    /// every order unfillable) and at most 20 %, the widest LULD-like band (20 % is also the oracle's
    /// b_cap ceiling for the closed-session band, SPEC 3.3).
    uint256 internal constant CH_MIN_FILL_BAND_BPS = 10;
    uint256 internal constant CH_MAX_FILL_BAND_BPS = 2_000;
    /// @dev Funding multiplier per session: 0 (no funding, e.g. a closed session) to 2x (an
    /// off-hours session may at most double the regular-hours pull toward the index). Together with
    /// the per-hour rate cap it bounds what one hour of funding can cost.
    uint256 internal constant CH_MAX_FUNDING_MULTIPLIER_BPS = 20_000;
    /// @dev Open-interest cap per side, in USD notional at the mark: at most USD 1e12 (a trillion),
    /// far above any single-stock perp market; it fits the uint128 field with room to spare.
    uint256 internal constant CH_MAX_OPEN_INTEREST_CAP_X18 = 1e30;

    // Position ranges (PositionMath). Positions are stored as int128 fields (2 slots).
    /// @dev Largest price the position math accepts: the oracle caps external prices at USD 1e12
    /// (1e30 X18) and lazily applied splits move a price by at most a factor 1e8 (cumulative split
    /// factor in [1e-4, 1e4]), so 1e38 < 2^127 covers every valid mark and fill price. With
    /// |size| <= int128.max every size * price product fits in int256.
    uint256 internal constant CH_MAX_PRICE_X18 = 1e38;
    /// @dev Largest |size| a fill may grow a position to: 1e12 shares (Apple has ~1.5e10). A split
    /// can multiply a stored size by at most 1e8 (split factor ratio), so a rescaled size stays below
    /// 1e38 < int128.max (~1.7e38): a position can always be rescaled, reduced and closed.
    uint256 internal constant CH_MAX_ABS_SIZE_X18 = 1e30;
    /// @dev Largest |open notional| a fill may grow a position to: USD 1e15, a thousand times the
    /// largest open-interest cap, so no legitimate fill is refused; far inside int128.
    uint256 internal constant CH_MAX_ABS_OPEN_NOTIONAL_X18 = 1e33;

    // Funding (FundingMath, SPEC 5.4).
    /// @dev The funding period: a premium p held for 8 h costs p (the industry convention), i.e.
    /// the premium contributes p / 8 per hour, accrued continuously (per second).
    uint256 internal constant CH_FUNDING_PERIOD = 8 hours;
    /// @dev Funding rates are expressed per hour.
    uint256 internal constant CH_FUNDING_RATE_UNIT = 1 hours;
    /// @dev Per-market cap on |funding rate| per hour (before the session multiplier): between
    /// 0.01 %/h (a lower cap would clip even a 0.1 % premium, which alone is 0.0125 %/h, so funding
    /// could not price an ordinary basis) and 4 %/h (Hyperliquid's hard cap, the most permissive of
    /// the major venues).
    uint256 internal constant CH_MIN_FUNDING_RATE_CAP_PER_HOUR_X18 = 1e14;
    uint256 internal constant CH_MAX_FUNDING_RATE_CAP_PER_HOUR_X18 = 4e16;
    /// @dev |interest term| per hour at most 0.005 %/h (~44 %/year): the interest term stands for the
    /// USD cost of carry, which has never come near this.
    uint256 internal constant CH_MAX_ABS_INTEREST_RATE_PER_HOUR_X18 = 5e13;
    /// @dev A premium sample |(perp - index) / index| is clamped to 100 %: fills stay within a 20 %
    /// band, so only a broken input reaches the clamp, and the stored premium fits int72.
    uint256 internal constant CH_MAX_ABS_PREMIUM_X18 = 1e18;

    // Suggested defaults for a large-cap market (RiskParamsLib.defaults and defaultFundingParams;
    // governance may choose anything inside the bounds above). SPEC 5.1: regular 10x, extended
    // (pre/post) and overnight 5x, closed 4x.
    /// @dev Regular hours: 10x (IM 10 %), MM half of IM (the convention of the major venues: a
    /// position opened at max leverage survives a move of half its margin).
    uint256 internal constant CH_DEFAULT_REGULAR_IM_BPS = 1_000;
    uint256 internal constant CH_DEFAULT_REGULAR_MM_BPS = 500;
    /// @dev Pre-market, post-market and overnight: 5x (thinner books, wider moves), MM half of IM.
    uint256 internal constant CH_DEFAULT_EXTENDED_IM_BPS = 2_000;
    uint256 internal constant CH_DEFAULT_EXTENDED_MM_BPS = 1_000;
    /// @dev Closed: 4x, so IM (25 %) stays above the oracle's closed band cap (<= 20 %): a mark
    /// pinned at the band edge cannot take a fresh position through its initial margin (SPEC 3.3).
    uint256 internal constant CH_DEFAULT_CLOSED_IM_BPS = 2_500;
    uint256 internal constant CH_DEFAULT_CLOSED_MM_BPS = 1_250;
    /// @dev Regular-hours fees: taker 4 bps, maker 0 (the US-equity perp norm; liquidity is ample).
    int256 internal constant CH_DEFAULT_REGULAR_MAKER_FEE_BPS = 0;
    int256 internal constant CH_DEFAULT_REGULAR_TAKER_FEE_BPS = 4;
    /// @dev Off-hours fees (every session but REGULAR): a 1 bp maker rebate funded by a 6 bps taker
    /// fee, the off-hours incentive for market makers to quote while the stock market is shut.
    int256 internal constant CH_DEFAULT_OFF_HOURS_MAKER_FEE_BPS = -1;
    int256 internal constant CH_DEFAULT_OFF_HOURS_TAKER_FEE_BPS = 6;
    /// @dev Fill band: 5 % in regular hours (LULD tier 1), 10 % off hours (SPEC 6: wider off-hours).
    uint256 internal constant CH_DEFAULT_REGULAR_FILL_BAND_BPS = 500;
    uint256 internal constant CH_DEFAULT_OFF_HOURS_FILL_BAND_BPS = 1_000;
    /// @dev Funding multiplier: full funding in regular and extended hours, half overnight, a
    /// quarter while closed (weekend price discovery is not penalised, SPEC 5.4).
    uint256 internal constant CH_DEFAULT_FULL_FUNDING_MULTIPLIER_BPS = 10_000;
    uint256 internal constant CH_DEFAULT_OVERNIGHT_FUNDING_MULTIPLIER_BPS = 5_000;
    uint256 internal constant CH_DEFAULT_CLOSED_FUNDING_MULTIPLIER_BPS = 2_500;
    /// @dev Open-interest cap per side: USD 50 M in regular hours, 25 M in extended and overnight
    /// sessions, 10 M while closed (less depth to unwind a position into).
    uint256 internal constant CH_DEFAULT_REGULAR_OPEN_INTEREST_CAP_X18 = 50_000_000e18;
    uint256 internal constant CH_DEFAULT_EXTENDED_OPEN_INTEREST_CAP_X18 = 25_000_000e18;
    uint256 internal constant CH_DEFAULT_CLOSED_OPEN_INTEREST_CAP_X18 = 10_000_000e18;
    /// @dev Funding rate cap 0.1 %/h (0.8 % per 8 h, close to the 0.75 % per 8 h of the large
    /// centralised venues) and an interest term of 0.0005 %/h (~4.4 %/year, the USD T-bill rate:
    /// a long perp pays the financing a long stock position would).
    uint256 internal constant CH_DEFAULT_FUNDING_RATE_CAP_PER_HOUR_X18 = 1e15;
    int256 internal constant CH_DEFAULT_INTEREST_RATE_PER_HOUR_X18 = 5e12;
}
