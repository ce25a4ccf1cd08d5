// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IPyth} from "@pythnetwork/pyth-sdk-solidity/IPyth.sol";

import {IPriceSource} from "./IPriceSource.sol";

/// @notice A market's Pyth configuration.
struct PythFeedConfig {
    bytes32 priceId; // the Pyth price feed id (0 when the market is not configured)
    uint16 maxConfBps; // largest accepted `conf / price`, in bps
}

/// @title IPythSource
/// @notice Price source for Pyth (pull oracle), one Pyth price feed per market.
///
/// `latestPrice` reads `IPyth.getPriceNoOlderThan(priceId, maxAge)` (Pyth reverts when
/// `|now - publishTime| > maxAge`) and requires `price > 0` and `conf * 10_000 <= price * maxConfBps`
/// (the confidence bound, compared exactly in Pyth's own units). Price and confidence are
/// `value * 10^expo`; they are scaled to 18 decimals by `10^(18 + expo)` for any exponent sign:
/// multiplied exactly when `18 + expo >= 0` (overflow reverts), divided when it is negative (the
/// price rounds down, the confidence up, so the interval never narrows). `observedAt` is
/// `publishTime`, capped at `block.timestamp` (Pyth accepts publish times slightly ahead of a
/// lagging L2 clock; an observation cannot be newer than the block that reads it).
///
/// Keepers: Pyth is a pull oracle. The oracle keeper fetches signed updates from Pyth's Hermes
/// service and calls `updatePriceFeeds` on the Pyth contract itself, paying `getUpdateFee` in the
/// native token, shortly before the protocol reads. This source only reads the stored price.
///
/// Roles (OpenZeppelin `AccessControl`):
/// - `DEFAULT_ADMIN_ROLE` (held by the `TimelockController`): grants and revokes roles; assigns a
///   Pyth price feed and its confidence bound to a market (`setPriceFeed`), the bound within
///   [`PYTH_MIN_CONF_BPS`, `PYTH_MAX_CONF_BPS_BOUND`]. It cannot write prices.
interface IPythSource is IPriceSource {
    /// @notice A market's Pyth feed or confidence bound changed (`priceId == 0`: unassigned).
    event PriceFeedSet(bytes32 indexed marketId, bytes32 priceId, uint16 maxConfBps);

    /// @notice The Pyth contract or the admin given to the constructor is the zero address.
    error Pyth_ZeroAddress();
    /// @notice `latestPrice` was asked for a market without a Pyth feed.
    error Pyth_MarketNotConfigured(bytes32 marketId);
    /// @notice The confidence bound is outside [`PYTH_MIN_CONF_BPS`, `PYTH_MAX_CONF_BPS_BOUND`].
    error Pyth_MaxConfBpsOutOfRange(uint256 maxConfBps, uint256 minBps, uint256 maxBps);
    /// @notice Pyth has no price fresh enough (or none at all); `reason` is Pyth's revert data,
    /// e.g. `StalePrice()` or `PriceFeedNotFound()`.
    error Pyth_PriceUnavailable(bytes32 marketId, bytes32 priceId, bytes reason);
    /// @notice The price is zero or negative.
    error Pyth_NonPositivePrice(bytes32 marketId, int64 price);
    /// @notice `conf / price` exceeds the market's bound; `confBps` is rounded up.
    error Pyth_ConfidenceTooWide(bytes32 marketId, uint256 confBps, uint256 maxConfBps);
    /// @notice Scaling the price to 18 decimals overflows uint256 (`18 + expo` is too large).
    error Pyth_PriceOverflow(bytes32 marketId, int64 price, int32 expo);
    /// @notice The price is below 1e-18 once scaled to 18 decimals (it would round to zero).
    error Pyth_PriceBelowResolution(bytes32 marketId, int64 price, int32 expo);

    /// @notice Assigns Pyth feed `priceId` to `marketId` with confidence bound `maxConfBps`;
    /// `priceId == 0` unassigns the market (then `maxConfBps` must be 0).
    /// @dev Only `DEFAULT_ADMIN_ROLE`.
    function setPriceFeed(bytes32 marketId, bytes32 priceId, uint16 maxConfBps) external;

    /// @notice The Pyth contract prices are read from.
    function pyth() external view returns (IPyth);

    /// @notice The Pyth configuration of `marketId`.
    function feedConfigOf(bytes32 marketId) external view returns (PythFeedConfig memory);
}
