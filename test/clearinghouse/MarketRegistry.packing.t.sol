// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Test} from "../utils/Test.sol";
import {MarketRegistry} from "../../contracts/core/MarketRegistry.sol";
import {IMarketRegistry} from "../../contracts/interfaces/IMarketRegistry.sol";
import {IOracleAdapter} from "../../contracts/interfaces/IOracleAdapter.sol";
import {ISequencerGuard} from "../../contracts/interfaces/ISequencerGuard.sol";
import {Constants} from "../../contracts/libraries/Constants.sol";
import {MockOracleAdapter} from "../../contracts/mocks/MockOracleAdapter.sol";
import {CircuitBreakerParams, MarketConfig} from "../../contracts/types/Clearinghouse.sol";
import {FundingParams, MarketStatus, SessionRiskParams} from "../../contracts/types/Market.sol";
import {Session} from "../../contracts/types/Session.sol";

/// @notice The registry's packed storage (two slots of market configuration, one per session) and
/// its hand-encoded `tradingConfig`: every field round-trips at both ends of its hard bounds, a
/// setter leaves the fields sharing its slots alone, and `tradingConfig` returns byte for byte what
/// the compiler encodes for `marketConfig` and `sessionRiskParams`.
contract MarketRegistryPackingTest is Test {
    bytes32 internal constant AAPL = bytes32("AAPL-USD");
    uint256 internal constant QUANTUM = Constants.CH_STEP_SIZE_QUANTUM_X18;
    uint256 internal constant MAX_PERIOD = Constants.CH_MAX_BREAKER_PERIOD;
    uint256 internal constant MIN_PERIOD = Constants.CH_MIN_BREAKER_PERIOD;

    MockOracleAdapter internal oracle;
    MarketRegistry internal registry;
    address internal admin = makeAddr("admin");

    function setUp() public {
        oracle = new MockOracleAdapter(ISequencerGuard(address(0)));
        registry = new MarketRegistry(IOracleAdapter(address(oracle)), admin);
        vm.startPrank(admin);
        registry.grantRole(registry.MARKET_LISTER_ROLE(), admin);
        registry.grantRole(registry.RISK_MANAGER_ROLE(), admin);
        vm.stopPrank();
        // The smallest band cap the CLOSED session's margin bound allows, so any IM is listable.
        oracle.list(AAPL, 100e18, uint16(Constants.CH_MIN_INITIAL_MARGIN_BPS));
    }

    function test_listMarket_RoundTripsEveryFieldAtItsUpperBounds() public {
        MarketConfig memory config = _config(
            Constants.CH_MAX_TICK_SIZE_X18,
            Constants.CH_MAX_STEP_SIZE_X18,
            Constants.CH_MAX_ABS_SIZE_X18 // a multiple of the largest step
        );
        config.funding = FundingParams(
            uint64(Constants.CH_MAX_FUNDING_RATE_CAP_PER_HOUR_X18),
            -int64(int256(Constants.CH_MAX_ABS_INTEREST_RATE_PER_HOUR_X18))
        );
        uint16 maxLevel = uint16(Constants.CH_MAX_BREAKER_LEVEL_BPS);
        config.breaker = _breaker(maxLevel - 2, maxLevel - 1, maxLevel, MAX_PERIOD, MAX_PERIOD);
        SessionRiskParams memory risk = SessionRiskParams(
            uint16(Constants.CH_MAX_INITIAL_MARGIN_BPS),
            uint16(Constants.CH_MAX_INITIAL_MARGIN_BPS - 1),
            -int16(int256(Constants.CH_MAX_FEE_BPS)),
            int16(int256(Constants.CH_MAX_FEE_BPS)),
            uint16(Constants.CH_MAX_FILL_BAND_BPS),
            uint16(Constants.CH_MAX_FUNDING_MULTIPLIER_BPS),
            uint128(Constants.CH_MAX_OPEN_INTEREST_CAP_X18)
        );
        _listAndCheck(config, risk);
        config.funding.interestRatePerHourX18 = int64(
            int256(Constants.CH_MAX_ABS_INTEREST_RATE_PER_HOUR_X18)
        );
        vm.prank(admin);
        registry.setFundingParams(AAPL, config.funding);
        _assertStored(config, risk);
        vm.prank(admin);
        registry.setMarketStatus(AAPL, MarketStatus.HALTED);
        config.status = MarketStatus.HALTED;
        _assertStored(config, risk);
    }

    function test_listMarket_RoundTripsEveryFieldAtItsLowerBounds() public {
        MarketConfig memory config = _config(1, QUANTUM, QUANTUM);
        config.funding = FundingParams(uint64(Constants.CH_MIN_FUNDING_RATE_CAP_PER_HOUR_X18), 0);
        uint16 minLevel = uint16(Constants.CH_MIN_BREAKER_LEVEL_BPS);
        config.breaker = _breaker(minLevel, minLevel + 1, minLevel + 2, MIN_PERIOD, 0);
        SessionRiskParams memory risk = SessionRiskParams(
            uint16(Constants.CH_MIN_INITIAL_MARGIN_BPS),
            uint16(Constants.CH_MIN_MAINTENANCE_MARGIN_BPS),
            0,
            0,
            uint16(Constants.CH_MIN_FILL_BAND_BPS),
            0,
            0
        );
        _listAndCheck(config, risk);
    }

    function test_tradingConfig_UnknownMarketIsAllZero() public view {
        MarketConfig memory none;
        SessionRiskParams memory noRisk;
        _assertTradingConfigEncoding(bytes32("NONE"), Session.OVERNIGHT);
        (MarketConfig memory config, SessionRiskParams memory risk) = registry.tradingConfig(
            bytes32("NONE"),
            Session.OVERNIGHT
        );
        assertEq(abi.encode(config, risk), abi.encode(none, noRisk), "zero");
    }

    /// @dev Differential: setters in any order leave every other field alone, and the hand-encoded
    /// `tradingConfig` equals the compiler-encoded views for every session.
    function testFuzz_tradingConfig_MatchesTheCompilerEncodedViews(
        uint256[3] memory sizeSeeds,
        uint256 rateCap,
        int256 interest,
        uint256[8] memory breakerSeeds,
        uint256[7] memory riskSeeds,
        uint8 status
    ) public {
        MarketConfig memory config = _config(1e16, 1e15, 1e15);
        config.funding = FundingParams(1e15, 5e12);
        config.breaker = registry.defaultCircuitBreakerParams();
        SessionRiskParams memory risk = _fuzzRisk(riskSeeds);
        _listAndCheck(config, risk);

        config.breaker = _fuzzBreaker(breakerSeeds);
        vm.prank(admin);
        registry.setCircuitBreakerParams(AAPL, config.breaker);
        _assertStored(config, risk);

        uint256 step = bound(sizeSeeds[1], 1, Constants.CH_MAX_STEP_SIZE_X18 / QUANTUM) * QUANTUM;
        config.tickSizeX18 = bound(sizeSeeds[0], 1, Constants.CH_MAX_TICK_SIZE_X18);
        config.stepSizeX18 = step;
        config.minOrderSizeX18 = bound(sizeSeeds[2], 1, Constants.CH_MAX_ABS_SIZE_X18 / step) * step;
        vm.prank(admin);
        registry.setSizeParams(AAPL, config.tickSizeX18, config.stepSizeX18, config.minOrderSizeX18);
        _assertStored(config, risk);

        int256 maxInterest = int256(Constants.CH_MAX_ABS_INTEREST_RATE_PER_HOUR_X18);
        config.funding = FundingParams(
            uint64(
                bound(
                    rateCap,
                    Constants.CH_MIN_FUNDING_RATE_CAP_PER_HOUR_X18,
                    Constants.CH_MAX_FUNDING_RATE_CAP_PER_HOUR_X18
                )
            ),
            int64(bound(interest, -maxInterest, maxInterest))
        );
        vm.prank(admin);
        registry.setFundingParams(AAPL, config.funding);
        _assertStored(config, risk);

        config.status = MarketStatus(bound(status, 0, 2));
        vm.prank(admin);
        registry.setMarketStatus(AAPL, config.status);
        _assertStored(config, risk);
    }

    // ------------------------------------------------------------------ helpers

    function _listAndCheck(MarketConfig memory config, SessionRiskParams memory risk) private {
        SessionRiskParams[5] memory sessions;
        for (uint256 i; i < 5; ++i) sessions[i] = risk;
        config.listed = true;
        config.status = MarketStatus.ACTIVE;
        vm.expectEmit(address(registry));
        emit IMarketRegistry.MarketListed(AAPL, config, sessions);
        vm.prank(admin);
        registry.listMarket(AAPL, config, sessions);
        _assertStored(config, risk);
    }

    function _assertStored(MarketConfig memory config, SessionRiskParams memory risk) private view {
        assertEq(abi.encode(registry.marketConfig(AAPL)), abi.encode(config), "marketConfig");
        for (uint256 i; i < 5; ++i) {
            Session session = Session(i);
            assertEq(abi.encode(registry.sessionRiskParams(AAPL, session)), abi.encode(risk), "risk params");
            (MarketConfig memory c, SessionRiskParams memory r) = registry.tradingConfig(AAPL, session);
            assertEq(abi.encode(c, r), abi.encode(config, risk), "tradingConfig");
            _assertTradingConfigEncoding(AAPL, session);
        }
    }

    /// @dev The raw return data, so that a wrong width or a missing sign extension cannot hide
    /// behind the decoder's validation.
    function _assertTradingConfigEncoding(bytes32 marketId, Session session) private view {
        (bool ok, bytes memory raw) = address(registry).staticcall(
            abi.encodeCall(IMarketRegistry.tradingConfig, (marketId, session))
        );
        assertTrue(ok, "tradingConfig reverted");
        bytes memory expected = abi.encode(
            registry.marketConfig(marketId),
            registry.sessionRiskParams(marketId, session)
        );
        assertEq(raw, expected, "tradingConfig encoding");
    }

    function _config(
        uint256 tick,
        uint256 step,
        uint256 minOrder
    ) private pure returns (MarketConfig memory c) {
        (c.tickSizeX18, c.stepSizeX18, c.minOrderSizeX18) = (tick, step, minOrder);
    }

    function _breaker(
        uint16 level1,
        uint16 level2,
        uint16 level3,
        uint256 period,
        uint256 reduceOnly
    ) private pure returns (CircuitBreakerParams memory) {
        uint32 p = uint32(period);
        return CircuitBreakerParams(level1, level2, level3, p, p, p, p, uint32(reduceOnly));
    }

    function _fuzzBreaker(uint256[8] memory s) private pure returns (CircuitBreakerParams memory b) {
        uint256 maxLevel = Constants.CH_MAX_BREAKER_LEVEL_BPS;
        b.level1Bps = uint16(bound(s[0], Constants.CH_MIN_BREAKER_LEVEL_BPS, maxLevel - 2));
        b.level2Bps = uint16(bound(s[1], b.level1Bps + 1, maxLevel - 1));
        b.level3Bps = uint16(bound(s[2], b.level2Bps + 1, maxLevel));
        b.windowSec = uint32(bound(s[3], MIN_PERIOD, MAX_PERIOD));
        b.level1HaltSec = uint32(bound(s[4], MIN_PERIOD, MAX_PERIOD));
        b.level2HaltSec = uint32(bound(s[5], MIN_PERIOD, MAX_PERIOD));
        b.level3HaltSec = uint32(bound(s[6], MIN_PERIOD, MAX_PERIOD));
        b.reduceOnlySec = uint32(bound(s[7], 0, MAX_PERIOD));
    }

    function _fuzzRisk(uint256[7] memory s) private pure returns (SessionRiskParams memory r) {
        r.initialMarginBps = uint16(
            bound(s[0], Constants.CH_MIN_INITIAL_MARGIN_BPS, Constants.CH_MAX_INITIAL_MARGIN_BPS)
        );
        r.maintenanceMarginBps = uint16(
            bound(s[1], Constants.CH_MIN_MAINTENANCE_MARGIN_BPS, r.initialMarginBps - 1)
        );
        r.takerFeeBps = int16(int256(bound(s[2], 0, Constants.CH_MAX_FEE_BPS)));
        r.makerFeeBps = int16(bound(int256(s[3] % 1_000), -r.takerFeeBps, int256(Constants.CH_MAX_FEE_BPS)));
        r.fillBandBps = uint16(bound(s[4], Constants.CH_MIN_FILL_BAND_BPS, Constants.CH_MAX_FILL_BAND_BPS));
        r.fundingMultiplierBps = uint16(bound(s[5], 0, Constants.CH_MAX_FUNDING_MULTIPLIER_BPS));
        r.openInterestCapX18 = uint128(bound(s[6], 0, Constants.CH_MAX_OPEN_INTEREST_CAP_X18));
    }
}
