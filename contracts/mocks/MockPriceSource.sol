// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IPriceSource, PriceObservation} from "../interfaces/IPriceSource.sol";

/// @notice Test price source: a settable observation per market, or a revert on demand.
/// @dev By default it enforces `maxAge` like a real source; `setEnforceMaxAge(false)` makes it
/// return stale observations so that tests can prove the adapter re-checks them.
contract MockPriceSource is IPriceSource {
    error MockSource_NoPrice(bytes32 marketId);
    error MockSource_Stale(bytes32 marketId, uint256 observedAt, uint256 maxAge);

    mapping(bytes32 => PriceObservation) public observations;
    mapping(bytes32 => bool) public reverting;
    bool public enforceMaxAge = true;

    /// @notice Sets the observation returned for `marketId` (and stops reverting).
    function setPrice(bytes32 marketId, uint256 priceX18, uint256 observedAt) external {
        observations[marketId] = PriceObservation(priceX18, observedAt, 0);
        reverting[marketId] = false;
    }

    /// @notice Sets price, observation time and confidence.
    function setObservation(
        bytes32 marketId,
        uint256 priceX18,
        uint256 observedAt,
        uint256 confidenceX18
    ) external {
        observations[marketId] = PriceObservation(priceX18, observedAt, confidenceX18);
        reverting[marketId] = false;
    }

    /// @notice Makes `latestPrice(marketId, …)` revert (or stop reverting).
    function setReverting(bytes32 marketId, bool value) external {
        reverting[marketId] = value;
    }

    function setEnforceMaxAge(bool value) external {
        enforceMaxAge = value;
    }

    function latestPrice(bytes32 marketId, uint256 maxAge) external view returns (PriceObservation memory o) {
        if (reverting[marketId]) revert MockSource_NoPrice(marketId);
        o = observations[marketId];
        if (o.observedAt == 0) revert MockSource_NoPrice(marketId);
        if (enforceMaxAge && o.observedAt + maxAge < block.timestamp) {
            revert MockSource_Stale(marketId, o.observedAt, maxAge);
        }
    }
}
