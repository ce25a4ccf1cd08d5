// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {VaultTestBase} from "./VaultTestBase.sol";
import {CollateralVault} from "../../contracts/core/CollateralVault.sol";
import {InsuranceFund} from "../../contracts/core/InsuranceFund.sol";
import {ICollateralVault} from "../../contracts/interfaces/ICollateralVault.sol";
import {MockERC20Decimals} from "../../contracts/mocks/MockERC20Decimals.sol";

/// @notice Amount boundaries (0, 1 unit, 6-decimal dust, the int256 limit), unit conversion for every
/// supported decimals, round trips and nonce/signature properties under random inputs.
contract CollateralVaultFuzzTest is VaultTestBase {
    // ================================================================== boundaries (explicit)

    function test_deposit_OneUnitIsOneE12X18() public {
        _deposit(alice, 0, 1);
        assertEq(vault.collateralX18(_account(alice, 0)), int256(1e12), "1 micro-USDC = 1e12 X18");
        vm.prank(alice);
        vault.withdraw(0, 1, alice);
        assertEq(vault.collateralX18(_account(alice, 0)), 0, "round trip of the smallest unit");
        _assertIdentityExact();
    }

    function test_withdraw_SubUnitDustCannotLeave() public {
        _deposit(alice, 0, 1);
        vm.prank(alice);
        vault.transferBetweenSubaccounts(0, 1, 1e12 - 1); // leaves 1 wei of X18 in subaccount 0
        vm.prank(alice);
        vm.expectRevert(
            abi.encodeWithSelector(
                ICollateralVault.Vault_InsufficientCollateral.selector,
                _account(alice, 1),
                1e12 - 1,
                1e12
            )
        );
        vault.withdraw(1, 1, alice); // 0.999999999999 units cannot pay out one unit
        _assertIdentityExact();
    }

    function test_deposit_MaxFor18Decimals() public {
        MockERC20Decimals token = new MockERC20Decimals(18);
        CollateralVault v = new CollateralVault(token, new InsuranceFund(token, admin), admin, guardian);
        uint256 maxAmount = uint256(type(int256).max);
        assertEq(v.maxTokenAmount(), maxAmount, "scale 1: max is int256.max");
        token.mint(alice, maxAmount + 1);
        vm.startPrank(alice);
        token.approve(address(v), type(uint256).max);
        vm.expectRevert(
            abi.encodeWithSelector(ICollateralVault.Vault_AmountTooLarge.selector, maxAmount + 1, maxAmount)
        );
        v.deposit(0, maxAmount + 1);
        v.deposit(0, maxAmount);
        vm.stopPrank();
        assertEq(v.collateralX18(_account(alice, 0)), type(int256).max, "int256.max credited");
        assertEq(v.totalCollateralX18(), type(int256).max, "total at the limit");
    }

    // ================================================================== fuzz

    function testFuzz_deposit_CreditsExactX18(uint256 amount, uint96 subaccount) public {
        amount = bound(amount, 1, vault.maxTokenAmount() - usdc.balanceOf(address(vault)));
        usdc.mint(alice, amount);
        _deposit(alice, subaccount, amount);
        assertEq(vault.collateralX18(_account(alice, subaccount)), int256(amount * SCALE), "exact");
        assertEq(vault.totalCollateralX18(), int256(amount * SCALE), "total");
        _assertIdentityExact();
    }

    function testFuzz_deposit_RevertIf_X18WouldOverflow(uint256 amount) public {
        uint256 maxAmount = vault.maxTokenAmount();
        amount = bound(amount, maxAmount + 1, type(uint256).max);
        vm.prank(alice);
        vm.expectRevert(
            abi.encodeWithSelector(ICollateralVault.Vault_AmountTooLarge.selector, amount, maxAmount)
        );
        vault.deposit(0, amount);
    }

    function testFuzz_deposit_RevertIf_CumulativeBalanceWouldOverflow(uint256 first, uint256 second) public {
        uint256 maxAmount = vault.maxTokenAmount();
        first = bound(first, 1, maxAmount);
        usdc.mint(alice, first);
        _deposit(alice, 0, first);
        uint256 headroom = maxAmount - first;
        second = bound(second, headroom + 1, type(uint256).max);
        vm.prank(bob);
        vm.expectRevert(
            abi.encodeWithSelector(ICollateralVault.Vault_AmountTooLarge.selector, second, headroom)
        );
        vault.deposit(0, second);
    }

    function testFuzz_withdraw_RevertIf_X18WouldOverflow(uint256 amount) public {
        uint256 maxAmount = vault.maxTokenAmount();
        amount = bound(amount, maxAmount + 1, type(uint256).max);
        vm.prank(alice);
        vm.expectRevert(
            abi.encodeWithSelector(ICollateralVault.Vault_AmountTooLarge.selector, amount, maxAmount)
        );
        vault.withdraw(0, amount, alice);
    }

    function testFuzz_depositWithdraw_RoundTrip(
        uint256 depositAmount,
        uint256 withdrawAmount,
        address to
    ) public {
        vm.assume(to != address(0) && to != address(vault));
        depositAmount = bound(depositAmount, 1, 1_000_000 * USDC);
        withdrawAmount = bound(withdrawAmount, 1, depositAmount);
        uint256 toBefore = usdc.balanceOf(to);
        _deposit(alice, 0, depositAmount);
        vm.prank(alice);
        vault.withdraw(0, withdrawAmount, to);
        assertEq(
            vault.collateralX18(_account(alice, 0)),
            int256((depositAmount - withdrawAmount) * SCALE),
            "remaining"
        );
        if (to != alice) assertEq(usdc.balanceOf(to) - toBefore, withdrawAmount, "paid");
        _assertIdentityExact();
    }

    function testFuzz_withdraw_RevertIf_AboveCollateral(uint256 depositAmount, uint256 extra) public {
        depositAmount = bound(depositAmount, 1, 1_000_000 * USDC);
        extra = bound(extra, 1, 1e30);
        _deposit(alice, 0, depositAmount);
        vm.prank(alice);
        vm.expectRevert(
            abi.encodeWithSelector(
                ICollateralVault.Vault_InsufficientCollateral.selector,
                _account(alice, 0),
                depositAmount * SCALE,
                (depositAmount + extra) * SCALE
            )
        );
        vault.withdraw(0, depositAmount + extra, alice);
    }

    function testFuzz_transferBetweenSubaccounts_ConservesTotal(
        uint256 depositAmount,
        uint256 amountX18,
        uint96 fromSub,
        uint96 toSub
    ) public {
        vm.assume(fromSub != toSub);
        depositAmount = bound(depositAmount, 1, 1_000_000 * USDC);
        amountX18 = bound(amountX18, 1, depositAmount * SCALE);
        _deposit(alice, fromSub, depositAmount);
        vm.prank(alice);
        vault.transferBetweenSubaccounts(fromSub, toSub, amountX18);
        assertEq(
            vault.collateralX18(_account(alice, fromSub)),
            int256(depositAmount * SCALE - amountX18),
            "from"
        );
        assertEq(vault.collateralX18(_account(alice, toSub)), int256(amountX18), "to");
        assertEq(vault.totalCollateralX18(), int256(depositAmount * SCALE), "total conserved");
        _assertIdentityExact();
    }

    function testFuzz_decimals_ConversionExact(uint8 decimals, uint256 amount) public {
        decimals = uint8(bound(decimals, 0, 18));
        MockERC20Decimals token = new MockERC20Decimals(decimals);
        CollateralVault v = new CollateralVault(token, new InsuranceFund(token, admin), admin, guardian);
        uint256 scale = 10 ** (18 - decimals);
        amount = bound(amount, 1, v.maxTokenAmount());
        token.mint(alice, amount);
        vm.startPrank(alice);
        token.approve(address(v), amount);
        v.deposit(0, amount);
        assertEq(v.collateralX18(_account(alice, 0)), int256(amount * scale), "exact credit");
        v.withdraw(0, amount, alice);
        vm.stopPrank();
        assertEq(v.collateralX18(_account(alice, 0)), 0, "exact debit");
        assertEq(token.balanceOf(alice), amount, "all tokens back");
    }

    function testFuzz_cancelNonce_SetsExactlyOneBit(uint256 nonce, uint256 other) public {
        vm.assume(nonce != other);
        vm.prank(alice);
        vault.cancelNonce(nonce);
        assertTrue(vault.isNonceUsed(alice, nonce), "cancelled");
        assertFalse(vault.isNonceUsed(alice, other), "other nonce free");
        assertEq(vault.nonceBitmap(alice, nonce >> 8), 1 << (nonce & 255), "one bit in its word");
    }

    function testFuzz_withdrawWithSignature_RevertIf_WrongKey(uint256 key) public {
        key = bound(key, 1, 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364140);
        vm.assume(key != aliceKey);
        _deposit(alice, 0, 100 * USDC);
        ICollateralVault.Withdrawal memory request = _withdrawal(alice, 0, 1 * USDC, bob, 1);
        bytes32 digest = vault.hashWithdrawal(request);
        vm.expectRevert(
            abi.encodeWithSelector(ICollateralVault.Vault_InvalidSignature.selector, alice, digest)
        );
        vault.withdrawWithSignature(request, _sign(key, digest));
    }

    function testFuzz_withdrawWithSignature_ExecutesOnce(
        uint256 amount,
        uint256 nonce,
        uint96 subaccount
    ) public {
        amount = bound(amount, 1, 100 * USDC);
        _deposit(alice, subaccount, 100 * USDC);
        ICollateralVault.Withdrawal memory request = _withdrawal(alice, subaccount, amount, bob, nonce);
        bytes memory signature = _signWithdrawal(aliceKey, request);
        vault.withdrawWithSignature(request, signature);
        assertEq(
            vault.collateralX18(_account(alice, subaccount)),
            int256((100 * USDC - amount) * SCALE),
            "debited once"
        );
        vm.expectRevert(
            abi.encodeWithSelector(ICollateralVault.Vault_NonceAlreadyUsed.selector, alice, nonce)
        );
        vault.withdrawWithSignature(request, signature);
    }
}
