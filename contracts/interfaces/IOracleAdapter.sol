// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IMarketCalendar} from "./IMarketCalendar.sol";
import {IPriceSource} from "./IPriceSource.sol";
import {IOracleCorporateActions} from "./IOracleCorporateActions.sol";
import {ISequencerGuard} from "./ISequencerGuard.sol";
import {Session} from "../types/Session.sol";
import {
    DegradedReason,
    MarketCheckpoint,
    MarketParams,
    MarketState,
    PriceOrigin,
    PriceState,
    SessionSources
} from "../types/Oracle.sol";

/// @title IOracleAdapter
/// @notice The weekend-aware oracle of every Sundial market (SPEC section 3). Per market it picks
/// the price source of the calendar session, validates it (staleness, deviation, post-open rule),
/// prices closed sessions with an internal trade EMA clamped into a time-widening band around the
/// last pre-close price, snaps to the first post-open price, and applies corporate actions.
///
/// The clearinghouse reads ONE view per market, `priceState`. It is computed lazily from the stored
/// checkpoint, the calendar and live source reads, so it is right even when nobody poked: a session
/// transition since the last poke is already reflected, and a corporate action that is due but not
/// applied reports HALTED (a due delisting reports SETTLED).
///
/// Roles (OpenZeppelin AccessControl):
/// - `DEFAULT_ADMIN_ROLE` (the `TimelockController`): grants and revokes every role. It has no
///   direct power over prices or parameters.
/// - `MARKET_LISTER_ROLE` (timelocked: choosing a source is as powerful as setting the price):
///   lists markets with an initial reference price and chooses each session's primary and
///   secondary source (`listMarket`, `setSessionSources`).
/// - `RISK_MANAGER_ROLE`: sets per-market parameters and per-session staleness limits, always
///   inside the immutable hard bounds of `Constants` (`setMarketParams`, `setSessionStaleness`).
/// - `CORPORATE_ACTIONS_ROLE` lives on the `corporateActions` contract this adapter creates (see
///   `IOracleCorporateActions`): it schedules and cancels actions; `poke` applies due ones, once.
/// - The `corporateActions` contract: the only caller of `setNextCorporateActionTime`.
/// - `TRADE_REPORTER_ROLE` (the clearinghouse): the only caller of `recordTrade`.
/// - Anyone: `poke` (oracle keepers call it at session transitions and after pushing prices).
///
/// How the clearinghouse must use it:
/// - Trade and value positions at `markPriceX18`; accrue funding with `indexPriceX18` (equal to the
///   mark while CLOSED or DEGRADED); keep fills inside `[bandLowX18, bandHighX18]`.
/// - Reduce-only while REOPENING or DEGRADED; no trading while HALTED; close positions at the
///   settlement price when SETTLED.
/// - Closed-session leverage: keep the closed session's initial margin ratio >= `bandCapBps`
///   (max leverage <= 1 / b_cap), so a mark pinned at the band edge stays inside initial margin.
/// - Splits: `splitFactorX18` is the cumulative number of current shares per base share (1e18 at
///   listing). Store sizes in base shares, or convert lazily: size * factorNow / factorThen, prices
///   * factorThen / factorNow. Orders carry `epoch`; an order for another epoch must not fill.
/// - Dividends: `cumulativeDividendX18` is USD per BASE share and only increases. When it rose by
///   Δ since the value you last applied, longs receive and shorts pay Δ per base share, i.e.
///   Δ * 1e18 / splitFactorX18 per current share: with the SPEC 5.4 convention (longs pay when the
///   funding index rises) subtract that from a funding index kept per current share. Taking the
///   difference makes "exactly once" structural, also across splits (apply a split's rescaling of
///   per-share quantities before the dividend difference).
interface IOracleAdapter {
    // ---------------------------------------------------------------------------------- events

