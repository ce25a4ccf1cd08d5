// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IPriceSource, PriceObservation} from "../interfaces/IPriceSource.sol";
import {ISequencerGuard} from "../interfaces/ISequencerGuard.sol";
import {Constants} from "./Constants.sol";
import {OracleMath} from "./OracleMath.sol";
import {DegradedReason, PriceOrigin, SessionSources} from "../types/Oracle.sol";

/// @notice One validated (or rejected) external read.
struct SourceRead {
    bool ok;
    uint256 priceX18;
    uint256 observedAt;
    PriceOrigin origin; // PRIMARY or SECONDARY
    DegradedReason failure; // why it is not ok (NONE when ok)
}

/// @title OracleSourceReader
/// @notice How the oracle adapter reads and validates a session's sources (SPEC section 3.1): every
/// revert, zero, out-of-range, stale, future or pre-open observation is a failure with a reason,
/// never a price; primary and secondary are cross-checked; a soft-stale primary yields to a fresh
/// secondary; the L2 sequencer guard can veto everything.
/// @dev Reads "as of" a time `asOf <= now`: `now` for live reads, the last second of a session for
/// the adapter's catch-up of a close it did not see. The source is asked for `maxAge` counted from
/// `now`, and the adapter re-checks the age against `asOf` itself.
library OracleSourceReader {
    /// @notice `readLive` as of now, unless the sequencer guard says down (or reverts).
    function readGuarded(
        ISequencerGuard guard,
        bytes32 marketId,
        SessionSources memory sources,
        uint256 maxDeviationBps,
        uint256 notBefore
    ) internal view returns (SourceRead memory r) {
        if (!sequencerOk(guard)) {
            r.failure = DegradedReason.SEQUENCER_DOWN;
            return r;
        }
        return readLive(marketId, sources, maxDeviationBps, block.timestamp, notBefore);
    }

    /// @notice Primary and secondary as of `asOf`: disagreement beyond `maxDeviationBps` fails; a
    /// fresh primary wins; a soft-stale primary yields to a fresh secondary; otherwise any valid
    /// one (primary first); else the primary's failure.
    function readLive(
        bytes32 marketId,
        SessionSources memory sources,
        uint256 maxDeviationBps,
        uint256 asOf,
        uint256 notBefore
    ) internal view returns (SourceRead memory) {
        SourceRead memory primary = read(
            marketId,
            sources.primary,
            sources.hardStalenessSec,
            asOf,
            notBefore
        );
        SourceRead memory secondary;
        if (address(sources.secondary) != address(0)) {
            secondary = read(marketId, sources.secondary, sources.hardStalenessSec, asOf, notBefore);
            secondary.origin = PriceOrigin.SECONDARY;
        }
        if (primary.ok && secondary.ok) {
            if (OracleMath.deviatesBeyond(primary.priceX18, secondary.priceX18, maxDeviationBps)) {
                primary.ok = false;
                primary.failure = DegradedReason.SOURCES_DISAGREE;
                return primary;
            }
        }
        bool primaryFresh = primary.ok && asOf - primary.observedAt <= sources.softStalenessSec;
        bool secondaryFresh = secondary.ok && asOf - secondary.observedAt <= sources.softStalenessSec;
        if (primary.ok && (primaryFresh || !secondaryFresh)) return primary;
        return secondary.ok ? secondary : primary;
    }

    /// @notice One source read, validated as of `asOf`: `0 < price <= MAX_PRICE_X18`, observed in
    /// `[asOf - hardStaleness, asOf]` and not before `notBefore` (else PRICE_BEFORE_OPEN). A revert
    /// is a failure, never a price.
    function read(
        bytes32 marketId,
        IPriceSource source,
        uint256 hardStalenessSec,
        uint256 asOf,
        uint256 notBefore
    ) internal view returns (SourceRead memory r) {
        r.failure = DegradedReason.SOURCE_UNAVAILABLE;
        uint256 maxAge = hardStalenessSec + (block.timestamp - asOf);
        try source.latestPrice(marketId, maxAge) returns (PriceObservation memory o) {
            if (o.priceX18 == 0 || o.priceX18 > Constants.MAX_PRICE_X18) return r;
            if (o.observedAt > asOf || asOf - o.observedAt > hardStalenessSec) return r;
            if (o.observedAt < notBefore) {
                r.failure = DegradedReason.PRICE_BEFORE_OPEN;
                return r;
            }
            return SourceRead(true, o.priceX18, o.observedAt, PriceOrigin.PRIMARY, DegradedReason.NONE);
        } catch {
            return r;
        }
    }

    /// @notice True without a guard (address(0)); a reverting guard counts as down.
    function sequencerOk(ISequencerGuard guard) internal view returns (bool) {
        if (address(guard) == address(0)) return true;
        try guard.sequencerStatus() returns (bool ok, uint256) {
            return ok;
        } catch {
            return false;
        }
    }
}
