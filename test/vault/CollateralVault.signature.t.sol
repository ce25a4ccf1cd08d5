// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {VaultTestBase} from "./VaultTestBase.sol";
import {CollateralVault} from "../../contracts/core/CollateralVault.sol";
import {ICollateralVault} from "../../contracts/interfaces/ICollateralVault.sol";
import {MockERC1271Wallet} from "../../contracts/mocks/MockERC1271Wallet.sol";
import {MockReentrantERC1271Wallet} from "../../contracts/mocks/MockReentrantERC1271Wallet.sol";

/// @notice Gasless signed withdrawals (EIP-712, ECDSA and ERC-1271), nonces and cancellation.
contract CollateralVaultSignatureTest is VaultTestBase {
    /// @dev secp256k1 group order, to build the malleable (high-s) twin of a signature.
    uint256 private constant SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141;

    function setUp() public override {
        super.setUp();
        _deposit(alice, 0, 1_000 * USDC);
    }

    // ================================================================== EIP-712 encoding

    function test_domainSeparator_MatchesEip712() public view {
        bytes32 expected = keccak256(
            abi.encode(
                keccak256(
                    "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
                ),
                keccak256("Sundial CollateralVault"),
                keccak256("1"),
                block.chainid,
                address(vault)
            )
        );
        assertEq(vault.domainSeparator(), expected, "domain separator");
        (, string memory name, string memory version, uint256 chainId, address verifying, , ) = vault
            .eip712Domain();
        assertEq(name, "Sundial CollateralVault", "name");
        assertEq(version, "1", "version");
        assertEq(chainId, block.chainid, "chain id");
        assertEq(verifying, address(vault), "verifying contract");
    }

    function test_hashWithdrawal_MatchesEip712() public view {
        ICollateralVault.Withdrawal memory request = _withdrawal(alice, 3, 10 * USDC, bob, 77);
        bytes32 typeHash = keccak256(
            "Withdrawal(address owner,uint96 subaccount,uint256 amount,address to,uint256 nonce,uint256 deadline)"
        );
        assertEq(vault.WITHDRAWAL_TYPEHASH(), typeHash, "type hash");
        bytes32 structHash = keccak256(
            abi.encode(typeHash, alice, uint96(3), 10 * USDC, bob, uint256(77), request.deadline)
        );
        bytes32 expected = keccak256(abi.encodePacked("\x19\x01", vault.domainSeparator(), structHash));
        assertEq(vault.hashWithdrawal(request), expected, "digest");
    }

    // ================================================================== ECDSA

    function test_withdrawWithSignature_RelayedByAnyone() public {
        ICollateralVault.Withdrawal memory request = _withdrawal(alice, 0, 250 * USDC, stranger, 5);
        bytes memory signature = _signWithdrawal(aliceKey, request);

        vm.expectEmit(address(vault));
        emit ICollateralVault.NonceUsed(alice, 5);
        vm.expectEmit(address(vault));
        emit ICollateralVault.Withdrawn(
            _account(alice, 0),
            relayer,
            stranger,
            250 * USDC,
            250 * USDC * SCALE
        );
        vm.prank(relayer);
        vault.withdrawWithSignature(request, signature);

        assertEq(usdc.balanceOf(stranger), 250 * USDC, "recipient paid");
        assertEq(usdc.balanceOf(relayer), 0, "relayer paid nothing, got nothing");
        assertEq(vault.collateralX18(_account(alice, 0)), int256(750e18), "debited");
        assertTrue(vault.isNonceUsed(alice, 5), "nonce used");
        assertFalse(vault.isNonceUsed(alice, 4), "neighbour free");
        _assertIdentityExact();
    }

    function test_withdrawWithSignature_ValidAtDeadline() public {
        ICollateralVault.Withdrawal memory request = _withdrawal(alice, 0, 1, alice, 0);
        request.deadline = block.timestamp;
        bytes memory signature = _signWithdrawal(aliceKey, request);
        vault.withdrawWithSignature(request, signature);
        assertTrue(vault.isNonceUsed(alice, 0), "executed at the deadline");
    }

    function test_withdrawWithSignature_RevertIf_Expired() public {
        ICollateralVault.Withdrawal memory request = _withdrawal(alice, 0, 1, alice, 0);
        bytes memory signature = _signWithdrawal(aliceKey, request);
        vm.warp(request.deadline + 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                ICollateralVault.Vault_SignatureExpired.selector,
                request.deadline,
                request.deadline + 1
            )
        );
        vault.withdrawWithSignature(request, signature);
    }

    function test_withdrawWithSignature_RevertIf_Replayed() public {
        ICollateralVault.Withdrawal memory request = _withdrawal(alice, 0, 100 * USDC, bob, 9);
        bytes memory signature = _signWithdrawal(aliceKey, request);
        vault.withdrawWithSignature(request, signature);
        vm.expectRevert(abi.encodeWithSelector(ICollateralVault.Vault_NonceAlreadyUsed.selector, alice, 9));
        vault.withdrawWithSignature(request, signature);
        assertEq(usdc.balanceOf(bob), 1_000_000 * USDC + 100 * USDC, "paid once");
    }

    function test_withdrawWithSignature_RevertIf_OtherChain() public {
        ICollateralVault.Withdrawal memory request = _withdrawal(alice, 0, 100 * USDC, bob, 1);
        bytes memory signature = _signWithdrawal(aliceKey, request);
        vm.chainId(block.chainid + 1);
        bytes32 digestHere = vault.hashWithdrawal(request);
        vm.expectRevert(
            abi.encodeWithSelector(ICollateralVault.Vault_InvalidSignature.selector, alice, digestHere)
        );
        vault.withdrawWithSignature(request, signature);
    }

    function test_withdrawWithSignature_RevertIf_OtherVault() public {
        CollateralVault other = new CollateralVault(usdc, fund, admin, guardian);
        vm.startPrank(alice);
        usdc.approve(address(other), type(uint256).max);
        other.deposit(0, 1_000 * USDC);
        vm.stopPrank();

        ICollateralVault.Withdrawal memory request = _withdrawal(alice, 0, 100 * USDC, bob, 1);
        bytes memory signature = _signWithdrawal(aliceKey, request); // for `vault`
        bytes32 digestThere = other.hashWithdrawal(request);
        vm.expectRevert(
            abi.encodeWithSelector(ICollateralVault.Vault_InvalidSignature.selector, alice, digestThere)
        );
        other.withdrawWithSignature(request, signature);
    }

    function test_withdrawWithSignature_RevertIf_AnyFieldChanged() public {
        ICollateralVault.Withdrawal memory signed = _withdrawal(alice, 0, 100 * USDC, bob, 1);
        bytes memory signature = _signWithdrawal(aliceKey, signed);
        for (uint256 field = 0; field < 6; field++) {
            ICollateralVault.Withdrawal memory changed = _withdrawal(alice, 0, 100 * USDC, bob, 1);
            if (field == 0) changed.owner = bob;
            if (field == 1) changed.subaccount = 1;
            if (field == 2) changed.amount = 100 * USDC + 1;
            if (field == 3) changed.to = stranger;
            if (field == 4) changed.nonce = 2;
            if (field == 5) changed.deadline = signed.deadline + 1;
            bytes32 digest = vault.hashWithdrawal(changed);
            vm.expectRevert(
                abi.encodeWithSelector(
                    ICollateralVault.Vault_InvalidSignature.selector,
                    changed.owner,
                    digest
                )
            );
            vault.withdrawWithSignature(changed, signature);
        }
        vault.withdrawWithSignature(signed, signature); // the original still works
        assertTrue(vault.isNonceUsed(alice, 1), "original executed");
    }

    function test_withdrawWithSignature_RevertIf_SignedByAnotherKey() public {
        ICollateralVault.Withdrawal memory request = _withdrawal(alice, 0, 100 * USDC, bob, 1);
        bytes memory signature = _signWithdrawal(bobKey, request);
        vm.expectRevert(
            abi.encodeWithSelector(
                ICollateralVault.Vault_InvalidSignature.selector,
                alice,
                vault.hashWithdrawal(request)
            )
        );
        vault.withdrawWithSignature(request, signature);
    }

    function test_withdrawWithSignature_RevertIf_SignedByOperator() public {
        (address sessionKey, uint256 sessionKeyPk) = makeAddrAndKey("sessionKey");
        vm.prank(alice);
        vault.setOperator(sessionKey, true);
        ICollateralVault.Withdrawal memory request = _withdrawal(alice, 0, 100 * USDC, sessionKey, 1);
        bytes memory signature = _signWithdrawal(sessionKeyPk, request);
        vm.expectRevert(
            abi.encodeWithSelector(
                ICollateralVault.Vault_InvalidSignature.selector,
                alice,
                vault.hashWithdrawal(request)
            )
        );
        vault.withdrawWithSignature(request, signature);
    }

    function test_withdrawWithSignature_RevertIf_MalleableHighS() public {
        ICollateralVault.Withdrawal memory request = _withdrawal(alice, 0, 100 * USDC, bob, 1);
        bytes32 digest = vault.hashWithdrawal(request);
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(aliceKey, digest);
        bytes memory twin = abi.encodePacked(
            r,
            bytes32(SECP256K1_N - uint256(s)),
            v == 27 ? uint8(28) : uint8(27)
        );
        vm.expectRevert(
            abi.encodeWithSelector(ICollateralVault.Vault_InvalidSignature.selector, alice, digest)
        );
        vault.withdrawWithSignature(request, twin);
    }

    function test_withdrawWithSignature_RevertIf_GarbageSignatureForZeroOwner() public {
        ICollateralVault.Withdrawal memory request = _withdrawal(address(0), 0, 1, bob, 1);
        bytes32 digest = vault.hashWithdrawal(request);
        vm.expectRevert(
            abi.encodeWithSelector(ICollateralVault.Vault_InvalidSignature.selector, address(0), digest)
        );
        vault.withdrawWithSignature(request, new bytes(65));
    }

    function test_withdrawWithSignature_RevertIf_Cancelled() public {
        ICollateralVault.Withdrawal memory request = _withdrawal(alice, 0, 100 * USDC, bob, 300);
        bytes memory signature = _signWithdrawal(aliceKey, request);
        vm.prank(alice);
        vault.cancelNonce(300);
        vm.expectRevert(abi.encodeWithSelector(ICollateralVault.Vault_NonceAlreadyUsed.selector, alice, 300));
        vault.withdrawWithSignature(request, signature);
    }

    function test_withdrawWithSignature_RevertIf_Paused_NonceKept() public {
        ICollateralVault.Withdrawal memory request = _withdrawal(alice, 0, 100 * USDC, bob, 1);
        request.deadline = block.timestamp + 10 days;
        bytes memory signature = _signWithdrawal(aliceKey, request);
        vm.prank(guardian);
        vault.pauseWithdrawals();
        uint256 pausedUntil = vault.withdrawalsPausedUntil();
        vm.expectRevert(
            abi.encodeWithSelector(ICollateralVault.Vault_WithdrawalsPaused.selector, pausedUntil)
        );
        vault.withdrawWithSignature(request, signature);
        assertFalse(vault.isNonceUsed(alice, 1), "nonce not consumed by a failed attempt");

        vm.warp(pausedUntil);
        vault.withdrawWithSignature(request, signature);
        assertTrue(vault.isNonceUsed(alice, 1), "executes once the pause expired");
    }

    function test_withdrawWithSignature_RevertIf_InsufficientCollateral_NonceKept() public {
        ICollateralVault.Withdrawal memory request = _withdrawal(alice, 0, 1_000 * USDC + 1, bob, 1);
        bytes memory signature = _signWithdrawal(aliceKey, request);
        vm.expectRevert(
            abi.encodeWithSelector(
                ICollateralVault.Vault_InsufficientCollateral.selector,
                _account(alice, 0),
                1_000e18,
                (1_000 * USDC + 1) * SCALE
            )
        );
        vault.withdrawWithSignature(request, signature);
        assertFalse(vault.isNonceUsed(alice, 1), "nonce kept");
    }

    // ================================================================== ERC-1271

    function test_withdrawWithSignature_SmartWallet() public {
        MockERC1271Wallet wallet = _walletWithDeposit(100 * USDC);
        ICollateralVault.Withdrawal memory request = _withdrawal(address(wallet), 0, 40 * USDC, stranger, 1);
        bytes memory signature = _signWithdrawal(aliceKey, request); // alice owns the wallet
        vm.prank(relayer);
        vault.withdrawWithSignature(request, signature);
        assertEq(usdc.balanceOf(stranger), 40 * USDC, "paid");
        assertEq(vault.collateralX18(_account(address(wallet), 0)), int256(60e18), "debited");
        assertTrue(vault.isNonceUsed(address(wallet), 1), "nonce used");
    }

    function test_withdrawWithSignature_RevertIf_SmartWalletRejects() public {
        MockERC1271Wallet wallet = _walletWithDeposit(100 * USDC);
        vm.prank(alice);
        wallet.setRejectAll(true);
        ICollateralVault.Withdrawal memory request = _withdrawal(address(wallet), 0, 40 * USDC, stranger, 1);
        bytes memory signature = _signWithdrawal(aliceKey, request);
        vm.expectRevert(
            abi.encodeWithSelector(
                ICollateralVault.Vault_InvalidSignature.selector,
                address(wallet),
                vault.hashWithdrawal(request)
            )
        );
        vault.withdrawWithSignature(request, signature);
    }

    function test_withdrawWithSignature_RevertIf_SmartWalletSignedByStranger() public {
        MockERC1271Wallet wallet = _walletWithDeposit(100 * USDC);
        ICollateralVault.Withdrawal memory request = _withdrawal(address(wallet), 0, 40 * USDC, stranger, 1);
        bytes memory signature = _signWithdrawal(bobKey, request);
        vm.expectRevert(
            abi.encodeWithSelector(
                ICollateralVault.Vault_InvalidSignature.selector,
                address(wallet),
                vault.hashWithdrawal(request)
            )
        );
        vault.withdrawWithSignature(request, signature);
    }

    function test_withdrawWithSignature_RevertIf_WalletChangesStateDuringValidation() public {
        MockReentrantERC1271Wallet wallet = new MockReentrantERC1271Wallet(alice);
        _depositFor(address(wallet), 100 * USDC);
        ICollateralVault.Withdrawal memory request = _withdrawal(address(wallet), 0, 40 * USDC, stranger, 1);
        bytes32 digest = vault.hashWithdrawal(request);
        // No callback: the wallet only writes its own storage, which fails under the staticcall.
        vm.expectRevert(
            abi.encodeWithSelector(ICollateralVault.Vault_InvalidSignature.selector, address(wallet), digest)
        );
        vault.withdrawWithSignature(request, hex"01");
        assertEq(wallet.validationCount(), 0, "no state written");
        assertEq(vault.collateralX18(_account(address(wallet), 0)), int256(100e18), "unchanged");
    }

    function test_withdrawWithSignature_RevertIf_WalletReentersDuringValidation() public {
        MockReentrantERC1271Wallet wallet = new MockReentrantERC1271Wallet(alice);
        _depositFor(address(wallet), 100 * USDC);
        ICollateralVault.Withdrawal memory request = _withdrawal(address(wallet), 0, 40 * USDC, stranger, 1);
        // The wallet tries to withdraw its whole balance to itself from inside the validation.
        wallet.setCallback(
            address(vault),
            abi.encodeCall(ICollateralVault.withdraw, (0, 100 * USDC, address(wallet)))
        );
        bytes32 digest = vault.hashWithdrawal(request);
        vm.expectRevert(
            abi.encodeWithSelector(ICollateralVault.Vault_InvalidSignature.selector, address(wallet), digest)
        );
        vault.withdrawWithSignature(request, hex"01");
        assertEq(vault.collateralX18(_account(address(wallet), 0)), int256(100e18), "unchanged");
        assertEq(usdc.balanceOf(address(wallet)), 0, "nothing taken");
        assertFalse(vault.isNonceUsed(address(wallet), 1), "nonce kept");
    }

    // ================================================================== nonces

    function test_cancelNonce_MarksUsed() public {
        vm.expectEmit(address(vault));
        emit ICollateralVault.NonceUsed(alice, 513);
        vm.prank(alice);
        vault.cancelNonce(513);
        assertTrue(vault.isNonceUsed(alice, 513), "used");
        assertFalse(vault.isNonceUsed(bob, 513), "per owner");
        assertEq(vault.nonceBitmap(alice, 2), 1 << 1, "word 2, bit 1");
    }

    function test_cancelNonce_WordBoundaries() public {
        uint256[4] memory nonces = [uint256(255), 256, type(uint256).max, 0];
        vm.startPrank(alice);
        for (uint256 i = 0; i < nonces.length; i++) vault.cancelNonce(nonces[i]);
        vm.stopPrank();
        assertEq(vault.nonceBitmap(alice, 0), (1 << 255) | 1, "word 0: nonces 0 and 255");
        assertEq(vault.nonceBitmap(alice, 1), 1, "word 1: nonce 256");
        assertEq(vault.nonceBitmap(alice, type(uint256).max >> 8), 1 << 255, "last word, last bit");
        assertFalse(vault.isNonceUsed(alice, 1), "nonce 1 free");
    }

    function test_cancelNonce_RevertIf_AlreadyUsed() public {
        vm.startPrank(alice);
        vault.cancelNonce(7);
        vm.expectRevert(abi.encodeWithSelector(ICollateralVault.Vault_NonceAlreadyUsed.selector, alice, 7));
        vault.cancelNonce(7);
        vm.stopPrank();
    }

    // ================================================================== helpers

    function _walletWithDeposit(uint256 amount) private returns (MockERC1271Wallet wallet) {
        wallet = new MockERC1271Wallet(alice);
        usdc.mint(address(wallet), amount);
        vm.startPrank(alice);
        wallet.execute(address(usdc), abi.encodeCall(usdc.approve, (address(vault), amount)));
        wallet.execute(address(vault), abi.encodeCall(ICollateralVault.deposit, (0, amount)));
        vm.stopPrank();
    }

    function _depositFor(address owner, uint256 amount) private {
        vm.prank(bob);
        vault.depositFor(_account(owner, 0), amount);
    }
}