    /// @notice A market was listed with an initial reference price (its first anchor).
    event MarketListed(bytes32 indexed marketId, uint256 initialPriceX18, MarketParams params);
    /// @notice A market's parameters were changed.
    event MarketParamsSet(bytes32 indexed marketId, MarketParams params);
    /// @notice A session's sources were changed.
    event SessionSourcesSet(
        bytes32 indexed marketId,
        Session indexed session,
        IPriceSource primary,
        IPriceSource secondary
    );
    /// @notice A session's staleness limits were changed.
    event SessionStalenessSet(
        bytes32 indexed marketId,
        Session indexed session,
        uint32 softStalenessSec,
        uint32 hardStalenessSec
    );
    /// @notice The stored state moved; `reason` explains a move to DEGRADED (NONE otherwise).
    event MarketStateChanged(
        bytes32 indexed marketId,
        MarketState fromState,
        MarketState toState,
        Session session,
        DegradedReason reason
    );
    /// @notice The stored calendar session moved (recorded by `poke` or `recordTrade`).
    event SessionChanged(
        bytes32 indexed marketId,
        Session fromSession,
        Session toSession,
        uint256 sessionStart
    );
    /// @notice A validated external price was recorded as the last good price.
    event PriceRecorded(bytes32 indexed marketId, uint256 priceX18, uint256 observedAt, PriceOrigin origin);
    /// @notice An internal-pricing episode began (close or degradation): anchor A and P = A.
    event AnchorSet(bytes32 indexed marketId, uint256 anchorPriceX18, uint256 anchorTime);
    /// @notice A trade moved the internal price P (EMA update).
    event InternalPriceUpdated(
        bytes32 indexed marketId,
        uint256 tradePriceX18,
        uint256 notionalX18,
        uint256 fromPriceX18,
        uint256 toPriceX18
    );
    /// @notice Index and mark snapped to the first valid post-open price; REOPENING begins.
    event MarketReopened(bytes32 indexed marketId, uint256 priceX18, uint256 observedAt);
    /// @notice The reopen price lies outside the band: `fromPriceX18` was the mark just before.
    event ReopenGap(bytes32 indexed marketId, uint256 fromPriceX18, uint256 toPriceX18);
    /// @notice The corporate-action schedule reported a new earliest pending effective time.
    event NextCorporateActionTimeSet(bytes32 indexed marketId, uint256 effectiveTime);

    // ---------------------------------------------------------------------------------- errors

    /// @notice A constructor address argument is zero.
    error Oracle_ZeroAddress(bytes32 name);
    /// @notice The market id is zero.
    error Oracle_ZeroMarketId();
    /// @notice No market with this id is listed.
    error Oracle_UnknownMarket(bytes32 marketId);
    /// @notice A market with this id is already listed.
    error Oracle_MarketAlreadyListed(bytes32 marketId);
    /// @notice A parameter is outside its hard bounds (`name` is its field name).
    error Oracle_ParameterOutOfBounds(bytes32 name, uint256 value, uint256 min, uint256 max);
    /// @notice Only the corporate-action schedule may report its next effective time.
    error Oracle_CallerNotCorporateActions(address caller);
    /// @notice A price argument is zero or above `MAX_PRICE_X18`.
    error Oracle_InvalidPrice(uint256 priceX18, uint256 maxPriceX18);
    /// @notice A source address has no code.
    error Oracle_SourceNotContract(address source);
    /// @notice A secondary source requires a primary, must differ from it, and the CLOSED session
    /// (whose primary is the signed-quote source) has none.
    error Oracle_InvalidSecondary(Session session, address primary, address secondary);

    // ---------------------------------------------------------------------------------- roles

    /// @notice Lists markets and chooses their sources.
    function MARKET_LISTER_ROLE() external view returns (bytes32);

    /// @notice Sets bounded parameters and staleness limits.
    function RISK_MANAGER_ROLE() external view returns (bytes32);

    /// @notice The clearinghouse: reports every fill through `recordTrade`.
    function TRADE_REPORTER_ROLE() external view returns (bytes32);

    // ---------------------------------------------------------------------------------- wiring

    /// @notice The market calendar that decides the session at every timestamp.
    function calendar() external view returns (IMarketCalendar);

    /// @notice The corporate-action schedule this adapter created (splits, dividends, delistings).
    function corporateActions() external view returns (IOracleCorporateActions);

    /// @notice The L2 sequencer guard; address(0) on chains without a sequencer feed. While it
    /// reports not-ok, live sessions are DEGRADED (prices could not be pushed meanwhile).
    function sequencerGuard() external view returns (ISequencerGuard);

