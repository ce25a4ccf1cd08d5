// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccountId} from "./Account.sol";
import {AccountHealth} from "./Market.sol";
import {MarketState} from "./Oracle.sol";
import {Session} from "./Session.sol";

/// @notice What the clearinghouse shows the liquidation engine in the middle of a risk transfer
/// (`IClearinghouse.transferRisk` → `ILiquidationEngine.riskTransferTerms`): both positions synced to
/// now (funding settled, splits applied) and `from`'s health, all at the ONE market read of the call.
struct RiskTransferQuote {
    AccountId from; // the account whose position shrinks (the liquidated account, or the ADL'd account)
    AccountId to; // the account that takes the other side (the backstop, or the ADL target)
    bytes32 marketId;
    int256 fromSizeX18; // `from`'s synced position (+ long, - short); 0 = none
    int256 fromOpenNotionalX18;
    int256 toSizeX18; // `to`'s synced position
    int256 toOpenNotionalX18;
    AccountHealth fromHealth; // `from`'s health now (funding owed already taken from its collateral)
    MarketState state; // the oracle state of the market
    Session session; // the calendar session now
    bool halted; // the clearinghouse's trading mode is HALTED (oracle, registry status or circuit breaker)
    bool sequencerDown; // the L2 sequencer is down or in its grace period
    uint256 markPriceX18;
    uint256 bandLowX18; // the oracle band (meaningful while CLOSED)
    uint256 bandHighX18;
    uint256 stepSizeX18; // the market's size step
    uint256 minOrderSizeX18; // the market's minimum order size
}

/// @notice The engine's answer to a `RiskTransferQuote`: what the clearinghouse executes.
struct RiskTransferTerms {
    uint256 sizeX18; // shares moved from `from` to `to` (reduces `from`; 0 < size <= |fromSize|)
    uint256 priceX18; // the transfer price (the mark for a liquidation, the bankruptcy price for ADL)
    uint256 penaltyX18; // asked of `from`; the clearinghouse caps it at `from`'s equity after the move
    uint256 keeperRewardX18; // the keeper's part of the (capped) penalty, at most the penalty
    AccountId keeper; // receives the keeper reward (vault collateral)
}

/// @notice What a risk transfer did, returned by `IClearinghouse.transferRisk`.
struct RiskTransferResult {
    uint256 sizeX18; // shares moved
    uint256 priceX18;
    uint256 penaltyX18; // paid by `from` (after the cap)
    uint256 keeperRewardX18; // paid to the keeper out of the penalty
    uint256 insurancePenaltyX18; // paid to `to` out of the penalty (penalty - keeper reward)
    int256 fromSizeAfterX18;
    int256 toSizeBeforeX18;
    int256 toSizeAfterX18;
    int256 fromRealizedPnlX18; // realised by `from` on the moved size at the transfer price
    int256 toRealizedPnlX18;
    AccountHealth fromHealthBefore;
    AccountHealth fromHealthAfter;
    AccountHealth toHealthAfter;
}

/// @notice One account's figures in an ADL ranking (`ILiquidationEngine.adlRanking`).
struct AdlCandidate {
    AccountId account;
    int256 sizeX18; // its position in the market, at the current split factor
    int256 unrealizedPnlX18; // size * mark - openNotional, rounded toward -infinity
    int256 equityX18; // account equity (cross-margin, every market)
    uint256 notionalX18; // account notional (every market)
    int256 scoreX18; // PnL x leverage = uPnL * notional / equity (X18); type(int256).min = not eligible
}
