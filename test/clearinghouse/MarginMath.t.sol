// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Test} from "../utils/Test.sol";
import {Constants} from "../../contracts/libraries/Constants.sol";
import {MarginMath} from "../../contracts/libraries/MarginMath.sol";
import {PositionMath} from "../../contracts/libraries/PositionMath.sol";
import {MarginMathHarness} from "../../contracts/mocks/MarginMathHarness.sol";
import {AccountHealth, MarketExposure} from "../../contracts/types/Market.sol";

/// @notice Unit and fuzz tests of `MarginMath`: equity, equity without profit, IM/MM, margin ratio,
/// withdrawable collateral (INV-5) and the liquidation threshold (INV-4).
contract MarginMathTest is Test {
    uint256 internal constant E18 = 1e18;
    int256 internal constant I18 = 1e18;

    MarginMathHarness internal harness;

    function setUp() public {
        harness = new MarginMathHarness();
    }

    function test_accountHealth_NoPositions() public pure {
        AccountHealth memory health = MarginMath.accountHealth(1_000 * I18, new MarketExposure[](0));
        assertEq(health.equityX18, 1_000 * I18, "equity = collateral");
        assertEq(health.equityWithoutProfitX18, 1_000 * I18, "same");
        assertEq(health.initialMarginX18, 0, "no IM");
        assertEq(MarginMath.marginRatioX18(health), type(int256).max, "infinite ratio");
        assertEq(MarginMath.withdrawableX18(1_000 * I18, health), 1_000 * E18, "everything");
        assertTrue(MarginMath.meetsInitialMargin(health), "IM met");
        assertFalse(MarginMath.isLiquidatable(health), "not liquidatable");
    }

    function test_accountHealth_LongInProfit() public pure {
        // Long 10 @ basis 1,500, mark 160: uPnL +100; pending funding 5 owed; IM 10 %, MM 5 %.
        MarketExposure[] memory exposures = new MarketExposure[](1);
        exposures[0] = MarketExposure(10 * I18, 1_500 * I18, 5 * I18, 160 * E18, 1_000, 500);
        AccountHealth memory health = MarginMath.accountHealth(1_000 * I18, exposures);
        assertEq(health.equityX18, 1_095 * I18, "1,000 + 100 - 5");
        assertEq(health.equityWithoutProfitX18, 995 * I18, "profit not counted");
        assertEq(health.notionalX18, 1_600 * E18, "notional");
        assertEq(health.initialMarginX18, 160 * E18, "IM");
        assertEq(health.maintenanceMarginX18, 80 * E18, "MM");
        assertEq(MarginMath.marginRatioX18(health), 0.684375e18, "1,095 / 1,600");
        assertEq(MarginMath.withdrawableX18(1_000 * I18, health), 835 * E18, "995 - 160");
    }

    function test_accountHealth_ShortAtLoss() public pure {
        // Short 10 @ basis -1,500, mark 160: uPnL -100; funding receivable 5.
        MarketExposure[] memory exposures = new MarketExposure[](1);
        exposures[0] = MarketExposure(-10 * I18, -1_500 * I18, -5 * I18, 160 * E18, 1_000, 500);
        AccountHealth memory health = MarginMath.accountHealth(1_000 * I18, exposures);
        assertEq(health.equityX18, 905 * I18, "1,000 - 100 + 5");
        assertEq(health.equityWithoutProfitX18, 905 * I18, "a loss counts fully");
        assertEq(MarginMath.withdrawableX18(1_000 * I18, health), 745 * E18, "905 - 160");
    }

    function test_accountHealth_ProfitInOneMarketDoesNotBackAnother() public pure {
        // Market A: +500 uPnL; market B: -300 uPnL. Equity nets them; withdrawable does not.
        MarketExposure[] memory exposures = new MarketExposure[](2);
        exposures[0] = MarketExposure(10 * I18, 1_000 * I18, 0, 150 * E18, 1_000, 500);
        exposures[1] = MarketExposure(-10 * I18, -1_000 * I18, 0, 130 * E18, 2_000, 1_000);
        AccountHealth memory health = MarginMath.accountHealth(1_000 * I18, exposures);
        assertEq(health.equityX18, 1_200 * I18, "1,000 + 500 - 300");
        assertEq(health.equityWithoutProfitX18, 700 * I18, "1,000 - 300");
        // IM: 1,500 * 10 % + 1,300 * 20 % = 150 + 260 = 410 (each market at its own session ratio).
        assertEq(health.initialMarginX18, 410 * E18, "IM");
        assertEq(health.maintenanceMarginX18, 205 * E18, "MM");
        assertEq(MarginMath.withdrawableX18(1_000 * I18, health), 290 * E18, "700 - 410");
    }

    function test_withdrawableX18_CappedByCollateral() public pure {
        // Funding receivable makes equity exceed collateral; withdrawable stays <= collateral.
        MarketExposure[] memory exposures = new MarketExposure[](1);
        exposures[0] = MarketExposure(I18, 100 * I18, -500 * I18, 100 * E18, 1_000, 500);
        AccountHealth memory health = MarginMath.accountHealth(200 * I18, exposures);
        assertEq(MarginMath.withdrawableX18(200 * I18, health), 200 * E18, "min(collateral, ...)");
    }

    function test_withdrawableX18_ZeroWhenBelowInitialMargin() public pure {
        MarketExposure[] memory exposures = new MarketExposure[](1);
        exposures[0] = MarketExposure(10 * I18, 1_500 * I18, 0, 100 * E18, 1_000, 500);
        AccountHealth memory health = MarginMath.accountHealth(400 * I18, exposures);
        // Equity 400 - 500 = -100 < IM 100.
        assertEq(MarginMath.withdrawableX18(400 * I18, health), 0, "nothing");
        assertEq(
            MarginMath.withdrawableX18(-50 * I18, MarginMath.start(-50 * I18)),
            0,
            "negative collateral"
        );
    }

    function test_isLiquidatable_StrictlyBelowMaintenance() public pure {
        // Long 10 @ 1,000, mark 100, MM 5 % = 50. Collateral 50 -> equity exactly MM: not liquidatable.
        MarketExposure[] memory exposures = new MarketExposure[](1);
        exposures[0] = MarketExposure(10 * I18, 1_000 * I18, 0, 100 * E18, 1_000, 500);
        AccountHealth memory atMaintenance = MarginMath.accountHealth(50 * I18, exposures);
        assertEq(atMaintenance.equityX18, int256(atMaintenance.maintenanceMarginX18), "equity == MM");
        assertFalse(MarginMath.isLiquidatable(atMaintenance), "INV-4: equity >= MM is safe");
        AccountHealth memory below = MarginMath.accountHealth(50 * I18 - 1, exposures);
        assertTrue(MarginMath.isLiquidatable(below), "one wei below MM");
    }

    function test_meetsInitialMargin_AtInitialMargin() public pure {
        MarketExposure[] memory exposures = new MarketExposure[](1);
        exposures[0] = MarketExposure(10 * I18, 1_000 * I18, 0, 100 * E18, 1_000, 500);
        assertTrue(
            MarginMath.meetsInitialMargin(MarginMath.accountHealth(100 * I18, exposures)),
            "equity == IM"
        );
        assertFalse(
            MarginMath.meetsInitialMargin(MarginMath.accountHealth(100 * I18 - 1, exposures)),
            "below"
        );
    }

    function test_marginRatioX18_NegativeEquity() public pure {
        MarketExposure[] memory exposures = new MarketExposure[](1);
        exposures[0] = MarketExposure(10 * I18, 1_000 * I18, 0, 100 * E18, 1_000, 500);
        AccountHealth memory health = MarginMath.accountHealth(-1, exposures);
        // -1 wei / 1,000 USD, toward -infinity: -1 (not 0).
        assertEq(MarginMath.marginRatioX18(health), -1, "rounded toward -infinity");
    }

    function test_accumulate_EqualsStepByStep() public pure {
        AccountHealth memory health = MarginMath.start(100 * I18);
        MarginMath.accumulate(health, MarketExposure(3, 7, 1, 1.5e18, 333, 111));
        // size 3 wei at 1.5 = 4.5 wei: value 4 (down), notional 5 (up); IM ceil(5 * 3.33 %) = 1.
        assertEq(health.equityX18, 100 * I18 + (4 - 7) - 1, "equity");
        assertEq(health.equityWithoutProfitX18, 100 * I18 - 3 - 1, "without profit");
        assertEq(health.notionalX18, 5, "notional up");
        assertEq(health.initialMarginX18, 1, "IM up");
        assertEq(health.maintenanceMarginX18, 1, "MM up");
    }

    /// @dev The one-product shortcut in `accumulate` equals the PositionMath functions it mirrors.
    function testFuzz_accumulate_MatchesPositionMath(
        int256 size,
        int256 basis,
        int256 funding,
        uint256 mark,
        uint256 imBps,
        uint256 mmBps
    ) public pure {
        size = bound(size, type(int128).min, type(int128).max);
        basis = bound(basis, type(int128).min, type(int128).max);
        funding = bound(funding, type(int128).min, type(int128).max);
        mark = bound(mark, 0, Constants.CH_MAX_PRICE_X18);
        imBps = bound(imBps, 0, 10_000);
        mmBps = bound(mmBps, 0, 10_000);
        AccountHealth memory health = MarginMath.start(0);
        MarginMath.accumulate(health, MarketExposure(size, basis, funding, mark, imBps, mmBps));
        int256 uPnl = PositionMath.unrealizedPnlX18(size, basis, mark);
        assertEq(health.equityX18, uPnl - funding, "equity");
        assertEq(health.equityWithoutProfitX18, (uPnl < 0 ? uPnl : int256(0)) - funding, "without profit");
        assertEq(health.notionalX18, PositionMath.notionalX18(size, mark), "notional");
        assertEq(health.initialMarginX18, PositionMath.marginRequirementX18(size, mark, imBps), "IM");
        assertEq(health.maintenanceMarginX18, PositionMath.marginRequirementX18(size, mark, mmBps), "MM");
    }

    /// @dev The clearinghouse's single-market fast path equals `accumulate` on the same position, within
    /// the bounds the clearinghouse guarantees (|size| <= CH_MAX_ABS_SIZE_X18, |open notional| < 2^127).
    function testFuzz_pnlAndInitialMargin_MatchesAccumulate(
        int256 size,
        int256 basis,
        uint256 mark,
        uint256 imBps
    ) public pure {
        int256 maxSize = int256(Constants.CH_MAX_ABS_SIZE_X18);
        size = bound(size, -maxSize, maxSize);
        basis = bound(basis, type(int128).min, type(int128).max);
        mark = bound(mark, 0, Constants.CH_MAX_PRICE_X18);
        imBps = bound(imBps, 0, 10_000);
        (int256 uPnl, uint256 initialMargin) = MarginMath.pnlAndInitialMargin(size, basis, mark, imBps);
        AccountHealth memory health = MarginMath.start(0);
        MarginMath.accumulate(health, MarketExposure(size, basis, 0, mark, imBps, 0));
        assertEq(uPnl, health.equityX18, "uPnL");
        assertEq(initialMargin, health.initialMarginX18, "IM");
    }

    /// @dev INV-5: withdrawing the withdrawable amount leaves equity without profit >= IM, and never
    /// more than the collateral leaves.
    function testFuzz_withdrawableX18_LeavesInitialMarginCovered(
        int256 collateral,
        int256[3] memory sizes,
        uint256[3] memory entries,
        uint256[3] memory marks
    ) public pure {
        collateral = bound(collateral, -1e24, 1e24);
        MarketExposure[] memory exposures = new MarketExposure[](3);
        for (uint256 i; i < 3; ++i) {
            int256 size = bound(sizes[i], -1e24, 1e24);
            uint256 entry = bound(entries[i], 1e15, 1e22);
            uint256 mark = bound(marks[i], 1e15, 1e22);
            (, int256 basis, ) = size == 0
                ? (int256(0), int256(0), int256(0))
                : PositionMath.applyFill(0, 0, size, entry);
            exposures[i] = MarketExposure(size, basis, int256(i) - 1, mark, 1_000 + 500 * i, 500 + 250 * i);
        }
        AccountHealth memory health = MarginMath.accountHealth(collateral, exposures);
        uint256 withdrawable = MarginMath.withdrawableX18(collateral, health);
        assertLe(int256(withdrawable), collateral > 0 ? collateral : int256(0), "never more than collateral");
        if (withdrawable == 0) return;
        int256 remaining = collateral - int256(withdrawable);
        AccountHealth memory afterWithdrawal = MarginMath.accountHealth(remaining, exposures);
        assertGe(
            afterWithdrawal.equityWithoutProfitX18,
            int256(afterWithdrawal.initialMarginX18),
            "IM still covered without profit"
        );
        assertTrue(MarginMath.meetsInitialMargin(afterWithdrawal), "IM met");
        assertFalse(MarginMath.isLiquidatable(afterWithdrawal), "not liquidatable after a withdrawal");
    }

    function test_start_RevertIf_CollateralBeyondInt128() public {
        int256 collateral = int256(type(int128).max) + 1;
        vm.expectRevert(abi.encodeWithSelector(MarginMath.Margin_CollateralOutOfRange.selector, collateral));
        harness.start(collateral);
    }

    function test_accumulate_RevertIf_ExposureOutOfRange() public {
        AccountHealth memory health = MarginMath.start(0);
        int256 tooBig = int256(type(int128).max) + 1;
        uint256 maxPrice = Constants.CH_MAX_PRICE_X18;
        _expectExposureRevert(health, MarketExposure(tooBig, 0, 0, E18, 1_000, 500));
        _expectExposureRevert(health, MarketExposure(0, tooBig, 0, E18, 1_000, 500));
        _expectExposureRevert(health, MarketExposure(0, 0, -tooBig - 1, E18, 1_000, 500));
        _expectExposureRevert(health, MarketExposure(0, 0, 0, maxPrice + 1, 1_000, 500));
        _expectExposureRevert(health, MarketExposure(0, 0, 0, E18, 10_001, 500));
        _expectExposureRevert(health, MarketExposure(0, 0, 0, E18, 1_000, 10_001));
    }

    function test_accumulate_ExtremeInRangeValues() public pure {
        // Everything at its bound sums without overflow, several times over.
        AccountHealth memory health = MarginMath.start(type(int128).max);
        MarketExposure memory extreme = MarketExposure(
            type(int128).min,
            type(int128).min,
            type(int128).max,
            Constants.CH_MAX_PRICE_X18,
            10_000,
            10_000
        );
        for (uint256 i; i < 4; ++i) {
            MarginMath.accumulate(health, extreme);
        }
        int256 uPnl = PositionMath.unrealizedPnlX18(
            type(int128).min,
            type(int128).min,
            Constants.CH_MAX_PRICE_X18
        );
        assertEq(health.equityX18, type(int128).max + 4 * (uPnl - type(int128).max), "exact sum");
        assertEq(
            health.initialMarginX18,
            4 * PositionMath.notionalX18(type(int128).min, Constants.CH_MAX_PRICE_X18),
            "IM"
        );
    }

    function _expectExposureRevert(AccountHealth memory health, MarketExposure memory exposure) internal {
        vm.expectRevert(
            abi.encodeWithSelector(
                MarginMath.Margin_ExposureOutOfRange.selector,
                exposure.sizeX18,
                exposure.openNotionalX18,
                exposure.pendingFundingX18,
                exposure.markPriceX18,
                exposure.initialMarginBps,
                exposure.maintenanceMarginBps
            )
        );
        harness.accumulate(health, exposure);
    }
}
