// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IClearinghouse} from "./IClearinghouse.sol";
import {ICollateralVault} from "./ICollateralVault.sol";
import {IInsuranceFund} from "./IInsuranceFund.sol";
import {AccountId} from "../types/Account.sol";
import {AccountHealth} from "../types/Market.sol";
import {MarketState} from "../types/Oracle.sol";
import {AdlCandidate, LiquidationRequest} from "../types/Liquidation.sol";

/// @title ILiquidationEngine
/// @notice Liquidation, backstop, insurance, bad debt and auto-deleveraging (SPEC section 7;
/// docs/liquidation.md). The waterfall: account collateral → insurance fund → ADL.
///
/// - `liquidate(account, market, size)`: permissionless while `account`'s equity < maintenance
///   margin. The position moves to the BACKSTOP account — the insurance fund's own clearinghouse
///   account `(insuranceFund, 0)`, whose collateral sits in the vault — at the mark price, so a
///   keeper needs no capital. The account pays a penalty of `LIQ_PENALTY_BPS` of the closed notional
///   (rounded up), capped at its equity after the close (a penalty never creates bad debt): the
///   keeper gets `max(LIQ_KEEPER_SHARE_BPS of it, min(LIQ_KEEPER_MIN_REWARD_X18, penalty))` (so it is
///   positive whenever the penalty is, also at the minimum size), the backstop the rest. Partial
///   first: while `2 * equity >= MM` a call closes at most half of the position (rounded down to the
///   step; the whole position when half would be below the minimum order size); below that the
///   whole position is closed. A liquidation only ever reduces the account's position. None while
///   paused, while the L2 sequencer is down or in its grace period, or in a market whose oracle state
///   is HALTED, DEGRADED or SETTLED (a registry or circuit-breaker halt does not stop liquidations:
///   the price is live); while CLOSED only when the mark lies inside the oracle band (SPEC 3.3). The
///   backstop must meet margin after absorbing (initial margin when its risk grows, equity >= 0
///   when it shrinks); otherwise the call reverts (`Liquidation_BackstopMargin`).
/// - A bankrupt account (equity < 0) whose deficit the insurance fund cannot cover is not
///   liquidated into the backstop (`Liquidation_InsuranceInsufficient`): it goes to `adl`.
/// - `settleBadDebt(account)`: an account with no positions and negative collateral is brought back
///   to zero by the insurance fund (`IInsuranceFund.payToVault` through the vault, same transaction).
///   `liquidate` does it itself when it closes an account's last position.
/// - `adl(account, market, target, oppositeSide)`: when the insurance fund cannot cover a bankrupt
///   account, its position is closed against the most profitable opposite-side position, ranked by
///   PnL × leverage (`uPnL × account notional / account equity`), at the bankruptcy price (the
///   price at which the account's equity is exactly zero), never worse for the target than its
///   break-even (ADL takes profit, never principal). The keeper proposes `target` and passes the
///   COMPLETE list of opposite-side accounts in strictly increasing id order; the engine checks
///   that their sizes add up to the market's open interest on that side, ranks them on-chain and
///   rejects a target that is not profitable or that a better-ranked candidate outranks. An account
///   without a position in the market never absorbs loss.
///
/// Roles (OpenZeppelin AccessControl):
/// - `DEFAULT_ADMIN_ROLE` (the governance timelock): grants and revokes roles, lifts a pause. No
///   power over positions, collateral, prices or the rules (the parameters are constants).
/// - `GUARDIAN_ROLE`: pauses liquidations (`pauseLiquidations`) for `LIQ_PAUSE_DURATION`; the pause
///   expires by itself and a new one needs `LIQ_PAUSE_COOLDOWN` after the previous one ended.
/// - Anyone: `liquidate`, `liquidateBatch`, `settleBadDebt`, `adl` (keepers), views.
/// The engine holds `IClearinghouse.LIQUIDATOR_ROLE` and the vault's `LIQUIDATION_ROLE`.
interface ILiquidationEngine {
    // ------------------------------------------------------------------ events

