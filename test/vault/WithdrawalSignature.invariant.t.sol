// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccountId, AccountIdLib} from "../../contracts/types/Account.sol";
import {CollateralVault} from "../../contracts/core/CollateralVault.sol";
import {ICollateralVault} from "../../contracts/interfaces/ICollateralVault.sol";
import {InsuranceFund} from "../../contracts/core/InsuranceFund.sol";
import {MockUSDC} from "../../contracts/mocks/MockUSDC.sol";
import {Test} from "../utils/Test.sol";

// The handler lives in this file (not in a separate .sol) so that running this test file alone
// still gives the fuzzer the handler's artifact: Hardhat emits artifacts only for the files it
// was asked to compile as roots.

/// @notice INV-9 handler for signed withdrawals. Every action signs a fresh, valid withdrawal and
/// then tries to abuse it: replay, another chain id, another vault deployment (same signer, funded
/// there too), an expired deadline, one changed field, another signer, a cancelled nonce. Ghost
/// counters record any abuse that executed (must stay zero), any abuse rejected for an unexpected
/// reason, and the valid withdrawals attempted and executed (must be equal).
contract SignatureHandler is Test {
    uint256 internal constant SIGNERS = 3;
    uint256 internal constant INITIAL_DEPOSIT = 1_000_000_000e6;
    uint256 internal constant MAX_WITHDRAWAL = 1_000e6;

    CollateralVault public immutable vault;
    CollateralVault public immutable otherVault;
    MockUSDC public immutable usdc;
    uint256 public immutable homeChainId;

    uint256[SIGNERS] internal keys;
    address[SIGNERS] public signers;
    address public immutable outsider;
    uint256 internal immutable outsiderKey;

    struct Executed {
        ICollateralVault.Withdrawal request;
        bytes signature;
    }

    Executed[] internal executed;
    uint256 internal nonceCounter;

    // ------------------------------------------------------------------ ghost state
    uint256 public ghostValidAttempts;
    uint256 public ghostValidExecuted;
    uint256 public ghostAbuseAttempts;
    uint256 public ghostAbuseExecuted;
    uint256 public ghostUnexpectedReasons;
    mapping(address signer => uint256 amount) public ghostWithdrawn;
    mapping(bytes32 abuse => uint256 count) public abuseAttempts;

    constructor(CollateralVault vaultUnderTest, CollateralVault secondDeployment, MockUSDC token) {
        vault = vaultUnderTest;
        otherVault = secondDeployment;
        usdc = token;
        homeChainId = block.chainid;
        for (uint256 i = 0; i < SIGNERS; i++) {
            keys[i] = uint256(keccak256(abi.encode("signature-handler-signer", i)));
            signers[i] = vm.addr(keys[i]);
            _fundBoth(signers[i]);
        }
        outsiderKey = uint256(keccak256("signature-handler-outsider"));
        outsider = vm.addr(outsiderKey);
    }

    // ================================================================== valid

    function executeValid(uint256 signerSeed, uint256 amount, uint96 toSeed) external {
        (ICollateralVault.Withdrawal memory request, bytes memory signature) = _fresh(
            signerSeed,
            amount,
            toSeed
        );
        _executeValid(request, signature);
    }

    // ================================================================== abuse

    function replay(uint256 indexSeed) external {
        if (executed.length == 0) return;
        Executed memory done = executed[indexSeed % executed.length];
        // Past its deadline the replay is rejected as expired before the nonce is even looked at.
        bytes4 expectedError =
            block.timestamp > done.request.deadline
                ? ICollateralVault.Vault_SignatureExpired.selector
                : ICollateralVault.Vault_NonceAlreadyUsed.selector;
        _expectRejected("replay", vault, done.request, done.signature, expectedError);
    }

    function otherChain(uint256 signerSeed, uint256 amount, uint256 chainSeed) external {
        (ICollateralVault.Withdrawal memory request, bytes memory signature) = _fresh(signerSeed, amount, 0);
        vm.chainId(homeChainId + bound(chainSeed, 1, 1_000_000));
        _expectRejected(
            "otherChain",
            vault,
            request,
            signature,
            ICollateralVault.Vault_InvalidSignature.selector
        );
        vm.chainId(homeChainId);
        _executeValid(request, signature); // still valid at home
    }

    function otherContract(uint256 signerSeed, uint256 amount) external {
        (ICollateralVault.Withdrawal memory request, bytes memory signature) = _fresh(signerSeed, amount, 0);
        _expectRejected(
            "otherContract",
            otherVault,
            request,
            signature,
            ICollateralVault.Vault_InvalidSignature.selector
        );
        _executeValid(request, signature);
    }

    function expired(uint256 signerSeed, uint256 amount, uint256 age) external {
        (ICollateralVault.Withdrawal memory request, ) = _fresh(signerSeed, amount, 0);
        request.deadline = block.timestamp - bound(age, 1, 365 days);
        bytes memory signature = _sign(signerSeed, request);
        _expectRejected(
            "expired",
            vault,
            request,
            signature,
            ICollateralVault.Vault_SignatureExpired.selector
        );
    }

    function expiredAfterWait(uint256 signerSeed, uint256 amount, uint256 wait) external {
        (ICollateralVault.Withdrawal memory request, bytes memory signature) = _fresh(signerSeed, amount, 0);
        vm.warp(request.deadline + bound(wait, 1, 30 days));
        _expectRejected(
            "expired",
            vault,
            request,
            signature,
            ICollateralVault.Vault_SignatureExpired.selector
        );
    }

    function changedField(uint256 signerSeed, uint256 amount, uint256 fieldSeed, uint256 delta) external {
        (ICollateralVault.Withdrawal memory request, bytes memory signature) = _fresh(signerSeed, amount, 0);
        ICollateralVault.Withdrawal memory changed = _change(request, fieldSeed % 6, bound(delta, 1, 1e6));
        _expectRejected(
            "changedField",
            vault,
            changed,
            signature,
            ICollateralVault.Vault_InvalidSignature.selector
        );
        _executeValid(request, signature);
    }

    function wrongSigner(uint256 signerSeed, uint256 amount) external {
        (ICollateralVault.Withdrawal memory request, ) = _fresh(signerSeed, amount, 0);
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(outsiderKey, vault.hashWithdrawal(request));
        _expectRejected(
            "wrongSigner",
            vault,
            request,
            abi.encodePacked(r, s, v),
            ICollateralVault.Vault_InvalidSignature.selector
        );
    }

    function cancelled(uint256 signerSeed, uint256 amount) external {
        (ICollateralVault.Withdrawal memory request, bytes memory signature) = _fresh(signerSeed, amount, 0);
        vm.prank(request.owner);
        vault.cancelNonce(request.nonce);
        _expectRejected(
            "cancelled",
            vault,
            request,
            signature,
            ICollateralVault.Vault_NonceAlreadyUsed.selector
        );
    }

    // ================================================================== views for the invariants

    function signerCount() external pure returns (uint256) {
        return SIGNERS;
    }

    function initialDeposit() external pure returns (uint256) {
        return INITIAL_DEPOSIT;
    }

    // ================================================================== helpers

    function _fundBoth(address signer) internal {
        usdc.mint(signer, 2 * INITIAL_DEPOSIT);
        vm.startPrank(signer);
        usdc.approve(address(vault), INITIAL_DEPOSIT);
        vault.deposit(0, INITIAL_DEPOSIT);
        usdc.approve(address(otherVault), INITIAL_DEPOSIT);
        otherVault.deposit(0, INITIAL_DEPOSIT);
        vm.stopPrank();
    }

    /// @dev A valid, unused withdrawal of signer `signerSeed` (subaccount 0) and its signature.
    function _fresh(
        uint256 signerSeed,
        uint256 amount,
        uint96 toSeed
    ) internal returns (ICollateralVault.Withdrawal memory request, bytes memory signature) {
        address owner = signers[signerSeed % SIGNERS];
        request = ICollateralVault.Withdrawal({
            owner: owner,
            subaccount: 0,
            amount: bound(amount, 1, MAX_WITHDRAWAL),
            to: address(uint160(uint256(keccak256(abi.encode("recipient", toSeed % 5))))),
            nonce: uint256(keccak256(abi.encode("nonce", nonceCounter++))),
            deadline: block.timestamp + 1 hours
        });
        signature = _sign(signerSeed, request);
    }

    function _sign(
        uint256 signerSeed,
        ICollateralVault.Withdrawal memory request
    ) internal view returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(keys[signerSeed % SIGNERS], vault.hashWithdrawal(request));
        return abi.encodePacked(r, s, v);
    }

    function _change(
        ICollateralVault.Withdrawal memory request,
        uint256 field,
        uint256 delta
    ) internal view returns (ICollateralVault.Withdrawal memory changed) {
        changed = ICollateralVault.Withdrawal(
            request.owner,
            request.subaccount,
            request.amount,
            request.to,
            request.nonce,
            request.deadline
        );
        if (field == 0) changed.owner = signers[(_indexOf(request.owner) + 1) % SIGNERS];
        if (field == 1) changed.subaccount = uint96(delta);
        if (field == 2) changed.amount = request.amount + delta;
        if (field == 3) changed.to = address(uint160(request.to) ^ uint160(delta));
        if (field == 4) changed.nonce = request.nonce ^ delta;
        if (field == 5) changed.deadline = request.deadline + delta; // later, still unexpired
    }

    function _indexOf(address signer) internal view returns (uint256) {
        for (uint256 i = 0; i < SIGNERS; i++) if (signers[i] == signer) return i;
        return 0;
    }

    function _executeValid(ICollateralVault.Withdrawal memory request, bytes memory signature) internal {
        ghostValidAttempts++;
        try vault.withdrawWithSignature(request, signature) {
            ghostValidExecuted++;
            ghostWithdrawn[request.owner] += request.amount;
            executed.push(Executed(request, signature));
        } catch {}
    }

    function _expectRejected(
        bytes32 abuse,
        CollateralVault target,
        ICollateralVault.Withdrawal memory request,
        bytes memory signature,
        bytes4 expectedError
    ) internal {
        ghostAbuseAttempts++;
        abuseAttempts[abuse]++;
        try target.withdrawWithSignature(request, signature) {
            ghostAbuseExecuted++;
        } catch (bytes memory reason) {
            if (reason.length < 4 || bytes4(reason) != expectedError) ghostUnexpectedReasons++;
        }
    }
}

