// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";

/// @notice Test-only smart wallet: accepts ECDSA signatures of `owner` under ERC-1271 unless switched
/// to reject; `owner` can make it call anything (approve, deposit, ...).
contract MockERC1271Wallet is IERC1271 {
    address public immutable owner;
    bool public rejectAll;

    constructor(address walletOwner) {
        owner = walletOwner;
    }

    function setRejectAll(bool reject) external {
        require(msg.sender == owner, "not owner");
        rejectAll = reject;
    }

    function execute(address target, bytes calldata data) external returns (bytes memory) {
        require(msg.sender == owner, "not owner");
        return Address.functionCall(target, data);
    }

    function isValidSignature(bytes32 hash, bytes calldata signature) external view returns (bytes4) {
        if (rejectAll) return 0xffffffff;
        (address signer, ECDSA.RecoverError err, ) = ECDSA.tryRecover(hash, signature);
        if (err != ECDSA.RecoverError.NoError || signer != owner) return 0xffffffff;
        return IERC1271.isValidSignature.selector;
    }
}
