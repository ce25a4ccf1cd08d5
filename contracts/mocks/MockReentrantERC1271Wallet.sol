// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";

/// @notice Test-only malicious smart wallet: `isValidSignature` (deliberately not `view`) writes its
/// own storage and, if armed, calls `callbackTarget` with `callbackData` before approving any hash.
/// Verifiers that use a staticcall (as `SignatureChecker` does) see the call fail.
contract MockReentrantERC1271Wallet {
    address public immutable owner;
    address public callbackTarget;
    bytes public callbackData;
    uint256 public validationCount;

    constructor(address walletOwner) {
        owner = walletOwner;
    }

    function setCallback(address target, bytes calldata data) external {
        callbackTarget = target;
        callbackData = data;
    }

    function execute(address target, bytes calldata data) external returns (bytes memory) {
        require(msg.sender == owner, "not owner");
        return Address.functionCall(target, data);
    }

    function isValidSignature(bytes32, bytes calldata) external returns (bytes4) {
        validationCount += 1;
        if (callbackData.length != 0) Address.functionCall(callbackTarget, callbackData);
        return IERC1271.isValidSignature.selector;
    }
}
