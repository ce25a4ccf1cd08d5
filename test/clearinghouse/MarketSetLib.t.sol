// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Test} from "../utils/Test.sol";
import {Constants} from "../../contracts/libraries/Constants.sol";
import {MarketSetLib} from "../../contracts/libraries/MarketSetLib.sol";

/// @notice `MarketSetLib`: the one-word set of an account's markets (lanes, count, used bit), its
/// errors, and a fuzzed comparison with a plain array model.
contract MarketSetLibTest is Test {
    uint256 internal constant MAX = MarketSetLib.MAX_INDEX;

    function test_add_AppendsAndSetsTheUsedBit() public pure {
        uint256 set = MarketSetLib.add(0, 7);
        assertEq(MarketSetLib.count(set), 1, "count");
        assertEq(MarketSetLib.at(set, 0), 7, "lane 0");
        assertTrue(set & MarketSetLib.USED_BIT != 0, "used");
        set = MarketSetLib.add(set, MAX);
        assertEq(MarketSetLib.count(set), 2, "count 2");
        assertEq(MarketSetLib.at(set, 1), MAX, "lane 1 holds the largest index");
        assertEq(MarketSetLib.at(set, 0), 7, "lane 0 kept");
    }

    function test_add_HoldsCapacityMarkets() public pure {
        uint256 set;
        for (uint256 i = 1; i <= MarketSetLib.CAPACITY; ++i) set = MarketSetLib.add(set, MAX - i);
        assertEq(MarketSetLib.count(set), Constants.CH_MAX_MARKETS_PER_ACCOUNT, "full");
        for (uint256 i; i < MarketSetLib.CAPACITY; ++i)
            assertEq(MarketSetLib.at(set, i), MAX - i - 1, "lane");
    }

    function test_remove_MovesTheLastLaneAndKeepsTheUsedBit() public pure {
        uint256 set = MarketSetLib.add(MarketSetLib.add(MarketSetLib.add(0, 1), 2), 3);
        set = MarketSetLib.remove(set, 1);
        assertEq(MarketSetLib.count(set), 2, "count");
        assertEq(MarketSetLib.at(set, 0), 3, "last moved into lane 0");
        assertEq(MarketSetLib.at(set, 1), 2, "lane 1 kept");
        assertEq(MarketSetLib.at(set, 2), 0, "freed lane cleared");
        set = MarketSetLib.remove(MarketSetLib.remove(set, 2), 3);
        assertEq(set, MarketSetLib.USED_BIT, "empty, still non-zero");
        assertEq(MarketSetLib.count(set), 0, "empty");
    }

    function test_add_RevertIf_Full() public {
        uint256 set;
        for (uint256 i = 1; i <= MarketSetLib.CAPACITY; ++i) set = MarketSetLib.add(set, i);
        vm.expectRevert(abi.encodeWithSelector(MarketSetLib.MarketSet_Full.selector, MarketSetLib.CAPACITY));
        this.add(set, 100);
    }

    function test_add_RevertIf_InvalidIndex() public {
        vm.expectRevert(abi.encodeWithSelector(MarketSetLib.MarketSet_InvalidIndex.selector, 0, MAX));
        this.add(0, 0);
        vm.expectRevert(abi.encodeWithSelector(MarketSetLib.MarketSet_InvalidIndex.selector, MAX + 1, MAX));
        this.add(0, MAX + 1);
    }

    function test_remove_LeavesASetWithoutTheIndexUnchanged() public pure {
        uint256 set = MarketSetLib.add(MarketSetLib.add(0, 5), 9);
        assertEq(MarketSetLib.remove(set, 6), set, "unchanged");
        assertEq(MarketSetLib.remove(MarketSetLib.USED_BIT, 6), MarketSetLib.USED_BIT, "empty set unchanged");
    }

    /// @dev Random adds and removes agree with an array model (membership and count).
    function testFuzz_addRemove_MatchesAnArrayModel(uint256 seed) public pure {
        uint256 set;
        uint256[] memory model = new uint256[](MarketSetLib.CAPACITY);
        uint256 n;
        for (uint256 step; step < 64; ++step) {
            seed = uint256(keccak256(abi.encode(seed, step)));
            uint256 index = (seed % 40) + 1;
            (bool found, uint256 at) = _find(model, n, index);
            if (found) {
                set = MarketSetLib.remove(set, index);
                model[at] = model[n - 1];
                --n;
            } else if (n < MarketSetLib.CAPACITY) {
                set = MarketSetLib.add(set, index);
                model[n++] = index;
            }
            assertEq(MarketSetLib.count(set), n, "count");
            for (uint256 i; i < n; ++i) assertEq(MarketSetLib.at(set, i), model[i], "lane");
            for (uint256 i = n; i < MarketSetLib.CAPACITY; ++i)
                assertEq(MarketSetLib.at(set, i), 0, "free lane");
        }
    }

    function add(uint256 set, uint256 index) external pure returns (uint256) {
        return MarketSetLib.add(set, index);
    }

    function _find(uint256[] memory model, uint256 n, uint256 index) private pure returns (bool, uint256) {
        for (uint256 i; i < n; ++i) if (model[i] == index) return (true, i);
        return (false, 0);
    }
}
