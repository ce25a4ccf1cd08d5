// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Test} from "../utils/Test.sol";
import {Constants} from "../../contracts/libraries/Constants.sol";
import {OrderLib} from "../../contracts/libraries/OrderLib.sol";
import {OrderLibHarness} from "../../contracts/mocks/OrderLibHarness.sol";
import {AccountId, AccountIdLib} from "../../contracts/types/Account.sol";
import {Order} from "../../contracts/types/Order.sol";

/// @notice Tests of `OrderLib`: the EIP-712 type string and struct hash (the assembly calldata hash
/// against `abi.encode` and a field-by-field encoding), digest and signature recovery, INV-9 (any
/// changed field, another chain or another contract invalidates the signature), the order checks,
/// the nonce bitmap and partial-fill bookkeeping.
contract OrderLibTest is Test {
    bytes32 internal constant DOMAIN_TYPEHASH = keccak256(
        "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
    );

    OrderLibHarness internal harness;
    address internal trader;
    uint256 internal traderKey;

    function setUp() public {
        harness = new OrderLibHarness();
        (trader, traderKey) = makeAddrAndKey("trader");
    }

    // ------------------------------------------------------------------ type and hash

    function test_orderType_IsTheEip712EncodeType() public view {
        assertEq(
            harness.orderType(),
            "Order(address owner,uint96 subaccount,address signer,bytes32 marketId,bool isBuy,uint256 sizeX18,"
            "uint256 limitPriceX18,uint64 expiry,uint256 nonce,uint64 epoch,uint8 flags)",
            "type string"
        );
        assertEq(harness.orderTypehash(), keccak256(bytes(harness.orderType())), "typehash");
    }

    function test_hash_EqualsFieldByFieldEncoding() public view {
        Order memory order = _order();
        bytes32 expected = keccak256(
            bytes.concat(
                abi.encode(
                    OrderLib.ORDER_TYPEHASH,
                    order.owner,
                    order.subaccount,
                    order.signer,
                    order.marketId
                ),
                abi.encode(order.isBuy, order.sizeX18, order.limitPriceX18, order.expiry),
                abi.encode(order.nonce, order.epoch, order.flags)
            )
        );
        assertEq(OrderLib.hash(order), expected, "memory hash");
        assertEq(harness.hashCalldata(order), expected, "calldata (assembly) hash");
    }

    function testFuzz_hashCalldata_MatchesMemoryHash(Order memory order) public view {
        assertEq(harness.hashCalldata(order), OrderLib.hash(order), "assembly == abi.encode");
    }

    function test_hashCalldata_DoesNotCorruptMemory() public view {
        // The assembly hash uses scratch memory past the free pointer; values allocated before and
        // after the call must be intact.
        Order memory order = _order();
        bytes memory before = abi.encode(order);
        bytes32 first = harness.hashCalldata(order);
        assertEq(abi.encode(order), before, "order unchanged");
        assertEq(harness.hashCalldata(order), first, "deterministic");
    }

    function test_hash_ChangesWithEveryField() public view {
        Order memory base = _order();
        bytes32 baseHash = OrderLib.hash(base);
        for (uint256 field; field < 11; ++field) {
            Order memory changed = _order();
            if (field == 0) changed.owner = address(0xBEEF);
            if (field == 1) changed.subaccount = 1;
            if (field == 2) changed.signer = address(0xBEEF);
            if (field == 3) changed.marketId = bytes32("TSLA-USD");
            if (field == 4) changed.isBuy = false;
            if (field == 5) changed.sizeX18 += 1;
            if (field == 6) changed.limitPriceX18 += 1;
            if (field == 7) changed.expiry += 1;
            if (field == 8) changed.nonce += 1;
            if (field == 9) changed.epoch += 1;
            if (field == 10) changed.flags = OrderLib.FLAG_POST_ONLY;
            assertTrue(OrderLib.hash(changed) != baseHash, "INV-9: every field is signed");
            assertTrue(harness.hashCalldata(changed) != baseHash, "calldata hash too");
        }
    }

    // ------------------------------------------------------------------ digest and signatures

    function test_digest_IsEip712OverTheClearinghouseDomain() public view {
        bytes32 domainSeparator = keccak256(
            abi.encode(
                DOMAIN_TYPEHASH,
                keccak256("Sundial Clearinghouse"),
                keccak256("1"),
                block.chainid,
                address(harness)
            )
        );
        assertEq(harness.domainSeparator(), domainSeparator, "domain separator");
        Order memory order = _order();
        bytes32 expected = keccak256(abi.encodePacked("\x19\x01", domainSeparator, OrderLib.hash(order)));
        assertEq(harness.digest(order), expected, "digest");
        assertEq(OrderLib.digest(domainSeparator, OrderLib.hash(order)), expected, "library digest");
    }

    function test_recover_ReturnsTheSigner() public view {
        Order memory order = _order();
        assertEq(harness.recover(order, _sign(order, harness.digest(order))), trader, "recovered");
    }

    function test_recover_OtherSignerForChangedOrder() public view {
        Order memory order = _order();
        bytes memory signature = _sign(order, harness.digest(order));
        order.limitPriceX18 += 1;
        assertTrue(
            harness.recover(order, signature) != trader,
            "INV-9: a changed field breaks the signature"
        );
    }

    function test_digest_DiffersOnAnotherChain() public {
        Order memory order = _order();
        bytes32 here = harness.digest(order);
        vm.chainId(block.chainid + 1);
        assertTrue(harness.digest(order) != here, "INV-9: another chain");
    }

    function test_digest_DiffersOnAnotherContract() public {
        Order memory order = _order();
        OrderLibHarness other = new OrderLibHarness();
        assertTrue(other.digest(order) != harness.digest(order), "INV-9: another contract");
        bytes memory signature = _sign(order, harness.digest(order));
        assertTrue(other.recover(order, signature) != trader, "signature does not verify there");
    }

    function test_account_PacksOwnerAndSubaccount() public view {
        Order memory order = _order();
        AccountId account = harness.account(order);
        assertEq(account.owner(), order.owner, "owner");
        assertEq(uint256(account.subaccount()), uint256(order.subaccount), "subaccount");
        assertTrue(account.eq(AccountIdLib.from(order.owner, order.subaccount)), "AccountIdLib");
    }

    // ------------------------------------------------------------------ order checks

    function test_isWellFormed_Cases() public view {
        Order memory order = _order();
        assertTrue(harness.isWellFormed(order), "valid");
        order.flags = OrderLib.FLAG_REDUCE_ONLY | OrderLib.FLAG_POST_ONLY;
        assertTrue(harness.isWellFormed(order), "both flags");
        order.flags = 4;
        assertFalse(harness.isWellFormed(order), "unknown flag");
        order = _order();
        order.sizeX18 = 0;
        assertFalse(harness.isWellFormed(order), "zero size");
        order.sizeX18 = Constants.CH_MAX_ABS_SIZE_X18 + 1;
        assertFalse(harness.isWellFormed(order), "size above max");
        order = _order();
        order.limitPriceX18 = 0;
        assertFalse(harness.isWellFormed(order), "zero limit");
        order.limitPriceX18 = Constants.CH_MAX_PRICE_X18 + 1;
        assertFalse(harness.isWellFormed(order), "limit above max");
        order.limitPriceX18 = Constants.CH_MAX_PRICE_X18;
        order.sizeX18 = Constants.CH_MAX_ABS_SIZE_X18;
        assertTrue(harness.isWellFormed(order), "both at their max");
        order = _order();
        order.nonce = Constants.CH_NONCE_LIMIT - 1;
        assertTrue(harness.isWellFormed(order), "largest nonce");
        order.nonce = Constants.CH_NONCE_LIMIT;
        assertFalse(harness.isWellFormed(order), "nonce at the limit: no floor could cancel it");
    }

    function test_isExpired_InclusiveExpiry() public view {
        Order memory order = _order();
        assertFalse(harness.isExpired(order, order.expiry), "fills at expiry");
        assertTrue(harness.isExpired(order, uint256(order.expiry) + 1), "expired after");
    }

    function test_flags_ReduceOnlyAndPostOnly() public view {
        Order memory order = _order();
        assertFalse(harness.isReduceOnly(order), "no flags");
        assertFalse(harness.isPostOnly(order), "no flags");
        order.flags = OrderLib.FLAG_REDUCE_ONLY;
        assertTrue(harness.isReduceOnly(order), "reduce-only");
        assertFalse(harness.isPostOnly(order), "not post-only");
        order.flags = OrderLib.FLAG_POST_ONLY;
        assertTrue(harness.isPostOnly(order), "post-only");
        assertFalse(harness.isReduceOnly(order), "not reduce-only");
    }

    function test_isPriceWithinLimit_BuyAndSell() public view {
        Order memory buy = _order();
        assertTrue(harness.isPriceWithinLimit(buy, buy.limitPriceX18), "buy at limit");
        assertTrue(harness.isPriceWithinLimit(buy, buy.limitPriceX18 - 1), "buy below");
        assertFalse(harness.isPriceWithinLimit(buy, buy.limitPriceX18 + 1), "buy above limit");
        Order memory sell = _order();
        sell.isBuy = false;
        assertTrue(harness.isPriceWithinLimit(sell, sell.limitPriceX18), "sell at limit");
        assertTrue(harness.isPriceWithinLimit(sell, sell.limitPriceX18 + 1), "sell above");
        assertFalse(harness.isPriceWithinLimit(sell, sell.limitPriceX18 - 1), "sell below limit");
    }

    function test_signedFillX18_SignBySide() public view {
        Order memory order = _order();
        assertEq(harness.signedFillX18(order, 3e18), 3e18, "buy is +");
        order.isBuy = false;
        assertEq(harness.signedFillX18(order, 3e18), -3e18, "sell is -");
    }

    function test_signedFillX18_RevertIf_ZeroOrAboveMax() public {
        Order memory order = _order();
        vm.expectRevert(
            abi.encodeWithSelector(
                OrderLib.Order_FillSizeOutOfRange.selector,
                0,
                Constants.CH_MAX_ABS_SIZE_X18
            )
        );
        harness.signedFillX18(order, 0);
        uint256 tooBig = Constants.CH_MAX_ABS_SIZE_X18 + 1;
        vm.expectRevert(
            abi.encodeWithSelector(
                OrderLib.Order_FillSizeOutOfRange.selector,
                tooBig,
                Constants.CH_MAX_ABS_SIZE_X18
            )
        );
        harness.signedFillX18(order, tooBig);
    }

    function test_remainingX18_Saturates() public view {
        assertEq(harness.remainingX18(10, 3), 7, "partially filled");
        assertEq(harness.remainingX18(10, 10), 0, "filled");
        assertEq(harness.remainingX18(10, 11), 0, "overfilled saturates");
    }

    // ------------------------------------------------------------------ nonces and fills

    function test_nonceBitmapPosition_WordAndBit() public view {
        (uint256 word, uint256 mask) = harness.nonceBitmapPosition(0);
        assertEq(word, 0, "word 0");
        assertEq(mask, 1, "bit 0");
        (word, mask) = harness.nonceBitmapPosition(255);
        assertEq(word, 0, "still word 0");
        assertEq(mask, 1 << 255, "bit 255");
        (word, mask) = harness.nonceBitmapPosition(256 * 7 + 3);
        assertEq(word, 7, "word 7");
        assertEq(mask, 1 << 3, "bit 3");
    }

    function test_useNonce_OnlyOnce() public {
        assertFalse(harness.isNonceUsed(300), "fresh");
        assertTrue(harness.useNonce(300), "first use");
        assertTrue(harness.isNonceUsed(300), "used");
        assertFalse(harness.useNonce(300), "second use refused");
        assertFalse(harness.isNonceUsed(301), "neighbour untouched");
        assertEq(harness.nonceBitmap(1), 1 << 44, "one bit in word 1");
    }

    function test_invalidateNonces_CancelsAWordRange() public {
        harness.invalidateNonces(2, (1 << 5) | (1 << 9));
        assertTrue(harness.isNonceUsed(2 * 256 + 5), "cancelled");
        assertTrue(harness.isNonceUsed(2 * 256 + 9), "cancelled");
        assertFalse(harness.isNonceUsed(2 * 256 + 6), "kept");
    }

    function test_recordFill_OneMatchUsesOnlyTheBitmap() public {
        Order memory order = _order();
        assertTrue(harness.recordFill(order, order.sizeX18), "completed");
        assertTrue(harness.isNonceUsed(order.nonce), "nonce bit set");
        assertEq(harness.filled(OrderLib.hash(order)), 0, "no per-order slot written");
    }

    function test_recordFill_PartialFillsThenComplete() public {
        Order memory order = _order();
        bytes32 orderHash = OrderLib.hash(order);
        assertFalse(harness.recordFill(order, 4e18), "partial");
        assertEq(harness.filled(orderHash), 4e18, "tracked");
        assertTrue(harness.isNonceUsed(order.nonce), "the first fill uses the nonce");
        assertFalse(harness.recordFill(order, 5e18), "partial again");
        assertEq(harness.filled(orderHash), 9e18, "tracked");
        assertTrue(harness.recordFill(order, 1e18), "completed");
        assertTrue(harness.isNonceUsed(order.nonce), "done in the bitmap");
        assertEq(harness.filled(orderHash), 0, "partial-fill slot cleared");
    }

    function test_recordFill_RevertIf_Overfill() public {
        Order memory order = _order();
        harness.recordFill(order, 4e18);
        bytes32 orderHash = OrderLib.hash(order);
        vm.expectRevert(abi.encodeWithSelector(OrderLib.Order_Overfill.selector, orderHash, 6e18, 7e18));
        harness.recordFill(order, 7e18);
    }

    // ------------------------------------------------------------------ helpers

    function _order() internal view returns (Order memory) {
        return
            Order({
                owner: trader,
                subaccount: 3,
                signer: trader,
                marketId: bytes32("AAPL-USD"),
                isBuy: true,
                sizeX18: 10e18,
                limitPriceX18: 187.25e18,
                expiry: 1_800_000_000,
                nonce: 42,
                epoch: 0,
                flags: 0
            });
    }

    function _sign(Order memory, bytes32 digest) internal view returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(traderKey, digest);
        return abi.encodePacked(r, s, v);
    }
}
