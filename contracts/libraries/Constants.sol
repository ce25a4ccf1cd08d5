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
    // ---------------------------------------------------------------- oracle adapter
    // Every per-market oracle parameter (MarketParams, SessionSources) has a DEFAULT_ value, the
    // suggestion of SPEC section 3, and immutable hard bounds MIN_/MAX_ enforced by its setters.

    // Staleness (seconds). A price older than "soft" yields to a fresh secondary; older than "hard"
    // it is not a price at all. Regular hours quote every second, so 30 s soft / 120 s hard tolerate
    // a missed keeper push without accepting a stale level; extended and overnight sessions are
    // thinner (60/300, 120/300). Signed weekend quotes are published every few minutes (300/900).
    uint32 internal constant DEFAULT_REGULAR_SOFT_STALENESS = 30;
    uint32 internal constant DEFAULT_REGULAR_HARD_STALENESS = 120;
    uint32 internal constant DEFAULT_EXTENDED_SOFT_STALENESS = 60;
    uint32 internal constant DEFAULT_EXTENDED_HARD_STALENESS = 300;
    uint32 internal constant DEFAULT_OVERNIGHT_SOFT_STALENESS = 120;
    uint32 internal constant DEFAULT_OVERNIGHT_HARD_STALENESS = 300;
    uint32 internal constant DEFAULT_QUOTE_SOFT_STALENESS = 300;
    uint32 internal constant DEFAULT_QUOTE_HARD_STALENESS = 900;
    /// @dev A zero limit would reject every price (a price observed in this very block is 0 s old).
    uint32 internal constant MIN_STALENESS = 1;
    /// @dev One hour. Every calendar session lasts at least 3 h (the shortest is the 17:00–20:00
    /// closed gap after an early close), so a price that is valid at a session's start was observed
    /// inside the previous session: the reopen rule and the "last price before the close" capture
    /// rely on that. Anything older is not a live price.
    uint32 internal constant MAX_HARD_STALENESS = 1 hours;

    /// @dev The largest price any input may carry: USD 1e12 per share, a million times any listed
    /// stock. With the split-factor bounds below, every stored price stays below 1e38 < 2^128.
    uint256 internal constant MAX_PRICE_X18 = 1e30;

    // Deviation between primary and secondary (bps of the primary). Two healthy equity feeds agree
    // within a few bps; 1 % is far outside normal disagreement yet inside any real move between
    // two pushes. Below 10 bps normal jitter would degrade the market; above 10 % it checks nothing.
    uint16 internal constant DEFAULT_MAX_DEVIATION_BPS = 100;
    uint16 internal constant MIN_MAX_DEVIATION_BPS = 10;
    uint16 internal constant MAX_MAX_DEVIATION_BPS = 1_000;

    // Band b(h) = min(b_cap, b_tier * sqrt(1 + h / horizon)) (SPEC 3.3). b_tier mirrors the LULD
    // price bands: 5 % for tier-1 large caps, 10 % for other stocks, 4 % for index ETFs (less
    // idiosyncratic risk). The square root is the random-walk growth of uncertainty; a 24 h horizon
    // doubles the variance per day closed, so a 48 h weekend gives 5 % * sqrt(3) = 8.66 %.
    uint16 internal constant BAND_TIER_LARGE_CAP_BPS = 500;
    uint16 internal constant BAND_TIER_OTHER_BPS = 1_000;
    uint16 internal constant BAND_TIER_INDEX_ETF_BPS = 400;
    /// @dev 1 %: narrower than any tier in use; a tighter band would freeze the weekend mark.
    uint16 internal constant MIN_BAND_TIER_BPS = 100;
    /// @dev 20 %: the widest band the SPEC allows (b_cap <= 20 %); the tier cannot exceed the cap.
    uint16 internal constant MAX_BAND_TIER_BPS = 2_000;
    /// @dev b_cap <= 20 % (SPEC 3.3). The closed session's initial margin ratio must be >= b_cap (max
    /// leverage <= 1 / b_cap), which the clearinghouse enforces: a mark pinned at the band edge then
    /// never exceeds the initial margin posted. The default is the SPEC maximum.
    uint16 internal constant DEFAULT_BAND_CAP_BPS = 2_000;
    uint16 internal constant MAX_BAND_CAP_BPS = 2_000;
    uint32 internal constant DEFAULT_BAND_HORIZON = 24 hours;
    /// @dev 1 h .. 7 days: shorter would open a 20 % band within hours; longer would keep the band at
    /// b_tier across a long weekend.
    uint32 internal constant MIN_BAND_HORIZON = 1 hours;
    uint32 internal constant MAX_BAND_HORIZON = 7 days;

    // Internal price EMA: P += (1 - e^(-Δt*/tau)) (trade - P), Δt* = min(Δt, maxDt) (SPEC 3.3).
    // tau = 1 h: a sustained trade level moves P by 63 % of the gap per hour of trading; maxDt = 360 s
    // caps one update's weight at 1 - e^(-0.1) = 9.5 %, so waiting does not buy a big jump.
    uint32 internal constant DEFAULT_EMA_TAU = 1 hours;
    uint32 internal constant MIN_EMA_TAU = 10 minutes;
    uint32 internal constant MAX_EMA_TAU = 24 hours;
    uint32 internal constant DEFAULT_EMA_MAX_DT = 360;
    uint32 internal constant MIN_EMA_MAX_DT = 1;
    /// @dev Also <= tau, so Δt*/tau <= 1, the domain of OracleMath.oneMinusExpNegX18.
    uint32 internal constant MAX_EMA_MAX_DT = 1 hours;
    /// @dev 1 % per update (SPEC 3.3): with one effective update per block timestamp, a wash trader
    /// needs many minutes to walk P across a band, and the band clamps the mark anyway.
    uint16 internal constant DEFAULT_MAX_EMA_STEP_BPS = 100;
    uint16 internal constant MIN_MAX_EMA_STEP_BPS = 1;
    uint16 internal constant MAX_MAX_EMA_STEP_BPS = 500;
    /// @dev USD 1,000: dust trades (cheap to wash) do not move P. Bounds USD 10 .. USD 1,000,000.
    uint128 internal constant DEFAULT_MIN_TRADE_NOTIONAL_X18 = 1_000e18;
    uint128 internal constant MIN_MIN_TRADE_NOTIONAL_X18 = 10e18;
    uint128 internal constant MAX_MIN_TRADE_NOTIONAL_X18 = 1_000_000e18;

    /// @dev Signed-quote blend weight: off by default; at most 50 % so that the protocol's own trades
    /// and the allow-listed quoters each keep at least half a say (the band bounds both).
    uint16 internal constant DEFAULT_QUOTE_WEIGHT_BPS = 0;
    uint16 internal constant MAX_QUOTE_WEIGHT_BPS = 5_000;

    /// @dev REOPENING lasts 5 min by default (SPEC 3.4), like an exchange's reopening auction;
    /// at least 1 min so the first post-open prints settle, at most 1 h.
    uint32 internal constant DEFAULT_REOPENING_WINDOW = 5 minutes;
    uint32 internal constant MIN_REOPENING_WINDOW = 1 minutes;
    uint32 internal constant MAX_REOPENING_WINDOW = 1 hours;

    // Corporate actions.
    /// @dev Issuers announce splits and ex-dates weeks ahead; 24 h on-chain notice (on top of the
    /// timelock delay) lets traders, keepers and integrators see the action before it halts a market.
    uint256 internal constant MIN_CORPORATE_ACTION_NOTICE = 1 days;
    /// @dev Nothing is announced more than a year ahead; a far-future typo would occupy a slot.
    uint256 internal constant MAX_CORPORATE_ACTION_HORIZON = 365 days;
    /// @dev Bounds each side of a split ratio (1:1000 .. 1000:1 covers every split on record).
    uint32 internal constant MAX_SPLIT_TERM = 1_000;
    /// @dev Split exactness: positions are whole multiples of their market's step size, and every step
    /// size is a multiple of this quantum (1e-9 share, `CH_STEP_SIZE_QUANTUM_X18`). A split n:d whose
    /// reduced denominator divides the quantum (d = 2^a * 5^b <= 1000: 1:2, 1:4, 1:5, 1:8, 1:10, 2:5,
    /// 1:1000, ...) therefore rescales every position exactly, so the sum of longs keeps equal to the
    /// sum of shorts (INV-2). Ratios such as 1:3 would leave sub-wei rounding dust that is not zero-sum;
    /// they are rejected (governance delists and relists instead).
    uint256 internal constant SPLIT_EXACTNESS_QUANTUM = 1e9;
    /// @dev The cumulative split factor (current shares per base share) stays in [1e-4, 1e4]:
    /// 10,000:1 forward or 1:10,000 reverse in total since listing covers every history on record
    /// and keeps every price rescaled by splits below MAX_PRICE_X18 * 1e8 < 2^128 (the factor itself
    /// fits the 80 bits the checkpoint gives it: 1e22 < 2^80).
    uint256 internal constant MIN_SPLIT_FACTOR_X18 = 1e14;
    uint256 internal constant MAX_SPLIT_FACTOR_X18 = 1e22;
    /// @dev A cash dividend above 50 % of the price is not a dividend but a liquidation; at
    /// application a price is never lowered by more than this fraction (see OracleAdapter).
    uint16 internal constant MAX_DIVIDEND_BPS = 5_000;
    /// @dev Bounds the loop that finds the next due action (poke and view stay O(1)-ish).
    uint256 internal constant MAX_PENDING_CORPORATE_ACTIONS = 8;

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
    /// @dev A report's `marketStatus` may disagree with Sundial's calendar this long around a session
    /// boundary (compared at the report's observation time): the DON switches status from exchange
    /// data, whose clock and publication lag the calendar's boundary by seconds. 60 s is far below
    /// the shortest session (4 h post-market on an early-close day), so a report observed further
    /// from a boundary with another status is a real contradiction (DEGRADED).
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

    // Clearinghouse operation (the Clearinghouse and MarketRegistry contracts).
    /// @dev At most this many markets with an open position per account. Every health check (each
    /// risk-growing fill, every `withdrawableX18` the vault asks for on each withdrawal, a
    /// liquidation scan) loops over them, reading one oracle `priceState` (~10-40k gas with live
    /// source reads) and one registry config (~12k) per market: 16 markets keep a health check under
    /// ~1M gas in the worst case, cheap enough for a withdrawal, while covering a diversified
    /// equity book; more markets need another subaccount (isolated margin).
    uint256 internal constant CH_MAX_MARKETS_PER_ACCOUNT = 16;

    /// @dev At most this many markets per deployment (the registry refuses more). An account's set
    /// of markets is one storage word (`MarketSetLib`): 16 lanes of 13-bit market indices, so a market
    /// index is at most 2^13 - 1 = 8,191 — far more than the US equities and ETFs a venue lists.
    uint256 internal constant CH_MAX_MARKETS = 8_191;

    /// @dev Order nonces are below this and the nonce floor is at most this: the floor is kept in the
    /// 42 bits of the owner's market-set word left by the lanes, the count and the used bit
    /// (256 - 16 x 13 - 5 - 1 = 42), so an order's floor check costs no storage read of its own.
    /// 2^42 - 1 ~ 4.4e12 nonces per owner: sequential nonces never reach it, nor do millisecond
    /// timestamps before the year 2109.
    uint256 internal constant CH_NONCE_LIMIT = (1 << 42) - 1;
    /// @dev At most this many matches per `settleMatches` call. Per-batch memory caches (markets,
    /// accounts) are searched linearly, so the cost grows with the square of the distinct entries;
    /// 128 matches (~30M gas at ~200k per match with cold storage) fill a block, so a longer batch
    /// could not be included anyway.
    uint256 internal constant CH_MAX_MATCHES_PER_BATCH = 128;
    /// @dev A batch with at least this many matches in a market stores its positions there
    /// checkpointed (one slot each, referring to a funding checkpoint the batch writes once, a fresh
    /// slot of ~22k gas plus ~3k for the count) instead of inline (a second slot per position,
    /// ~2.9k gas per write): from about 5 matches (10 position writes) a checkpoint pays for itself;
    /// 8 leaves room for matches that are skipped.
    uint256 internal constant CH_CHECKPOINT_MIN_MATCHES = 8;
    /// @dev Length of a guardian's trading pause: 24 h, long enough for the timelock to react (its
    /// minimum delay is shorter), short enough that a rogue guardian cannot freeze markets for long.
    /// Unlike the vault's withdrawal pause, positions stay open meanwhile and can still be settled,
    /// funded and (later) liquidated.
    uint256 internal constant CH_TRADING_PAUSE_DURATION = 24 hours;
    /// @dev A new trading pause only this long after the previous one ended: the guardian cannot chain
    /// pauses; traders get at least 12 h of trading between pauses to manage their positions.
    uint256 internal constant CH_TRADING_PAUSE_COOLDOWN = 12 hours;
    /// @dev Tick and step sizes: non-zero and at most 1e24 (a tick of a million USD, a step of a
    /// million shares); beyond that no order could be placed sensibly.
    uint256 internal constant CH_MAX_TICK_SIZE_X18 = 1e24;
    uint256 internal constant CH_MAX_STEP_SIZE_X18 = 1e24;
    /// @dev Every step size is a multiple of 1e-9 share, so that every split the oracle accepts
    /// (reduced denominator dividing `SPLIT_EXACTNESS_QUANTUM`) rescales positions exactly (INV-2).
    uint256 internal constant CH_STEP_SIZE_QUANTUM_X18 = SPLIT_EXACTNESS_QUANTUM;
    /// @dev Gas given to a contract wallet's ERC-1271 `isValidSignature` (BoundedSignatureChecker).
    /// Safe (~10-30k with several owners), Coinbase Smart Wallet and P-256 passkey wallets (~70-90k
    /// without the RIP-7212 precompile) fit; a wallet that needs more cannot trade through batches.
    uint256 internal constant ERC1271_VALIDATION_GAS = 150_000;
    /// @dev Gas kept back for the validating frame around the bounded call (ABI encoding, decoding).
    uint256 internal constant ERC1271_CALL_OVERHEAD_GAS = 5_000;
    /// @dev Circuit-breaker bounds (SPEC 6). A level below 1 % would halt on ordinary noise; above
    /// 50 % it protects nothing. Window and halt durations in [1 min, 1 day]: a halt shorter than a
    /// minute does not let anyone react, longer than a day is a delisting decision, not a breaker.
    /// The reduce-only period after a halt is at most a day (0 = reopen straight to ACTIVE).
    uint256 internal constant CH_MIN_BREAKER_LEVEL_BPS = 100;
    uint256 internal constant CH_MAX_BREAKER_LEVEL_BPS = 5_000;
    uint256 internal constant CH_MIN_BREAKER_PERIOD = 1 minutes;
    uint256 internal constant CH_MAX_BREAKER_PERIOD = 1 days;
    /// @dev Default breaker: the US market-wide levels 7 / 13 / 20 % against the index at the start
    /// of a 24 h window (the NYSE uses the prior close, i.e. a day); levels 1 and 2 halt 15 minutes
    /// as on the NYSE, level 3 (which closes the NYSE for the day) halts an hour here, since the
    /// venue trades around the clock; then 10 minutes reduce-only, twice the oracle's reopen window.
    uint256 internal constant CH_DEFAULT_BREAKER_LEVEL1_BPS = 700;
    uint256 internal constant CH_DEFAULT_BREAKER_LEVEL2_BPS = 1_300;
    uint256 internal constant CH_DEFAULT_BREAKER_LEVEL3_BPS = 2_000;
    uint256 internal constant CH_DEFAULT_BREAKER_WINDOW = 24 hours;
    uint256 internal constant CH_DEFAULT_BREAKER_LEVEL12_HALT = 15 minutes;
    uint256 internal constant CH_DEFAULT_BREAKER_LEVEL3_HALT = 1 hours;
    uint256 internal constant CH_DEFAULT_BREAKER_REDUCE_ONLY = 10 minutes;

    // ============================================================================ liquidation
    /// @dev Liquidation penalty: 2.5 % of the closed notional at the mark (SPEC 7's example; between
    /// Binance's 1.25-2.5 % tiers and dYdX v4's 1.5 % cap plus insurance fee). Paid by the account,
    /// capped at its equity after the close.
    uint256 internal constant LIQ_PENALTY_BPS = 250;
    /// @dev The keeper's share of the penalty (30 %); the backstop (insurance) keeps the rest, which
    /// funds its margin for absorbed positions.
    uint256 internal constant LIQ_KEEPER_SHARE_BPS = 3_000;
    /// @dev Minimum keeper reward, 1 USD, capped at the penalty: at the minimum size the keeper takes
    /// the whole penalty, so its reward is positive whenever the penalty is (SPEC 7).
    uint256 internal constant LIQ_KEEPER_MIN_REWARD_X18 = 1e18;
    /// @dev Partial liquidation: while `margin ratio >= MM / 2` (i.e. `2 * equity >= MM`) one call
    /// closes at most half of the position (SPEC 7).
    uint256 internal constant LIQ_PARTIAL_CLOSE_BPS = 5_000;
    /// @dev Guardian pause of liquidations (SPEC 6: per-operation pauses that expire): 4 hours —
    /// long enough to stop liquidations on a broken feed, short enough that positions cannot rot
    /// into bad debt behind a pause; a new pause 12 hours after the previous one ended.
    uint256 internal constant LIQ_PAUSE_DURATION = 4 hours;
    uint256 internal constant LIQ_PAUSE_COOLDOWN = 12 hours;
    /// @dev Bound on the opposite-side list of one ADL step: each candidate's health is one
    /// `accountHealth` (~165k gas for an account in one market on the real oracle wiring), so 80
    /// candidates (~14 M gas) fit the 2^24 transaction cap of EIP-7825 with room for the step itself.
    uint256 internal constant LIQ_MAX_ADL_CANDIDATES = 80;
    /// @dev At most this many liquidations per `liquidateBatch`: ~50 x 120k = 6M gas, well inside a
    /// block and the 2^24 per-transaction cap of EIP-7825 even at the first liquidation's ~260k each.
    uint256 internal constant LIQ_MAX_BATCH = 50;
}
