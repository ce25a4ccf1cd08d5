// SPDX-License-Identifier: MIT
pragma solidity ^0.8.19;

/// @notice One observation from an external price source, normalised to 18 decimals.
struct PriceObservation {
    uint256 priceX18; // > 0 when valid
    uint256 observedAt; // when the source says the price was observed (UTC seconds)
    uint256 confidenceX18; // half-width of the source's confidence interval (0 when the source has none)
}

/// @title IPriceSource
/// @notice One small adapter per real oracle (Chainlink Data Streams / Data Feeds, Pyth, signed
/// quotes). The oracle adapter reads every source through this interface only (SPEC section 3.1).
/// @dev A source reverts with its own custom error when it has no valid price (stale, zero,
/// negative, wrong feed, wide confidence, sequencer down…); it never returns a silently wrong one.
/// The oracle adapter catches the revert and moves the market to DEGRADED.
interface IPriceSource {
    /// @notice The latest valid observation for `marketId`.
    /// @param marketId The market, e.g. `bytes32("AAPL-USD")`.
    /// @param maxAge The oldest acceptable `observedAt`, as seconds before `block.timestamp`.
    function latestPrice(bytes32 marketId, uint256 maxAge) external view returns (PriceObservation memory);
}
