// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ClearinghouseTestBase} from "./ClearinghouseTestBase.sol";
import {Constants} from "../../contracts/libraries/Constants.sol";
import {PositionMath} from "../../contracts/libraries/PositionMath.sol";
import {AccountId} from "../../contracts/types/Account.sol";
import {Match} from "../../contracts/types/Clearinghouse.sol";
import {Position} from "../../contracts/types/Market.sol";
import {Order} from "../../contracts/types/Order.sol";

/// @notice Positions stored checkpointed (one slot, referring to a market funding checkpoint) and
/// inline (two slots): when a batch writes a checkpoint, that positions refer to it, and that the
/// two forms give the same accounting (a differential over funding, a split and every kind of fill).
/// @dev Reads the clearinghouse's raw storage: `_marketScales` is mapping slot 2 and `_positions`
/// mapping slot 6 (checked by `test_checkpoints_StorageSlotsAreTheDocumentedOnes`).
contract ClearinghouseCheckpointsTest is ClearinghouseTestBase {
    uint256 internal constant PAIRS = 8;
    uint256 internal constant MARKET_SCALES_SLOT = 2;
    uint256 internal constant POSITIONS_SLOT = 6;

    address[2 * PAIRS] internal tradersA;
    uint256[2 * PAIRS] internal keysA;
    address[2 * PAIRS] internal tradersB;
    uint256[2 * PAIRS] internal keysB;
    uint32 internal epoch;

    function setUp() public override {
        super.setUp();
        _listMarket(TSLA, PRICE);
        for (uint256 i; i < 2 * PAIRS; ++i) {
            (tradersA[i], keysA[i]) = makeAddrAndKey(string.concat("a", vm.toString(i)));
            (tradersB[i], keysB[i]) = makeAddrAndKey(string.concat("b", vm.toString(i)));
            _deposit(tradersA[i], 0, 100_000 * USDC);
            _deposit(tradersB[i], 0, 100_000 * USDC);
        }
    }

    function test_checkpoints_ThresholdIsTheConstant() public pure {
        assertEq(PAIRS, Constants.CH_CHECKPOINT_MIN_MATCHES, "a full round is exactly the threshold");
    }

    function test_checkpoints_StorageSlotsAreTheDocumentedOnes() public {
        _round(AAPL, true, 1e18, PRICE, 1);
        assertEq(uint128(_scaleWord(AAPL)), 1e18, "open interest split factor in the low half of slot 2");
        Position memory p = ch.position(_account(tradersA[1]), AAPL);
        assertEq(p.sizeX18, 1e18, "taker long 1");
        uint256 head = _head(_account(tradersA[1]), 0);
        assertEq(int104(uint104(head)), p.sizeX18, "size in the head of lane 0");
    }

    function test_checkpoints_BatchAtTheThresholdWritesOneAndRefersToIt() public {
        _round(AAPL, true, 1e18, PRICE, PAIRS);
        assertEq(_checkpointCount(AAPL), 1, "one checkpoint");
        for (uint256 i; i < 2 * PAIRS; ++i) {
            uint256 head = _head(_account(tradersA[i]), 0);
            assertEq(head & PositionMath.CHECKPOINTED, PositionMath.CHECKPOINTED, "checkpointed");
            assertEq(PositionMath.checkpointOf(head), 1, "refers to checkpoint 1");
        }
        _assertIdentity();
    }

    function test_checkpoints_BatchBelowTheThresholdStoresInline() public {
        _round(AAPL, true, 1e18, PRICE, PAIRS - 1);
        assertEq(_checkpointCount(AAPL), 0, "no checkpoint");
        for (uint256 i; i < 2 * (PAIRS - 1); ++i) {
            assertEq(_head(_account(tradersA[i]), 0) & PositionMath.CHECKPOINTED, 0, "inline");
        }
    }

    /// @dev Matches of other markets do not count toward a market's threshold.
    function test_checkpoints_CountsOnlyTheMarketsOwnMatches() public {
        Match[] memory matches = new Match[](PAIRS);
        for (uint256 i; i < PAIRS; ++i) {
            bytes32 marketId = i % 2 == 0 ? AAPL : TSLA;
            matches[i] = _pairMatch(marketId, tradersA, keysA, i, true, 1e18, PRICE);
        }
        vm.prank(matcher);
        assertEq(ch.settleMatches(matches), PAIRS, "all settle");
        assertEq(_checkpointCount(AAPL), 0, "4 AAPL matches: inline");
        assertEq(_checkpointCount(TSLA), 0, "4 TSLA matches: inline");
    }

    function test_checkpoints_SameFundingReusesTheLatest() public {
        _round(AAPL, true, 1e18, PRICE, PAIRS);
        _round(AAPL, true, 1e18, PRICE, PAIRS);
        assertEq(_checkpointCount(AAPL), 1, "same block, same index and split: checkpoint 1 again");
        assertEq(PositionMath.checkpointOf(_head(_account(tradersA[0]), 0)), 1, "refers to it");
    }

    function test_checkpoints_NewFundingIndexWritesANewOne() public {
        _round(AAPL, true, 1e18, 101e18, PAIRS);
        vm.warp(block.timestamp + 1 hours);
        _round(AAPL, true, 1e18, 101e18, PAIRS);
        assertEq(_checkpointCount(AAPL), 2, "the index moved: checkpoint 2");
        Position memory p = ch.position(_account(tradersA[1]), AAPL);
        (, uint256 word) = _checkpoint(AAPL, 2);
        assertEq(p.lastFundingIndexX18, int128(uint128(word)), "the position's index is checkpoint 2's");
        assertEq(p.lastFundingIndexX18, ch.fundingState(AAPL).indexX18, "the market's current index");
    }

    /// @dev After 2^40 - 1 checkpoints positions stay inline (and correct).
    function test_checkpoints_ExhaustedNumbersStayInline() public {
        _round(AAPL, true, 1e18, 101e18, PAIRS);
        bytes32 slot = keccak256(abi.encode(AAPL, MARKET_SCALES_SLOT));
        uint256 word = uint256(vm.load(address(ch), slot));
        uint256 exhausted =
            (word & ~(uint256(PositionMath.MAX_CHECKPOINT) << 128)) | (PositionMath.MAX_CHECKPOINT << 128);
        vm.store(address(ch), slot, bytes32(exhausted));
        vm.warp(block.timestamp + 1 hours);
        _round(AAPL, true, 1e18, 101e18, PAIRS);
        assertEq(_checkpointCount(AAPL), PositionMath.MAX_CHECKPOINT, "no number left, none written");
        assertEq(_head(_account(tradersA[1]), 0) & PositionMath.CHECKPOINTED, 0, "stored inline");
        Position memory p = ch.position(_account(tradersA[1]), AAPL);
        assertEq(p.sizeX18, 2e18, "size");
        assertEq(p.lastFundingIndexX18, ch.fundingState(AAPL).indexX18, "current index, inline");
        _assertIdentity();
    }

    /// @dev Differential: the same trades, funding and split in two identical markets, AAPL in rounds
    /// of 8 matches (checkpointed) and TSLA one match per batch (inline), leave every account with the
    /// same position and collateral.
    function test_checkpoints_CheckpointedAndInlineAgree() public {
        _bothForms(true, 10e18, 101e18); // open
        vm.warp(block.timestamp + 2 hours);
        _bothForms(true, 5e18, 102e18); // increase
        vm.warp(block.timestamp + 3 hours);
        _bothForms(false, 3e18, 99e18); // reduce
        oracle.split(AAPL, 2, 1);
        oracle.split(TSLA, 2, 1);
        epoch += 1;
        vm.warp(block.timestamp + 1 hours);
        _bothForms(false, 40e18, 50e18); // flip (sizes doubled by the split: 24 long -> 16 short)
        vm.warp(block.timestamp + 5 hours);
        _bothForms(true, 16e18, 51e18); // close
        vm.warp(block.timestamp + 1 hours);
        _bothForms(true, 2e18, 50e18); // reopen
        assertGt(_checkpointCount(AAPL), 1, "AAPL used checkpoints");
        assertEq(_checkpointCount(TSLA), 0, "TSLA stayed inline");
        for (uint256 i; i < 2 * PAIRS; ++i) {
            AccountId a = _account(tradersA[i]);
            AccountId b = _account(tradersB[i]);
            Position memory pa = ch.position(a, AAPL);
            Position memory pb = ch.position(b, TSLA);
            assertEq(pa.sizeX18, pb.sizeX18, "size");
            assertEq(pa.openNotionalX18, pb.openNotionalX18, "open notional");
            assertEq(pa.lastFundingIndexX18, pb.lastFundingIndexX18, "funding index");
            assertEq(pa.splitFactorX18, pb.splitFactorX18, "split factor");
            assertEq(vault.collateralX18(a), vault.collateralX18(b), "collateral");
            assertEq(ch.accountHealth(a).equityX18, ch.accountHealth(b).equityX18, "equity");
        }
        assertEq(ch.fundingState(AAPL).indexX18, ch.fundingState(TSLA).indexX18, "same funding history");
        _assertIdentity();
    }

    // ------------------------------------------------------------------ helpers

    /// @dev One round in both markets at the same time: AAPL in one batch of PAIRS matches, TSLA in
    /// PAIRS batches of one (traders 2i sell to / buy from 2i + 1 at `priceX18`).
    function _bothForms(bool takerBuys, uint256 sizeX18, uint256 priceX18) internal {
        // Fills 0.5 % above the index: a premium, so the funding index moves between rounds.
        oracle.setPrice(AAPL, (priceX18 * 995) / 1000, priceX18);
        oracle.setPrice(TSLA, (priceX18 * 995) / 1000, priceX18);
        _round(AAPL, takerBuys, sizeX18, priceX18, PAIRS);
        for (uint256 i; i < PAIRS; ++i) {
            Match[] memory one = new Match[](1);
            one[0] = _pairMatch(TSLA, tradersB, keysB, i, takerBuys, sizeX18, priceX18);
            vm.prank(matcher);
            assertEq(ch.settleMatches(one), 1, "TSLA match settles");
        }
    }

    /// @dev `count` matches in `marketId` in one batch between the A traders.
    function _round(
        bytes32 marketId,
        bool takerBuys,
        uint256 sizeX18,
        uint256 priceX18,
        uint256 count
    ) internal {
        Match[] memory matches = new Match[](count);
        for (uint256 i; i < count; ++i) {
            matches[i] = _pairMatch(marketId, tradersA, keysA, i, takerBuys, sizeX18, priceX18);
        }
        vm.prank(matcher);
        assertEq(ch.settleMatches(matches), count, "every match settles");
    }

    function _pairMatch(
        bytes32 marketId,
        address[2 * PAIRS] storage traders,
        uint256[2 * PAIRS] storage keys,
        uint256 pair,
        bool takerBuys,
        uint256 sizeX18,
        uint256 priceX18
    ) internal returns (Match memory) {
        Order memory maker = _signedOrder(traders[2 * pair], marketId, !takerBuys, sizeX18, priceX18);
        Order memory taker = _signedOrder(traders[2 * pair + 1], marketId, takerBuys, sizeX18, priceX18);
        return Match(maker, _sign(maker, keys[2 * pair]), taker, _sign(taker, keys[2 * pair + 1]), sizeX18);
    }

    function _signedOrder(
        address owner,
        bytes32 marketId,
        bool isBuy,
        uint256 sizeX18,
        uint256 priceX18
    ) internal returns (Order memory order) {
        order = _order(owner, marketId, isBuy, sizeX18, priceX18);
        order.epoch = epoch;
    }

    function _scaleWord(bytes32 marketId) internal view returns (uint256) {
        return uint256(vm.load(address(ch), keccak256(abi.encode(marketId, MARKET_SCALES_SLOT))));
    }

    function _checkpointCount(bytes32 marketId) internal view returns (uint256) {
        return (_scaleWord(marketId) >> 128) & PositionMath.MAX_CHECKPOINT;
    }

    /// @dev `_fundingCheckpoints` is mapping slot 11: marketId => (number => word).
    function _checkpoint(
        bytes32 marketId,
        uint256 number
    ) internal view returns (uint256 slot, uint256 word) {
        bytes32 inner = keccak256(abi.encode(marketId, uint256(11)));
        slot = uint256(keccak256(abi.encode(number, inner)));
        word = uint256(vm.load(address(ch), bytes32(slot)));
    }

    function _head(AccountId account, uint256 lane) internal view returns (uint256) {
        uint256 base = uint256(keccak256(abi.encode(AccountId.unwrap(account), POSITIONS_SLOT)));
        return uint256(vm.load(address(ch), bytes32(base + 2 * lane)));
    }
}
