// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {VaultTestBase} from "./VaultTestBase.sol";
import {CollateralVault} from "../../contracts/core/CollateralVault.sol";
import {InsuranceFund} from "../../contracts/core/InsuranceFund.sol";
import {ICollateralVault} from "../../contracts/interfaces/ICollateralVault.sol";
import {MockBlocklistToken} from "../../contracts/mocks/MockBlocklistToken.sol";
import {MockMarginAuthority} from "../../contracts/mocks/MockMarginAuthority.sol";
import {MockReentrantToken} from "../../contracts/mocks/MockReentrantToken.sol";
import {AccountId} from "../../contracts/types/Account.sol";

/// @notice withdraw, withdrawFor, subaccount transfers, operators and the margin-authority hookup.
contract CollateralVaultWithdrawTest is VaultTestBase {
    function setUp() public override {
        super.setUp();
        _deposit(alice, 0, 1_000 * USDC);
        _deposit(alice, 1, 200 * USDC);
    }

    // ================================================================== withdraw

    function test_withdraw_SendsToAnyAddress() public {
        vm.expectEmit(address(vault));
        emit ICollateralVault.Withdrawn(_account(alice, 0), alice, stranger, 400 * USDC, 400 * USDC * SCALE);
        vm.prank(alice);
        vault.withdraw(0, 400 * USDC, stranger);

        assertEq(usdc.balanceOf(stranger), 400 * USDC, "recipient");
        assertEq(vault.collateralX18(_account(alice, 0)), int256(600 * USDC * SCALE), "debited");
        assertEq(vault.collateralX18(_account(alice, 1)), int256(200 * USDC * SCALE), "isolated");
        assertEq(vault.totalCollateralX18(), int256(800 * USDC * SCALE), "total");
        _assertIdentityExact();
    }

    function test_withdraw_WholeBalance() public {
        vm.prank(alice);
        vault.withdraw(1, 200 * USDC, alice);
        assertEq(vault.collateralX18(_account(alice, 1)), 0, "emptied");
        assertEq(vault.withdrawableX18(_account(alice, 1)), 0, "nothing left");
        _assertIdentityExact();
    }

    function test_withdraw_RevertIf_InsufficientCollateral() public {
        vm.prank(alice);
        vm.expectRevert(
            abi.encodeWithSelector(
                ICollateralVault.Vault_InsufficientCollateral.selector,
                _account(alice, 1),
                200 * USDC * SCALE,
                (200 * USDC + 1) * SCALE
            )
        );
        vault.withdraw(1, 200 * USDC + 1, alice);
    }

    function test_withdraw_RevertIf_OtherOwnersAccountEmpty() public {
        // bob has no collateral in subaccount 0: his withdraw touches only his own account.
        vm.prank(bob);
        vm.expectRevert(
            abi.encodeWithSelector(
                ICollateralVault.Vault_InsufficientCollateral.selector,
                _account(bob, 0),
                uint256(0),
                1 * SCALE
            )
        );
        vault.withdraw(0, 1, bob);
    }

    function test_withdraw_RevertIf_NegativeCollateral() public {
        vault.harnessSetCollateralX18(_account(bob, 5), -1e18);
        vm.prank(bob);
        vm.expectRevert(
            abi.encodeWithSelector(
                ICollateralVault.Vault_InsufficientCollateral.selector,
                _account(bob, 5),
                uint256(0),
                1 * SCALE
            )
        );
        vault.withdraw(5, 1, bob);
    }

    function test_withdraw_RevertIf_ZeroAmount() public {
        vm.prank(alice);
        vm.expectRevert(ICollateralVault.Vault_ZeroAmount.selector);
        vault.withdraw(0, 0, alice);
    }

    function test_withdraw_RevertIf_ZeroRecipient() public {
        vm.prank(alice);
        vm.expectRevert(ICollateralVault.Vault_ZeroAddress.selector);
        vault.withdraw(0, 1, address(0));
    }

    function test_withdraw_RevertIf_AmountX18WouldOverflow() public {
        uint256 maxAmount = vault.maxTokenAmount();
        vm.prank(alice);
        vm.expectRevert(
            abi.encodeWithSelector(ICollateralVault.Vault_AmountTooLarge.selector, maxAmount + 1, maxAmount)
        );
        vault.withdraw(0, maxAmount + 1, alice);
        vm.prank(alice);
        vm.expectRevert(
            abi.encodeWithSelector(
                ICollateralVault.Vault_AmountTooLarge.selector,
                type(uint256).max,
                maxAmount
            )
        );
        vault.withdraw(0, type(uint256).max, alice);
    }

    function test_withdraw_RevertIf_BlocklistedRecipient_StateUnchanged() public {
        MockBlocklistToken token = new MockBlocklistToken();
        CollateralVault blockVault = new CollateralVault(
            token,
            new InsuranceFund(token, admin),
            admin,
            guardian
        );
        token.mint(alice, 100 * USDC);
        vm.startPrank(alice);
        token.approve(address(blockVault), type(uint256).max);
        blockVault.deposit(0, 100 * USDC);
        vm.stopPrank();
        token.setBlocklisted(stranger, true);

        vm.prank(alice);
        vm.expectRevert(bytes("Blacklistable: account is blacklisted"));
        blockVault.withdraw(0, 60 * USDC, stranger);

        assertEq(blockVault.collateralX18(_account(alice, 0)), int256(100 * USDC * SCALE), "collateral kept");
        assertEq(blockVault.totalCollateralX18(), int256(100 * USDC * SCALE), "total kept");
        assertEq(token.balanceOf(address(blockVault)), 100 * USDC, "tokens kept");
        // The owner can still withdraw to an allowed address.
        vm.prank(alice);
        blockVault.withdraw(0, 60 * USDC, alice);
        assertEq(token.balanceOf(alice), 60 * USDC, "allowed recipient paid");
    }

    function test_withdraw_RevertIf_TokenReentersVault() public {
        MockReentrantToken token = new MockReentrantToken();
        CollateralVault reentrantVault = new CollateralVault(
            token,
            new InsuranceFund(token, admin),
            admin,
            guardian
        );
        token.mint(alice, 100 * USDC);
        vm.startPrank(alice);
        token.approve(address(reentrantVault), type(uint256).max);
        reentrantVault.deposit(0, 100 * USDC);
        vm.stopPrank();
        // During the outgoing transfer the token tries a second withdrawal (as itself).
        token.setCallback(address(reentrantVault), abi.encodeCall(ICollateralVault.withdraw, (0, 1, alice)));
        vm.prank(alice);
        vm.expectRevert(ReentrancyGuardTransient.ReentrancyGuardReentrantCall.selector);
        reentrantVault.withdraw(0, 50 * USDC, alice);
        assertEq(reentrantVault.collateralX18(_account(alice, 0)), int256(100 * USDC * SCALE), "unchanged");
        assertEq(token.balanceOf(address(reentrantVault)), 100 * USDC, "tokens kept");
    }

    // ================================================================== withdrawFor and operators

    function test_setOperator_ApprovesAndRevokes() public {
        vm.expectEmit(address(vault));
        emit ICollateralVault.OperatorSet(alice, operator, true);
        vm.prank(alice);
        vault.setOperator(operator, true);
        assertTrue(vault.isOperator(alice, operator), "approved");
        assertFalse(vault.isOperator(bob, operator), "per owner");

        vm.expectEmit(address(vault));
        emit ICollateralVault.OperatorSet(alice, operator, false);
        vm.prank(alice);
        vault.setOperator(operator, false);
        assertFalse(vault.isOperator(alice, operator), "revoked");
    }

    function test_setOperator_RevertIf_ZeroAddress() public {
        vm.prank(alice);
        vm.expectRevert(ICollateralVault.Vault_ZeroAddress.selector);
        vault.setOperator(address(0), true);
    }

    function test_withdrawFor_OwnerMaySendAnywhere() public {
        vm.prank(alice);
        vault.withdrawFor(_account(alice, 1), 50 * USDC, stranger);
        assertEq(usdc.balanceOf(stranger), 50 * USDC, "paid");
        _assertIdentityExact();
    }

    function test_withdrawFor_OperatorSendsToOwner() public {
        vm.prank(alice);
        vault.setOperator(operator, true);
        uint256 before = usdc.balanceOf(alice);
        vm.expectEmit(address(vault));
        emit ICollateralVault.Withdrawn(_account(alice, 1), operator, alice, 50 * USDC, 50 * USDC * SCALE);
        vm.prank(operator);
        vault.withdrawFor(_account(alice, 1), 50 * USDC, alice);
        assertEq(usdc.balanceOf(alice) - before, 50 * USDC, "owner paid");
        assertEq(usdc.balanceOf(operator), 0, "operator got nothing");
        _assertIdentityExact();
    }

    function test_withdrawFor_RevertIf_OperatorSendsElsewhere() public {
        vm.prank(alice);
        vault.setOperator(operator, true);
        vm.prank(operator);
        vm.expectRevert(
            abi.encodeWithSelector(
                ICollateralVault.Vault_OperatorRecipientNotOwner.selector,
                operator,
                alice,
                operator
            )
        );
        vault.withdrawFor(_account(alice, 1), 50 * USDC, operator);
    }

    function test_withdrawFor_RevertIf_NotOperator() public {
        vm.prank(stranger);
        vm.expectRevert(
            abi.encodeWithSelector(ICollateralVault.Vault_NotOwnerOrOperator.selector, stranger, alice)
        );
        vault.withdrawFor(_account(alice, 1), 50 * USDC, alice);
    }

    function test_withdrawFor_RevertIf_OperatorRevoked() public {
        vm.prank(alice);
        vault.setOperator(operator, true);
        vm.prank(alice);
        vault.setOperator(operator, false);
        vm.prank(operator);
        vm.expectRevert(
            abi.encodeWithSelector(ICollateralVault.Vault_NotOwnerOrOperator.selector, operator, alice)
        );
        vault.withdrawFor(_account(alice, 1), 50 * USDC, alice);
    }

    function test_withdrawFor_RevertIf_OperatorOfAnotherOwner() public {
        vm.prank(bob);
        vault.setOperator(operator, true);
        vm.prank(operator);
        vm.expectRevert(
            abi.encodeWithSelector(ICollateralVault.Vault_NotOwnerOrOperator.selector, operator, alice)
        );
        vault.withdrawFor(_account(alice, 1), 50 * USDC, alice);
    }

    // ================================================================== subaccount transfers

    function test_transferBetweenSubaccounts_MovesX18() public {
        uint256 amountX18 = 123 * USDC * SCALE + 7; // sub-token dust moves too
        vm.expectEmit(address(vault));
        emit ICollateralVault.SubaccountTransferred(_account(alice, 0), _account(alice, 9), alice, amountX18);
        vm.prank(alice);
        vault.transferBetweenSubaccounts(0, 9, amountX18);
        assertEq(vault.collateralX18(_account(alice, 0)), int256(1_000 * USDC * SCALE - amountX18), "source");
        assertEq(vault.collateralX18(_account(alice, 9)), int256(amountX18), "destination");
        assertEq(vault.totalCollateralX18(), int256(1_200 * USDC * SCALE), "total unchanged");
        _assertIdentityExact();
    }

    function test_transferBetweenSubaccounts_RevertIf_InsufficientCollateral() public {
        vm.prank(alice);
        vm.expectRevert(
            abi.encodeWithSelector(
                ICollateralVault.Vault_InsufficientCollateral.selector,
                _account(alice, 1),
                200 * USDC * SCALE,
                200 * USDC * SCALE + 1
            )
        );
        vault.transferBetweenSubaccounts(1, 0, 200 * USDC * SCALE + 1);
    }

    function test_transferBetweenSubaccounts_RevertIf_SameSubaccount() public {
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(ICollateralVault.Vault_SameSubaccount.selector, uint96(1)));
        vault.transferBetweenSubaccounts(1, 1, 1);
    }

    function test_transferBetweenSubaccounts_RevertIf_ZeroAmount() public {
        vm.prank(alice);
        vm.expectRevert(ICollateralVault.Vault_ZeroAmount.selector);
        vault.transferBetweenSubaccounts(0, 1, 0);
    }

    function test_transferBetweenSubaccounts_RevertIf_HugeAmount() public {
        vm.prank(alice);
        vm.expectRevert(
            abi.encodeWithSelector(
                ICollateralVault.Vault_InsufficientCollateral.selector,
                _account(alice, 0),
                1_000 * USDC * SCALE,
                type(uint256).max
            )
        );
        vault.transferBetweenSubaccounts(0, 1, type(uint256).max);
    }

    function test_transferBetweenSubaccountsFor_ByOperator() public {
        vm.prank(alice);
        vault.setOperator(operator, true);
        vm.expectEmit(address(vault));
        emit ICollateralVault.SubaccountTransferred(_account(alice, 1), _account(alice, 0), operator, 5e18);
        vm.prank(operator);
        vault.transferBetweenSubaccountsFor(alice, 1, 0, 5e18);
        assertEq(vault.collateralX18(_account(alice, 1)), int256(195e18), "source");
        assertEq(vault.collateralX18(_account(alice, 0)), int256(1_005e18), "destination");
    }

    function test_transferBetweenSubaccountsFor_ByOwner() public {
        vm.prank(alice);
        vault.transferBetweenSubaccountsFor(alice, 1, 0, 5e18);
        assertEq(vault.collateralX18(_account(alice, 1)), int256(195e18), "source");
    }

    function test_transferBetweenSubaccountsFor_RevertIf_NotOperator() public {
        vm.prank(stranger);
        vm.expectRevert(
            abi.encodeWithSelector(ICollateralVault.Vault_NotOwnerOrOperator.selector, stranger, alice)
        );
        vault.transferBetweenSubaccountsFor(alice, 1, 0, 5e18);
    }

    // ================================================================== margin authority

    function test_withdraw_RespectsMarginAuthority() public {
        MockMarginAuthority authority = _connectAuthority();
        authority.setWithdrawableX18(_account(alice, 0), 300e18);
        assertEq(vault.withdrawableX18(_account(alice, 0)), 300e18, "authority caps");

        vm.prank(alice);
        vm.expectRevert(
            abi.encodeWithSelector(
                ICollateralVault.Vault_InsufficientCollateral.selector,
                _account(alice, 0),
                300e18,
                300e18 + SCALE
            )
        );
        vault.withdraw(0, 300 * USDC + 1, alice);

        vm.prank(alice);
        vault.withdraw(0, 300 * USDC, alice);
        assertEq(vault.collateralX18(_account(alice, 0)), int256(700e18), "debited");
    }

    function test_withdraw_AuthorityCannotReleaseMoreThanCollateral() public {
        MockMarginAuthority authority = _connectAuthority();
        authority.setWithdrawableX18(_account(alice, 1), 1_000_000e18);
        assertEq(vault.withdrawableX18(_account(alice, 1)), 200e18, "capped at collateral");
        vm.prank(alice);
        vm.expectRevert(
            abi.encodeWithSelector(
                ICollateralVault.Vault_InsufficientCollateral.selector,
                _account(alice, 1),
                200e18,
                201e18
            )
        );
        vault.withdraw(1, 201 * USDC, alice);
    }

    function test_withdraw_AuthorityZeroBlocksWithdrawal() public {
        _connectAuthority(); // answers 0 for every account: e.g. all collateral backs open positions
        vm.prank(alice);
        vm.expectRevert(
            abi.encodeWithSelector(
                ICollateralVault.Vault_InsufficientCollateral.selector,
                _account(alice, 0),
                uint256(0),
                SCALE
            )
        );
        vault.withdraw(0, 1, alice);
    }

    function test_transferBetweenSubaccounts_RespectsMarginAuthority() public {
        MockMarginAuthority authority = _connectAuthority();
        authority.setWithdrawableX18(_account(alice, 0), 10e18);
        vm.prank(alice);
        vm.expectRevert(
            abi.encodeWithSelector(
                ICollateralVault.Vault_InsufficientCollateral.selector,
                _account(alice, 0),
                10e18,
                10e18 + 1
            )
        );
        vault.transferBetweenSubaccounts(0, 1, 10e18 + 1);
        vm.prank(alice);
        vault.transferBetweenSubaccounts(0, 1, 10e18);
        assertEq(vault.collateralX18(_account(alice, 1)), int256(210e18), "moved");
    }

    function test_accountingIdentity_IncludesUnrealizedPnl() public {
        MockMarginAuthority authority = _connectAuthority();
        _assertIdentityExact(); // uPnL 0

        // Longs up 50: the shorts' collateral backs it; liabilities include the +50.
        authority.setTotalUnrealizedPnlX18(50e18);
        (uint256 balanceX18, int256 liabilitiesX18, bool holds) = vault.accountingIdentity();
        assertEq(balanceX18, 1_200e18, "balance");
        assertEq(liabilitiesX18, 1_250e18, "liabilities include uPnL");
        assertFalse(holds, "an unbacked uPnL breaks the identity");

        authority.setTotalUnrealizedPnlX18(-50e18);
        (, liabilitiesX18, holds) = vault.accountingIdentity();
        assertEq(liabilitiesX18, 1_150e18, "negative uPnL lowers liabilities");
        assertTrue(holds, "holds");
    }

    function _connectAuthority() private returns (MockMarginAuthority authority) {
        authority = new MockMarginAuthority();
        vm.prank(admin);
        vault.setMarginAuthority(address(authority));
    }
}
