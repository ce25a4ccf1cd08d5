// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice Trading status of a market, kept by the clearinghouse (SPEC 5.1).
/// @dev The numeric values are part of the ABI and mirrored by the SDK; never reorder.
enum MarketStatus {
    ACTIVE, // every order may fill (subject to the oracle state and the session's parameters)
    REDUCE_ONLY, // only fills that reduce risk (PositionMath.reducesRisk) may execute
    HALTED, // no fills (circuit breaker, corporate action due)
    SETTLED // delisted: no fills; positions close at the settlement price (PositionMath.closeAt)
}

/// @notice Risk parameters of one market in one calendar session (SPEC 5.1, the off-hours incentive
/// system). A market holds one per `Session` value. Every field is bounded by `RiskParamsLib.validate`.
/// @dev One storage slot: 6 x 16 + 128 = 224 bits. Ratios, fees and bands are basis points
/// (10,000 = 100 %), so the whole record is read with a single SLOAD per market per batch.
struct SessionRiskParams {
    uint16 initialMarginBps; // IM ratio: max leverage = 10,000 / IM; in [200, 10,000]
    uint16 maintenanceMarginBps; // MM ratio; in [50, IM)
    int16 makerFeeBps; // signed: negative is a rebate; in [-takerFeeBps, 100]
    int16 takerFeeBps; // in [0, 100]
    uint16 fillBandBps; // a fill price must lie within mark * (1 +/- band); in [10, 2,000]
    uint16 fundingMultiplierBps; // scales the funding rate in this session; in [0, 20,000]
    uint128 openInterestCapX18; // max open interest per side, USD notional at the mark; <= 1e30
}

/// @notice Per-market funding parameters (SPEC 5.4), bounded by `RiskParamsLib.validateFunding`.
/// @dev 128 bits: fits beside other market fields in one slot.
struct FundingParams {
    uint64 rateCapPerHourX18; // |funding rate| per hour before the session multiplier; [1e14, 4e16]
    int64 interestRatePerHourX18; // interest term added to premium / 8 each hour; |.| <= 5e13
}

/// @notice A position in the memory form the libraries compute with.
/// @dev `sizeX18` is in shares of the split epoch whose cumulative split factor is
/// `splitFactorX18` (current shares per base share, 1e18 = no split since listing); a split is applied
/// lazily by `PositionMath.sync`. `lastFundingIndexX18` is the market's funding index (USD per BASE
/// share, see `FundingMath`) at which this position last settled funding.
struct Position {
    int256 sizeX18; // + long, - short
    int256 openNotionalX18; // signed cost basis: uPnL = size * mark - openNotional (SPEC 1)
    int256 lastFundingIndexX18;
    uint256 splitFactorX18; // 0 only for a never-touched (empty) position
}

/// @notice The storage form of a `Position`: a head word, and a funding word used only when the
/// head says so. `PositionMath.encode`/`decode` convert, reverting with a custom error for any value
/// outside its field.
/// @dev The funding word is a position's funding index snapshot (low 128 bits, int128) and split
/// factor (high 128 bits); it has the layout of a market's funding checkpoint. The head has two forms,
/// told apart by bit 255 (`PositionMath.CHECKPOINTED`):
/// - checkpointed (bit 255 set): size int104 in bits 0..103, open notional int111 in bits 104..214,
///   checkpoint number (uint40, >= 1) in bits 215..254. The funding word is the market's checkpoint
///   of that number (`Clearinghouse` writes one per market per large batch); `funding` is not used.
///   One slot per position read and written.
/// - inline (bit 255 clear): size int128 in bits 0..127, open notional int127 in bits 128..254; the
///   funding word is `funding`.
/// Ranges: |size| <= int128.max (~1.7e38): fills cap |size| at 1e30 (< 2^103) and a split rescales
/// by at most 1e8, so a position outside int104 (only after a large forward split) stays inline.
/// |openNotional| <= 1e33 < 2^110: fills cap it and splits never change it. The funding index is
/// USD per base share; int128 holds 1.7e20 USD per share of cumulative funding. The split factor is
/// in [1e14, 1e22] by the oracle's bounds (uint128 is ample).
struct PackedPosition {
    uint256 head; // slot 0
    uint256 funding; // slot 1: the funding word of an inline position
}

/// @notice A market's funding state in memory (SPEC 5.4; see `FundingMath` for the formulas).
struct FundingState {
    int256 indexX18; // cumulative funding, USD per base share; longs pay when it rises
    int256 premiumCumulativeX18; // integral of the premium over time, X18 * seconds (a TWAP accumulator)
    int256 lastPremiumX18; // premium sampled at `lastUpdateTime`; holds until the next sample
    uint256 lastUpdateTime; // last accrual (0 = never: the first update starts the clock)
    uint256 lastMultiplierBps; // session funding multiplier sampled at `lastUpdateTime`
    uint256 appliedDividendX18; // the oracle's cumulative dividend per base share already in `indexX18`
}

/// @notice The storage form of a `FundingState`: two slots (`FundingMath.pack`/`unpack`).
/// @dev Ranges: the index fits int128 (checked at every accrual); |premium| <= 1e18 fits int72;
/// timestamps fit uint40 (year 36,812); |premium| * elapsed <= 1e18 * 2^40 fits int128; the
/// cumulative dividend per base share fits uint128 (the oracle bounds each dividend by the price).
struct PackedFundingState {
    int128 indexX18; // slot 0
    int72 lastPremiumX18; // slot 0
    uint40 lastUpdateTime; // slot 0
    uint16 lastMultiplierBps; // slot 0
    int128 premiumCumulativeX18; // slot 1
    uint128 appliedDividendX18; // slot 1
}

/// @notice One market's contribution to an account's health, built by the clearinghouse while it
/// loops over the account's markets (`MarginMath.accumulate`).
struct MarketExposure {
    int256 sizeX18; // in the current split epoch (after PositionMath.sync)
    int256 openNotionalX18;
    int256 pendingFundingX18; // FundingMath.pendingFundingX18: + owed by the account, - owed to it
    uint256 markPriceX18;
    uint256 initialMarginBps; // of the market's current session
    uint256 maintenanceMarginBps; // of the market's current session
}

/// @notice An account's health (SPEC 5.3), summed over its markets by `MarginMath`.
struct AccountHealth {
    int256 equityX18; // collateral + sum(uPnL) - sum(pending funding)
    int256 equityWithoutProfitX18; // the same with each market's positive uPnL counted as zero
    uint256 initialMarginX18; // sum |size| * mark * IM ratio, each market rounded up
    uint256 maintenanceMarginX18; // sum |size| * mark * MM ratio, each market rounded up
    uint256 notionalX18; // sum |size| * mark, each market rounded up
}
