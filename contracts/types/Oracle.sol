// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IPriceSource} from "../interfaces/IPriceSource.sol";
import {Session} from "./Session.sol";

/// @notice The pricing state of one market (SPEC section 3.2).
/// @dev The numeric values are part of the ABI; never reorder.
enum MarketState {
    OPEN, // a live session with a fresh, validated external price
    CLOSED, // a session without a live source: internal price inside a band around the anchor
    DEGRADED, // the calendar says live but no valid price (stale, reverting, disagreeing, not yet after the open)
    REOPENING, // the first minutes after the first post-open price: reduce-only
    HALTED, // a corporate action is due and not yet applied
    SETTLED // delisted: a fixed settlement price forever
}

/// @notice Which input produced the index price that `priceState` reports.
enum PriceOrigin {
    PRIMARY, // the session's primary external source
    SECONDARY, // the session's secondary source (primary soft-stale or invalid)
    INTERNAL, // the internal trade EMA, clamped into the band
    INTERNAL_QUOTE_BLEND, // the internal EMA blended with fresh signed quotes, clamped into the band
    FROZEN, // the last stored price (HALTED: a corporate action awaits application)
    SETTLEMENT // the delisting settlement price
}

/// @notice Why a market is DEGRADED (NONE for every other state).
enum DegradedReason {
    NONE,
    SOURCE_UNAVAILABLE, // every configured source reverted, returned zero, or is hard-stale
    PRICE_BEFORE_OPEN, // the only price was observed before the live session (or the last split/dividend) began
    SOURCES_DISAGREE, // primary and secondary deviate by more than the bound
    SEQUENCER_DOWN // the L2 sequencer is down or within its grace period
}

/// @notice The kinds of corporate action the adapter applies (SPEC section 3.5).
enum CorporateActionKind {
    SPLIT, // numerator:denominator, e.g. 4:1 forward, 1:10 reverse
    DIVIDEND, // cash dividend per share on the ex-date
    DELISTING // settlement at a fixed price
}

/// @notice Life cycle of a scheduled corporate action: each moves out of SCHEDULED exactly once.
enum CorporateActionStatus {
    NONE, // no such action id
    SCHEDULED,
    APPLIED,
    CANCELLED
}

/// @notice What the clearinghouse reads for one market: one struct, one call.
/// @dev Prices are 18-decimal USD in the units of `epoch` (the current split epoch, except while
/// HALTED, when they are the last stored prices of the previous epoch).
struct PriceState {
    MarketState state;
    Session session; // the calendar session at this block
    PriceOrigin origin; // which input produced `indexPriceX18`
    uint256 indexPriceX18; // external price when live, equal to the mark otherwise
    uint256 markPriceX18; // the price positions are valued at
    uint256 bandLowX18; // the band around the anchor (fills and the closed mark stay inside it)
    uint256 bandHighX18;
    uint256 anchorPriceX18; // last validated external price before the close (live: the index itself)
    uint256 anchorTime; // when the anchor price was observed
    uint64 epoch; // corporate-action epoch: +1 per applied split; orders carry it
    uint256 splitFactorX18; // cumulative split factor since listing (1e18 = none): current shares per base share
    uint256 cumulativeDividendX18; // cumulative cash dividends per base share (USD X18), only ever increases
}

/// @notice Per-market parameters. Every field is bounded by `Constants` (oracle section).
struct MarketParams {
    uint16 bandTierBps; // b_tier: 500 large caps (LULD tier 1), 1000 others, 400 index ETFs
    uint16 bandCapBps; // b_cap: the band never exceeds it (<= 20 %, and <= the closed session's 1/maxLeverage)
    uint16 maxDeviationBps; // primary vs secondary: beyond it the market is DEGRADED
    uint16 maxEmaStepBps; // no single trade moves the internal price by more than this
    uint16 quoteWeightBps; // weight of the signed-quote median in the internal mark (0 = off)
    uint32 bandHorizonSec; // the "24 h" in b(h) = b_tier * sqrt(1 + h / 24 h)
    uint32 emaTauSec; // EMA time constant tau
    uint32 emaMaxDtSec; // Δt* = min(Δt, emaMaxDtSec); never above tau
    uint32 reopeningWindowSec; // how long REOPENING (reduce-only) lasts after the reopen snap
    uint128 minTradeNotionalX18; // trades below this notional do not move the internal price
}

/// @notice The sources used in one session of one market.
/// @dev A session other than CLOSED is "live" when it has a primary. For the CLOSED session the
/// primary is the optional signed-quote source blended into the internal price, and there is no
/// secondary.
struct SessionSources {
    IPriceSource primary;
    uint32 softStalenessSec; // older than this: prefer a fresh secondary
    uint32 hardStalenessSec; // older than this: not a valid price at all
    IPriceSource secondary;
}

/// @notice The stored checkpoint of one market, advanced by `poke` and `recordTrade`.
/// @dev `priceState` projects this record to the current block (calendar + live sources), so a
/// missing poke never makes the view wrong; it only leaves history (anchor capture, reopen time) to
/// be recorded later. Five storage slots; prices fit 128 bits because external prices are bounded by
/// `MAX_PRICE_X18` and the cumulative split factor by `MIN/MAX_SPLIT_FACTOR_X18`.
struct MarketCheckpoint {
    // slot 0
    MarketState state; // OPEN, CLOSED, DEGRADED, REOPENING or SETTLED (HALTED is never stored)
    Session session; // calendar session at the checkpoint
    uint40 sessionStart; // its window [sessionStart, sessionEnd)
    uint40 sessionEnd;
    uint40 liveSince; // start of the current run of live sessions (0 when the session is not live)
    uint40 lastAdjustmentTime; // effective time of the last applied split or dividend
    uint40 nextActionTime; // earliest effective time of a pending corporate action (max = none)
    // slot 1
    uint128 lastGoodPriceX18; // last validated external price (never 0 once listed)
    uint40 lastGoodTime; // its observation time
    uint40 reopenedAt; // observation time of the reopen snap price
    // slot 2
    uint128 anchorPriceX18; // anchor of the current (or last) internal-pricing episode
    uint40 anchorTime;
    uint64 epoch; // corporate-action epoch: +1 per applied split
    // slot 3
    uint128 internalPriceX18; // P, the trade EMA of the current (or last) episode
    uint40 internalUpdatedAt; // time of the last EMA update
    uint80 splitFactorX18; // current shares per base share, <= MAX_SPLIT_FACTOR_X18 (1e22 < 2^80)
    // slot 4
    uint256 cumulativeDividendX18; // USD per base share
}

/// @notice A scheduled corporate action.
/// @dev SPLIT: `numerator:denominator` new shares per old share. DIVIDEND: `amountX18` USD per share,
/// in the share units in force at `effectiveTime` (after any earlier split). DELISTING: `amountX18`
/// is the settlement price, in the units in force at `effectiveTime`.
struct CorporateAction {
    bytes32 marketId;
    CorporateActionKind kind;
    CorporateActionStatus status;
    uint40 effectiveTime;
    uint32 numerator;
    uint32 denominator;
    uint128 amountX18;
}
