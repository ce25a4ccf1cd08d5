// SPDX-License-Identifier: MIT
pragma solidity ^0.8.19; // imported by ChainlinkDataStreamsSource, which Chainlink's llo-feeds pin to 0.8.19

/// @title IChainlinkFeeManagerTokens
/// @notice The public immutables of Chainlink's Data Streams `FeeManager` that a subscriber needs to
/// pay a verification fee. They are not part of the `IFeeManager` interface shipped in version
/// 1.2.0 of Chainlink's contracts package.
/// @dev Chainlink pulls a LINK fee through the reward manager (`RewardManager.onFeePaid` transfers
/// from the subscriber) and a wrapped-native fee through the fee manager itself, so the subscriber
/// approves the reward manager for LINK and the fee manager for wrapped native.
interface IChainlinkFeeManagerTokens {
    /// @notice The LINK token.
    function i_linkAddress() external view returns (address);

    /// @notice The wrapped native token (WETH on most chains).
    function i_nativeAddress() external view returns (address);

    /// @notice The reward manager that receives LINK fees.
    function i_rewardManager() external view returns (address);
}
