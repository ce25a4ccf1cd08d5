// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Test} from "../utils/Test.sol";
import {Constants} from "../../contracts/libraries/Constants.sol";
import {PositionMath} from "../../contracts/libraries/PositionMath.sol";
import {PositionMathHarness} from "../../contracts/mocks/PositionMathHarness.sol";
import {PackedPositionStore} from "../../contracts/mocks/PackedStores.sol";
import {Position} from "../../contracts/types/Market.sol";

/// @notice Unit and fuzz tests of `PositionMath`: exact fills (open, increase, reduce, close, flip),
/// rounding directions, splits, the risk-reduction test, bounds and the storage form. Expected values are
/// computed by hand in the comments.
contract PositionMathTest is Test {
    uint256 internal constant E18 = 1e18;
    int256 internal constant I18 = 1e18;
    int256 internal constant MAX_SIZE = int256(Constants.CH_MAX_ABS_SIZE_X18);
    int256 internal constant INT128_MAX = type(int128).max;

    PositionMathHarness internal harness;

    function setUp() public {
        harness = new PositionMathHarness();
    }

    // ------------------------------------------------------------------ exact fills

    function test_applyFill_OpensLong() public pure {
        _assertFill(0, 0, 10 * I18, 150 * E18, 10 * I18, 1_500 * I18, 0);
    }

    function test_applyFill_OpensShort() public pure {
        _assertFill(0, 0, -10 * I18, 150 * E18, -10 * I18, -1_500 * I18, 0);
    }

    function test_applyFill_IncreasesLong() public pure {
        // Basis 1,500 + 5 * 160 = 2,300.
        _assertFill(10 * I18, 1_500 * I18, 5 * I18, 160 * E18, 15 * I18, 2_300 * I18, 0);
    }

    function test_applyFill_IncreasesShort() public pure {
        _assertFill(-10 * I18, -1_500 * I18, -5 * I18, 160 * E18, -15 * I18, -2_300 * I18, 0);
    }

    function test_applyFill_ReducesLong() public pure {
        // Sell 4 of 10 at 160: kept basis 1,500 * 6/10 = 900, closed 600, realized 4 * 160 - 600 = 40.
        _assertFill(10 * I18, 1_500 * I18, -4 * I18, 160 * E18, 6 * I18, 900 * I18, 40 * I18);
    }

    function test_applyFill_ReducesShort() public pure {
        // Buy back 4 of 10 at 140: kept -900, closed -600, realized -4 * 140 + 600 = 40 (a short gains).
        _assertFill(-10 * I18, -1_500 * I18, 4 * I18, 140 * E18, -6 * I18, -900 * I18, 40 * I18);
    }

    function test_applyFill_ClosesLongAtLoss() public pure {
        // 10 * 140 - 1,500 = -100.
        _assertFill(10 * I18, 1_500 * I18, -10 * I18, 140 * E18, 0, 0, -100 * I18);
    }

    function test_applyFill_ClosesShortAtLoss() public pure {
        // -10 * 160 + 1,500 = -100.
        _assertFill(-10 * I18, -1_500 * I18, 10 * I18, 160 * E18, 0, 0, -100 * I18);
    }

    function test_applyFill_FlipsLongToShort() public pure {
        // Close 10 at 160 (+100), open 3 short at 160 (basis -480).
        _assertFill(10 * I18, 1_500 * I18, -13 * I18, 160 * E18, -3 * I18, -480 * I18, 100 * I18);
    }

    function test_applyFill_FlipsShortToLong() public pure {
        // Close 10 short at 140 (+100), open 2 long at 140 (basis 280).
        _assertFill(-10 * I18, -1_500 * I18, 12 * I18, 140 * E18, 2 * I18, 280 * I18, 100 * I18);
    }

    function test_applyFill_RoundsLongBasisUp() public pure {
        // 1 wei of size at 1.5: notional 1.5 wei -> basis 2 wei (a long's cost rounds up).
        _assertFill(0, 0, 1, 1.5e18, 1, 2, 0);
    }

    function test_applyFill_RoundsShortProceedsDown() public pure {
        // -1 wei at 1.5: notional -1.5 wei -> basis -1 wei (a short's proceeds round down).
        _assertFill(0, 0, -1, 1.5e18, -1, -1, 0);
    }

    function test_applyFill_ReduceRoundsBothBasisSharesUp() public pure {
        // Position 3 wei with basis 10 wei; sell 1 wei at 3.5: kept ceil(10 * 2/3) = 7, closed
        // ceil(10 * 1/3) = 4 (7 + 4 = 11: one wei to the protocol), realized floor(3.5) - 4 = -1.
        _assertFill(3, 10, -1, 3.5e18, 2, 7, -1);
    }

    function test_applyFill_RealizedLossRoundsUp() public pure {
        // Short 3 wei, basis -10; buy back 1 wei at 3.5: kept ceil(-20/3) = -6, closed ceil(-10/3) = -3,
        // realized floor(-3.5) + 3 = -4 + 3 = -1 (the exact value is -0.1666...).
        _assertFill(-3, -10, 1, 3.5e18, -2, -6, -1);
    }

    function test_applyFill_RevertIf_PriceZero() public {
        vm.expectRevert(
            abi.encodeWithSelector(PositionMath.Position_InvalidPrice.selector, 0, Constants.CH_MAX_PRICE_X18)
        );
        harness.applyFill(0, 0, I18, 0);
    }

    function test_applyFill_RevertIf_PriceAboveMax() public {
        uint256 price = Constants.CH_MAX_PRICE_X18 + 1;
        vm.expectRevert(
            abi.encodeWithSelector(
                PositionMath.Position_InvalidPrice.selector,
                price,
                Constants.CH_MAX_PRICE_X18
            )
        );
        harness.applyFill(0, 0, I18, price);
    }

    function test_applyFill_RevertIf_FillZero() public {
        vm.expectRevert(abi.encodeWithSelector(PositionMath.Position_InvalidFillSize.selector, 0));
        harness.applyFill(I18, 100 * I18, 0, E18);
    }

    function test_applyFill_RevertIf_FillBeyondInt128() public {
        int256 fill = INT128_MAX + 1;
        vm.expectRevert(abi.encodeWithSelector(PositionMath.Position_InvalidFillSize.selector, fill));
        harness.applyFill(0, 0, fill, E18);
    }

    function test_applyFill_RevertIf_SizeBeyondInt128() public {
        int256 size = type(int128).min - int256(1);
        vm.expectRevert(abi.encodeWithSelector(PositionMath.Position_SizeOutOfRange.selector, size));
        harness.applyFill(size, 0, I18, E18);
    }

    function test_applyFill_RevertIf_OpenNotionalBeyondInt128() public {
        int256 openNotional = INT128_MAX + 1;
        vm.expectRevert(
            abi.encodeWithSelector(PositionMath.Position_OpenNotionalOutOfRange.selector, openNotional)
        );
        harness.applyFill(I18, openNotional, I18, E18);
    }

    function test_applyFill_RevertIf_IncreaseAboveMaxSize() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                PositionMath.Position_SizeAboveMax.selector,
                MAX_SIZE + 1,
                Constants.CH_MAX_ABS_SIZE_X18
            )
        );
        harness.applyFill(MAX_SIZE, 0, 1, 1);
    }

    function test_applyFill_RevertIf_FlipAboveMaxSize() public {
        // A flip is new risk: the opened remainder must respect the bound.
        vm.expectRevert(
            abi.encodeWithSelector(
                PositionMath.Position_SizeAboveMax.selector,
                -MAX_SIZE - 1,
                Constants.CH_MAX_ABS_SIZE_X18
            )
        );
        harness.applyFill(I18, 0, -MAX_SIZE - 1 - I18, E18);
    }

    function test_applyFill_RevertIf_OpenNotionalAboveMax() public {
        // 1e12 shares at USD 1e4 = USD 1e16 > 1e15.
        int256 expected = MAX_SIZE * 10_000;
        vm.expectRevert(
            abi.encodeWithSelector(
                PositionMath.Position_OpenNotionalAboveMax.selector,
                expected,
                Constants.CH_MAX_ABS_OPEN_NOTIONAL_X18
            )
        );
        harness.applyFill(0, 0, MAX_SIZE, 10_000 * E18);
    }

    function test_applyFill_ReducesPositionAboveMaxAfterSplit() public pure {
        // A split may leave a position above the fill bound (here int128.max); reducing it always works.
        (int256 newSize, , ) = PositionMath.applyFill(INT128_MAX, INT128_MAX, -I18, E18);
        assertEq(newSize, INT128_MAX - I18, "reduced");
        (newSize, , ) = PositionMath.applyFill(type(int128).min, type(int128).min, INT128_MAX, 1);
        assertEq(newSize, -1, "reduced from int128.min");
    }

    function test_applyFill_ExtremeValuesDoNotOverflow() public pure {
        // int128-range size and basis at the maximum price: every product stays inside int256.
        uint256 price = Constants.CH_MAX_PRICE_X18;
        (int256 newSize, int256 kept, int256 realized) = PositionMath.applyFill(
            INT128_MAX,
            INT128_MAX,
            -INT128_MAX,
            price
        );
        assertEq(newSize, 0, "closed");
        assertEq(kept, 0, "no basis left");
        assertEq(realized, (INT128_MAX * int256(price)) / I18 - INT128_MAX, "realized");
    }

    // ------------------------------------------------------------------ rounding properties

    /// @dev A fill at price p never raises the trader's equity valued at p (computed exactly in 36
    /// decimals), and costs at most 2 wei of dust.
    function testFuzz_applyFill_NeverRaisesEquityAtFillPrice(
        int256 size,
        int256 openNotional,
        int256 fill,
        uint256 price
    ) public pure {
        // Bounds keep every fill inside the size and open-notional limits.
        size = bound(size, -MAX_SIZE / 2, MAX_SIZE / 2);
        openNotional = bound(openNotional, -4e32, 4e32);
        fill = bound(fill, -MAX_SIZE / 2, MAX_SIZE / 2);
        if (fill == 0) fill = 1;
        price = bound(price, 1, 1e21);
        (int256 newSize, int256 newOpenNotional, int256 realized) = PositionMath.applyFill(
            size,
            openNotional,
            fill,
            price
        );
        assertEq(newSize, size + fill, "size");
        int256 before = size * int256(price) - openNotional * I18;
        int256 afterFill = realized * I18 + newSize * int256(price) - newOpenNotional * I18;
        assertLe(afterFill, before, "equity at the fill price never rises");
        assertGe(afterFill, before - 2 * I18, "dust is at most 2 wei");
    }

    /// @dev Both sides of a match together never gain: Σ (realized - Δ basis) <= 0, so the vault's
    /// claims (collateral - Σ basis) can only fall behind its tokens.
    function testFuzz_applyFill_MatchNeverCreatesValue(
        int256 makerSize,
        int256 takerSize,
        uint256 entryPrice,
        int256 fill,
        uint256 price
    ) public pure {
        entryPrice = bound(entryPrice, 1e12, 1e24);
        price = bound(price, 1e12, 1e24);
        makerSize = bound(makerSize, -1e24, 1e24);
        takerSize = bound(takerSize, -1e24, 1e24);
        fill = bound(fill, 1, 1e24);
        int256 makerBasis = _basisAt(makerSize, entryPrice);
        int256 takerBasis = _basisAt(takerSize, entryPrice);
        (, int256 makerNewBasis, int256 makerRealized) = PositionMath.applyFill(
            makerSize,
            makerBasis,
            fill,
            price
        );
        (, int256 takerNewBasis, int256 takerRealized) = PositionMath.applyFill(
            takerSize,
            takerBasis,
            -fill,
            price
        );
        int256 claimsChange =
            makerRealized + takerRealized - (makerNewBasis - makerBasis) - (takerNewBasis - takerBasis);
        assertLe(claimsChange, 0, "a match never creates value");
    }

    /// @dev Closing a position in pieces never realizes more than closing it at once.
    function testFuzz_applyFill_SplitCloseNeverPaysMoreThanOneClose(
        int256 size,
        uint256 entryPrice,
        uint256 exitPrice,
        uint256 seed
    ) public pure {
        size = bound(size, -1e24, 1e24);
        if (size == 0) size = 7;
        entryPrice = bound(entryPrice, 1, 1e24);
        exitPrice = bound(exitPrice, 1, 1e24);
        (, int256 basis, ) = PositionMath.applyFill(0, 0, size, entryPrice);
        (, , int256 oneClose) = PositionMath.applyFill(size, basis, -size, exitPrice);

        int256 remaining = size;
        int256 remainingBasis = basis;
        int256 piecesRealized;
        for (uint256 i; i < 8 && remaining != 0; ++i) {
            int256 absRemaining = remaining > 0 ? remaining : -remaining;
            int256 piece =
                i == 7
                    ? absRemaining
                    : int256(uint256(keccak256(abi.encode(seed, i))) % uint256(absRemaining)) + 1;
            int256 fill = remaining > 0 ? -piece : piece;
            int256 realized;
            (remaining, remainingBasis, realized) = PositionMath.applyFill(
                remaining,
                remainingBasis,
                fill,
                exitPrice
            );
            piecesRealized += realized;
        }
        assertEq(remaining, 0, "fully closed");
        assertEq(remainingBasis, 0, "no basis left");
        assertLe(piecesRealized, oneClose, "pieces never pay more");
    }

    /// @dev The basis kept after a partial close never inflates later PnL: valued at any later price,
    /// the remaining position is worth at most its exact proportional share.
    function testFuzz_applyFill_KeptBasisNeverInflatesLaterPnl(
        int256 size,
        uint256 entryPrice,
        int256 closeSize,
        uint256 exitPrice
    ) public pure {
        size = bound(size, 2, 1e24);
        closeSize = bound(closeSize, 1, size - 1);
        entryPrice = bound(entryPrice, 1, 1e24);
        exitPrice = bound(exitPrice, 1, 1e24);
        for (int256 side = -1; side <= 1; side += 2) {
            int256 signedSize = side * size;
            (, int256 basis, ) = PositionMath.applyFill(0, 0, signedSize, entryPrice);
            (int256 kept, int256 keptBasis, ) = PositionMath.applyFill(
                signedSize,
                basis,
                -side * closeSize,
                exitPrice
            );
            // kept / size of the basis, exactly: keptBasis * |size| >= basis * |kept| (toward +infinity).
            assertGe(
                keptBasis * size,
                basis * (kept > 0 ? kept : -kept),
                "kept basis rounds toward +infinity"
            );
        }
    }

    // ------------------------------------------------------------------ uPnL, notional, margin, fees

    function test_unrealizedPnlX18_LongAndShort() public pure {
        assertEq(PositionMath.unrealizedPnlX18(10 * I18, 1_500 * I18, 160 * E18), 100 * I18, "long gains");
        assertEq(
            PositionMath.unrealizedPnlX18(-10 * I18, -1_500 * I18, 160 * E18),
            -100 * I18,
            "short loses"
        );
        assertEq(PositionMath.unrealizedPnlX18(0, 0, 160 * E18), 0, "flat");
    }

    function test_unrealizedPnlX18_RoundsTowardNegativeInfinity() public pure {
        assertEq(PositionMath.unrealizedPnlX18(1, 0, 1.5e18), 1, "long value 1.5 wei -> 1");
        assertEq(PositionMath.unrealizedPnlX18(-1, 0, 1.5e18), -2, "short value -1.5 wei -> -2");
    }

    function test_notionalX18_RoundsUp() public pure {
        assertEq(PositionMath.notionalX18(-10 * I18, 160 * E18), 1_600 * E18, "exact");
        assertEq(PositionMath.notionalX18(1, 1.5e18), 2, "1.5 wei -> 2");
    }

    function test_marginRequirementX18_RoundsUp() public pure {
        assertEq(PositionMath.marginRequirementX18(10 * I18, 160 * E18, 1_000), 160 * E18, "10 % of 1,600");
        assertEq(PositionMath.marginRequirementX18(-10 * I18, 160 * E18, 500), 80 * E18, "5 % of 1,600");
        // notional 1.5 wei -> 2, then 2 * 10 % = 0.2 wei -> 1.
        assertEq(PositionMath.marginRequirementX18(1, 1.5e18, 1_000), 1, "dust rounds up");
        assertEq(PositionMath.marginRequirementX18(0, 160 * E18, 1_000), 0, "flat");
    }

    function test_tradingFeeX18_FeeUpRebateDown() public pure {
        // 10 * 160 = 1,600 notional; 4 bps = 0.64; -1 bps = -0.16.
        assertEq(PositionMath.tradingFeeX18(-10 * I18, 160 * E18, 4), 0.64e18, "taker fee");
        assertEq(PositionMath.tradingFeeX18(10 * I18, 160 * E18, -1), -0.16e18, "maker rebate");
        // 1 wei at 1.5: 1 bp of 1.5 wei = 0.00015 wei -> fee 1, rebate 0.
        assertEq(PositionMath.tradingFeeX18(1, 1.5e18, 1), 1, "fee dust rounds up");
        assertEq(PositionMath.tradingFeeX18(1, 1.5e18, -1), 0, "rebate dust rounds down");
    }

    function testFuzz_tradingFeeX18_TakerFeeCoversMakerRebate(
        int256 fill,
        uint256 price,
        uint256 takerBps,
        int256 makerBps
    ) public pure {
        fill = bound(fill, 1, MAX_SIZE);
        price = bound(price, 1, 1e30);
        takerBps = bound(takerBps, 0, Constants.CH_MAX_FEE_BPS);
        makerBps = bound(makerBps, -int256(takerBps), int256(Constants.CH_MAX_FEE_BPS));
        int256 taker = PositionMath.tradingFeeX18(-fill, price, int256(takerBps));
        int256 maker = PositionMath.tradingFeeX18(fill, price, makerBps);
        assertGe(taker + maker, 0, "the fee ledger never loses on a match");
    }

    function test_closeAt_EqualsFullCloseFill() public pure {
        assertEq(PositionMath.closeAt(10 * I18, 1_500 * I18, 90 * E18), -600 * I18, "settled long");
        assertEq(PositionMath.closeAt(-10 * I18, -1_500 * I18, 90 * E18), 600 * I18, "settled short");
        assertEq(PositionMath.closeAt(0, 0, 90 * E18), 0, "flat");
    }

    function testFuzz_closeAt_EqualsFullCloseFill(int256 size, int256 basis, uint256 price) public pure {
        size = bound(size, -MAX_SIZE, MAX_SIZE);
        if (size == 0) size = -3;
        basis = bound(basis, -1e33, 1e33);
        price = bound(price, 1, 1e30);
        (, , int256 realized) = PositionMath.applyFill(size, basis, -size, price);
        assertEq(PositionMath.closeAt(size, basis, price), realized, "settlement = full close");
    }

    // ------------------------------------------------------------------ risk reduction

    function test_reducesRisk_Cases() public pure {
        assertTrue(PositionMath.reducesRisk(10, 4), "long reduce");
        assertTrue(PositionMath.reducesRisk(-10, -4), "short reduce");
        assertTrue(PositionMath.reducesRisk(10, 0), "close");
        assertTrue(PositionMath.reducesRisk(10, 10), "no change");
        assertTrue(PositionMath.reducesRisk(0, 0), "flat stays flat");
        assertFalse(PositionMath.reducesRisk(10, 11), "increase");
        assertFalse(PositionMath.reducesRisk(0, 1), "open");
        assertFalse(PositionMath.reducesRisk(0, -1), "open short");
        assertFalse(PositionMath.reducesRisk(10, -10), "flip of equal size");
    }

    function test_reducesRisk_TinyOppositePositionGrowsRisk() public pure {
        // Long 100 sells 100.000001: |new| is tiny but the sign flipped: new risk, not a reduction.
        int256 old = 100 * I18;
        (int256 newSize, , ) = PositionMath.applyFill(old, 15_000 * I18, -(100 * I18 + 1e12), 150 * E18);
        assertEq(newSize, -1e12, "short 0.000001");
        assertFalse(PositionMath.reducesRisk(old, newSize), "flip grows risk");
        assertFalse(PositionMath.reducesRisk(-old, -newSize), "mirror flip grows risk");
    }

    function testFuzz_reducesRisk_MatchesDefinition(int256 oldSize, int256 newSize) public pure {
        oldSize = bound(oldSize, type(int128).min, INT128_MAX);
        newSize = bound(newSize, type(int128).min, INT128_MAX);
        bool flip = (oldSize > 0 && newSize < 0) || (oldSize < 0 && newSize > 0);
        bool smaller = (newSize >= 0 ? newSize : -newSize) <= (oldSize >= 0 ? oldSize : -oldSize);
        assertEq(PositionMath.reducesRisk(oldSize, newSize), smaller && !flip, "definition");
    }

    // ------------------------------------------------------------------ splits

    function test_rescaleSize_ForwardSplitFourToOne() public pure {
        assertEq(PositionMath.rescaleSize(10 * I18, E18, 4 * E18), 40 * I18, "long x4");
        assertEq(PositionMath.rescaleSize(-10 * I18, E18, 4 * E18), -40 * I18, "short x4");
    }

    function test_rescaleSize_ReverseSplitOneToTen() public pure {
        assertEq(PositionMath.rescaleSize(10 * I18, E18, 0.1e18), I18, "long / 10");
        assertEq(PositionMath.rescaleSize(-10 * I18, E18, 0.1e18), -I18, "short / 10");
        // 15 wei / 10: the long rounds down to 1, the short's magnitude up to 2 (both toward -inf).
        assertEq(PositionMath.rescaleSize(15, E18, 0.1e18), 1, "long dust down");
        assertEq(PositionMath.rescaleSize(-15, E18, 0.1e18), -2, "short dust toward -inf");
    }

    function test_rescaleSize_NoOpWhenFactorUnchangedOrFlat() public pure {
        assertEq(PositionMath.rescaleSize(7, 3e18, 3e18), 7, "same factor");
        assertEq(PositionMath.rescaleSize(0, 0, 3e18), 0, "flat, untouched");
    }

    function test_rescaleSize_RevertIf_FromFactorZero() public {
        vm.expectRevert(abi.encodeWithSelector(PositionMath.Position_InvalidSplitFactor.selector, 0));
        harness.rescaleSize(I18, 0, E18);
    }

    function test_rescaleSize_RevertIf_ToFactorZero() public {
        vm.expectRevert(abi.encodeWithSelector(PositionMath.Position_InvalidSplitFactor.selector, 0));
        harness.rescaleSize(I18, E18, 0);
    }

    function test_rescaleSize_RevertIf_ResultBeyondInt128() public {
        // int128.max * 2 does not fit the storage field.
        vm.expectRevert(
            abi.encodeWithSelector(PositionMath.Position_SizeOutOfRange.selector, INT128_MAX * 2)
        );
        harness.rescaleSize(INT128_MAX, E18, 2 * E18);
    }

    function test_rescaleSize_MaxFillSizeSurvivesLargestSplitRatio() public pure {
        // The oracle bounds the cumulative factor to [1e14, 1e22]: a ratio of at most 1e8.
        assertEq(PositionMath.rescaleSize(MAX_SIZE, 1e14, 1e22), MAX_SIZE * 1e8, "1e38 fits int128");
    }

    /// @dev A 4:1 split at price P (the oracle then prices at P/4) leaves equity unchanged.
    function testFuzz_rescaleSize_SplitFourLeavesEquityUnchanged(
        int256 size,
        uint256 entry,
        uint256 splitPrice
    ) public pure {
        _assertSplitKeepsEquity(size, entry, splitPrice, E18, 4 * E18);
    }

    /// @dev A 1:10 reverse split (price x10) leaves equity unchanged up to protocol-favouring dust.
    function testFuzz_rescaleSize_ReverseSplitTenLeavesEquityUnchanged(
        int256 size,
        uint256 entry,
        uint256 splitPrice
    ) public pure {
        _assertSplitKeepsEquity(size, entry, splitPrice, E18, 0.1e18);
    }

    function test_sync_SettlesFundingThenAppliesSplit() public pure {
        // Long 10 at factor 1, index 5 -> 7 (USD per base share): owes 20. Then a 4:1 split -> 40.
        Position memory position = Position(10 * I18, 1_500 * I18, 5 * I18, E18);
        int256 owed = PositionMath.sync(position, 7 * I18, 4 * E18);
        assertEq(owed, 20 * I18, "funding at the stored size");
        assertEq(position.sizeX18, 40 * I18, "split applied");
        assertEq(position.openNotionalX18, 1_500 * I18, "basis unchanged");
        assertEq(position.lastFundingIndexX18, 7 * I18, "index recorded");
        assertEq(position.splitFactorX18, 4 * E18, "factor recorded");
    }

    function test_sync_FundingAcrossSplitUsesBaseShares() public pure {
        // Stored 40 shares at factor 4 (= 10 base shares); index +2 per base share: owes 20, not 80.
        Position memory position = Position(40 * I18, 1_500 * I18, 0, 4 * E18);
        assertEq(PositionMath.sync(position, 2 * I18, 4 * E18), 20 * I18, "per base share");
    }

    function test_sync_InitializesEmptyPosition() public pure {
        Position memory position;
        assertEq(PositionMath.sync(position, 9 * I18, 2 * E18), 0, "nothing owed");
        assertEq(position.lastFundingIndexX18, 9 * I18, "index");
        assertEq(position.splitFactorX18, 2 * E18, "factor");
        assertEq(position.sizeX18, 0, "flat");
    }

    // ------------------------------------------------------------------ storage form

    function testFuzz_encode_InlineRoundTrips(
        int128 size,
        int256 basis,
        int128 index,
        uint128 factor
    ) public pure {
        basis = bound(basis, -(int256(1) << 126), (int256(1) << 126) - 1);
        Position memory position = Position(size, basis, index, factor);
        (uint256 head, uint256 funding) = PositionMath.encode(position, 0);
        assertEq(head & PositionMath.CHECKPOINTED, 0, "inline");
        assertEq(PositionMath.checkpointOf(head), 0, "no checkpoint");
        _assertPosition(PositionMath.decode(head, funding), position);
    }

    function testFuzz_encode_CheckpointedRoundTrips(
        int256 size,
        int256 basis,
        int128 index,
        uint128 factor,
        uint256 checkpoint
    ) public pure {
        size = bound(size, -(int256(1) << 103), (int256(1) << 103) - 1);
        basis = bound(basis, -(int256(1) << 110), (int256(1) << 110) - 1);
        checkpoint = bound(checkpoint, 1, PositionMath.MAX_CHECKPOINT);
        Position memory position = Position(size, basis, index, factor);
        (uint256 head, uint256 funding) = PositionMath.encode(position, checkpoint);
        assertEq(head & PositionMath.CHECKPOINTED, PositionMath.CHECKPOINTED, "checkpointed");
        assertEq(PositionMath.checkpointOf(head), checkpoint, "checkpoint");
        assertEq(funding, PositionMath.fundingWord(index, factor), "funding word");
        _assertPosition(PositionMath.decode(head, funding), position);
    }

    /// @dev A size beyond int104 (only after a large forward split) or an open notional beyond int111
    /// does not fit the compact fields: the position stays inline whatever the checkpoint.
    function testFuzz_encode_WideFieldsStayInline(int128 size, int256 basis, uint256 checkpoint) public pure {
        basis = bound(basis, -(int256(1) << 126), (int256(1) << 126) - 1);
        checkpoint = bound(checkpoint, 1, PositionMath.MAX_CHECKPOINT);
        bool sizeFits = size >= -(int256(1) << 103) && size < (int256(1) << 103);
        bool basisFits = basis >= -(int256(1) << 110) && basis < (int256(1) << 110);
        Position memory position = Position(size, basis, -3, E18);
        (uint256 head, uint256 funding) = PositionMath.encode(position, checkpoint);
        assertEq(head & PositionMath.CHECKPOINTED != 0, sizeFits && basisFits, "checkpointed iff both fit");
        _assertPosition(PositionMath.decode(head, funding), position);
    }

    function test_encode_BoundariesOfTheCompactFields() public pure {
        int256 maxSize = (int256(1) << 103) - 1;
        int256 maxBasis = (int256(1) << 110) - 1;
        (uint256 head, ) = PositionMath.encode(Position(maxSize, -maxBasis - 1, 0, E18), 1);
        assertTrue(head & PositionMath.CHECKPOINTED != 0, "largest compact values are checkpointed");
        (head, ) = PositionMath.encode(Position(maxSize + 1, 0, 0, E18), 1);
        assertEq(head & PositionMath.CHECKPOINTED, 0, "size 2^103 is inline");
        (head, ) = PositionMath.encode(Position(-maxSize - 2, 0, 0, E18), 1);
        assertEq(head & PositionMath.CHECKPOINTED, 0, "size -2^103 - 1 is inline");
        (head, ) = PositionMath.encode(Position(0, maxBasis + 1, 0, E18), 1);
        assertEq(head & PositionMath.CHECKPOINTED, 0, "open notional 2^110 is inline");
        // The documented bounds fit the compact fields: |size| <= 1e30, |open notional| <= 1e33.
        (head, ) = PositionMath.encode(
            Position(-MAX_SIZE, int256(Constants.CH_MAX_ABS_OPEN_NOTIONAL_X18), 0, E18),
            PositionMath.MAX_CHECKPOINT
        );
        assertTrue(head & PositionMath.CHECKPOINTED != 0, "the fill bounds are checkpointed");
    }

    function test_encode_Layout() public pure {
        (uint256 head, uint256 funding) = PositionMath.encode(Position(-5, 7, -9, 11), 0);
        assertEq(uint128(head), uint128(int128(-5)), "inline size: bits 0..127");
        assertEq(head >> 128, 7, "inline open notional: bits 128..254, bit 255 clear");
        assertEq(uint128(funding), uint128(int128(-9)), "funding index: low half");
        assertEq(funding >> 128, 11, "split factor: high half");
        (head, ) = PositionMath.encode(Position(-5, -7, -9, 11), 0);
        assertEq(
            head >> 128,
            (uint256(1) << 127) - 7,
            "a negative inline open notional leaves bit 255 clear"
        );
        (head, funding) = PositionMath.encode(Position(-5, -7, -9, 11), 42);
        assertEq(head & ((uint256(1) << 104) - 1), (uint256(1) << 104) - 5, "size: bits 0..103");
        assertEq(
            (head >> 104) & ((uint256(1) << 111) - 1),
            (uint256(1) << 111) - 7,
            "open notional: bits 104..214"
        );
        assertEq((head >> 215) & PositionMath.MAX_CHECKPOINT, 42, "checkpoint: bits 215..254");
        assertEq(head >> 255, 1, "flag: bit 255");
        assertEq(funding, PositionMath.fundingWord(-9, 11), "the funding word does not depend on the form");
    }

    function test_store_InlineWritesBothSlots() public {
        PackedPositionStore store = new PackedPositionStore();
        Position memory position = Position(-5, 7, -9, 11);
        store.store(position, 0, false);
        (uint256 head, uint256 funding) = PositionMath.encode(position, 0);
        assertEq(uint256(vm.load(address(store), bytes32(0))), head, "slot 0: head");
        assertEq(uint256(vm.load(address(store), bytes32(uint256(1)))), funding, "slot 1: funding word");
        _assertPosition(store.load(), position);
    }

    function test_store_CheckpointedWritesTheHeadOnly() public {
        PackedPositionStore store = new PackedPositionStore();
        Position memory position = Position(-5, 7, -9, 11);
        store.setCheckpoint(3, PositionMath.fundingWord(-9, 11));
        store.store(position, 3, false);
        (uint256 head, ) = PositionMath.encode(position, 3);
        assertEq(uint256(vm.load(address(store), bytes32(0))), head, "slot 0: head");
        assertEq(uint256(vm.load(address(store), bytes32(uint256(1)))), 0, "slot 1 untouched");
        _assertPosition(store.load(), position);
        // The funding word comes from the checkpoint the head names, not from slot 1.
        store.setCheckpoint(3, PositionMath.fundingWord(-10, 12));
        Position memory read = store.load();
        assertEq(read.lastFundingIndexX18, -10, "index from the checkpoint");
        assertEq(read.splitFactorX18, 12, "factor from the checkpoint");
    }

    function test_store_CheckpointedWithWriteFundingAlsoWritesSlot1() public {
        PackedPositionStore store = new PackedPositionStore();
        Position memory position = Position(-5, 7, -9, 11);
        store.setCheckpoint(1, PositionMath.fundingWord(-9, 11));
        store.store(position, 1, true);
        assertEq(
            uint256(vm.load(address(store), bytes32(uint256(1)))),
            PositionMath.fundingWord(-9, 11),
            "slot 1 written"
        );
        // A later inline store of the lane reads its own funding slot again.
        Position memory next = Position(4, 9, -2, 13);
        store.store(next, 0, false);
        _assertPosition(store.load(), next);
    }

    function test_encode_RevertIf_FieldDoesNotFit() public {
        vm.expectRevert(
            abi.encodeWithSelector(PositionMath.Position_SizeOutOfRange.selector, INT128_MAX + 1)
        );
        harness.encode(Position(INT128_MAX + 1, 0, 0, E18), 0);
        int256 basis = -(int256(1) << 126) - 1;
        vm.expectRevert(abi.encodeWithSelector(PositionMath.Position_OpenNotionalOutOfRange.selector, basis));
        harness.encode(Position(0, basis, 0, E18), 0);
        vm.expectRevert(
            abi.encodeWithSelector(PositionMath.Position_OpenNotionalOutOfRange.selector, -basis - 1)
        );
        harness.encode(Position(0, -basis - 1, 0, E18), 7);
        vm.expectRevert(
            abi.encodeWithSelector(PositionMath.Position_FundingIndexOutOfRange.selector, INT128_MAX + 1)
        );
        harness.encode(Position(0, 0, INT128_MAX + 1, E18), 0);
        uint256 factor = uint256(type(uint128).max) + 1;
        vm.expectRevert(abi.encodeWithSelector(PositionMath.Position_InvalidSplitFactor.selector, factor));
        harness.encode(Position(0, 0, 0, factor), 0);
        uint256 checkpoint = PositionMath.MAX_CHECKPOINT + 1;
        vm.expectRevert(
            abi.encodeWithSelector(PositionMath.Position_CheckpointOutOfRange.selector, checkpoint)
        );
        harness.encode(Position(1, 1, 0, E18), checkpoint);
    }

    function test_fundingWord_RevertIf_FieldDoesNotFit() public {
        vm.expectRevert(
            abi.encodeWithSelector(PositionMath.Position_FundingIndexOutOfRange.selector, -INT128_MAX - 2)
        );
        harness.fundingWord(-INT128_MAX - 2, E18);
        uint256 factor = uint256(type(uint128).max) + 1;
        vm.expectRevert(abi.encodeWithSelector(PositionMath.Position_InvalidSplitFactor.selector, factor));
        harness.fundingWord(0, factor);
    }

    function _assertPosition(Position memory actual, Position memory expected) internal pure {
        assertEq(actual.sizeX18, expected.sizeX18, "size");
        assertEq(actual.openNotionalX18, expected.openNotionalX18, "basis");
        assertEq(actual.lastFundingIndexX18, expected.lastFundingIndexX18, "index");
        assertEq(actual.splitFactorX18, expected.splitFactorX18, "factor");
    }

    // ------------------------------------------------------------------ helpers

    function _assertFill(
        int256 size,
        int256 basis,
        int256 fill,
        uint256 price,
        int256 expectedSize,
        int256 expectedBasis,
        int256 expectedRealized
    ) internal pure {
        (int256 newSize, int256 newBasis, int256 realized) = PositionMath.applyFill(size, basis, fill, price);
        assertEq(newSize, expectedSize, "size");
        assertEq(newBasis, expectedBasis, "open notional");
        assertEq(realized, expectedRealized, "realized PnL");
    }

    function _basisAt(int256 size, uint256 price) internal pure returns (int256 basis) {
        if (size == 0) return 0;
        (, basis, ) = PositionMath.applyFill(0, 0, size, price);
    }

    function _assertSplitKeepsEquity(
        int256 size,
        uint256 entry,
        uint256 splitPrice,
        uint256 fromFactor,
        uint256 toFactor
    ) internal pure {
        size = bound(size, -1e24, 1e24);
        entry = bound(entry, 1e15, 1e24);
        // The oracle rescales the price by from/to; choose split prices it represents exactly.
        splitPrice = bound(splitPrice, 1e15, 1e24) * 40;
        int256 basis = _basisAt(size, entry);
        uint256 newPrice = (splitPrice * fromFactor) / toFactor;
        int256 newSize = PositionMath.rescaleSize(size, fromFactor, toFactor);
        int256 equityBefore = PositionMath.unrealizedPnlX18(size, basis, splitPrice);
        int256 equityAfter = PositionMath.unrealizedPnlX18(newSize, basis, newPrice);
        assertLe(equityAfter, equityBefore, "never more after a split");
        // Dust: at most one wei of size at the new price, plus one wei of rounding in the value.
        assertGe(equityAfter, equityBefore - int256(newPrice / E18) - 2, "equity unchanged up to dust");
        if (toFactor % fromFactor == 0) assertEq(equityAfter, equityBefore, "a forward split is exact");
    }
}
