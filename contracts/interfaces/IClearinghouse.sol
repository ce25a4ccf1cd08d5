// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ICollateralVault} from "./ICollateralVault.sol";
import {IMarginAuthority} from "./IMarginAuthority.sol";
import {IMarketRegistry} from "./IMarketRegistry.sol";
import {IOracleAdapter} from "./IOracleAdapter.sol";
import {AccountId} from "../types/Account.sol";
import {CircuitBreakerState, Match, SkipReason} from "../types/Clearinghouse.sol";
import {AccountHealth, FundingState, Position} from "../types/Market.sol";
import {MarketState} from "../types/Oracle.sol";
import {Order} from "../types/Order.sol";

/// @title IClearinghouse
/// @notice Sundial's clearinghouse (SPEC sections 5 and 6): settles batches of signed maker/taker
/// matches from the off-chain order book, keeps positions with a signed cost basis, cross-margins
/// each account (owner, subaccount) over its markets at each market's session ratios, accrues
/// funding per market with lazy settlement, applies corporate actions (splits O(1), dividends
/// through the funding index, delisting settlement), and enforces the risk controls (fill band,
/// oracle band, reduce-only states, circuit breaker, open-interest caps, guardian pause). It is the
/// vault's margin authority (`IMarginAuthority`). Market configuration lives in `IMarketRegistry`.
///
/// Orders are EIP-712 (`Order`, domain "Sundial Clearinghouse", version "1", chain id, this
/// contract), signed by the owner or by an operator the owner approved in the vault, with ECDSA or
/// ERC-1271 (queried by staticcall: a wallet cannot change state or re-enter while validating).
///
/// Accounting: trade results reach the vault in ONE `applySettlement` call per batch. The claims of
/// all positions, `totalUnrealizedPnlX18() = -Σ openNotional + settledFundingBalance`, keep the
/// vault's identity `token balance == Σ collateral + fee treasury + Σ claims` exact: rounding dust of
/// fills (always in the protocol's favour) is credited to the fee treasury, and funding or
/// settlement amounts already taken from (paid to) one side but not yet paid to (taken from) the
/// other are held in the settled balance.
///
/// Roles (OpenZeppelin AccessControl):
/// - `DEFAULT_ADMIN_ROLE` (the governance `TimelockController`): grants and revokes roles, lifts a
///   trading pause. No power over positions, collateral or prices.
/// - `MATCHER_ROLE` (the off-chain matcher): submits `settleMatches`. It chooses which signed orders
///   meet and the fill size, nothing else: every match is checked and a bad one is skipped.
/// - `GUARDIAN_ROLE`: pauses trading (`pauseTrading`) for `Constants.CH_TRADING_PAUSE_DURATION`; the
///   pause expires by itself and a new one needs `CH_TRADING_PAUSE_COOLDOWN` after the previous one
///   ended. Funding, settlement of delisted positions, cancellations and withdrawals keep working.
/// - Owners and their vault operators: cancel orders, raise the nonce floor, invalidate nonces.
/// - Anyone: `fund` (keepers), `settlePosition` (delisted markets), views.
/// - `LIQUIDATOR_ROLE` (the liquidation engine only): `transferRisk` (`IClearinghouseLiquidation`):
///   moves size out of an account's position to another account at the mark or at an ADL price. It
///   can never grow or flip that account's position.
interface IClearinghouse is IMarginAuthority {
    // ------------------------------------------------------------------ events

    /// @notice Match `index` of a batch was settled: `maker` and `taker` traded `fillSizeX18` shares at
    /// `priceX18` (the taker bought when `takerIsBuy`). Fees are signed (negative = rebate).
    event MatchSettled(
        uint256 indexed index,
        bytes32 indexed marketId,
        bytes32 makerHash,
        bytes32 takerHash,
        AccountId maker,
        AccountId taker,
        bool takerIsBuy,
        uint256 fillSizeX18,
        uint256 priceX18,
        int256 makerFeeX18,
        int256 takerFeeX18
    );

    /// @notice Match `index` of a batch was skipped for `reason`; nothing changed for it.
    event MatchSkipped(uint256 indexed index, bytes32 makerHash, bytes32 takerHash, SkipReason reason);

    /// @notice `owner`'s order `orderHash` was cancelled by `caller` (the owner or an operator).
    event OrderCancelled(bytes32 indexed orderHash, address indexed owner, address caller);

    /// @notice Every order of `owner` with a nonce below `newFloor` is cancelled (`caller` raised it).
    event NonceFloorRaised(address indexed owner, uint256 newFloor, address caller);

    /// @notice The nonces of `owner` in bitmap word `wordIndex` selected by `mask` were invalidated.
    event NoncesInvalidated(address indexed owner, uint256 wordIndex, uint256 mask, address caller);

    /// @notice Funding of `marketId` was accrued to now and the premium/multiplier sampled.
    event FundingUpdated(bytes32 indexed marketId, int256 indexX18, int256 premiumX18, uint256 multiplierBps);

