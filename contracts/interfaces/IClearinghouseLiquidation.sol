// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccountId} from "../types/Account.sol";
import {RiskTransferResult} from "../types/Liquidation.sol";

/// @title IClearinghouseLiquidation
/// @notice The clearinghouse's narrow entry for the liquidation engine (SPEC section 7). The
/// clearinghouse implements it; its role (`LIQUIDATOR_ROLE`) is declared on `IClearinghouse`.
///
/// A risk transfer moves part of one account's position in one market to another account inside
/// the clearinghouse's own settlement path: the market is read ONCE (one oracle `priceState`), both
/// positions are synced (funding, splits), `from`'s health is computed with that same market cache
/// before and after the move, `to`'s after it, and the collateral changes (realised PnL, funding)
/// reach the vault in one `applySettlement` call. Open interest never grows (one side shrinks by
/// what the other side takes or releases) and the oracle's trade EMA is not fed (a transfer is not
/// a trade). The clearinghouse checks only the mechanics; the engine checks every liquidation / ADL
/// rule on the returned figures and reverts the whole transaction when one fails (docs/liquidation.md
/// explains why: the clearinghouse is within bytes of the 24 KB limit).
///
/// Roles:
/// - `IClearinghouse.LIQUIDATOR_ROLE` (the `LiquidationEngine` only, granted by the deployment):
///   `transferRisk`. It can only shrink `from`'s position (never grow or flip it); the only
///   collateral it moves is the transfer's own realised PnL and funding.
interface IClearinghouseLiquidation {
    /// @notice Moves `min(maxSizeX18, |position|)` shares of `from`'s position in `marketId` to `to`
    /// at `priceX18`, or at the mark when `priceX18` is 0. `LIQUIDATOR_ROLE` only.
    /// @dev The clearinghouse declares the return value as `int256[RISK_TRANSFER_WORDS]`, whose ABI
    /// encoding is exactly this flat struct's (a struct encoder would cost ~700 bytes of the 24 KB
    /// clearinghouse). Reverts (from `PositionMath`) for an empty position (`Position_InvalidFillSize`)
    /// and beyond the position bounds. No margin is checked here.
    function transferRisk(
        AccountId from,
        AccountId to,
        bytes32 marketId,
        uint256 maxSizeX18,
        uint256 priceX18
    ) external returns (RiskTransferResult memory result);
}
