// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {SignedMath} from "@openzeppelin/contracts/utils/math/SignedMath.sol";
import {IClearinghouse} from "../interfaces/IClearinghouse.sol";
import {ICollateralVault} from "../interfaces/ICollateralVault.sol";
import {IMarginAuthority} from "../interfaces/IMarginAuthority.sol";
import {IMarketRegistry} from "../interfaces/IMarketRegistry.sol";
import {IOracleAdapter} from "../interfaces/IOracleAdapter.sol";
import {BoundedSignatureChecker} from "../libraries/BoundedSignatureChecker.sol";
import {Constants} from "../libraries/Constants.sol";
import {MarginMath} from "../libraries/MarginMath.sol";
import {MarketSetLib} from "../libraries/MarketSetLib.sol";
import {OrderLib} from "../libraries/OrderLib.sol";
import {PositionMath} from "../libraries/PositionMath.sol";
import {AccountId, AccountIdLib} from "../types/Account.sol";
import {CircuitBreakerState, Match, MarketConfig, SkipReason} from "../types/Clearinghouse.sol";
import {AccountHealth, FundingState, Position} from "../types/Market.sol";
import {Order} from "../types/Order.sol";
import {RISK_TRANSFER_WORDS, RiskTransferResult} from "../types/Liquidation.sol";
import {ClearinghouseMarkets, MarketCache, TradingMode} from "./ClearinghouseMarkets.sol";
import {Batch, Side} from "./ClearinghouseAccounts.sol";
import {ClearinghouseExtension} from "./ClearinghouseExtension.sol";
import {ClearinghouseState} from "./ClearinghouseState.sol";

