// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Hashes} from "@openzeppelin/contracts/utils/cryptography/Hashes.sol";
import {TransientSlot} from "@openzeppelin/contracts/utils/TransientSlot.sol";
import {IClearinghouse} from "../interfaces/IClearinghouse.sol";
import {ICollateralVault} from "../interfaces/ICollateralVault.sol";
import {IMarketRegistry} from "../interfaces/IMarketRegistry.sol";
import {IOracleAdapter} from "../interfaces/IOracleAdapter.sol";
import {Constants} from "../libraries/Constants.sol";
import {FundingMath} from "../libraries/FundingMath.sol";
import {MarginMath} from "../libraries/MarginMath.sol";
import {MarketSetLib} from "../libraries/MarketSetLib.sol";
import {PositionMath} from "../libraries/PositionMath.sol";
import {AccountId} from "../types/Account.sol";
import {AccountHealth, PackedPosition, Position} from "../types/Market.sol";
import {ClearinghouseMarkets, MarketCache, TradingMode} from "./ClearinghouseMarkets.sol";

/// @notice One side of a match (or of a risk transfer) while it is validated and computed in memory.
struct Side {
    AccountId account;
    uint256 accountIndex; // in Batch.accounts
    bytes32 orderHash;
    uint256 orderState; // the order's filled size before this match (0 for a fresh order)
    uint256 set; // the account's market set as stored
    uint256 lane; // the market's lane in `set` when `listed`, else the free lane a new position takes
    bool listed; // the account holds a position in the market
    int256 oldSizeX18; // synced (funding, splits), before the fill
    int256 oldOpenNotionalX18;
    int256 sizeX18; // after the fill
    int256 openNotionalX18;
    int256 fundingOwedX18; // settled by the sync: + taken from the account, - paid to it
    int256 realizedPnlX18;
    int256 feeX18;
}

/// @notice A batch's collateral entry of one account: the vault's collateral at load and the delta.
struct AccountCache {
    AccountId account;
    int256 collateralX18;
    int256 deltaX18;
}

/// @notice Everything a batch accumulates in memory before the single write-back.
struct Batch {
    MarketCache[] markets;
    uint256 marketCount;
    AccountCache[] accounts;
    uint256 accountCount;
    int256 feeDeltaX18;
    int256 openNotionalDeltaX18;
    int256 settledDeltaX18;
    bool sequencerDown;
    bytes32 accountSeed; // this batch's key for its transient account slots (0 until the first account)
}

