// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {VaultTestBase} from "./VaultTestBase.sol";
import {CollateralVault} from "../../contracts/core/CollateralVault.sol";
import {InsuranceFund} from "../../contracts/core/InsuranceFund.sol";
import {IInsuranceFund} from "../../contracts/interfaces/IInsuranceFund.sol";
import {MockBlocklistToken} from "../../contracts/mocks/MockBlocklistToken.sol";
import {MockERC20Decimals} from "../../contracts/mocks/MockERC20Decimals.sol";
import {MockFeeOnTransferToken} from "../../contracts/mocks/MockFeeOnTransferToken.sol";
import {MockReentrantToken} from "../../contracts/mocks/MockReentrantToken.sol";

/// @notice The insurance fund: donations, vault-only outflows, sync, one-time wiring.
contract InsuranceFundTest is VaultTestBase {
    function setUp() public override {
        super.setUp();
        vm.prank(alice);
        usdc.approve(address(fund), type(uint256).max);
    }

    // ================================================================== constructor and wiring

    function test_constructor_SetsTokenAndAdmin() public {
        InsuranceFund fresh = new InsuranceFund(usdc, admin);
        assertEq(address(fresh.token()), address(usdc), "token");
        assertEq(fresh.vault(), address(0), "vault unset");
        assertEq(fresh.ledgerBalance(), 0, "empty");
        assertTrue(fresh.hasRole(fresh.DEFAULT_ADMIN_ROLE(), admin), "admin");
    }

    function test_constructor_RevertIf_ZeroAddress() public {
        vm.expectRevert(IInsuranceFund.InsuranceFund_ZeroAddress.selector);
        new InsuranceFund(IERC20(address(0)), admin);
        vm.expectRevert(IInsuranceFund.InsuranceFund_ZeroAddress.selector);
        new InsuranceFund(usdc, address(0));
    }

    function test_setVault_WiresOnce() public {
        InsuranceFund fresh = new InsuranceFund(usdc, admin);
        CollateralVault freshVault = new CollateralVault(usdc, fresh, admin, guardian);
        vm.expectEmit(address(fresh));
        emit IInsuranceFund.VaultSet(address(freshVault));
        vm.prank(admin);
        fresh.setVault(address(freshVault));
        assertEq(fresh.vault(), address(freshVault), "wired");

        vm.prank(admin);
        vm.expectRevert(
            abi.encodeWithSelector(IInsuranceFund.InsuranceFund_VaultAlreadySet.selector, address(freshVault))
        );
        fresh.setVault(address(vault));
    }

    function test_setVault_RevertIf_Zero() public {
        InsuranceFund fresh = new InsuranceFund(usdc, admin);
        vm.prank(admin);
        vm.expectRevert(IInsuranceFund.InsuranceFund_ZeroAddress.selector);
        fresh.setVault(address(0));
    }

    function test_setVault_RevertIf_TokenMismatch() public {
        MockERC20Decimals other = new MockERC20Decimals(6);
        InsuranceFund otherFund = new InsuranceFund(other, admin);
        CollateralVault otherVault = new CollateralVault(other, otherFund, admin, guardian);
        InsuranceFund fresh = new InsuranceFund(usdc, admin);
        vm.prank(admin);
        vm.expectRevert(
            abi.encodeWithSelector(
                IInsuranceFund.InsuranceFund_VaultTokenMismatch.selector,
                address(usdc),
                address(other)
            )
        );
        fresh.setVault(address(otherVault));
    }

    function test_setVault_RevertIf_NotAdmin() public {
        InsuranceFund fresh = new InsuranceFund(usdc, admin);
        bytes32 adminRole = fresh.DEFAULT_ADMIN_ROLE();
        vm.prank(stranger);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector,
                stranger,
                adminRole
            )
        );
        fresh.setVault(address(vault));
    }

    function test_grantRole_RevokeRole_RenounceRole_ByAdmin() public {
        bytes32 adminRole = fund.DEFAULT_ADMIN_ROLE();
        vm.prank(admin);
        fund.grantRole(adminRole, stranger);
        assertTrue(fund.hasRole(adminRole, stranger), "granted");
        vm.prank(stranger);
        fund.revokeRole(adminRole, admin);
        assertFalse(fund.hasRole(adminRole, admin), "revoked");
        vm.prank(stranger);
        fund.renounceRole(adminRole, stranger);
        assertFalse(fund.hasRole(adminRole, stranger), "renounced");
    }

    // ================================================================== donate

    function test_donate_PullsTokensAndBooksThem() public {
        vm.expectEmit(address(fund));
        emit IInsuranceFund.Donated(alice, 250 * USDC);
        vm.prank(alice);
        fund.donate(250 * USDC);
        assertEq(fund.ledgerBalance(), 250 * USDC, "ledger");
        assertEq(usdc.balanceOf(address(fund)), 250 * USDC, "balance == ledger");
    }

    function test_donate_RevertIf_ZeroAmount() public {
        vm.prank(alice);
        vm.expectRevert(IInsuranceFund.InsuranceFund_ZeroAmount.selector);
        fund.donate(0);
    }

    function test_donate_RevertIf_FeeOnTransfer() public {
        MockFeeOnTransferToken feeToken = new MockFeeOnTransferToken();
        InsuranceFund feeFund = new InsuranceFund(feeToken, admin);
        feeToken.mint(alice, 100 * USDC);
        vm.startPrank(alice);
        feeToken.approve(address(feeFund), type(uint256).max);
        vm.expectRevert(
            abi.encodeWithSelector(IInsuranceFund.InsuranceFund_FeeOnTransfer.selector, 100 * USDC, 99 * USDC)
        );
        feeFund.donate(100 * USDC);
        vm.stopPrank();
        assertEq(feeFund.ledgerBalance(), 0, "nothing booked");
    }

    function test_donate_RevertIf_TokenReenters() public {
        MockReentrantToken token = new MockReentrantToken();
        InsuranceFund reentrantFund = new InsuranceFund(token, admin);
        token.mint(alice, 100 * USDC);
        vm.prank(alice);
        token.approve(address(reentrantFund), type(uint256).max);
        token.setCallback(address(reentrantFund), abi.encodeCall(IInsuranceFund.sync, ()));
        vm.prank(alice);
        vm.expectRevert(ReentrancyGuardTransient.ReentrancyGuardReentrantCall.selector);
        reentrantFund.donate(10 * USDC);
        assertEq(reentrantFund.ledgerBalance(), 0, "nothing booked");
    }

    // ================================================================== payToVault

    function test_payToVault_SendsOnlyToVault() public {
        vm.prank(alice);
        fund.donate(100 * USDC);
        vm.expectEmit(address(fund));
        emit IInsuranceFund.PaidToVault(address(vault), 40 * USDC);
        vm.prank(address(vault));
        fund.payToVault(40 * USDC);
        assertEq(fund.ledgerBalance(), 60 * USDC, "ledger");
        assertEq(usdc.balanceOf(address(fund)), 60 * USDC, "fund balance");
        assertEq(usdc.balanceOf(address(vault)), 40 * USDC, "vault received");
        // The vault has no ledger entry for it yet (the clearinghouse will book it): pure surplus.
        (, , bool holds) = vault.accountingIdentity();
        assertTrue(holds, "vault identity holds");
    }

    function test_payToVault_RevertIf_CallerNotVault() public {
        vm.prank(alice);
        fund.donate(100 * USDC);
        vm.prank(admin);
        vm.expectRevert(
            abi.encodeWithSelector(
                IInsuranceFund.InsuranceFund_CallerNotVault.selector,
                admin,
                address(vault)
            )
        );
        fund.payToVault(1);
    }

    function test_payToVault_RevertIf_VaultUnset() public {
        InsuranceFund fresh = new InsuranceFund(usdc, admin);
        vm.prank(address(vault));
        vm.expectRevert(
            abi.encodeWithSelector(
                IInsuranceFund.InsuranceFund_CallerNotVault.selector,
                address(vault),
                address(0)
            )
        );
        fresh.payToVault(1);
    }

    function test_payToVault_RevertIf_InsufficientBalance() public {
        vm.prank(alice);
        fund.donate(100 * USDC);
        usdc.mint(address(fund), 50 * USDC); // stray tokens are not spendable until synced
        vm.prank(address(vault));
        vm.expectRevert(
            abi.encodeWithSelector(
                IInsuranceFund.InsuranceFund_InsufficientBalance.selector,
                100 * USDC,
                101 * USDC
            )
        );
        fund.payToVault(101 * USDC);
    }

    function test_payToVault_RevertIf_ZeroAmount() public {
        vm.prank(address(vault));
        vm.expectRevert(IInsuranceFund.InsuranceFund_ZeroAmount.selector);
        fund.payToVault(0);
    }

    function test_payToVault_RevertIf_TransferFails_StateUnchanged() public {
        MockBlocklistToken token = new MockBlocklistToken();
        InsuranceFund blockFund = new InsuranceFund(token, admin);
        CollateralVault blockVault = new CollateralVault(token, blockFund, admin, guardian);
        vm.prank(admin);
        blockFund.setVault(address(blockVault));
        token.mint(address(blockFund), 10 * USDC);
        blockFund.sync();
        token.setBlocklisted(address(blockVault), true);
        vm.prank(address(blockVault));
        vm.expectRevert(bytes("Blacklistable: account is blacklisted"));
        blockFund.payToVault(10 * USDC);
        assertEq(blockFund.ledgerBalance(), 10 * USDC, "ledger unchanged");
    }

    // ================================================================== sync

    function test_sync_AbsorbsStrayTokens() public {
        vm.prank(alice);
        fund.donate(10 * USDC);
        usdc.mint(address(fund), 3 * USDC);
        vm.expectEmit(address(fund));
        emit IInsuranceFund.SurplusSynced(stranger, 3 * USDC);
        vm.prank(stranger);
        uint256 absorbed = fund.sync();
        assertEq(absorbed, 3 * USDC, "absorbed");
        assertEq(fund.ledgerBalance(), 13 * USDC, "ledger");
        assertEq(usdc.balanceOf(address(fund)), fund.ledgerBalance(), "balance == ledger");
    }

    function test_sync_NoSurplusIsANoop() public {
        vm.prank(alice);
        fund.donate(10 * USDC);
        vm.recordLogs();
        assertEq(fund.sync(), 0, "nothing absorbed");
        assertEq(vm.getRecordedLogs().length, 0, "no event");
        assertEq(fund.ledgerBalance(), 10 * USDC, "ledger unchanged");
    }
}
