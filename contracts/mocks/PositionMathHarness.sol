// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {FixedPointMath} from "../libraries/FixedPointMath.sol";
import {PositionMath} from "../libraries/PositionMath.sol";
import {Position} from "../types/Market.sol";

/// @notice Test harness: exposes `PositionMath` and `FixedPointMath` externally (for expected reverts
/// in Solidity tests and for the SDK differential tests), with batch entry points and gas probes.
contract PositionMathHarness {
    struct FillCase {
        int256 sizeX18;
        int256 openNotionalX18;
        int256 fillSizeX18;
        uint256 priceX18;
    }

    struct FillResult {
        bool ok;
        bytes revertData;
        int256 newSizeX18;
        int256 newOpenNotionalX18;
        int256 realizedPnlX18;
    }

    struct RescaleCase {
        int256 sizeX18;
        uint256 fromSplitFactorX18;
        uint256 toSplitFactorX18;
    }

    struct RescaleResult {
        bool ok;
        bytes revertData;
        int256 sizeX18;
    }

    struct ViewCase {
        int256 sizeX18;
        int256 openNotionalX18;
        uint256 priceX18;
        uint256 ratioBps;
        int256 feeBps;
        int256 otherSizeX18;
    }

    struct ViewResult {
        int256 unrealizedPnlX18;
        uint256 notionalX18;
        uint256 marginRequirementX18;
        int256 tradingFeeX18;
        int256 closeAtX18;
        bool reducesRisk;
    }

    function mulDivDown(uint256 x, uint256 y, uint256 d) external pure returns (uint256) {
        return FixedPointMath.mulDivDown(x, y, d);
    }

    function mulDivUp(uint256 x, uint256 y, uint256 d) external pure returns (uint256) {
        return FixedPointMath.mulDivUp(x, y, d);
    }

    function mulDivWithRemainder(uint256 x, uint256 y, uint256 d) external pure returns (uint256, bool) {
        return FixedPointMath.mulDivWithRemainder(x, y, d);
    }

    function mulDivFloor(int256 x, uint256 y, uint256 d) external pure returns (int256) {
        return FixedPointMath.mulDivFloor(x, y, d);
    }

    function mulDivCeil(int256 x, uint256 y, uint256 d) external pure returns (int256) {
        return FixedPointMath.mulDivCeil(x, y, d);
    }

    function mulDivTrunc(int256 x, uint256 y, uint256 d) external pure returns (int256) {
        return FixedPointMath.mulDivTrunc(x, y, d);
    }

    function unrealizedPnlX18(
        int256 sizeX18,
        int256 openNotionalX18,
        uint256 markX18
    ) external pure returns (int256) {
        return PositionMath.unrealizedPnlX18(sizeX18, openNotionalX18, markX18);
    }

    function notionalX18(int256 sizeX18, uint256 priceX18) external pure returns (uint256) {
        return PositionMath.notionalX18(sizeX18, priceX18);
    }

    function marginRequirementX18(
        int256 sizeX18,
        uint256 markX18,
        uint256 ratioBps
    ) external pure returns (uint256) {
        return PositionMath.marginRequirementX18(sizeX18, markX18, ratioBps);
    }

    function tradingFeeX18(
        int256 fillSizeX18,
        uint256 priceX18,
        int256 feeBps
    ) external pure returns (int256) {
        return PositionMath.tradingFeeX18(fillSizeX18, priceX18, feeBps);
    }

    function applyFill(
        int256 sizeX18,
        int256 openNotionalX18,
        int256 fillSizeX18,
        uint256 priceX18
    ) external pure returns (int256 newSizeX18, int256 newOpenNotionalX18, int256 realizedPnlX18) {
        return PositionMath.applyFill(sizeX18, openNotionalX18, fillSizeX18, priceX18);
    }

    function closeAt(
        int256 sizeX18,
        int256 openNotionalX18,
        uint256 priceX18
    ) external pure returns (int256) {
        return PositionMath.closeAt(sizeX18, openNotionalX18, priceX18);
    }

    function reducesRisk(int256 oldSizeX18, int256 newSizeX18) external pure returns (bool) {
        return PositionMath.reducesRisk(oldSizeX18, newSizeX18);
    }

    function rescaleSize(int256 sizeX18, uint256 fromX18, uint256 toX18) external pure returns (int256) {
        return PositionMath.rescaleSize(sizeX18, fromX18, toX18);
    }

    function sync(
        Position memory position,
        int256 fundingIndexX18,
        uint256 splitFactorX18
    ) external pure returns (Position memory, int256 fundingOwedX18) {
        fundingOwedX18 = PositionMath.sync(position, fundingIndexX18, splitFactorX18);
        return (position, fundingOwedX18);
    }

    function encode(
        Position memory position,
        uint256 checkpoint
    ) external pure returns (uint256 head, uint256 funding) {
        return PositionMath.encode(position, checkpoint);
    }

    function fundingWord(int256 fundingIndexX18, uint256 splitFactorX18) external pure returns (uint256) {
        return PositionMath.fundingWord(fundingIndexX18, splitFactorX18);
    }

    /// @notice `applyFill` over many cases; a reverting case reports its revert data.
    function applyFillBatch(FillCase[] calldata cases) external view returns (FillResult[] memory results) {
        results = new FillResult[](cases.length);
        for (uint256 i; i < cases.length; ++i) {
            FillCase calldata c = cases[i];
            try this.applyFill(c.sizeX18, c.openNotionalX18, c.fillSizeX18, c.priceX18) returns (
                int256 newSize,
                int256 newOpenNotional,
                int256 realized
            ) {
                results[i] = FillResult(true, "", newSize, newOpenNotional, realized);
            } catch (bytes memory reason) {
                results[i].revertData = reason;
            }
        }
    }

    /// @notice The non-reverting views over many in-range cases.
    function viewsBatch(ViewCase[] calldata cases) external pure returns (ViewResult[] memory results) {
        results = new ViewResult[](cases.length);
        for (uint256 i; i < cases.length; ++i) {
            ViewCase calldata c = cases[i];
            results[i] = ViewResult(
                PositionMath.unrealizedPnlX18(c.sizeX18, c.openNotionalX18, c.priceX18),
                PositionMath.notionalX18(c.sizeX18, c.priceX18),
                PositionMath.marginRequirementX18(c.sizeX18, c.priceX18, c.ratioBps),
                PositionMath.tradingFeeX18(c.sizeX18, c.priceX18, c.feeBps),
                PositionMath.closeAt(c.sizeX18, c.openNotionalX18, c.priceX18),
                PositionMath.reducesRisk(c.sizeX18, c.otherSizeX18)
            );
        }
    }

    /// @notice `rescaleSize` over many cases; a reverting case reports its revert data.
    function rescaleBatch(
        RescaleCase[] calldata cases
    ) external view returns (RescaleResult[] memory results) {
        results = new RescaleResult[](cases.length);
        for (uint256 i; i < cases.length; ++i) {
            RescaleCase calldata c = cases[i];
            try this.rescaleSize(c.sizeX18, c.fromSplitFactorX18, c.toSplitFactorX18) returns (int256 size) {
                results[i] = RescaleResult(true, "", size);
            } catch (bytes memory reason) {
                results[i].revertData = reason;
            }
        }
    }

    /// @notice Gas of one `applyFill` (library code only, inputs on the stack).
    function gasApplyFill(
        int256 sizeX18,
        int256 openNotionalX18,
        int256 fillSizeX18,
        uint256 priceX18
    )
        external
        view
        returns (uint256 gasUsed, int256 newSizeX18, int256 newOpenNotionalX18, int256 realizedPnlX18)
    {
        uint256 before = gasleft();
        (newSizeX18, newOpenNotionalX18, realizedPnlX18) = PositionMath.applyFill(
            sizeX18,
            openNotionalX18,
            fillSizeX18,
            priceX18
        );
        gasUsed = before - gasleft();
    }

    /// @notice Gas of one `sync` (funding settlement and split rescale) of a memory position.
    function gasSync(
        Position memory position,
        int256 fundingIndexX18,
        uint256 splitFactorX18
    ) external view returns (uint256 gasUsed, int256 fundingOwedX18) {
        uint256 before = gasleft();
        fundingOwedX18 = PositionMath.sync(position, fundingIndexX18, splitFactorX18);
        gasUsed = before - gasleft();
    }

    /// @notice Gas of one `tradingFeeX18`.
    function gasTradingFee(
        int256 fillSizeX18,
        uint256 priceX18,
        int256 feeBps
    ) external view returns (uint256 gasUsed, int256 feeX18) {
        uint256 before = gasleft();
        feeX18 = PositionMath.tradingFeeX18(fillSizeX18, priceX18, feeBps);
        gasUsed = before - gasleft();
    }
}
