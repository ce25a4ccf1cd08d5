// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Constants} from "./Constants.sol";

/// @title MarketSetLib
/// @notice The markets an account holds a position in, packed in ONE storage word of 16 stable
/// lanes, with the owner's order nonce floor beside them. The clearinghouse reads it once per side
/// of a match (the nonce floor, the position's lane, the margin check) and writes it only when a
/// position opens or closes or the floor rises.
///
/// A lane is also where the account's position lives: the clearinghouse stores the position of the
/// market in lane `i` in the account's position slot pair `i`. Lanes never move, so a lane freed by a
/// close keeps its (stale, ignored) slots, and the next position the account opens in ANY market
/// reuses them: a non-zero to non-zero write (2,900 gas) instead of two fresh slots (2 x 22,100,
/// EIP-2200). Only an account's first position in a lane ever pays fresh slots.
///
/// Layout of the word:
/// - bits `13 i .. 13 i + 12`, `i < CAPACITY`: lane `i`, a market index in `[1, MAX_INDEX]` (the
///   clearinghouse numbers markets the first time one holds a position), 0 when the lane is free;
/// - bits 208..212: `count`, the number of occupied lanes, at most `CAPACITY`;
/// - bits 213..254: the nonce floor (`nonceFloor`, at most `Constants.CH_NONCE_LIMIT`). Nonces belong
///   to an owner, so the clearinghouse keeps an owner's floor in the word of its subaccount 0: an
///   order of subaccount 0 (the common case) reads its floor with its account's set, in one slot;
/// - bit 255: `USED_BIT`, set by the first `add` and never cleared (the word stays non-zero).
library MarketSetLib {
    /// @notice The set already holds `CAPACITY` markets.
    error MarketSet_Full(uint256 capacity);
    /// @notice A market index is zero or above `MAX_INDEX` (every lane is 15 bits).
    error MarketSet_InvalidIndex(uint256 index, uint256 maxIndex);
    /// @notice A lane is not below `CAPACITY`, or not in the state the operation needs.
    error MarketSet_InvalidLane(uint256 lane);

    /// @notice Lanes per set: 16 lanes of 13 bits (208 bits) leave room for the count, the nonce
    /// floor and the used bit.
    uint256 internal constant CAPACITY = Constants.CH_MAX_MARKETS_PER_ACCOUNT;
    /// @notice Bits per lane.
    uint256 internal constant LANE_BITS = 13;
    /// @notice The largest market index: `Constants.CH_MAX_MARKETS` (8,191), which the registry's
    /// listing bound keeps every index within.
    uint256 internal constant MAX_INDEX = (1 << LANE_BITS) - 1;
    /// @notice Set by the first `add`, never cleared: the word stays non-zero.
    uint256 internal constant USED_BIT = 1 << 255;
    /// @notice `find`'s answer when the set does not hold the index and has no free lane.
    uint256 internal constant NO_LANE = CAPACITY;
    uint256 private constant COUNT_SHIFT = CAPACITY * LANE_BITS; // 208
    uint256 private constant COUNT_MASK = 31; // 5 bits hold 0..16
    uint256 private constant FLOOR_SHIFT = COUNT_SHIFT + 5; // 213: 42 bits up to the used bit
    uint256 private constant FLOOR_MASK = Constants.CH_NONCE_LIMIT; // 2^42 - 1

    /// @notice How many markets the set holds.
    function count(uint256 set) internal pure returns (uint256) {
        return (set >> COUNT_SHIFT) & COUNT_MASK;
    }

    /// @notice The market index in lane `lane` (0: free).
    function at(uint256 set, uint256 lane) internal pure returns (uint256) {
        return (set >> (lane * LANE_BITS)) & MAX_INDEX;
    }

    /// @notice The lane holding `index` (`found`), else the lowest free lane (`NO_LANE` when full).
    /// @dev One pass over the 16 lanes (a few hundred gas); `index` must not be 0.
    function find(uint256 set, uint256 index) internal pure returns (bool found, uint256 lane) {
        lane = NO_LANE;
        for (uint256 i; i < CAPACITY; ++i) {
            uint256 value = (set >> (i * LANE_BITS)) & MAX_INDEX;
            if (value == index) return (true, i);
            if (value == 0 && lane == NO_LANE) lane = i;
        }
    }

    /// @notice The lowest free lane (`NO_LANE` when the set is full).
    function freeLane(uint256 set) internal pure returns (uint256) {
        for (uint256 i; i < CAPACITY; ++i) {
            if ((set >> (i * LANE_BITS)) & MAX_INDEX == 0) return i;
        }
        return NO_LANE;
    }

    /// @notice `set` with `index` placed in the free lane `lane` (from `find` or `freeLane`).
    function add(uint256 set, uint256 lane, uint256 index) internal pure returns (uint256) {
        // Unchecked: index 0 wraps to 2^256 - 1, so one comparison rejects both 0 and above MAX_INDEX.
        unchecked {
            if (index - 1 >= MAX_INDEX) revert MarketSet_InvalidIndex(index, MAX_INDEX);
        }
        if (lane >= CAPACITY) revert MarketSet_Full(CAPACITY);
        if (at(set, lane) != 0) revert MarketSet_InvalidLane(lane);
        // A free lane exists, so count < 16: the count field (5 bits) holds count + 1 without
        // reaching the used bit.
        return (set + (1 << COUNT_SHIFT)) | (index << (lane * LANE_BITS)) | USED_BIT;
    }

    /// @notice The nonce floor kept in the word.
    function nonceFloor(uint256 set) internal pure returns (uint256) {
        return (set >> FLOOR_SHIFT) & FLOOR_MASK;
    }

    /// @notice `set` with the nonce floor `floor` (at most `Constants.CH_NONCE_LIMIT`, checked by the
    /// caller).
    function withNonceFloor(uint256 set, uint256 floor) internal pure returns (uint256) {
        return (set & ~(FLOOR_MASK << FLOOR_SHIFT)) | ((floor & FLOOR_MASK) << FLOOR_SHIFT);
    }

    /// @notice `set` with lane `lane` freed (it must hold a market).
    function remove(uint256 set, uint256 lane) internal pure returns (uint256) {
        if (lane >= CAPACITY || at(set, lane) == 0) revert MarketSet_InvalidLane(lane);
        // The lane is occupied, so count >= 1: the count field does not underflow.
        return (set & ~(MAX_INDEX << (lane * LANE_BITS))) - (1 << COUNT_SHIFT);
    }
}
