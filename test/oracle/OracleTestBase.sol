// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Test} from "../utils/Test.sol";
import {OracleAdapter} from "../../contracts/core/OracleAdapter.sol";
import {IMarketCalendar} from "../../contracts/interfaces/IMarketCalendar.sol";
import {OracleCorporateActions} from "../../contracts/core/OracleCorporateActions.sol";
import {IPriceSource} from "../../contracts/interfaces/IPriceSource.sol";
import {ISequencerGuard} from "../../contracts/interfaces/ISequencerGuard.sol";
import {MockCalendar} from "../../contracts/mocks/MockCalendar.sol";
import {MockPriceSource} from "../../contracts/mocks/MockPriceSource.sol";
import {MockSequencerGuard} from "../../contracts/mocks/MockSequencerGuard.sol";
import {Session} from "../../contracts/types/Session.sol";
import {
    MarketCheckpoint,
    MarketParams,
    MarketState,
    PriceOrigin,
    PriceState
} from "../../contracts/types/Oracle.sol";

/// @notice Shared fixture of the oracle adapter unit tests: a deterministic mock calendar, mock
/// sources and sequencer guard, and one tier-1 market listed at 100 USD.
/// @dev The mock schedule (UTC seconds, T0 = 1.8e9):
///   [.., OPEN_1)          CLOSED (listing happens at T0)
///   [OPEN_1, CLOSE_1)     REGULAR   primary `feed`, secondary `pyth`
///   [CLOSE_1, POST_END)   POST_MARKET  primary `streams`
///   [POST_END, OPEN_2)    CLOSED, 48 h (a normal weekend); signed quotes from `quotes` when set
///   [OPEN_2, CLOSE_2)     REGULAR
///   [CLOSE_2, ..)         CLOSED
abstract contract OracleTestBase is Test {
    bytes32 internal constant AAPL = "AAPL-USD";
    uint256 internal constant T0 = 1_800_000_000;
    uint256 internal constant OPEN_1 = T0 + 1 hours;
    uint256 internal constant CLOSE_1 = OPEN_1 + 6.5 hours;
    uint256 internal constant POST_END = CLOSE_1 + 4 hours;
    uint256 internal constant OPEN_2 = POST_END + 48 hours;
    uint256 internal constant CLOSE_2 = OPEN_2 + 6.5 hours;
    uint256 internal constant INITIAL_PRICE = 100e18;

    address internal admin = makeAddr("timelock");
    address internal lister = makeAddr("marketLister");
    address internal riskManager = makeAddr("riskManager");
    address internal clearinghouse = makeAddr("clearinghouse");
    address internal stranger = makeAddr("stranger");

    MockCalendar internal cal;
    MockPriceSource internal feed;
    MockPriceSource internal pyth;
    MockPriceSource internal streams;
    MockPriceSource internal quotes;
    MockSequencerGuard internal guard;
    OracleAdapter internal adapter;
    OracleCorporateActions internal actions;

    function setUp() public virtual {
        vm.warp(T0);
        cal = new MockCalendar();
        cal.setSession(OPEN_1, CLOSE_1, Session.REGULAR);
        cal.setSession(CLOSE_1, POST_END, Session.POST_MARKET);
        cal.setSession(OPEN_2, CLOSE_2, Session.REGULAR);
        feed = new MockPriceSource();
        pyth = new MockPriceSource();
        streams = new MockPriceSource();
        quotes = new MockPriceSource();
        guard = new MockSequencerGuard();
        adapter = new OracleAdapter(IMarketCalendar(address(cal)), ISequencerGuard(address(guard)), admin);
        actions = OracleCorporateActions(address(adapter.corporateActions()));
        vm.startPrank(admin);
        adapter.grantRole(adapter.MARKET_LISTER_ROLE(), lister);
        adapter.grantRole(adapter.RISK_MANAGER_ROLE(), riskManager);
        adapter.grantRole(adapter.TRADE_REPORTER_ROLE(), clearinghouse);
        vm.stopPrank();
        _listWithSources(AAPL);
    }

    // ------------------------------------------------------------------ fixture helpers

    function _defaults() internal view returns (MarketParams memory) {
        return adapter.defaultMarketParams(500);
    }

    function _listWithSources(bytes32 marketId) internal {
        vm.startPrank(lister);
        adapter.listMarket(marketId, _defaults(), INITIAL_PRICE);
        adapter.setSessionSources(marketId, Session.REGULAR, IPriceSource(feed), IPriceSource(pyth));
        adapter.setSessionSources(
            marketId,
            Session.POST_MARKET,
            IPriceSource(streams),
            IPriceSource(address(0))
        );
        vm.stopPrank();
    }

    function _setParams(MarketParams memory params) internal {
        vm.prank(riskManager);
        adapter.setMarketParams(AAPL, params);
    }

    /// @dev Primary and secondary of the regular session both at `priceX18`, observed now.
    function _pushRegular(uint256 priceX18) internal {
        feed.setPrice(AAPL, priceX18, block.timestamp);
        pyth.setPrice(AAPL, priceX18, block.timestamp);
    }

    function _state() internal view returns (PriceState memory) {
        return adapter.priceState(AAPL);
    }

    function _checkpoint() internal view returns (MarketCheckpoint memory) {
        return adapter.checkpoint(AAPL);
    }

    function _poke() internal returns (PriceState memory) {
        return adapter.poke(AAPL);
    }

    function _trade(uint256 priceX18, uint256 notionalX18) internal {
        vm.prank(clearinghouse);
        adapter.recordTrade(AAPL, priceX18, notionalX18);
    }

    /// @dev Warps into the first regular session, reopens at `priceX18` and lets the REOPENING
    /// window pass, leaving the market OPEN with a fresh price `priceX18` recorded.
    function _openAt(uint256 priceX18) internal {
        vm.warp(OPEN_1 + 60);
        _pushRegular(priceX18);
        _poke();
        vm.warp(OPEN_1 + 60 + 5 minutes);
        _pushRegular(priceX18);
        _poke();
    }

    function _assertState(
        PriceState memory s,
        MarketState state,
        PriceOrigin origin,
        string memory label
    ) internal pure {
        assertEq(uint256(s.state), uint256(state), string.concat(label, ": state"));
        assertEq(uint256(s.origin), uint256(origin), string.concat(label, ": origin"));
    }
}
