// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AggregatorV3Interface} from "@chainlink/contracts/src/v0.8/shared/interfaces/AggregatorV3Interface.sol";
import {MockV3Aggregator} from "@chainlink/contracts/src/v0.8/tests/MockV3Aggregator.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {console} from "hardhat/console.sol";

import {IChainlinkFeedSource} from "../../contracts/interfaces/IChainlinkFeedSource.sol";
import {PriceObservation} from "../../contracts/interfaces/IPriceSource.sol";
import {ChainlinkFeedSource} from "../../contracts/oracles/ChainlinkFeedSource.sol";
import {Test} from "../utils/Test.sol";

contract ChainlinkFeedSourceTest is Test {
    bytes32 internal constant AAPL = bytes32("AAPL-USD");
    bytes32 internal constant TSLA = bytes32("TSLA-USD");
    bytes32 internal constant ADMIN_ROLE = 0x00;
    uint256 internal constant NOW = 1_767_225_600; // 2026-01-01 00:00:00 UTC
    uint256 internal constant MAX_AGE = 120;

    ChainlinkFeedSource internal source;
    MockV3Aggregator internal aggregator;
    address internal admin;
    address internal stranger;

    function setUp() public {
        vm.warp(NOW);
        admin = makeAddr("timelock");
        stranger = makeAddr("stranger");
        source = new ChainlinkFeedSource(admin);
        aggregator = new MockV3Aggregator(8, 201_25000000); // $201.25 with 8 decimals, updated now
        vm.prank(admin);
        source.setFeed(AAPL, aggregator);
    }

    function _useAggregator(uint8 decimals, int256 answer) internal returns (MockV3Aggregator fresh) {
        fresh = new MockV3Aggregator(decimals, answer);
        vm.prank(admin);
        source.setFeed(AAPL, fresh);
    }

    // ================================================================== happy paths

    function test_latestPrice_ScalesEightDecimals() public view {
        PriceObservation memory observation = source.latestPrice(AAPL, MAX_AGE);
        assertEq(observation.priceX18, 201.25e18, "8 decimals");
        assertEq(observation.observedAt, NOW, "updatedAt");
        assertEq(observation.confidenceX18, 0, "no confidence interval");
    }

    function test_latestPrice_KeepsEighteenDecimals() public {
        _useAggregator(18, 201.25e18);
        assertEq(source.latestPrice(AAPL, MAX_AGE).priceX18, 201.25e18, "18 decimals");
    }

    function test_latestPrice_ScalesOddDecimals() public {
        _useAggregator(5, 201_25000);
        assertEq(source.latestPrice(AAPL, MAX_AGE).priceX18, 201.25e18, "5 decimals");
        _useAggregator(0, 201);
        assertEq(source.latestPrice(AAPL, MAX_AGE).priceX18, 201e18, "0 decimals");
        _useAggregator(27, 201.25e27 + 999_999_999);
        assertEq(source.latestPrice(AAPL, MAX_AGE).priceX18, 201.25e18, "27 decimals round down");
        _useAggregator(36, 201.25e36);
        assertEq(source.latestPrice(AAPL, MAX_AGE).priceX18, 201.25e18, "36 decimals");
    }

    function test_latestPrice_AcceptsAgeEqualToMaxAge() public {
        vm.warp(NOW + MAX_AGE);
        assertEq(source.latestPrice(AAPL, MAX_AGE).observedAt, NOW, "age == maxAge is fresh");
    }

    /// @dev Reference: scale one decimal digit at a time, detecting overflow at each step.
    function _referenceX18(uint256 answer, uint8 decimals) internal pure returns (bool ok, uint256 value) {
        value = answer;
        for (uint256 d = decimals; d < 18; ++d) {
            if (value > type(uint256).max / 10) return (false, 0);
            value *= 10;
        }
        for (uint256 d = 18; d < decimals; ++d) value /= 10;
        return (value != 0, value);
    }

    function testFuzz_latestPrice_MatchesReferenceScaling(uint8 decimals, uint256 rawAnswer) public {
        decimals = uint8(bound(decimals, 0, 36));
        int256 answer = int256(bound(rawAnswer, 1, uint256(type(int256).max)));
        _useAggregator(decimals, answer);
        (bool ok, uint256 expected) = _referenceX18(uint256(answer), decimals);
        if (ok) {
            assertEq(source.latestPrice(AAPL, MAX_AGE).priceX18, expected, "scaled like the reference");
        } else {
            bytes4 selector =
                decimals < 18
                    ? IChainlinkFeedSource.ChainlinkFeed_PriceOverflow.selector
                    : IChainlinkFeedSource.ChainlinkFeed_PriceBelowResolution.selector;
            vm.expectRevert(abi.encodeWithSelector(selector, AAPL, answer, decimals));
            source.latestPrice(AAPL, MAX_AGE);
        }
    }

    /// @dev Realistic magnitudes (up to $10^12 per share) never overflow nor vanish.
    function testFuzz_latestPrice_RealisticPricesRoundTrip(uint8 decimals, uint256 priceX18) public {
        decimals = uint8(bound(decimals, 0, 36));
        priceX18 = bound(priceX18, 1, 1e30) * 1e18; // whole-unit prices, representable at any decimals
        uint256 answer = decimals <= 18 ? priceX18 / 10 ** (18 - decimals) : priceX18 * 10 ** (decimals - 18);
        _useAggregator(decimals, int256(answer));
        assertEq(source.latestPrice(AAPL, MAX_AGE).priceX18, priceX18, "round trip");
    }

    // ================================================================== rejections

    function test_latestPrice_RevertIf_FeedNotSet() public {
        vm.expectRevert(abi.encodeWithSelector(IChainlinkFeedSource.ChainlinkFeed_FeedNotSet.selector, TSLA));
        source.latestPrice(TSLA, MAX_AGE);
    }

    function test_latestPrice_RevertIf_ZeroAnswer() public {
        aggregator.updateAnswer(0);
        vm.expectRevert(
            abi.encodeWithSelector(
                IChainlinkFeedSource.ChainlinkFeed_NonPositiveAnswer.selector,
                AAPL,
                int256(0)
            )
        );
        source.latestPrice(AAPL, MAX_AGE);
    }

    function test_latestPrice_RevertIf_NegativeAnswer() public {
        aggregator.updateAnswer(-1);
        vm.expectRevert(
            abi.encodeWithSelector(
                IChainlinkFeedSource.ChainlinkFeed_NonPositiveAnswer.selector,
                AAPL,
                int256(-1)
            )
        );
        source.latestPrice(AAPL, MAX_AGE);
    }

    function test_latestPrice_RevertIf_ZeroUpdatedAt() public {
        aggregator.updateRoundData(7, 201_25000000, 0, 0);
        vm.expectRevert(
            abi.encodeWithSelector(IChainlinkFeedSource.ChainlinkFeed_ZeroUpdatedAt.selector, AAPL, uint80(7))
        );
        source.latestPrice(AAPL, MAX_AGE);
    }

    function test_latestPrice_RevertIf_UpdatedInFuture() public {
        aggregator.updateRoundData(7, 201_25000000, NOW + 1, NOW + 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                IChainlinkFeedSource.ChainlinkFeed_UpdatedInFuture.selector,
                AAPL,
                NOW + 1,
                NOW
            )
        );
        source.latestPrice(AAPL, MAX_AGE);
    }

    function test_latestPrice_RevertIf_RoundIncomplete() public {
        vm.mockCall(
            address(aggregator),
            abi.encodeWithSelector(AggregatorV3Interface.latestRoundData.selector),
            abi.encode(uint80(9), int256(201_25000000), NOW, NOW, uint80(8))
        );
        vm.expectRevert(
            abi.encodeWithSelector(
                IChainlinkFeedSource.ChainlinkFeed_RoundIncomplete.selector,
                AAPL,
                uint80(9),
                uint80(8)
            )
        );
        source.latestPrice(AAPL, MAX_AGE);
    }

    function test_latestPrice_RevertIf_Stale() public {
        vm.warp(NOW + MAX_AGE + 1);
        vm.expectRevert(
            abi.encodeWithSelector(IChainlinkFeedSource.ChainlinkFeed_StalePrice.selector, AAPL, NOW, MAX_AGE)
        );
        source.latestPrice(AAPL, MAX_AGE);
    }

    function test_latestPrice_RevertIf_ScalingOverflows() public {
        _useAggregator(0, type(int256).max);
        vm.expectRevert(
            abi.encodeWithSelector(
                IChainlinkFeedSource.ChainlinkFeed_PriceOverflow.selector,
                AAPL,
                type(int256).max,
                uint8(0)
            )
        );
        source.latestPrice(AAPL, MAX_AGE);
    }

    function test_latestPrice_RevertIf_BelowResolution() public {
        _useAggregator(36, 1e18 - 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                IChainlinkFeedSource.ChainlinkFeed_PriceBelowResolution.selector,
                AAPL,
                int256(1e18 - 1),
                uint8(36)
            )
        );
        source.latestPrice(AAPL, MAX_AGE);
    }

    /// @dev Decimals are read on every call: a proxy re-pointed to an aggregator with out-of-range
    /// decimals after `setFeed` is rejected rather than mis-scaled.
    function test_latestPrice_RevertIf_DecimalsChangedOutOfRange() public {
        vm.mockCall(
            address(aggregator),
            abi.encodeWithSelector(AggregatorV3Interface.decimals.selector),
            abi.encode(37)
        );
        vm.expectRevert(
            abi.encodeWithSelector(
                IChainlinkFeedSource.ChainlinkFeed_DecimalsOutOfRange.selector,
                address(aggregator),
                uint8(37)
            )
        );
        source.latestPrice(AAPL, MAX_AGE);
    }

    // ================================================================== governance

    function test_constructor_RevertIf_ZeroAdmin() public {
        vm.expectRevert(abi.encodeWithSelector(IChainlinkFeedSource.ChainlinkFeed_ZeroAddress.selector));
        new ChainlinkFeedSource(address(0));
    }

    function test_setFeed_AssignsAndUnassigns() public {
        MockV3Aggregator tsla = new MockV3Aggregator(8, 400e8);
        vm.expectEmit(true, false, false, true, address(source));
        emit IChainlinkFeedSource.FeedSet(TSLA, address(0), address(tsla));
        vm.prank(admin);
        source.setFeed(TSLA, tsla);
        assertEq(address(source.feedOf(TSLA)), address(tsla), "assigned");
        assertEq(source.latestPrice(TSLA, MAX_AGE).priceX18, 400e18, "served");

        vm.expectEmit(true, false, false, true, address(source));
        emit IChainlinkFeedSource.FeedSet(TSLA, address(tsla), address(0));
        vm.prank(admin);
        source.setFeed(TSLA, AggregatorV3Interface(address(0)));
        assertEq(address(source.feedOf(TSLA)), address(0), "unassigned");
    }

    function test_setFeed_RevertIf_NotAdmin() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector,
                stranger,
                ADMIN_ROLE
            )
        );
        vm.prank(stranger);
        source.setFeed(TSLA, aggregator);
    }

    function test_setFeed_RevertIf_DecimalsOutOfRange() public {
        MockV3Aggregator tooPrecise = new MockV3Aggregator(37, 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                IChainlinkFeedSource.ChainlinkFeed_DecimalsOutOfRange.selector,
                address(tooPrecise),
                uint8(37)
            )
        );
        vm.prank(admin);
        source.setFeed(TSLA, tooPrecise);
    }

    // ================================================================== gas

    /// @dev See `ChainlinkDataStreamsSourceTest.test_gas_submitReportAndLatestPrice` for the method.
    function test_gas_latestPrice() public view {
        uint256 before = gasleft();
        source.latestPrice(AAPL, MAX_AGE);
        uint256 readGas = before - gasleft();
        console.log("ChainlinkFeedSource.latestPrice", readGas);
        assertLe(readGas, 25_000, "latestPrice");
    }
}
