// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {VaultTestBase} from "./VaultTestBase.sol";
import {CollateralVault} from "../../contracts/core/CollateralVault.sol";
import {InsuranceFund} from "../../contracts/core/InsuranceFund.sol";
import {ICollateralVault} from "../../contracts/interfaces/ICollateralVault.sol";
import {IInsuranceFund} from "../../contracts/interfaces/IInsuranceFund.sol";
import {Constants} from "../../contracts/libraries/Constants.sol";
import {MockERC20Decimals} from "../../contracts/mocks/MockERC20Decimals.sol";
import {MockFeeOnTransferToken} from "../../contracts/mocks/MockFeeOnTransferToken.sol";
import {MockReentrantToken} from "../../contracts/mocks/MockReentrantToken.sol";
import {AccountId} from "../../contracts/types/Account.sol";

/// @notice Constructor, deposit, depositFor and depositWithPermit.
contract CollateralVaultDepositTest is VaultTestBase {
    // ================================================================== constructor

    function test_constructor_SetsConfiguration() public view {
        assertEq(address(vault.token()), address(usdc), "token");
        assertEq(address(vault.insuranceFund()), address(fund), "fund");
        assertEq(address(vault.marginAuthority()), address(0), "no authority");
        assertEq(vault.tokenScale(), SCALE, "scale");
        assertEq(vault.maxTokenAmount(), uint256(type(int256).max) / SCALE, "max amount");
        assertEq(vault.pauseDuration(), Constants.VAULT_DEFAULT_PAUSE_DURATION, "pause duration");
        assertTrue(vault.hasRole(vault.DEFAULT_ADMIN_ROLE(), admin), "admin role");
        assertTrue(vault.hasRole(vault.GUARDIAN_ROLE(), guardian), "guardian role");
        assertFalse(vault.hasRole(vault.GUARDIAN_ROLE(), admin), "admin is not guardian");
        assertEq(vault.GUARDIAN_ROLE(), keccak256("GUARDIAN_ROLE"), "guardian role id");
    }

    function test_constructor_ScalesByDecimals() public {
        uint8[3] memory decimalsList = [uint8(0), 8, 18];
        for (uint256 i = 0; i < decimalsList.length; i++) {
            uint8 decimals = decimalsList[i];
            MockERC20Decimals token = new MockERC20Decimals(decimals);
            CollateralVault v = new CollateralVault(token, new InsuranceFund(token, admin), admin, guardian);
            assertEq(v.tokenScale(), 10 ** (18 - decimals), "scale");
            assertEq(v.maxTokenAmount(), uint256(type(int256).max) / 10 ** (18 - decimals), "max");
        }
    }

    function test_constructor_RevertIf_DecimalsAbove18() public {
        MockERC20Decimals token = new MockERC20Decimals(19);
        InsuranceFund otherFund = new InsuranceFund(token, admin);
        vm.expectRevert(
            abi.encodeWithSelector(ICollateralVault.Vault_UnsupportedDecimals.selector, uint8(19))
        );
        new CollateralVault(token, otherFund, admin, guardian);
    }

    function test_constructor_RevertIf_ZeroAddress() public {
        vm.expectRevert(ICollateralVault.Vault_ZeroAddress.selector);
        new CollateralVault(IERC20Metadata(address(0)), fund, admin, guardian);
        vm.expectRevert(ICollateralVault.Vault_ZeroAddress.selector);
        new CollateralVault(usdc, IInsuranceFund(address(0)), admin, guardian);
        vm.expectRevert(ICollateralVault.Vault_ZeroAddress.selector);
        new CollateralVault(usdc, fund, address(0), guardian);
        vm.expectRevert(ICollateralVault.Vault_ZeroAddress.selector);
        new CollateralVault(usdc, fund, admin, address(0));
    }

    function test_constructor_RevertIf_InsuranceFundTokenMismatch() public {
        MockERC20Decimals other = new MockERC20Decimals(6);
        InsuranceFund otherFund = new InsuranceFund(other, admin);
        vm.expectRevert(
            abi.encodeWithSelector(
                ICollateralVault.Vault_InsuranceFundTokenMismatch.selector,
                address(usdc),
                address(other)
            )
        );
        new CollateralVault(usdc, otherFund, admin, guardian);
    }

    // ================================================================== deposit

    function test_deposit_CreditsAccountExactly() public {
        uint256 amount = 1_234_567_891; // 1,234.567891 USDC
        vm.expectEmit(address(vault));
        emit ICollateralVault.Deposited(_account(alice, 3), alice, amount, amount * SCALE);
        _deposit(alice, 3, amount);

        assertEq(vault.collateralX18(_account(alice, 3)), int256(amount * SCALE), "account");
        assertEq(vault.collateralX18(_account(alice, 0)), 0, "other subaccount untouched");
        assertEq(vault.totalCollateralX18(), int256(amount * SCALE), "total");
        assertEq(usdc.balanceOf(address(vault)), amount, "vault balance");
        assertEq(usdc.balanceOf(alice), 1_000_000 * USDC - amount, "alice balance");
        _assertIdentityExact();
    }

    function test_deposit_AccumulatesAcrossAccounts() public {
        _deposit(alice, 0, 100 * USDC);
        _deposit(alice, 0, 50 * USDC);
        _deposit(bob, 7, 1);
        assertEq(vault.collateralX18(_account(alice, 0)), int256(150 * USDC * SCALE), "alice");
        assertEq(vault.collateralX18(_account(bob, 7)), int256(SCALE), "bob one unit");
        assertEq(vault.totalCollateralX18(), int256((150 * USDC + 1) * SCALE), "total");
        _assertIdentityExact();
    }

    function test_deposit_RevertIf_ZeroAmount() public {
        vm.prank(alice);
        vm.expectRevert(ICollateralVault.Vault_ZeroAmount.selector);
        vault.deposit(0, 0);
    }

    function test_deposit_RevertIf_NoAllowance() public {
        usdc.mint(stranger, 10 * USDC);
        vm.prank(stranger);
        vm.expectRevert(
            abi.encodeWithSelector(
                IERC20Errors.ERC20InsufficientAllowance.selector,
                address(vault),
                uint256(0),
                10 * USDC
            )
        );
        vault.deposit(0, 10 * USDC);
    }

    function test_deposit_RevertIf_AmountX18WouldOverflowInt256() public {
        uint256 maxAmount = vault.maxTokenAmount();
        usdc.mint(alice, maxAmount + 1 - usdc.balanceOf(alice));
        vm.prank(alice);
        vm.expectRevert(
            abi.encodeWithSelector(ICollateralVault.Vault_AmountTooLarge.selector, maxAmount + 1, maxAmount)
        );
        vault.deposit(0, maxAmount + 1);
    }

    function test_deposit_AcceptsMaxAmountThenRejectsAnyMore() public {
        uint256 maxAmount = vault.maxTokenAmount();
        usdc.mint(alice, maxAmount);
        _deposit(alice, 0, maxAmount);
        assertEq(vault.collateralX18(_account(alice, 0)), int256(maxAmount * SCALE), "max credited");
        _assertIdentityExact();

        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(ICollateralVault.Vault_AmountTooLarge.selector, 1, 0));
        vault.deposit(0, 1);
    }

    function test_deposit_RevertIf_FeeOnTransfer() public {
        MockFeeOnTransferToken feeToken = new MockFeeOnTransferToken();
        CollateralVault feeVault = new CollateralVault(
            feeToken,
            new InsuranceFund(feeToken, admin),
            admin,
            guardian
        );
        feeToken.mint(alice, 1_000 * USDC);
        vm.startPrank(alice);
        feeToken.approve(address(feeVault), type(uint256).max);
        vm.expectRevert(
            abi.encodeWithSelector(ICollateralVault.Vault_FeeOnTransfer.selector, 1_000 * USDC, 990 * USDC)
        );
        feeVault.deposit(0, 1_000 * USDC);
        vm.stopPrank();
        assertEq(feeVault.totalCollateralX18(), 0, "nothing credited");
        assertEq(feeToken.balanceOf(alice), 1_000 * USDC, "tokens stay with alice");
    }

    function test_deposit_AcceptsFeeTokenWithZeroFee() public {
        MockFeeOnTransferToken feeToken = new MockFeeOnTransferToken();
        feeToken.setFeeBps(0);
        CollateralVault feeVault = new CollateralVault(
            feeToken,
            new InsuranceFund(feeToken, admin),
            admin,
            guardian
        );
        feeToken.mint(alice, 5 * USDC);
        vm.startPrank(alice);
        feeToken.approve(address(feeVault), type(uint256).max);
        feeVault.deposit(0, 5 * USDC);
        vm.stopPrank();
        assertEq(feeVault.collateralX18(_account(alice, 0)), int256(5 * USDC * SCALE), "credited");
    }

    function test_deposit_RevertIf_TokenReentersVault() public {
        MockReentrantToken token = new MockReentrantToken();
        CollateralVault reentrantVault = new CollateralVault(
            token,
            new InsuranceFund(token, admin),
            admin,
            guardian
        );
        token.mint(alice, 100 * USDC);
        vm.prank(alice);
        token.approve(address(reentrantVault), type(uint256).max);
        // During transferFrom the token calls deposit again (as itself).
        token.setCallback(address(reentrantVault), abi.encodeCall(ICollateralVault.deposit, (0, 1)));
        vm.prank(alice);
        vm.expectRevert(ReentrancyGuardTransient.ReentrancyGuardReentrantCall.selector);
        reentrantVault.deposit(0, 10 * USDC);
        assertEq(reentrantVault.totalCollateralX18(), 0, "nothing credited");
        assertEq(token.balanceOf(address(reentrantVault)), 0, "nothing moved");
    }

    // ================================================================== depositFor

    function test_depositFor_CreditsAnyAccount() public {
        AccountId target = _account(stranger, 42);
        vm.expectEmit(address(vault));
        emit ICollateralVault.Deposited(target, alice, 25 * USDC, 25 * USDC * SCALE);
        vm.prank(alice);
        vault.depositFor(target, 25 * USDC);
        assertEq(vault.collateralX18(target), int256(25 * USDC * SCALE), "credited to target");
        assertEq(vault.collateralX18(_account(alice, 42)), 0, "not to the payer");
        assertEq(usdc.balanceOf(alice), 1_000_000 * USDC - 25 * USDC, "paid by alice");
        _assertIdentityExact();
    }

    function test_depositFor_RevertIf_ZeroOwner() public {
        vm.prank(alice);
        vm.expectRevert(ICollateralVault.Vault_ZeroAddress.selector);
        vault.depositFor(_account(address(0), 1), 1 * USDC);
    }

    function test_depositFor_RevertIf_ZeroAmount() public {
        vm.prank(alice);
        vm.expectRevert(ICollateralVault.Vault_ZeroAmount.selector);
        vault.depositFor(_account(bob, 0), 0);
    }

    // ================================================================== depositWithPermit

    function test_depositWithPermit_DepositsWithoutPriorApproval() public {
        (address carol, uint256 carolKey) = makeAddrAndKey("carol");
        usdc.mint(carol, 500 * USDC);
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = _signPermit(carolKey, 500 * USDC, deadline);

        vm.expectEmit(address(vault));
        emit ICollateralVault.Deposited(_account(carol, 2), carol, 500 * USDC, 500 * USDC * SCALE);
        vm.prank(carol);
        vault.depositWithPermit(2, 500 * USDC, deadline, v, r, s);

        assertEq(vault.collateralX18(_account(carol, 2)), int256(500 * USDC * SCALE), "credited");
        assertEq(usdc.nonces(carol), 1, "permit used");
        assertEq(usdc.allowance(carol, address(vault)), 0, "allowance consumed");
        _assertIdentityExact();
    }

    function test_depositWithPermit_SucceedsWhenPermitFrontRun() public {
        (address carol, uint256 carolKey) = makeAddrAndKey("carol");
        usdc.mint(carol, 500 * USDC);
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = _signPermit(carolKey, 500 * USDC, deadline);

        // An attacker submits the permit from the mempool first; the nonce is now spent.
        vm.prank(stranger);
        usdc.permit(carol, address(vault), 500 * USDC, deadline, v, r, s);

        vm.prank(carol);
        vault.depositWithPermit(2, 500 * USDC, deadline, v, r, s);
        assertEq(vault.collateralX18(_account(carol, 2)), int256(500 * USDC * SCALE), "still deposited");
        _assertIdentityExact();
    }

    function test_depositWithPermit_RevertIf_PermitFailedAndNoAllowance() public {
        (address carol, uint256 carolKey) = makeAddrAndKey("carol");
        usdc.mint(carol, 500 * USDC);
        uint256 deadline = block.timestamp + 1 hours;
        // Signed for a smaller value: the permit check fails and there is no allowance.
        (uint8 v, bytes32 r, bytes32 s) = _signPermit(carolKey, 100 * USDC, deadline);
        vm.prank(carol);
        vm.expectRevert(
            abi.encodeWithSelector(
                ICollateralVault.Vault_PermitFailed.selector,
                carol,
                uint256(0),
                500 * USDC
            )
        );
        vault.depositWithPermit(0, 500 * USDC, deadline, v, r, s);
    }

    function test_depositWithPermit_RevertIf_PermitExpiredAndNoAllowance() public {
        (address carol, uint256 carolKey) = makeAddrAndKey("carol");
        usdc.mint(carol, 500 * USDC);
        uint256 deadline = block.timestamp - 1;
        (uint8 v, bytes32 r, bytes32 s) = _signPermit(carolKey, 500 * USDC, deadline);
        vm.prank(carol);
        vm.expectRevert(
            abi.encodeWithSelector(
                ICollateralVault.Vault_PermitFailed.selector,
                carol,
                uint256(0),
                500 * USDC
            )
        );
        vault.depositWithPermit(0, 500 * USDC, deadline, v, r, s);
    }

    function test_depositWithPermit_UsesExistingAllowanceWhenPermitInvalid() public {
        // alice approved the vault in setUp; a garbage permit does not stop her deposit.
        vm.prank(alice);
        vault.depositWithPermit(0, 10 * USDC, block.timestamp, 27, bytes32(0), bytes32(0));
        assertEq(vault.collateralX18(_account(alice, 0)), int256(10 * USDC * SCALE), "credited");
    }

    function test_depositWithPermit_RevertIf_ZeroAmount() public {
        vm.prank(alice);
        vm.expectRevert(ICollateralVault.Vault_ZeroAmount.selector);
        vault.depositWithPermit(0, 0, block.timestamp, 27, bytes32(0), bytes32(0));
    }

    function test_depositWithPermit_RevertIf_PermitFrontRunByOtherSpenderAmount() public {
        // Permit signed by carol for the vault, but the front-runner cannot redirect it: the deposit
        // debits only msg.sender's tokens, so a stranger calling depositWithPermit with carol's
        // signature gets nothing and the call reverts on the stranger's own missing allowance.
        (address carol, uint256 carolKey) = makeAddrAndKey("carol");
        usdc.mint(carol, 500 * USDC);
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = _signPermit(carolKey, 500 * USDC, deadline);
        vm.prank(stranger);
        vm.expectRevert(
            abi.encodeWithSelector(
                ICollateralVault.Vault_PermitFailed.selector,
                stranger,
                uint256(0),
                500 * USDC
            )
        );
        vault.depositWithPermit(0, 500 * USDC, deadline, v, r, s);
        assertEq(usdc.balanceOf(carol), 500 * USDC, "carol untouched");
    }

    // ================================================================== access-control sanity

    function test_grantRole_RevertIf_NotAdmin() public {
        bytes32 guardianRole = vault.GUARDIAN_ROLE();
        bytes32 adminRole = vault.DEFAULT_ADMIN_ROLE();
        vm.prank(stranger);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector,
                stranger,
                adminRole
            )
        );
        vault.grantRole(guardianRole, stranger);
    }

    function test_grantRole_RevokeRole_RenounceRole_ByAdmin() public {
        bytes32 guardianRole = vault.GUARDIAN_ROLE();
        vm.prank(admin);
        vault.grantRole(guardianRole, stranger);
        assertTrue(vault.hasRole(guardianRole, stranger), "granted");
        vm.prank(admin);
        vault.revokeRole(guardianRole, stranger);
        assertFalse(vault.hasRole(guardianRole, stranger), "revoked");
        vm.prank(guardian);
        vault.renounceRole(guardianRole, guardian);
        assertFalse(vault.hasRole(guardianRole, guardian), "renounced");
    }

    function test_grantRole_RevertIf_Reentered() public {
        MockReentrantToken token = new MockReentrantToken();
        CollateralVault reentrantVault = new CollateralVault(
            token,
            new InsuranceFund(token, admin),
            admin,
            guardian
        );
        token.mint(admin, 100 * USDC);
        vm.prank(admin);
        token.approve(address(reentrantVault), type(uint256).max);
        bytes32 guardianRole = reentrantVault.GUARDIAN_ROLE();
        token.setCallback(
            address(reentrantVault),
            abi.encodeCall(reentrantVault.grantRole, (guardianRole, address(token)))
        );
        vm.prank(admin);
        vm.expectRevert(ReentrancyGuardTransient.ReentrancyGuardReentrantCall.selector);
        reentrantVault.deposit(0, 1 * USDC);
    }

    function test_accountingIdentity_RevertIf_ReadDuringDeposit() public {
        // Read-only reentrancy: mid-deposit the token balance already moved but the ledger has not.
        MockReentrantToken token = new MockReentrantToken();
        CollateralVault reentrantVault = new CollateralVault(
            token,
            new InsuranceFund(token, admin),
            admin,
            guardian
        );
        token.mint(alice, 100 * USDC);
        vm.prank(alice);
        token.approve(address(reentrantVault), type(uint256).max);
        token.setCallback(address(reentrantVault), abi.encodeCall(ICollateralVault.accountingIdentity, ()));
        vm.prank(alice);
        vm.expectRevert(ReentrancyGuardTransient.ReentrancyGuardReentrantCall.selector);
        reentrantVault.deposit(0, 10 * USDC);

        token.setCallback(address(reentrantVault), abi.encodeCall(ICollateralVault.sweepableSurplus, ()));
        vm.prank(alice);
        vm.expectRevert(ReentrancyGuardTransient.ReentrancyGuardReentrantCall.selector);
        reentrantVault.deposit(0, 10 * USDC);
    }

    function test_deposit_DoesNotChangeFundLedger() public {
        _deposit(alice, 0, 10 * USDC);
        assertEq(fund.ledgerBalance(), 0, "fund ledger untouched");
        assertEq(IERC20(address(usdc)).balanceOf(address(fund)), 0, "fund balance untouched");
    }
}