    /// @notice `keeper` liquidated `closedSizeX18` of `account`'s position in `marketId` (signed like
    /// the position: + a long was reduced) at the mark `priceX18`. The account paid `penaltyX18`:
    /// `keeperRewardX18` to the keeper, the rest to the backstop (`BackstopAbsorbed`). The account's
    /// equity and maintenance margin before the call and its remaining size are given.
    event Liquidated(
        AccountId indexed account,
        bytes32 indexed marketId,
        address indexed keeper,
        int256 closedSizeX18,
        uint256 priceX18,
        uint256 penaltyX18,
        uint256 keeperRewardX18,
        int256 equityBeforeX18,
        uint256 maintenanceMarginBeforeX18,
        int256 remainingSizeX18
    );

    /// @notice The backstop account took `sizeX18` (signed: its position change) of `marketId` at
    /// `priceX18` and received `insurancePenaltyX18` of the penalty; it now holds `sizeAfterX18`.
    event BackstopAbsorbed(
        AccountId indexed backstop,
        bytes32 indexed marketId,
        int256 sizeX18,
        uint256 priceX18,
        uint256 insurancePenaltyX18,
        int256 sizeAfterX18
    );

    /// @notice `account` (no positions) had `debtX18` of negative collateral; the insurance fund
    /// covered `coveredX18`; `uncoveredX18` remains (only when the fund is empty).
    event BadDebtSettled(
        AccountId indexed account,
        uint256 debtX18,
        uint256 coveredX18,
        uint256 uncoveredX18
    );

    /// @notice The insurance fund paid `amount` tokens (`amountX18`) into the vault for `account`'s
    /// bad debt; `insuranceAfter` tokens remain in its ledger.
    event InsuranceCovered(
        AccountId indexed account,
        uint256 amount,
        uint256 amountX18,
        uint256 insuranceAfter
    );

    /// @notice Auto-deleveraging: `sizeX18` of bankrupt `account`'s position in `marketId` (signed
    /// like its position) was closed against `target` at `priceX18` (the bankruptcy price, capped at
    /// the target's break-even). `target` ranked first with `scoreX18` (PnL × leverage) and realised
    /// `targetRealizedPnlX18`; `account`'s equity went from `equityBeforeX18` to `equityAfterX18`.
    event AdlExecuted(
        AccountId indexed account,
        AccountId indexed target,
        bytes32 indexed marketId,
        int256 sizeX18,
        uint256 priceX18,
        int256 scoreX18,
        int256 targetRealizedPnlX18,
        int256 equityBeforeX18,
        int256 equityAfterX18
    );

    /// @notice `guardian` paused liquidations until `pausedUntil`.
    event LiquidationsPaused(address indexed guardian, uint256 pausedUntil);

    /// @notice `caller` lifted the liquidation pause early.
    event LiquidationsUnpaused(address indexed caller);

    /// @notice Entry `index` of a `liquidateBatch` (`account` in `marketId`) was not liquidated; `reason`
    /// is the revert data `liquidate` would have reverted with. Nothing changed for it.
    event LiquidationSkipped(
        uint256 indexed index,
        AccountId indexed account,
        bytes32 indexed marketId,
        bytes reason
    );

    // ------------------------------------------------------------------ errors

