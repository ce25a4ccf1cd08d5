// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ClearinghouseTestBase} from "./ClearinghouseTestBase.sol";
import {Clearinghouse} from "../../contracts/core/Clearinghouse.sol";
import {ClearinghouseExtension} from "../../contracts/core/ClearinghouseExtension.sol";
import {Constants} from "../../contracts/libraries/Constants.sol";
import {OrderLib} from "../../contracts/libraries/OrderLib.sol";
import {IClearinghouse} from "../../contracts/interfaces/IClearinghouse.sol";
import {SkipReason} from "../../contracts/types/Clearinghouse.sol";
import {Order} from "../../contracts/types/Order.sol";

/// @notice The clearinghouse's infrequent entry points run in `ClearinghouseExtension` through
/// `delegatecall`: in the clearinghouse's storage, as the clearinghouse (events, caller), and never
/// on their own.
contract ClearinghouseExtensionTest is ClearinghouseTestBase {
    ClearinghouseExtension internal extension;

    function setUp() public override {
        super.setUp();
        extension = ClearinghouseExtension(ch.extension());
    }

    function test_extension_DeployedByTheClearinghouseForItself() public view {
        assertTrue(address(extension).code.length > 0, "extension has code");
        assertEq(extension.clearinghouse(), address(ch), "extension serves this clearinghouse");
    }

    function test_extension_RevertIf_CalledDirectly() public {
        Order[] memory orders = new Order[](1);
        orders[0] = _order(alice, AAPL, true, 1e18, PRICE);
        vm.prank(alice);
        vm.expectRevert(ClearinghouseExtension.ClearinghouseExtension_DirectCall.selector);
        extension.cancelOrders(orders);
        vm.prank(alice);
        vm.expectRevert(ClearinghouseExtension.ClearinghouseExtension_DirectCall.selector);
        extension.raiseNonceFloor(alice, 10);
        vm.prank(alice);
        vm.expectRevert(ClearinghouseExtension.ClearinghouseExtension_DirectCall.selector);
        extension.invalidateNonces(alice, 0, 1);
        vm.expectRevert(ClearinghouseExtension.ClearinghouseExtension_DirectCall.selector);
        extension.settlePosition(_account(alice), AAPL);
        vm.prank(guardian);
        vm.expectRevert(ClearinghouseExtension.ClearinghouseExtension_DirectCall.selector);
        extension.pauseTrading();
        vm.prank(guardian);
        vm.expectRevert(ClearinghouseExtension.ClearinghouseExtension_DirectCall.selector);
        extension.unpauseTrading();
        // Nothing changed in the clearinghouse.
        assertEq(ch.nonceFloor(alice), 0, "floor unchanged");
        assertEq(ch.tradingPausedUntil(), 0, "not paused");
        assertFalse(ch.isCancelled(ch.hashOrder(orders[0])), "not cancelled");
    }

    /// @dev The extension's writes land in the clearinghouse's storage, where settlement reads them,
    /// and its events come from the clearinghouse.
    function test_extension_WritesTheClearinghouseStorageAndEmitsAsIt() public {
        Order memory maker = _order(alice, AAPL, false, 1e18, PRICE);
        Order memory taker = _order(bob, AAPL, true, 1e18, PRICE);
        Order[] memory orders = new Order[](1);
        orders[0] = maker;
        bytes32 makerHash = ch.hashOrder(maker);
        vm.expectEmit(address(ch));
        emit IClearinghouse.OrderCancelled(makerHash, alice, alice);
        vm.prank(alice);
        ch.cancelOrders(orders);
        assertTrue(ch.isCancelled(makerHash), "cancelled in the clearinghouse");
        assertTrue(ch.isNonceUsed(alice, maker.nonce), "nonce used in the clearinghouse");
        _expectSkip(_match(maker, taker, 1e18), SkipReason.MAKER_CANCELLED);

        vm.expectEmit(address(ch));
        emit IClearinghouse.NonceFloorRaised(bob, 1_000, bob);
        vm.prank(bob);
        ch.raiseNonceFloor(bob, 1_000);
        assertEq(ch.nonceFloor(bob), 1_000, "floor in the clearinghouse");

        vm.expectEmit(address(ch));
        emit IClearinghouse.TradingPaused(guardian, block.timestamp + 1 days);
        vm.prank(guardian);
        ch.pauseTrading();
        assertGt(ch.tradingPausedUntil(), block.timestamp, "paused");
    }

    /// @dev Roles are the clearinghouse's: the guardian's role there is what the extension checks.
    function test_extension_ChecksTheClearinghouseRoles() public {
        assertFalse(extension.hasRole(extension.DEFAULT_ADMIN_ROLE(), admin), "no roles of its own");
        vm.prank(stranger);
        vm.expectRevert();
        ch.pauseTrading();
        vm.prank(guardian);
        ch.pauseTrading();
        assertGt(ch.tradingPausedUntil(), block.timestamp, "guardian of the clearinghouse paused it");
    }

    /// @dev A revert in the extension reaches the caller with its data unchanged.
    function test_extension_RevertDataPassesThrough() public {
        vm.prank(carol);
        vm.expectRevert(
            abi.encodeWithSelector(IClearinghouse.Clearinghouse_NotOwnerOrOperator.selector, carol, alice)
        );
        ch.raiseNonceFloor(alice, 5);
    }

    /// @dev The views that run in the extension read the clearinghouse's storage (through its own
    /// static call to `viewInExtension`) and answer what the state says.
    function test_extensionViews_ReadTheClearinghouseState() public {
        Order memory maker = _order(alice, AAPL, false, 2e18, PRICE);
        Order memory taker = _order(bob, AAPL, true, 1e18, PRICE);
        assertEq(_settle(_match(maker, taker, 1e18)), 1, "settled");
        bytes32 makerHash = ch.hashOrder(maker);
        bytes32 typeHash = keccak256(
            "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
        );
        bytes32 domain = keccak256(
            abi.encode(
                typeHash,
                keccak256(bytes(OrderLib.DOMAIN_NAME)),
                keccak256(bytes(OrderLib.DOMAIN_VERSION)),
                block.chainid,
                address(ch)
            )
        );
        assertEq(ch.domainSeparator(), domain, "the clearinghouse's domain, not the extension's");
        assertEq(makerHash, keccak256(abi.encodePacked("\x19\x01", domain, _structHash(maker))), "digest");
        assertEq(ch.filledX18(makerHash), 1e18, "partial fill recorded");
        assertFalse(ch.isCancelled(makerHash), "not cancelled");
        assertTrue(ch.isNonceUsed(alice, maker.nonce), "nonce used by the first fill");
        assertFalse(ch.isNonceUsed(alice, maker.nonce + 100), "other nonce free");
        assertEq(ch.fundingState(AAPL).lastUpdateTime, block.timestamp, "funding state written by the batch");
        assertEq(ch.circuitBreakerState(AAPL).referencePriceX18, PRICE, "breaker reference set");
        int256 ratio = ch.marginRatioX18(_account(bob));
        assertGt(ratio, 0, "margin ratio of a funded long");
        assertEq(ch.tradingPauseAvailableAt(), 0, "never paused");
        vm.prank(guardian);
        ch.pauseTrading();
        assertEq(
            ch.tradingPauseAvailableAt(),
            ch.tradingPausedUntil() + Constants.CH_TRADING_PAUSE_COOLDOWN,
            "pause then cooldown"
        );
    }

    function test_viewInExtension_RevertIf_NotCalledByTheClearinghouse() public {
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(Clearinghouse.Clearinghouse_NotSelf.selector, stranger));
        ch.viewInExtension();
        vm.expectRevert(ClearinghouseExtension.ClearinghouseExtension_DirectCall.selector);
        extension.fundingState(AAPL);
        vm.expectRevert(ClearinghouseExtension.ClearinghouseExtension_DirectCall.selector);
        extension.isNonceUsed(alice, 1);
    }

    function _structHash(Order memory order) internal pure returns (bytes32) {
        return OrderLib.hash(order);
    }
}
