// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Test} from "../utils/Test.sol";
import {BoundedSignatureChecker} from "../../contracts/libraries/BoundedSignatureChecker.sol";
import {Constants} from "../../contracts/libraries/Constants.sol";
import {MockERC1271Wallet} from "../../contracts/mocks/MockERC1271Wallet.sol";

contract BoundedSignatureCheckerHarness {
    function check(address signer, bytes32 digest, bytes calldata signature) external view returns (bool) {
        return BoundedSignatureChecker.isValidSignatureNow(signer, digest, signature);
    }
}

/// @dev A wallet whose `isValidSignature` burns every unit of gas it is given.
contract GasBurnerWallet {
    function isValidSignature(bytes32, bytes calldata) external pure returns (bytes4) {
        uint256 x;
        while (true) x = uint256(keccak256(abi.encode(x)));
        return 0x1626ba7e;
    }
}

/// @dev A wallet that answers with too little return data.
contract ShortAnswerWallet {
    fallback() external {
        assembly {
            mstore(0, 0x1626ba7e)
            return(28, 4)
        }
    }
}

/// @dev A wallet that always reverts.
contract RevertingWallet {
    error Nope();

    function isValidSignature(bytes32, bytes calldata) external pure returns (bytes4) {
        revert Nope();
    }
}

contract BoundedSignatureCheckerTest is Test {
    BoundedSignatureCheckerHarness internal harness;
    address internal alice;
    uint256 internal aliceKey;
    bytes32 internal constant DIGEST = keccak256("order");

    function setUp() public {
        harness = new BoundedSignatureCheckerHarness();
        (alice, aliceKey) = makeAddrAndKey("alice");
    }

    function _sign(uint256 key, bytes32 digest) internal pure returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, digest);
        return abi.encodePacked(r, s, v);
    }

    function test_isValidSignatureNow_AcceptsTheOwnersEcdsaSignature() public view {
        assertTrue(harness.check(alice, DIGEST, _sign(aliceKey, DIGEST)), "EOA signature");
    }

    function test_isValidSignatureNow_RejectsAnotherKeyAndAnotherDigest() public {
        (, uint256 malloryKey) = makeAddrAndKey("mallory");
        assertFalse(harness.check(alice, DIGEST, _sign(malloryKey, DIGEST)), "wrong key");
        assertFalse(harness.check(alice, DIGEST, _sign(aliceKey, keccak256("other"))), "wrong digest");
        assertFalse(harness.check(alice, DIGEST, hex"1234"), "malformed");
    }

    function test_isValidSignatureNow_AcceptsAnErc1271WalletsSignature() public {
        MockERC1271Wallet wallet = new MockERC1271Wallet(alice);
        assertTrue(harness.check(address(wallet), DIGEST, _sign(aliceKey, DIGEST)), "wallet signature");
        vm.prank(alice);
        wallet.setRejectAll(true);
        assertFalse(harness.check(address(wallet), DIGEST, _sign(aliceKey, DIGEST)), "wallet rejects");
    }

    function test_isValidSignatureNow_GasBurningWalletIsRejectedWithinItsBudget() public {
        GasBurnerWallet burner = new GasBurnerWallet();
        uint256 before = gasleft();
        bool valid = harness.check{gas: 5_000_000}(address(burner), DIGEST, hex"00");
        uint256 used = before - gasleft();
        assertFalse(valid, "burner is not a valid signer");
        // The wallet could only burn its budget; the caller keeps the rest of its 5M.
        assertLe(used, Constants.ERC1271_VALIDATION_GAS + 30_000, "gas used by a burning wallet");
    }

    function test_isValidSignatureNow_RejectsShortOrRevertingAnswers() public {
        assertFalse(harness.check(address(new ShortAnswerWallet()), DIGEST, hex"00"), "short answer");
        assertFalse(harness.check(address(new RevertingWallet()), DIGEST, hex"00"), "reverting wallet");
    }

    function test_isValidSignatureNow_RevertIf_LessGasLeftThanTheBudget() public {
        MockERC1271Wallet wallet = new MockERC1271Wallet(alice);
        bytes memory signature = _sign(aliceKey, DIGEST);
        try harness.check{gas: 100_000}(address(wallet), DIGEST, signature) returns (bool) {
            fail("a starved ERC-1271 check must revert, not answer");
        } catch (bytes memory reason) {
            assertEq(
                bytes4(reason),
                BoundedSignatureChecker.Signature_InsufficientGas.selector,
                "Signature_InsufficientGas"
            );
        }
        // With enough gas the same call succeeds.
        assertTrue(harness.check{gas: 300_000}(address(wallet), DIGEST, signature), "enough gas");
    }
}
