// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {ClearinghouseFixture} from "./ClearinghouseFixture.sol";
import {Clearinghouse} from "../../contracts/core/Clearinghouse.sol";
import {IClearinghouse} from "../../contracts/interfaces/IClearinghouse.sol";
import {ICollateralVault} from "../../contracts/interfaces/ICollateralVault.sol";
import {IMarketRegistry} from "../../contracts/interfaces/IMarketRegistry.sol";
import {IOracleAdapter} from "../../contracts/interfaces/IOracleAdapter.sol";
import {CalendarMath} from "../../contracts/libraries/CalendarMath.sol";
import {Constants} from "../../contracts/libraries/Constants.sol";
import {OrderLib} from "../../contracts/libraries/OrderLib.sol";
import {MockERC1271Wallet} from "../../contracts/mocks/MockERC1271Wallet.sol";
import {MockReentrantERC1271Wallet} from "../../contracts/mocks/MockReentrantERC1271Wallet.sol";
import {AccountId} from "../../contracts/types/Account.sol";
import {Match, SkipReason} from "../../contracts/types/Clearinghouse.sol";
import {MarketStatus, Position} from "../../contracts/types/Market.sol";
import {MarketState, PriceState} from "../../contracts/types/Oracle.sol";
import {Order} from "../../contracts/types/Order.sol";

