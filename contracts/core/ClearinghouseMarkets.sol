// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IClearinghouse} from "../interfaces/IClearinghouse.sol";
import {IMarketRegistry} from "../interfaces/IMarketRegistry.sol";
import {IOracleAdapter} from "../interfaces/IOracleAdapter.sol";
import {ISequencerGuard} from "../interfaces/ISequencerGuard.sol";
import {Constants} from "../libraries/Constants.sol";
import {FundingMath} from "../libraries/FundingMath.sol";
import {PositionMath} from "../libraries/PositionMath.sol";
import {CircuitBreakerParams, CircuitBreakerState, MarketConfig} from "../types/Clearinghouse.sol";
import {FundingState, MarketStatus, PackedFundingState, SessionRiskParams} from "../types/Market.sol";
import {MarketState, PriceState} from "../types/Oracle.sol";

/// @notice What a market allows now, combining the oracle state, the registry status and the
/// circuit breaker (docs/clearinghouse.md, "Risk controls").
enum TradingMode {
    FULL,
    REDUCE_ONLY,
    HALTED,
    SETTLED
}

/// @notice One market as a batch (or a view) sees it: read once, updated in memory, written once.
struct MarketCache {
    bytes32 marketId;
    bool listed;
    TradingMode mode;
    PriceState price;
    MarketConfig config;
    SessionRiskParams params; // of the current session
    FundingState funding; // accrued to now, dividends applied
    uint256 dividendX18; // applied by this load
    uint256 longX18; // open interest at the oracle's current split factor
    uint256 shortX18;
    CircuitBreakerState breaker;
    bool breakerChanged;
    uint8 firedLevel; // the breaker level that fired at this load (0 = none)
    bool traded;
    uint256 volumeSizeX18;
    uint256 volumeNotionalX18;
    uint256 setIndex; // the market's index in account sets (0: not looked up, or none yet)
    uint256 checkpointCount; // the market's funding checkpoints (the latest is number `checkpointCount`)
    uint256 positionCheckpoint; // the checkpoint positions written by this batch refer to (0: inline)
    bool checkpointChosen; // `positionCheckpoint` was chosen (settleMatches, once per market and batch)
    uint256 readCheckpoint; // the funding checkpoint last read for a position (0: none yet)
    uint256 readCheckpointWord; // and its word
}

