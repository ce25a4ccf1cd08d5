// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Test} from "../utils/Test.sol";
import {Nyse2026} from "./Nyse2026.sol";
import {MarketCalendar} from "../../contracts/core/MarketCalendar.sol";
import {OracleAdapter} from "../../contracts/core/OracleAdapter.sol";
import {IMarketCalendar} from "../../contracts/interfaces/IMarketCalendar.sol";
import {IPriceSource} from "../../contracts/interfaces/IPriceSource.sol";
import {ISequencerGuard} from "../../contracts/interfaces/ISequencerGuard.sol";
import {MockPriceSource} from "../../contracts/mocks/MockPriceSource.sol";
import {DayKind, Session} from "../../contracts/types/Session.sol";
import {MarketParams, MarketState, PriceOrigin, PriceState} from "../../contracts/types/Oracle.sol";

/// @notice The REAL `MarketCalendar` with the NYSE 2026 holidays and early closes (SPEC section 2,
/// `deploy/parameters/nyse-calendar.json`) and one tier-1 market with a realistic 24/5 setup:
/// - REGULAR: Chainlink Data Feeds (`feeds`) primary, Pyth (`pyth`) secondary;
/// - PRE_MARKET, POST_MARKET, OVERNIGHT: Chainlink Data Streams (`streams`), no secondary;
/// - CLOSED: signed weekend quotes (`quotes`), blended with weight 25 %.
/// The mock sources publish only in "their" sessions (see `_publish`), each at a distinct price
/// offset so that a test can tell from the index which source was used.
abstract contract NyseFixture is Test {
    bytes32 internal constant AAPL = "AAPL-USD";
    uint256 internal constant PYTH_OFFSET = 0.1e18;
    uint256 internal constant STREAMS_OFFSET = 0.2e18;
    uint256 internal constant QUOTES_OFFSET = 0.3e18;

    address internal admin = makeAddr("timelock");
    address internal clearinghouse = makeAddr("clearinghouse");

    MarketCalendar internal calendar;
    OracleAdapter internal adapter;
    MockPriceSource internal feeds;
    MockPriceSource internal pyth;
    MockPriceSource internal streams;
    MockPriceSource internal quotes;

    /// @dev Deploys everything at `listingTime` and lists AAPL at `initialPriceX18`.
    function _deployAt(uint256 listingTime, uint256 initialPriceX18) internal {
        vm.warp(listingTime);
        (uint256[] memory dayNumbers, DayKind[] memory kinds) = _nyse2026();
        calendar = new MarketCalendar(admin, dayNumbers, kinds);
        adapter = new OracleAdapter(IMarketCalendar(address(calendar)), ISequencerGuard(address(0)), admin);
        feeds = new MockPriceSource();
        pyth = new MockPriceSource();
        streams = new MockPriceSource();
        quotes = new MockPriceSource();
        vm.startPrank(admin);
        adapter.grantRole(adapter.MARKET_LISTER_ROLE(), admin);
        adapter.grantRole(adapter.RISK_MANAGER_ROLE(), admin);
        adapter.grantRole(adapter.TRADE_REPORTER_ROLE(), clearinghouse);
        MarketParams memory params = adapter.defaultMarketParams(500);
        params.quoteWeightBps = 2500;
        adapter.listMarket(AAPL, params, initialPriceX18);
        adapter.setSessionSources(AAPL, Session.REGULAR, IPriceSource(feeds), IPriceSource(pyth));
        adapter.setSessionSources(AAPL, Session.PRE_MARKET, IPriceSource(streams), IPriceSource(address(0)));
        adapter.setSessionSources(AAPL, Session.POST_MARKET, IPriceSource(streams), IPriceSource(address(0)));
        adapter.setSessionSources(AAPL, Session.OVERNIGHT, IPriceSource(streams), IPriceSource(address(0)));
        adapter.setSessionSources(AAPL, Session.CLOSED, IPriceSource(quotes), IPriceSource(address(0)));
        vm.stopPrank();
    }

    /// @dev What a keeper pushes now, by the real session: feeds + pyth in REGULAR, streams in the
    /// extended and overnight sessions, signed quotes while CLOSED.
    function _publish(uint256 priceX18) internal {
        Session session = calendar.sessionAt(block.timestamp);
        if (session == Session.REGULAR) {
            feeds.setPrice(AAPL, priceX18, block.timestamp);
            pyth.setPrice(AAPL, priceX18 + PYTH_OFFSET, block.timestamp);
        } else if (session == Session.CLOSED) {
            quotes.setPrice(AAPL, priceX18 + QUOTES_OFFSET, block.timestamp);
        } else {
            streams.setPrice(AAPL, priceX18 + STREAMS_OFFSET, block.timestamp);
        }
    }

    function _trade(uint256 priceX18, uint256 notionalX18) internal {
        vm.prank(clearinghouse);
        adapter.recordTrade(AAPL, priceX18, notionalX18);
    }

    function _assertPriceState(
        PriceState memory s,
        Session session,
        MarketState state,
        PriceOrigin origin,
        string memory label
    ) internal pure {
        assertEq(uint256(s.session), uint256(session), string.concat(label, ": session"));
        assertEq(uint256(s.state), uint256(state), string.concat(label, ": state"));
        assertEq(uint256(s.origin), uint256(origin), string.concat(label, ": origin"));
        assertGe(s.markPriceX18, s.bandLowX18, string.concat(label, ": mark >= band low"));
        assertLe(s.markPriceX18, s.bandHighX18, string.concat(label, ": mark <= band high"));
    }

    /// @dev UTC seconds of a UTC wall-clock time (New York time is given in comments: EDT = UTC-4
    /// until Sun Nov 1 2026 02:00, EST = UTC-5 after).
    function _utc(
        uint256 year,
        uint256 month,
        uint256 day,
        uint256 hour,
        uint256 minute
    ) internal pure returns (uint256) {
        return Nyse2026.utc(year, month, day, hour, minute);
    }

    /// @dev SPEC section 2, 2026 holidays and early closes (see `Nyse2026`).
    function _nyse2026() internal pure returns (uint256[] memory dayNumbers, DayKind[] memory kinds) {
        return Nyse2026.dayKinds();
    }
}