/// @title Clearinghouse
/// @notice Batch settlement of signed orders, cross margin, funding and risk controls. See
/// `IClearinghouse` and docs/clearinghouse.md.
contract Clearinghouse is IClearinghouse, ClearinghouseState {
    using OrderLib for Order;

    /// @inheritdoc IClearinghouse
    bytes32 public constant MATCHER_ROLE = keccak256("MATCHER_ROLE");
    /// @inheritdoc IClearinghouse
    bytes32 public constant GUARDIAN_ROLE = GUARDIAN;

    /// @notice `viewInExtension` was called by another account than this contract.
    error Clearinghouse_NotSelf(address caller);

    /// @notice The contract running the infrequent entry points in this contract's storage
    /// (`ClearinghouseExtension`, deployed by the constructor; see `_delegateToExtension`).
    address public immutable extension;
    /// @dev `this.viewInExtension.selector`.
    uint32 private constant VIEW_IN_EXTENSION_SELECTOR = 0x08664081;
    /// @param collateralVault The vault whose margin authority this contract becomes.
    /// @param oracleAdapter The oracle adapter (grant this contract `TRADE_REPORTER_ROLE` there).
    /// @param marketRegistry The market registry.
    /// @param admin `DEFAULT_ADMIN_ROLE` (the governance timelock).
    /// @param guardian `GUARDIAN_ROLE` (trading pause only).
    constructor(
        ICollateralVault collateralVault,
        IOracleAdapter oracleAdapter,
        IMarketRegistry marketRegistry,
        address admin,
        address guardian
    ) ClearinghouseState(collateralVault, oracleAdapter, marketRegistry) {
        if (admin == address(0) || guardian == address(0)) revert Clearinghouse_ZeroAddress();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(GUARDIAN_ROLE, guardian);
        extension = address(new ClearinghouseExtension(collateralVault, oracleAdapter, marketRegistry));
    }

    // ============================================================================ trading

    /// @inheritdoc IClearinghouse
    function settleMatches(
        Match[] calldata matches
    ) external nonReentrant onlyRole(MATCHER_ROLE) returns (uint256 settled) {
        uint256 count = matches.length;
        if (count == 0) revert Clearinghouse_EmptyBatch();
        if (count > Constants.CH_MAX_MATCHES_PER_BATCH) {
            revert Clearinghouse_BatchTooLarge(count, Constants.CH_MAX_MATCHES_PER_BATCH);
        }
        uint256 pausedUntil = _tradingPausedUntil;
        if (block.timestamp < pausedUntil) revert Clearinghouse_TradingPaused(pausedUntil);
        Batch memory batch = _newBatch(INITIAL_MARKET_CAPACITY, 2 * count);
        batch.sequencerDown = _sequencerDown();
        for (uint256 i; i < count; ++i) {
            if (_settleMatch(batch, matches, i)) ++settled;
        }
        _finishBatch(batch);
    }

    // ============================================================================ cancellation

    /// @inheritdoc IClearinghouse
    /// @dev Runs in `extension`.
    function cancelOrders(Order[] calldata) external {
        _delegateToExtension();
    }

    /// @inheritdoc IClearinghouse
    /// @dev Runs in `extension`.
    function raiseNonceFloor(address, uint256) external {
        _delegateToExtension();
    }

    /// @inheritdoc IClearinghouse
    /// @dev Runs in `extension`.
    function invalidateNonces(address, uint256, uint256) external {
        _delegateToExtension();
    }

    // ============================================================================ keepers

    /// @inheritdoc IClearinghouse
    function fund(bytes32[] calldata marketIds) external nonReentrant {
        uint256 count = marketIds.length;
        for (uint256 i; i < count; ++i) {
            (MarketCache memory market, bool ok) = _loadMarket(marketIds[i]);
            if (!ok) revert Clearinghouse_UnknownMarket(marketIds[i]);
            _storeMarket(market);
        }
    }

    /// @inheritdoc IClearinghouse
    /// @dev Runs in `extension`.
    function settlePosition(AccountId, bytes32) external {
        _delegateToExtension();
    }

    // ============================================================================ guardian

    /// @inheritdoc IClearinghouse
    /// @dev Runs in `extension`.
    function pauseTrading() external {
        _delegateToExtension();
    }

    /// @inheritdoc IClearinghouse
    /// @dev Runs in `extension`.
    function unpauseTrading() external {
        _delegateToExtension();
    }

    // ============================================================================ views

    /// @inheritdoc IClearinghouse
    function tradingPausedUntil() external view returns (uint256) {
        return _tradingPausedUntil;
    }

    /// @inheritdoc IClearinghouse
    /// @dev Runs in `extension`.
    function tradingPauseAvailableAt() external view returns (uint256) {
        _viewInExtension();
    }

    /// @inheritdoc IClearinghouse
    function vault() external view returns (ICollateralVault) {
        return _vault;
    }

    /// @inheritdoc IClearinghouse
    function oracle() external view returns (IOracleAdapter) {
        return _oracle;
    }

    /// @inheritdoc IClearinghouse
    function registry() external view returns (IMarketRegistry) {
        return _registry;
    }

    /// @inheritdoc IClearinghouse
    function totalOpenNotionalX18() external view returns (int256) {
        return _totalOpenNotionalX18;
    }

    /// @inheritdoc IClearinghouse
    function settledBalanceX18() external view returns (int256) {
        return _settledBalanceX18;
    }

    /// @inheritdoc IClearinghouse
    /// @dev Runs in `extension`.
    function domainSeparator() external view returns (bytes32) {
        _viewInExtension();
    }

    /// @inheritdoc IClearinghouse
    /// @dev Runs in `extension`.
    function hashOrder(Order calldata) external view returns (bytes32) {
        _viewInExtension();
    }

    /// @inheritdoc IClearinghouse
    /// @dev Runs in `extension`.
    function isCancelled(bytes32) external view returns (bool) {
        _viewInExtension();
    }

    /// @inheritdoc IClearinghouse
    /// @dev Runs in `extension`.
    function filledX18(bytes32) external view returns (uint256) {
        _viewInExtension();
    }

    /// @inheritdoc IClearinghouse
    /// @dev Kept in the market-set word of the owner's subaccount 0 (`MarketSetLib`).
    function nonceFloor(address owner) public view returns (uint256) {
        return MarketSetLib.nonceFloor(_accountMarketSets[AccountIdLib.from(owner, 0)]);
    }

    /// @inheritdoc IClearinghouse
    /// @dev Runs in `extension`.
    function isNonceUsed(address, uint256) external view returns (bool) {
        _viewInExtension();
    }

    /// @inheritdoc IClearinghouse
    /// @dev Runs in `extension`.
    function fundingState(bytes32) external view returns (FundingState memory) {
        _viewInExtension();
    }

    /// @inheritdoc IClearinghouse
    function openInterest(
        bytes32 marketId
    ) external view returns (uint256 longX18, uint256 shortX18, uint256 splitFactorX18) {
        ClearinghouseMarkets.OpenInterestState memory oi = _openInterest[marketId];
        return (oi.longX18, oi.shortX18, uint128(_marketScales[marketId]));
    }

    /// @inheritdoc IClearinghouse
    /// @dev Runs in `extension`.
    function circuitBreakerState(bytes32) external view returns (CircuitBreakerState memory) {
        _viewInExtension();
    }

    /// @inheritdoc IClearinghouse
    /// @dev `account`'s position in `marketId` as stored (split factor and funding index of its
    /// last touch); all zero without a position.
    function position(AccountId account, bytes32 marketId) external view returns (Position memory p) {
        uint256 index = _marketIndices[marketId];
        if (index == 0) return p;
        (bool found, uint256 lane) = MarketSetLib.find(_accountMarketSets[account], index);
        if (found) p = PositionMath.load(_positions[account][lane], _fundingCheckpoints[marketId]);
    }

    /// @inheritdoc IClearinghouse
    /// @dev The markets in which `account` holds a position, in lane order.
    function accountMarkets(AccountId account) external view returns (bytes32[] memory marketIds) {
        uint256 set = _accountMarketSets[account];
        marketIds = new bytes32[](MarketSetLib.count(set));
        uint256 n;
        for (uint256 lane; n < marketIds.length; ++lane) {
            uint256 index = MarketSetLib.at(set, lane);
            if (index != 0) marketIds[n++] = _indexedMarkets[index];
        }
    }

    /// @inheritdoc IClearinghouse
    function accountHealth(AccountId account) public view returns (AccountHealth memory) {
        // Room for every market an account may hold (pointers only: `_pointerArray` allocates no structs).
        Batch memory batch = _newBatch(Constants.CH_MAX_MARKETS_PER_ACCOUNT, 0);
        uint256 set = _accountMarketSets[account];
        return _health(batch, account, _vault.collateralX18(account), set, MarketSetLib.NO_LANE);
    }

    /// @inheritdoc IClearinghouse
    /// @dev Runs in `extension`.
    function marginRatioX18(AccountId) external view returns (int256) {
        _viewInExtension();
    }

    /// @inheritdoc IMarginAuthority
    /// @dev Never reverts: without positions it is the collateral; otherwise a failure anywhere in the
    /// health computation (an oracle or registry revert) answers 0 for this account only.
    function withdrawableX18(AccountId account) external view returns (uint256) {
        int256 collateralX18 = _vault.collateralX18(account);
        if (MarketSetLib.count(_accountMarketSets[account]) == 0) {
            return collateralX18 > 0 ? uint256(collateralX18) : 0;
        }
        try this.accountHealth(account) returns (AccountHealth memory health) {
            return MarginMath.withdrawableX18(collateralX18, health);
        } catch {
            return 0;
        }
    }

    /// @inheritdoc IMarginAuthority
    function totalUnrealizedPnlX18() external view returns (int256) {
        return _settledBalanceX18 - _totalOpenNotionalX18;
    }

    // ============================================================================ match settlement

    /// @dev Validates match `index`, computes both sides in memory, checks margin, then writes.
    /// Returns false (after `MatchSkipped`) for a bad match; never reverts for one.
    function _settleMatch(
        Batch memory batch,
        Match[] calldata matches,
        uint256 index
    ) private returns (bool) {
        Match calldata m = matches[index];
        Side memory maker;
        Side memory taker;
        maker.orderHash = _hashTypedDataV4(OrderLib.hashCalldata(m.maker));
        taker.orderHash = _hashTypedDataV4(OrderLib.hashCalldata(m.taker));
        (SkipReason reason, bool ok, uint256 marketIndex) = _checkMatch(batch, m, maker, taker);
        if (ok) (reason, ok) = _computeMatch(batch, m, batch.markets[marketIndex], maker, taker);
        if (!ok) {
            emit MatchSkipped(index, maker.orderHash, taker.orderHash, reason);
            return false;
        }
        MarketCache memory market = batch.markets[marketIndex];
        if (!market.checkpointChosen) _chooseCheckpoint(market, _matchesIn(matches, index, market.marketId));
        _writeMatch(batch, m, market, maker, taker);
        _emitSettled(index, m, maker, taker);
        return true;
    }

    /// @dev The matches from `from` on whose maker order is in `marketId`, counted up to
    /// `CH_CHECKPOINT_MIN_MATCHES` (all `_chooseCheckpoint` needs to know).
    function _matchesIn(
        Match[] calldata matches,
        uint256 from,
        bytes32 marketId
    ) private pure returns (uint256 n) {
        uint256 count = matches.length;
        for (uint256 i = from; i < count && n < Constants.CH_CHECKPOINT_MIN_MATCHES; ++i) {
            if (matches[i].maker.marketId == marketId) ++n;
        }
    }

    function _emitSettled(uint256 index, Match calldata m, Side memory maker, Side memory taker) private {
        emit MatchSettled(
            index,
            m.maker.marketId,
            maker.orderHash,
            taker.orderHash,
            maker.account,
            taker.account,
            m.taker.isBuy,
            m.fillSizeX18,
            m.maker.limitPriceX18,
            maker.feeX18,
            taker.feeX18
        );
    }

    /// @dev The order-level and market-level checks, in the order of `SkipReason`.
    function _checkMatch(
        Batch memory batch,
        Match calldata m,
        Side memory maker,
        Side memory taker
    ) private view returns (SkipReason, bool, uint256 marketIndex) {
        Order calldata mo = m.maker;
        Order calldata to = m.taker;
        if (mo.marketId != to.marketId) return (SkipReason.MARKET_MISMATCH, false, marketIndex);
        if (mo.isBuy == to.isBuy) return (SkipReason.SAME_SIDE, false, marketIndex);
        maker.account = mo.account();
        taker.account = to.account();
        if (maker.account.eq(taker.account)) return (SkipReason.SELF_TRADE, false, marketIndex);
        marketIndex = _marketIn(batch, mo.marketId);
        MarketCache memory market = batch.markets[marketIndex];
        if (!market.listed) return (SkipReason.UNKNOWN_MARKET, false, marketIndex);
        uint256 step = market.config.stepSizeX18;
        uint256 fill = m.fillSizeX18;
        if (fill == 0 || fill > Constants.CH_MAX_ABS_SIZE_X18 || fill % step != 0) {
            return (SkipReason.INVALID_FILL_SIZE, false, marketIndex);
        }
        if (!_orderFitsMarket(mo, market.config)) return (SkipReason.MAKER_INVALID, false, marketIndex);
        if (!_orderFitsMarket(to, market.config)) return (SkipReason.TAKER_INVALID, false, marketIndex);
        if (to.isPostOnly()) return (SkipReason.TAKER_POST_ONLY, false, marketIndex);
        if (mo.isExpired(block.timestamp)) return (SkipReason.MAKER_EXPIRED, false, marketIndex);
        if (to.isExpired(block.timestamp)) return (SkipReason.TAKER_EXPIRED, false, marketIndex);
        bool live;
        (live, maker.orderState) = _liveFilledX18(mo, maker.orderHash);
        if (!live) return (SkipReason.MAKER_CANCELLED, false, marketIndex);
        (live, taker.orderState) = _liveFilledX18(to, taker.orderHash);
        if (!live) return (SkipReason.TAKER_CANCELLED, false, marketIndex);
        if (OrderLib.remainingX18(mo.sizeX18, maker.orderState) < fill) {
            return (SkipReason.MAKER_OVERFILL, false, marketIndex);
        }
        if (OrderLib.remainingX18(to.sizeX18, taker.orderState) < fill) {
            return (SkipReason.TAKER_OVERFILL, false, marketIndex);
        }
        if (mo.epoch != market.price.epoch) return (SkipReason.MAKER_EPOCH_MISMATCH, false, marketIndex);
        if (to.epoch != market.price.epoch) return (SkipReason.TAKER_EPOCH_MISMATCH, false, marketIndex);
        if (!to.isPriceWithinLimit(mo.limitPriceX18))
            return (SkipReason.TAKER_LIMIT_PRICE, false, marketIndex);
        (SkipReason reason, bool ok) = _checkMarketAndSignatures(m, market, maker.orderHash, taker.orderHash);
        return (reason, ok, marketIndex);
    }

    function _checkMarketAndSignatures(
        Match calldata m,
        MarketCache memory market,
        bytes32 makerHash,
        bytes32 takerHash
    ) private view returns (SkipReason, bool) {
        if (market.mode == TradingMode.SETTLED) return (SkipReason.MARKET_SETTLED, false);
        if (market.mode == TradingMode.HALTED) return (SkipReason.MARKET_HALTED, false);
        uint256 priceX18 = m.maker.limitPriceX18;
        uint256 markX18 = market.price.markPriceX18;
        // The band's half-width rounds down: a price exactly on a rounded edge is rejected, not accepted.
        uint256 halfBandX18 = (markX18 * market.params.fillBandBps) / Constants.BPS;
        if (priceX18 + halfBandX18 < markX18 || priceX18 > markX18 + halfBandX18) {
            return (SkipReason.PRICE_OUTSIDE_FILL_BAND, false);
        }
        if (priceX18 < market.price.bandLowX18 || priceX18 > market.price.bandHighX18) {
            return (SkipReason.PRICE_OUTSIDE_ORACLE_BAND, false);
        }
        if (!_validSignature(m.maker, makerHash, m.makerSignature)) {
            return (SkipReason.MAKER_SIGNATURE, false);
        }
        if (!_validSignature(m.taker, takerHash, m.takerSignature)) {
            return (SkipReason.TAKER_SIGNATURE, false);
        }
        return (SkipReason.MARKET_MISMATCH, true);
    }

    /// @dev Position, open-interest and margin checks on the computed new state.
    function _computeMatch(
        Batch memory batch,
        Match calldata m,
        MarketCache memory market,
        Side memory maker,
        Side memory taker
    ) private returns (SkipReason, bool) {
        uint256 priceX18 = m.maker.limitPriceX18;
        _computeSide(batch, market, m.maker, m.fillSizeX18, priceX18, market.params.makerFeeBps, maker);
        _computeSide(batch, market, m.taker, m.fillSizeX18, priceX18, market.params.takerFeeBps, taker);
        bool makerReduces = PositionMath.reducesRisk(maker.oldSizeX18, maker.sizeX18);
        bool takerReduces = PositionMath.reducesRisk(taker.oldSizeX18, taker.sizeX18);
        if (m.maker.isReduceOnly() && !makerReduces) return (SkipReason.MAKER_REDUCE_ONLY, false);
        if (m.taker.isReduceOnly() && !takerReduces) return (SkipReason.TAKER_REDUCE_ONLY, false);
        bool reduceOnly = market.mode == TradingMode.REDUCE_ONLY || batch.sequencerDown;
        if (reduceOnly && !(makerReduces && takerReduces)) return (SkipReason.MARKET_REDUCE_ONLY, false);
        if (!_withinPositionBounds(maker) || !_withinPositionBounds(taker)) {
            return (SkipReason.POSITION_LIMIT, false);
        }
        (uint256 longX18, uint256 shortX18) = _openInterestAfter(market, maker, taker);
        if (!_openInterestAllowed(market, longX18, shortX18)) return (SkipReason.OPEN_INTEREST_CAP, false);
        if (_opensTooMany(maker)) return (SkipReason.MAKER_TOO_MANY_MARKETS, false);
        if (_opensTooMany(taker)) return (SkipReason.TAKER_TOO_MANY_MARKETS, false);
        if (!_marginOk(batch, market, maker, makerReduces)) return (SkipReason.MAKER_MARGIN, false);
        if (!_marginOk(batch, market, taker, takerReduces)) return (SkipReason.TAKER_MARGIN, false);
        // Every check passed: the match's open interest is the market's (`_writeMatch` follows).
        market.longX18 = longX18;
        market.shortX18 = shortX18;
        return (SkipReason.MARKET_MISMATCH, true);
    }

    /// @dev Syncs the side's stored position (funding, splits) and applies the fill in memory.
    function _computeSide(
        Batch memory batch,
        MarketCache memory market,
        Order calldata order,
        uint256 fillSizeX18,
        uint256 priceX18,
        int256 feeBps,
        Side memory side
    ) private {
        _syncSide(batch, market, side);
        // The fill is in (0, CH_MAX_ABS_SIZE_X18] (`_checkMatch`'s INVALID_FILL_SIZE): it fits int256.
        int256 fillX18 = order.isBuy ? int256(fillSizeX18) : -int256(fillSizeX18);
        if (_fillWouldOverflow(side, fillX18, priceX18)) {
            // Leave the position unchanged but mark it out of bounds for `_withinPositionBounds`.
            side.sizeX18 = type(int256).max;
        } else {
            (side.sizeX18, side.openNotionalX18, side.realizedPnlX18) = PositionMath.applyFill(
                side.oldSizeX18,
                side.oldOpenNotionalX18,
                fillX18,
                priceX18
            );
        }
        side.feeX18 = PositionMath.tradingFeeX18(fillX18, priceX18, feeBps);
    }

    /// @dev Whether equity after the fill covers initial margin (risk grows) or stays non-negative
    /// (risk does not grow: an account may always reduce while it stays solvent).
    function _marginOk(
        Batch memory batch,
        MarketCache memory market,
        Side memory side,
        bool reduces
    ) private view returns (bool) {
        (int256 equityX18, uint256 initialMarginX18) = _sideMargin(batch, market, side);
        if (reduces) return equityX18 >= 0;
        // The requirement is below 2^200 (MarginMath's bounds): the cast is exact.
        return equityX18 >= int256(initialMarginX18);
    }

    /// @dev Writes both sides of a validated match: positions, order fills, account lists, caches.
    function _writeMatch(
        Batch memory batch,
        Match calldata m,
        MarketCache memory market,
        Side memory maker,
        Side memory taker
    ) private {
        _recordFill(m.maker, maker, m.fillSizeX18);
        _recordFill(m.taker, taker, m.fillSizeX18);
        _writeSides(batch, market, maker, taker);
        market.traded = true;
        uint256 priceX18 = m.maker.limitPriceX18;
        market.volumeSizeX18 += m.fillSizeX18;
        market.volumeNotionalX18 += PositionMath.notionalX18(int256(m.fillSizeX18), priceX18);
    }

    /// @dev Stores both sides (positions, collateral deltas, rounding dust and fees); the caller has
    /// moved the market's open interest.
    function _writeSides(
        Batch memory batch,
        MarketCache memory market,
        Side memory maker,
        Side memory taker
    ) private {
        int256 realizedX18 = _writeSide(batch, market, maker) + _writeSide(batch, market, taker);
        int256 openNotionalDeltaX18 =
            maker.openNotionalX18 -
                maker.oldOpenNotionalX18 +
                taker.openNotionalX18 -
                taker.oldOpenNotionalX18;
        // Rounding dust of the fill (>= 0, PositionMath rounds every share toward the protocol) goes to
        // the fee treasury so that the vault's accounting identity stays exact.
        int256 dustX18 = SafeCast.toInt256(SafeCast.toUint256(openNotionalDeltaX18 - realizedX18));
        batch.feeDeltaX18 += maker.feeX18 + taker.feeX18 + dustX18;
        batch.openNotionalDeltaX18 += openNotionalDeltaX18;
        // Funding paid into (taken out of) the settled balance until the other side settles.
        batch.settledDeltaX18 += maker.fundingOwedX18 + taker.fundingOwedX18;
    }

    function _orderFitsMarket(Order calldata order, MarketConfig memory config) private pure returns (bool) {
        return
            order.isWellFormed() &&
            order.sizeX18 >= config.minOrderSizeX18 &&
            order.sizeX18 % config.stepSizeX18 == 0 &&
            order.limitPriceX18 % config.tickSizeX18 == 0;
    }

    /// @dev Whether the order may still fill, and its filled size. Dead: below the owner's nonce floor,
    /// or its nonce bit set (by a fill, a cancel or an invalidation) and the order is not itself
    /// partially filled and still open. A fresh order (bit clear) costs no `_orderStates` read.
    function _liveFilledX18(
        Order calldata order,
        bytes32 orderHash
    ) private view returns (bool live, uint256 filled) {
        address owner = order.owner;
        uint256 nonce = order.nonce;
        // The floor lives in the set word of the owner's subaccount 0: for an order of that account
        // (the common case) it is the slot `_syncSide` reads next, so it is read once.
        if (nonce < nonceFloor(owner)) return (false, 0);
        (uint256 wordIndex, uint256 mask) = OrderLib.nonceBitmapPosition(nonce);
        if (_nonceBitmap[owner][wordIndex] & mask == 0) return (true, 0);
        filled = _orderStates[orderHash];
        // Live only while partially filled: 0 < filled < ORDER_CANCELLED_BIT (0 = completed, cancelled
        // with another order's nonce, or never filled; unchecked: 0 wraps above the bound).
        unchecked {
            live = filled - 1 < ORDER_CANCELLED_BIT - 1 && _invalidatedNonces[owner][wordIndex] & mask == 0;
        }
    }

    /// @dev The signer is the owner or its vault operator, and the signature is valid for it (ECDSA or
    /// ERC-1271 through a staticcall). An ECDSA signature that recovers to the signer is accepted
    /// before the signer's code is looked at: it skips a cold EXTCODESIZE (2,600 gas) per order, and it
    /// proves control of the signer's key (for a signer with code, only an EIP-7702 account has one).
    function _validSignature(
        Order calldata order,
        bytes32 digest,
        bytes calldata signature
    ) private view returns (bool) {
        address signer = order.signer;
        if (signer != order.owner && !_vault.isOperator(order.owner, signer)) return false;
        (address recovered, ECDSA.RecoverError error, ) = ECDSA.tryRecoverCalldata(digest, signature);
        if (error == ECDSA.RecoverError.NoError && recovered == signer) return true;
        // A contract signer gets a fixed gas budget: a wallet that burns gas skips only its own match.
        return BoundedSignatureChecker.isValidSignatureNow(signer, digest, signature);
    }

    /// @dev `side.orderState` is the filled size `_checkMatch` found (0 for a fresh order).
    function _recordFill(Order calldata order, Side memory side, uint256 fillSizeX18) private {
        OrderLib.recordFill(
            _orderStates,
            _nonceBitmap[order.owner],
            side.orderHash,
            order.sizeX18,
            order.nonce,
            side.orderState,
            fillSizeX18
        );
    }

    /// @dev Whether `applyFill` would exceed its size or open-notional bounds (checked before calling
    /// it, so that the batch never reverts).
    function _fillWouldOverflow(
        Side memory side,
        int256 fillX18,
        uint256 priceX18
    ) private pure returns (bool) {
        int256 newSizeX18 = side.oldSizeX18 + fillX18;
        if (SignedMath.abs(newSizeX18) > Constants.CH_MAX_ABS_SIZE_X18) return true;
        uint256 fillNotionalX18 = PositionMath.notionalX18(fillX18, priceX18);
        return
            SignedMath.abs(side.oldOpenNotionalX18) + fillNotionalX18 >
            Constants.CH_MAX_ABS_OPEN_NOTIONAL_X18;
    }

    function _withinPositionBounds(Side memory side) private pure returns (bool) {
        return SignedMath.abs(side.sizeX18) <= Constants.CH_MAX_ABS_SIZE_X18;
    }

    /// @dev Open interest may always shrink; a side that grows must stay within the session cap at the mark.
    function _openInterestAllowed(
        MarketCache memory market,
        uint256 longX18,
        uint256 shortX18
    ) private pure returns (bool) {
        uint256 capX18 = market.params.openInterestCapX18;
        uint256 markX18 = market.price.markPriceX18;
        if (
            longX18 > market.longX18 && PositionMath.notionalX18(SafeCast.toInt256(longX18), markX18) > capX18
        ) {
            return false;
        }
        return
            !(shortX18 > market.shortX18 &&
                PositionMath.notionalX18(SafeCast.toInt256(shortX18), markX18) > capX18);
    }

    function _openInterestAfter(
        MarketCache memory market,
        Side memory maker,
        Side memory taker
    ) private pure returns (uint256 longX18, uint256 shortX18) {
        (longX18, shortX18) = _movedOpenInterest(
            market.longX18,
            market.shortX18,
            maker.oldSizeX18,
            maker.sizeX18
        );
        return _movedOpenInterest(longX18, shortX18, taker.oldSizeX18, taker.sizeX18);
    }

    /// @dev A new position in a market while the account's set has no free lane.
    function _opensTooMany(Side memory side) private pure returns (bool) {
        return !side.listed && side.sizeX18 != 0 && side.lane == MarketSetLib.NO_LANE;
    }

    /// @notice The entry point of the views that run in `extension`: callable only by this contract
    /// (`_viewInExtension`, in a static call), it runs the call that follows its selector in the
    /// calldata in `extension`.
    function viewInExtension() external {
        if (msg.sender != address(this)) revert Clearinghouse_NotSelf(msg.sender);
        address target = extension;
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            let size := sub(calldatasize(), 4)
            calldatacopy(ptr, 4, size)
            let ok := delegatecall(gas(), target, ptr, size, 0, 0)
            returndatacopy(ptr, 0, returndatasize())
            if iszero(ok) {
                revert(ptr, returndatasize())
            }
            return(ptr, returndatasize())
        }
    }

    /// @dev Runs the current view call in `extension`: a view cannot `delegatecall`, so it static-calls
    /// this contract's `viewInExtension` with its own calldata appended (the static context keeps
    /// the extension's code from writing), then returns or reverts with the result.
    function _viewInExtension() private view {
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, shl(224, VIEW_IN_EXTENSION_SELECTOR))
            calldatacopy(add(ptr, 4), 0, calldatasize())
            let ok := staticcall(gas(), address(), ptr, add(calldatasize(), 4), 0, 0)
            returndatacopy(ptr, 0, returndatasize())
            if iszero(ok) {
                revert(ptr, returndatasize())
            }
            return(ptr, returndatasize())
        }
    }

    /// @dev Runs the current call in `extension` (this contract's storage, `msg.sender` and value
    /// preserved) and returns or reverts with its result.
    function _delegateToExtension() private {
        address target = extension;
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            calldatacopy(ptr, 0, calldatasize())
            let ok := delegatecall(gas(), target, ptr, calldatasize(), 0, 0)
            returndatacopy(ptr, 0, returndatasize())
            if iszero(ok) {
                revert(ptr, returndatasize())
            }
            return(ptr, returndatasize())
        }
    }

    // ============================================================================ liquidation
    // Risk transfers for the liquidation engine (IClearinghouseLiquidation, docs/liquidation.md).

    /// @inheritdoc IClearinghouse
    bytes32 public constant LIQUIDATOR_ROLE = keccak256("LIQUIDATOR_ROLE");

    /// @notice See `IClearinghouseLiquidation.transferRisk`: the result is returned as the ABI words of
    /// a `RiskTransferResult` (identical encoding, without a struct encoder in this contract).
    function transferRisk(
        AccountId from,
        AccountId to,
        bytes32 marketId,
        uint256 maxSizeX18,
        uint256 priceX18
    ) external nonReentrant onlyRole(LIQUIDATOR_ROLE) returns (int256[RISK_TRANSFER_WORDS] memory words) {
        Batch memory batch = _newBatch(1, 2);
        MarketCache memory market = batch.markets[_marketIn(batch, marketId)];
        Side memory giver;
        giver.account = from;
        _syncSide(batch, market, giver);
        int256 fromSizeX18 = giver.oldSizeX18;
        Side memory taker;
        taker.account = to;
        _syncSide(batch, market, taker);
        RiskTransferResult memory r;
        AccountHealth memory health = _sideHealth(batch, market, giver);
        r.fromEquityBeforeX18 = health.equityX18;
        r.fromMaintenanceMarginBeforeX18 = health.maintenanceMarginX18;
        if (priceX18 == 0) priceX18 = market.price.markPriceX18;
        uint256 sizeX18 = SignedMath.abs(fromSizeX18);
        if (maxSizeX18 < sizeX18) sizeX18 = maxSizeX18;
        // size <= |position| < 2^127 (PositionMath's bounds): the cast is exact.
        int256 fillX18 = fromSizeX18 > 0 ? -int256(sizeX18) : int256(sizeX18);
        _riskFill(giver, fillX18, priceX18);
        _riskFill(taker, -fillX18, priceX18);
        r.fromEquityAfterX18 = _sideHealth(batch, market, giver).equityX18;
        health = _sideHealth(batch, market, taker);
        r.toEquityAfterX18 = health.equityX18;
        r.toInitialMarginAfterX18 = health.initialMarginX18;
        r.sizeX18 = sizeX18;
        r.priceX18 = priceX18;
        r.fromSizeBeforeX18 = fromSizeX18;
        r.toSizeBeforeX18 = taker.oldSizeX18;
        r.state = market.price.state;
        r.bandLowX18 = market.price.bandLowX18;
        r.bandHighX18 = market.price.bandHighX18;
        r.stepSizeX18 = market.config.stepSizeX18;
        r.minOrderSizeX18 = market.config.minOrderSizeX18;
        _updateOpenInterest(market, giver.oldSizeX18, giver.sizeX18);
        _updateOpenInterest(market, taker.oldSizeX18, taker.sizeX18);
        _writeSides(batch, market, giver, taker);
        _finishBatch(batch);
        // A flat struct of one-word fields has the memory layout of the word array.
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            words := r
        }
    }

    function _riskFill(Side memory side, int256 fillX18, uint256 priceX18) private pure {
        // `applyFill` reverts beyond the position bounds (and for a zero fill or price).
        (side.sizeX18, side.openNotionalX18, side.realizedPnlX18) = PositionMath.applyFill(
            side.oldSizeX18,
            side.oldOpenNotionalX18,
            fillX18,
            priceX18
        );
    }
}
