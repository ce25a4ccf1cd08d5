// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IPriceSource, PriceObservation} from "../interfaces/IPriceSource.sol";

/// @notice Test price source: a settable observation per market, or a revert on demand.
/// @dev By default it enforces `maxAge` like a real source; `setEnforceMaxAge(false)` makes it
/// return stale observations so that tests can prove the adapter re-checks them.
/// Gas: the benchmarks use this mock as "a cheap source", so `latestPrice` reads one storage slot in
/// the common case (price < 2^128, observation time < 2^64, no confidence): the market's `Slot`
/// holds the price, the time and the revert switch. Any other observation is kept whole in
/// `_wide` (flagged in the slot) and costs a second read; the global `enforceMaxAge` is read only
/// for a stale observation. Real sources are measured separately (oracle.integration.gas.test.ts).
contract MockPriceSource is IPriceSource {
    error MockSource_NoPrice(bytes32 marketId);
    error MockSource_Stale(bytes32 marketId, uint256 observedAt, uint256 maxAge);

    /// @dev One slot: 128 + 64 + 8 + 8 bits.
    struct Slot {
        uint128 priceX18; // the observation's price unless `wide`
        uint64 observedAt; // its time unless `wide`
        bool reverting; // `latestPrice` reverts
        bool wide; // the observation is in `_wide` (a field did not fit, or a confidence is set)
    }

    mapping(bytes32 marketId => Slot) private _slots;
    mapping(bytes32 marketId => PriceObservation) private _wide;
    bool public enforceMaxAge = true;

    /// @notice Sets the observation returned for `marketId` (and stops reverting).
    function setPrice(bytes32 marketId, uint256 priceX18, uint256 observedAt) external {
        _set(marketId, PriceObservation(priceX18, observedAt, 0));
    }

    /// @notice Sets price, observation time and confidence.
    function setObservation(
        bytes32 marketId,
        uint256 priceX18,
        uint256 observedAt,
        uint256 confidenceX18
    ) external {
        _set(marketId, PriceObservation(priceX18, observedAt, confidenceX18));
    }

    /// @notice Makes `latestPrice(marketId, …)` revert (or stop reverting).
    function setReverting(bytes32 marketId, bool value) external {
        _slots[marketId].reverting = value;
    }

    function setEnforceMaxAge(bool value) external {
        enforceMaxAge = value;
    }

    /// @notice Whether `latestPrice(marketId, …)` reverts on demand.
    function reverting(bytes32 marketId) external view returns (bool) {
        return _slots[marketId].reverting;
    }

    /// @notice The observation set for `marketId` (zero if none).
    function observations(
        bytes32 marketId
    ) external view returns (uint256 priceX18, uint256 observedAt, uint256 confidenceX18) {
        PriceObservation memory o = _observation(marketId, _slots[marketId]);
        return (o.priceX18, o.observedAt, o.confidenceX18);
    }

    function latestPrice(bytes32 marketId, uint256 maxAge) external view returns (PriceObservation memory o) {
        Slot memory slot = _slots[marketId];
        if (slot.reverting) revert MockSource_NoPrice(marketId);
        o = _observation(marketId, slot);
        if (o.observedAt == 0) revert MockSource_NoPrice(marketId);
        // `observedAt + maxAge < now` without the addition (no overflow); the flag is read only then.
        bool stale = maxAge < block.timestamp && o.observedAt < block.timestamp - maxAge;
        if (stale && enforceMaxAge) revert MockSource_Stale(marketId, o.observedAt, maxAge);
    }

    function _set(bytes32 marketId, PriceObservation memory o) private {
        bool fits =
            o.priceX18 <= type(uint128).max && o.observedAt <= type(uint64).max && o.confidenceX18 == 0;
        if (fits) {
            // Both narrowing casts are exact: checked just above.
            _slots[marketId] = Slot(uint128(o.priceX18), uint64(o.observedAt), false, false);
        } else {
            _slots[marketId] = Slot(0, 0, false, true);
            _wide[marketId] = o;
        }
    }

    function _observation(bytes32 marketId, Slot memory slot) private view returns (PriceObservation memory) {
        if (slot.wide) return _wide[marketId];
        return PriceObservation(slot.priceX18, slot.observedAt, 0);
    }
}
