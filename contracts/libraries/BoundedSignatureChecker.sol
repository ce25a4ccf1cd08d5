// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {Constants} from "./Constants.sol";

/// @title BoundedSignatureChecker
/// @notice ECDSA for externally owned accounts, ERC-1271 for contract signers, like OpenZeppelin's
/// `SignatureChecker` — but the ERC-1271 call gets a fixed gas budget instead of all remaining gas.
/// @dev Why: in a batch (the clearinghouse's `settleMatches`) a contract wallet whose
/// `isValidSignature` burns all the gas it is given would leave 1/64 of the batch's gas to the
/// matches behind it, reverting the whole batch; one bad order must only skip its own match. The
/// budget (`ERC1271_VALIDATION_GAS`) is ample for Safe, Coinbase Smart Wallet and passkey wallets.
/// Warning: a caller with less than the budget left cannot tell a bad signature from a starved
/// one, so `isValidSignatureNow` reverts with `Signature_InsufficientGas` in that case: the batch
/// fails loudly and the submitter retries with more gas, instead of a valid order being skipped.
library BoundedSignatureChecker {
    /// @notice Less gas is left than a bounded ERC-1271 validation needs.
    error Signature_InsufficientGas(uint256 gasLeft, uint256 gasNeeded);

    /// @notice Whether `signature` is `signer`'s valid signature of `digest` (ECDSA when `signer` has no
    /// code, otherwise ERC-1271 with at most `Constants.ERC1271_VALIDATION_GAS` gas, read-only).
    function isValidSignatureNow(
        address signer,
        bytes32 digest,
        bytes calldata signature
    ) internal view returns (bool) {
        if (signer.code.length == 0) {
            (address recovered, ECDSA.RecoverError error, ) = ECDSA.tryRecoverCalldata(digest, signature);
            return error == ECDSA.RecoverError.NoError && recovered == signer;
        }
        return isValidERC1271SignatureNow(signer, digest, signature);
    }

    /// @notice The ERC-1271 check alone, with the bounded gas budget (a staticcall: the wallet cannot
    /// change state or re-enter with effect).
    function isValidERC1271SignatureNow(
        address signer,
        bytes32 digest,
        bytes calldata signature
    ) internal view returns (bool) {
        uint256 budget = Constants.ERC1271_VALIDATION_GAS;
        // EIP-150 forwards at most 63/64 of what is left; require enough that the wallet gets its full
        // budget, plus a margin for this frame's own work after the call.
        uint256 needed = budget + budget / 63 + Constants.ERC1271_CALL_OVERHEAD_GAS;
        if (gasleft() < needed) revert Signature_InsufficientGas(gasleft(), needed);
        bytes memory call = abi.encodeCall(IERC1271.isValidSignature, (digest, signature));
        // solhint-disable-next-line avoid-low-level-calls
        (bool success, bytes memory result) = signer.staticcall{gas: budget}(call);
        return
            success &&
            result.length >= 32 &&
            abi.decode(result, (bytes32)) == bytes32(IERC1271.isValidSignature.selector);
    }
}
