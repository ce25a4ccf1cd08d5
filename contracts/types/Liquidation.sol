// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccountId} from "./Account.sol";
import {MarketState} from "./Oracle.sol";

/// @notice What a risk transfer did (`IClearinghouseLiquidation.transferRisk`), with the market as the
/// clearinghouse read it (once) for the transfer: the liquidation engine checks its rules on these
/// figures and reverts the whole transaction when one fails.
/// @dev Flat, every field one ABI word: the clearinghouse returns it as `int256[RISK_TRANSFER_WORDS]`,
/// whose ABI encoding is identical (see `IClearinghouseLiquidation`). Append fields only at the end.
struct RiskTransferResult {
    uint256 sizeX18; // shares moved out of `from`'s position
    uint256 priceX18; // the transfer price
    int256 fromSizeBeforeX18; // `from`'s position synced to now, before the move
    int256 toSizeBeforeX18;
    int256 fromEquityBeforeX18;
    uint256 fromMaintenanceMarginBeforeX18;
    int256 fromEquityAfterX18; // after the move (before any penalty)
    int256 toEquityAfterX18; // after the move
    uint256 toInitialMarginAfterX18;
    MarketState state; // the oracle state of the market
    uint256 bandLowX18; // the oracle band (the mark stays inside it while CLOSED)
    uint256 bandHighX18;
    uint256 stepSizeX18; // the market's step size (registry config, as the clearinghouse read it)
    uint256 minOrderSizeX18; // and minimum order size
}

/// @dev The number of ABI words of a `RiskTransferResult`.
uint256 constant RISK_TRANSFER_WORDS = 14;

/// @notice One entry of `ILiquidationEngine.liquidateBatch`: the arguments of one `liquidate`.
struct LiquidationRequest {
    AccountId account;
    bytes32 marketId;
    uint256 sizeX18; // as for `liquidate`: type(uint256).max = as much as allowed
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
