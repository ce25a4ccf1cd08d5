// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Session} from "../types/Session.sol";
import {MarketCheckpoint, MarketState, PriceOrigin, PriceState} from "../types/Oracle.sol";

/// @title PriceStates
/// @notice Builders of the `PriceState` the oracle adapter returns, and the two state classes.
library PriceStates {
    /// @notice A price state whose index equals its mark (every state except a live one with a
    /// distinct index, which the adapter does not have: live, index = mark = the external price).
    function build(
        MarketState state,
        PriceOrigin origin,
        uint256 markX18,
        uint256 lowX18,
        uint256 highX18,
        uint256 anchorX18,
        uint256 anchorTime
    ) internal pure returns (PriceState memory v) {
        v.state = state;
        v.origin = origin;
        v.indexPriceX18 = markX18;
        v.markPriceX18 = markX18;
        v.bandLowX18 = lowX18;
        v.bandHighX18 = highX18;
        v.anchorPriceX18 = anchorX18;
        v.anchorTime = anchorTime;
    }

    /// @notice A frozen price: index = mark = anchor = both band edges (HALTED, SETTLED).
    function flat(
        MarketState state,
        PriceOrigin origin,
        uint256 priceX18,
        uint256 time
    ) internal pure returns (PriceState memory) {
        return build(state, origin, priceX18, priceX18, priceX18, priceX18, time);
    }

    /// @notice Fills the session and the corporate-action fields from the checkpoint.
    function stamp(PriceState memory v, MarketCheckpoint memory cp, Session session) internal pure {
        v.session = session;
        v.epoch = cp.epoch;
        v.splitFactorX18 = cp.splitFactorX18;
        v.cumulativeDividendX18 = cp.cumulativeDividendX18;
    }

    /// @notice OPEN or REOPENING: priced by a live external source.
    function isLive(MarketState state) internal pure returns (bool) {
        return state == MarketState.OPEN || state == MarketState.REOPENING;
    }

    /// @notice CLOSED or DEGRADED: priced internally (trade EMA inside the band).
    function isInternal(MarketState state) internal pure returns (bool) {
        return state == MarketState.CLOSED || state == MarketState.DEGRADED;
    }
}