    /// @notice A cash dividend of `dividendX18` USD per base share entered `marketId`'s funding index.
    event DividendApplied(bytes32 indexed marketId, uint256 dividendX18, int256 indexX18);

    /// @notice The circuit breaker of `marketId` fired `level` (1-3): the index moved from
    /// `referencePriceX18` to `indexPriceX18`; halted until `haltedUntil`, then reduce-only until `reduceOnlyUntil`.
    event CircuitBreakerTriggered(
        bytes32 indexed marketId,
        uint8 level,
        uint256 referencePriceX18,
        uint256 indexPriceX18,
        uint256 haltedUntil,
        uint256 reduceOnlyUntil
    );

    /// @notice A position in the delisted `marketId` was closed at the settlement price `priceX18`.
    event PositionSettled(
        AccountId indexed account,
        bytes32 indexed marketId,
        int256 sizeX18,
        uint256 priceX18,
        int256 realizedPnlX18,
        int256 fundingPaidX18
    );

    /// @notice `guardian` paused trading until `pausedUntil`.
    event TradingPaused(address indexed guardian, uint256 pausedUntil);

    /// @notice `caller` lifted the trading pause early.
    event TradingUnpaused(address indexed caller);

    // ------------------------------------------------------------------ errors

    /// @notice A constructor address argument is zero.
    error Clearinghouse_ZeroAddress();
    /// @notice `settleMatches` got no matches.
    error Clearinghouse_EmptyBatch();
    /// @notice `settleMatches` got `length` matches; at most `maxLength` are allowed.
    error Clearinghouse_BatchTooLarge(uint256 length, uint256 maxLength);
    /// @notice Trading is paused until `pausedUntil`.
    error Clearinghouse_TradingPaused(uint256 pausedUntil);
    /// @notice Trading is not paused.
    error Clearinghouse_TradingNotPaused();
    /// @notice A new trading pause is allowed from `availableAt`.
    error Clearinghouse_PauseCooldownActive(uint256 availableAt);
    /// @notice `caller` is neither `owner` nor an operator `owner` approved in the vault.
    error Clearinghouse_NotOwnerOrOperator(address caller, address owner);
    /// @notice The nonce floor of `owner` is `currentFloor`; `newFloor` does not raise it.
    error Clearinghouse_NonceFloorNotRaised(address owner, uint256 currentFloor, uint256 newFloor);
    /// @notice `newFloor` is above `maxFloor` (`Constants.CH_NONCE_LIMIT`; a floor of `maxFloor`
    /// already cancels every order, whose nonces are below it).
    error Clearinghouse_NonceFloorTooLarge(uint256 newFloor, uint256 maxFloor);
    /// @notice `marketId` is not listed in the registry.
    error Clearinghouse_UnknownMarket(bytes32 marketId);
    /// @notice `marketId` is in oracle state `state`, not SETTLED.
    error Clearinghouse_MarketNotSettled(bytes32 marketId, MarketState state);
    /// @notice `account` holds no position in `marketId`.
    error Clearinghouse_NoPosition(AccountId account, bytes32 marketId);

    // ------------------------------------------------------------------ roles and wiring

    /// @notice Submits match batches.
    function MATCHER_ROLE() external view returns (bytes32);

    /// @notice Pauses trading (expiring).
    function GUARDIAN_ROLE() external view returns (bytes32);

    /// @notice The collateral vault whose margin authority this is.
    function vault() external view returns (ICollateralVault);

    /// @notice The oracle adapter (read once per market per batch; every fill is reported to it).
    function oracle() external view returns (IOracleAdapter);

    /// @notice The market registry.
    function registry() external view returns (IMarketRegistry);

    // ------------------------------------------------------------------ trading (MATCHER_ROLE)

    /// @notice Settles a batch of matches (SPEC 5.2). Each match is checked in the order of
    /// `SkipReason`; a failing one is skipped with `MatchSkipped` and never reverts the batch. The
    /// oracle's `priceState` and the registry's `tradingConfig` are read once per market per batch;
    /// every market with fills is reported to the oracle once (`recordTrade` with the batch's
    /// volume-weighted price, rounded down, and total notional); collateral changes reach the vault
    /// in one `applySettlement` call.
    /// @return settled The number of matches settled (the rest were skipped).
    /// @dev Reverts only for the caller's role, the trading pause, an empty or oversized batch, and
    /// an external failure of the oracle, registry or vault.
    function settleMatches(Match[] calldata matches) external returns (uint256 settled);

    // ------------------------------------------------------------------ cancellation (owner or operator)

    /// @notice Cancels each order by hash. Caller: each order's owner or an operator of it.
    /// @dev Also marks the order's nonce used, so every other unfilled order of the owner with the
    /// same nonce is cancelled with it (orders sharing a nonce are one-cancels-other).
    function cancelOrders(Order[] calldata orders) external;

    /// @notice Cancels every order of `owner` with a nonce below `newFloor`; the floor only rises.
    function raiseNonceFloor(address owner, uint256 newFloor) external;

