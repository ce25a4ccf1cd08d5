// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {SignedMath} from "@openzeppelin/contracts/utils/math/SignedMath.sol";
import {Constants} from "./Constants.sol";
import {FixedPointMath} from "./FixedPointMath.sol";
import {FundingMath} from "./FundingMath.sol";
import {PackedPosition, Position} from "../types/Market.sol";

/// @title PositionMath
/// @notice Position accounting with a signed cost basis (SPEC 1): `uPnL = size * mark - openNotional`.
/// Fills (open, increase, reduce, close, flip), realized PnL, fees, margin requirements, the
/// risk-reduction test, lazily applied splits and the packed storage form.
///
/// Rounding (every direction favours the protocol; see docs/clearinghouse-math.md for the proofs):
/// - A fill's notional added to the open notional rounds toward +infinity. uPnL subtracts the open
///   notional, so a long's cost basis rounds up and a short's proceeds round down: later PnL can only
///   come out lower.
/// - On a reduce, the open notional released (`closed`) and the one kept (`kept`) are both
///   proportional shares rounded toward +infinity: realized PnL = floor(closedSize * price) -
///   closed rounds down (profit down, loss up) AND the kept basis cannot inflate later PnL. The two
///   shares may sum to one wei more than the original basis: that wei is the protocol's (Σ uPnL =
///   -Σ openNotional drops by it). Splitting a close into pieces therefore never pays more than one
///   close (fuzz-tested).
/// - Sizes rescaled by a split round toward -infinity (both longs and shorts lose the dust).
/// - Margin requirements, notionals and fees round up (toward +infinity for a signed fee, so a
///   rebate rounds down).
/// @dev `sdk/positions.ts` mirrors this file line by line; the two are differential-tested.
library PositionMath {
    /// @notice The price is zero or above `CH_MAX_PRICE_X18`.
    error Position_InvalidPrice(uint256 priceX18, uint256 maxPriceX18);
    /// @notice The fill size is zero or beyond int128.
    error Position_InvalidFillSize(int256 fillSizeX18);
    /// @notice A fill that does not reduce risk would take |size| above `CH_MAX_ABS_SIZE_X18`.
    error Position_SizeAboveMax(int256 sizeX18, uint256 maxAbsSizeX18);
    /// @notice A fill that does not reduce risk would take |open notional| above the bound.
    error Position_OpenNotionalAboveMax(int256 openNotionalX18, uint256 maxAbsOpenNotionalX18);
    /// @notice A size does not fit int128 (its storage field).
    error Position_SizeOutOfRange(int256 sizeX18);
    /// @notice An open notional does not fit its field (int128 in arithmetic, int127 in storage).
    error Position_OpenNotionalOutOfRange(int256 openNotionalX18);
    /// @notice A funding index does not fit int128 (its storage field).
    error Position_FundingIndexOutOfRange(int256 fundingIndexX18);
    /// @notice A split factor is zero or does not fit uint128 (its storage field).
    error Position_InvalidSplitFactor(uint256 splitFactorX18);
    /// @notice A funding checkpoint number does not fit the head word's 40 bits.
    error Position_CheckpointOutOfRange(uint256 checkpoint);

    uint256 private constant X18 = Constants.X18;
    /// @dev `X18 * BPS`: divides `size * price * ratioBps`.
    uint256 private constant X18_BPS = Constants.X18 * Constants.BPS;

    /// @notice `size * mark - openNotional`, the size term rounded toward -infinity (a user's claim
    /// rounds down).
    function unrealizedPnlX18(
        int256 sizeX18,
        int256 openNotionalX18,
        uint256 markPriceX18
    ) internal pure returns (int256) {
        return FixedPointMath.mulDivFloor(sizeX18, markPriceX18, X18) - openNotionalX18;
    }

    /// @notice `|size| * price`, rounded up (caps and requirements computed from it are conservative).
    function notionalX18(int256 sizeX18, uint256 priceX18) internal pure returns (uint256) {
        return FixedPointMath.mulDivUp(SignedMath.abs(sizeX18), priceX18, X18);
    }

    /// @notice `notional * ratio` with the notional rounded up (`notionalX18`), rounded up again: what
    /// an account must hold rounds up, and both roundings only raise the requirement.
    function marginRequirementX18(
        int256 sizeX18,
        uint256 markPriceX18,
        uint256 ratioBps
    ) internal pure returns (uint256) {
        return FixedPointMath.mulDivUp(notionalX18(sizeX18, markPriceX18), ratioBps, Constants.BPS);
    }

    /// @notice The fee of a fill: `|fillSize| * price * feeBps`, signed like the fee (negative = rebate),
    /// rounded toward +infinity (a fee rounds up, a rebate rounds down).
    function tradingFeeX18(
        int256 fillSizeX18,
        uint256 priceX18,
        int256 feeBps
    ) internal pure returns (int256) {
        // |fill| * price < 2^127 * 2^128 fits in 256 bits for every valid fill and price (applyFill's
        // bounds); the fee is then one 512-bit mulDiv with one rounding.
        return FixedPointMath.mulDivCeil(feeBps, SignedMath.abs(fillSizeX18) * priceX18, X18_BPS);
    }

    /// @notice Applies a fill of signed size `fillSizeX18` (+ buy, - sell) at `priceX18` to a position.
    /// Covers open, increase, partial reduce, full close and flip (close at `priceX18`, then open the
    /// rest at `priceX18`, in one step).
    /// @param sizeX18 The position's size in the current split epoch (after `sync`); int128 range.
    /// @param openNotionalX18 Its open notional; int128 range.
    /// @return newSizeX18 The size after the fill.
    /// @return newOpenNotionalX18 The open notional after the fill.
    /// @return realizedPnlX18 PnL realized by the closed part (0 when nothing closes), to be added to
    /// the account's collateral.
    /// @dev Reverts if the price or fill is invalid, or if a fill that is not a pure reduction leaves
    /// |size| or |open notional| above its bound. A reduction is always possible.
    function applyFill(
        int256 sizeX18,
        int256 openNotionalX18,
        int256 fillSizeX18,
        uint256 priceX18
    ) internal pure returns (int256 newSizeX18, int256 newOpenNotionalX18, int256 realizedPnlX18) {
        _checkFillInputs(sizeX18, openNotionalX18, fillSizeX18, priceX18);
        // Unchecked: sizes, fill and open notional fit int128 and the price is below 2^127 (checked
        // above), so every sum and difference here is below 2^200 in magnitude.
        unchecked {
            newSizeX18 = sizeX18 + fillSizeX18;
            if (sizeX18 == 0 || (sizeX18 > 0) == (fillSizeX18 > 0)) {
                // Open or increase: the fill's notional joins the basis, rounded toward +infinity.
                newOpenNotionalX18 = openNotionalX18 + FixedPointMath.mulDivCeil(fillSizeX18, priceX18, X18);
                _checkGrowth(newSizeX18, newOpenNotionalX18);
            } else if (newSizeX18 == 0 || (newSizeX18 > 0) == (sizeX18 > 0)) {
                // Reduce or close: release the closed share of the basis and realize its PnL.
                (newOpenNotionalX18, realizedPnlX18) = _reduce(
                    sizeX18,
                    openNotionalX18,
                    newSizeX18,
                    priceX18
                );
            } else {
                // Flip: close everything at the price, then open the remainder at the same price.
                realizedPnlX18 = FixedPointMath.mulDivFloor(sizeX18, priceX18, X18) - openNotionalX18;
                newOpenNotionalX18 = FixedPointMath.mulDivCeil(newSizeX18, priceX18, X18);
                _checkGrowth(newSizeX18, newOpenNotionalX18);
            }
        }
    }

    /// @notice The PnL of closing a whole position at `priceX18` (a delisted market's settlement
    /// price, SPEC 3.5), rounded toward -infinity. Equals the realized PnL of `applyFill(size, on,
    /// -size, price)`.
    function closeAt(
        int256 sizeX18,
        int256 openNotionalX18,
        uint256 priceX18
    ) internal pure returns (int256) {
        return FixedPointMath.mulDivFloor(sizeX18, priceX18, X18) - openNotionalX18;
    }

    /// @notice Whether going from `oldSizeX18` to `newSizeX18` strictly does not grow risk:
    /// |new| <= |old| and no sign flip. A "tiny opposite position" (long 100 -> short 0.000001) flips
    /// and therefore grows risk, as does opening from zero.
    function reducesRisk(int256 oldSizeX18, int256 newSizeX18) internal pure returns (bool) {
        if (newSizeX18 == 0) return true;
        bool sameSide = (oldSizeX18 > 0 && newSizeX18 > 0) || (oldSizeX18 < 0 && newSizeX18 < 0);
        return sameSide && SignedMath.abs(newSizeX18) <= SignedMath.abs(oldSizeX18);
    }

    /// @notice A size expressed at split factor `fromSplitFactorX18` re-expressed at
    /// `toSplitFactorX18` (current shares per base share): size * to / from, rounded toward
    /// -infinity. The open notional is unchanged, and the oracle divides the price by the same ratio,
    /// so equity is unchanged (up to protocol-favouring dust, INV-8).
    function rescaleSize(
        int256 sizeX18,
        uint256 fromSplitFactorX18,
        uint256 toSplitFactorX18
    ) internal pure returns (int256) {
        if (sizeX18 == 0 || fromSplitFactorX18 == toSplitFactorX18) return sizeX18;
        if (fromSplitFactorX18 == 0) revert Position_InvalidSplitFactor(fromSplitFactorX18);
        if (toSplitFactorX18 == 0) revert Position_InvalidSplitFactor(toSplitFactorX18);
        return _checkedSize(FixedPointMath.mulDivFloor(sizeX18, toSplitFactorX18, fromSplitFactorX18));
    }

    /// @notice Brings a position up to date with its market before any change: settles funding
    /// since its last touch (at its stored size and split factor) and applies splits since then.
    /// @param fundingIndexX18 The market's current funding index (after `FundingMath.accrue`).
    /// @param splitFactorX18 The oracle's current cumulative split factor.
    /// @return fundingOwedX18 Funding to take from (positive) or give to (negative) the account's
    /// collateral, rounded toward +infinity (`FundingMath.pendingFundingX18`).
    function sync(
        Position memory position,
        int256 fundingIndexX18,
        uint256 splitFactorX18
    ) internal pure returns (int256 fundingOwedX18) {
        fundingOwedX18 = FundingMath.pendingFundingX18(
            position.sizeX18,
            position.splitFactorX18,
            position.lastFundingIndexX18,
            fundingIndexX18
        );
        position.lastFundingIndexX18 = fundingIndexX18;
        position.sizeX18 = rescaleSize(position.sizeX18, position.splitFactorX18, splitFactorX18);
        position.splitFactorX18 = splitFactorX18;
    }

    /// @notice Bit 255 of a head word: the position's funding word is its market's checkpoint
    /// (`PackedPosition`).
    uint256 internal constant CHECKPOINTED = 1 << 255;
    /// @notice The largest checkpoint number a head word holds (40 bits).
    uint256 internal constant MAX_CHECKPOINT = (1 << 40) - 1;

    /// @notice The funding word of a position or a funding checkpoint: the funding index snapshot in
    /// the low 128 bits, the split factor in the high 128 bits. Reverts if either does not fit.
    function fundingWord(int256 fundingIndexX18, uint256 splitFactorX18) internal pure returns (uint256) {
        if (splitFactorX18 > type(uint128).max) revert Position_InvalidSplitFactor(splitFactorX18);
        if (!_fitsInt128(fundingIndexX18)) revert Position_FundingIndexOutOfRange(fundingIndexX18);
        return uint256(uint128(int128(fundingIndexX18))) | (splitFactorX18 << 128);
    }

    /// @notice The storage form of `position`: checkpointed when `checkpoint` is not 0 and the size
    /// and open notional fit the compact fields (the caller guarantees that the checkpoint's funding
    /// word is `fundingWord` of the position), else inline. Reverts if a field does not fit.
    /// @return head The head word.
    /// @return funding The position's funding word (to store in slot 1 when `head` is inline).
    function encode(
        Position memory position,
        uint256 checkpoint
    ) internal pure returns (uint256 head, uint256 funding) {
        funding = fundingWord(position.lastFundingIndexX18, position.splitFactorX18);
        int256 sizeX18 = position.sizeX18;
        int256 openNotionalX18 = position.openNotionalX18;
        if (checkpoint > MAX_CHECKPOINT) revert Position_CheckpointOutOfRange(checkpoint);
        if (checkpoint != 0 && _fitsBits(sizeX18, 104) && _fitsBits(openNotionalX18, 111)) {
            head =
                CHECKPOINTED |
                (checkpoint << 215) |
                ((uint256(openNotionalX18) & ((1 << 111) - 1)) << 104) |
                (uint256(sizeX18) & ((1 << 104) - 1));
        } else {
            if (!_fitsInt128(sizeX18)) revert Position_SizeOutOfRange(sizeX18);
            if (!_fitsBits(openNotionalX18, 127)) revert Position_OpenNotionalOutOfRange(openNotionalX18);
            head = ((uint256(openNotionalX18) & ((1 << 127) - 1)) << 128) | uint256(uint128(int128(sizeX18)));
        }
    }

    /// @notice The memory form of a stored position from its head and its funding word (the lane's
    /// slot 1 when inline, the market's checkpoint `checkpointOf(head)` when checkpointed).
    function decode(uint256 head, uint256 funding) internal pure returns (Position memory position) {
        if (head & CHECKPOINTED == 0) {
            position.sizeX18 = int128(uint128(head));
            position.openNotionalX18 = int256(head << 1) >> 129;
        } else {
            position.sizeX18 = int104(uint104(head));
            position.openNotionalX18 = int256(head << 41) >> 145;
        }
        position.lastFundingIndexX18 = int128(uint128(funding));
        position.splitFactorX18 = funding >> 128;
    }

    /// @notice The checkpoint number of a checkpointed head (0 for an inline one).
    function checkpointOf(uint256 head) internal pure returns (uint256) {
        return head & CHECKPOINTED == 0 ? 0 : (head >> 215) & MAX_CHECKPOINT;
    }

    /// @notice Reads a stored position: its head, then its funding word from the lane (inline) or from
    /// `checkpoints` (the position's market's funding checkpoints).
    function load(
        PackedPosition storage stored,
        mapping(uint256 checkpoint => uint256 word) storage checkpoints
    ) internal view returns (Position memory) {
        uint256 head = stored.head;
        uint256 checkpoint = checkpointOf(head);
        return decode(head, checkpoint == 0 ? stored.funding : checkpoints[checkpoint]);
    }

    /// @notice Stores `position` (`encode`): the head, and the funding word when inline or when
    /// `writeFunding` (one SSTORE when checkpointed, two otherwise).
    function store(
        PackedPosition storage stored,
        Position memory position,
        uint256 checkpoint,
        bool writeFunding
    ) internal {
        (uint256 head, uint256 funding) = encode(position, checkpoint);
        stored.head = head;
        if (writeFunding || head & CHECKPOINTED == 0) stored.funding = funding;
    }

    /// @dev Reduce or close (|new| < |old|, same side or zero). Both shares of the basis round toward
    /// +infinity: `closed` so that realized PnL rounds down, `kept` so that later PnL cannot inflate.
    function _reduce(
        int256 sizeX18,
        int256 openNotionalX18,
        int256 newSizeX18,
        uint256 priceX18
    ) private pure returns (int256 keptX18, int256 realizedPnlX18) {
        int256 closedOpenNotionalX18 = openNotionalX18;
        // Unchecked: inputs are applyFill's range-checked values; newAbs < oldAbs (a strict reduce),
        // and the realized PnL is below 2^200 in magnitude.
        unchecked {
            if (newSizeX18 != 0) {
                uint256 oldAbs = SignedMath.abs(sizeX18);
                uint256 newAbs = SignedMath.abs(newSizeX18);
                keptX18 = FixedPointMath.mulDivCeil(openNotionalX18, newAbs, oldAbs);
                closedOpenNotionalX18 = FixedPointMath.mulDivCeil(openNotionalX18, oldAbs - newAbs, oldAbs);
            }
            // The closed part of the position is `size - newSize`, on the position's side.
            realizedPnlX18 =
                FixedPointMath.mulDivFloor(sizeX18 - newSizeX18, priceX18, X18) - closedOpenNotionalX18;
        }
    }

    function _checkFillInputs(
        int256 sizeX18,
        int256 openNotionalX18,
        int256 fillSizeX18,
        uint256 priceX18
    ) private pure {
        if (priceX18 == 0 || priceX18 > Constants.CH_MAX_PRICE_X18) {
            revert Position_InvalidPrice(priceX18, Constants.CH_MAX_PRICE_X18);
        }
        if (fillSizeX18 == 0 || !_fitsInt128(fillSizeX18)) revert Position_InvalidFillSize(fillSizeX18);
        _checkedSize(sizeX18);
        _checkedOpenNotional(openNotionalX18);
    }

    function _checkGrowth(int256 newSizeX18, int256 newOpenNotionalX18) private pure {
        if (SignedMath.abs(newSizeX18) > Constants.CH_MAX_ABS_SIZE_X18) {
            revert Position_SizeAboveMax(newSizeX18, Constants.CH_MAX_ABS_SIZE_X18);
        }
        if (SignedMath.abs(newOpenNotionalX18) > Constants.CH_MAX_ABS_OPEN_NOTIONAL_X18) {
            revert Position_OpenNotionalAboveMax(newOpenNotionalX18, Constants.CH_MAX_ABS_OPEN_NOTIONAL_X18);
        }
    }

    function _checkedSize(int256 sizeX18) private pure returns (int256) {
        if (!_fitsInt128(sizeX18)) revert Position_SizeOutOfRange(sizeX18);
        return sizeX18;
    }

    function _checkedOpenNotional(int256 openNotionalX18) private pure returns (int256) {
        if (!_fitsInt128(openNotionalX18)) revert Position_OpenNotionalOutOfRange(openNotionalX18);
        return openNotionalX18;
    }

    /// @dev Whether `value` fits int128 (a sign extension from bit 127 leaves it unchanged).
    function _fitsInt128(int256 value) private pure returns (bool) {
        return int256(int128(value)) == value;
    }

    /// @dev Whether `value` fits a signed field of `bits` bits (1 <= bits <= 255).
    function _fitsBits(int256 value, uint256 bits) private pure returns (bool) {
        int256 bound = int256(1 << (bits - 1));
        return value >= -bound && value < bound;
    }
}