    /// @notice A constructor address argument is zero.
    error Liquidation_ZeroAddress();
    /// @notice Liquidations are paused until `pausedUntil`.
    error Liquidation_Paused(uint256 pausedUntil);
    /// @notice Liquidations are not paused.
    error Liquidation_NotPaused();
    /// @notice A new pause is allowed from `availableAt`.
    error Liquidation_PauseCooldownActive(uint256 availableAt);
    /// @notice `account` has equity `equityX18` >= maintenance margin `maintenanceMarginX18` (INV-4).
    error Liquidation_AccountHealthy(AccountId account, int256 equityX18, uint256 maintenanceMarginX18);
    /// @notice `account` holds no position in `marketId`.
    error Liquidation_NoPosition(AccountId account, bytes32 marketId);
    /// @notice The backstop account cannot be liquidated or deleveraged into itself; it is unwound
    /// through the matcher (and ADL'd as a target like any account).
    error Liquidation_BackstopAccount(AccountId account);
    /// @notice `sizeX18` is zero or not a multiple of the market's step `stepSizeX18`.
    error Liquidation_InvalidSize(uint256 sizeX18, uint256 stepSizeX18);
    /// @notice The size to close, `sizeX18`, is below the minimum order size `minSizeX18` and does not
    /// close the whole position.
    error Liquidation_SizeBelowMinimum(uint256 sizeX18, uint256 minSizeX18);
    /// @notice The L2 sequencer is down or in its grace period: no liquidation (SPEC 6).
    error Liquidation_SequencerDown();
    /// @notice `marketId` is in oracle state `state`: no liquidation at a frozen or untrusted price
    /// (HALTED, DEGRADED, SETTLED).
    error Liquidation_MarketNotLiquidatable(bytes32 marketId, MarketState state);
    /// @notice While CLOSED the mark `markPriceX18` lies outside the band [`bandLowX18`, `bandHighX18`].
    error Liquidation_OutsideClosedBand(
        bytes32 marketId,
        uint256 markPriceX18,
        uint256 bandLowX18,
        uint256 bandHighX18
    );
    /// @notice After absorbing, the backstop's equity `equityX18` is below `requiredX18` (initial
    /// margin when its risk grew, zero when it shrank): top up the backstop or unwind it first.
    error Liquidation_BackstopMargin(int256 equityX18, uint256 requiredX18);
    /// @notice The account's deficit `deficitX18` exceeds what the insurance fund holds
    /// (`availableX18`): use `adl`.
    error Liquidation_InsuranceInsufficient(uint256 deficitX18, uint256 availableX18);
    /// @notice Absorbing would open a position in one market too many for the backstop (`marketCount`
    /// markets, at most `CH_MAX_MARKETS_PER_ACCOUNT`): unwind the backstop first.
    error Liquidation_BackstopTooManyMarkets(uint256 marketCount);
    /// @notice `account` still holds positions in `marketCount` markets.
    error Liquidation_HasPositions(AccountId account, uint256 marketCount);
    /// @notice `account`'s collateral `collateralX18` is not negative.
    error Liquidation_NoBadDebt(AccountId account, int256 collateralX18);
    /// @notice ADL needs a bankrupt account (equity `equityX18` < 0) whose deficit exceeds the
    /// insurance fund (`insuranceX18`).
    error Liquidation_AdlNotNeeded(AccountId account, int256 equityX18, uint256 insuranceX18);
    /// @notice The opposite-side list is not in strictly increasing account order at `index`.
    error Liquidation_AdlUnordered(uint256 index);
    /// @notice Candidate `account` holds `sizeX18`, not a position on the side opposite the bankrupt one.
    error Liquidation_AdlWrongSide(AccountId account, int256 sizeX18);
    /// @notice The listed opposite-side sizes add up to `listedX18`; the open interest of that side is
    /// `openInterestX18`: an account is missing.
    error Liquidation_AdlIncomplete(uint256 listedX18, uint256 openInterestX18);
    /// @notice The opposite-side list has `count` accounts; at most `maxCount` fit one transaction.
    error Liquidation_AdlTooManyCandidates(uint256 count, uint256 maxCount);
    /// @notice A `liquidateBatch` of `count` entries: it must have 1 to `maxCount`.
    error Liquidation_InvalidBatchSize(uint256 count, uint256 maxCount);
    /// @notice `target` is not in the opposite-side list.
    error Liquidation_AdlTargetNotListed(AccountId target);
    /// @notice `target` is not eligible: its position is not profitable or its account equity is not
    /// positive (`scoreX18` = type(int256).min).
    error Liquidation_AdlTargetNotProfitable(AccountId target, int256 unrealizedPnlX18, int256 equityX18);
    /// @notice `better` ranks above `target` (`betterScoreX18` > `targetScoreX18`): a better-ranked
    /// position may not be skipped.
    error Liquidation_AdlBetterRanked(
        AccountId target,
        int256 targetScoreX18,
        AccountId better,
        int256 betterScoreX18
    );

    // ------------------------------------------------------------------ roles and wiring

    /// @notice Pauses liquidations (expiring).
    function GUARDIAN_ROLE() external view returns (bytes32);

    /// @notice The clearinghouse (this engine holds its `LIQUIDATOR_ROLE`).
    function clearinghouse() external view returns (IClearinghouse);

    /// @notice The collateral vault (this engine holds its `LIQUIDATION_ROLE`).
    function vault() external view returns (ICollateralVault);

    /// @notice The insurance fund whose clearinghouse account is the backstop.
    function insuranceFund() external view returns (IInsuranceFund);

    /// @notice The backstop account: `(insuranceFund, 0)`.
    function backstopAccount() external view returns (AccountId);

    // ------------------------------------------------------------------ keepers (anyone)