/// @notice Adversarial tests of `Clearinghouse.settleMatches` and order cancellation (SPEC 5.2,
/// INV-9) on the fully wired system: replays (same batch, later batch, another chain, another
/// contract), every changed order field, expiry, cancellation by hash / nonce floor / nonce bitmap,
/// overfills, ERC-1271 wallets that try to re-enter or change state while validating, reduce-only
/// orders that would flip, one bad match in a batch, fills outside the fill band and the oracle band,
/// halted / reduce-only / settled markets, wrong signers and unapproved operators, zero and maximum
/// sizes. Every skipped match must emit `MatchSkipped` with the right reason and change nothing.
contract ClearinghouseAdversarialTest is ClearinghouseFixture {
    bytes32 internal constant NVDA = "NVDA-USD";
    uint256 internal constant ONE = 1e18;
    uint256 internal constant PRICE = 200e18;

    address internal alice;
    uint256 internal aliceKey;
    address internal bob;
    uint256 internal bobKey;
    address internal carol;
    uint256 internal carolKey;
    address internal stranger = makeAddr("stranger");
    mapping(address signer => uint256 key) internal keyOf;

    function setUp() public {
        (alice, aliceKey) = makeAddrAndKey("alice");
        (bob, bobKey) = makeAddrAndKey("bob");
        (carol, carolKey) = makeAddrAndKey("carol");
        keyOf[alice] = aliceKey;
        keyOf[bob] = bobKey;
        keyOf[carol] = carolKey;
        _deploySystem();
        _deposit(alice, 0, 100_000);
        _deposit(bob, 0, 100_000);
        _deposit(carol, 0, 100_000);
    }

    /// @dev NVDA trades at AAPL's price so that a maker order moved from AAPL to NVDA stays inside
    /// every band and only its signature can reject it.
    function _listInitialMarkets() internal override {
        super._listInitialMarkets();
        _listMarket(NVDA, PRICE);
    }

    // ------------------------------------------------------------------ helpers

    function _makerSell(uint256 nonce) internal view returns (Order memory) {
        return _order(alice, AAPL, false, ONE, PRICE, nonce);
    }

    function _takerBuy(uint256 nonce) internal view returns (Order memory) {
        return _order(bob, AAPL, true, ONE, PRICE, nonce);
    }

    /// @dev Both orders signed by the key of their `signer`.
    function _signed(
        Order memory maker,
        Order memory taker,
        uint256 fillSizeX18
    ) internal view returns (Match memory) {
        return
            _match(
                maker,
                _sign(keyOf[maker.signer], maker),
                taker,
                _sign(keyOf[taker.signer], taker),
                fillSizeX18
            );
    }

    function _defaultMatch(uint256 nonce) internal view returns (Match memory) {
        return _signed(_makerSell(nonce), _takerBuy(nonce), ONE);
    }

    /// @dev Settles `m` alone and asserts it was skipped for `reason` (the event names both order
    /// hashes and the reason) and that no position or collateral of either account changed.
    function _assertSkipped(Match memory m, SkipReason reason) internal {
        bytes32 makerHash = _digest(m.maker, block.chainid, address(ch));
        bytes32 takerHash = _digest(m.taker, block.chainid, address(ch));
        AccountId makerAccount = _account(m.maker.owner, m.maker.subaccount);
        AccountId takerAccount = _account(m.taker.owner, m.taker.subaccount);
        int256 makerCollateral = vault.collateralX18(makerAccount);
        int256 takerCollateral = vault.collateralX18(takerAccount);
        int256 makerSize = ch.position(makerAccount, m.maker.marketId).sizeX18;
        int256 takerSize = ch.position(takerAccount, m.taker.marketId).sizeX18;
        uint256 feesBefore = vault.feeTreasuryX18();
        vm.expectEmit(true, false, false, true, address(ch));
        emit IClearinghouse.MatchSkipped(0, makerHash, takerHash, reason);
        assertEq(_settleOne(m), 0, "nothing settled");
        assertEq(vault.collateralX18(makerAccount), makerCollateral, "maker collateral unchanged");
        assertEq(vault.collateralX18(takerAccount), takerCollateral, "taker collateral unchanged");
        assertEq(ch.position(makerAccount, m.maker.marketId).sizeX18, makerSize, "maker position unchanged");
        assertEq(ch.position(takerAccount, m.taker.marketId).sizeX18, takerSize, "taker position unchanged");
        assertEq(vault.feeTreasuryX18(), feesBefore, "fees unchanged");
    }

    function _size(address owner, bytes32 marketId) internal view returns (int256) {
        return _position(owner, 0, marketId).sizeX18;
    }

    // ------------------------------------------------------------------ baseline

    function test_settleMatches_SettlesAValidMatch() public {
        Match memory m = _defaultMatch(1);
        bytes32 makerHash = _digest(m.maker, block.chainid, address(ch));
        assertEq(ch.hashOrder(m.maker), makerHash, "hashOrder is the EIP-712 digest");
        assertEq(ch.domainSeparator(), _domainSeparator(block.chainid, address(ch)), "domain separator");
        assertEq(_settleOne(m), 1, "settled");
        assertEq(_size(alice, AAPL), -int256(ONE), "maker short");
        assertEq(_size(bob, AAPL), int256(ONE), "taker long");
        assertTrue(ch.isNonceUsed(alice, 1), "maker nonce used");
        assertTrue(ch.isNonceUsed(bob, 1), "taker nonce used");
    }

    // ------------------------------------------------------------------ replay (INV-9)

    function test_settleMatches_SkipsReplayOfAFilledOrderInALaterBatch() public {
        Match memory m = _defaultMatch(1);
        assertEq(_settleOne(m), 1, "first settles");
        _assertSkipped(m, SkipReason.MAKER_CANCELLED);
        assertEq(_size(bob, AAPL), int256(ONE), "filled once");
    }

    function test_settleMatches_SkipsReplayOfAFilledTakerOrder() public {
        Match memory m = _defaultMatch(1);
        assertEq(_settleOne(m), 1, "first settles");
        // A fresh maker order against the already filled taker order.
        Match memory replay = _signed(_makerSell(2), m.taker, ONE);
        _assertSkipped(replay, SkipReason.TAKER_CANCELLED);
    }

    function test_settleMatches_SkipsReplayInsideTheSameBatch() public {
        Match[] memory batch = new Match[](2);
        batch[0] = _defaultMatch(1);
        batch[1] = batch[0];
        bytes32 makerHash = ch.hashOrder(batch[1].maker);
        bytes32 takerHash = ch.hashOrder(batch[1].taker);
        vm.expectEmit(true, false, false, true, address(ch));
        emit IClearinghouse.MatchSkipped(1, makerHash, takerHash, SkipReason.MAKER_CANCELLED);
        assertEq(_settle(batch), 1, "one settles");
        assertEq(_size(bob, AAPL), int256(ONE), "filled once");
    }

    function test_settleMatches_SkipsOrderSignedForAnotherChain() public {
        Order memory maker = _makerSell(1);
        Order memory taker = _takerBuy(1);
        Match memory m = _match(
            maker,
            _signFor(aliceKey, maker, block.chainid + 1, address(ch)),
            taker,
            _sign(bobKey, taker),
            ONE
        );
        _assertSkipped(m, SkipReason.MAKER_SIGNATURE);
        m = _match(
            maker,
            _sign(aliceKey, maker),
            taker,
            _signFor(bobKey, taker, block.chainid + 2, address(ch)),
            ONE
        );
        _assertSkipped(m, SkipReason.TAKER_SIGNATURE);
    }

    /// @dev After a fork the chain id changes: orders signed for the old chain stop filling (the
    /// domain separator is rebuilt), orders signed for the new chain fill.
    function test_settleMatches_SkipsOldChainOrdersAfterAChainIdChange() public {
        Match memory oldChain = _defaultMatch(1);
        uint256 newChainId = block.chainid + 7;
        vm.chainId(newChainId);
        assertEq(ch.domainSeparator(), _domainSeparator(newChainId, address(ch)), "separator rebuilt");
        _assertSkipped(oldChain, SkipReason.MAKER_SIGNATURE);
        assertEq(_settleOne(_defaultMatch(2)), 1, "new-chain orders fill");
    }

    function test_settleMatches_SkipsOrderSignedForAnotherClearinghouse() public {
        Clearinghouse other = new Clearinghouse(
            ICollateralVault(address(vault)),
            IOracleAdapter(address(adapter)),
            IMarketRegistry(address(registry)),
            admin,
            guardian
        );
        assertTrue(other.domainSeparator() != ch.domainSeparator(), "separators differ");
        Order memory maker = _makerSell(1);
        Order memory taker = _takerBuy(1);
        Match memory m = _match(
            maker,
            _signFor(aliceKey, maker, block.chainid, address(other)),
            taker,
            _sign(bobKey, taker),
            ONE
        );
        _assertSkipped(m, SkipReason.MAKER_SIGNATURE);
        m = _match(
            maker,
            _sign(aliceKey, maker),
            taker,
            _signFor(bobKey, taker, block.chainid, address(vault)),
            ONE
        );
        _assertSkipped(m, SkipReason.TAKER_SIGNATURE);
    }

    // ------------------------------------------------------------------ changed fields (INV-9)

    /// @dev Signs the default maker order, then changes one field (the taker is re-signed to fit
    /// where needed). The changed order must never fill: its signature no longer verifies.
    function test_settleMatches_SkipsMakerOrderWithChangedOwner() public {
        Match memory m = _defaultMatch(1);
        m.maker.owner = carol;
        _assertSkipped(m, SkipReason.MAKER_SIGNATURE);
    }

    function test_settleMatches_SkipsMakerOrderWithChangedSubaccount() public {
        _deposit(alice, 7, 100_000);
        Match memory m = _defaultMatch(1);
        m.maker.subaccount = 7;
        _assertSkipped(m, SkipReason.MAKER_SIGNATURE);
    }

    function test_settleMatches_SkipsMakerOrderWithChangedSigner() public {
        Match memory m = _defaultMatch(1);
        m.maker.signer = carol;
        _assertSkipped(m, SkipReason.MAKER_SIGNATURE);
    }

    function test_settleMatches_SkipsMakerOrderWithChangedMarket() public {
        Order memory maker = _makerSell(1);
        bytes memory signature = _sign(aliceKey, maker);
        maker.marketId = NVDA;
        Order memory taker = _order(bob, NVDA, true, ONE, PRICE, 1);
        _assertSkipped(
            _match(maker, signature, taker, _sign(bobKey, taker), ONE),
            SkipReason.MAKER_SIGNATURE
        );
    }

    function test_settleMatches_SkipsMakerOrderWithChangedSide() public {
        Order memory maker = _makerSell(1);
        bytes memory signature = _sign(aliceKey, maker);
        maker.isBuy = true;
        Order memory taker = _order(bob, AAPL, false, ONE, PRICE, 1);
        _assertSkipped(
            _match(maker, signature, taker, _sign(bobKey, taker), ONE),
            SkipReason.MAKER_SIGNATURE
        );
    }

    function test_settleMatches_SkipsMakerOrderWithChangedSize() public {
        Match memory m = _defaultMatch(1);
        m.maker.sizeX18 = 2 * ONE;
        _assertSkipped(m, SkipReason.MAKER_SIGNATURE);
    }

    function test_settleMatches_SkipsMakerOrderWithChangedLimitPrice() public {
        Order memory maker = _makerSell(1);
        bytes memory signature = _sign(aliceKey, maker);
        maker.limitPriceX18 = PRICE - TICK_X18;
        Order memory taker = _takerBuy(1);
        _assertSkipped(
            _match(maker, signature, taker, _sign(bobKey, taker), ONE),
            SkipReason.MAKER_SIGNATURE
        );
    }

    function test_settleMatches_SkipsMakerOrderWithChangedExpiry() public {
        Match memory m = _defaultMatch(1);
        m.maker.expiry += 1;
        _assertSkipped(m, SkipReason.MAKER_SIGNATURE);
    }

    function test_settleMatches_SkipsMakerOrderWithChangedNonce() public {
        Match memory m = _defaultMatch(1);
        m.maker.nonce = 2;
        _assertSkipped(m, SkipReason.MAKER_SIGNATURE);
    }

    /// @dev A changed epoch is caught even before the signature: the market is at epoch 0.
    function test_settleMatches_SkipsMakerOrderWithChangedEpoch() public {
        Match memory m = _defaultMatch(1);
        m.maker.epoch = 1;
        _assertSkipped(m, SkipReason.MAKER_EPOCH_MISMATCH);
    }

    function test_settleMatches_SkipsMakerOrderWithChangedFlags() public {
        Match memory m = _defaultMatch(1);
        m.maker.flags = OrderLib.FLAG_POST_ONLY;
        _assertSkipped(m, SkipReason.MAKER_SIGNATURE);
    }

    function test_settleMatches_SkipsTakerOrderWithChangedSize() public {
        Match memory m = _defaultMatch(1);
        m.taker.sizeX18 = 3 * ONE;
        _assertSkipped(m, SkipReason.TAKER_SIGNATURE);
    }

    function test_settleMatches_SkipsTakerOrderWithChangedLimitPrice() public {
        Match memory m = _defaultMatch(1);
        m.taker.limitPriceX18 = PRICE + TICK_X18;
        _assertSkipped(m, SkipReason.TAKER_SIGNATURE);
    }

    function test_settleMatches_SkipsTakerOrderWithChangedSubaccount() public {
        _deposit(bob, 3, 100_000);
        Match memory m = _defaultMatch(1);
        m.taker.subaccount = 3;
        _assertSkipped(m, SkipReason.TAKER_SIGNATURE);
    }

    /// @dev A malleable (high-s) copy of a valid signature does not verify (OpenZeppelin ECDSA).
    function test_settleMatches_SkipsHighSSignature() public {
        Match memory m = _defaultMatch(1);
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(aliceKey, ch.hashOrder(m.maker));
        uint256 n = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141;
        m.makerSignature = abi.encodePacked(r, bytes32(n - uint256(s)), v == 27 ? uint8(28) : uint8(27));
        _assertSkipped(m, SkipReason.MAKER_SIGNATURE);
    }

    // ------------------------------------------------------------------ expiry, cancellation

    function test_settleMatches_SkipsExpiredMakerOrder() public {
        Order memory maker = _makerSell(1);
        maker.expiry = uint64(block.timestamp - 1);
        _assertSkipped(_signed(maker, _takerBuy(1), ONE), SkipReason.MAKER_EXPIRED);
    }

    function test_settleMatches_SkipsExpiredTakerOrder() public {
        Order memory taker = _takerBuy(1);
        taker.expiry = uint64(block.timestamp - 1);
        _assertSkipped(_signed(_makerSell(1), taker, ONE), SkipReason.TAKER_EXPIRED);
    }

    function test_settleMatches_FillsAtTheExpirySecondAndNotAfter() public {
        Order memory maker = _order(alice, AAPL, false, 2 * ONE, PRICE, 1);
        maker.expiry = uint64(block.timestamp + 30);
        Order memory taker = _order(bob, AAPL, true, 2 * ONE, PRICE, 1);
        vm.warp(maker.expiry);
        _publishAll();
        assertEq(_settleOne(_signed(maker, taker, ONE)), 1, "fills at expiry");
        vm.warp(uint256(maker.expiry) + 1);
        _publishAll();
        _assertSkipped(_signed(maker, taker, ONE), SkipReason.MAKER_EXPIRED);
    }

    function test_cancelOrders_CancelledOrderNeverFills() public {
        Match memory m = _defaultMatch(1);
        Order[] memory orders = new Order[](1);
        orders[0] = m.maker;
        bytes32 makerHash = ch.hashOrder(m.maker);
        vm.expectEmit(true, true, false, true, address(ch));
        emit IClearinghouse.OrderCancelled(makerHash, alice, alice);
        vm.prank(alice);
        ch.cancelOrders(orders);
        assertTrue(ch.isCancelled(makerHash), "cancelled");
        _assertSkipped(m, SkipReason.MAKER_CANCELLED);
    }

    function test_cancelOrders_CancelsAPartiallyFilledOrder() public {
        Order memory maker = _order(alice, AAPL, false, 2 * ONE, PRICE, 1);
        assertEq(_settleOne(_signed(maker, _takerBuy(1), ONE)), 1, "half fills");
        Order[] memory orders = new Order[](1);
        orders[0] = maker;
        vm.prank(alice);
        ch.cancelOrders(orders);
        _assertSkipped(_signed(maker, _takerBuy(2), ONE), SkipReason.MAKER_CANCELLED);
    }

    function test_cancelOrders_ByAnApprovedOperator() public {
        vm.prank(alice);
        vault.setOperator(carol, true);
        Match memory m = _defaultMatch(1);
        Order[] memory orders = new Order[](1);
        orders[0] = m.maker;
        vm.prank(carol);
        ch.cancelOrders(orders);
        _assertSkipped(m, SkipReason.MAKER_CANCELLED);
    }

    function test_cancelOrders_RevertIf_CallerIsNotOwnerOrOperator() public {
        Order[] memory orders = new Order[](1);
        orders[0] = _makerSell(1);
        vm.expectRevert(
            abi.encodeWithSelector(IClearinghouse.Clearinghouse_NotOwnerOrOperator.selector, stranger, alice)
        );
        vm.prank(stranger);
        ch.cancelOrders(orders);
    }

    function test_raiseNonceFloor_CancelsEveryOrderBelowTheFloor() public {
        vm.expectEmit(true, false, false, true, address(ch));
        emit IClearinghouse.NonceFloorRaised(alice, 5, alice);
        vm.prank(alice);
        ch.raiseNonceFloor(alice, 5);
        assertEq(ch.nonceFloor(alice), 5, "floor");
        _assertSkipped(_defaultMatch(4), SkipReason.MAKER_CANCELLED);
        _assertSkipped(_defaultMatch(0), SkipReason.MAKER_CANCELLED);
        assertEq(_settleOne(_defaultMatch(5)), 1, "the floor itself fills");
    }

    function test_raiseNonceFloor_RevertIf_NotRaised() public {
        vm.prank(alice);
        ch.raiseNonceFloor(alice, 5);
        vm.expectRevert(
            abi.encodeWithSelector(IClearinghouse.Clearinghouse_NonceFloorNotRaised.selector, alice, 5, 5)
        );
        vm.prank(alice);
        ch.raiseNonceFloor(alice, 5);
    }

    function test_raiseNonceFloor_RevertIf_CallerIsNotOwnerOrOperator() public {
        vm.expectRevert(
            abi.encodeWithSelector(IClearinghouse.Clearinghouse_NotOwnerOrOperator.selector, stranger, alice)
        );
        vm.prank(stranger);
        ch.raiseNonceFloor(alice, 5);
    }

    function test_invalidateNonces_InvalidatedNonceNeverFills() public {
        vm.prank(alice);
        ch.invalidateNonces(alice, 0, 1 << 3);
        assertTrue(ch.isNonceUsed(alice, 3), "nonce 3 used");
        _assertSkipped(_defaultMatch(3), SkipReason.MAKER_CANCELLED);
        assertEq(_settleOne(_defaultMatch(4)), 1, "nonce 4 still fills");
    }

    /// @dev The first fill already set the nonce bit; the invalidation still kills the rest.
    function test_invalidateNonces_CancelsAPartiallyFilledOrder() public {
        Order memory maker = _order(alice, AAPL, false, 2 * ONE, PRICE, 1);
        assertEq(_settleOne(_signed(maker, _takerBuy(1), ONE)), 1, "half fills");
        assertTrue(ch.isNonceUsed(alice, 1), "the first fill uses the nonce");
        vm.prank(alice);
        ch.invalidateNonces(alice, 0, 1 << 1);
        _assertSkipped(_signed(maker, _takerBuy(2), ONE), SkipReason.MAKER_CANCELLED);
    }

    /// @dev Orders sharing a nonce are one-cancels-other from the first (partial) fill of one.
    function test_settleMatches_FirstFillCancelsOrdersSharingTheNonce() public {
        Order memory first = _order(alice, AAPL, false, 2 * ONE, PRICE, 1);
        Order memory sibling = _order(alice, AAPL, false, ONE, PRICE, 1);
        assertEq(_settleOne(_signed(first, _takerBuy(1), ONE)), 1, "half of the first fills");
        _assertSkipped(_signed(sibling, _takerBuy(2), ONE), SkipReason.MAKER_CANCELLED);
        assertEq(_settleOne(_signed(first, _takerBuy(3), ONE)), 1, "the first order keeps filling");
        assertEq(ch.filledX18(ch.hashOrder(first)), 0, "completed");
        _assertSkipped(_signed(first, _takerBuy(4), STEP_X18), SkipReason.MAKER_CANCELLED);
    }

    /// @dev Cancelling one order by hash uses its nonce: the owner's other orders with it die too.
    function test_cancelOrders_CancelsOrdersSharingTheNonce() public {
        Order[] memory orders = new Order[](1);
        orders[0] = _order(alice, AAPL, false, 2 * ONE, PRICE, 1);
        vm.prank(alice);
        ch.cancelOrders(orders);
        assertTrue(ch.isNonceUsed(alice, 1), "nonce used");
        assertFalse(ch.isCancelled(ch.hashOrder(_makerSell(1))), "the sibling is not cancelled by hash");
        _assertSkipped(_defaultMatch(1), SkipReason.MAKER_CANCELLED);
    }

    // ------------------------------------------------------------------ overfill

    function test_settleMatches_SkipsMakerOverfill() public {
        Order memory taker = _order(bob, AAPL, true, 2 * ONE, PRICE, 1);
        _assertSkipped(_signed(_makerSell(1), taker, 2 * ONE), SkipReason.MAKER_OVERFILL);
    }

    function test_settleMatches_SkipsTakerOverfill() public {
        Order memory maker = _order(alice, AAPL, false, 2 * ONE, PRICE, 1);
        _assertSkipped(_signed(maker, _takerBuy(1), 2 * ONE), SkipReason.TAKER_OVERFILL);
    }

    /// @dev Partial fills add up to exactly the order's size, never more.
    function test_settleMatches_PartialFillsNeverExceedTheOrderSize() public {
        Order memory maker = _order(alice, AAPL, false, ONE, PRICE, 1);
        Order memory taker = _order(bob, AAPL, true, 5 * ONE, PRICE, 1);
        assertEq(_settleOne(_signed(maker, taker, 0.6e18)), 1, "0.6 fills");
        assertEq(ch.filledX18(ch.hashOrder(maker)), 0.6e18, "filled so far");
        assertTrue(ch.isNonceUsed(alice, 1), "the first fill uses the nonce");
        _assertSkipped(_signed(maker, taker, 0.6e18), SkipReason.MAKER_OVERFILL);
        assertEq(_settleOne(_signed(maker, taker, 0.4e18)), 1, "the rest fills");
        assertTrue(ch.isNonceUsed(alice, 1), "completed");
        assertEq(ch.filledX18(ch.hashOrder(maker)), 0, "partial record cleared");
        _assertSkipped(_signed(maker, taker, STEP_X18), SkipReason.MAKER_CANCELLED);
        assertEq(_size(alice, AAPL), -int256(ONE), "exactly the order size");
    }

    // ------------------------------------------------------------------ ERC-1271

    function test_settleMatches_FillsForAnERC1271Wallet() public {
        MockERC1271Wallet wallet = new MockERC1271Wallet(alice);
        _deposit(address(wallet), 0, 100_000);
        Order memory maker = _order(address(wallet), AAPL, false, ONE, PRICE, 1);
        Match memory m = _match(
            maker,
            _sign(aliceKey, maker),
            _takerBuy(1),
            _sign(bobKey, _takerBuy(1)),
            ONE
        );
        assertEq(_settleOne(m), 1, "wallet order fills");
        assertEq(_size(address(wallet), AAPL), -int256(ONE), "wallet short");
    }

    function test_settleMatches_SkipsERC1271WalletThatRejects() public {
        MockERC1271Wallet wallet = new MockERC1271Wallet(alice);
        _deposit(address(wallet), 0, 100_000);
        vm.prank(alice);
        wallet.setRejectAll(true);
        Order memory maker = _order(address(wallet), AAPL, false, ONE, PRICE, 1);
        Match memory m = _match(
            maker,
            _sign(aliceKey, maker),
            _takerBuy(1),
            _sign(bobKey, _takerBuy(1)),
            ONE
        );
        _assertSkipped(m, SkipReason.MAKER_SIGNATURE);
    }

    /// @dev A wallet whose `isValidSignature` calls back into the clearinghouse to settle a batch
    /// (re-entrancy during validation): validation runs as a staticcall, so the wallet cannot change
    /// state, its check fails, and the match is skipped; the nested batch never ran.
    function test_settleMatches_SkipsERC1271WalletThatReentersSettleMatches() public {
        MockReentrantERC1271Wallet wallet = _reentrantWalletAccount();
        Match[] memory inner = new Match[](1);
        inner[0] = _defaultMatch(9);
        wallet.setCallback(address(ch), abi.encodeCall(IClearinghouse.settleMatches, (inner)));
        _assertSkipped(_walletMatch(wallet), SkipReason.MAKER_SIGNATURE);
        assertEq(wallet.validationCount(), 0, "no state change during validation");
        assertFalse(ch.isNonceUsed(alice, 9), "the nested batch did not run");
    }

    function test_settleMatches_SkipsERC1271WalletThatCancelsDuringValidation() public {
        MockReentrantERC1271Wallet wallet = _reentrantWalletAccount();
        Order memory victim = _takerBuy(1);
        Order[] memory orders = new Order[](1);
        orders[0] = victim;
        wallet.setCallback(address(ch), abi.encodeCall(IClearinghouse.cancelOrders, (orders)));
        _assertSkipped(_walletMatch(wallet), SkipReason.MAKER_SIGNATURE);
        assertFalse(ch.isCancelled(ch.hashOrder(victim)), "nothing cancelled");
    }

    function test_settleMatches_SkipsERC1271WalletThatWithdrawsDuringValidation() public {
        MockReentrantERC1271Wallet wallet = _reentrantWalletAccount();
        wallet.setCallback(
            address(vault),
            abi.encodeCall(ICollateralVault.withdraw, (0, 1_000 * USDC, alice))
        );
        uint256 balanceBefore = usdc.balanceOf(alice);
        _assertSkipped(_walletMatch(wallet), SkipReason.MAKER_SIGNATURE);
        assertEq(usdc.balanceOf(alice), balanceBefore, "no withdrawal");
    }

    /// @dev The re-entrant wallet as an approved operator signing for alice's account.
    function test_settleMatches_SkipsReentrantOperatorWallet() public {
        MockReentrantERC1271Wallet wallet = new MockReentrantERC1271Wallet(alice);
        vm.prank(alice);
        vault.setOperator(address(wallet), true);
        Order memory maker = _makerSell(1);
        maker.signer = address(wallet);
        Match memory m = _match(maker, hex"01", _takerBuy(1), _sign(bobKey, _takerBuy(1)), ONE);
        _assertSkipped(m, SkipReason.MAKER_SIGNATURE);
    }

    function _reentrantWalletAccount() internal returns (MockReentrantERC1271Wallet wallet) {
        wallet = new MockReentrantERC1271Wallet(alice);
        _deposit(address(wallet), 0, 100_000);
    }

    function _walletMatch(MockReentrantERC1271Wallet wallet) internal view returns (Match memory) {
        Order memory maker = _order(address(wallet), AAPL, false, ONE, PRICE, 1);
        return _match(maker, hex"01", _takerBuy(1), _sign(bobKey, _takerBuy(1)), ONE);
    }

    // ------------------------------------------------------------------ reduce-only

    /// @dev Bob is long 1. A reduce-only sell of 1.001 would flip him short 0.001: a "tiny opposite
    /// position" that grows risk. It is skipped; a reduce-only sell of exactly 1 closes.
    function test_settleMatches_SkipsReduceOnlyOrderThatWouldFlip() public {
        assertEq(_settleOne(_defaultMatch(1)), 1, "bob long 1");
        Order memory maker = _order(carol, AAPL, true, 2 * ONE, PRICE, 1);
        Order memory taker = _order(bob, AAPL, false, ONE + STEP_X18, PRICE, 2);
        taker.flags = OrderLib.FLAG_REDUCE_ONLY;
        _assertSkipped(_signed(maker, taker, ONE + STEP_X18), SkipReason.TAKER_REDUCE_ONLY);
        assertEq(_settleOne(_signed(maker, taker, ONE)), 1, "closing exactly is allowed");
        assertEq(_size(bob, AAPL), 0, "bob flat");
    }

    function test_settleMatches_SkipsReduceOnlyMakerThatWouldFlip() public {
        assertEq(_settleOne(_defaultMatch(1)), 1, "alice short 1");
        Order memory maker = _order(alice, AAPL, true, 2 * ONE, PRICE, 2);
        maker.flags = OrderLib.FLAG_REDUCE_ONLY;
        Order memory taker = _order(carol, AAPL, false, 2 * ONE, PRICE, 1);
        _assertSkipped(_signed(maker, taker, 2 * ONE), SkipReason.MAKER_REDUCE_ONLY);
    }

    function test_settleMatches_SkipsReduceOnlyOrderWithoutPosition() public {
        Order memory taker = _takerBuy(1);
        taker.flags = OrderLib.FLAG_REDUCE_ONLY;
        _assertSkipped(_signed(_makerSell(1), taker, ONE), SkipReason.TAKER_REDUCE_ONLY);
    }

    function test_settleMatches_SkipsReduceOnlyOrderThatWouldIncrease() public {
        assertEq(_settleOne(_defaultMatch(1)), 1, "bob long 1");
        Order memory taker = _takerBuy(2);
        taker.flags = OrderLib.FLAG_REDUCE_ONLY;
        Order memory maker = _order(carol, AAPL, false, ONE, PRICE, 1);
        _assertSkipped(_signed(maker, taker, ONE), SkipReason.TAKER_REDUCE_ONLY);
    }

    /// @dev A reduce-only order that was valid when half filled stops where the position ends: after
    /// an unrelated trade closes most of the position, the rest of the order would flip it.
    function test_settleMatches_ReduceOnlyIsCheckedAgainstThePositionAtFillTime() public {
        Order memory bobBuys = _order(bob, AAPL, true, 2 * ONE, PRICE, 1);
        assertEq(
            _settleOne(_signed(_order(alice, AAPL, false, 2 * ONE, PRICE, 1), bobBuys, 2 * ONE)),
            1,
            "long 2"
        );
        Order memory reduce = _order(bob, AAPL, false, 2 * ONE, PRICE, 2);
        reduce.flags = OrderLib.FLAG_REDUCE_ONLY;
        Order memory carolBuys = _order(carol, AAPL, true, 5 * ONE, PRICE, 1);
        assertEq(_settleOne(_signed(carolBuys, reduce, ONE)), 1, "reduce 1");
        // Bob sells 0.5 through a plain order: long 0.5 left, 1 left on the reduce-only order.
        Order memory plain = _order(bob, AAPL, false, 0.5e18, PRICE, 3);
        assertEq(_settleOne(_signed(carolBuys, plain, 0.5e18)), 1, "plain sell");
        _assertSkipped(_signed(carolBuys, reduce, ONE), SkipReason.TAKER_REDUCE_ONLY);
        assertEq(_settleOne(_signed(carolBuys, reduce, 0.5e18)), 1, "the reducing part fills");
        assertEq(_size(bob, AAPL), 0, "flat, never short");
    }

    // ------------------------------------------------------------------ batches

    function test_settleMatches_OneBadMatchDoesNotRevertTheBatch() public {
        Match[] memory batch = new Match[](3);
        batch[0] = _defaultMatch(1);
        Order memory expired = _order(carol, AAPL, false, ONE, PRICE, 1);
        expired.expiry = uint64(block.timestamp - 1);
        batch[1] = _signed(expired, _takerBuy(2), ONE);
        batch[2] = _defaultMatch(3);
        bytes32 makerHash = ch.hashOrder(batch[1].maker);
        bytes32 takerHash = ch.hashOrder(batch[1].taker);
        vm.expectEmit(true, false, false, true, address(ch));
        emit IClearinghouse.MatchSkipped(1, makerHash, takerHash, SkipReason.MAKER_EXPIRED);
        assertEq(_settle(batch), 2, "two settle");
        assertEq(_size(bob, AAPL), 2 * int256(ONE), "bob long 2");
        assertEq(_size(carol, AAPL), 0, "carol untouched");
        assertFalse(ch.isNonceUsed(bob, 2), "the skipped taker order stays live");
    }

    /// @dev The bad match fails late (margin) after both sides were loaded into the batch's caches;
    /// the matches around it, sharing an account with it, settle exactly as if it were absent.
    function test_settleMatches_LateFailureLeavesTheRestOfTheBatchExact() public {
        (address dave, uint256 daveKey) = makeAddrAndKey("dave");
        keyOf[dave] = daveKey;
        _deposit(dave, 0, 10);
        Match[] memory batch = new Match[](3);
        batch[0] = _defaultMatch(1);
        Order memory big = _order(dave, AAPL, false, 100 * ONE, PRICE, 1);
        batch[1] = _signed(big, _order(bob, AAPL, true, 100 * ONE, PRICE, 2), 100 * ONE);
        batch[2] = _defaultMatch(3);
        uint256 snapshot = vm.snapshotState();
        assertEq(_settle(batch), 2, "two settle");
        int256 bobCollateral = _collateral(bob, 0);
        int256 aliceCollateral = _collateral(alice, 0);
        uint256 fees = vault.feeTreasuryX18();
        vm.revertToState(snapshot);
        Match[] memory without = new Match[](2);
        without[0] = batch[0];
        without[1] = batch[2];
        assertEq(_settle(without), 2, "two settle without it");
        assertEq(_collateral(bob, 0), bobCollateral, "bob identical");
        assertEq(_collateral(alice, 0), aliceCollateral, "alice identical");
        assertEq(vault.feeTreasuryX18(), fees, "fees identical");
        assertEq(_size(dave, AAPL), 0, "dave untouched");
    }

    function test_settleMatches_RevertIf_CallerIsNotTheMatcher() public {
        Match[] memory batch = new Match[](1);
        batch[0] = _defaultMatch(1);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector,
                stranger,
                ch.MATCHER_ROLE()
            )
        );
        vm.prank(stranger);
        ch.settleMatches(batch);
    }

    function test_settleMatches_RevertIf_BatchIsEmpty() public {
        vm.expectRevert(abi.encodeWithSelector(IClearinghouse.Clearinghouse_EmptyBatch.selector));
        _settle(new Match[](0));
    }

    function test_settleMatches_RevertIf_BatchIsTooLarge() public {
        uint256 length = Constants.CH_MAX_MATCHES_PER_BATCH + 1;
        vm.expectRevert(
            abi.encodeWithSelector(
                IClearinghouse.Clearinghouse_BatchTooLarge.selector,
                length,
                Constants.CH_MAX_MATCHES_PER_BATCH
            )
        );
        _settle(new Match[](length));
    }

    function test_settleMatches_RevertIf_TradingIsPaused() public {
        vm.prank(guardian);
        ch.pauseTrading();
        uint256 until = ch.tradingPausedUntil();
        Match[] memory batch = new Match[](1);
        batch[0] = _defaultMatch(1);
        vm.expectRevert(abi.encodeWithSelector(IClearinghouse.Clearinghouse_TradingPaused.selector, until));
        _settle(batch);
    }

    // ------------------------------------------------------------------ bands

    /// @dev Regular hours: fill band 5 % around the mark (200): 210 fills, 210.01 does not.
    function test_settleMatches_SkipsFillOutsideTheFillBand() public {
        Order memory maker = _order(alice, AAPL, false, ONE, 210e18 + TICK_X18, 1);
        Order memory taker = _order(bob, AAPL, true, ONE, 220e18, 1);
        _assertSkipped(_signed(maker, taker, ONE), SkipReason.PRICE_OUTSIDE_FILL_BAND);
        maker = _order(alice, AAPL, true, ONE, 190e18 - TICK_X18, 2);
        taker = _order(bob, AAPL, false, ONE, 180e18, 2);
        _assertSkipped(_signed(maker, taker, ONE), SkipReason.PRICE_OUTSIDE_FILL_BAND);
        maker = _order(alice, AAPL, false, ONE, 210e18, 3);
        taker = _order(bob, AAPL, true, ONE, 220e18, 3);
        assertEq(_settleOne(_signed(maker, taker, ONE)), 1, "the band edge fills");
    }

    /// @dev Saturday: the oracle band is the anchor (Friday's last price, 200) +/- 5 % * sqrt(1 +
    /// h/24): about +/- 6.2 % twelve hours after the close, inside the 10 % closed-session fill band.
    /// A fill at 215 is inside the fill band but outside the oracle band.
    function test_settleMatches_SkipsFillOutsideTheOracleBand() public {
        _toSaturday();
        PriceState memory s = _priceState(AAPL);
        assertEq(uint256(s.state), uint256(MarketState.CLOSED), "closed");
        assertGt(215e18, s.bandHighX18, "215 above the oracle band");
        Order memory maker = _order(alice, AAPL, false, ONE, 215e18, 1);
        Order memory taker = _order(bob, AAPL, true, ONE, 215e18, 1);
        _assertSkipped(_signed(maker, taker, ONE), SkipReason.PRICE_OUTSIDE_ORACLE_BAND);
        uint256 inside = (s.bandHighX18 / TICK_X18) * TICK_X18;
        maker = _order(alice, AAPL, false, ONE, inside, 2);
        taker = _order(bob, AAPL, true, ONE, inside, 2);
        assertEq(_settleOne(_signed(maker, taker, ONE)), 1, "inside both bands fills");
    }

    /// @dev Publishes 200 on Friday 13 March 2026 at 23:59 UTC (post-market), then warps to
    /// Saturday 12:00 UTC and pokes: CLOSED with the anchor at 200.
    function _toSaturday() internal {
        uint256 friday = CalendarMath.daysFromCivil(2026, 3, 13) * 1 days;
        for (uint256 t = block.timestamp + 4 hours; t < friday + 23 hours; t += 4 hours) {
            vm.warp(t);
            _publishAll();
            _pokeAll();
        }
        vm.warp(friday + 23 hours + 59 minutes);
        _publishAll();
        _pokeAll();
        vm.warp(friday + 1 days + 12 hours);
        _pokeAll();
    }

    // ------------------------------------------------------------------ market states

    function test_settleMatches_SkipsHaltedMarket() public {
        vm.prank(admin);
        registry.setMarketStatus(AAPL, MarketStatus.HALTED);
        _assertSkipped(_defaultMatch(1), SkipReason.MARKET_HALTED);
    }

    /// @dev A split is due (the oracle reports HALTED until it is applied): no fills.
    function test_settleMatches_SkipsMarketWithACorporateActionDue() public {
        uint256 effective = block.timestamp + 1 days + 1 hours;
        vm.prank(admin);
        actions.scheduleSplit(AAPL, effective, 2, 1);
        vm.warp(effective);
        _publishAll();
        assertEq(uint256(_priceState(AAPL).state), uint256(MarketState.HALTED), "oracle halted");
        _assertSkipped(_defaultMatch(1), SkipReason.MARKET_HALTED);
    }

    /// @dev Orders signed before a split carry the old epoch and never fill after it; an old order
    /// whose epoch field is edited to the new epoch fails its signature.
    function test_settleMatches_SkipsOrdersSignedBeforeASplit() public {
        Order memory maker = _order(alice, AAPL, false, ONE, PRICE / 2, 1);
        maker.expiry = uint64(block.timestamp + 7 days);
        bytes memory makerSignature = _sign(aliceKey, maker);
        uint256 effective = block.timestamp + 1 days + 1 hours;
        vm.prank(admin);
        actions.scheduleSplit(AAPL, effective, 2, 1);
        _keepLiveUntil(effective);
        _publish(AAPL, PRICE / 2);
        _pokeAll();
        assertEq(_priceState(AAPL).epoch, 1, "epoch bumped");
        Order memory taker = _order(bob, AAPL, true, ONE, PRICE / 2, 1);
        bytes memory takerSignature = _sign(bobKey, taker);
        _assertSkipped(
            _match(maker, makerSignature, taker, takerSignature, ONE),
            SkipReason.MAKER_EPOCH_MISMATCH
        );
        maker.epoch = 1;
        _assertSkipped(_match(maker, makerSignature, taker, takerSignature, ONE), SkipReason.MAKER_SIGNATURE);
        assertEq(_settleOne(_signed(maker, taker, ONE)), 1, "a new-epoch order fills");
    }

    /// @dev Keeps every market's source fresh (a keeper pushing prices every 2 minutes would; here
    /// every 30 minutes with a push right before each check) until `time`.
    function _keepLiveUntil(uint256 time) internal {
        while (block.timestamp + 30 minutes < time) {
            vm.warp(block.timestamp + 30 minutes);
            _publishAll();
            _pokeAll();
        }
        vm.warp(time);
        _publishAll();
    }

    function test_settleMatches_ReduceOnlyMarketOnlyAllowsReducingFills() public {
        assertEq(_settleOne(_defaultMatch(1)), 1, "alice short, bob long");
        vm.prank(admin);
        registry.setMarketStatus(AAPL, MarketStatus.REDUCE_ONLY);
        // carol opens against bob's reduction: carol's side grows risk.
        Order memory carolBuys = _order(carol, AAPL, true, ONE, PRICE, 1);
        Order memory bobSells = _order(bob, AAPL, false, ONE, PRICE, 2);
        _assertSkipped(_signed(carolBuys, bobSells, ONE), SkipReason.MARKET_REDUCE_ONLY);
        Order memory aliceBuys = _order(alice, AAPL, true, ONE, PRICE, 2);
        assertEq(_settleOne(_signed(aliceBuys, bobSells, ONE)), 1, "both reduce");
        assertEq(_size(alice, AAPL), 0, "alice flat");
        assertEq(_size(bob, AAPL), 0, "bob flat");
    }

    function test_settleMatches_SkipsSettledMarket() public {
        uint256 effective = block.timestamp + 1 days + 1 hours;
        vm.prank(admin);
        actions.scheduleDelisting(AAPL, effective, PRICE);
        vm.warp(effective);
        _publishAll();
        assertEq(uint256(_priceState(AAPL).state), uint256(MarketState.SETTLED), "oracle settled");
        _assertSkipped(_defaultMatch(1), SkipReason.MARKET_SETTLED);
    }

    // ------------------------------------------------------------------ signers

    function test_settleMatches_SkipsOrderSignedByTheWrongKey() public {
        Order memory maker = _makerSell(1);
        Match memory m = _match(maker, _sign(bobKey, maker), _takerBuy(1), _sign(bobKey, _takerBuy(1)), ONE);
        _assertSkipped(m, SkipReason.MAKER_SIGNATURE);
    }

    function test_settleMatches_OperatorMustBeApprovedAndStillApproved() public {
        Order memory maker = _makerSell(1);
        maker.signer = carol;
        Match memory m = _signed(maker, _takerBuy(1), ONE);
        _assertSkipped(m, SkipReason.MAKER_SIGNATURE);
        vm.prank(alice);
        vault.setOperator(carol, true);
        uint256 snapshot = vm.snapshotState();
        assertEq(_settleOne(m), 1, "an approved operator's order fills");
        assertEq(_size(alice, AAPL), -int256(ONE), "for the owner's account");
        vm.revertToState(snapshot);
        vm.prank(alice);
        vault.setOperator(carol, false);
        _assertSkipped(m, SkipReason.MAKER_SIGNATURE);
    }

    // ------------------------------------------------------------------ sizes

    function test_settleMatches_SkipsZeroFill() public {
        _assertSkipped(_signed(_makerSell(1), _takerBuy(1), 0), SkipReason.INVALID_FILL_SIZE);
    }

    function test_settleMatches_SkipsFillOffTheStep() public {
        _assertSkipped(_signed(_makerSell(1), _takerBuy(1), ONE - 1), SkipReason.INVALID_FILL_SIZE);
    }

    function test_settleMatches_SkipsFillAboveTheMaximumSize() public {
        uint256 tooBig = Constants.CH_MAX_ABS_SIZE_X18 + STEP_X18;
        Order memory maker = _order(alice, AAPL, false, tooBig, PRICE, 1);
        Order memory taker = _order(bob, AAPL, true, tooBig, PRICE, 1);
        _assertSkipped(_signed(maker, taker, tooBig), SkipReason.INVALID_FILL_SIZE);
    }

    function test_settleMatches_SkipsZeroSizeOrder() public {
        Order memory maker = _order(alice, AAPL, false, 0, PRICE, 1);
        _assertSkipped(_signed(maker, _takerBuy(1), ONE), SkipReason.MAKER_INVALID);
        Order memory taker = _order(bob, AAPL, true, 0, PRICE, 1);
        _assertSkipped(_signed(_makerSell(1), taker, ONE), SkipReason.TAKER_INVALID);
    }

    function test_settleMatches_SkipsOrderAboveTheMaximumSize() public {
        Order memory maker = _order(alice, AAPL, false, Constants.CH_MAX_ABS_SIZE_X18 + STEP_X18, PRICE, 1);
        _assertSkipped(_signed(maker, _takerBuy(1), ONE), SkipReason.MAKER_INVALID);
    }

    /// @dev An order of the maximum size is well formed; filling it all at once breaks the
    /// open-interest cap long before any arithmetic bound.
    function test_settleMatches_MaximumSizeFillHitsTheOpenInterestCap() public {
        uint256 maxSize = Constants.CH_MAX_ABS_SIZE_X18;
        Order memory maker = _order(alice, AAPL, false, maxSize, PRICE, 1);
        Order memory taker = _order(bob, AAPL, true, maxSize, PRICE, 1);
        _assertSkipped(_signed(maker, taker, maxSize), SkipReason.OPEN_INTEREST_CAP);
        assertEq(_settleOne(_signed(maker, taker, ONE)), 1, "a small part of it fills");
    }

    function test_settleMatches_SkipsOrderWithZeroOrOffTickPrice() public {
        Order memory maker = _order(alice, AAPL, false, ONE, 0, 1);
        _assertSkipped(_signed(maker, _takerBuy(1), ONE), SkipReason.MAKER_INVALID);
        maker = _order(alice, AAPL, false, ONE, PRICE + 1, 2);
        _assertSkipped(
            _signed(maker, _order(bob, AAPL, true, ONE, 201e18, 1), ONE),
            SkipReason.MAKER_INVALID
        );
    }

    function test_settleMatches_SkipsOrderWithUnknownFlags() public {
        Order memory maker = _makerSell(1);
        maker.flags = 4;
        _assertSkipped(_signed(maker, _takerBuy(1), ONE), SkipReason.MAKER_INVALID);
    }

    function test_settleMatches_SkipsOrderBelowTheMinimumSize() public {
        vm.prank(admin);
        registry.setSizeParams(AAPL, TICK_X18, STEP_X18, ONE);
        Order memory maker = _order(alice, AAPL, false, ONE - STEP_X18, PRICE, 1);
        _assertSkipped(_signed(maker, _takerBuy(1), ONE - STEP_X18), SkipReason.MAKER_INVALID);
    }

    // ------------------------------------------------------------------ pairing rules

    function test_settleMatches_SkipsSelfTrade() public {
        Order memory taker = _order(alice, AAPL, true, ONE, PRICE, 2);
        _assertSkipped(_signed(_makerSell(1), taker, ONE), SkipReason.SELF_TRADE);
    }

    function test_settleMatches_SkipsSameSide() public {
        Order memory taker = _order(bob, AAPL, false, ONE, PRICE, 1);
        _assertSkipped(_signed(_makerSell(1), taker, ONE), SkipReason.SAME_SIDE);
    }

    function test_settleMatches_SkipsMarketMismatch() public {
        Order memory taker = _order(bob, TSLA, true, ONE, PRICE, 1);
        _assertSkipped(_signed(_makerSell(1), taker, ONE), SkipReason.MARKET_MISMATCH);
    }

    function test_settleMatches_SkipsUnknownMarket() public {
        Order memory maker = _makerSell(1);
        Order memory taker = _takerBuy(1);
        maker.marketId = "GME-USD";
        taker.marketId = "GME-USD";
        _assertSkipped(_signed(maker, taker, ONE), SkipReason.UNKNOWN_MARKET);
    }

    function test_settleMatches_SkipsPostOnlyTaker() public {
        Order memory taker = _takerBuy(1);
        taker.flags = OrderLib.FLAG_POST_ONLY;
        _assertSkipped(_signed(_makerSell(1), taker, ONE), SkipReason.TAKER_POST_ONLY);
    }

    function test_settleMatches_SkipsMakerPriceBeyondTheTakerLimit() public {
        Order memory taker = _order(bob, AAPL, true, ONE, PRICE - TICK_X18, 1);
        _assertSkipped(_signed(_makerSell(1), taker, ONE), SkipReason.TAKER_LIMIT_PRICE);
    }

    function test_settleMatches_SkipsUndercollateralisedSide() public {
        (address dave, uint256 daveKey) = makeAddrAndKey("dave");
        keyOf[dave] = daveKey;
        _deposit(dave, 0, 10);
        Order memory taker = _order(dave, AAPL, true, ONE, PRICE, 1);
        _assertSkipped(_signed(_makerSell(1), taker, ONE), SkipReason.TAKER_MARGIN);
        Order memory maker = _order(dave, AAPL, false, ONE, PRICE, 2);
        _assertSkipped(_signed(maker, _takerBuy(1), ONE), SkipReason.MAKER_MARGIN);
    }

    /// @dev Sanity: nothing above left a position behind for a skipped match.
    function test_position_IsEmptyBeforeAnyTrade() public view {
        Position memory p = _position(alice, 0, AAPL);
        assertEq(p.sizeX18, 0, "size");
        assertEq(p.openNotionalX18, 0, "open notional");
    }
}
