// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IPyth} from "@pythnetwork/pyth-sdk-solidity/IPyth.sol";
import {MockPyth} from "@pythnetwork/pyth-sdk-solidity/MockPyth.sol";
import {PythErrors} from "@pythnetwork/pyth-sdk-solidity/PythErrors.sol";
import {console} from "hardhat/console.sol";

import {PriceObservation} from "../../contracts/interfaces/IPriceSource.sol";
import {IPythSource, PythFeedConfig} from "../../contracts/interfaces/IPythSource.sol";
import {Constants} from "../../contracts/libraries/Constants.sol";
import {PythSource} from "../../contracts/oracles/PythSource.sol";
import {Test} from "../utils/Test.sol";

contract PythSourceTest is Test {
    bytes32 internal constant AAPL = bytes32("AAPL-USD");
    bytes32 internal constant TSLA = bytes32("TSLA-USD");
    bytes32 internal constant AAPL_PRICE_ID = keccak256("pyth:Equity.US.AAPL/USD");
    bytes32 internal constant TSLA_PRICE_ID = keccak256("pyth:Equity.US.TSLA/USD");
    bytes32 internal constant ADMIN_ROLE = 0x00;
    uint256 internal constant NOW = 1_767_225_600; // 2026-01-01 00:00:00 UTC
    uint256 internal constant MAX_AGE = 60;
    uint16 internal constant MAX_CONF_BPS = 50; // 0.5 %

    PythSource internal source;
    MockPyth internal pyth;
    address internal admin;
    address internal stranger;

    function setUp() public {
        vm.warp(NOW);
        admin = makeAddr("timelock");
        stranger = makeAddr("stranger");
        pyth = new MockPyth(MAX_AGE, 1 wei);
        source = new PythSource(IPyth(address(pyth)), admin);
        vm.prank(admin);
        source.setPriceFeed(AAPL, AAPL_PRICE_ID, MAX_CONF_BPS);
    }

    /// @dev What the oracle keeper does: push a signed update to the Pyth contract itself.
    function _push(int64 price, uint64 conf, int32 expo, uint256 publishTime) internal {
        bytes[] memory updates = new bytes[](1);
        updates[0] = pyth.createPriceFeedUpdateData(
            AAPL_PRICE_ID,
            price,
            conf,
            expo,
            price,
            conf,
            uint64(publishTime),
            0
        );
        pyth.updatePriceFeeds{value: pyth.getUpdateFee(updates)}(updates);
    }

    function _expectRevert(bytes memory revertData) internal {
        vm.expectRevert(revertData);
    }

    // ================================================================== exponents

    function test_latestPrice_NegativeExponent() public {
        _push(201_25000000, 2_000000, -8, NOW - 3); // $201.25 ± $0.02
        PriceObservation memory observation = source.latestPrice(AAPL, MAX_AGE);
        assertEq(observation.priceX18, 201.25e18, "price");
        assertEq(observation.confidenceX18, 0.02e18, "confidence");
        assertEq(observation.observedAt, NOW - 3, "publish time");
    }

    function test_latestPrice_ZeroExponent() public {
        _push(201, 0, 0, NOW);
        PriceObservation memory observation = source.latestPrice(AAPL, MAX_AGE);
        assertEq(observation.priceX18, 201e18, "price");
        assertEq(observation.confidenceX18, 0, "confidence");
    }

    function test_latestPrice_PositiveExponent() public {
        _push(3, 0, 2, NOW); // 3 * 10^2
        assertEq(source.latestPrice(AAPL, MAX_AGE).priceX18, 300e18, "price");
    }

    function test_latestPrice_ExponentBelowMinus18RoundsPriceDownAndConfidenceUp() public {
        _push(2_012_500, 1_001, -22, NOW); // 2.0125e-16, conf 1.001e-19
        PriceObservation memory observation = source.latestPrice(AAPL, MAX_AGE);
        assertEq(observation.priceX18, 201, "2012500 / 10^4, rounded down");
        assertEq(observation.confidenceX18, 1, "1001 / 10^4, rounded up");
    }

    function test_latestPrice_LargestRepresentableShift() public {
        _push(type(int64).max, 0, 40, NOW); // shift 58: 9.22e18 * 1e58 < 2^256
        assertEq(source.latestPrice(AAPL, MAX_AGE).priceX18, uint256(uint64(type(int64).max)) * 1e58, "fits");
    }

    /// @dev Reference: shift one decimal digit at a time, detecting overflow at each step.
    function _referenceX18(uint256 value, int256 shift) internal pure returns (bool ok, uint256 result) {
        result = value;
        for (int256 i = 0; i < shift; ++i) {
            if (result > type(uint256).max / 10) return (false, 0);
            result *= 10;
        }
        for (int256 i = 0; i > shift && result != 0; --i) result /= 10;
        return (result != 0, result);
    }

    function testFuzz_latestPrice_MatchesReferenceScaling(int64 price, int32 expo) public {
        price = int64(bound(int256(price), 1, int256(type(int64).max)));
        expo = int32(bound(int256(expo), -120, 80));
        _push(price, 0, expo, NOW);
        (bool ok, uint256 expected) = _referenceX18(uint256(int256(price)), int256(expo) + 18);
        if (ok) {
            assertEq(source.latestPrice(AAPL, MAX_AGE).priceX18, expected, "scaled like the reference");
        } else {
            bytes4 selector =
                expo > -18
                    ? IPythSource.Pyth_PriceOverflow.selector
                    : IPythSource.Pyth_PriceBelowResolution.selector;
            _expectRevert(abi.encodeWithSelector(selector, AAPL, price, expo));
            source.latestPrice(AAPL, MAX_AGE);
        }
    }

    function testFuzz_latestPrice_ConfidenceBoundIsExact(uint64 conf, int64 price, uint16 maxConfBps) public {
        price = int64(bound(int256(price), 1, int256(type(int64).max)));
        maxConfBps = uint16(
            bound(maxConfBps, Constants.PYTH_MIN_CONF_BPS, Constants.PYTH_MAX_CONF_BPS_BOUND)
        );
        // Around the bound: up to twice the widest accepted interval, so both outcomes are common.
        conf = uint64(bound(conf, 0, (uint256(int256(price)) * maxConfBps * 2) / 10_000 + 1));
        vm.prank(admin);
        source.setPriceFeed(AAPL, AAPL_PRICE_ID, maxConfBps);
        _push(price, conf, -8, NOW);
        uint256 rawPrice = uint256(int256(price));
        if (uint256(conf) * 10_000 <= rawPrice * maxConfBps) {
            assertGe(source.latestPrice(AAPL, MAX_AGE).priceX18, 1, "accepted");
        } else {
            uint256 confBps = (uint256(conf) * 10_000 + rawPrice - 1) / rawPrice;
            _expectRevert(
                abi.encodeWithSelector(IPythSource.Pyth_ConfidenceTooWide.selector, AAPL, confBps, maxConfBps)
            );
            source.latestPrice(AAPL, MAX_AGE);
        }
    }

    // ================================================================== freshness

    function test_latestPrice_AcceptsAgeEqualToMaxAge() public {
        _push(201_25000000, 0, -8, NOW - MAX_AGE);
        assertEq(source.latestPrice(AAPL, MAX_AGE).observedAt, NOW - MAX_AGE, "age == maxAge is fresh");
    }

    function test_latestPrice_CapsFuturePublishTimeAtNow() public {
        _push(201_25000000, 0, -8, NOW + 2); // Pyth's clock ahead of a lagging L2 block
        assertEq(source.latestPrice(AAPL, MAX_AGE).observedAt, NOW, "capped");
    }

    function test_latestPrice_RevertIf_Stale() public {
        _push(201_25000000, 0, -8, NOW - MAX_AGE - 1);
        _expectRevert(
            abi.encodeWithSelector(
                IPythSource.Pyth_PriceUnavailable.selector,
                AAPL,
                AAPL_PRICE_ID,
                abi.encodeWithSelector(PythErrors.StalePrice.selector)
            )
        );
        source.latestPrice(AAPL, MAX_AGE);
    }

    function test_latestPrice_RevertIf_NeverPushed() public {
        _expectRevert(
            abi.encodeWithSelector(
                IPythSource.Pyth_PriceUnavailable.selector,
                AAPL,
                AAPL_PRICE_ID,
                abi.encodeWithSelector(PythErrors.PriceFeedNotFound.selector)
            )
        );
        source.latestPrice(AAPL, MAX_AGE);
    }

    function test_latestPrice_RevertIf_MarketNotConfigured() public {
        _expectRevert(abi.encodeWithSelector(IPythSource.Pyth_MarketNotConfigured.selector, TSLA));
        source.latestPrice(TSLA, MAX_AGE);
    }

    // ================================================================== value checks

    function test_latestPrice_RevertIf_ZeroPrice() public {
        _push(0, 0, -8, NOW);
        _expectRevert(abi.encodeWithSelector(IPythSource.Pyth_NonPositivePrice.selector, AAPL, int64(0)));
        source.latestPrice(AAPL, MAX_AGE);
    }

    function test_latestPrice_RevertIf_NegativePrice() public {
        _push(-201_25000000, 0, -8, NOW);
        _expectRevert(
            abi.encodeWithSelector(IPythSource.Pyth_NonPositivePrice.selector, AAPL, int64(-201_25000000))
        );
        source.latestPrice(AAPL, MAX_AGE);
    }

    function test_latestPrice_AcceptsConfidenceAtBound() public {
        _push(200_00000000, 1_00000000, -8, NOW); // $1 on $200 = exactly 50 bps
        assertEq(source.latestPrice(AAPL, MAX_AGE).confidenceX18, 1e18, "at the bound");
    }

    function test_latestPrice_RevertIf_ConfidenceTooWide() public {
        _push(200_00000000, 1_00000001, -8, NOW); // a hair above 50 bps: reported as 51 (rounded up)
        _expectRevert(
            abi.encodeWithSelector(IPythSource.Pyth_ConfidenceTooWide.selector, AAPL, 51, MAX_CONF_BPS)
        );
        source.latestPrice(AAPL, MAX_AGE);
    }

    function test_latestPrice_RevertIf_ShiftOverflowsEveryValue() public {
        _push(1, 0, 60, NOW); // shift 78 > 77
        _expectRevert(
            abi.encodeWithSelector(IPythSource.Pyth_PriceOverflow.selector, AAPL, int64(1), int32(60))
        );
        source.latestPrice(AAPL, MAX_AGE);
    }

    function test_latestPrice_RevertIf_ScaledPriceOverflows() public {
        _push(type(int64).max, 0, 41, NOW); // shift 59: 9.22e18 * 1e59 > 2^256
        _expectRevert(
            abi.encodeWithSelector(IPythSource.Pyth_PriceOverflow.selector, AAPL, type(int64).max, int32(41))
        );
        source.latestPrice(AAPL, MAX_AGE);
    }

    function test_latestPrice_RevertIf_BelowResolution() public {
        _push(999, 0, -21, NOW); // 9.99e-19 < 1e-18
        _expectRevert(
            abi.encodeWithSelector(
                IPythSource.Pyth_PriceBelowResolution.selector,
                AAPL,
                int64(999),
                int32(-21)
            )
        );
        source.latestPrice(AAPL, MAX_AGE);
    }

    function test_latestPrice_RevertIf_ShiftTruncatesEveryValue() public {
        _push(type(int64).max, 0, -100, NOW); // shift -82
        _expectRevert(
            abi.encodeWithSelector(
                IPythSource.Pyth_PriceBelowResolution.selector,
                AAPL,
                type(int64).max,
                int32(-100)
            )
        );
        source.latestPrice(AAPL, MAX_AGE);
    }

    // ================================================================== governance

    function test_constructor_RevertIf_ZeroAddress() public {
        _expectRevert(abi.encodeWithSelector(IPythSource.Pyth_ZeroAddress.selector));
        new PythSource(IPyth(address(0)), admin);
        _expectRevert(abi.encodeWithSelector(IPythSource.Pyth_ZeroAddress.selector));
        new PythSource(IPyth(address(pyth)), address(0));
    }

    function test_constructor_SetsPythAndAdmin() public view {
        assertEq(address(source.pyth()), address(pyth), "pyth");
        assertTrue(source.hasRole(ADMIN_ROLE, admin), "admin");
    }

    function test_setPriceFeed_AssignsAndUnassigns() public {
        vm.expectEmit(true, false, false, true, address(source));
        emit IPythSource.PriceFeedSet(TSLA, TSLA_PRICE_ID, 500);
        vm.prank(admin);
        source.setPriceFeed(TSLA, TSLA_PRICE_ID, 500);
        PythFeedConfig memory config = source.feedConfigOf(TSLA);
        assertEq(config.priceId, TSLA_PRICE_ID, "price id");
        assertEq(uint256(config.maxConfBps), 500, "bound");

        vm.expectEmit(true, false, false, true, address(source));
        emit IPythSource.PriceFeedSet(TSLA, bytes32(0), 0);
        vm.prank(admin);
        source.setPriceFeed(TSLA, bytes32(0), 0);
        assertEq(source.feedConfigOf(TSLA).priceId, bytes32(0), "unassigned");
    }

    function test_setPriceFeed_RevertIf_NotAdmin() public {
        _expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector,
                stranger,
                ADMIN_ROLE
            )
        );
        vm.prank(stranger);
        source.setPriceFeed(TSLA, TSLA_PRICE_ID, 10);
    }

    function test_setPriceFeed_RevertIf_BoundOutOfRange() public {
        uint256 min = Constants.PYTH_MIN_CONF_BPS;
        uint256 max = Constants.PYTH_MAX_CONF_BPS_BOUND;
        vm.startPrank(admin);
        _expectRevert(abi.encodeWithSelector(IPythSource.Pyth_MaxConfBpsOutOfRange.selector, 0, min, max));
        source.setPriceFeed(TSLA, TSLA_PRICE_ID, 0);
        _expectRevert(
            abi.encodeWithSelector(IPythSource.Pyth_MaxConfBpsOutOfRange.selector, max + 1, min, max)
        );
        source.setPriceFeed(TSLA, TSLA_PRICE_ID, uint16(max + 1));
        _expectRevert(abi.encodeWithSelector(IPythSource.Pyth_MaxConfBpsOutOfRange.selector, 5, min, max));
        source.setPriceFeed(TSLA, bytes32(0), 5); // unassigning carries no bound
        source.setPriceFeed(TSLA, TSLA_PRICE_ID, uint16(min));
        source.setPriceFeed(TSLA, TSLA_PRICE_ID, uint16(max));
        vm.stopPrank();
        assertEq(uint256(source.feedConfigOf(TSLA).maxConfBps), max, "bounds inclusive");
    }

    // ================================================================== gas

    /// @dev See `ChainlinkDataStreamsSourceTest.test_gas_submitReportAndLatestPrice` for the method.
    function test_gas_latestPrice() public {
        _push(201_25000000, 2_000000, -8, NOW);
        uint256 before = gasleft();
        source.latestPrice(AAPL, MAX_AGE);
        uint256 readGas = before - gasleft();
        console.log("PythSource.latestPrice", readGas);
        assertLe(readGas, 30_000, "latestPrice");
    }
}