    /// @notice Liquidates up to `sizeX18` shares of `account`'s position in `marketId` into the
    /// backstop at the mark (see the contract NatSpec for every rule). While `2 * equity >= MM` the
    /// size is capped at the partial limit (pass `type(uint256).max` for "as much as allowed"); below
    /// it the whole position is closed whatever `sizeX18` says. The keeper reward goes to the vault
    /// account `(msg.sender, 0)`.
    /// @dev Gas: a keeper that passes exactly the allowed size pays one market read; any other size
    /// makes the engine run the move twice (the allowed size depends on health the move reads).
    /// @return closedSizeX18 The shares closed.
    function liquidate(
        AccountId account,
        bytes32 marketId,
        uint256 sizeX18
    ) external returns (uint256 closedSizeX18);

    /// @notice `liquidate` for each entry in one transaction: the market, oracle and registry reads
    /// of the first liquidation in a market are warm for the next ones, so a cascade (many accounts
    /// below maintenance margin after one price move) costs far less per liquidation. An entry that
    /// cannot be liquidated (healthy, no position, the backstop, a rule failing) is skipped with
    /// `LiquidationSkipped` and changes nothing; the others proceed. Reverts only while liquidations
    /// are paused or for a batch of 0 or more than `LIQ_MAX_BATCH` entries.
    /// @return liquidated The entries liquidated.
    function liquidateBatch(LiquidationRequest[] calldata requests) external returns (uint256 liquidated);

    /// @notice Covers the negative collateral of `account` (which must hold no positions) from the
    /// insurance fund, as far as the fund reaches.
    /// @return coveredX18 The amount credited to the account.
    function settleBadDebt(AccountId account) external returns (uint256 coveredX18);

    /// @notice One ADL step: closes as much of bankrupt `account`'s position in `marketId` as
    /// `target` holds on the other side, at the bankruptcy price (see the contract NatSpec).
    /// `oppositeSide`: every account holding a position on the other side, strictly increasing ids.
    /// @return sizeX18 The shares closed.
    function adl(
        AccountId account,
        bytes32 marketId,
        AccountId target,
        AccountId[] calldata oppositeSide
    ) external returns (uint256 sizeX18);

    // ------------------------------------------------------------------ guardian

    /// @notice Pauses `liquidate` and `adl` for `LIQ_PAUSE_DURATION`. `GUARDIAN_ROLE`, at most once per
    /// cooldown (`liquidationPauseAvailableAt`). `settleBadDebt` keeps working.
    function pauseLiquidations() external;

    /// @notice Lifts the pause. `GUARDIAN_ROLE` or `DEFAULT_ADMIN_ROLE`.
    function unpauseLiquidations() external;

    // ------------------------------------------------------------------ views

    /// @notice Liquidations are paused while `block.timestamp < liquidationsPausedUntil()`.
    function liquidationsPausedUntil() external view returns (uint256);

    /// @notice Earliest time the guardian may pause again.
    function liquidationPauseAvailableAt() external view returns (uint256);

    /// @notice Whether `account`'s equity is below its maintenance margin now.
    function isLiquidatable(AccountId account) external view returns (bool);

    /// @notice The size `liquidate(account, marketId, type(uint256).max)` would close now (stored
    /// units rescaled to the market's current split factor): half of the position rounded down to the
    /// step while `2 * equity >= MM` (all of it when that half is below the minimum order size), all
    /// of it below; 0 when the account is healthy, holds no position there or is the backstop.
    /// A keeper that passes this size spares the engine its second run of the move (docs/liquidation.md).
    function liquidationSizeX18(AccountId account, bytes32 marketId) external view returns (uint256);

    /// @notice Health of each account and whether it is liquidatable, every market read once for the
    /// whole list (keepers scan in batches).
    function accountsHealth(
        AccountId[] calldata accounts
    ) external view returns (AccountHealth[] memory healths, bool[] memory liquidatable);

    /// @notice The insurance fund's ledger in X18 (what bad debt can draw on).
    function insuranceAvailableX18() external view returns (uint256);

    /// @notice The ADL ranking figures of `accounts` in `marketId` at the current mark (see
    /// `AdlCandidate`); the order of `accounts` is kept.
    function adlRanking(
        bytes32 marketId,
        AccountId[] calldata accounts
    ) external view returns (AdlCandidate[] memory);
}