/// @title ClearinghouseMarkets
/// @notice The clearinghouse's per-market state: funding, open interest and circuit breaker, loaded
/// once per market per batch (oracle `priceState` + registry `tradingConfig`) and written back once.
abstract contract ClearinghouseMarkets {
    /// @dev Open interest in shares at the split factor `_openInterestSplitFactor` (rescaled lazily).
    struct OpenInterestState {
        uint128 longX18;
        uint128 shortX18;
    }

    /// @dev The oracle adapter (`IClearinghouse.oracle`).
    IOracleAdapter internal immutable _oracle;
    /// @dev The market registry (`IClearinghouse.registry`).
    IMarketRegistry internal immutable _registry;
    /// @dev The oracle's L2 sequencer guard (zero on chains without one), read at construction.
    ISequencerGuard internal immutable sequencerGuard;

    mapping(bytes32 marketId => PackedFundingState) internal _fundingStates;
    mapping(bytes32 marketId => OpenInterestState) internal _openInterest;
    /// @dev Per market, one word: the split factor its open interest is stored at (low 128 bits) and
    /// the number of its funding checkpoints (`ClearinghouseAccounts._fundingCheckpoints`, above).
    mapping(bytes32 marketId => uint256 word) internal _marketScales;
    mapping(bytes32 marketId => CircuitBreakerState) internal _breakers;

    constructor(IOracleAdapter oracleAdapter, IMarketRegistry marketRegistry) {
        if (address(oracleAdapter) == address(0) || address(marketRegistry) == address(0)) {
            revert IClearinghouse.Clearinghouse_ZeroAddress();
        }
        _oracle = oracleAdapter;
        _registry = marketRegistry;
        sequencerGuard = oracleAdapter.sequencerGuard();
    }

    // ============================================================================ load and store

    /// @dev Reads the market once and brings it to now in memory: funding accrued (not while HALTED
    /// or SETTLED: the prices are frozen), new dividends applied (not while HALTED: a due action is
    /// not applied yet), open interest rescaled to the current split factor, circuit breaker
    /// evaluated. `ok` is false for a market the oracle or the registry does not know.
    function _loadMarket(bytes32 marketId) internal view returns (MarketCache memory market, bool ok) {
        market.marketId = marketId;
        try _oracle.priceState(marketId) returns (PriceState memory price) {
            market.price = price;
        } catch {
            return (market, false);
        }
        (market.config, market.params) = _registry.tradingConfig(marketId, market.price.session);
        if (!market.config.listed) return (market, false);
        market.listed = true;
        MarketState state = market.price.state;
        market.funding = FundingMath.unpack(_fundingStates[marketId]);
        if (_isLive(state)) {
            FundingMath.accrue(
                market.funding,
                market.config.funding,
                market.price.indexPriceX18,
                market.price.splitFactorX18,
                block.timestamp
            );
            _evaluateBreaker(market);
        }
        if (state != MarketState.HALTED) {
            market.dividendX18 = FundingMath.applyDividend(
                market.funding,
                market.price.cumulativeDividendX18
            );
        }
        _loadOpenInterest(market);
        market.mode = _mode(market);
        return (market, true);
    }

    /// @dev Writes a loaded market back: funding (sampling the batch's premium or keeping the last
    /// one, and the current session's multiplier), open interest, circuit breaker.
    function _storeMarket(MarketCache memory market) internal {
        bytes32 marketId = market.marketId;
        FundingState memory funding = market.funding;
        if (_isLive(market.price.state)) {
            int256 premiumX18 =
                market.traded
                    ? FundingMath.premiumX18(_volumeWeightedPriceX18(market), market.price.indexPriceX18)
                    : funding.lastPremiumX18;
            FundingMath.sample(funding, premiumX18, market.params.fundingMultiplierBps);
        }
        _fundingStates[marketId] = FundingMath.pack(funding);
        if (market.dividendX18 != 0) {
            emit IClearinghouse.DividendApplied(marketId, market.dividendX18, funding.indexX18);
        }
        if (_isLive(market.price.state)) {
            emit IClearinghouse.FundingUpdated(
                marketId,
                funding.indexX18,
                funding.lastPremiumX18,
                funding.lastMultiplierBps
            );
        }
        // Open interest is at most the sum of |sizes|, each below 2^127 by PositionMath's bounds.
        _openInterest[marketId] = OpenInterestState(uint128(market.longX18), uint128(market.shortX18));
        // The split factor is at most 1e22 (the oracle's bound; checked) and the count below 2^40
        // (`_chooseCheckpoint`).
        _marketScales[marketId] =
            uint256(SafeCast.toUint128(market.price.splitFactorX18)) | (market.checkpointCount << 128);
        if (market.breakerChanged) {
            CircuitBreakerState memory breaker = market.breaker;
            _breakers[marketId] = breaker;
            if (market.firedLevel != 0) {
                emit IClearinghouse.CircuitBreakerTriggered(
                    marketId,
                    market.firedLevel,
                    breaker.referencePriceX18,
                    market.price.indexPriceX18,
                    breaker.haltedUntil,
                    breaker.reduceOnlyUntil
                );
            }
        }
    }

    /// @dev Moves one position's size change into the market's open interest (saturating at zero:
    /// split rounding can leave the aggregate a few wei above the sum of the positions).
    function _updateOpenInterest(
        MarketCache memory market,
        int256 oldSizeX18,
        int256 newSizeX18
    ) internal pure {
        (market.longX18, market.shortX18) = _movedOpenInterest(
            market.longX18,
            market.shortX18,
            oldSizeX18,
            newSizeX18
        );
    }

    /// @dev `_updateOpenInterest` on plain values (no MarketCache copy for the cap check).
    function _movedOpenInterest(
        uint256 longX18,
        uint256 shortX18,
        int256 oldSizeX18,
        int256 newSizeX18
    ) internal pure returns (uint256, uint256) {
        if (oldSizeX18 > 0) longX18 = _saturatingSub(longX18, uint256(oldSizeX18));
        else if (oldSizeX18 < 0) shortX18 = _saturatingSub(shortX18, uint256(-oldSizeX18));
        if (newSizeX18 > 0) longX18 += uint256(newSizeX18);
        else if (newSizeX18 < 0) shortX18 += uint256(-newSizeX18);
        return (longX18, shortX18);
    }

    /// @dev The batch's volume-weighted fill price, rounded down (it only feeds the EMA and the premium).
    function _volumeWeightedPriceX18(MarketCache memory market) internal pure returns (uint256) {
        return (market.volumeNotionalX18 * Constants.X18) / market.volumeSizeX18;
    }

    /// @dev Whether the L2 sequencer is down or in its grace period (a reverting guard counts as down).
    function _sequencerDown() internal view returns (bool) {
        ISequencerGuard guard = sequencerGuard;
        if (address(guard) == address(0)) return false;
        try guard.sequencerStatus() returns (bool ok, uint256) {
            return !ok;
        } catch {
            return true;
        }
    }

    // ============================================================================ internals

    function _loadOpenInterest(MarketCache memory market) private view {
        OpenInterestState memory oi = _openInterest[market.marketId];
        uint256 scale = _marketScales[market.marketId];
        uint256 fromFactor = uint128(scale);
        market.checkpointCount = scale >> 128;
        uint256 toFactor = market.price.splitFactorX18;
        market.longX18 = oi.longX18;
        market.shortX18 = oi.shortX18;
        if (fromFactor != 0 && fromFactor != toFactor) {
            // Rounded down like every position's size (PositionMath.rescaleSize).
            market.longX18 = uint256(PositionMath.rescaleSize(int256(market.longX18), fromFactor, toFactor));
            market.shortX18 = uint256(
                PositionMath.rescaleSize(int256(market.shortX18), fromFactor, toFactor)
            );
        }
    }

    /// @dev Restarts the window when none runs (first read, a split, or the window elapsed with no
    /// halt or reduce-only period running); otherwise fires the highest level reached, once per window.
    function _evaluateBreaker(MarketCache memory market) private view {
        CircuitBreakerState memory breaker = _breakers[market.marketId];
        CircuitBreakerParams memory params = market.config.breaker;
        uint256 indexX18 = market.price.indexPriceX18;
        uint256 nowTime = block.timestamp;
        bool idle = nowTime >= breaker.haltedUntil && nowTime >= breaker.reduceOnlyUntil;
        if (
            breaker.referencePriceX18 == 0 ||
            breaker.epoch != market.price.epoch ||
            (idle && nowTime >= uint256(breaker.referenceTime) + params.windowSec)
        ) {
            breaker.referencePriceX18 = SafeCast.toUint128(indexX18);
            breaker.referenceTime = SafeCast.toUint40(nowTime);
            breaker.level = 0;
            breaker.epoch = market.price.epoch;
            market.breaker = breaker;
            market.breakerChanged = true;
            return;
        }
        market.breaker = breaker;
        uint256 referenceX18 = breaker.referencePriceX18;
        uint256 gapX18 = indexX18 > referenceX18 ? indexX18 - referenceX18 : referenceX18 - indexX18;
        // Rounded down: a move exactly at a level fires it only when it truly reaches it.
        uint256 moveBps = (gapX18 * Constants.BPS) / referenceX18;
        uint8 level =
            moveBps >= params.level3Bps
                ? 3
                : moveBps >= params.level2Bps
                    ? 2
                    : moveBps >= params.level1Bps
                        ? 1
                        : 0;
        if (level <= breaker.level) return;
        uint256 haltSec =
            level == 3
                ? params.level3HaltSec
                : level == 2
                    ? params.level2HaltSec
                    : params.level1HaltSec;
        breaker.level = level;
        breaker.haltedUntil = SafeCast.toUint40(nowTime + haltSec);
        breaker.reduceOnlyUntil = SafeCast.toUint40(nowTime + haltSec + params.reduceOnlySec);
        market.breakerChanged = true;
        market.firedLevel = level;
    }

    function _mode(MarketCache memory market) private view returns (TradingMode) {
        MarketState state = market.price.state;
        MarketStatus status = market.config.status;
        if (state == MarketState.SETTLED) return TradingMode.SETTLED;
        if (
            state == MarketState.HALTED ||
            status == MarketStatus.HALTED ||
            block.timestamp < market.breaker.haltedUntil
        ) {
            return TradingMode.HALTED;
        }
        if (
            state == MarketState.REOPENING ||
            state == MarketState.DEGRADED ||
            status == MarketStatus.REDUCE_ONLY ||
            block.timestamp < market.breaker.reduceOnlyUntil
        ) {
            return TradingMode.REDUCE_ONLY;
        }
        return TradingMode.FULL;
    }

    function _isLive(MarketState state) private pure returns (bool) {
        return state != MarketState.HALTED && state != MarketState.SETTLED;
    }

    function _saturatingSub(uint256 a, uint256 b) private pure returns (uint256) {
        return a > b ? a - b : 0;
    }
}
