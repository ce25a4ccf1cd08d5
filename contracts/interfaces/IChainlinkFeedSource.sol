// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AggregatorV3Interface} from "@chainlink/contracts/src/v0.8/shared/interfaces/AggregatorV3Interface.sol";

import {IPriceSource} from "./IPriceSource.sol";

/// @title IChainlinkFeedSource
/// @notice Price source for Chainlink Data Feeds (`AggregatorV3Interface`), one aggregator (proxy)
/// per market. Data Feeds for US equities update during regular hours only; the oracle adapter uses
/// this source for the sessions it is configured for.
///
/// `latestPrice` reads `latestRoundData()` and requires `answer > 0`, `updatedAt != 0`,
/// `updatedAt <= block.timestamp`, `block.timestamp - updatedAt <= maxAge` and a complete round
/// (`answeredInRound >= roundId`). The answer is scaled from the aggregator's `decimals()` (read on
/// every call, so a proxy upgraded to an aggregator with other decimals is still scaled right) to
/// 18 decimals: multiplied exactly when `decimals < 18`, divided rounding down when `decimals > 18`.
/// `observedAt` is `updatedAt`; Data Feeds carry no confidence interval (`confidenceX18 == 0`).
///
/// Keepers: none. Chainlink's DON writes the aggregator.
///
/// Roles (OpenZeppelin `AccessControl`):
/// - `DEFAULT_ADMIN_ROLE` (held by the `TimelockController`): grants and revokes roles; assigns an
///   aggregator to a market (`setFeed`). It cannot write prices.
interface IChainlinkFeedSource is IPriceSource {
    /// @notice An aggregator was assigned to a market (or unassigned, `newAggregator == 0`).
    event FeedSet(bytes32 indexed marketId, address previousAggregator, address newAggregator);

    /// @notice The admin given to the constructor is the zero address.
    error ChainlinkFeed_ZeroAddress();
    /// @notice `latestPrice` was asked for a market without an aggregator.
    error ChainlinkFeed_FeedNotSet(bytes32 marketId);
    /// @notice The aggregator reports more than `CHAINLINK_FEED_MAX_DECIMALS` decimals.
    error ChainlinkFeed_DecimalsOutOfRange(address aggregator, uint8 decimals);
    /// @notice The answer is zero or negative.
    error ChainlinkFeed_NonPositiveAnswer(bytes32 marketId, int256 answer);
    /// @notice The round has no update time (an invalid or never-completed round).
    error ChainlinkFeed_ZeroUpdatedAt(bytes32 marketId, uint80 roundId);
    /// @notice The round claims to have been updated after the current block.
    error ChainlinkFeed_UpdatedInFuture(bytes32 marketId, uint256 updatedAt, uint256 nowTimestamp);
    /// @notice The answer was computed in an earlier round than the latest one (`answeredInRound < roundId`).
    error ChainlinkFeed_RoundIncomplete(bytes32 marketId, uint80 roundId, uint80 answeredInRound);
    /// @notice The answer was updated more than `maxAge` seconds ago.
    error ChainlinkFeed_StalePrice(bytes32 marketId, uint256 updatedAt, uint256 maxAge);
    /// @notice Scaling the answer to 18 decimals overflows uint256.
    error ChainlinkFeed_PriceOverflow(bytes32 marketId, int256 answer, uint8 decimals);
    /// @notice The answer is below 1e-18 USD once scaled to 18 decimals (it would round to zero).
    error ChainlinkFeed_PriceBelowResolution(bytes32 marketId, int256 answer, uint8 decimals);

    /// @notice Assigns `aggregator` (a Chainlink feed proxy) to `marketId`; `address(0)` unassigns.
    /// @dev Only `DEFAULT_ADMIN_ROLE`. Reverts when the aggregator reports more than
    /// `CHAINLINK_FEED_MAX_DECIMALS` decimals.
    function setFeed(bytes32 marketId, AggregatorV3Interface aggregator) external;

    /// @notice The aggregator assigned to `marketId` (`address(0)` if none).
    function feedOf(bytes32 marketId) external view returns (AggregatorV3Interface);
}
