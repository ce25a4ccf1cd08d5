// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IOracleAdapter} from "../interfaces/IOracleAdapter.sol";
import {Constants} from "./Constants.sol";
import {Session} from "../types/Session.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {MarketCheckpoint, MarketParams, MarketState, SessionSources} from "../types/Oracle.sol";

/// @title OracleParams
/// @notice Defaults and hard-bound checks of the oracle adapter's per-market parameters. Every
/// bound lives in `Constants` with its derivation; every violation reverts with
/// `Oracle_ParameterOutOfBounds(name, value, min, max)` naming the field.
library OracleParams {
    using SafeCast for uint256;

    /// @notice The SPEC section 3 defaults with band tier `bandTierBps` (the tier is still checked
    /// when the params are used).
    function defaults(uint16 bandTierBps) internal pure returns (MarketParams memory) {
        return
            MarketParams({
                bandTierBps: bandTierBps,
                bandCapBps: Constants.DEFAULT_BAND_CAP_BPS,
                maxDeviationBps: Constants.DEFAULT_MAX_DEVIATION_BPS,
                maxEmaStepBps: Constants.DEFAULT_MAX_EMA_STEP_BPS,
                quoteWeightBps: Constants.DEFAULT_QUOTE_WEIGHT_BPS,
                bandHorizonSec: Constants.DEFAULT_BAND_HORIZON,
                emaTauSec: Constants.DEFAULT_EMA_TAU,
                emaMaxDtSec: Constants.DEFAULT_EMA_MAX_DT,
                reopeningWindowSec: Constants.DEFAULT_REOPENING_WINDOW,
                minTradeNotionalX18: Constants.DEFAULT_MIN_TRADE_NOTIONAL_X18
            });
    }

    /// @notice Reverts unless every field is inside its hard bounds (relative bounds included:
    /// b_tier <= b_cap, emaMaxDt <= tau).
    function check(MarketParams memory p) internal pure {
        _inRange("bandTierBps", p.bandTierBps, Constants.MIN_BAND_TIER_BPS, Constants.MAX_BAND_TIER_BPS);
        _inRange("bandCapBps", p.bandCapBps, p.bandTierBps, Constants.MAX_BAND_CAP_BPS);
        _inRange(
            "maxDeviationBps",
            p.maxDeviationBps,
            Constants.MIN_MAX_DEVIATION_BPS,
            Constants.MAX_MAX_DEVIATION_BPS
        );
        _inRange(
            "maxEmaStepBps",
            p.maxEmaStepBps,
            Constants.MIN_MAX_EMA_STEP_BPS,
            Constants.MAX_MAX_EMA_STEP_BPS
        );
        _inRange("quoteWeightBps", p.quoteWeightBps, 0, Constants.MAX_QUOTE_WEIGHT_BPS);
        _inRange("bandHorizonSec", p.bandHorizonSec, Constants.MIN_BAND_HORIZON, Constants.MAX_BAND_HORIZON);
        _inRange("emaTauSec", p.emaTauSec, Constants.MIN_EMA_TAU, Constants.MAX_EMA_TAU);
        uint256 maxDt = p.emaTauSec < Constants.MAX_EMA_MAX_DT ? p.emaTauSec : Constants.MAX_EMA_MAX_DT;
        _inRange("emaMaxDtSec", p.emaMaxDtSec, Constants.MIN_EMA_MAX_DT, maxDt);
        _inRange(
            "reopeningWindowSec",
            p.reopeningWindowSec,
            Constants.MIN_REOPENING_WINDOW,
            Constants.MAX_REOPENING_WINDOW
        );
        _inRange(
            "minTradeNotionalX18",
            p.minTradeNotionalX18,
            Constants.MIN_MIN_TRADE_NOTIONAL_X18,
            Constants.MAX_MIN_TRADE_NOTIONAL_X18
        );
    }

    /// @notice Reverts unless `MIN_STALENESS <= soft <= hard <= MAX_HARD_STALENESS`.
    function checkStaleness(uint256 softSec, uint256 hardSec) internal pure {
        _inRange("softStalenessSec", softSec, Constants.MIN_STALENESS, Constants.MAX_HARD_STALENESS);
        _inRange("hardStalenessSec", hardSec, softSec, Constants.MAX_HARD_STALENESS);
    }

    /// @notice Reverts unless each non-zero source has code, and a secondary has a distinct primary
    /// in a session other than CLOSED.
    function checkSources(Session session, address primary, address secondary) internal view {
        if (primary != address(0) && primary.code.length == 0) {
            revert IOracleAdapter.Oracle_SourceNotContract(primary);
        }
        if (secondary == address(0)) return;
        if (primary == address(0) || secondary == primary || session == Session.CLOSED) {
            revert IOracleAdapter.Oracle_InvalidSecondary(session, primary, secondary);
        }
        if (secondary.code.length == 0) revert IOracleAdapter.Oracle_SourceNotContract(secondary);
    }

    /// @notice Writes the default staleness limits of every session (listing).
    function setDefaultStaleness(mapping(Session => SessionSources) storage sources) internal {
        _setStaleness(
            sources[Session.REGULAR],
            Constants.DEFAULT_REGULAR_SOFT_STALENESS,
            Constants.DEFAULT_REGULAR_HARD_STALENESS
        );
        _setStaleness(
            sources[Session.PRE_MARKET],
            Constants.DEFAULT_EXTENDED_SOFT_STALENESS,
            Constants.DEFAULT_EXTENDED_HARD_STALENESS
        );
        _setStaleness(
            sources[Session.POST_MARKET],
            Constants.DEFAULT_EXTENDED_SOFT_STALENESS,
            Constants.DEFAULT_EXTENDED_HARD_STALENESS
        );
        _setStaleness(
            sources[Session.OVERNIGHT],
            Constants.DEFAULT_OVERNIGHT_SOFT_STALENESS,
            Constants.DEFAULT_OVERNIGHT_HARD_STALENESS
        );
        _setStaleness(
            sources[Session.CLOSED],
            Constants.DEFAULT_QUOTE_SOFT_STALENESS,
            Constants.DEFAULT_QUOTE_HARD_STALENESS
        );
    }

    /// @notice The first checkpoint of a market listed now at `priceX18`: CLOSED (no source yet),
    /// with the listing price as last good price, anchor and P, no split and nothing scheduled.
    function initialCheckpoint(
        uint256 priceX18,
        Session session,
        uint256 sessionStart,
        uint256 sessionEnd
    ) internal view returns (MarketCheckpoint memory cp) {
        uint128 price = priceX18.toUint128();
        uint40 nowTs = block.timestamp.toUint40();
        cp.state = MarketState.CLOSED;
        cp.session = session;
        cp.sessionStart = sessionStart.toUint40();
        cp.sessionEnd = sessionEnd.toUint40();
        cp.nextActionTime = type(uint40).max;
        (cp.lastGoodPriceX18, cp.lastGoodTime) = (price, nowTs);
        (cp.anchorPriceX18, cp.anchorTime) = (price, nowTs);
        (cp.internalPriceX18, cp.internalUpdatedAt) = (price, nowTs);
        cp.splitFactorX18 = uint80(Constants.X18); // 1e18 < 2^80
    }

    function _setStaleness(SessionSources storage sources, uint32 softSec, uint32 hardSec) private {
        sources.softStalenessSec = softSec;
        sources.hardStalenessSec = hardSec;
    }

    function _inRange(bytes32 name, uint256 value, uint256 min, uint256 max) private pure {
        if (value < min || value > max)
            revert IOracleAdapter.Oracle_ParameterOutOfBounds(name, value, min, max);
    }
}
