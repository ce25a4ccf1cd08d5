// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {MarketStatus, FundingParams} from "./Market.sol";
import {Order} from "./Order.sol";

/// @notice One match submitted by the matcher (SPEC 5.2): a resting maker order, the taker order that
/// crossed it, both signatures and the fill size. The fill price is always the maker's limit price.
struct Match {
    Order maker;
    bytes makerSignature; // ECDSA (65 bytes) or ERC-1271 by `maker.signer`
    Order taker;
    bytes takerSignature;
    uint256 fillSizeX18; // shares of the market's current epoch, > 0, a multiple of the step size
}

/// @notice Why `settleMatches` skipped a match (`IClearinghouse.MatchSkipped`). The checks run in
/// the order of this list; the first failing one is reported.
/// @dev The numeric values are part of the ABI and mirrored by the SDK; never reorder, only append.
enum SkipReason {
    MARKET_MISMATCH, // maker and taker orders name different markets
    SAME_SIDE, // both orders buy or both sell
    SELF_TRADE, // maker and taker are the same account (owner and subaccount)
    UNKNOWN_MARKET, // the market is not listed in the registry
    INVALID_FILL_SIZE, // zero, above the size bound, or not a multiple of the step size
    MAKER_INVALID, // malformed (OrderLib.isWellFormed), below the minimum size, or its price off the tick
    TAKER_INVALID,
    TAKER_POST_ONLY, // the taker order is post-only (post-only orders may only rest as makers)
    MAKER_EXPIRED,
    TAKER_EXPIRED,
    MAKER_CANCELLED, // cancelled by hash, nonce below the owner's floor, or nonce used/invalidated
    TAKER_CANCELLED,
    MAKER_OVERFILL, // the fill exceeds the order's remaining size
    TAKER_OVERFILL,
    MAKER_EPOCH_MISMATCH, // signed for another corporate-action epoch (e.g. before a split)
    TAKER_EPOCH_MISMATCH,
    TAKER_LIMIT_PRICE, // the maker's price is beyond the taker's limit
    MARKET_SETTLED, // delisted: no fills
    MARKET_HALTED, // registry status HALTED, oracle HALTED, or the circuit breaker's halt
    PRICE_OUTSIDE_FILL_BAND, // |price - mark| > mark * session fillBandBps
    PRICE_OUTSIDE_ORACLE_BAND, // price outside [bandLow, bandHigh] of the oracle
    MAKER_SIGNATURE, // invalid signature, or the signer is neither the owner nor its operator
    TAKER_SIGNATURE,
    MAKER_REDUCE_ONLY, // a reduce-only order's fill would grow the maker's risk
    TAKER_REDUCE_ONLY,
    MARKET_REDUCE_ONLY, // the market only allows risk-reducing fills now and a side would grow risk
    POSITION_LIMIT, // a resulting |size| would exceed the size bound
    OPEN_INTEREST_CAP, // open interest per side would exceed the session cap at the mark
    MAKER_TOO_MANY_MARKETS, // the fill would open a position in one market too many
    TAKER_TOO_MANY_MARKETS,
    MAKER_MARGIN, // maker's equity after the fill below its initial margin (risk grows) or below zero
    TAKER_MARGIN
}

/// @notice Circuit-breaker parameters of one market (SPEC 6), bounded by `Constants.CH_*_BREAKER_*`.
/// Three levels like the US market-wide breakers (7 / 13 / 20 %): when the index moves at least
/// `levelNBps` away from the reference price (the index at the start of the current window), the
/// market halts for `levelNHaltSec`, then is reduce-only for `reduceOnlySec`. Each level fires at
/// most once per window; the window restarts (new reference) once it has elapsed and no halt or
/// reduce-only period is running.
/// @dev One slot: 3 x 16 + 5 x 32 = 208 bits.
struct CircuitBreakerParams {
    uint16 level1Bps;
    uint16 level2Bps;
    uint16 level3Bps;
    uint32 windowSec;
    uint32 level1HaltSec;
    uint32 level2HaltSec;
    uint32 level3HaltSec;
    uint32 reduceOnlySec;
}

/// @notice Market-wide configuration kept by the market registry (SPEC 5.1); per-session risk
/// parameters are kept beside it (`IMarketRegistry.sessionRiskParams`).
struct MarketConfig {
    bool listed;
    MarketStatus status; // ACTIVE, REDUCE_ONLY or HALTED (SETTLED comes from the oracle's delisting)
    uint256 tickSizeX18; // limit prices must be multiples of it
    uint256 stepSizeX18; // order and fill sizes must be multiples of it
    uint256 minOrderSizeX18; // an order's total size must be at least this
    FundingParams funding;
    CircuitBreakerParams breaker;
}

/// @notice A market's circuit-breaker state in the clearinghouse.
struct CircuitBreakerState {
    uint128 referencePriceX18; // the index price at the start of the current window (0 = not started)
    uint40 referenceTime; // when the window started
    uint40 haltedUntil; // no fills before this time
    uint40 reduceOnlyUntil; // only risk-reducing fills before this time
    uint8 level; // the highest level fired in the current window (0 = none)
    uint64 epoch; // the oracle epoch of the reference price (a split restarts the window)
}
