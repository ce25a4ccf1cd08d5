// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Test} from "../utils/Test.sol";
import {MockPriceSource} from "../../contracts/mocks/MockPriceSource.sol";
import {PriceObservation} from "../../contracts/interfaces/IPriceSource.sol";

/// @notice The one-slot storage of the benchmark source: every observation round-trips exactly,
/// packed at the edges of its fields and unpacked beyond them; reverts and the age check unchanged.
contract MockPriceSourceTest is Test {
    bytes32 internal constant AAPL = "AAPL-USD";
    uint256 internal constant NOW = 1_800_000_000;

    MockPriceSource internal source;

    function setUp() public {
        vm.warp(NOW);
        source = new MockPriceSource();
    }

    function test_setPrice_RoundTripsAtThePackedBounds() public {
        _assertRoundTrip(type(uint128).max, NOW, 0); // the largest packed price
        _assertRoundTrip(1, NOW, 0);
        vm.warp(type(uint64).max);
        _assertRoundTrip(100e18, type(uint64).max, 0); // the largest packed time
    }

    function test_setPrice_RoundTripsBeyondThePackedBounds() public {
        _assertRoundTrip(uint256(type(uint128).max) + 1, NOW, 0);
        _assertRoundTrip(type(uint256).max, NOW, 0);
        _assertRoundTrip(100e18, NOW, 7e18); // any confidence is kept unpacked
        vm.warp(uint256(type(uint64).max) + 1);
        _assertRoundTrip(100e18, uint256(type(uint64).max) + 1, 0);
        _assertRoundTrip(100e18, block.timestamp, 0); // and back to packed
    }

    function test_setReverting_KeepsTheObservationAndSetPriceClearsIt() public {
        source.setObservation(AAPL, type(uint256).max, NOW, 1); // unpacked
        source.setReverting(AAPL, true);
        assertTrue(source.reverting(AAPL));
        vm.expectRevert(abi.encodeWithSelector(MockPriceSource.MockSource_NoPrice.selector, AAPL));
        source.latestPrice(AAPL, 60);
        (uint256 priceX18, , uint256 confidenceX18) = source.observations(AAPL);
        assertEq(priceX18, type(uint256).max, "kept while reverting");
        assertEq(confidenceX18, 1);
        source.setReverting(AAPL, false);
        assertEq(source.latestPrice(AAPL, 60).priceX18, type(uint256).max);
        source.setReverting(AAPL, true);
        source.setPrice(AAPL, 5e18, NOW);
        assertFalse(source.reverting(AAPL));
        assertEq(source.latestPrice(AAPL, 60).priceX18, 5e18);
    }

    function test_latestPrice_RevertIf_NoPriceOrStale() public {
        vm.expectRevert(abi.encodeWithSelector(MockPriceSource.MockSource_NoPrice.selector, AAPL));
        source.latestPrice(AAPL, 60);
        source.setPrice(AAPL, 5e18, NOW - 60);
        assertEq(source.latestPrice(AAPL, 60).observedAt, NOW - 60, "exactly maxAge old: valid");
        vm.expectRevert(
            abi.encodeWithSelector(MockPriceSource.MockSource_Stale.selector, AAPL, NOW - 60, 59)
        );
        source.latestPrice(AAPL, 59);
        assertEq(source.latestPrice(AAPL, type(uint256).max - NOW).priceX18, 5e18, "huge maxAge");
        source.setEnforceMaxAge(false);
        assertEq(source.latestPrice(AAPL, 59).priceX18, 5e18, "stale returned when not enforced");
        assertEq(source.latestPrice(AAPL, 0).observedAt, NOW - 60);
    }

    function _assertRoundTrip(uint256 priceX18, uint256 observedAt, uint256 confidenceX18) private {
        if (confidenceX18 == 0) source.setPrice(AAPL, priceX18, observedAt);
        else source.setObservation(AAPL, priceX18, observedAt, confidenceX18);
        (uint256 p, uint256 t, uint256 c) = source.observations(AAPL);
        assertEq(p, priceX18, "stored price");
        assertEq(t, observedAt, "stored time");
        assertEq(c, confidenceX18, "stored confidence");
        PriceObservation memory o = source.latestPrice(AAPL, 60);
        assertEq(o.priceX18, priceX18, "read price");
        assertEq(o.observedAt, observedAt, "read time");
        assertEq(o.confidenceX18, confidenceX18, "read confidence");
        assertFalse(source.reverting(AAPL));
    }
}