    /// @notice Marks the nonces `wordIndex * 256 + b` for every set bit b of `mask` as used: every
    /// order with one of them is cancelled, including an order already partially filled.
    function invalidateNonces(address owner, uint256 wordIndex, uint256 mask) external;

    // ------------------------------------------------------------------ keepers (anyone)

    /// @notice Accrues funding of each market to now, applies new dividends, samples the session's
    /// funding multiplier (the premium of the last trade holds), and evaluates the circuit breaker.
    /// A market whose oracle state is HALTED or SETTLED is left as it is (its time accrues later).
    /// @dev Reverts with `Clearinghouse_UnknownMarket` for a market the registry does not list.
    function fund(bytes32[] calldata marketIds) external;

    /// @notice Closes `account`'s whole position in the delisted (oracle SETTLED) `marketId` at the
    /// settlement price, after settling its funding. Permissionless (keepers, SPEC 3.5).
    function settlePosition(AccountId account, bytes32 marketId) external;

    // ------------------------------------------------------------------ guardian

    /// @notice Pauses `settleMatches` for `Constants.CH_TRADING_PAUSE_DURATION`. `GUARDIAN_ROLE`, at
    /// most once per cooldown (`tradingPauseAvailableAt`).
    function pauseTrading() external;

    /// @notice Lifts the trading pause. `GUARDIAN_ROLE` or `DEFAULT_ADMIN_ROLE`.
    function unpauseTrading() external;

    // ------------------------------------------------------------------ views

    /// @notice Trading is paused while `block.timestamp < tradingPausedUntil()`.
    function tradingPausedUntil() external view returns (uint256);

    /// @notice Earliest time the guardian may pause trading again.
    function tradingPauseAvailableAt() external view returns (uint256);

    /// @notice The EIP-712 domain separator of orders.
    function domainSeparator() external view returns (bytes32);

    /// @notice The EIP-712 digest of `order` (what its signer signs); also its hash for fills and cancels.
    function hashOrder(Order calldata order) external view returns (bytes32);

    /// @notice Size already filled of a partially filled order (0 before its first fill and once it
    /// completed: see `isNonceUsed`).
    function filledX18(bytes32 orderHash) external view returns (uint256);

    /// @notice Whether the order `orderHash` was cancelled by hash.
    function isCancelled(bytes32 orderHash) external view returns (bool);

    /// @notice Orders of `owner` with a nonce below it cannot fill (at most `Constants.CH_NONCE_LIMIT`).
    function nonceFloor(address owner) external view returns (uint256);

    /// @notice Whether `nonce` of `owner` is used: an order with it filled (partially or fully) or was
    /// cancelled by hash, or the nonce was invalidated. An order whose nonce is used can fill only
    /// while it is itself partially filled (`filledX18 != 0`), not cancelled and not invalidated.
    function isNonceUsed(address owner, uint256 nonce) external view returns (bool);

    /// @notice The stored position of `account` in `marketId`: size at its own `splitFactorX18`
    /// (rescaled on the next touch), cost basis, and the funding index it last settled at.
    function position(AccountId account, bytes32 marketId) external view returns (Position memory);

    /// @notice The markets in which `account` holds a position (at most `CH_MAX_MARKETS_PER_ACCOUNT`).
    function accountMarkets(AccountId account) external view returns (bytes32[] memory);

    /// @notice Health of `account` now (SPEC 5.3): equity (collateral + Σ uPnL − Σ pending funding,
    /// funding accrued to now), equity without positive uPnL, IM and MM at each market's session
    /// ratios (zero for a delisted market), notional. Prices from the oracle's `priceState`.
    function accountHealth(AccountId account) external view returns (AccountHealth memory);

    /// @notice `equity / notional` in X18 (`type(int256).max` without positions).
    function marginRatioX18(AccountId account) external view returns (int256);

    /// @notice The stored funding state of `marketId` (accrued up to `lastUpdateTime`).
    function fundingState(bytes32 marketId) external view returns (FundingState memory);

    /// @notice Open interest of `marketId`: Σ long sizes and Σ |short sizes|, in shares at the
    /// market's split factor `splitFactorX18`.
    function openInterest(
        bytes32 marketId
    ) external view returns (uint256 longX18, uint256 shortX18, uint256 splitFactorX18);

    /// @notice The circuit-breaker state of `marketId`.
    function circuitBreakerState(bytes32 marketId) external view returns (CircuitBreakerState memory);

    /// @notice Σ open notional over all positions (the negative of Σ uPnL's price-independent part).
    function totalOpenNotionalX18() external view returns (int256);

    /// @notice Funding and settlement amounts taken from one side but not yet paid to the other
    /// (positive), or paid ahead (negative); part of `totalUnrealizedPnlX18`.
    function settledBalanceX18() external view returns (int256);

    // ------------------------------------------------------------------ liquidation (IClearinghouseLiquidation)

    /// @notice Moves risk between accounts (`transferRisk`, see `IClearinghouseLiquidation`).
    function LIQUIDATOR_ROLE() external view returns (bytes32);
}
