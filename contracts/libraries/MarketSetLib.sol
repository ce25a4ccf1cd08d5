// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Constants} from "./Constants.sol";

/// @title MarketSetLib
/// @notice The markets an account holds a position in, packed in ONE storage word of 16 stable
/// lanes. The clearinghouse reads it once per side of a match (it locates the position and drives
/// the margin check) and writes it only when a position opens or closes.
///
/// A lane is also where the account's position lives: the clearinghouse stores the position of the
/// market in lane `i` in the account's position slot pair `i`. Lanes never move, so a lane freed by a
/// close keeps its (stale, ignored) slots, and the next position the account opens in ANY market
/// reuses them: a non-zero to non-zero write (2,900 gas) instead of two fresh slots (2 x 22,100,
/// EIP-2200). Only an account's first position in a lane ever pays fresh slots.
///
/// Layout of the word:
/// - bits `15 i .. 15 i + 14`, `i < CAPACITY`: lane `i`, a market index in `[1, MAX_INDEX]` (the
///   clearinghouse numbers markets the first time one holds a position), 0 when the lane is free;
/// - bits 240..244: `count`, the number of occupied lanes, at most `CAPACITY`;
/// - bit 255: `USED_BIT`, set by the first `add` and never cleared (the word stays non-zero).
library MarketSetLib {
    /// @notice The set already holds `CAPACITY` markets.
    error MarketSet_Full(uint256 capacity);
    /// @notice A market index is zero or above `MAX_INDEX` (every lane is 15 bits).
    error MarketSet_InvalidIndex(uint256 index, uint256 maxIndex);
    /// @notice A lane is not below `CAPACITY`, or not in the state the operation needs.
    error MarketSet_InvalidLane(uint256 lane);

    /// @notice Lanes per set: 16 lanes of 15 bits (240 bits) leave room for the count and the used bit.
    uint256 internal constant CAPACITY = Constants.CH_MAX_MARKETS_PER_ACCOUNT;
    /// @notice Bits per lane.
    uint256 internal constant LANE_BITS = 15;
    /// @notice The largest market index (2^15 - 1 = 32,767 markets that ever held a position).
    uint256 internal constant MAX_INDEX = (1 << LANE_BITS) - 1;
    /// @notice Set by the first `add`, never cleared: the word stays non-zero.
    uint256 internal constant USED_BIT = 1 << 255;
    /// @notice `find`'s answer when the set does not hold the index and has no free lane.
    uint256 internal constant NO_LANE = CAPACITY;
    uint256 private constant COUNT_SHIFT = CAPACITY * LANE_BITS; // 240
    uint256 private constant COUNT_MASK = 31; // 5 bits hold 0..16

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

    /// @notice `set` with lane `lane` freed (it must hold a market).
    function remove(uint256 set, uint256 lane) internal pure returns (uint256) {
        if (lane >= CAPACITY || at(set, lane) == 0) revert MarketSet_InvalidLane(lane);
        // The lane is occupied, so count >= 1: the count field does not underflow.
        return (set & ~(MAX_INDEX << (lane * LANE_BITS))) - (1 << COUNT_SHIFT);
    }
}
