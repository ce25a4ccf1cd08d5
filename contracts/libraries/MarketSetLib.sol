// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Constants} from "./Constants.sol";

/// @title MarketSetLib
/// @notice The markets an account holds a position in, packed in ONE storage word: the clearinghouse
/// reads it once per side of a match (margin check) and writes it only when a position opens or
/// closes. A `bytes32[]` list cost two fresh slots (length + element) on an account's first position
/// and a cold read per entry; this set costs one slot per account, and its "used" bit keeps the word
/// non-zero after the last position closes, so an account that traded before never pays a fresh
/// slot (20,000 gas, EIP-2200) for it again.
///
/// Layout of the word:
/// - bits `15 i .. 15 i + 14` for `i < count`: lane `i`, a market index in `[1, MAX_INDEX]` (the
///   clearinghouse numbers markets the first time one holds a position); lanes at or above `count`
///   are zero;
/// - bits 240..244: `count`, at most `CAPACITY` (`Constants.CH_MAX_MARKETS_PER_ACCOUNT` = 16);
/// - bit 255: `USED_BIT`, set by the first `add` and never cleared.
/// Order is not kept: `remove` moves the last lane into the freed one.
library MarketSetLib {
    /// @notice The set already holds `CAPACITY` markets.
    error MarketSet_Full(uint256 capacity);
    /// @notice A market index is zero or above `MAX_INDEX` (every lane is 15 bits).
    error MarketSet_InvalidIndex(uint256 index, uint256 maxIndex);

    /// @notice Markets per set: 16 lanes of 15 bits (240 bits) leave room for the count and the used bit.
    uint256 internal constant CAPACITY = Constants.CH_MAX_MARKETS_PER_ACCOUNT;
    /// @notice Bits per lane.
    uint256 internal constant LANE_BITS = 15;
    /// @notice The largest market index (2^15 - 1 = 32,767 markets that ever held a position).
    uint256 internal constant MAX_INDEX = (1 << LANE_BITS) - 1;
    /// @notice Set by the first `add`, never cleared: the word stays non-zero.
    uint256 internal constant USED_BIT = 1 << 255;
    uint256 private constant COUNT_SHIFT = CAPACITY * LANE_BITS; // 240
    uint256 private constant COUNT_MASK = 31; // 5 bits hold 0..16

    /// @notice How many markets the set holds.
    function count(uint256 set) internal pure returns (uint256) {
        return (set >> COUNT_SHIFT) & COUNT_MASK;
    }

    /// @notice The market index in lane `i` (meaningful for `i < count(set)`).
    function at(uint256 set, uint256 i) internal pure returns (uint256) {
        return (set >> (i * LANE_BITS)) & MAX_INDEX;
    }

    /// @notice `set` with `index` appended (the caller knows it is not in the set yet).
    function add(uint256 set, uint256 index) internal pure returns (uint256) {
        // Unchecked: index 0 wraps to 2^256 - 1, so one comparison rejects both 0 and above MAX_INDEX.
        unchecked {
            if (index - 1 >= MAX_INDEX) revert MarketSet_InvalidIndex(index, MAX_INDEX);
        }
        uint256 n = count(set);
        if (n >= CAPACITY) revert MarketSet_Full(CAPACITY);
        // n < 16: the count field (5 bits) holds n + 1 without reaching the used bit.
        return (set + (1 << COUNT_SHIFT)) | (index << (n * LANE_BITS)) | USED_BIT;
    }

    /// @notice `set` without `index`: the last lane moves into its place. A set that does not hold
    /// `index` is returned unchanged (like OpenZeppelin's `EnumerableSet.remove` returning false).
    function remove(uint256 set, uint256 index) internal pure returns (uint256) {
        uint256 n = count(set);
        for (uint256 i; i < n; ++i) {
            if (at(set, i) != index) continue;
            // The last lane moves into lane i, then the last lane is cleared (when i is the last lane,
            // it rewrites itself and is cleared).
            uint256 shift = i * LANE_BITS;
            uint256 lastShift = (n - 1) * LANE_BITS;
            set = (set & ~(MAX_INDEX << shift)) | (((set >> lastShift) & MAX_INDEX) << shift);
            // n >= 1 here: the count field does not underflow.
            return (set & ~(MAX_INDEX << lastShift)) - (1 << COUNT_SHIFT);
        }
        return set;
    }
}
