// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {AggregatorV3Interface} from "@chainlink/contracts/src/v0.8/shared/interfaces/AggregatorV3Interface.sol";

import {ISequencerGuard} from "../interfaces/ISequencerGuard.sol";
import {ISequencerUptimeGuard} from "../interfaces/ISequencerUptimeGuard.sol";
import {Constants} from "../libraries/Constants.sol";

/// @title SequencerUptimeGuard
/// @notice Chainlink's L2 sequencer uptime feed with a grace period (see `ISequencerUptimeGuard`).
contract SequencerUptimeGuard is ISequencerUptimeGuard, AccessControl {
    /// @dev One reading of the uptime feed; `available` is false when the feed reverted.
    struct Reading {
        bool available;
        uint80 roundId;
        int256 answer;
        uint256 startedAt;
        bytes reason;
    }

    /// @inheritdoc ISequencerUptimeGuard
    AggregatorV3Interface public immutable uptimeFeed;
    /// @inheritdoc ISequencerUptimeGuard
    uint256 public gracePeriod;

    /// @param feed Chainlink's L2 sequencer uptime feed on this chain.
    /// @param admin Receives `DEFAULT_ADMIN_ROLE` (the `TimelockController`).
    /// @dev The grace period starts at `SEQUENCER_GRACE_PERIOD_DEFAULT` (1 h).
    constructor(AggregatorV3Interface feed, address admin) {
        if (admin == address(0)) revert Sequencer_ZeroAddress();
        // A call to an address without code would revert outside the try/catch of `_read`.
        if (address(feed).code.length == 0) revert Sequencer_FeedNotContract(address(feed));
        uptimeFeed = feed;
        gracePeriod = Constants.SEQUENCER_GRACE_PERIOD_DEFAULT;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    /// @inheritdoc ISequencerGuard
    function sequencerStatus() external view returns (bool ok, uint256 upSince) {
        Reading memory reading = _read();
        if (!reading.available || reading.startedAt == 0 || reading.answer != Constants.SEQUENCER_ANSWER_UP) {
            return (false, 0);
        }
        return (_gracePeriodOver(reading.startedAt), reading.startedAt);
    }

    /// @inheritdoc ISequencerUptimeGuard
    function checkSequencer() external view returns (uint256 upSince) {
        Reading memory reading = _read();
        if (!reading.available) revert Sequencer_FeedUnavailable(reading.reason);
        if (reading.startedAt == 0) revert Sequencer_InvalidRound(reading.roundId);
        if (reading.answer == Constants.SEQUENCER_ANSWER_DOWN) revert Sequencer_Down(reading.startedAt);
        if (reading.answer != Constants.SEQUENCER_ANSWER_UP) revert Sequencer_InvalidAnswer(reading.answer);
        if (!_gracePeriodOver(reading.startedAt)) {
            // Saturating, so that even an absurd `startedAt` reverts with this error, not a panic.
            uint256 graceEndsAt =
                reading.startedAt > type(uint256).max - gracePeriod
                    ? type(uint256).max
                    : reading.startedAt + gracePeriod;
            revert Sequencer_GracePeriodNotOver(reading.startedAt, graceEndsAt);
        }
        return reading.startedAt;
    }

    /// @inheritdoc ISequencerUptimeGuard
    function setGracePeriod(uint256 newGracePeriod) external onlyRole(DEFAULT_ADMIN_ROLE) {
        uint256 minGracePeriod = Constants.SEQUENCER_GRACE_PERIOD_MIN;
        uint256 maxGracePeriod = Constants.SEQUENCER_GRACE_PERIOD_MAX;
        if (newGracePeriod < minGracePeriod || newGracePeriod > maxGracePeriod) {
            revert Sequencer_GracePeriodOutOfRange(newGracePeriod, minGracePeriod, maxGracePeriod);
        }
        uint256 previousGracePeriod = gracePeriod;
        gracePeriod = newGracePeriod;
        emit GracePeriodSet(previousGracePeriod, newGracePeriod);
    }

    function _read() private view returns (Reading memory reading) {
        try uptimeFeed.latestRoundData() returns (
            uint80 roundId,
            int256 answer,
            uint256 startedAt,
            uint256,
            uint80
        ) {
            reading = Reading({
                available: true,
                roundId: roundId,
                answer: answer,
                startedAt: startedAt,
                reason: ""
            });
        } catch (bytes memory reason) {
            reading.reason = reason;
        }
    }

    /// @dev Strictly after `startedAt + gracePeriod`. A `startedAt` in the future (clock skew between
    /// L1 and L2) is not over either; written without `startedAt + gracePeriod` so that no feed
    /// value can make `sequencerStatus` overflow and revert.
    function _gracePeriodOver(uint256 startedAt) private view returns (bool) {
        return startedAt < block.timestamp && block.timestamp - startedAt > gracePeriod;
    }
}
