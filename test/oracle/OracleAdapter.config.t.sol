// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {OracleTestBase} from "./OracleTestBase.sol";
import {OracleAdapter} from "../../contracts/core/OracleAdapter.sol";
import {IMarketCalendar} from "../../contracts/interfaces/IMarketCalendar.sol";
import {IOracleAdapter} from "../../contracts/interfaces/IOracleAdapter.sol";
import {IPriceSource} from "../../contracts/interfaces/IPriceSource.sol";
import {ISequencerGuard} from "../../contracts/interfaces/ISequencerGuard.sol";
import {Constants} from "../../contracts/libraries/Constants.sol";
import {Session} from "../../contracts/types/Session.sol";
import {
    MarketCheckpoint,
    MarketParams,
    MarketState,
    PriceOrigin,
    PriceState,
    SessionSources
} from "../../contracts/types/Oracle.sol";

/// @notice Constructor, roles, listing and every bounded setter of the oracle adapter.
contract OracleAdapterConfigTest is OracleTestBase {
    bytes32 internal constant TSLA = "TSLA-USD";

    // ================================================================== constructor and roles

    function test_constructor_WiresCalendarGuardAndCorporateActions() public view {
        assertEq(address(adapter.calendar()), address(cal), "calendar");
        assertEq(address(adapter.sequencerGuard()), address(guard), "guard");
        assertEq(address(actions.adapter()), address(adapter), "schedule belongs to this adapter");
        assertTrue(adapter.hasRole(adapter.DEFAULT_ADMIN_ROLE(), admin), "admin on adapter");
        assertTrue(actions.hasRole(actions.DEFAULT_ADMIN_ROLE(), admin), "admin on schedule");
        assertFalse(adapter.hasRole(adapter.DEFAULT_ADMIN_ROLE(), address(this)), "deployer holds nothing");
    }

    function test_constructor_AcceptsNoSequencerGuard() public {
        OracleAdapter l1 = new OracleAdapter(
            IMarketCalendar(address(cal)),
            ISequencerGuard(address(0)),
            admin
        );
        assertEq(address(l1.sequencerGuard()), address(0), "no guard");
    }

    function test_constructor_RevertIf_CalendarIsZero() public {
        vm.expectRevert(
            abi.encodeWithSelector(IOracleAdapter.Oracle_ZeroAddress.selector, bytes32("calendar"))
        );
        new OracleAdapter(IMarketCalendar(address(0)), ISequencerGuard(address(guard)), admin);
    }

    function test_constructor_RevertIf_AdminIsZero() public {
        vm.expectRevert(abi.encodeWithSelector(IOracleAdapter.Oracle_ZeroAddress.selector, bytes32("admin")));
        new OracleAdapter(IMarketCalendar(address(cal)), ISequencerGuard(address(guard)), address(0));
    }

    function test_roleIds_AreHashesOfTheirNames() public view {
        assertEq(adapter.MARKET_LISTER_ROLE(), keccak256("MARKET_LISTER_ROLE"), "lister");
        assertEq(adapter.RISK_MANAGER_ROLE(), keccak256("RISK_MANAGER_ROLE"), "risk");
        assertEq(adapter.TRADE_REPORTER_ROLE(), keccak256("TRADE_REPORTER_ROLE"), "reporter");
        assertEq(actions.CORPORATE_ACTIONS_ROLE(), keccak256("CORPORATE_ACTIONS_ROLE"), "corporate actions");
    }

    // ================================================================== defaults

    function test_defaultMarketParams_AreTheSpecDefaults() public view {
        MarketParams memory p = adapter.defaultMarketParams(1000);
        assertEq(p.bandTierBps, 1000, "tier as given");
        assertEq(p.bandCapBps, 2000, "cap 20 %");
        assertEq(p.maxDeviationBps, 100, "deviation 1 %");
        assertEq(p.maxEmaStepBps, 100, "EMA step 1 %");
        assertEq(p.quoteWeightBps, 0, "no quote blend");
        assertEq(p.bandHorizonSec, 24 hours, "24 h horizon");
        assertEq(p.emaTauSec, 1 hours, "tau 1 h");
        assertEq(p.emaMaxDtSec, 360, "dt* cap 360 s");
        assertEq(p.reopeningWindowSec, 5 minutes, "reopening 5 min");
        assertEq(p.minTradeNotionalX18, 1_000e18, "min notional USD 1,000");
    }

    // ================================================================== listMarket

    function test_listMarket_StoresParamsDefaultStalenessAndFirstAnchor() public view {
        assertTrue(adapter.isListed(AAPL), "listed");
        assertFalse(adapter.isListed(TSLA), "not listed");
        assertEq(adapter.marketParams(AAPL).bandTierBps, 500, "params stored");
        _assertStaleness(Session.REGULAR, 30, 120);
        _assertStaleness(Session.PRE_MARKET, 60, 300);
        _assertStaleness(Session.POST_MARKET, 60, 300);
        _assertStaleness(Session.OVERNIGHT, 120, 300);
        _assertStaleness(Session.CLOSED, 300, 900);
        MarketCheckpoint memory cp = _checkpoint();
        assertEq(uint256(cp.state), uint256(MarketState.CLOSED), "starts CLOSED");
        assertEq(cp.lastGoodPriceX18, INITIAL_PRICE, "last good = initial");
        assertEq(cp.anchorPriceX18, INITIAL_PRICE, "anchor = initial");
        assertEq(cp.anchorTime, T0, "anchor time = listing");
        assertEq(cp.internalPriceX18, INITIAL_PRICE, "P = initial");
        assertEq(cp.splitFactorX18, 1e18, "no split");
        assertEq(cp.nextActionTime, type(uint40).max, "no action");
        assertEq(cp.epoch, 0, "epoch 0");
    }

    function test_listMarket_EmitsMarketListed() public {
        MarketParams memory p = _defaults();
        vm.expectEmit(address(adapter));
        emit IOracleAdapter.MarketListed(TSLA, 250e18, p);
        vm.prank(lister);
        adapter.listMarket(TSLA, p, 250e18);
    }

    function test_listMarket_PricesInternallyUntilSourcesAreSet() public {
        MarketParams memory p = _defaults();
        vm.prank(lister);
        adapter.listMarket(TSLA, p, 250e18);
        vm.warp(OPEN_1 + 10 minutes); // REGULAR by the calendar, but TSLA has no source yet
        PriceState memory s = adapter.priceState(TSLA);
        _assertState(s, MarketState.CLOSED, PriceOrigin.INTERNAL, "no source");
        assertEq(uint256(s.session), uint256(Session.REGULAR), "session still reported");
        assertEq(s.markPriceX18, 250e18, "mark = anchor");
    }

    function test_listMarket_RevertIf_CallerIsNotLister() public {
        MarketParams memory p = _defaults();
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector,
                stranger,
                adapter.MARKET_LISTER_ROLE()
            )
        );
        vm.prank(stranger);
        adapter.listMarket(TSLA, p, 250e18);
    }

    function test_listMarket_RevertIf_MarketIdIsZero() public {
        MarketParams memory p = _defaults();
        vm.expectRevert(abi.encodeWithSelector(IOracleAdapter.Oracle_ZeroMarketId.selector));
        vm.prank(lister);
        adapter.listMarket(bytes32(0), p, 250e18);
    }

    function test_listMarket_RevertIf_AlreadyListed() public {
        MarketParams memory p = _defaults();
        vm.expectRevert(abi.encodeWithSelector(IOracleAdapter.Oracle_MarketAlreadyListed.selector, AAPL));
        vm.prank(lister);
        adapter.listMarket(AAPL, p, 250e18);
    }

    function test_listMarket_RevertIf_PriceIsZeroOrAboveMax() public {
        MarketParams memory p = _defaults();
        uint256 max = Constants.MAX_PRICE_X18;
        vm.expectRevert(abi.encodeWithSelector(IOracleAdapter.Oracle_InvalidPrice.selector, 0, max));
        vm.prank(lister);
        adapter.listMarket(TSLA, p, 0);
        vm.expectRevert(abi.encodeWithSelector(IOracleAdapter.Oracle_InvalidPrice.selector, max + 1, max));
        vm.prank(lister);
        adapter.listMarket(TSLA, p, max + 1);
        vm.prank(lister);
        adapter.listMarket(TSLA, p, max); // the bound itself is valid
    }

    function test_listMarket_RevertIf_ParamsOutOfBounds() public {
        MarketParams memory p = _defaults();
        p.bandTierBps = 99;
        vm.expectRevert(_bounds("bandTierBps", 99, 100, 2000));
        vm.prank(lister);
        adapter.listMarket(TSLA, p, 250e18);
    }

    // ================================================================== setMarketParams

    function test_setMarketParams_StoresAndEmits() public {
        MarketParams memory p = _defaults();
        p.bandTierBps = 400;
        p.quoteWeightBps = 2500;
        vm.expectEmit(address(adapter));
        emit IOracleAdapter.MarketParamsSet(AAPL, p);
        _setParams(p);
        assertEq(adapter.marketParams(AAPL).bandTierBps, 400, "tier");
        assertEq(adapter.marketParams(AAPL).quoteWeightBps, 2500, "weight");
    }

    function test_setMarketParams_RevertIf_CallerIsNotRiskManager() public {
        MarketParams memory p = _defaults();
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector,
                lister,
                adapter.RISK_MANAGER_ROLE()
            )
        );
        vm.prank(lister);
        adapter.setMarketParams(AAPL, p);
    }

    function test_setMarketParams_RevertIf_UnknownMarket() public {
        MarketParams memory p = _defaults();
        vm.expectRevert(abi.encodeWithSelector(IOracleAdapter.Oracle_UnknownMarket.selector, TSLA));
        vm.prank(riskManager);
        adapter.setMarketParams(TSLA, p);
    }

    function test_setMarketParams_BandTierBounds() public {
        MarketParams memory p = _defaults();
        (p.bandTierBps, p.bandCapBps) = (100, 2000);
        _setParams(p); // lower bound accepted
        p.bandTierBps = 2000;
        _setParams(p); // upper bound accepted (= cap)
        p.bandTierBps = 99;
        _expectParamsRevert(p, _bounds("bandTierBps", 99, 100, 2000));
        p.bandTierBps = 2001;
        _expectParamsRevert(p, _bounds("bandTierBps", 2001, 100, 2000));
    }

    function test_setMarketParams_BandCapBounds() public {
        MarketParams memory p = _defaults();
        p.bandCapBps = 500; // = tier
        _setParams(p);
        p.bandCapBps = 499;
        _expectParamsRevert(p, _bounds("bandCapBps", 499, 500, 2000));
        p.bandCapBps = 2001;
        _expectParamsRevert(p, _bounds("bandCapBps", 2001, 500, 2000));
    }

    function test_setMarketParams_MaxDeviationBounds() public {
        MarketParams memory p = _defaults();
        p.maxDeviationBps = 10;
        _setParams(p);
        p.maxDeviationBps = 1000;
        _setParams(p);
        p.maxDeviationBps = 9;
        _expectParamsRevert(p, _bounds("maxDeviationBps", 9, 10, 1000));
        p.maxDeviationBps = 1001;
        _expectParamsRevert(p, _bounds("maxDeviationBps", 1001, 10, 1000));
    }

    function test_setMarketParams_MaxEmaStepBounds() public {
        MarketParams memory p = _defaults();
        p.maxEmaStepBps = 1;
        _setParams(p);
        p.maxEmaStepBps = 500;
        _setParams(p);
        p.maxEmaStepBps = 0;
        _expectParamsRevert(p, _bounds("maxEmaStepBps", 0, 1, 500));
        p.maxEmaStepBps = 501;
        _expectParamsRevert(p, _bounds("maxEmaStepBps", 501, 1, 500));
    }

    function test_setMarketParams_QuoteWeightBounds() public {
        MarketParams memory p = _defaults();
        p.quoteWeightBps = 5000;
        _setParams(p);
        p.quoteWeightBps = 5001;
        _expectParamsRevert(p, _bounds("quoteWeightBps", 5001, 0, 5000));
    }

    function test_setMarketParams_BandHorizonBounds() public {
        MarketParams memory p = _defaults();
        p.bandHorizonSec = 1 hours;
        _setParams(p);
        p.bandHorizonSec = 7 days;
        _setParams(p);
        p.bandHorizonSec = 1 hours - 1;
        _expectParamsRevert(p, _bounds("bandHorizonSec", 1 hours - 1, 1 hours, 7 days));
        p.bandHorizonSec = 7 days + 1;
        _expectParamsRevert(p, _bounds("bandHorizonSec", 7 days + 1, 1 hours, 7 days));
    }

    function test_setMarketParams_EmaTauBounds() public {
        MarketParams memory p = _defaults();
        p.emaTauSec = 10 minutes;
        _setParams(p);
        p.emaTauSec = 24 hours;
        _setParams(p);
        p.emaTauSec = 10 minutes - 1;
        _expectParamsRevert(p, _bounds("emaTauSec", 10 minutes - 1, 10 minutes, 24 hours));
        p.emaTauSec = 24 hours + 1;
        _expectParamsRevert(p, _bounds("emaTauSec", 24 hours + 1, 10 minutes, 24 hours));
    }

    function test_setMarketParams_EmaMaxDtBoundsIncludeTau() public {
        MarketParams memory p = _defaults();
        p.emaMaxDtSec = 1;
        _setParams(p);
        p.emaMaxDtSec = 1 hours; // = tau = MAX_EMA_MAX_DT
        _setParams(p);
        p.emaMaxDtSec = 0;
        _expectParamsRevert(p, _bounds("emaMaxDtSec", 0, 1, 1 hours));
        p.emaMaxDtSec = 1 hours + 1;
        _expectParamsRevert(p, _bounds("emaMaxDtSec", 1 hours + 1, 1, 1 hours));
        // A shorter tau lowers the bound: Δt*/tau must stay <= 1.
        (p.emaTauSec, p.emaMaxDtSec) = (20 minutes, 20 minutes + 1);
        _expectParamsRevert(p, _bounds("emaMaxDtSec", 20 minutes + 1, 1, 20 minutes));
    }

    function test_setMarketParams_ReopeningWindowBounds() public {
        MarketParams memory p = _defaults();
        p.reopeningWindowSec = 1 minutes;
        _setParams(p);
        p.reopeningWindowSec = 1 hours;
        _setParams(p);
        p.reopeningWindowSec = 59;
        _expectParamsRevert(p, _bounds("reopeningWindowSec", 59, 60, 1 hours));
        p.reopeningWindowSec = 1 hours + 1;
        _expectParamsRevert(p, _bounds("reopeningWindowSec", 1 hours + 1, 60, 1 hours));
    }

    function test_setMarketParams_MinTradeNotionalBounds() public {
        MarketParams memory p = _defaults();
        p.minTradeNotionalX18 = 10e18;
        _setParams(p);
        p.minTradeNotionalX18 = 1_000_000e18;
        _setParams(p);
        p.minTradeNotionalX18 = 10e18 - 1;
        _expectParamsRevert(p, _bounds("minTradeNotionalX18", 10e18 - 1, 10e18, 1_000_000e18));
        p.minTradeNotionalX18 = 1_000_000e18 + 1;
        _expectParamsRevert(p, _bounds("minTradeNotionalX18", 1_000_000e18 + 1, 10e18, 1_000_000e18));
    }

    // ================================================================== setSessionSources

    function test_setSessionSources_StoresAndEmits() public {
        vm.expectEmit(address(adapter));
        emit IOracleAdapter.SessionSourcesSet(
            AAPL,
            Session.OVERNIGHT,
            IPriceSource(streams),
            IPriceSource(pyth)
        );
        vm.prank(lister);
        adapter.setSessionSources(AAPL, Session.OVERNIGHT, IPriceSource(streams), IPriceSource(pyth));
        SessionSources memory s = adapter.sessionSources(AAPL, Session.OVERNIGHT);
        assertEq(address(s.primary), address(streams), "primary");
        assertEq(address(s.secondary), address(pyth), "secondary");
        assertEq(s.softStalenessSec, 120, "staleness kept");
    }

    function test_setSessionSources_ClosedSessionTakesTheQuoteSourceOnly() public {
        vm.prank(lister);
        adapter.setSessionSources(AAPL, Session.CLOSED, IPriceSource(quotes), IPriceSource(address(0)));
        assertEq(address(adapter.sessionSources(AAPL, Session.CLOSED).primary), address(quotes), "quotes");
        vm.expectRevert(
            abi.encodeWithSelector(
                IOracleAdapter.Oracle_InvalidSecondary.selector,
                Session.CLOSED,
                address(quotes),
                address(pyth)
            )
        );
        vm.prank(lister);
        adapter.setSessionSources(AAPL, Session.CLOSED, IPriceSource(quotes), IPriceSource(pyth));
    }

    function test_setSessionSources_CanRemoveSources() public {
        vm.prank(lister);
        adapter.setSessionSources(AAPL, Session.REGULAR, IPriceSource(address(0)), IPriceSource(address(0)));
        vm.warp(OPEN_1 + 1 minutes);
        _pushRegular(101e18);
        _assertState(_state(), MarketState.CLOSED, PriceOrigin.INTERNAL, "regular without source: internal");
    }

    function test_setSessionSources_RevertIf_CallerIsNotLister() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector,
                riskManager,
                adapter.MARKET_LISTER_ROLE()
            )
        );
        vm.prank(riskManager);
        adapter.setSessionSources(AAPL, Session.REGULAR, IPriceSource(feed), IPriceSource(address(0)));
    }

    function test_setSessionSources_RevertIf_UnknownMarket() public {
        vm.expectRevert(abi.encodeWithSelector(IOracleAdapter.Oracle_UnknownMarket.selector, TSLA));
        vm.prank(lister);
        adapter.setSessionSources(TSLA, Session.REGULAR, IPriceSource(feed), IPriceSource(address(0)));
    }

    function test_setSessionSources_RevertIf_SourceHasNoCode() public {
        address eoa = makeAddr("eoa");
        vm.expectRevert(abi.encodeWithSelector(IOracleAdapter.Oracle_SourceNotContract.selector, eoa));
        vm.prank(lister);
        adapter.setSessionSources(AAPL, Session.REGULAR, IPriceSource(eoa), IPriceSource(address(0)));
        vm.expectRevert(abi.encodeWithSelector(IOracleAdapter.Oracle_SourceNotContract.selector, eoa));
        vm.prank(lister);
        adapter.setSessionSources(AAPL, Session.REGULAR, IPriceSource(feed), IPriceSource(eoa));
    }

    function test_setSessionSources_RevertIf_SecondaryWithoutPrimaryOrSameAsPrimary() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                IOracleAdapter.Oracle_InvalidSecondary.selector,
                Session.REGULAR,
                address(0),
                address(pyth)
            )
        );
        vm.prank(lister);
        adapter.setSessionSources(AAPL, Session.REGULAR, IPriceSource(address(0)), IPriceSource(pyth));
        vm.expectRevert(
            abi.encodeWithSelector(
                IOracleAdapter.Oracle_InvalidSecondary.selector,
                Session.REGULAR,
                address(feed),
                address(feed)
            )
        );
        vm.prank(lister);
        adapter.setSessionSources(AAPL, Session.REGULAR, IPriceSource(feed), IPriceSource(feed));
    }

    // ================================================================== setSessionStaleness

    function test_setSessionStaleness_StoresAndEmits() public {
        vm.expectEmit(address(adapter));
        emit IOracleAdapter.SessionStalenessSet(AAPL, Session.REGULAR, 10, 60);
        vm.prank(riskManager);
        adapter.setSessionStaleness(AAPL, Session.REGULAR, 10, 60);
        _assertStaleness(Session.REGULAR, 10, 60);
        assertEq(
            address(adapter.sessionSources(AAPL, Session.REGULAR).primary),
            address(feed),
            "sources kept"
        );
    }

    function test_setSessionStaleness_Bounds() public {
        vm.startPrank(riskManager);
        adapter.setSessionStaleness(AAPL, Session.REGULAR, 1, 1); // minimum
        adapter.setSessionStaleness(AAPL, Session.REGULAR, 3600, 3600); // maximum
        vm.expectRevert(_bounds("softStalenessSec", 0, 1, 3600));
        adapter.setSessionStaleness(AAPL, Session.REGULAR, 0, 60);
        vm.expectRevert(_bounds("softStalenessSec", 3601, 1, 3600));
        adapter.setSessionStaleness(AAPL, Session.REGULAR, 3601, 3601);
        vm.expectRevert(_bounds("hardStalenessSec", 29, 30, 3600));
        adapter.setSessionStaleness(AAPL, Session.REGULAR, 30, 29);
        vm.expectRevert(_bounds("hardStalenessSec", 3601, 30, 3600));
        adapter.setSessionStaleness(AAPL, Session.REGULAR, 30, 3601);
        vm.stopPrank();
    }

    function test_setSessionStaleness_RevertIf_CallerIsNotRiskManager() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector,
                lister,
                adapter.RISK_MANAGER_ROLE()
            )
        );
        vm.prank(lister);
        adapter.setSessionStaleness(AAPL, Session.REGULAR, 10, 60);
    }

    function test_setSessionStaleness_RevertIf_UnknownMarket() public {
        vm.expectRevert(abi.encodeWithSelector(IOracleAdapter.Oracle_UnknownMarket.selector, TSLA));
        vm.prank(riskManager);
        adapter.setSessionStaleness(TSLA, Session.REGULAR, 10, 60);
    }

    // ================================================================== unknown markets, wiring

    function test_priceState_RevertIf_UnknownMarket() public {
        vm.expectRevert(abi.encodeWithSelector(IOracleAdapter.Oracle_UnknownMarket.selector, TSLA));
        adapter.priceState(TSLA);
    }

    function test_poke_RevertIf_UnknownMarket() public {
        vm.expectRevert(abi.encodeWithSelector(IOracleAdapter.Oracle_UnknownMarket.selector, TSLA));
        adapter.poke(TSLA);
    }

    function test_setNextCorporateActionTime_RevertIf_CallerIsNotTheSchedule() public {
        vm.expectRevert(
            abi.encodeWithSelector(IOracleAdapter.Oracle_CallerNotCorporateActions.selector, address(this))
        );
        adapter.setNextCorporateActionTime(AAPL, block.timestamp);
    }

    // ================================================================== helpers

    function _assertStaleness(Session session, uint256 soft, uint256 hard) private view {
        SessionSources memory s = adapter.sessionSources(AAPL, session);
        assertEq(s.softStalenessSec, soft, "soft staleness");
        assertEq(s.hardStalenessSec, hard, "hard staleness");
    }

    function _bounds(
        bytes32 name,
        uint256 value,
        uint256 min,
        uint256 max
    ) private pure returns (bytes memory) {
        return
            abi.encodeWithSelector(
                IOracleAdapter.Oracle_ParameterOutOfBounds.selector,
                name,
                value,
                min,
                max
            );
    }

    function _expectParamsRevert(MarketParams memory p, bytes memory revertData) private {
        vm.expectRevert(revertData);
        vm.prank(riskManager);
        adapter.setMarketParams(AAPL, p);
    }
}