    // ---------------------------------------------------------------------------------- views

    /// @notice The clearinghouse's one read: state, session, index, mark, band, anchor, epoch,
    /// split factor and dividend accumulator of `marketId` at this block.
    /// @dev Never a silently wrong price: every source failure yields DEGRADED (last good price as
    /// the anchor, internal pricing inside the band). Reverts only for an unknown market.
    /// @dev Warning: while HALTED the prices are the last stored ones, in the units of the epoch
    /// BEFORE the due split; do not trade or liquidate on them.
    function priceState(bytes32 marketId) external view returns (PriceState memory);

    /// @notice Whether `marketId` is listed.
    function isListed(bytes32 marketId) external view returns (bool);

    /// @notice The market's parameters.
    function marketParams(bytes32 marketId) external view returns (MarketParams memory);

    /// @notice The sources and staleness limits of one session of the market.
    function sessionSources(bytes32 marketId, Session session) external view returns (SessionSources memory);

    /// @notice The stored checkpoint (what the last poke recorded; `priceState` projects it).
    function checkpoint(bytes32 marketId) external view returns (MarketCheckpoint memory);

    /// @notice The SPEC defaults with the given band tier (deploy scripts start from these).
    function defaultMarketParams(uint16 bandTierBps) external pure returns (MarketParams memory);

    // ---------------------------------------------------------------------------------- config

    /// @notice Lists a market. Its first anchor is `initialPriceX18`; every session gets the
    /// default staleness limits and no sources (so it prices internally until sources are set).
    /// @dev Only `MARKET_LISTER_ROLE`.
    function listMarket(bytes32 marketId, MarketParams calldata params, uint256 initialPriceX18) external;

    /// @notice Replaces the market's parameters (each inside its hard bounds).
    /// @dev Only `RISK_MANAGER_ROLE`. Takes effect in the next read (views are lazy).
    function setMarketParams(bytes32 marketId, MarketParams calldata params) external;

    /// @notice Chooses a session's primary and optional secondary source. A session other than
    /// CLOSED is live iff it has a primary; CLOSED's primary is the optional signed-quote source.
    /// @dev Only `MARKET_LISTER_ROLE`.
    function setSessionSources(
        bytes32 marketId,
        Session session,
        IPriceSource primary,
        IPriceSource secondary
    ) external;

    /// @notice Sets a session's soft and hard staleness limits (1 s <= soft <= hard <= 1 h).
    /// @dev Only `RISK_MANAGER_ROLE`.
    function setSessionStaleness(
        bytes32 marketId,
        Session session,
        uint32 softStalenessSec,
        uint32 hardStalenessSec
    ) external;

    // ---------------------------------------------------------------------------------- state

    /// @notice Records the market's state: validates sources, captures the anchor on the way into
    /// an internal-pricing episode, snaps at a reopen (emitting `ReopenGap` beyond the band) and
    /// applies due corporate actions. Permissionless.
    /// @return state The price state after the update (what `priceState` now returns).
    function poke(bytes32 marketId) external returns (PriceState memory state);

    /// @notice Feeds one fill into the internal price: while CLOSED or DEGRADED, a fill of at least
    /// `minTradeNotionalX18` moves P by `(1 - e^(-Δt*/tau)) * (price - P)`, capped at `maxEmaStepBps`
    /// of P. It also records the state like `poke`. In any other state (or with a corporate action
    /// due) the fill is ignored.
    /// @dev Only `TRADE_REPORTER_ROLE`. Several fills in one second: only the first moves P (Δt* = 0).
    /// Cheap path: when the recorded state is live (OPEN/REOPENING) and the calendar session has not
    /// changed, the fill is ignored without reading sources; a degradation that no poke has recorded
    /// yet therefore starts moving P only from the next poke.
    function recordTrade(bytes32 marketId, uint256 priceX18, uint256 notionalX18) external;

    /// @notice Records the earliest pending corporate-action time of `marketId` (max = none), so that
    /// `priceState` halts the market from then on without reading the schedule.
    /// @dev Only the `corporateActions` contract, after each schedule or cancellation.
    function setNextCorporateActionTime(bytes32 marketId, uint256 effectiveTime) external;
}
