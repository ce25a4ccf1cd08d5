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

    /// @dev Largest collateral-token `decimals()` the vault accepts. Deposits convert token units to
    /// X18 by multiplying with 10^(18 - decimals), which is exact only for decimals <= 18; a token with
    /// more decimals would need a rounding division on every deposit, so it is rejected outright.
    uint8 internal constant VAULT_MAX_TOKEN_DECIMALS = 18;

    /// @dev Default length of a guardian pause of withdrawals (SPEC section 4: "expires by itself,
    /// default 72 h"). Three days cover a weekend-long incident response and exceed the admin
    /// timelock delay, so governance can act (revoke the guardian, fix the cause) before it lapses.
    uint256 internal constant VAULT_DEFAULT_PAUSE_DURATION = 72 hours;

    /// @dev Shortest pause length governance may set: below one hour a pause cannot cover even a
    /// fast incident response (triage, a transaction, confirmations) and would only add noise.
    uint256 internal constant VAULT_MIN_PAUSE_DURATION = 1 hours;

    /// @dev Longest pause length governance may set: one week bounds how long any single guardian
    /// action can lock user funds; anything longer is a governance decision, not an emergency brake.
    uint256 internal constant VAULT_MAX_PAUSE_DURATION = 7 days;

    /// @dev Time after a pause has ended (expired or lifted) before the guardian may pause again.
    /// It stops a guardian from chaining pauses forever: even at VAULT_MAX_PAUSE_DURATION every
    /// pause is followed by at least a full day in which every user can withdraw (at most 7/8 of any
    /// period can be paused; at the 72 h default at most 3/4).
    uint256 internal constant VAULT_PAUSE_COOLDOWN = 24 hours;

    // ============================================================================ oracle

    // (section owned by the oracle adapter and price sources)

    // ---------------------------------------------------------------- price sources (contracts/oracles)

    /// @dev Every source reports 18-decimal prices (SPEC section 1); sources scale by 10^(18 - decimals).
    uint8 internal constant SOURCE_X18_DECIMALS = 18;
    /// @dev 10^77 < 2^256 - 1 < 10^78: the largest power of ten a uint256 can hold. A decimal shift
    /// beyond 77 places overflows (scaling up) or truncates every value to zero (scaling down).
    uint256 internal constant SOURCE_MAX_POW10_EXPONENT = 77;

    /// @dev Chainlink Data Streams encode the report schema version in the top two bytes of the feed
    /// id; 24/5 US equities streams use the RWA Advanced schema, version 11 (0x000b).
    uint16 internal constant DATA_STREAMS_REPORT_VERSION = 11;
    /// @dev `lastSeenTimestampNs` is in nanoseconds; observation times are in seconds.
    uint256 internal constant DATA_STREAMS_NANOSECONDS_PER_SECOND = 1e9;
    /// @dev v11 `marketStatus` values (Chainlink RWA Advanced schema, 24/5 US equities streams).
    /// 1-4 are Pre, Regular, Post and Overnight, numerically equal to Sundial's `Session` values.
    uint32 internal constant DATA_STREAMS_STATUS_UNKNOWN = 0;
    uint32 internal constant DATA_STREAMS_STATUS_CLOSED = 5;
    /// @dev A report's `marketStatus` may disagree with Sundial's calendar for this long around a
    /// session boundary: the DON switches status from exchange data and L2 block timestamps can lag
    /// wall-clock time by seconds. 60 s is far below the shortest session (4 h post-market on an
    /// early-close day), so a disagreement that lasts longer is a real contradiction (DEGRADED).
    uint256 internal constant DATA_STREAMS_SESSION_BOUNDARY_TOLERANCE = 60 seconds;

    /// @dev Chainlink Data Feeds report 8 (USD pairs) or 18 (ETH pairs) decimals; 36 is a generous
    /// ceiling that still keeps every scaling factor (at most 10^36) far below 10^77.
    uint8 internal constant CHAINLINK_FEED_MAX_DECIMALS = 36;

    /// @dev Pyth confidence bound per market, as `conf / price` in bps. At least 1 bps (0 would reject
    /// every price with a non-zero interval). At most 500 bps (5 %): an interval wider than the
    /// tightest fill-price band (5 % for LULD tier 1 names, SPEC section 6) carries no usable price.
    uint256 internal constant PYTH_MIN_CONF_BPS = 1;
    uint256 internal constant PYTH_MAX_CONF_BPS_BOUND = 500;

    /// @dev Smallest quorum `k` a market may require from signed-quote publishers: a median of 3
    /// tolerates one faulty or compromised publisher; with k < 3 a single key could set the price.
    uint256 internal constant SIGNED_QUOTE_MIN_QUORUM = 3;
    /// @dev Size of the publisher allow-list. `latestPrice` reads every publisher's latest quote (two
    /// cold storage slots each) and sorts the fresh ones, so the list is bounded to keep that view
    /// near 130k gas in the worst case (16 fresh quotes, measured in docs/oracle-sources.md).
    uint256 internal constant SIGNED_QUOTE_MAX_PUBLISHERS = 16;

    /// @dev Chainlink L2 sequencer uptime feed answers: 0 = up, 1 = down.
    int256 internal constant SEQUENCER_ANSWER_UP = 0;
    int256 internal constant SEQUENCER_ANSWER_DOWN = 1;
    /// @dev Grace period after the sequencer comes back up (Chainlink's recommendation and Aave v3's
    /// PriceOracleSentinel default): time for keepers to push fresh prices and for users to add margin.
    uint256 internal constant SEQUENCER_GRACE_PERIOD_DEFAULT = 1 hours;
    /// @dev Below 10 min, fresh prices for every market and user top-ups cannot be expected.
    uint256 internal constant SEQUENCER_GRACE_PERIOD_MIN = 10 minutes;
    /// @dev Above 4 h, blocked liquidations let bad debt accumulate for longer than the outage itself
    /// usually lasts; governance cannot switch the protection off by making it arbitrarily long either.
    uint256 internal constant SEQUENCER_GRACE_PERIOD_MAX = 4 hours;

    // ============================================================================ clearinghouse

    // (section owned by the clearinghouse, funding and liquidation)
}
