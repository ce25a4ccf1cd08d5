// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IMarketCalendar} from "../interfaces/IMarketCalendar.sol";
import {IOracleAdapter} from "../interfaces/IOracleAdapter.sol";
import {IOracleCorporateActions} from "../interfaces/IOracleCorporateActions.sol";
import {IPriceSource} from "../interfaces/IPriceSource.sol";
import {ISequencerGuard} from "../interfaces/ISequencerGuard.sol";
import {Constants} from "../libraries/Constants.sol";
import {OracleMath} from "../libraries/OracleMath.sol";
import {OracleParams} from "../libraries/OracleParams.sol";
import {OracleSourceReader, SourceRead} from "../libraries/OracleSourceReader.sol";
import {PriceStates} from "../libraries/PriceStates.sol";
import {Session} from "../types/Session.sol";
import {
    CorporateAction,
    CorporateActionKind,
    DegradedReason,
    MarketCheckpoint,
    MarketParams,
    MarketState,
    PriceOrigin,
    PriceState,
    SessionSources
} from "../types/Oracle.sol";
import {OracleCorporateActions} from "./OracleCorporateActions.sol";

/// @title OracleAdapter
/// @notice One adapter for every market: session-aware source selection and validation, internal
/// pricing inside a band while closed, reopen snaps and corporate actions. See `IOracleAdapter`.
/// @dev Reading model: the stored `MarketCheckpoint` is what the last `poke` (or `recordTrade`)
/// recorded; `_evaluate` projects it to `block.timestamp` with the calendar and live source reads.
/// `priceState` returns that projection; `poke` also stores it and emits the events.
contract OracleAdapter is IOracleAdapter, AccessControl {
    using SafeCast for uint256;

    /// @inheritdoc IOracleAdapter
    bytes32 public constant MARKET_LISTER_ROLE = keccak256("MARKET_LISTER_ROLE");
    /// @inheritdoc IOracleAdapter
    bytes32 public constant RISK_MANAGER_ROLE = keccak256("RISK_MANAGER_ROLE");
    /// @inheritdoc IOracleAdapter
    bytes32 public constant TRADE_REPORTER_ROLE = keccak256("TRADE_REPORTER_ROLE");

    /// @inheritdoc IOracleAdapter
    IMarketCalendar public immutable calendar;
    /// @inheritdoc IOracleAdapter
    ISequencerGuard public immutable sequencerGuard;
    /// @inheritdoc IOracleAdapter
    IOracleCorporateActions public immutable corporateActions;

    mapping(bytes32 marketId => MarketCheckpoint) private _checkpoints;
    mapping(bytes32 marketId => MarketParams) private _params;
    mapping(bytes32 marketId => mapping(Session => SessionSources)) private _sources;

    /// @dev The calendar session in force now and its window `[start, end)`.
    struct Window {
        Session session;
        uint256 start;
        uint256 end;
    }

    /// @dev The projection of a checkpoint to now: the view, the checkpoint to store, and what
    /// happened on the way (for events).
    struct Evaluation {
        PriceState result;
        MarketCheckpoint next;
        DegradedReason reason;
        bool episodeStarted;
        bool reopened;
        bool gap;
        uint256 gapFromX18;
        PriceOrigin recordedOrigin;
    }

    /// @param marketCalendar The market calendar (required).
    /// @param guard The L2 sequencer guard, or address(0) on chains without one.
    /// @param admin The `DEFAULT_ADMIN_ROLE` holder (the timelock).
    constructor(IMarketCalendar marketCalendar, ISequencerGuard guard, address admin) {
        if (address(marketCalendar) == address(0)) revert Oracle_ZeroAddress("calendar");
        if (admin == address(0)) revert Oracle_ZeroAddress("admin");
        calendar = marketCalendar;
        sequencerGuard = guard;
        corporateActions = new OracleCorporateActions(admin);
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    // ============================================================================== views

    /// @inheritdoc IOracleAdapter
    function priceState(bytes32 marketId) external view returns (PriceState memory) {
        return _project(marketId).result;
    }

    /// @inheritdoc IOracleAdapter
    function isListed(bytes32 marketId) public view returns (bool) {
        return _checkpoints[marketId].lastGoodPriceX18 != 0;
    }

    /// @inheritdoc IOracleAdapter
    function marketParams(bytes32 marketId) external view returns (MarketParams memory) {
        return _params[marketId];
    }

    /// @inheritdoc IOracleAdapter
    function sessionSources(bytes32 marketId, Session session) external view returns (SessionSources memory) {
        return _loadSources(marketId, session);
    }

    /// @inheritdoc IOracleAdapter
    function checkpoint(bytes32 marketId) external view returns (MarketCheckpoint memory) {
        return _readCheckpoint(marketId);
    }

    /// @inheritdoc IOracleAdapter
    function defaultMarketParams(uint16 bandTierBps) external pure returns (MarketParams memory) {
        return OracleParams.defaults(bandTierBps);
    }

    // ============================================================================== config

    /// @inheritdoc IOracleAdapter
    function listMarket(
        bytes32 marketId,
        MarketParams calldata params,
        uint256 initialPriceX18
    ) external onlyRole(MARKET_LISTER_ROLE) {
        if (marketId == bytes32(0)) revert Oracle_ZeroMarketId();
        if (isListed(marketId)) revert Oracle_MarketAlreadyListed(marketId);
        _checkPrice(initialPriceX18);
        OracleParams.check(params);
        _params[marketId] = params;
        OracleParams.setDefaultStaleness(_sources[marketId]);
        Window memory w = _windowAt(block.timestamp);
        _storeCheckpoint(
            marketId,
            OracleParams.initialCheckpoint(initialPriceX18, w.session, w.start, w.end)
        );
        emit MarketListed(marketId, initialPriceX18, params);
    }

    /// @inheritdoc IOracleAdapter
    function setMarketParams(
        bytes32 marketId,
        MarketParams calldata params
    ) external onlyRole(RISK_MANAGER_ROLE) {
        _requireListed(marketId);
        OracleParams.check(params);
        _params[marketId] = params;
        emit MarketParamsSet(marketId, params);
    }

    /// @inheritdoc IOracleAdapter
    function setSessionSources(
        bytes32 marketId,
        Session session,
        IPriceSource primary,
        IPriceSource secondary
    ) external onlyRole(MARKET_LISTER_ROLE) {
        _requireListed(marketId);
        OracleParams.checkSources(session, address(primary), address(secondary));
        SessionSources storage sources = _sources[marketId][session];
        sources.primary = primary;
        sources.secondary = secondary;
        emit SessionSourcesSet(marketId, session, primary, secondary);
    }

    /// @inheritdoc IOracleAdapter
    function setSessionStaleness(
        bytes32 marketId,
        Session session,
        uint32 softStalenessSec,
        uint32 hardStalenessSec
    ) external onlyRole(RISK_MANAGER_ROLE) {
        _requireListed(marketId);
        OracleParams.checkStaleness(softStalenessSec, hardStalenessSec);
        SessionSources storage sources = _sources[marketId][session];
        sources.softStalenessSec = softStalenessSec;
        sources.hardStalenessSec = hardStalenessSec;
        emit SessionStalenessSet(marketId, session, softStalenessSec, hardStalenessSec);
    }

    // ============================================================================== state

    /// @inheritdoc IOracleAdapter
    function poke(bytes32 marketId) external returns (PriceState memory) {
        if (_actionDue(marketId)) _applyDueActionsAfterCatchUp(marketId);
        return _sync(marketId).result;
    }

    /// @inheritdoc IOracleAdapter
    function recordTrade(
        bytes32 marketId,
        uint256 priceX18,
        uint256 notionalX18
    ) external onlyRole(TRADE_REPORTER_ROLE) {
        _checkPrice(priceX18);
        _requireListed(marketId);
        if (_actionDue(marketId)) return; // HALTED: the trade's units are about to change
        if (_liveWithoutTransition(marketId)) return; // a live index: P is not used
        Evaluation memory ev = _sync(marketId);
        MarketParams storage params = _params[marketId];
        if (!PriceStates.isInternal(ev.result.state) || notionalX18 < params.minTradeNotionalX18) return;
        _moveInternalPrice(marketId, params, priceX18, notionalX18);
    }

    /// @inheritdoc IOracleAdapter
    function setNextCorporateActionTime(bytes32 marketId, uint256 effectiveTime) external {
        if (msg.sender != address(corporateActions)) revert Oracle_CallerNotCorporateActions(msg.sender);
        _checkpoints[marketId].nextActionTime = effectiveTime.toUint40();
        emit NextCorporateActionTimeSet(marketId, effectiveTime);
    }

    // ============================================================================== projection

    /// @dev The one read path of `priceState`, `poke` and `recordTrade`: SETTLED and due-action
    /// short cuts, else catch-up and projection of the stored checkpoint to `block.timestamp`.
    function _project(bytes32 marketId) private view returns (Evaluation memory ev) {
        MarketCheckpoint memory cp = _loadCheckpoint(marketId);
        ev.next = cp;
        if (cp.state == MarketState.SETTLED) {
            ev.result = _settledView(cp, cp.lastGoodPriceX18, cp.lastGoodTime);
            return ev;
        }
        if (cp.nextActionTime <= block.timestamp) {
            ev.result = _dueActionView(marketId, cp);
            return ev;
        }
        MarketParams storage params = _params[marketId];
        Window memory w = _currentWindow(cp);
        PriceOrigin caughtUpOrigin = _catchUp(marketId, cp, params, w);
        _evaluate(ev, marketId, params, w);
        if (!PriceStates.isLive(cp.state)) ev.recordedOrigin = caughtUpOrigin;
    }

    /// @dev Projection, store, events: what `poke` and `recordTrade` share.
    function _sync(bytes32 marketId) private returns (Evaluation memory ev) {
        ev = _project(marketId);
        if (ev.result.state == MarketState.SETTLED) return ev;
        MarketCheckpoint memory stored = _readCheckpoint(marketId);
        _storeCheckpoint(marketId, ev.next);
        _emitChanges(marketId, stored, ev);
    }

    /// @dev Records the last pre-action close first (in the old units), then applies the actions.
    function _applyDueActionsAfterCatchUp(bytes32 marketId) private {
        MarketCheckpoint memory cp = _loadCheckpoint(marketId);
        if (cp.state == MarketState.SETTLED) return;
        uint256 lastGoodTime = cp.lastGoodTime;
        PriceOrigin origin = _catchUp(marketId, cp, _params[marketId], _currentWindow(cp));
        if (cp.lastGoodTime != lastGoodTime) {
            _storeCheckpoint(marketId, cp);
            emit PriceRecorded(marketId, cp.lastGoodPriceX18, cp.lastGoodTime, origin);
        }
        _storeCheckpoint(marketId, corporateActions.applyDue(marketId, cp));
    }

    /// @dev The cheap path of `recordTrade` in the common case: the recorded state is live and the
    /// calendar session has not changed since. (If the sources failed meanwhile, the view already
    /// says DEGRADED; fills move P from the next poke on, which records the degradation.)
    function _liveWithoutTransition(bytes32 marketId) private view returns (bool) {
        MarketCheckpoint storage stored = _checkpoints[marketId];
        if (!PriceStates.isLive(stored.state) || block.timestamp >= stored.sessionEnd) return false;
        Session session = stored.session;
        return _fixedOnceStarted(session) || calendar.sessionAt(block.timestamp) == session;
    }

    function _actionDue(bytes32 marketId) private view returns (bool) {
        return _checkpoints[marketId].nextActionTime <= block.timestamp;
    }

    /// @dev Projects a checkpoint (already caught up, no action due) to `block.timestamp`.
    function _evaluate(
        Evaluation memory ev,
        bytes32 marketId,
        MarketParams storage params,
        Window memory w
    ) private view {
        MarketCheckpoint memory cp = ev.next;
        SessionSources memory sources;
        if (w.session != Session.CLOSED) sources = _loadSources(marketId, w.session);
        bool live = address(sources.primary) != address(0);
        uint256 liveSince = live ? _liveSince(cp, w) : 0;
        if (live) {
            uint256 notBefore = Math.max(liveSince, cp.lastAdjustmentTime);
            SourceRead memory r = OracleSourceReader.readGuarded(
                sequencerGuard,
                marketId,
                sources,
                params.maxDeviationBps,
                notBefore
            );
            bool continuing = PriceStates.isLive(cp.state) && liveSince == cp.liveSince;
            if (r.ok) _priceLive(ev, marketId, params, r, continuing);
            else _priceInternal(ev, marketId, params, MarketState.DEGRADED, r.failure);
        } else {
            _priceInternal(ev, marketId, params, MarketState.CLOSED, DegradedReason.NONE);
        }
        cp.session = w.session;
        cp.sessionStart = w.start.toUint40();
        cp.sessionEnd = w.end.toUint40();
        cp.liveSince = liveSince.toUint40();
        PriceStates.stamp(ev.result, cp, w.session);
    }

    /// @dev A valid live price: snap if this is a reopen, else OPEN (or REOPENING until its window ends).
    function _priceLive(
        Evaluation memory ev,
        bytes32 marketId,
        MarketParams storage params,
        SourceRead memory r,
        bool continuing
    ) private view {
        MarketCheckpoint memory cp = ev.next;
        if (!continuing) {
            _snap(ev, marketId, params, r);
        } else if (
            cp.state == MarketState.REOPENING && block.timestamp >= cp.reopenedAt + params.reopeningWindowSec
        ) {
            cp.state = MarketState.OPEN;
        }
        cp.lastGoodPriceX18 = r.priceX18.toUint128();
        cp.lastGoodTime = r.observedAt.toUint40();
        ev.recordedOrigin = r.origin;
        // b(0) = b_tier (<= b_cap by the parameter bounds): the LULD-like band around a live price.
        (uint256 lowX18, uint256 highX18) = OracleMath.bandX18(
            r.priceX18,
            OracleMath.bpsToX18(params.bandTierBps)
        );
        ev.result = PriceStates.build(
            cp.state,
            r.origin,
            r.priceX18,
            lowX18,
            highX18,
            r.priceX18,
            r.observedAt
        );
    }

    /// @dev The first valid live price after a closed or degraded stretch: index and mark jump to it
    /// (no smoothing), REOPENING begins, and a price outside the band is a gap.
    function _snap(
        Evaluation memory ev,
        bytes32 marketId,
        MarketParams storage params,
        SourceRead memory r
    ) private view {
        MarketCheckpoint memory cp = ev.next;
        (uint256 fromX18, uint256 lowX18, uint256 highX18, ) = _internalMark(ev, marketId, params);
        ev.reopened = true;
        if (r.priceX18 < lowX18 || r.priceX18 > highX18) {
            ev.gap = true;
            ev.gapFromX18 = fromX18;
        }
        cp.reopenedAt = r.observedAt.toUint40();
        bool inWindow = block.timestamp < r.observedAt + params.reopeningWindowSec;
        cp.state = inWindow ? MarketState.REOPENING : MarketState.OPEN;
    }

    /// @dev No live price (CLOSED session, or DEGRADED): the band-clamped internal price.
    function _priceInternal(
        Evaluation memory ev,
        bytes32 marketId,
        MarketParams storage params,
        MarketState state,
        DegradedReason reason
    ) private view {
        (uint256 markX18, uint256 lowX18, uint256 highX18, PriceOrigin origin) = _internalMark(
            ev,
            marketId,
            params
        );
        MarketCheckpoint memory cp = ev.next;
        cp.state = state;
        ev.reason = reason;
        ev.result = PriceStates.build(
            state,
            origin,
            markX18,
            lowX18,
            highX18,
            cp.anchorPriceX18,
            cp.anchorTime
        );
    }

    /// @dev The internal mark `clamp(P or blend(P, quotes), A(1 - b), A(1 + b))`. Starts a new
    /// episode (A = last good price, P = A) when the checkpoint was live.
    function _internalMark(
        Evaluation memory ev,
        bytes32 marketId,
        MarketParams storage params
    ) private view returns (uint256 markX18, uint256 lowX18, uint256 highX18, PriceOrigin origin) {
        MarketCheckpoint memory cp = ev.next;
        if (!PriceStates.isInternal(cp.state)) {
            cp.anchorPriceX18 = cp.lastGoodPriceX18;
            cp.anchorTime = cp.lastGoodTime;
            cp.internalPriceX18 = cp.lastGoodPriceX18;
            cp.internalUpdatedAt = cp.lastGoodTime;
            ev.episodeStarted = true;
        }
        uint256 halfWidthX18 = OracleMath.bandHalfWidthX18(
            params.bandTierBps,
            params.bandCapBps,
            block.timestamp - cp.anchorTime,
            params.bandHorizonSec
        );
        (lowX18, highX18) = OracleMath.bandX18(cp.anchorPriceX18, halfWidthX18);
        uint256 priceX18;
        (priceX18, origin) = _blendQuotes(marketId, params, cp);
        markX18 = OracleMath.clamp(priceX18, lowX18, highX18);
    }

    /// @dev P, blended with the median of fresh signed quotes (the CLOSED session's primary) when a
    /// weight is set and a quote observed after the anchor is available.
    function _blendQuotes(
        bytes32 marketId,
        MarketParams storage params,
        MarketCheckpoint memory cp
    ) private view returns (uint256 priceX18, PriceOrigin origin) {
        priceX18 = cp.internalPriceX18;
        origin = PriceOrigin.INTERNAL;
        if (params.quoteWeightBps == 0) return (priceX18, origin);
        SessionSources storage quotes = _sources[marketId][Session.CLOSED];
        IPriceSource source = quotes.primary;
        if (address(source) == address(0)) return (priceX18, origin);
        uint256 notBefore = Math.max(cp.anchorTime, cp.lastAdjustmentTime);
        SourceRead memory q = OracleSourceReader.read(
            marketId,
            source,
            quotes.hardStalenessSec,
            block.timestamp,
            notBefore
        );
        if (!q.ok) return (priceX18, origin);
        return (
            OracleMath.blendX18(priceX18, q.priceX18, params.quoteWeightBps),
            PriceOrigin.INTERNAL_QUOTE_BLEND
        );
    }

    /// @dev The start of the run of live sessions that `w` belongs to: the checkpoint's when `w` is
    /// the checkpoint's session or directly follows it, otherwise `w.start` (a new run: a reopen).
    function _liveSince(MarketCheckpoint memory cp, Window memory w) private pure returns (uint256) {
        bool sameSession = w.session == cp.session && w.start == cp.sessionStart;
        bool continues = cp.liveSince != 0 && (sameSession || cp.sessionEnd == w.start);
        return continues ? cp.liveSince : w.start;
    }

    // ============================================================================== catch-up

    /// @dev When the calendar session changed since the checkpoint, validate the PREVIOUS session's
    /// sources as of its last second (before any due corporate action): exactly what a poke at that
    /// moment would have recorded. This captures "the last validated price before the close" even
    /// when the keeper pokes only after the transition. The checkpoint is moved to that session and
    /// marked live (a valid price existed there), so the episode that follows anchors at that price.
    function _catchUp(
        bytes32 marketId,
        MarketCheckpoint memory cp,
        MarketParams storage params,
        Window memory w
    ) private view returns (PriceOrigin origin) {
        if (w.session == cp.session && w.start == cp.sessionStart) return origin;
        Window memory prev =
            cp.sessionEnd == w.start
                ? Window(cp.session, cp.sessionStart, cp.sessionEnd)
                : _windowAt(w.start - 1);
        SessionSources memory sources = _loadSources(marketId, prev.session);
        if (prev.session == Session.CLOSED || address(sources.primary) == address(0)) return origin;
        uint256 asOf = Math.min(prev.end, cp.nextActionTime) - 1;
        uint256 notBefore = Math.max(prev.start, cp.lastAdjustmentTime);
        SourceRead memory r = OracleSourceReader.readLive(
            marketId,
            sources,
            params.maxDeviationBps,
            asOf,
            notBefore
        );
        if (!r.ok || r.observedAt <= cp.lastGoodTime) return origin;
        origin = r.origin;
        cp.lastGoodPriceX18 = r.priceX18.toUint128();
        cp.lastGoodTime = r.observedAt.toUint40();
        if (prev.start != cp.sessionStart || prev.session != cp.session) {
            cp.session = prev.session;
            cp.sessionStart = prev.start.toUint40();
            cp.sessionEnd = prev.end.toUint40();
            cp.liveSince = prev.start.toUint40();
        }
        // A valid price existed before the close: the market was live then, whatever was recorded.
        if (PriceStates.isInternal(cp.state)) cp.state = MarketState.OPEN;
    }

    // ============================================================================== internal price

    /// @dev One capped EMA step of P toward the trade price.
    function _moveInternalPrice(
        bytes32 marketId,
        MarketParams storage params,
        uint256 priceX18,
        uint256 notionalX18
    ) private {
        MarketCheckpoint storage stored = _checkpoints[marketId];
        uint256 fromX18 = stored.internalPriceX18;
        uint256 dtSec = Math.min(block.timestamp - stored.internalUpdatedAt, params.emaMaxDtSec);
        uint256 toX18 = OracleMath.emaStepX18(
            fromX18,
            priceX18,
            dtSec,
            params.emaTauSec,
            params.maxEmaStepBps
        );
        stored.internalPriceX18 = toX18.toUint128();
        stored.internalUpdatedAt = block.timestamp.toUint40();
        emit InternalPriceUpdated(marketId, priceX18, notionalX18, fromX18, toX18);
    }

    // ============================================================================== events

    /// @dev Emits one event per recorded change, after the checkpoint was stored.
    function _emitChanges(bytes32 marketId, MarketCheckpoint memory stored, Evaluation memory ev) private {
        MarketCheckpoint memory next = ev.next;
        if (next.session != stored.session || next.sessionStart != stored.sessionStart) {
            emit SessionChanged(marketId, stored.session, next.session, next.sessionStart);
        }
        if (ev.episodeStarted) emit AnchorSet(marketId, next.anchorPriceX18, next.anchorTime);
        if (next.lastGoodTime != stored.lastGoodTime || next.lastGoodPriceX18 != stored.lastGoodPriceX18) {
            emit PriceRecorded(marketId, next.lastGoodPriceX18, next.lastGoodTime, ev.recordedOrigin);
        }
        if (ev.reopened) emit MarketReopened(marketId, next.lastGoodPriceX18, next.lastGoodTime);
        if (ev.gap) emit ReopenGap(marketId, ev.gapFromX18, next.lastGoodPriceX18);
        if (next.state != stored.state) {
            emit MarketStateChanged(marketId, stored.state, next.state, next.session, ev.reason);
        }
    }

    // ============================================================================== helpers

    /// @dev HALTED (a split or dividend is due) or SETTLED (a delisting is due), from stored state
    /// only: the last good price, frozen, with a zero-width band (nothing may fill while HALTED).
    function _dueActionView(
        bytes32 marketId,
        MarketCheckpoint memory cp
    ) private view returns (PriceState memory v) {
        (, CorporateAction memory due) = corporateActions.earliestPending(marketId);
        if (due.kind == CorporateActionKind.DELISTING)
            return _settledView(cp, due.amountX18, due.effectiveTime);
        v = PriceStates.flat(MarketState.HALTED, PriceOrigin.FROZEN, cp.lastGoodPriceX18, cp.lastGoodTime);
        PriceStates.stamp(v, cp, calendar.sessionAt(block.timestamp));
    }

    /// @dev SETTLED: index = mark = band = anchor = the settlement price.
    function _settledView(
        MarketCheckpoint memory cp,
        uint256 priceX18,
        uint256 settledAt
    ) private view returns (PriceState memory v) {
        v = PriceStates.flat(MarketState.SETTLED, PriceOrigin.SETTLEMENT, priceX18, settledAt);
        PriceStates.stamp(v, cp, calendar.sessionAt(block.timestamp));
    }

    /// @dev A single copy of the struct load code.
    function _loadSources(bytes32 marketId, Session session) private view returns (SessionSources memory) {
        return _sources[marketId][session];
    }

    /// @dev The session now and its window. Inside the checkpoint's window, a day session's window is
    /// returned without a calendar read (`_fixedOnceStarted`); otherwise the cheap `sessionAt`
    /// confirms it (its start is in the past, and past days never change; if governance moved its end,
    /// the session at `now` differs or `now` passes the stored end), else `sessionWindow` is read.
    function _currentWindow(MarketCheckpoint memory cp) private view returns (Window memory) {
        bool inStored = block.timestamp >= cp.sessionStart && block.timestamp < cp.sessionEnd;
        if (inStored && _fixedOnceStarted(cp.session))
            return Window(cp.session, cp.sessionStart, cp.sessionEnd);
        Session session = calendar.sessionAt(block.timestamp);
        if (session == cp.session && inStored) return Window(session, cp.sessionStart, cp.sessionEnd);
        return _windowAt(block.timestamp);
    }

    /// @dev PRE_MARKET, REGULAR and POST_MARKET lie inside one New York day and depend on that day's
    /// kind alone, which the calendar lets governance change only before the day starts
    /// (`IMarketCalendar`: days already started never change). Once such a window has started it
    /// can no longer move, so `now` inside it is in that session. OVERNIGHT and CLOSED windows end on
    /// a later day whose kind may still change: they are confirmed with the calendar.
    function _fixedOnceStarted(Session session) private pure returns (bool) {
        return session == Session.PRE_MARKET || session == Session.REGULAR || session == Session.POST_MARKET;
    }

    function _windowAt(uint256 timestamp) private view returns (Window memory w) {
        (w.session, w.start, w.end) = calendar.sessionWindow(timestamp);
    }

    function _requireListed(bytes32 marketId) private view {
        if (!isListed(marketId)) revert Oracle_UnknownMarket(marketId);
    }

    /// @dev One copy of the (five-slot) load and store code, shared by every caller.
    function _readCheckpoint(bytes32 marketId) private view returns (MarketCheckpoint memory) {
        return _checkpoints[marketId];
    }

    function _storeCheckpoint(bytes32 marketId, MarketCheckpoint memory cp) private {
        _checkpoints[marketId] = cp;
    }

    function _loadCheckpoint(bytes32 marketId) private view returns (MarketCheckpoint memory cp) {
        cp = _readCheckpoint(marketId);
        if (cp.lastGoodPriceX18 == 0) revert Oracle_UnknownMarket(marketId);
    }

    function _checkPrice(uint256 priceX18) private pure {
        if (priceX18 == 0 || priceX18 > Constants.MAX_PRICE_X18) {
            revert Oracle_InvalidPrice(priceX18, Constants.MAX_PRICE_X18);
        }
    }
}
