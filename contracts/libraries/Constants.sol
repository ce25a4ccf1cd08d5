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

    // ============================================================================ vault

    // (section owned by the collateral vault and insurance fund)

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
