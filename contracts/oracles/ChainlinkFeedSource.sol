// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {AggregatorV3Interface} from "@chainlink/contracts/src/v0.8/shared/interfaces/AggregatorV3Interface.sol";

import {IChainlinkFeedSource} from "../interfaces/IChainlinkFeedSource.sol";
import {IPriceSource, PriceObservation} from "../interfaces/IPriceSource.sol";
import {Constants} from "../libraries/Constants.sol";

/// @title ChainlinkFeedSource
/// @notice Chainlink Data Feeds as a Sundial price source (see `IChainlinkFeedSource`).
contract ChainlinkFeedSource is IChainlinkFeedSource, AccessControl {
    /// @inheritdoc IChainlinkFeedSource
    mapping(bytes32 marketId => AggregatorV3Interface) public feedOf;

    /// @param admin Receives `DEFAULT_ADMIN_ROLE` (the `TimelockController`).
    constructor(address admin) {
        if (admin == address(0)) revert ChainlinkFeed_ZeroAddress();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    /// @inheritdoc IPriceSource
    /// @dev The aggregator's latest answer in 18 decimals, observed at its `updatedAt`.
    function latestPrice(bytes32 marketId, uint256 maxAge) external view returns (PriceObservation memory) {
        AggregatorV3Interface aggregator = feedOf[marketId];
        if (address(aggregator) == address(0)) revert ChainlinkFeed_FeedNotSet(marketId);
        (uint80 roundId, int256 answer, , uint256 updatedAt, uint80 answeredInRound) = aggregator
            .latestRoundData();

        if (answer <= 0) revert ChainlinkFeed_NonPositiveAnswer(marketId, answer);
        if (updatedAt == 0) revert ChainlinkFeed_ZeroUpdatedAt(marketId, roundId);
        if (updatedAt > block.timestamp) {
            revert ChainlinkFeed_UpdatedInFuture(marketId, updatedAt, block.timestamp);
        }
        if (answeredInRound < roundId)
            revert ChainlinkFeed_RoundIncomplete(marketId, roundId, answeredInRound);
        if (block.timestamp - updatedAt > maxAge)
            revert ChainlinkFeed_StalePrice(marketId, updatedAt, maxAge);

        uint256 priceX18 = _toX18(marketId, answer, _checkedDecimals(aggregator));
        return PriceObservation({priceX18: priceX18, observedAt: updatedAt, confidenceX18: 0});
    }

    /// @inheritdoc IChainlinkFeedSource
    function setFeed(
        bytes32 marketId,
        AggregatorV3Interface aggregator
    ) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (address(aggregator) != address(0)) _checkedDecimals(aggregator);
        AggregatorV3Interface previous = feedOf[marketId];
        feedOf[marketId] = aggregator;
        emit FeedSet(marketId, address(previous), address(aggregator));
    }

    function _checkedDecimals(AggregatorV3Interface aggregator) private view returns (uint8 decimals) {
        decimals = aggregator.decimals();
        if (decimals > Constants.CHAINLINK_FEED_MAX_DECIMALS) {
            revert ChainlinkFeed_DecimalsOutOfRange(address(aggregator), decimals);
        }
    }

    /// @dev `answer * 10^(18 - decimals)`. Scaling up is exact (or overflows, and reverts); scaling
    /// down rounds toward zero, which for a positive price is down. Neither direction favours the
    /// protocol for an index price, so the exact truncation is used and documented.
    function _toX18(bytes32 marketId, int256 answer, uint8 decimals) private pure returns (uint256 priceX18) {
        // `answer > 0` was checked, so the conversion is exact.
        uint256 value = uint256(answer);
        if (decimals <= Constants.SOURCE_X18_DECIMALS) {
            uint256 factor = 10 ** (Constants.SOURCE_X18_DECIMALS - decimals);
            if (value > type(uint256).max / factor)
                revert ChainlinkFeed_PriceOverflow(marketId, answer, decimals);
            return value * factor;
        }
        priceX18 = value / 10 ** (decimals - Constants.SOURCE_X18_DECIMALS);
        if (priceX18 == 0) revert ChainlinkFeed_PriceBelowResolution(marketId, answer, decimals);
    }
}
