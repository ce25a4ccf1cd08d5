// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AggregatorV3Interface} from "@chainlink/contracts/src/v0.8/shared/interfaces/AggregatorV3Interface.sol";

import {ISequencerGuard} from "./ISequencerGuard.sol";

/// @title ISequencerUptimeGuard
/// @notice `ISequencerGuard` backed by Chainlink's L2 sequencer uptime feed (SPEC section 6).
///
/// The feed answers 0 while the sequencer is up and 1 while it is down; `startedAt` is when that
/// status began. The sequencer is "ok" when the answer is 0 and more than `gracePeriod` seconds
/// have passed since `startedAt` (strictly: at exactly `startedAt + gracePeriod` it is not yet ok).
/// A round with `startedAt == 0` is invalid (Chainlink's feeds return it before their first round
/// on some chains), any other answer is invalid, and a reverting feed is unavailable: all three
/// count as not ok. `sequencerStatus` never reverts (it is read on every risk-increasing action
/// and every liquidation); `checkSequencer` reverts with the precise reason instead.
///
/// Keepers: none. Chainlink writes the uptime feed (from L1, so it updates even while the L2
/// sequencer is down).
///
/// Roles (OpenZeppelin `AccessControl`):
/// - `DEFAULT_ADMIN_ROLE` (held by the `TimelockController`): grants and revokes roles; sets the
///   grace period within [`SEQUENCER_GRACE_PERIOD_MIN`, `SEQUENCER_GRACE_PERIOD_MAX`]. The feed
///   itself is immutable.
interface ISequencerUptimeGuard is ISequencerGuard {
    /// @notice The grace period changed.
    event GracePeriodSet(uint256 previousGracePeriod, uint256 newGracePeriod);

    /// @notice The admin given to the constructor is the zero address.
    error Sequencer_ZeroAddress();
    /// @notice The uptime feed given to the constructor has no code.
    error Sequencer_FeedNotContract(address feed);
    /// @notice The grace period is outside [`SEQUENCER_GRACE_PERIOD_MIN`, `SEQUENCER_GRACE_PERIOD_MAX`].
    error Sequencer_GracePeriodOutOfRange(
        uint256 gracePeriod,
        uint256 minGracePeriod,
        uint256 maxGracePeriod
    );
    /// @notice The uptime feed reverted; `reason` is its revert data.
    error Sequencer_FeedUnavailable(bytes reason);
    /// @notice The feed's latest round has `startedAt == 0` (an invalid round).
    error Sequencer_InvalidRound(uint80 roundId);
    /// @notice The sequencer has been down since `downSince`.
    error Sequencer_Down(uint256 downSince);
    /// @notice The feed answered something other than 0 (up) or 1 (down).
    error Sequencer_InvalidAnswer(int256 answer);
    /// @notice The sequencer is up since `upSince`, but the grace period lasts until `graceEndsAt`
    /// (inclusive).
    error Sequencer_GracePeriodNotOver(uint256 upSince, uint256 graceEndsAt);

    /// @notice Reverts unless the sequencer is up and past the grace period (the same condition as
    /// `sequencerStatus().ok`), with the reason as a custom error.
    /// @return upSince When the sequencer came up.
    function checkSequencer() external view returns (uint256 upSince);

    /// @notice Sets the grace period. Only `DEFAULT_ADMIN_ROLE`.
    function setGracePeriod(uint256 newGracePeriod) external;

    /// @notice Chainlink's L2 sequencer uptime feed.
    function uptimeFeed() external view returns (AggregatorV3Interface);

    /// @notice Seconds after the sequencer comes up during which it is not yet ok.
    function gracePeriod() external view returns (uint256);
}
