// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ISequencerGuard} from "../interfaces/ISequencerGuard.sol";
import {MarketParams, MarketState, PriceState} from "../types/Oracle.sol";
import {Session} from "../types/Session.sol";

/// @notice Test oracle for the clearinghouse: a settable `PriceState` per market, the adapter's
/// `isListed` / `marketParams` / `sequencerGuard` views, and a log of `recordTrade` calls.
contract MockOracleAdapter {
    mapping(bytes32 marketId => PriceState) private _states;
    mapping(bytes32 marketId => bool) public isListed;
    mapping(bytes32 marketId => MarketParams) private _params;
    ISequencerGuard public sequencerGuard;

    uint256 public recordTradeCalls;
    bytes32 public lastTradeMarketId;
    uint256 public lastTradePriceX18;
    uint256 public lastTradeNotionalX18;
    bool public revertPriceState;

    constructor(ISequencerGuard guard) {
        sequencerGuard = guard;
    }

    /// @notice Lists `marketId` OPEN in REGULAR at `priceX18` with a ±20 % band and band cap `bandCapBps`.
    function list(bytes32 marketId, uint256 priceX18, uint16 bandCapBps) external {
        isListed[marketId] = true;
        _params[marketId].bandCapBps = bandCapBps;
        PriceState storage s = _states[marketId];
        s.state = MarketState.OPEN;
        s.session = Session.REGULAR;
        s.splitFactorX18 = 1e18;
        s.anchorTime = block.timestamp;
        _setPrice(s, priceX18, priceX18);
    }

    function setPrice(bytes32 marketId, uint256 indexPriceX18, uint256 markPriceX18) external {
        _setPrice(_states[marketId], indexPriceX18, markPriceX18);
    }

    function setBand(bytes32 marketId, uint256 lowX18, uint256 highX18) external {
        _states[marketId].bandLowX18 = lowX18;
        _states[marketId].bandHighX18 = highX18;
    }

    function setState(bytes32 marketId, MarketState state, Session session) external {
        _states[marketId].state = state;
        _states[marketId].session = session;
    }

    /// @notice A split r = numerator/denominator: prices ÷ r, split factor × r, epoch + 1.
    function split(bytes32 marketId, uint256 numerator, uint256 denominator) external {
        PriceState storage s = _states[marketId];
        s.splitFactorX18 = (s.splitFactorX18 * numerator) / denominator;
        s.epoch += 1;
        _setPrice(s, (s.indexPriceX18 * denominator) / numerator, (s.markPriceX18 * denominator) / numerator);
    }

    function addDividend(bytes32 marketId, uint256 dividendPerBaseShareX18) external {
        _states[marketId].cumulativeDividendX18 += dividendPerBaseShareX18;
    }

    function setRevertPriceState(bool value) external {
        revertPriceState = value;
    }

    function priceState(bytes32 marketId) external view returns (PriceState memory) {
        require(!revertPriceState && isListed[marketId], "MockOracleAdapter: priceState");
        return _states[marketId];
    }

    function marketParams(bytes32 marketId) external view returns (MarketParams memory) {
        return _params[marketId];
    }

    function recordTrade(bytes32 marketId, uint256 priceX18, uint256 notionalX18) external {
        ++recordTradeCalls;
        lastTradeMarketId = marketId;
        lastTradePriceX18 = priceX18;
        lastTradeNotionalX18 = notionalX18;
    }

    function _setPrice(PriceState storage s, uint256 indexPriceX18, uint256 markPriceX18) private {
        s.indexPriceX18 = indexPriceX18;
        s.markPriceX18 = markPriceX18;
        s.anchorPriceX18 = indexPriceX18;
        s.bandLowX18 = (markPriceX18 * 8) / 10;
        s.bandHighX18 = (markPriceX18 * 12) / 10;
    }
}
