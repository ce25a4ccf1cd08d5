// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {VaultTestBase} from "./VaultTestBase.sol";
import {ICollateralVault} from "../../contracts/interfaces/ICollateralVault.sol";
import {IInsuranceFund} from "../../contracts/interfaces/IInsuranceFund.sol";
import {Constants} from "../../contracts/libraries/Constants.sol";
import {MockMarginAuthority} from "../../contracts/mocks/MockMarginAuthority.sol";

/// @notice Guardian pause (expiry, cooldown, bounds), fee treasury, margin-authority wiring, the
/// accounting identity and surplus sweeping.
contract CollateralVaultAdminTest is VaultTestBase {
    bytes32 private guardianRole;
    bytes32 private adminRole;

    function setUp() public override {
        super.setUp();
        _deposit(alice, 0, 1_000 * USDC);
        guardianRole = vault.GUARDIAN_ROLE();
        adminRole = vault.DEFAULT_ADMIN_ROLE();
    }

    // ================================================================== pause

    function test_pauseWithdrawals_PausesForDefaultDuration() public {
        uint256 expectedUntil = block.timestamp + 72 hours;
        vm.expectEmit(address(vault));
        emit ICollateralVault.WithdrawalsPaused(guardian, expectedUntil);
        vm.prank(guardian);
        vault.pauseWithdrawals();
        assertTrue(vault.withdrawalsPaused(), "paused");
        assertEq(vault.withdrawalsPausedUntil(), expectedUntil, "until");
        assertEq(vault.pauseAvailableAt(), expectedUntil + 24 hours, "next pause after cooldown");
    }

    function test_pauseWithdrawals_BlocksEveryOutflow() public {
        vm.prank(alice);
        vault.setOperator(operator, true);
        _creditFees(10 * USDC);
        vm.prank(guardian);
        vault.pauseWithdrawals();
        uint256 until = vault.withdrawalsPausedUntil();
        bytes memory paused = abi.encodeWithSelector(
            ICollateralVault.Vault_WithdrawalsPaused.selector,
            until
        );

        vm.prank(alice);
        vm.expectRevert(paused);
        vault.withdraw(0, 1, alice);
        vm.prank(operator);
        vm.expectRevert(paused);
        vault.withdrawFor(_account(alice, 0), 1, alice);
        vm.prank(admin);
        vm.expectRevert(paused);
        vault.withdrawFees(admin, 1);
    }

    function test_pauseWithdrawals_DepositsAndTransfersContinue() public {
        vm.prank(guardian);
        vault.pauseWithdrawals();
        _deposit(alice, 0, 5 * USDC);
        vm.prank(bob);
        vault.depositFor(_account(alice, 1), 5 * USDC);
        vm.prank(alice);
        vault.transferBetweenSubaccounts(0, 1, 100e18);
        assertEq(vault.collateralX18(_account(alice, 1)), int256(105e18), "deposit + transfer while paused");
        _assertIdentityExact();
    }

    function test_pauseWithdrawals_ExpiresByItself() public {
        vm.prank(guardian);
        vault.pauseWithdrawals();
        uint256 until = vault.withdrawalsPausedUntil();
        vm.warp(until - 1);
        assertTrue(vault.withdrawalsPaused(), "still paused one second before");
        vm.warp(until);
        assertFalse(vault.withdrawalsPaused(), "expired");
        vm.prank(alice);
        vault.withdraw(0, 1 * USDC, alice);
        assertEq(vault.collateralX18(_account(alice, 0)), int256(999e18), "withdrew after expiry");
    }

    function test_pauseWithdrawals_RevertIf_Active() public {
        vm.startPrank(guardian);
        vault.pauseWithdrawals();
        uint256 availableAt = vault.pauseAvailableAt();
        vm.expectRevert(
            abi.encodeWithSelector(ICollateralVault.Vault_PauseCooldownActive.selector, availableAt)
        );
        vault.pauseWithdrawals();
        vm.stopPrank();
    }

    function test_pauseWithdrawals_RevertIf_CooldownAfterExpiry() public {
        vm.prank(guardian);
        vault.pauseWithdrawals();
        uint256 until = vault.withdrawalsPausedUntil();
        vm.warp(until + 24 hours - 1);
        vm.prank(guardian);
        vm.expectRevert(
            abi.encodeWithSelector(ICollateralVault.Vault_PauseCooldownActive.selector, until + 24 hours)
        );
        vault.pauseWithdrawals();

        vm.warp(until + 24 hours);
        vm.prank(guardian);
        vault.pauseWithdrawals();
        assertEq(vault.withdrawalsPausedUntil(), until + 24 hours + 72 hours, "second pause after cooldown");
    }

    function test_pauseWithdrawals_CooldownStartsAtEarlyUnpause() public {
        vm.prank(guardian);
        vault.pauseWithdrawals();
        vm.warp(block.timestamp + 1 hours);
        vm.prank(guardian);
        vault.unpauseWithdrawals();
        uint256 unpausedAt = block.timestamp;
        assertEq(vault.pauseAvailableAt(), unpausedAt + 24 hours, "cooldown from unpause");
        vm.warp(unpausedAt + 24 hours - 1);
        vm.prank(guardian);
        vm.expectRevert(
            abi.encodeWithSelector(ICollateralVault.Vault_PauseCooldownActive.selector, unpausedAt + 24 hours)
        );
        vault.pauseWithdrawals();
    }

    function test_pauseWithdrawals_RevertIf_NotGuardian() public {
        vm.prank(admin);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector,
                admin,
                guardianRole
            )
        );
        vault.pauseWithdrawals();
    }

    function test_pauseAvailableAt_ZeroBeforeFirstPause() public view {
        assertEq(vault.pauseAvailableAt(), 0, "never paused");
        assertEq(vault.withdrawalsPausedUntil(), 0, "no pause");
        assertFalse(vault.withdrawalsPaused(), "not paused");
    }

    function test_unpauseWithdrawals_ByGuardian() public {
        vm.prank(guardian);
        vault.pauseWithdrawals();
        vm.expectEmit(address(vault));
        emit ICollateralVault.WithdrawalsUnpaused(guardian);
        vm.prank(guardian);
        vault.unpauseWithdrawals();
        assertFalse(vault.withdrawalsPaused(), "unpaused");
        assertEq(vault.withdrawalsPausedUntil(), block.timestamp, "ended now");
        vm.prank(alice);
        vault.withdraw(0, 1 * USDC, alice);
    }

    function test_unpauseWithdrawals_ByAdmin() public {
        vm.prank(guardian);
        vault.pauseWithdrawals();
        vm.expectEmit(address(vault));
        emit ICollateralVault.WithdrawalsUnpaused(admin);
        vm.prank(admin);
        vault.unpauseWithdrawals();
        assertFalse(vault.withdrawalsPaused(), "unpaused");
    }

    function test_unpauseWithdrawals_RevertIf_NotPaused() public {
        vm.prank(guardian);
        vm.expectRevert(ICollateralVault.Vault_WithdrawalsNotPaused.selector);
        vault.unpauseWithdrawals();
    }

    function test_unpauseWithdrawals_RevertIf_Unauthorized() public {
        vm.prank(guardian);
        vault.pauseWithdrawals();
        vm.prank(stranger);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector,
                stranger,
                adminRole
            )
        );
        vault.unpauseWithdrawals();
    }

    function test_setPauseDuration_UsedByNextPause() public {
        vm.expectEmit(address(vault));
        emit ICollateralVault.PauseDurationUpdated(72 hours, 2 hours);
        vm.prank(admin);
        vault.setPauseDuration(2 hours);
        assertEq(vault.pauseDuration(), 2 hours, "stored");
        vm.prank(guardian);
        vault.pauseWithdrawals();
        assertEq(vault.withdrawalsPausedUntil(), block.timestamp + 2 hours, "new length");
    }

    function test_setPauseDuration_AcceptsBounds() public {
        vm.startPrank(admin);
        vault.setPauseDuration(Constants.VAULT_MIN_PAUSE_DURATION);
        assertEq(vault.pauseDuration(), 1 hours, "min");
        vault.setPauseDuration(Constants.VAULT_MAX_PAUSE_DURATION);
        assertEq(vault.pauseDuration(), 7 days, "max");
        vm.stopPrank();
    }

    function test_setPauseDuration_RevertIf_OutOfBounds() public {
        vm.startPrank(admin);
        vm.expectRevert(
            abi.encodeWithSelector(
                ICollateralVault.Vault_PauseDurationOutOfBounds.selector,
                1 hours - 1,
                1 hours,
                7 days
            )
        );
        vault.setPauseDuration(1 hours - 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                ICollateralVault.Vault_PauseDurationOutOfBounds.selector,
                7 days + 1,
                1 hours,
                7 days
            )
        );
        vault.setPauseDuration(7 days + 1);
        vm.stopPrank();
    }

    function test_setPauseDuration_RevertIf_NotAdmin() public {
        vm.prank(guardian);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector,
                guardian,
                adminRole
            )
        );
        vault.setPauseDuration(2 hours);
    }

    // ================================================================== fee treasury

    function test_withdrawFees_PaysOutOfTreasuryOnly() public {
        _creditFees(30 * USDC);
        vm.expectEmit(address(vault));
        emit ICollateralVault.FeesWithdrawn(stranger, 20 * USDC, 20e18);
        vm.prank(admin);
        vault.withdrawFees(stranger, 20 * USDC);
        assertEq(usdc.balanceOf(stranger), 20 * USDC, "paid");
        assertEq(vault.feeTreasuryX18(), 10e18, "treasury debited");
        assertEq(vault.collateralX18(_account(alice, 0)), int256(1_000e18), "collateral untouched");
        _assertIdentityExact();
    }

    function test_withdrawFees_RevertIf_ExceedsTreasury() public {
        _creditFees(30 * USDC);
        vm.prank(admin);
        vm.expectRevert(
            abi.encodeWithSelector(ICollateralVault.Vault_InsufficientFees.selector, 30e18, 31e18)
        );
        vault.withdrawFees(admin, 31 * USDC); // the vault holds 1,030 USDC, but only 30 are fees
    }

    function test_withdrawFees_RevertIf_ZeroAmountOrRecipient() public {
        _creditFees(30 * USDC);
        vm.startPrank(admin);
        vm.expectRevert(ICollateralVault.Vault_ZeroAmount.selector);
        vault.withdrawFees(admin, 0);
        vm.expectRevert(ICollateralVault.Vault_ZeroAddress.selector);
        vault.withdrawFees(address(0), 1);
        vm.stopPrank();
    }

    function test_withdrawFees_RevertIf_NotAdmin() public {
        _creditFees(30 * USDC);
        vm.prank(guardian);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector,
                guardian,
                adminRole
            )
        );
        vault.withdrawFees(guardian, 1);
    }

    // ================================================================== margin authority

    function test_setMarginAuthority_SetsOnce() public {
        MockMarginAuthority authority = new MockMarginAuthority();
        vm.expectEmit(address(vault));
        emit ICollateralVault.MarginAuthoritySet(address(authority));
        vm.prank(admin);
        vault.setMarginAuthority(address(authority));
        assertEq(address(vault.marginAuthority()), address(authority), "set");

        MockMarginAuthority other = new MockMarginAuthority();
        vm.prank(admin);
        vm.expectRevert(
            abi.encodeWithSelector(
                ICollateralVault.Vault_MarginAuthorityAlreadySet.selector,
                address(authority)
            )
        );
        vault.setMarginAuthority(address(other));
    }

    function test_setMarginAuthority_RevertIf_Zero() public {
        vm.prank(admin);
        vm.expectRevert(ICollateralVault.Vault_ZeroAddress.selector);
        vault.setMarginAuthority(address(0));
    }

    function test_setMarginAuthority_RevertIf_NotAdmin() public {
        vm.prank(guardian);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector,
                guardian,
                adminRole
            )
        );
        vault.setMarginAuthority(address(1));
    }

    // ================================================================== identity and surplus

    function test_accountingIdentity_ExactWithFeesAndSeveralAccounts() public {
        _deposit(bob, 4, 77 * USDC + 3);
        _creditFees(12 * USDC);
        vm.prank(alice);
        vault.transferBetweenSubaccounts(0, 1, 1); // 1 wei of X18 dust moved
        _assertIdentityExact();
        (uint256 balanceX18, int256 liabilitiesX18, ) = vault.accountingIdentity();
        assertEq(balanceX18, (1_089 * USDC + 3) * SCALE, "balance");
        assertEq(liabilitiesX18, int256((1_089 * USDC + 3) * SCALE), "liabilities");
    }

    function test_accountingIdentity_StrayTransferCreatesSurplus() public {
        usdc.mint(address(vault), 5 * USDC);
        (uint256 balanceX18, int256 liabilitiesX18, bool holds) = vault.accountingIdentity();
        assertTrue(holds, "holds");
        assertEq(balanceX18 - uint256(liabilitiesX18), 5e18, "surplus");
        assertEq(vault.sweepableSurplus(), 5 * USDC, "sweepable");
    }

    function test_accountingIdentity_DetectsShortfall() public {
        // A ledger credit with no tokens behind it (what a faulty clearinghouse would cause).
        vault.harnessCreditFeesX18(1);
        (, , bool holds) = vault.accountingIdentity();
        assertFalse(holds, "shortfall detected");
        assertEq(vault.sweepableSurplus(), 0, "nothing to sweep");
    }

    function test_accountingIdentity_NegativeAccountsCountAgainstLiabilities() public {
        vault.harnessSetCollateralX18(_account(bob, 0), -100e18); // bad debt left by the clearinghouse
        (, int256 liabilitiesX18, bool holds) = vault.accountingIdentity();
        assertEq(liabilitiesX18, 900e18, "bad debt lowers liabilities");
        assertTrue(holds, "holds");
    }

    function test_sweepSurplus_DonatesWholeTokensToFund() public {
        usdc.mint(address(vault), 5 * USDC);
        vm.expectEmit(address(fund));
        emit IInsuranceFund.Donated(address(vault), 5 * USDC);
        vm.expectEmit(address(vault));
        emit ICollateralVault.SurplusSwept(stranger, 5 * USDC);
        vm.prank(stranger);
        uint256 swept = vault.sweepSurplus();
        assertEq(swept, 5 * USDC, "returned");
        assertEq(fund.ledgerBalance(), 5 * USDC, "fund ledger");
        assertEq(usdc.balanceOf(address(fund)), 5 * USDC, "fund balance");
        assertEq(usdc.allowance(address(vault), address(fund)), 0, "allowance used up");
        _assertIdentityExact();
    }

    function test_sweepSurplus_KeepsSubUnitDustOwedToAccounts() public {
        // Liabilities of 1,000 USDC + 1 wei X18 need 1,000.000001 USDC of cover (rounded up).
        vault.harnessCreditFeesX18(1);
        usdc.mint(address(vault), 3);
        assertEq(vault.sweepableSurplus(), 2, "one unit kept for the 1-wei liability");
        vault.sweepSurplus();
        (uint256 balanceX18, int256 liabilitiesX18, bool holds) = vault.accountingIdentity();
        assertTrue(holds, "still covered");
        assertEq(balanceX18 - uint256(liabilitiesX18), SCALE - 1, "dust stays in the vault");
    }

    function test_sweepSurplus_AccountsForUnrealizedPnl() public {
        MockMarginAuthority authority = new MockMarginAuthority();
        vm.prank(admin);
        vault.setMarginAuthority(address(authority));
        usdc.mint(address(vault), 5 * USDC);
        authority.setTotalUnrealizedPnlX18(3e18);
        assertEq(vault.sweepableSurplus(), 2 * USDC, "uPnL owed is not surplus");
        vault.sweepSurplus();
        (uint256 balanceX18, int256 liabilitiesX18, ) = vault.accountingIdentity();
        assertEq(int256(balanceX18), liabilitiesX18, "exact after sweep");
    }

    function test_sweepSurplus_RevertIf_NoSurplus() public {
        vm.expectRevert(ICollateralVault.Vault_NoSurplus.selector);
        vault.sweepSurplus();
    }

    function test_accountingIdentity_SaturatesHugeBalance() public {
        usdc.mint(address(vault), type(uint256).max - usdc.totalSupply());
        (uint256 balanceX18, , bool holds) = vault.accountingIdentity();
        assertEq(balanceX18, type(uint256).max, "saturated");
        assertTrue(holds, "holds");
    }

    // ================================================================== helpers

    /// @dev Stands in for the clearinghouse crediting trade fees: tokens in, fee ledger up.
    function _creditFees(uint256 amount) private {
        usdc.mint(address(vault), amount);
        vault.harnessCreditFeesX18(amount * SCALE);
    }
}
