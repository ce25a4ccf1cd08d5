// SPDX-License-Identifier: MIT
pragma solidity 0.8.19; // implements Chainlink's llo-feeds verifier interface, pinned to 0.8.19

import {IVerifierFeeManager} from "@chainlink/contracts/src/v0.8/llo-feeds/interfaces/IVerifierFeeManager.sol";

/// @title MockVerifierProxy
/// @notice Test stand-in for Chainlink's Data Streams `VerifierProxy` + `Verifier` pair with a single
/// DON signer. It really verifies: the payload is Chainlink's full report
/// `abi.encode(bytes32[3] reportContext, bytes reportData, bytes32[] rs, bytes32[] ss, bytes32 rawVs)`
/// and the signature must recover to the configured signer over Chainlink's digest
/// `keccak256(abi.encodePacked(keccak256(reportData), reportContext))`, with `v - 27` packed in the
/// first byte of `rawVs` (Chainlink's encoding). Like the real proxy it bills through the fee
/// manager when one is set, with the caller as subscriber, and returns `reportData`.
contract MockVerifierProxy {
    /// @notice The same error Chainlink's `Verifier` raises for a signature that does not verify.
    error BadVerification();
    /// @notice The mock supports exactly one signature (one DON signer).
    error MockVerifierProxy_SignatureCount(uint256 rsLength, uint256 ssLength);

    address public signer;
    IVerifierFeeManager public s_feeManager;

    bool private _overrideResponse;
    bytes private _responseOverride;

    constructor(address donSigner) {
        signer = donSigner;
    }

    function setSigner(address donSigner) external {
        signer = donSigner;
    }

    function setFeeManager(IVerifierFeeManager feeManager) external {
        s_feeManager = feeManager;
    }

    /// @notice Makes `verify` return `response` instead of the signed report (a faulty verifier).
    function setResponseOverride(bytes calldata response) external {
        _overrideResponse = true;
        _responseOverride = response;
    }

    function verify(
        bytes calldata payload,
        bytes calldata parameterPayload
    ) external payable returns (bytes memory verifierResponse) {
        (
            bytes32[3] memory reportContext,
            bytes memory reportData,
            bytes32[] memory rs,
            bytes32[] memory ss,
            bytes32 rawVs
        ) = abi.decode(payload, (bytes32[3], bytes, bytes32[], bytes32[], bytes32));
        if (rs.length != 1 || ss.length != 1) revert MockVerifierProxy_SignatureCount(rs.length, ss.length);

        bytes32 digest = keccak256(abi.encodePacked(keccak256(reportData), reportContext));
        address recovered = ecrecover(digest, uint8(rawVs[0]) + 27, rs[0], ss[0]);
        if (recovered == address(0) || recovered != signer) revert BadVerification();

        if (address(s_feeManager) != address(0)) {
            s_feeManager.processFee{value: msg.value}(payload, parameterPayload, msg.sender);
        }
        return _overrideResponse ? _responseOverride : reportData;
    }
}