/// @notice INV-9 for signed withdrawals: none ever executes twice, on another chain, on another
/// vault, after its deadline, after cancellation, with a changed field or another signer's
/// signature; every valid one executes exactly once.
contract CollateralVaultSignatureInvariantTest is Test {
    MockUSDC internal usdc;
    CollateralVault internal vault;
    CollateralVault internal otherVault;
    SignatureHandler internal handler;

    function setUp() public {
        vm.warp(1_800_000_000);
        address admin = makeAddr("admin");
        address guardian = makeAddr("guardian");
        usdc = new MockUSDC();
        InsuranceFund fund = new InsuranceFund(usdc, admin);
        vault = new CollateralVault(usdc, fund, admin, guardian);
        otherVault = new CollateralVault(usdc, fund, admin, guardian);
        handler = new SignatureHandler(vault, otherVault, usdc);

        bytes4[] memory selectors = new bytes4[](9);
        selectors[0] = SignatureHandler.executeValid.selector;
        selectors[1] = SignatureHandler.replay.selector;
        selectors[2] = SignatureHandler.otherChain.selector;
        selectors[3] = SignatureHandler.otherContract.selector;
        selectors[4] = SignatureHandler.expired.selector;
        selectors[5] = SignatureHandler.expiredAfterWait.selector;
        selectors[6] = SignatureHandler.changedField.selector;
        selectors[7] = SignatureHandler.wrongSigner.selector;
        selectors[8] = SignatureHandler.cancelled.selector;
        targetContract(address(handler));
        targetSelector(FuzzSelector({addr: address(handler), selectors: selectors}));
    }

    /// INV-9: no abused signature ever executed, and each was rejected for the expected reason.
    function invariant_noAbusedSignatureExecutes() public view {
        assertEq(handler.ghostAbuseExecuted(), 0, "abused signature executed");
        assertEq(handler.ghostUnexpectedReasons(), 0, "rejected for an unexpected reason");
    }

    /// INV-9: every valid signed withdrawal executed (exactly once: replays are abuse above).
    function invariant_validSignaturesExecute() public view {
        assertEq(handler.ghostValidExecuted(), handler.ghostValidAttempts(), "valid withdrawal failed");
    }

    /// INV-9: balances moved only by the executed valid withdrawals; the second vault never moved.
    function invariant_balancesMatchExecutedWithdrawals() public view {
        uint256 initial = handler.initialDeposit() * 1e12;
        for (uint256 i = 0; i < handler.signerCount(); i++) {
            address signer = handler.signers(i);
            AccountId account = AccountIdLib.from(signer, 0);
            uint256 withdrawnX18 = handler.ghostWithdrawn(signer) * 1e12;
            assertEq(
                vault.collateralX18(account),
                int256(initial - withdrawnX18),
                "vault debited by valid only"
            );
            assertEq(otherVault.collateralX18(account), int256(initial), "other vault untouched");
        }
        assertEq(block.chainid, handler.homeChainId(), "chain id restored");
    }
}
