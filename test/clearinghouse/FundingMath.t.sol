// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Test} from "../utils/Test.sol";
import {FundingMath} from "../../contracts/libraries/FundingMath.sol";
import {PositionMath} from "../../contracts/libraries/PositionMath.sol";
import {FundingMathHarness} from "../../contracts/mocks/FundingMathHarness.sol";
import {PackedFundingStore} from "../../contracts/mocks/PackedStores.sol";
import {FundingParams, FundingState, Position} from "../../contracts/types/Market.sol";

/// @notice Unit and fuzz tests of `FundingMath`: premium, rate, accrual (left-endpoint sampling,
/// multiplier, split factor), dividends and their signs, pending-funding rounding (INV-3), packing.
contract FundingMathTest is Test {
    uint256 internal constant E18 = 1e18;
    int256 internal constant I18 = 1e18;
    uint256 internal constant T0 = 1_767_225_600; // 2026-01-01 00:00 UTC

    FundingMathHarness internal harness;

    function setUp() public {
        harness = new FundingMathHarness();
    }

    // ------------------------------------------------------------------ premium and rate

    function test_premiumX18_Values() public pure {
        assertEq(FundingMath.premiumX18(101 * E18, 100 * E18), 0.01e18, "+1 %");
        assertEq(FundingMath.premiumX18(99 * E18, 100 * E18), -0.01e18, "-1 %");
        assertEq(FundingMath.premiumX18(100 * E18, 100 * E18), 0, "none");
        // 1 wei above an index of 3: 1 * 1e18 / 3e18 = 0.33 wei -> 0.
        assertEq(FundingMath.premiumX18(3 * E18 + 1, 3 * E18), 0, "truncated toward zero");
        assertEq(FundingMath.premiumX18(3 * E18 - 1, 3 * E18), 0, "truncated toward zero (negative)");
    }

    function test_premiumX18_ClampedToOneHundredPercent() public pure {
        assertEq(FundingMath.premiumX18(300 * E18, 100 * E18), 1e18, "+200 % -> +100 %");
        assertEq(FundingMath.premiumX18(0, 100 * E18), -1e18, "-100 %");
    }

    function test_premiumX18_RevertIf_IndexZero() public {
        vm.expectRevert(abi.encodeWithSelector(FundingMath.Funding_InvalidIndexPrice.selector, 0));
        harness.premiumX18(E18, 0);
    }

    function test_fundingRatePerHourX18_PremiumOverEightHoursPlusInterest() public pure {
        FundingParams memory params = FundingParams(1e15, 5e12);
        // 0.08 % / 8 = 0.01 %/h = 1e14, + 5e12 interest, full multiplier.
        assertEq(
            FundingMath.fundingRatePerHourX18(8e14, params, 10_000),
            1e14 + 5e12,
            "premium / 8 + interest"
        );
        // Half multiplier.
        assertEq(FundingMath.fundingRatePerHourX18(8e14, params, 5_000), (1e14 + 5e12) / 2, "x0.5");
        // Zero multiplier: no funding at all (not even interest).
        assertEq(FundingMath.fundingRatePerHourX18(8e14, params, 0), 0, "x0");
    }

    function test_fundingRatePerHourX18_ClampedBeforeMultiplier() public pure {
        FundingParams memory params = FundingParams(1e15, 0);
        // 8 % / 8 = 1 %/h, clamped to 0.1 %/h, then x2.
        assertEq(FundingMath.fundingRatePerHourX18(8e16, params, 20_000), 2e15, "clamp, then multiply");
        assertEq(FundingMath.fundingRatePerHourX18(-8e16, params, 10_000), -1e15, "negative clamp");
    }

    function test_indexDeltaX18_Values() public pure {
        // 0.1 %/h on a USD 100 index for one hour: 0.1 USD per share.
        assertEq(FundingMath.indexDeltaX18(1e15, 100 * E18, E18, 1 hours), 0.1e18, "one hour");
        // The index is per BASE share: after a 4:1 split (factor 4) the current price is 25 but a
        // base share is 4 current shares, so the delta per base share is the same 0.1.
        assertEq(FundingMath.indexDeltaX18(1e15, 25 * E18, 4 * E18, 1 hours), 0.1e18, "per base share");
        assertEq(
            FundingMath.indexDeltaX18(-1e15, 100 * E18, E18, 30 minutes),
            -0.05e18,
            "negative, half hour"
        );
        // 1e-18 USD per share per hour for one second truncates to zero.
        assertEq(FundingMath.indexDeltaX18(1, E18, E18, 1), 0, "truncated toward zero");
    }

    // ------------------------------------------------------------------ accrual

    function test_accrue_FirstUpdateStartsTheClock() public pure {
        FundingState memory state;
        state.lastPremiumX18 = 1e16;
        state.lastMultiplierBps = 10_000;
        int256 delta = FundingMath.accrue(state, FundingParams(1e15, 0), 100 * E18, E18, T0);
        assertEq(delta, 0, "no accrual from time zero");
        assertEq(state.lastUpdateTime, T0, "clock started");
        assertEq(state.indexX18, 0, "index unchanged");
        assertEq(state.premiumCumulativeX18, 0, "accumulator unchanged");
    }

    function test_accrue_IntegratesLastPremium() public pure {
        FundingState memory state = _state(T0, 8e14, 10_000);
        // 0.08 % premium -> 0.01 %/h = 1e14; price 200, two hours: 1e14 * 200 * 2 = 0.04 USD per share.
        int256 delta = FundingMath.accrue(state, FundingParams(1e15, 0), 200 * E18, E18, T0 + 2 hours);
        assertEq(delta, 0.04e18, "delta");
        assertEq(state.indexX18, 0.04e18, "index");
        assertEq(state.premiumCumulativeX18, 8e14 * 7_200, "premium x seconds");
        assertEq(state.lastUpdateTime, T0 + 2 hours, "time");
    }

    function test_accrue_SameTimestampIsNoOp() public pure {
        FundingState memory state = _state(T0, 8e14, 10_000);
        assertEq(FundingMath.accrue(state, FundingParams(1e15, 0), 0, 0, T0), 0, "no elapsed time");
        assertEq(state.indexX18, 0, "index unchanged");
    }

    function test_accrue_UsesLeftEndpointSample() public pure {
        FundingParams memory params = FundingParams(1e15, 0);
        FundingState memory state = _state(T0, 8e14, 10_000);
        // A trade at T0 + 1 h samples a new premium; the hour before it accrues at the OLD premium.
        int256 first = FundingMath.update(state, params, 100 * E18, E18, T0 + 1 hours, 16e14, 10_000);
        assertEq(first, 0.01e18, "old premium for [T0, T0+1h]: 1e14 * 100");
        int256 second = FundingMath.accrue(state, params, 100 * E18, E18, T0 + 2 hours);
        assertEq(second, 0.02e18, "new premium for [T0+1h, T0+2h]: 2e14 * 100");
    }

    function test_accrue_UsesStoredMultiplier() public pure {
        FundingParams memory params = FundingParams(1e15, 0);
        FundingState memory state = _state(T0, 8e14, 2_500);
        // A fund() at the session change keeps the premium and switches the multiplier.
        int256 closedPart = FundingMath.update(state, params, 100 * E18, E18, T0 + 1 hours, 8e14, 10_000);
        assertEq(closedPart, 0.0025e18, "x0.25 while closed");
        int256 openPart = FundingMath.accrue(state, params, 100 * E18, E18, T0 + 2 hours);
        assertEq(openPart, 0.01e18, "x1 after the switch");
    }

    function testFuzz_accrue_IndependentOfSamplingFrequency(
        uint256 elapsed,
        uint256 cuts,
        int256 premium
    ) public pure {
        // Sampling with an unchanged premium (fund() calls) never changes the integral, except for
        // each step's truncation toward zero (at most one wei per step).
        elapsed = bound(elapsed, 1, 30 days);
        cuts = bound(cuts, 1, 20);
        premium = bound(premium, -1e16, 1e16);
        FundingParams memory params = FundingParams(4e16, 0);
        FundingState memory once = _state(T0, premium, 10_000);
        FundingMath.accrue(once, params, 150 * E18, E18, T0 + elapsed);
        FundingState memory often = _state(T0, premium, 10_000);
        for (uint256 i = 1; i <= cuts; ++i) {
            FundingMath.update(often, params, 150 * E18, E18, T0 + (elapsed * i) / cuts, premium, 10_000);
        }
        assertEq(often.premiumCumulativeX18, once.premiumCumulativeX18, "accumulator exact");
        assertApproxEqAbs(often.indexX18, once.indexX18, cuts, "index within one wei per step");
        uint256 onceMagnitude = uint256(once.indexX18 >= 0 ? once.indexX18 : -once.indexX18);
        uint256 oftenMagnitude = uint256(often.indexX18 >= 0 ? often.indexX18 : -often.indexX18);
        assertLe(oftenMagnitude, onceMagnitude, "truncation never adds funding");
    }

    function test_accrue_RevertIf_TimeWentBackwards() public {
        vm.expectRevert(abi.encodeWithSelector(FundingMath.Funding_TimeWentBackwards.selector, T0, T0 - 1));
        harness.accrue(_state(T0, 0, 10_000), FundingParams(1e15, 0), E18, E18, T0 - 1);
    }

    function test_accrue_RevertIf_IndexPriceZero() public {
        vm.expectRevert(abi.encodeWithSelector(FundingMath.Funding_InvalidIndexPrice.selector, 0));
        harness.accrue(_state(T0, 0, 10_000), FundingParams(1e15, 0), 0, E18, T0 + 1);
    }

    function test_accrue_RevertIf_SplitFactorZero() public {
        vm.expectRevert(abi.encodeWithSelector(FundingMath.Funding_InvalidSplitFactor.selector, 0));
        harness.accrue(_state(T0, 0, 10_000), FundingParams(1e15, 0), E18, 0, T0 + 1);
    }

    function test_accrue_RevertIf_IndexLeavesInt128() public {
        FundingState memory state = _state(T0, 1e18, 20_000);
        state.indexX18 = type(int128).max - 1;
        // 4 %/h x2 on a USD 1e20 price for a second adds far more than one wei.
        int256 expected = state.indexX18 + FundingMath.indexDeltaX18(8e16, 1e38, E18, 1);
        vm.expectRevert(abi.encodeWithSelector(FundingMath.Funding_IndexOutOfRange.selector, expected));
        harness.accrue(state, FundingParams(4e16, 0), 1e38, E18, T0 + 1);
    }

    function test_sample_ClampsPremium() public pure {
        FundingState memory state;
        FundingMath.sample(state, 5e18, 7_500);
        assertEq(state.lastPremiumX18, 1e18, "clamped");
        assertEq(state.lastMultiplierBps, 7_500, "multiplier");
        FundingMath.sample(state, -5e18, 0);
        assertEq(state.lastPremiumX18, -1e18, "clamped negative");
    }

    function test_twapPremiumX18_AverageOfAccumulator() public pure {
        assertEq(FundingMath.twapPremiumX18(1_000, 4_600, 3_600), 1, "(4600 - 1000) / 3600");
        assertEq(FundingMath.twapPremiumX18(0, -7_200e14, 3_600), -2e14, "negative");
        assertEq(FundingMath.twapPremiumX18(5, 9, 0), 0, "empty interval");
    }

    // ------------------------------------------------------------------ dividends

    function test_applyDividend_LowersIndexOnce() public pure {
        FundingState memory state = _state(T0, 0, 10_000);
        state.indexX18 = 3 * I18;
        assertEq(FundingMath.applyDividend(state, 2 * E18), 2 * E18, "dividend applied");
        assertEq(state.indexX18, I18, "index lowered by D");
        assertEq(state.appliedDividendX18, 2 * E18, "recorded");
        assertEq(FundingMath.applyDividend(state, 2 * E18), 0, "same cumulative: nothing new");
        assertEq(state.indexX18, I18, "applied exactly once");
        assertEq(FundingMath.applyDividend(state, 2.5e18), 0.5e18, "only the difference");
        assertEq(state.indexX18, 0.5e18, "second dividend");
    }

    function test_applyDividend_LongsReceiveShortsPay() public pure {
        FundingState memory state = _state(T0, 0, 10_000);
        int256 before = state.indexX18;
        FundingMath.applyDividend(state, 0.5e18);
        // Long 10 shares: pending funding -5 (receives USD 5); short 10: +5 (pays USD 5).
        assertEq(
            FundingMath.pendingFundingX18(10 * I18, E18, before, state.indexX18),
            -5 * I18,
            "long receives D"
        );
        assertEq(
            FundingMath.pendingFundingX18(-10 * I18, E18, before, state.indexX18),
            5 * I18,
            "short pays D"
        );
    }

    function test_applyDividend_KeepsEquityOfLongAndShort() public pure {
        // The oracle lowers the price by D at the ex-date; uPnL - pending funding is unchanged.
        FundingState memory state = _state(T0, 0, 10_000);
        uint256 price = 100 * E18;
        uint256 dividend = 0.75e18;
        int256 before = state.indexX18;
        FundingMath.applyDividend(state, dividend);
        for (int256 side = -1; side <= 1; side += 2) {
            int256 size = side * 10 * I18;
            int256 basis = side * 900 * I18;
            int256 equityBefore = PositionMath.unrealizedPnlX18(size, basis, price);
            int256 equityAfter =
                PositionMath.unrealizedPnlX18(size, basis, price - dividend) -
                    FundingMath.pendingFundingX18(size, E18, before, state.indexX18);
            assertEq(equityAfter, equityBefore, "INV-8: a dividend leaves equity unchanged");
        }
    }

    function test_applyDividend_AcrossSplitUsesBaseShares() public pure {
        // After a 4:1 split (factor 4) a USD 0.5 dividend per current share is 2 per base share in
        // the oracle's accumulator. A long of 40 current shares (stored at factor 4) receives 20.
        FundingState memory state;
        FundingMath.applyDividend(state, 2 * E18);
        assertEq(FundingMath.pendingFundingX18(40 * I18, 4 * E18, 0, state.indexX18), -20 * I18, "40 x 0.5");
    }

    function test_applyDividend_RevertIf_CumulativeDecreased() public {
        FundingState memory state;
        state.appliedDividendX18 = 2 * E18;
        vm.expectRevert(abi.encodeWithSelector(FundingMath.Funding_DividendDecreased.selector, 2 * E18, E18));
        harness.applyDividend(state, E18);
    }

    function test_applyDividend_RevertIf_IndexLeavesInt128() public {
        FundingState memory state;
        state.indexX18 = type(int128).min;
        vm.expectRevert(
            abi.encodeWithSelector(FundingMath.Funding_IndexOutOfRange.selector, int256(type(int128).min) - 1)
        );
        harness.applyDividend(state, 1);
    }

    // ------------------------------------------------------------------ pending funding

    function test_pendingFundingX18_SignsAndValues() public pure {
        assertEq(
            FundingMath.pendingFundingX18(10 * I18, E18, I18, 3 * I18),
            20 * I18,
            "long pays a rising index"
        );
        assertEq(FundingMath.pendingFundingX18(-10 * I18, E18, I18, 3 * I18), -20 * I18, "short receives");
        assertEq(
            FundingMath.pendingFundingX18(10 * I18, E18, 3 * I18, I18),
            -20 * I18,
            "long receives a falling index"
        );
        assertEq(FundingMath.pendingFundingX18(0, 0, I18, 3 * I18), 0, "flat");
        assertEq(FundingMath.pendingFundingX18(10 * I18, 0, I18, I18), 0, "no index change");
    }

    function test_pendingFundingX18_PayerRoundsUpReceiverDown() public pure {
        // Size 1 wei, index +0.5 wei per share: exact 0.5e-18 wei -> the long pays 1, the short gets 0.
        assertEq(FundingMath.pendingFundingX18(1, E18, 0, 0.5e18), 1, "payer up");
        assertEq(FundingMath.pendingFundingX18(-1, E18, 0, 0.5e18), 0, "receiver down");
        assertEq(FundingMath.pendingFundingX18(1, E18, 0, -0.5e18), 0, "receiving long down");
        assertEq(FundingMath.pendingFundingX18(-1, E18, 0, -0.5e18), 1, "paying short up");
    }

    function test_pendingFundingX18_RevertIf_SplitFactorZero() public {
        vm.expectRevert(abi.encodeWithSelector(FundingMath.Funding_InvalidSplitFactor.selector, 0));
        harness.pendingFundingX18(I18, 0, 0, I18);
    }

    /// @dev INV-3: over positions with zero net size, the amounts paid cover the amounts received.
    function testFuzz_pendingFundingX18_ZeroSum(
        int256[4] memory longs,
        uint256 factor,
        int256 lastIndex,
        int256 index
    ) public pure {
        factor = bound(factor, 1e14, 1e22);
        lastIndex = bound(lastIndex, -1e30, 1e30);
        index = bound(index, -1e30, 1e30);
        int256 net;
        int256 total;
        for (uint256 i; i < 4; ++i) {
            int256 size = bound(longs[i], -1e30, 1e30);
            net += size;
            total += FundingMath.pendingFundingX18(size, factor, lastIndex, index);
        }
        // One more position closes the book to zero net size.
        total += FundingMath.pendingFundingX18(-net, factor, lastIndex, index);
        assertGe(total, 0, "payers cover receivers");
        assertLe(total, 5, "dust is at most one wei per position");
    }

    // ------------------------------------------------------------------ packing

    function testFuzz_pack_RoundTrips(
        int128 index,
        int72 premium,
        uint40 time,
        uint16 multiplier,
        int128 cumulative,
        uint128 dividend
    ) public pure {
        FundingState memory state = FundingState(index, cumulative, premium, time, multiplier, dividend);
        FundingState memory unpacked = FundingMath.unpack(FundingMath.pack(state));
        assertEq(unpacked.indexX18, index, "index");
        assertEq(unpacked.premiumCumulativeX18, cumulative, "cumulative");
        assertEq(unpacked.lastPremiumX18, premium, "premium");
        assertEq(unpacked.lastUpdateTime, time, "time");
        assertEq(unpacked.lastMultiplierBps, multiplier, "multiplier");
        assertEq(unpacked.appliedDividendX18, dividend, "dividend");
    }

    function test_pack_StoresTwoSlots() public {
        PackedFundingStore store = new PackedFundingStore();
        store.set(FundingMath.pack(FundingState(-3, 5, -7, 11, 13, 17)));
        uint256 slot0 = uint256(vm.load(address(store), bytes32(0)));
        uint256 slot1 = uint256(vm.load(address(store), bytes32(uint256(1))));
        assertEq(uint128(slot0), uint128(int128(-3)), "index: slot 0 bits 0-127");
        assertEq(uint72(slot0 >> 128), uint72(int72(-7)), "premium: bits 128-199");
        assertEq(uint40(slot0 >> 200), 11, "time: bits 200-239");
        assertEq(slot0 >> 240, 13, "multiplier: bits 240-255");
        assertEq(uint128(slot1), 5, "cumulative: slot 1 low half");
        assertEq(slot1 >> 128, 17, "dividend: slot 1 high half");
    }

    function test_pack_RevertIf_IndexBeyondInt128() public {
        int256 index = int256(type(int128).max) + 1;
        vm.expectRevert(abi.encodeWithSelector(FundingMath.Funding_IndexOutOfRange.selector, index));
        harness.pack(FundingState(index, 0, 0, 0, 0, 0));
    }

    function test_pack_RevertIf_PremiumBeyondInt72() public {
        int256 premium = int256(type(int72).min) - 1;
        vm.expectRevert(abi.encodeWithSelector(FundingMath.Funding_PremiumOutOfRange.selector, premium));
        harness.pack(FundingState(0, 0, premium, 0, 0, 0));
    }

    function test_pack_RevertIf_TimestampBeyondUint40() public {
        uint256 time = uint256(type(uint40).max) + 1;
        vm.expectRevert(abi.encodeWithSelector(FundingMath.Funding_TimestampOutOfRange.selector, time));
        harness.pack(FundingState(0, 0, 0, time, 0, 0));
    }

    function test_pack_RevertIf_MultiplierBeyondUint16() public {
        vm.expectRevert(abi.encodeWithSelector(FundingMath.Funding_MultiplierOutOfRange.selector, 65_536));
        harness.pack(FundingState(0, 0, 0, 0, 65_536, 0));
    }

    function test_pack_RevertIf_PremiumCumulativeBeyondInt128() public {
        int256 cumulative = int256(type(int128).min) - 1;
        vm.expectRevert(
            abi.encodeWithSelector(FundingMath.Funding_PremiumCumulativeOutOfRange.selector, cumulative)
        );
        harness.pack(FundingState(0, cumulative, 0, 0, 0, 0));
    }

    function test_pack_RevertIf_DividendBeyondUint128() public {
        uint256 dividend = uint256(type(uint128).max) + 1;
        vm.expectRevert(abi.encodeWithSelector(FundingMath.Funding_DividendOutOfRange.selector, dividend));
        harness.pack(FundingState(0, 0, 0, 0, 0, dividend));
    }

    // ------------------------------------------------------------------ with positions

    function test_sync_SettlesFundingAcrossAccrualAndDividend() public pure {
        // A long of 10 and a short of 10 across one hour of 0.1 %/h on USD 100 (+0.1 per share) and a
        // USD 0.25 dividend: the long pays 10 * (0.1 - 0.25) = -1.5, the short +1.5.
        FundingState memory state = _state(T0, 8e15, 10_000);
        FundingMath.accrue(state, FundingParams(1e15, 0), 100 * E18, E18, T0 + 1 hours);
        FundingMath.applyDividend(state, 0.25e18);
        Position memory long = Position(10 * I18, 1_000 * I18, 0, E18);
        Position memory short = Position(-10 * I18, -1_000 * I18, 0, E18);
        assertEq(PositionMath.sync(long, state.indexX18, E18), -1.5e18, "long");
        assertEq(PositionMath.sync(short, state.indexX18, E18), 1.5e18, "short");
    }

    function _state(
        uint256 time,
        int256 premium,
        uint256 multiplierBps
    ) internal pure returns (FundingState memory s) {
        s.lastUpdateTime = time;
        s.lastPremiumX18 = premium;
        s.lastMultiplierBps = multiplierBps;
    }
}