/// @title ClearinghouseAccounts
/// @notice The clearinghouse's per-account state and the batch that applies it: positions in the
/// lanes of each account's market set (`MarketSetLib`), their lazy sync (funding, splits), the
/// cross-margin health over an account's markets, and the batch's market and collateral caches
/// with their single write-back (markets, oracle trade report, one vault call).
/// @dev Positions live at `_positions[account][lane]`, two slots each (`PositionMath.load/store`).
/// A lane's slots are only meaningful while the lane holds a market: a close frees the lane and
/// leaves the slots as they were, and the next position taking the lane starts afresh (see
/// `MarketSetLib`). So a close writes one word (the set) and a later open rewrites non-zero slots.
abstract contract ClearinghouseAccounts is ClearinghouseMarkets {
    using TransientSlot for TransientSlot.Uint256Slot;

    /// @dev The collateral vault whose margin authority this is (`IClearinghouse.vault`).
    ICollateralVault internal immutable _vault;
    /// @dev Σ open notional over all positions (`IClearinghouse.totalOpenNotionalX18`).
    int256 internal _totalOpenNotionalX18;
    /// @dev Funding and settlement amounts taken from one side but not yet paid to the other
    /// (`IClearinghouse.settledBalanceX18`).
    int256 internal _settledBalanceX18;

    /// @dev One position per lane of the account's set (16 = `MarketSetLib.CAPACITY`; an array length
    /// must be a literal).
    mapping(AccountId account => PackedPosition[16] lanes) internal _positions;
    /// @dev Per account, the markets it holds a position in, one lane each (`MarketSetLib`).
    mapping(AccountId account => uint256 set) internal _accountMarketSets;
    /// @dev Every market that ever held a position has an index in `[1, MarketSetLib.MAX_INDEX]`,
    /// assigned in order at its first position (`_writeSide`); 0 = none yet.
    mapping(bytes32 marketId => uint256 index) internal _marketIndices;
    mapping(uint256 index => bytes32 marketId) internal _indexedMarkets;
    uint256 private _indexedMarketCount;
    /// @dev Per market, its funding checkpoints 1, 2, ... (`PositionMath.fundingWord` of the funding
    /// index and split factor at the batch that wrote it): a checkpointed position refers to one by
    /// number instead of keeping the word in its own second slot (`PackedPosition`).
    mapping(bytes32 marketId => mapping(uint256 checkpoint => uint256 word)) internal _fundingCheckpoints;

    /// @dev Market cache entries allocated up front; `_marketIn` doubles the array when it is full.
    uint256 internal constant INITIAL_MARKET_CAPACITY = 8;
    /// @dev Seed of the transient slots that map an account to its `Batch.accounts` index + 1.
    bytes32 private constant BATCH_ACCOUNT_SEED = keccak256("sundial.clearinghouse.batchAccount");
    /// @dev Transient slot counting the transaction's batches (`_newAccountSeed`).
    bytes32 private constant BATCH_COUNTER_SLOT = keccak256("sundial.clearinghouse.batchCounter");

    constructor(
        ICollateralVault collateralVault,
        IOracleAdapter oracleAdapter,
        IMarketRegistry marketRegistry
    ) ClearinghouseMarkets(oracleAdapter, marketRegistry) {
        if (address(collateralVault) == address(0)) revert IClearinghouse.Clearinghouse_ZeroAddress();
        _vault = collateralVault;
    }

    // ============================================================================ sides

    /// @dev Loads the side's account into the batch and its position in `market` synced to the
    /// market (funding settled, splits applied) into `side.oldSizeX18` / `oldOpenNotionalX18`, and
    /// as the starting point of `sizeX18` / `openNotionalX18`.
    function _syncSide(Batch memory batch, MarketCache memory market, Side memory side) internal {
        side.accountIndex = _accountIn(batch, side.account);
        uint256 set = _accountMarketSets[side.account];
        side.set = set;
        uint256 index = _setIndex(market);
        if (index == 0) {
            // No account ever held this market: the position is new.
            side.lane = MarketSetLib.freeLane(set);
            return;
        }
        bool listed;
        (listed, side.lane) = MarketSetLib.find(set, index);
        side.listed = listed;
        if (!listed) return;
        Position memory p = _loadPosition(market, _positions[side.account][side.lane]);
        side.fundingOwedX18 = PositionMath.sync(p, market.funding.indexX18, market.price.splitFactorX18);
        side.oldSizeX18 = p.sizeX18;
        side.oldOpenNotionalX18 = p.openNotionalX18;
        side.sizeX18 = p.sizeX18;
        side.openNotionalX18 = p.openNotionalX18;
    }

    /// @dev Stores the side's position and market set, and books its collateral delta. Returns its
    /// realized PnL. A closed position only frees its lane (its slots are left for the next one).
    function _writeSide(
        Batch memory batch,
        MarketCache memory market,
        Side memory side
    ) internal returns (int256) {
        AccountId account = side.account;
        if (side.sizeX18 == 0) {
            if (side.listed) _accountMarketSets[account] = MarketSetLib.remove(side.set, side.lane);
        } else {
            if (!side.listed) {
                uint256 index = _setIndex(market);
                if (index == 0) index = _numberMarket(market);
                _accountMarketSets[account] = MarketSetLib.add(side.set, side.lane, index);
            }
            Position memory p = Position(
                side.sizeX18,
                side.openNotionalX18,
                market.funding.indexX18,
                market.price.splitFactorX18
            );
            // A new position also writes its lane's funding slot: every lane holding a position then
            // has a non-zero one, so a later inline store never pays for a fresh slot.
            PositionMath.store(_positions[account][side.lane], p, market.positionCheckpoint, !side.listed);
        }
        batch.accounts[side.accountIndex].deltaX18 += side.realizedPnlX18 - side.fundingOwedX18 - side.feeX18;
        return side.realizedPnlX18;
    }

    /// @dev The side's equity and initial margin after the fill (the margin check of a match). An
    /// account whose only position is in `market` (the common case) needs no health record.
    function _sideMargin(
        Batch memory batch,
        MarketCache memory market,
        Side memory side
    ) internal view returns (int256 equityX18, uint256 initialMarginX18) {
        uint256 others = MarketSetLib.count(side.set);
        if (side.listed) --others;
        if (others != 0) {
            AccountHealth memory health = _sideHealth(batch, market, side);
            return (health.equityX18, health.initialMarginX18);
        }
        AccountCache memory cache = batch.accounts[side.accountIndex];
        equityX18 =
            cache.collateralX18 +
            cache.deltaX18 +
            side.realizedPnlX18 -
            side.fundingOwedX18 -
            side.feeX18;
        if (side.sizeX18 == 0) return (equityX18, 0);
        // The fill's checks bound the size and open notional (POSITION_LIMIT, `applyFill`) and the
        // oracle the mark; a market that trades is never SETTLED, so its session ratios apply.
        int256 uPnlX18;
        (uPnlX18, initialMarginX18) = MarginMath.pnlAndInitialMargin(
            side.sizeX18,
            side.openNotionalX18,
            market.price.markPriceX18,
            market.params.initialMarginBps
        );
        equityX18 += uPnlX18;
    }

    /// @dev The side's health with its batch collateral, its other markets as stored, and `side`'s
    /// position (after the fill) in `market`.
    function _sideHealth(
        Batch memory batch,
        MarketCache memory market,
        Side memory side
    ) internal view returns (AccountHealth memory health) {
        AccountCache memory cache = batch.accounts[side.accountIndex];
        int256 collateralX18 =
            cache.collateralX18 + cache.deltaX18 + side.realizedPnlX18 - side.fundingOwedX18 - side.feeX18;
        uint256 skipLane = side.listed ? side.lane : MarketSetLib.NO_LANE;
        health = _health(batch, side.account, collateralX18, side.set, skipLane);
        if (side.sizeX18 != 0) {
            // Synced to the market: no pending funding, current split factor.
            _accumulate(health, market, side.sizeX18, side.openNotionalX18, 0);
        }
    }

    /// @dev The health of `account` with `collateralX18` and its stored positions in `set`, except
    /// the one in `skipLane` (`MarketSetLib.NO_LANE`: none).
    function _health(
        Batch memory batch,
        AccountId account,
        int256 collateralX18,
        uint256 set,
        uint256 skipLane
    ) internal view returns (AccountHealth memory health) {
        health = MarginMath.start(collateralX18);
        uint256 remaining = MarketSetLib.count(set);
        if (skipLane != MarketSetLib.NO_LANE) --remaining;
        for (uint256 lane; remaining != 0; ++lane) {
            uint256 index = MarketSetLib.at(set, lane);
            if (index == 0 || lane == skipLane) continue;
            --remaining;
            // The index first: `_marketIn` may replace `batch.markets` with a grown array.
            uint256 marketIndex = _marketIn(batch, _indexedMarkets[index]);
            MarketCache memory market = batch.markets[marketIndex];
            Position memory p = _loadPosition(market, _positions[account][lane]);
            int256 sizeX18 = PositionMath.rescaleSize(
                p.sizeX18,
                p.splitFactorX18,
                market.price.splitFactorX18
            );
            int256 pendingX18 = FundingMath.pendingFundingX18(
                p.sizeX18,
                p.splitFactorX18,
                p.lastFundingIndexX18,
                market.funding.indexX18
            );
            _accumulate(health, market, sizeX18, p.openNotionalX18, pendingX18);
        }
    }

    /// @dev One market's contribution at its mark and session ratios (none in a delisted market:
    /// its price is final).
    function _accumulate(
        AccountHealth memory health,
        MarketCache memory market,
        int256 sizeX18,
        int256 openNotionalX18,
        int256 pendingFundingX18
    ) internal pure {
        bool settled = market.mode == TradingMode.SETTLED;
        MarginMath.accumulateValues(
            health,
            sizeX18,
            openNotionalX18,
            pendingFundingX18,
            market.price.markPriceX18,
            settled ? 0 : market.params.initialMarginBps,
            settled ? 0 : market.params.maintenanceMarginBps
        );
    }

    /// @dev The market's index in account sets (0 while no account ever held it), cached in `market`.
    function _setIndex(MarketCache memory market) internal view returns (uint256 index) {
        index = market.setIndex;
        if (index == 0) {
            index = _marketIndices[market.marketId];
            market.setIndex = index;
        }
    }

    /// @dev A stored position in `market` (`PositionMath.load`), reading each funding checkpoint once per
    /// batch: the cache keeps the last one read (a batch's positions often share one).
    function _loadPosition(
        MarketCache memory market,
        PackedPosition storage stored
    ) internal view returns (Position memory) {
        uint256 head = stored.head;
        uint256 checkpoint = PositionMath.checkpointOf(head);
        uint256 word;
        if (checkpoint == 0) {
            word = stored.funding;
        } else if (checkpoint == market.readCheckpoint) {
            word = market.readCheckpointWord;
        } else {
            word = _fundingCheckpoints[market.marketId][checkpoint];
            market.readCheckpoint = checkpoint;
            market.readCheckpointWord = word;
        }
        return PositionMath.decode(head, word);
    }

    /// @dev Chooses, once per market and batch, how the batch stores positions in `market`: with
    /// `matches` (an upper bound of the batch's matches in it) of at least
    /// `CH_CHECKPOINT_MIN_MATCHES`, checkpointed, referring to the market's latest checkpoint if it
    /// holds the current funding index and split factor, else to a new one; otherwise inline.
    function _chooseCheckpoint(MarketCache memory market, uint256 matches) internal {
        market.checkpointChosen = true;
        if (matches < Constants.CH_CHECKPOINT_MIN_MATCHES) return;
        uint256 word = PositionMath.fundingWord(market.funding.indexX18, market.price.splitFactorX18);
        mapping(uint256 checkpoint => uint256 word) storage checkpoints = _fundingCheckpoints[
            market.marketId
        ];
        uint256 latest = market.checkpointCount;
        if (latest == 0 || checkpoints[latest] != word) {
            // After 2^40 - 1 checkpoints (a new one per batch and second: 34,000 years) positions stay inline.
            if (latest == PositionMath.MAX_CHECKPOINT) return;
            ++latest;
            checkpoints[latest] = word;
            market.checkpointCount = latest;
        }
        market.positionCheckpoint = latest;
    }

    /// @dev Numbers a market at its first position ever.
    function _numberMarket(MarketCache memory market) private returns (uint256 index) {
        index = ++_indexedMarketCount;
        _marketIndices[market.marketId] = index;
        _indexedMarkets[index] = market.marketId;
        market.setIndex = index;
    }

    // ============================================================================ batch

    function _newBatch(
        uint256 marketCapacity,
        uint256 accountCapacity
    ) internal pure returns (Batch memory batch) {
        batch.markets = _pointerArray(marketCapacity);
        batch.accounts = new AccountCache[](accountCapacity);
    }

    /// @dev A memory array of `length` struct pointers WITHOUT the zeroed structs that `new` would
    /// allocate for every element (~60 words per MarketCache). Entries are read only below
    /// `Batch.marketCount`, after being assigned, so the unassigned slots are never dereferenced.
    function _pointerArray(uint256 length) private pure returns (MarketCache[] memory array) {
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            array := mload(0x40)
            mstore(array, length)
            mstore(0x40, add(array, mul(add(length, 1), 0x20)))
        }
    }

    /// @dev The index of the batch's cache entry of `marketId`, loading it on first use (an index,
    /// not the struct: a memory return value would be allocated and zeroed).
    function _marketIn(Batch memory batch, bytes32 marketId) internal view returns (uint256) {
        uint256 count = batch.marketCount;
        for (uint256 i; i < count; ++i) {
            if (batch.markets[i].marketId == marketId) return i;
        }
        (MarketCache memory market, ) = _loadMarket(marketId);
        if (count == batch.markets.length) {
            MarketCache[] memory grown = _pointerArray(2 * count);
            for (uint256 i; i < count; ++i) grown[i] = batch.markets[i];
            batch.markets = grown;
        }
        batch.markets[count] = market;
        batch.marketCount = count + 1;
        return count;
    }

    /// @dev The batch's account entry of `account` (loading its collateral on first use), found
    /// through a transient slot (O(1)) under the batch's own seed.
    function _accountIn(Batch memory batch, AccountId account) internal returns (uint256) {
        bytes32 seed = batch.accountSeed;
        if (seed == 0) seed = _newAccountSeed(batch);
        TransientSlot.Uint256Slot slot = TransientSlot.asUint256(
            Hashes.efficientKeccak256(AccountId.unwrap(account), seed)
        );
        uint256 indexPlusOne = slot.tload();
        if (indexPlusOne != 0) return indexPlusOne - 1;
        uint256 count = batch.accountCount;
        batch.accounts[count] = AccountCache(account, _vault.collateralX18(account), 0);
        batch.accountCount = count + 1;
        slot.tstore(count + 1);
        return count;
    }

    /// @dev A seed of its own for each batch of the transaction (from a transient counter): a batch
    /// never sees another's account slots (several batches may run in one transaction: liquidations,
    /// a contract calling `settleMatches` twice), so no slot needs clearing.
    function _newAccountSeed(Batch memory batch) private returns (bytes32 seed) {
        TransientSlot.Uint256Slot counter = TransientSlot.asUint256(BATCH_COUNTER_SLOT);
        uint256 n = counter.tload() + 1;
        counter.tstore(n);
        seed = Hashes.efficientKeccak256(BATCH_ACCOUNT_SEED, bytes32(n));
        batch.accountSeed = seed;
    }

    /// @dev Writes every market the batch loaded, reports fills to the oracle, applies collateral
    /// changes in one vault call.
    function _finishBatch(Batch memory batch) internal {
        for (uint256 i; i < batch.marketCount; ++i) {
            MarketCache memory market = batch.markets[i];
            if (!market.listed) continue;
            _storeMarket(market);
            if (market.traded) {
                // Volume-weighted price of the batch, rounded down (it only feeds the oracle's EMA).
                _oracle.recordTrade(
                    market.marketId,
                    _volumeWeightedPriceX18(market),
                    market.volumeNotionalX18
                );
            }
        }
        if (batch.openNotionalDeltaX18 != 0) _totalOpenNotionalX18 += batch.openNotionalDeltaX18;
        if (batch.settledDeltaX18 != 0) _settledBalanceX18 += batch.settledDeltaX18;
        uint256 accountCount = batch.accountCount;
        if (accountCount == 0 && batch.feeDeltaX18 == 0) return;
        AccountId[] memory accounts = new AccountId[](accountCount);
        int256[] memory deltas = new int256[](accountCount);
        for (uint256 i; i < accountCount; ++i) {
            AccountCache memory cache = batch.accounts[i];
            accounts[i] = cache.account;
            deltas[i] = cache.deltaX18;
        }
        _vault.applySettlement(accounts, deltas, batch.feeDeltaX18);
    }
}
