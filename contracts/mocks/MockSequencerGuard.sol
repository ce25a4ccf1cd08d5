// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ISequencerGuard} from "../interfaces/ISequencerGuard.sol";

/// @notice Test sequencer guard: settable status, or a revert on demand.
contract MockSequencerGuard is ISequencerGuard {
    error MockGuard_FeedBroken();

    bool public ok = true;
    uint256 public upSince;
    bool public reverting;

    function setStatus(bool isOk, uint256 since) external {
        ok = isOk;
        upSince = since;
    }

    function setReverting(bool value) external {
        reverting = value;
    }

    function sequencerStatus() external view returns (bool, uint256) {
        if (reverting) revert MockGuard_FeedBroken();
        return (ok, upSince);
    }
}
