// SPDX-License-Identifier: MIT
pragma solidity ^0.8.19; // imported by ChainlinkDataStreamsSource, which Chainlink's llo-feeds pin to 0.8.19

/// @title IChainlinkVerifierProxyFees
/// @notice The fee-manager getter of Chainlink's Data Streams `VerifierProxy`. It is a public state
/// variable of the deployed contract (`VerifierProxy.s_feeManager`) but is not part of the
/// `IVerifierProxy` interface shipped in version 1.2.0 of Chainlink's contracts package.
interface IChainlinkVerifierProxyFees {
    /// @notice The fee manager that bills verifications, or `address(0)` when verification is free.
    function s_feeManager() external view returns (address feeManager);
}
