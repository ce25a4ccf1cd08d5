// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ClearinghouseTestBase} from "./ClearinghouseTestBase.sol";
import {ClearinghouseExtension} from "../../contracts/core/ClearinghouseExtension.sol";
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
}
