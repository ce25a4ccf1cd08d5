// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Test} from "../utils/Test.sol";
import {CollateralVaultHarness} from "./CollateralVaultHarness.sol";
import {InsuranceFund} from "../../contracts/core/InsuranceFund.sol";
import {ICollateralVault} from "../../contracts/interfaces/ICollateralVault.sol";
import {MockUSDC} from "../../contracts/mocks/MockUSDC.sol";
import {AccountId, AccountIdLib} from "../../contracts/types/Account.sol";

/// @notice Shared fixture for the vault tests: MockUSDC (6 decimals), the insurance fund and the vault
/// (harness) wired together, funded actors and signing helpers.
abstract contract VaultTestBase is Test {
    uint256 internal constant SCALE = 1e12; // X18 per USDC unit
    uint256 internal constant USDC = 1e6;
    bytes32 internal constant PERMIT_TYPEHASH = keccak256(
        "Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)"
    );

    MockUSDC internal usdc;
    InsuranceFund internal fund;
    CollateralVaultHarness internal vault;

    address internal admin;
    address internal guardian;
    address internal alice;
    uint256 internal aliceKey;
    address internal bob;
    uint256 internal bobKey;
    address internal operator;
    address internal relayer;
    address internal stranger;

    function setUp() public virtual {
        admin = makeAddr("admin");
        guardian = makeAddr("guardian");
        (alice, aliceKey) = makeAddrAndKey("alice");
        (bob, bobKey) = makeAddrAndKey("bob");
        operator = makeAddr("operator");
        relayer = makeAddr("relayer");
        stranger = makeAddr("stranger");
        vm.warp(1_800_000_000); // 2027-01-15, a realistic clock well past every cooldown
        usdc = new MockUSDC();
        fund = new InsuranceFund(usdc, admin);
        vault = new CollateralVaultHarness(usdc, fund, admin, guardian);
        vm.prank(admin);
        fund.setVault(address(vault));
        _fund(alice, 1_000_000 * USDC);
        _fund(bob, 1_000_000 * USDC);
    }

    // ------------------------------------------------------------------ helpers

    function _account(address owner, uint96 subaccount) internal pure returns (AccountId) {
        return AccountIdLib.from(owner, subaccount);
    }

    /// @dev Mints `amount` to `user` and approves the vault for everything.
    function _fund(address user, uint256 amount) internal {
        usdc.mint(user, amount);
        vm.prank(user);
        usdc.approve(address(vault), type(uint256).max);
    }

    function _deposit(address user, uint96 subaccount, uint256 amount) internal {
        vm.prank(user);
        vault.deposit(subaccount, amount);
    }

    function _withdrawal(
        address owner,
        uint96 subaccount,
        uint256 amount,
        address to,
        uint256 nonce
    ) internal view returns (ICollateralVault.Withdrawal memory) {
        return ICollateralVault.Withdrawal(owner, subaccount, amount, to, nonce, block.timestamp + 1 hours);
    }

    function _sign(uint256 key, bytes32 digest) internal pure returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, digest);
        return abi.encodePacked(r, s, v);
    }

    function _signWithdrawal(
        uint256 key,
        ICollateralVault.Withdrawal memory request
    ) internal view returns (bytes memory) {
        return _sign(key, vault.hashWithdrawal(request));
    }

    function _permitDigest(
        address owner,
        uint256 value,
        uint256 nonce,
        uint256 deadline
    ) internal view returns (bytes32) {
        bytes32 structHash = keccak256(
            abi.encode(PERMIT_TYPEHASH, owner, address(vault), value, nonce, deadline)
        );
        return keccak256(abi.encodePacked("\x19\x01", usdc.DOMAIN_SEPARATOR(), structHash));
    }

    function _signPermit(
        uint256 key,
        uint256 value,
        uint256 deadline
    ) internal view returns (uint8 v, bytes32 r, bytes32 s) {
        address owner = vm.addr(key);
        return vm.sign(key, _permitDigest(owner, value, usdc.nonces(owner), deadline));
    }

    /// @dev The vault's token balance equals its liabilities exactly (no stray transfers made).
    function _assertIdentityExact() internal view {
        (uint256 balanceX18, int256 liabilitiesX18, bool holds) = vault.accountingIdentity();
        assertTrue(holds, "identity holds");
        assertEq(int256(balanceX18), liabilitiesX18, "balance == liabilities");
    }
}
