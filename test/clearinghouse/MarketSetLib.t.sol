// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Test} from "../utils/Test.sol";
import {Constants} from "../../contracts/libraries/Constants.sol";
import {MarketSetLib} from "../../contracts/libraries/MarketSetLib.sol";

/// @notice `MarketSetLib`: the one-word set of an account's markets (16 stable lanes, count, used
/// bit), its errors, and a fuzzed comparison with a lane array model.
contract MarketSetLibTest is Test {
    uint256 internal constant MAX = MarketSetLib.MAX_INDEX;
    uint256 internal constant NO_LANE = MarketSetLib.NO_LANE;

    function test_add_FillsTheGivenLaneAndSetsTheUsedBit() public pure {
        uint256 set = MarketSetLib.add(0, 0, 7);
        assertEq(MarketSetLib.count(set), 1, "count");
        assertEq(MarketSetLib.at(set, 0), 7, "lane 0");
        assertTrue(set & MarketSetLib.USED_BIT != 0, "used");
        set = MarketSetLib.add(set, 5, MAX);
        assertEq(MarketSetLib.count(set), 2, "count 2");
        assertEq(MarketSetLib.at(set, 5), MAX, "lane 5 holds the largest index");
        assertEq(MarketSetLib.at(set, 0), 7, "lane 0 kept");
        assertEq(MarketSetLib.at(set, 1), 0, "lane 1 still free");
    }

    function test_add_HoldsCapacityMarkets() public pure {
        uint256 set;
        for (uint256 i; i < MarketSetLib.CAPACITY; ++i) set = MarketSetLib.add(set, i, MAX - i);
        assertEq(MarketSetLib.count(set), Constants.CH_MAX_MARKETS_PER_ACCOUNT, "full");
        for (uint256 i; i < MarketSetLib.CAPACITY; ++i) assertEq(MarketSetLib.at(set, i), MAX - i, "lane");
        assertEq(MarketSetLib.freeLane(set), NO_LANE, "no free lane");
        (bool found, uint256 lane) = MarketSetLib.find(set, 1);
        assertFalse(found, "not held");
        assertEq(lane, NO_LANE, "full: no lane to take");
    }

    function test_remove_FreesTheLaneInPlaceAndKeepsTheUsedBit() public pure {
        uint256 set = MarketSetLib.add(MarketSetLib.add(MarketSetLib.add(0, 0, 1), 1, 2), 2, 3);
        set = MarketSetLib.remove(set, 1);
        assertEq(MarketSetLib.count(set), 2, "count");
        assertEq(MarketSetLib.at(set, 0), 1, "lane 0 kept");
        assertEq(MarketSetLib.at(set, 1), 0, "lane 1 freed");
        assertEq(MarketSetLib.at(set, 2), 3, "lane 2 did not move");
        assertEq(MarketSetLib.freeLane(set), 1, "the freed lane is the lowest free one");
        set = MarketSetLib.remove(MarketSetLib.remove(set, 0), 2);
        assertEq(set, MarketSetLib.USED_BIT, "empty, still non-zero");
        assertEq(MarketSetLib.count(set), 0, "empty");
    }

    function test_find_ReturnsTheLaneOrTheLowestFreeLane() public pure {
        uint256 set = MarketSetLib.add(MarketSetLib.add(0, 0, 4), 2, 9);
        (bool found, uint256 lane) = MarketSetLib.find(set, 9);
        assertTrue(found, "held");
        assertEq(lane, 2, "its lane");
        (found, lane) = MarketSetLib.find(set, 5);
        assertFalse(found, "not held");
        assertEq(lane, 1, "lowest free lane");
        assertEq(MarketSetLib.freeLane(0), 0, "an empty set starts at lane 0");
    }

    function test_add_RevertIf_Full() public {
        uint256 set;
        for (uint256 i; i < MarketSetLib.CAPACITY; ++i) set = MarketSetLib.add(set, i, i + 1);
        vm.expectRevert(abi.encodeWithSelector(MarketSetLib.MarketSet_Full.selector, MarketSetLib.CAPACITY));
        this.add(set, NO_LANE, 100);
    }

    function test_add_RevertIf_InvalidIndex() public {
        vm.expectRevert(abi.encodeWithSelector(MarketSetLib.MarketSet_InvalidIndex.selector, 0, MAX));
        this.add(0, 0, 0);
        vm.expectRevert(abi.encodeWithSelector(MarketSetLib.MarketSet_InvalidIndex.selector, MAX + 1, MAX));
        this.add(0, 0, MAX + 1);
    }

    function test_add_RevertIf_LaneTaken() public {
        uint256 set = MarketSetLib.add(0, 3, 8);
        vm.expectRevert(abi.encodeWithSelector(MarketSetLib.MarketSet_InvalidLane.selector, 3));
        this.add(set, 3, 9);
    }

    function test_remove_RevertIf_LaneFreeOrOutOfRange() public {
        uint256 set = MarketSetLib.add(0, 0, 8);
        vm.expectRevert(abi.encodeWithSelector(MarketSetLib.MarketSet_InvalidLane.selector, 1));
        this.remove(set, 1);
        vm.expectRevert(abi.encodeWithSelector(MarketSetLib.MarketSet_InvalidLane.selector, NO_LANE));
        this.remove(set, NO_LANE);
    }

    /// @dev Random opens and closes (the clearinghouse's use: `find`, then `add` in the lane it gives
    /// or `remove` of the found lane) agree with a lane array model: membership, lanes never move,
    /// the count, and the lowest free lane is taken.
    function testFuzz_findAddRemove_MatchesALaneModel(uint256 seed) public pure {
        uint256 set;
        uint256[] memory model = new uint256[](MarketSetLib.CAPACITY);
        uint256 n;
        for (uint256 step; step < 64; ++step) {
            seed = uint256(keccak256(abi.encode(seed, step)));
            uint256 index = (seed % 40) + 1;
            (bool found, uint256 lane) = MarketSetLib.find(set, index);
            (bool modelFound, uint256 modelLane) = _find(model, index);
            assertEq(found, modelFound, "membership");
            assertEq(lane, modelLane, "lane");
            if (found) {
                set = MarketSetLib.remove(set, lane);
                model[lane] = 0;
                --n;
            } else if (lane != NO_LANE) {
                set = MarketSetLib.add(set, lane, index);
                model[lane] = index;
                ++n;
            }
            assertEq(MarketSetLib.count(set), n, "count");
            for (uint256 i; i < MarketSetLib.CAPACITY; ++i)
                assertEq(MarketSetLib.at(set, i), model[i], "lanes");
        }
    }

    function add(uint256 set, uint256 lane, uint256 index) external pure returns (uint256) {
        return MarketSetLib.add(set, lane, index);
    }

    function remove(uint256 set, uint256 lane) external pure returns (uint256) {
        return MarketSetLib.remove(set, lane);
    }

    /// @dev The model's lane of `index`, else its lowest free lane (NO_LANE when full).
    function _find(uint256[] memory model, uint256 index) private pure returns (bool, uint256) {
        uint256 free = NO_LANE;
        for (uint256 i; i < model.length; ++i) {
            if (model[i] == index) return (true, i);
            if (model[i] == 0 && free == NO_LANE) free = i;
        }
        return (false, free);
    }
}
