// SPDX-License-Identifier: MIT
pragma solidity ^0.8.19;

/// @title ISequencerGuard
/// @notice Reads the L2 sequencer uptime feed (Chainlink) and applies a grace period after the
/// sequencer comes back up (SPEC section 6): no new risk and no liquidations while the sequencer is
/// down or within the grace period, because prices could not be updated meanwhile.
interface ISequencerGuard {
    /// @notice Whether risk-increasing actions and liquidations may proceed now.
    /// @return ok True when the sequencer is up and the grace period since it came up has passed.
    /// @return upSince When the sequencer was last seen coming up (0 if the feed says down).
    function sequencerStatus() external view returns (bool ok, uint256 upSince);
}
