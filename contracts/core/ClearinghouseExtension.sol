// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IClearinghouse} from "../interfaces/IClearinghouse.sol";
import {ICollateralVault} from "../interfaces/ICollateralVault.sol";
import {IMarketRegistry} from "../interfaces/IMarketRegistry.sol";
import {IOracleAdapter} from "../interfaces/IOracleAdapter.sol";
import {Constants} from "../libraries/Constants.sol";
import {FundingMath} from "../libraries/FundingMath.sol";
import {MarginMath} from "../libraries/MarginMath.sol";
import {MarketSetLib} from "../libraries/MarketSetLib.sol";
import {OrderLib} from "../libraries/OrderLib.sol";
import {PositionMath} from "../libraries/PositionMath.sol";
import {AccountId, AccountIdLib} from "../types/Account.sol";
import {CircuitBreakerState} from "../types/Clearinghouse.sol";
import {FundingState} from "../types/Market.sol";
import {Order} from "../types/Order.sol";
import {Batch, Side} from "./ClearinghouseAccounts.sol";
import {MarketCache, TradingMode} from "./ClearinghouseMarkets.sol";
import {ClearinghouseState} from "./ClearinghouseState.sol";

/// @title ClearinghouseExtension
/// @notice The clearinghouse's infrequent entry points — cancellations, the nonce floor, settlement
/// of a delisted market's positions and the guardian's trading pause — which `Clearinghouse`
/// forwards here with `delegatecall`, so that its own code stays under the 24 KB limit with the
/// settlement hot path compiled for gas. Runs only in the clearinghouse's storage: the
/// clearinghouse deploys it in its constructor and a direct call reverts. Semantics, events and
/// errors are those of `IClearinghouse` (docs/clearinghouse.md, "Contracts").
contract ClearinghouseExtension is ClearinghouseState {
    /// @notice The clearinghouse this extension serves (its deployer).
    address public immutable clearinghouse;

    /// @notice A call that does not come through the clearinghouse's `delegatecall`.
    error ClearinghouseExtension_DirectCall();

    /// @dev Only in the clearinghouse's context: this contract's own storage is never used.
    modifier onlyDelegated() {
        if (address(this) != clearinghouse) revert ClearinghouseExtension_DirectCall();
        _;
    }

    constructor(
        ICollateralVault collateralVault,
        IOracleAdapter oracleAdapter,
        IMarketRegistry marketRegistry
    ) ClearinghouseState(collateralVault, oracleAdapter, marketRegistry) {
        clearinghouse = msg.sender;
    }

    // ============================================================================ cancellation

    /// @dev `IClearinghouse.cancelOrders`.
    function cancelOrders(Order[] calldata orders) external onlyDelegated nonReentrant {
        uint256 count = orders.length;
        for (uint256 i; i < count; ++i) {
            Order calldata order = orders[i];
            address owner = order.owner;
            _requireOwnerOrOperator(owner);
            bytes32 orderHash = _hashTypedDataV4(OrderLib.hashCalldata(order));
            _orderStates[orderHash] |= ORDER_CANCELLED_BIT;
            // The nonce bit too: a fill checks the order's state only when its nonce bit is set.
            (uint256 wordIndex, uint256 mask) = OrderLib.nonceBitmapPosition(order.nonce);
            _nonceBitmap[owner][wordIndex] |= mask;
            emit IClearinghouse.OrderCancelled(orderHash, owner, msg.sender);
        }
    }

    /// @dev `IClearinghouse.raiseNonceFloor`. The floor lives in the set word of the owner's
    /// subaccount 0 (`MarketSetLib`).
    function raiseNonceFloor(address owner, uint256 newFloor) external onlyDelegated nonReentrant {
        _requireOwnerOrOperator(owner);
        AccountId home = AccountIdLib.from(owner, 0);
        uint256 word = _accountMarketSets[home];
        uint256 currentFloor = MarketSetLib.nonceFloor(word);
        if (newFloor <= currentFloor) {
            revert IClearinghouse.Clearinghouse_NonceFloorNotRaised(owner, currentFloor, newFloor);
        }
        if (newFloor > Constants.CH_NONCE_LIMIT) {
            revert IClearinghouse.Clearinghouse_NonceFloorTooLarge(newFloor, Constants.CH_NONCE_LIMIT);
        }
        _accountMarketSets[home] = MarketSetLib.withNonceFloor(word, newFloor);
        emit IClearinghouse.NonceFloorRaised(owner, newFloor, msg.sender);
    }

    /// @dev `IClearinghouse.invalidateNonces`.
    function invalidateNonces(
        address owner,
        uint256 wordIndex,
        uint256 mask
    ) external onlyDelegated nonReentrant {
        _requireOwnerOrOperator(owner);
        OrderLib.invalidateNonces(_nonceBitmap[owner], wordIndex, mask);
        // Also kills an order already partially filled with one of these nonces (its bit was set).
        OrderLib.invalidateNonces(_invalidatedNonces[owner], wordIndex, mask);
        emit IClearinghouse.NoncesInvalidated(owner, wordIndex, mask, msg.sender);
    }

    // ============================================================================ keepers

    /// @dev `IClearinghouse.settlePosition`.
    function settlePosition(AccountId account, bytes32 marketId) external onlyDelegated nonReentrant {
        Batch memory batch = _newBatch(1, 1);
        MarketCache memory market = batch.markets[_marketIn(batch, marketId)];
        if (!market.listed) revert IClearinghouse.Clearinghouse_UnknownMarket(marketId);
        if (market.mode != TradingMode.SETTLED) {
            revert IClearinghouse.Clearinghouse_MarketNotSettled(marketId, market.price.state);
        }
        Side memory side;
        side.account = account;
        _syncSide(batch, market, side);
        int256 sizeX18 = side.oldSizeX18;
        if (sizeX18 == 0) revert IClearinghouse.Clearinghouse_NoPosition(account, marketId);
        int256 openNotionalX18 = side.oldOpenNotionalX18;
        uint256 priceX18 = market.price.markPriceX18;
        side.realizedPnlX18 = PositionMath.closeAt(sizeX18, openNotionalX18, priceX18);
        side.sizeX18 = 0;
        side.openNotionalX18 = 0;
        _updateOpenInterest(market, sizeX18, 0);
        _writeSide(batch, market, side);
        batch.openNotionalDeltaX18 = -openNotionalX18;
        // The counterparties still hold the other side: their claim (size * price, rounded toward
        // -infinity here) stays in the settled balance until they settle (see IClearinghouse).
        batch.settledDeltaX18 = side.fundingOwedX18 - (side.realizedPnlX18 + openNotionalX18);
        _finishBatch(batch);
        emit IClearinghouse.PositionSettled(
            account,
            marketId,
            sizeX18,
            priceX18,
            side.realizedPnlX18,
            side.fundingOwedX18
        );
    }

    // ============================================================================ guardian

    /// @dev `IClearinghouse.pauseTrading`.
    function pauseTrading() external onlyDelegated nonReentrant onlyRole(GUARDIAN) {
        uint256 availableAt = _tradingPauseAvailableAt();
        if (block.timestamp < availableAt)
            revert IClearinghouse.Clearinghouse_PauseCooldownActive(availableAt);
        uint256 pausedUntil = block.timestamp + Constants.CH_TRADING_PAUSE_DURATION;
        _tradingPausedUntil = pausedUntil;
        emit IClearinghouse.TradingPaused(msg.sender, pausedUntil);
    }

    /// @dev `IClearinghouse.unpauseTrading`.
    function unpauseTrading() external onlyDelegated nonReentrant {
        if (!hasRole(GUARDIAN, msg.sender)) _checkRole(DEFAULT_ADMIN_ROLE);
        if (block.timestamp >= _tradingPausedUntil) revert IClearinghouse.Clearinghouse_TradingNotPaused();
        // The pause ends now; the cooldown for the next one counts from here.
        _tradingPausedUntil = block.timestamp;
        emit IClearinghouse.TradingUnpaused(msg.sender);
    }

    // ============================================================================ views
    // Run through `Clearinghouse.viewInExtension` in a static call.

    /// @dev `IClearinghouse.tradingPauseAvailableAt`.
    function tradingPauseAvailableAt() external view onlyDelegated returns (uint256) {
        return _tradingPauseAvailableAt();
    }

    /// @dev `IClearinghouse.domainSeparator`.
    function domainSeparator() external view onlyDelegated returns (bytes32) {
        return _domainSeparatorV4();
    }

    /// @dev `IClearinghouse.hashOrder`.
    function hashOrder(Order calldata order) external view onlyDelegated returns (bytes32) {
        return _hashTypedDataV4(OrderLib.hashCalldata(order));
    }

    /// @dev `IClearinghouse.isCancelled`.
    function isCancelled(bytes32 orderHash) external view onlyDelegated returns (bool) {
        return _orderStates[orderHash] & ORDER_CANCELLED_BIT != 0;
    }

    /// @dev `IClearinghouse.filledX18`.
    function filledX18(bytes32 orderHash) external view onlyDelegated returns (uint256) {
        return _orderStates[orderHash] & ~ORDER_CANCELLED_BIT;
    }

    /// @dev `IClearinghouse.isNonceUsed`.
    function isNonceUsed(address owner, uint256 nonce) external view onlyDelegated returns (bool) {
        return OrderLib.isNonceUsed(_nonceBitmap[owner], nonce);
    }

    /// @dev `IClearinghouse.fundingState`.
    function fundingState(bytes32 marketId) external view onlyDelegated returns (FundingState memory) {
        return FundingMath.unpack(_fundingStates[marketId]);
    }

    /// @dev `IClearinghouse.circuitBreakerState`.
    function circuitBreakerState(
        bytes32 marketId
    ) external view onlyDelegated returns (CircuitBreakerState memory) {
        return _breakers[marketId];
    }

    /// @dev `IClearinghouse.marginRatioX18`.
    function marginRatioX18(AccountId account) external view onlyDelegated returns (int256) {
        return MarginMath.marginRatioX18(IClearinghouse(address(this)).accountHealth(account));
    }
}
