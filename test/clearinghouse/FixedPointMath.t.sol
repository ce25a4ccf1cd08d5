// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {Test} from "../utils/Test.sol";
import {FixedPointMath} from "../../contracts/libraries/FixedPointMath.sol";
import {PositionMathHarness} from "../../contracts/mocks/PositionMathHarness.sol";

/// @notice Differential fuzz tests of `FixedPointMath` (whose hot path is inline assembly) against
/// OpenZeppelin's 512-bit `Math.mulDiv`, over the fast path (product fits in 256 bits) and the
/// 512-bit fallback, plus exact values and failure modes.
contract FixedPointMathTest is Test {
    PositionMathHarness internal harness;

    function setUp() public {
        harness = new PositionMathHarness();
    }

    function test_mulDiv_ExactValues() public pure {
        assertEq(FixedPointMath.mulDivDown(7, 3, 2), 10, "down 10.5");
        assertEq(FixedPointMath.mulDivUp(7, 3, 2), 11, "up 10.5");
        assertEq(FixedPointMath.mulDivUp(6, 3, 2), 9, "up exact");
        assertEq(FixedPointMath.mulDivFloor(-7, 3, 2), -11, "floor -10.5");
        assertEq(FixedPointMath.mulDivCeil(-7, 3, 2), -10, "ceil -10.5");
        assertEq(FixedPointMath.mulDivTrunc(-7, 3, 2), -10, "trunc -10.5");
        assertEq(FixedPointMath.mulDivFloor(7, 3, 2), 10, "floor 10.5");
        assertEq(FixedPointMath.mulDivCeil(7, 3, 2), 11, "ceil 10.5");
        assertEq(FixedPointMath.mulDivTrunc(7, 3, 2), 10, "trunc 10.5");
        assertEq(FixedPointMath.mulDivFloor(-6, 3, 2), -9, "floor exact");
        assertEq(FixedPointMath.mulDivCeil(0, 3, 2), 0, "zero");
        (uint256 q, bool rem) = FixedPointMath.mulDivWithRemainder(7, 3, 2);
        assertEq(q, 10, "quotient");
        assertTrue(rem, "remainder");
        (q, rem) = FixedPointMath.mulDivWithRemainder(6, 3, 2);
        assertFalse(rem, "no remainder");
    }

    function test_mulDiv_FallsBackTo512Bits() public pure {
        // (2^255) * 4 overflows 256 bits; / 8 gives 2^254 exactly.
        assertEq(FixedPointMath.mulDivDown(1 << 255, 4, 8), 1 << 254, "512-bit product");
        assertEq(
            FixedPointMath.mulDivUp(type(uint256).max, type(uint256).max, type(uint256).max),
            type(uint256).max,
            "max"
        );
        assertEq(
            FixedPointMath.mulDivFloor(-int256(1 << 254), 4, 3),
            -int256(Math.mulDiv(1 << 254, 4, 3, Math.Rounding.Ceil)),
            "signed"
        );
    }

    function testFuzz_mulDivDown_MatchesOpenZeppelin(uint256 x, uint256 y, uint256 d) public pure {
        d = bound(d, 1, type(uint256).max);
        (bool ok, ) = _ozFits(x, y, d);
        vm.assume(ok);
        assertEq(FixedPointMath.mulDivDown(x, y, d), Math.mulDiv(x, y, d), "down");
        (uint256 q, bool rem) = FixedPointMath.mulDivWithRemainder(x, y, d);
        assertEq(q, Math.mulDiv(x, y, d), "with remainder: quotient");
        assertEq(rem, mulmod(x, y, d) != 0, "with remainder: flag");
    }

    function testFuzz_mulDivUp_MatchesOpenZeppelin(uint256 x, uint256 y, uint256 d) public pure {
        d = bound(d, 1, type(uint256).max);
        (bool ok, uint256 down) = _ozFits(x, y, d);
        vm.assume(ok && !(down == type(uint256).max && mulmod(x, y, d) != 0));
        assertEq(FixedPointMath.mulDivUp(x, y, d), Math.mulDiv(x, y, d, Math.Rounding.Ceil), "up");
    }

    /// @dev Small operands: the assembly fast path.
    function testFuzz_mulDiv_FastPathMatchesOpenZeppelin(uint128 x, uint128 y, uint256 d) public pure {
        d = bound(d, 1, type(uint256).max);
        assertEq(FixedPointMath.mulDivDown(x, y, d), Math.mulDiv(x, y, d), "down");
        assertEq(FixedPointMath.mulDivUp(x, y, d), Math.mulDiv(x, y, d, Math.Rounding.Ceil), "up");
    }

    function testFuzz_mulDivSigned_MatchesOpenZeppelin(int256 x, uint256 y, uint256 d) public pure {
        x = bound(x, -type(int256).max, type(int256).max);
        d = bound(d, 1, type(uint256).max);
        uint256 magnitude = x >= 0 ? uint256(x) : uint256(-x);
        (bool ok, uint256 down) = _ozFits(magnitude, y, d);
        vm.assume(ok && down < uint256(type(int256).max));
        int256 floorRef;
        int256 ceilRef;
        if (x >= 0) {
            floorRef = SafeCast.toInt256(down);
            ceilRef = SafeCast.toInt256(Math.mulDiv(magnitude, y, d, Math.Rounding.Ceil));
        } else {
            floorRef = -SafeCast.toInt256(Math.mulDiv(magnitude, y, d, Math.Rounding.Ceil));
            ceilRef = -SafeCast.toInt256(down);
        }
        assertEq(FixedPointMath.mulDivFloor(x, y, d), floorRef, "floor");
        assertEq(FixedPointMath.mulDivCeil(x, y, d), ceilRef, "ceil");
        assertEq(FixedPointMath.mulDivTrunc(x, y, d), x >= 0 ? floorRef : ceilRef, "trunc");
    }

    function test_mulDiv_RevertIf_DivisorZero() public {
        vm.expectRevert(abi.encodeWithSignature("Panic(uint256)", 0x12));
        harness.mulDivDown(1, 1, 0);
        vm.expectRevert(abi.encodeWithSignature("Panic(uint256)", 0x12));
        harness.mulDivFloor(-1, 1, 0);
    }

    function test_mulDiv_RevertIf_QuotientBeyond256Bits() public {
        vm.expectRevert(abi.encodeWithSignature("Panic(uint256)", 0x11));
        harness.mulDivDown(type(uint256).max, 2, 1);
    }

    function test_mulDivSigned_RevertIf_QuotientBeyondInt256() public {
        uint256 tooBig = uint256(type(int256).max) + 1;
        vm.expectRevert(abi.encodeWithSelector(SafeCast.SafeCastOverflowedUintToInt.selector, tooBig));
        harness.mulDivCeil(1, tooBig, 1);
    }

    /// @dev Whether OpenZeppelin's mulDiv succeeds (quotient < 2^256), and its floor quotient.
    function _ozFits(uint256 x, uint256 y, uint256 d) internal pure returns (bool, uint256) {
        (uint256 high, ) = Math.mul512(x, y);
        if (high >= d) return (false, 0);
        return (true, Math.mulDiv(x, y, d));
    }
}
