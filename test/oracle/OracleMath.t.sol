// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Test} from "../utils/Test.sol";
import {OracleMath} from "../../contracts/libraries/OracleMath.sol";

/// @notice External wrappers so that library reverts cross a call boundary (for expectRevert).
contract OracleMathHarness {
    function oneMinusExpNegX18(uint256 xX18) external pure returns (uint256) {
        return OracleMath.oneMinusExpNegX18(xX18);
    }
}

/// @notice Unit, fuzz and differential tests of the oracle's fixed-point math.
contract OracleMathTest is Test {
    uint256 internal constant X18 = 1e18;
    uint256 internal constant X36 = 1e36;
    /// @dev The documented error bound of `oneMinusExpNegX18`, in wei of an 18-decimal result.
    uint256 internal constant EXP_ERROR_BOUND_WEI = 10;

    OracleMathHarness internal harness = new OracleMathHarness();

    // ================================================================== 1 - e^(-x)

    /// @dev Reference values: floor((1 - e^(-x)) * 1e18), computed with 60-digit arithmetic (mpmath).
    function test_oneMinusExpNegX18_MatchesKnownValues() public pure {
        assertEq(OracleMath.oneMinusExpNegX18(0), 0, "x = 0");
        assertApproxEqAbs(OracleMath.oneMinusExpNegX18(0.001e18), 999500166625008, 2, "x = 0.001");
        assertApproxEqAbs(
            OracleMath.oneMinusExpNegX18(0.1e18),
            95162581964040426,
            2,
            "x = 0.1 (360 s / 1 h)"
        );
        assertApproxEqAbs(OracleMath.oneMinusExpNegX18(0.5e18), 393469340287366576, 2, "x = 0.5");
        assertApproxEqAbs(OracleMath.oneMinusExpNegX18(1e18), 632120558828557678, 2, "x = 1");
    }

    function test_oneMinusExpNegX18_TinyInputIsAlmostLinear() public pure {
        // 1 - e^(-x) = x - x^2/2 + ...: for x = 1 wei the result is 1 wei (x^2/2 rounds to 0).
        assertEq(OracleMath.oneMinusExpNegX18(1), 1, "x = 1e-18");
        assertEq(OracleMath.oneMinusExpNegX18(1e9), 1e9, "x = 1e-9: x^2/2 = 5e-19 rounds away");
    }

    function test_oneMinusExpNegX18_RevertIf_InputAboveOne() public {
        vm.expectRevert(abi.encodeWithSelector(OracleMath.Oracle_ExpInputOutOfRange.selector, X18 + 1, X18));
        harness.oneMinusExpNegX18(X18 + 1);
    }

    /// @notice Differential test against a 36-decimal reference (same series, 18 more digits, so
    /// its own error is below 1e-33): the 18-decimal implementation is within 10 wei everywhere
    /// (a 20,000-point sweep against 60-digit arithmetic found at most 4.9 wei).
    function testFuzz_oneMinusExpNegX18_WithinErrorBoundOfReference(uint256 xX18) public pure {
        xX18 = bound(xX18, 0, X18);
        uint256 actualX36 = OracleMath.oneMinusExpNegX18(xX18) * X18;
        uint256 referenceX36 = _referenceOneMinusExpNegX36(xX18 * X18);
        assertApproxEqAbs(
            actualX36,
            referenceX36,
            EXP_ERROR_BOUND_WEI * X18,
            "1 - e^-x vs 36-decimal reference"
        );
    }

    function testFuzz_oneMinusExpNegX18_IsMonotoneAndBelowX(uint256 a, uint256 b) public pure {
        a = bound(a, 0, X18);
        b = bound(b, a, X18);
        uint256 fa = OracleMath.oneMinusExpNegX18(a);
        uint256 fb = OracleMath.oneMinusExpNegX18(b);
        assertLe(fa, fb + EXP_ERROR_BOUND_WEI, "monotone up to the error bound");
        assertLe(fa, a, "1 - e^-x <= x");
    }

    // ================================================================== EMA step

    function test_emaStepX18_MovesTowardTradeByWeight() public pure {
        // 360 s of a 1 h tau: weight 9.516 %; trade 5 % above P: move 0.4758 % < 1 % cap.
        uint256 next = OracleMath.emaStepX18(100e18, 105e18, 360, 3600, 100);
        assertApproxEqAbs(next, 100e18 + (5e18 * 95162581964040426) / X18, 10, "weighted move up");
        next = OracleMath.emaStepX18(100e18, 95e18, 360, 3600, 100);
        assertApproxEqAbs(next, 100e18 - (5e18 * 95162581964040426) / X18, 10, "weighted move down");
    }

    function test_emaStepX18_CapsTheMove() public pure {
        // Trade 50 % above: weighted move 4.76 %, capped at 1 % of P.
        assertEq(OracleMath.emaStepX18(100e18, 150e18, 360, 3600, 100), 101e18, "capped up");
        assertEq(OracleMath.emaStepX18(100e18, 50e18, 360, 3600, 100), 99e18, "capped down");
    }

    function test_emaStepX18_ZeroElapsedDoesNotMove() public pure {
        assertEq(OracleMath.emaStepX18(100e18, 150e18, 0, 3600, 100), 100e18, "dt = 0: weight 0");
    }

    function testFuzz_emaStepX18_NeverOvershootsOrExceedsCap(
        uint256 current,
        uint256 trade,
        uint256 dt,
        uint256 capBps
    ) public pure {
        current = bound(current, 1, 1e30);
        trade = bound(trade, 1, 1e30);
        dt = bound(dt, 0, 3600);
        capBps = bound(capBps, 1, 500);
        uint256 next = OracleMath.emaStepX18(current, trade, dt, 3600, capBps);
        uint256 move = next > current ? next - current : current - next;
        assertLe(move, (current * capBps) / 10_000, "move <= cap");
        if (trade >= current) assertTrue(next >= current && next <= trade, "between P and trade (up)");
        else assertTrue(next <= current && next >= trade, "between P and trade (down)");
    }

    // ================================================================== band

    /// @dev 5 % * sqrt(1 + h/24) at h = 0, 24, 48, 64 hours (60-digit reference, floored).
    function test_bandHalfWidthX18_FollowsSquareRootLaw() public pure {
        assertEq(OracleMath.bandHalfWidthX18(500, 2000, 0, 1 days), 0.05e18, "h = 0: b_tier");
        assertApproxEqAbs(
            OracleMath.bandHalfWidthX18(500, 2000, 24 hours, 1 days),
            70710678118654752,
            1,
            "h = 24"
        );
        assertApproxEqAbs(
            OracleMath.bandHalfWidthX18(500, 2000, 48 hours, 1 days),
            86602540378443864,
            1,
            "h = 48"
        );
        assertApproxEqAbs(
            OracleMath.bandHalfWidthX18(500, 2000, 64 hours, 1 days),
            95742710775633810,
            1,
            "h = 64"
        );
    }

    function test_bandHalfWidthX18_NormalWeekendIsAbout8Point7Percent() public pure {
        // Friday 20:00 to Sunday 20:00 New York: 48 h closed, tier 1.
        uint256 b = OracleMath.bandHalfWidthX18(500, 2000, 48 hours, 1 days);
        assertGe(b, 0.0865e18, "weekend band >= 8.65 %");
        assertLe(b, 0.0870e18, "weekend band <= 8.70 %");
    }

    function test_bandHalfWidthX18_HitsTheCap() public pure {
        // Tier 10 %: 10 % * sqrt(1 + 72/24) = 20 % exactly at 72 h; beyond it the cap holds.
        assertEq(OracleMath.bandHalfWidthX18(1000, 2000, 72 hours, 1 days), 0.2e18, "h = 72: cap reached");
        assertEq(OracleMath.bandHalfWidthX18(1000, 2000, 500 hours, 1 days), 0.2e18, "h = 500: capped");
        assertEq(OracleMath.bandHalfWidthX18(500, 600, 48 hours, 1 days), 0.06e18, "cap below the formula");
    }

    function test_bandHalfWidthX18_HorizonScalesTime() public pure {
        // With a 12 h horizon, 24 h closed is 1 + 2 = 3 "horizons": 5 % * sqrt(3).
        assertApproxEqAbs(
            OracleMath.bandHalfWidthX18(500, 2000, 24 hours, 12 hours),
            86602540378443864,
            1,
            "12 h"
        );
    }

    function testFuzz_bandHalfWidthX18_GrowsWithTimeUpToCap(uint256 t1, uint256 t2) public pure {
        t1 = bound(t1, 0, 365 days);
        t2 = bound(t2, t1, 365 days);
        uint256 b1 = OracleMath.bandHalfWidthX18(400, 2000, t1, 1 days);
        uint256 b2 = OracleMath.bandHalfWidthX18(400, 2000, t2, 1 days);
        assertLe(b1, b2, "non-decreasing in time");
        assertLe(b2, 0.2e18, "never above the cap");
        assertGe(b1, 0.04e18, "never below the tier");
    }

    function test_bandX18_RoundsInward() public pure {
        // anchor 3 wei, b = 50 %: offset 1.5 rounds down to 1: [2, 4] lies inside [1.5, 4.5].
        (uint256 low, uint256 high) = OracleMath.bandX18(3, 0.5e18);
        assertEq(low, 2, "low rounds up");
        assertEq(high, 4, "high rounds down");
        (low, high) = OracleMath.bandX18(100e18, 0.0866e18);
        assertEq(low, 91.34e18, "low");
        assertEq(high, 108.66e18, "high");
    }

    function test_clamp_ClampsBothSides() public pure {
        assertEq(OracleMath.clamp(5, 10, 20), 10, "below");
        assertEq(OracleMath.clamp(15, 10, 20), 15, "inside");
        assertEq(OracleMath.clamp(25, 10, 20), 20, "above");
    }

    function test_deviatesBeyond_IsStrictAtTheBound() public pure {
        assertFalse(OracleMath.deviatesBeyond(100e18, 101e18, 100), "exactly 1 %: not beyond");
        assertTrue(OracleMath.deviatesBeyond(100e18, 101e18 + 1, 100), "1 % + 1 wei: beyond");
        assertFalse(OracleMath.deviatesBeyond(100e18, 99e18, 100), "exactly -1 %: not beyond");
        assertTrue(OracleMath.deviatesBeyond(100e18, 99e18 - 1, 100), "-1 % - 1 wei: beyond");
    }

    function test_blendX18_WeightsBothInputs() public pure {
        assertEq(OracleMath.blendX18(100e18, 110e18, 0), 100e18, "weight 0");
        assertEq(OracleMath.blendX18(100e18, 110e18, 2500), 102.5e18, "weight 25 %");
        assertEq(OracleMath.blendX18(100e18, 110e18, 5000), 105e18, "weight 50 %");
    }

    function test_bpsToX18_IsExact() public pure {
        assertEq(OracleMath.bpsToX18(1), 1e14, "1 bps");
        assertEq(OracleMath.bpsToX18(500), 0.05e18, "5 %");
    }

    // ================================================================== reference

    /// @dev The same alternating series in 36-decimal fixed point, summed to 40 terms.
    function _referenceOneMinusExpNegX36(uint256 xX36) private pure returns (uint256) {
        uint256 positive = xX36;
        uint256 negative;
        uint256 term = xX36;
        for (uint256 k = 2; k < 40 && term != 0; ++k) {
            term = (term * xX36) / (k * X36);
            if (k % 2 == 0) negative += term;
            else positive += term;
        }
        return positive - negative;
    }
}
