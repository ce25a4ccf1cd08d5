// SPDX-License-Identifier: MIT
pragma solidity 0.8.19; // deploys ChainlinkDataStreamsSource and Chainlink's fee contracts, all pinned to 0.8.19

import {FeeManager} from "@chainlink/contracts/src/v0.8/llo-feeds/FeeManager.sol";
import {RewardManager} from "@chainlink/contracts/src/v0.8/llo-feeds/RewardManager.sol";
import {IVerifierFeeManager} from "@chainlink/contracts/src/v0.8/llo-feeds/interfaces/IVerifierFeeManager.sol";
import {IVerifierProxy} from "@chainlink/contracts/src/v0.8/llo-feeds/interfaces/IVerifierProxy.sol";
import {WERC20Mock} from "@chainlink/contracts/src/v0.8/shared/mocks/WERC20Mock.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

import {
    IChainlinkDataStreamsSource,
    DataStreamsReportV11,
    StoredDataStreamsReport
} from "../../contracts/interfaces/IChainlinkDataStreamsSource.sol";
import {IMarketCalendar} from "../../contracts/interfaces/IMarketCalendar.sol";
import {IPriceSource, PriceObservation} from "../../contracts/interfaces/IPriceSource.sol";
import {MockMarketCalendar} from "../../contracts/mocks/MockMarketCalendar.sol";
import {MockVerifierProxy} from "../../contracts/mocks/MockVerifierProxy.sol";
import {ChainlinkDataStreamsSource} from "../../contracts/oracles/ChainlinkDataStreamsSource.sol";
import {Session} from "../../contracts/types/Session.sol";
import {Test} from "../utils/Test.sol";
import {console} from "hardhat/console.sol";

/// @dev Compiled with solc 0.8.19 like the contract under test; events are redeclared here because
/// 0.8.19 cannot emit an interface's event by its qualified name.
contract ChainlinkDataStreamsSourceTest is Test {
    event FeedSet(bytes32 indexed marketId, bytes32 previousFeedId, bytes32 newFeedId);
    event FeeTokenSet(address previousToken, address newToken);
    event FeeTokenWithdrawn(address indexed token, address indexed to, uint256 amount);
    event VerificationFeeApproved(address indexed token, address indexed spender, uint256 amount);
    event ReportSubmitted(
        bytes32 indexed feedId,
        bytes32 indexed marketId,
        uint32 observationsTimestamp,
        uint192 midX18,
        uint32 marketStatus
    );
    event RoleGranted(bytes32 indexed role, address indexed account, address indexed sender);
    event RoleRevoked(bytes32 indexed role, address indexed account, address indexed sender);

    bytes32 internal constant AAPL = bytes32("AAPL-USD");
    bytes32 internal constant TSLA = bytes32("TSLA-USD");
    // v11 feed ids: the top two bytes are the schema version 0x000b.
    bytes32 internal constant FEED_AAPL = 0x000b1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7;
    bytes32 internal constant FEED_TSLA = 0x000b7766554433221100ffeeddccbbaa99887766554433221100ffeeddccbbaa;
    bytes32 internal constant FEED_V3 = 0x0003aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa;
    bytes32 internal constant ADMIN_ROLE = 0x00;

    uint256 internal constant NOW = 1_767_225_600; // 2026-01-01 00:00:00 UTC
    uint256 internal constant MAX_AGE = 120;

    ChainlinkDataStreamsSource internal source;
    MockVerifierProxy internal proxy;
    MockMarketCalendar internal calendar;
    address internal admin;
    address internal keeper;
    address internal donSigner;
    uint256 internal donKey;

    function setUp() public {
        vm.warp(NOW);
        admin = makeAddr("timelock");
        keeper = makeAddr("keeper");
        (donSigner, donKey) = makeAddrAndKey("don");
        proxy = new MockVerifierProxy(donSigner);
        calendar = new MockMarketCalendar(Session.REGULAR);
        source = new ChainlinkDataStreamsSource(
            IVerifierProxy(address(proxy)),
            IMarketCalendar(address(calendar)),
            admin
        );
        vm.prank(admin);
        source.setFeed(AAPL, FEED_AAPL);
    }

    // ================================================================== helpers

    /// @dev A fresh, regular-hours AAPL report: mid 201.25, bid 201.20, ask 201.31.
    function _report() internal view returns (DataStreamsReportV11 memory report) {
        report.feedId = FEED_AAPL;
        report.validFromTimestamp = uint32(block.timestamp - 1);
        report.observationsTimestamp = uint32(block.timestamp);
        report.expiresAt = uint32(block.timestamp + 1 days);
        report.mid = 201.25e18;
        report.lastSeenTimestampNs = uint64(block.timestamp * 1e9);
        report.bid = 201.2e18;
        report.bidVolume = 1_500e18;
        report.ask = 201.31e18;
        report.askVolume = 900e18;
        report.lastTradedPrice = 201.26e18;
        report.marketStatus = 2;
    }

    function _sign(DataStreamsReportV11 memory report, uint256 key) internal pure returns (bytes memory) {
        bytes memory reportData = abi.encode(report);
        bytes32[3] memory reportContext = [bytes32(uint256(0xc0ffee)), bytes32(uint256(7)), bytes32(0)];
        bytes32 digest = keccak256(abi.encodePacked(keccak256(reportData), reportContext));
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, digest);
        bytes32[] memory rs = new bytes32[](1);
        bytes32[] memory ss = new bytes32[](1);
        rs[0] = r;
        ss[0] = s;
        // Chainlink packs each signature's `v - 27` into one byte of `rawVs`.
        bytes32 rawVs = bytes32(bytes1(v - 27));
        return abi.encode(reportContext, reportData, rs, ss, rawVs);
    }

    function _submit(DataStreamsReportV11 memory report) internal returns (bytes32) {
        return source.submitReport(_sign(report, donKey));
    }

    function _expectRevert(bytes memory revertData) internal {
        vm.expectRevert(revertData);
    }

    // ================================================================== constructor

    function test_constructor_SetsImmutablesAndAdmin() public view {
        assertEq(source.verifierProxy(), address(proxy), "proxy");
        assertEq(source.calendar(), address(calendar), "calendar");
        assertTrue(source.hasRole(ADMIN_ROLE, admin), "admin role");
        assertEq(source.feeToken(), address(0), "no fee token");
    }

    function test_constructor_RevertIf_ZeroAddress() public {
        IVerifierProxy p = IVerifierProxy(address(proxy));
        IMarketCalendar c = IMarketCalendar(address(calendar));
        bytes memory err = abi.encodeWithSelector(
            IChainlinkDataStreamsSource.DataStreams_ZeroAddress.selector
        );
        vm.expectRevert(err);
        new ChainlinkDataStreamsSource(IVerifierProxy(address(0)), c, admin);
        vm.expectRevert(err);
        new ChainlinkDataStreamsSource(p, IMarketCalendar(address(0)), admin);
        vm.expectRevert(err);
        new ChainlinkDataStreamsSource(p, c, address(0));
    }

    // ================================================================== submitReport: happy paths

    function test_submitReport_StoresVerifiedReport() public {
        DataStreamsReportV11 memory report = _report();
        vm.expectEmit(true, true, false, true, address(source));
        emit ReportSubmitted(FEED_AAPL, AAPL, uint32(NOW), 201.25e18, 2);
        vm.prank(keeper);
        bytes32 feedId = _submit(report);

        assertEq(feedId, FEED_AAPL, "returned feed");
        StoredDataStreamsReport memory stored = source.latestReport(FEED_AAPL);
        assertEq(uint256(stored.midX18), 201.25e18, "mid");
        assertEq(uint256(stored.observationsTimestamp), NOW, "observations timestamp");
        assertEq(uint256(stored.marketStatus), 2, "status");
        assertEq(uint256(stored.lastSeenTimestampNs), NOW * 1e9, "last seen");
        assertEq(uint256(stored.confidenceX18), 0.055e18, "half spread");
    }

    function test_submitReport_AcceptsNewerReportAndReplacesLatest() public {
        _submit(_report());
        vm.warp(NOW + 3);
        DataStreamsReportV11 memory next = _report();
        next.mid = 202e18;
        next.bid = 201.99e18;
        next.ask = 202.01e18;
        _submit(next);
        PriceObservation memory observation = source.latestPrice(AAPL, MAX_AGE);
        assertEq(observation.priceX18, 202e18, "newest mid");
        assertEq(observation.observedAt, NOW + 3, "newest observation");
        assertEq(observation.confidenceX18, 0.01e18, "newest half spread");
    }

    function test_submitReport_AcceptsReportAtValidityBounds() public {
        DataStreamsReportV11 memory report = _report();
        report.validFromTimestamp = uint32(NOW);
        report.expiresAt = uint32(NOW);
        _submit(report);
        assertEq(uint256(source.latestReport(FEED_AAPL).observationsTimestamp), NOW, "stored");
    }

    // ================================================================== submitReport: rejections

    function test_submitReport_RevertIf_BadSigner() public {
        (, uint256 otherKey) = makeAddrAndKey("impostor");
        bytes memory signedReport = _sign(_report(), otherKey);
        _expectRevert(
            abi.encodeWithSelector(
                IChainlinkDataStreamsSource.DataStreams_VerificationFailed.selector,
                abi.encodeWithSelector(MockVerifierProxy.BadVerification.selector)
            )
        );
        source.submitReport(signedReport);
    }

    function test_submitReport_RevertIf_ReportTamperedAfterSigning() public {
        DataStreamsReportV11 memory report = _report();
        bytes memory signedReport = _sign(report, donKey);
        (bytes32[3] memory ctx, , bytes32[] memory rs, bytes32[] memory ss, bytes32 rawVs) = abi.decode(
            signedReport,
            (bytes32[3], bytes, bytes32[], bytes32[], bytes32)
        );
        report.mid = 1e18; // a relayer tries to change the price under the DON's signature
        bytes memory tampered = abi.encode(ctx, abi.encode(report), rs, ss, rawVs);
        _expectRevert(
            abi.encodeWithSelector(
                IChainlinkDataStreamsSource.DataStreams_VerificationFailed.selector,
                abi.encodeWithSelector(MockVerifierProxy.BadVerification.selector)
            )
        );
        source.submitReport(tampered);
    }

    function test_submitReport_RevertIf_VerifierReturnsOtherReport() public {
        DataStreamsReportV11 memory report = _report();
        DataStreamsReportV11 memory other = _report();
        other.mid = 1e18;
        proxy.setResponseOverride(abi.encode(other));
        _expectRevert(
            abi.encodeWithSelector(
                IChainlinkDataStreamsSource.DataStreams_VerifiedReportMismatch.selector,
                keccak256(abi.encode(report)),
                keccak256(abi.encode(other))
            )
        );
        _submit(report);
    }

    function test_submitReport_RevertIf_UnknownFeed() public {
        DataStreamsReportV11 memory report = _report();
        report.feedId = FEED_TSLA;
        _expectRevert(
            abi.encodeWithSelector(IChainlinkDataStreamsSource.DataStreams_UnknownFeed.selector, FEED_TSLA)
        );
        _submit(report);
    }

    function test_submitReport_RevertIf_NotYetValid() public {
        DataStreamsReportV11 memory report = _report();
        report.validFromTimestamp = uint32(NOW + 1);
        report.observationsTimestamp = uint32(NOW + 1);
        _expectRevert(
            abi.encodeWithSelector(
                IChainlinkDataStreamsSource.DataStreams_ReportNotYetValid.selector,
                FEED_AAPL,
                NOW + 1,
                NOW
            )
        );
        _submit(report);
    }

    function test_submitReport_RevertIf_Expired() public {
        DataStreamsReportV11 memory report = _report();
        report.expiresAt = uint32(NOW - 1);
        _expectRevert(
            abi.encodeWithSelector(
                IChainlinkDataStreamsSource.DataStreams_ReportExpired.selector,
                FEED_AAPL,
                NOW - 1,
                NOW
            )
        );
        _submit(report);
    }

    function test_submitReport_RevertIf_Replayed() public {
        bytes memory signedReport = _sign(_report(), donKey);
        source.submitReport(signedReport);
        _expectRevert(
            abi.encodeWithSelector(
                IChainlinkDataStreamsSource.DataStreams_ReportNotNewer.selector,
                FEED_AAPL,
                NOW,
                NOW
            )
        );
        source.submitReport(signedReport);
    }

    function test_submitReport_RevertIf_OlderThanLatest() public {
        vm.warp(NOW + 10);
        _submit(_report());
        DataStreamsReportV11 memory older = _report();
        older.observationsTimestamp = uint32(NOW + 9);
        _expectRevert(
            abi.encodeWithSelector(
                IChainlinkDataStreamsSource.DataStreams_ReportNotNewer.selector,
                FEED_AAPL,
                NOW + 9,
                NOW + 10
            )
        );
        _submit(older);
    }

    function test_submitReport_RevertIf_ZeroMid() public {
        DataStreamsReportV11 memory report = _report();
        report.mid = 0;
        _expectRevert(
            abi.encodeWithSelector(
                IChainlinkDataStreamsSource.DataStreams_NonPositiveMid.selector,
                FEED_AAPL,
                0
            )
        );
        _submit(report);
    }

    function test_submitReport_RevertIf_NegativeMid() public {
        DataStreamsReportV11 memory report = _report();
        report.mid = -5e18;
        _expectRevert(
            abi.encodeWithSelector(
                IChainlinkDataStreamsSource.DataStreams_NonPositiveMid.selector,
                FEED_AAPL,
                int256(-5e18)
            )
        );
        _submit(report);
    }

    // ================================================================== latestPrice

    function test_latestPrice_ReturnsMidHalfSpreadAndLastSeen() public {
        DataStreamsReportV11 memory report = _report();
        // The mid last moved 5.999999999 s before the observation: seconds round down.
        report.lastSeenTimestampNs = uint64((NOW - 6) * 1e9 + 1);
        _submit(report);
        PriceObservation memory observation = source.latestPrice(AAPL, MAX_AGE);
        assertEq(observation.priceX18, 201.25e18, "mid");
        assertEq(observation.observedAt, NOW - 6, "observed when the mid last moved");
        assertEq(observation.confidenceX18, 0.055e18, "half of 0.11 spread");
    }

    function test_latestPrice_HalfSpreadRoundsUp() public {
        DataStreamsReportV11 memory report = _report();
        report.bid = 100e18;
        report.ask = 100e18 + 3;
        _submit(report);
        assertEq(source.latestPrice(AAPL, MAX_AGE).confidenceX18, 2, "ceil(3 / 2)");
    }

    function test_latestPrice_CrossedBookUsesAbsoluteSpread() public {
        DataStreamsReportV11 memory report = _report();
        report.bid = 201.3e18;
        report.ask = 201.2e18;
        _submit(report);
        assertEq(source.latestPrice(AAPL, MAX_AGE).confidenceX18, 0.05e18, "half of |ask - bid|");
    }

    function test_latestPrice_OneSidedBookConfidenceIsMid() public {
        DataStreamsReportV11 memory report = _report();
        report.bid = 0;
        _submit(report);
        assertEq(source.latestPrice(AAPL, MAX_AGE).confidenceX18, 201.25e18, "no bid");

        vm.warp(NOW + 1);
        report = _report();
        report.ask = -1;
        _submit(report);
        assertEq(source.latestPrice(AAPL, MAX_AGE).confidenceX18, 201.25e18, "negative ask");
    }

    function test_latestPrice_ClampsFutureLastSeenToNow() public {
        DataStreamsReportV11 memory report = _report();
        report.lastSeenTimestampNs = uint64((NOW + 2) * 1e9); // DON clock ahead of the L2 block
        _submit(report);
        assertEq(source.latestPrice(AAPL, 0).observedAt, NOW, "clamped to block.timestamp");
    }

    function test_latestPrice_AcceptsAgeEqualToMaxAge() public {
        _submit(_report());
        vm.warp(NOW + MAX_AGE);
        assertEq(source.latestPrice(AAPL, MAX_AGE).observedAt, NOW, "age == maxAge is fresh");
    }

    function test_latestPrice_RevertIf_Stale() public {
        _submit(_report());
        vm.warp(NOW + MAX_AGE + 1);
        _expectRevert(
            abi.encodeWithSelector(
                IChainlinkDataStreamsSource.DataStreams_StalePrice.selector,
                AAPL,
                NOW,
                MAX_AGE
            )
        );
        source.latestPrice(AAPL, MAX_AGE);
    }

    /// @dev A halted stock: reports keep arriving with new observation times, but the mid (and its
    /// `lastSeenTimestampNs`) stops moving, so the price goes stale while the calendar says open.
    function test_latestPrice_RevertIf_HaltedMidStopsMoving() public {
        _submit(_report());
        for (uint256 i = 1; i <= 5; ++i) {
            vm.warp(NOW + i * 30);
            DataStreamsReportV11 memory report = _report();
            report.lastSeenTimestampNs = uint64(NOW * 1e9);
            _submit(report);
        }
        assertEq(uint256(source.latestReport(FEED_AAPL).observationsTimestamp), NOW + 150, "reports arrive");
        _expectRevert(
            abi.encodeWithSelector(
                IChainlinkDataStreamsSource.DataStreams_StalePrice.selector,
                AAPL,
                NOW,
                MAX_AGE
            )
        );
        source.latestPrice(AAPL, MAX_AGE);
    }

    function test_latestPrice_RevertIf_MarketNotConfigured() public {
        _expectRevert(
            abi.encodeWithSelector(IChainlinkDataStreamsSource.DataStreams_MarketNotConfigured.selector, TSLA)
        );
        source.latestPrice(TSLA, MAX_AGE);
    }

    function test_latestPrice_RevertIf_NoReport() public {
        _expectRevert(
            abi.encodeWithSelector(IChainlinkDataStreamsSource.DataStreams_NoReport.selector, AAPL, FEED_AAPL)
        );
        source.latestPrice(AAPL, MAX_AGE);
    }

    // ================================================================== marketStatus vs calendar

    function test_latestPrice_StatusMapsToEverySession() public {
        Session[5] memory sessions = [
            Session.PRE_MARKET,
            Session.REGULAR,
            Session.POST_MARKET,
            Session.OVERNIGHT,
            Session.CLOSED
        ];
        for (uint256 i = 0; i < 5; ++i) {
            vm.warp(NOW + i);
            calendar.setSession(sessions[i]);
            DataStreamsReportV11 memory report = _report();
            report.marketStatus = uint32(i + 1);
            _submit(report);
            assertEq(source.latestPrice(AAPL, MAX_AGE).priceX18, 201.25e18, "status matches session");
        }
    }

    function testFuzz_latestPrice_StatusMustMatchCalendar(uint32 marketStatus, uint8 sessionIndex) public {
        marketStatus = uint32(bound(marketStatus, 0, 7));
        Session session = Session(bound(sessionIndex, 0, 4));
        calendar.setSession(session);
        DataStreamsReportV11 memory report = _report();
        report.marketStatus = marketStatus;
        _submit(report);

        uint32 expected = session == Session.CLOSED ? 5 : uint32(uint8(session));
        if (marketStatus == expected) {
            assertEq(source.latestPrice(AAPL, MAX_AGE).priceX18, 201.25e18, "consistent report served");
        } else {
            _expectRevert(
                abi.encodeWithSelector(
                    IChainlinkDataStreamsSource.DataStreams_MarketStatusMismatch.selector,
                    AAPL,
                    marketStatus,
                    session
                )
            );
            source.latestPrice(AAPL, MAX_AGE);
        }
    }

    function test_latestPrice_RevertIf_StatusUnknown() public {
        DataStreamsReportV11 memory report = _report();
        report.marketStatus = 0;
        _submit(report);
        _expectRevert(
            abi.encodeWithSelector(
                IChainlinkDataStreamsSource.DataStreams_MarketStatusMismatch.selector,
                AAPL,
                uint32(0),
                Session.REGULAR
            )
        );
        source.latestPrice(AAPL, MAX_AGE);
    }

    /// @dev A contradicting report is stored (it is the newest information) and makes the source
    /// fail at once, instead of the previous consistent report being served until it goes stale.
    function test_latestPrice_RevertIf_NewestReportContradictsCalendar() public {
        _submit(_report());
        vm.warp(NOW + 1);
        DataStreamsReportV11 memory closedReport = _report();
        closedReport.marketStatus = 5; // Chainlink says closed (e.g. an unannounced closure)
        _submit(closedReport);
        assertEq(uint256(source.latestReport(FEED_AAPL).marketStatus), 5, "stored");
        _expectRevert(
            abi.encodeWithSelector(
                IChainlinkDataStreamsSource.DataStreams_MarketStatusMismatch.selector,
                AAPL,
                uint32(5),
                Session.REGULAR
            )
        );
        source.latestPrice(AAPL, MAX_AGE);
    }

    /// @dev Pre-market ends at `open`; the DON and the L2 clock may disagree by seconds.
    function test_latestPrice_ToleratesStatusLagAroundSessionBoundary() public {
        uint256 open = NOW + 1_000;
        _setSessionsAround(open, Session.PRE_MARKET, Session.REGULAR);

        // The last pre-market second is `open - 1`: a pre-market status is accepted on a report
        // observed while that second lies within 60 s...
        vm.warp(open + 59);
        DataStreamsReportV11 memory report = _report();
        report.marketStatus = 1;
        _submit(report);
        assertEq(source.latestPrice(AAPL, MAX_AGE).priceX18, 201.25e18, "lagging status within tolerance");

        // ...and rejected on a report observed 61 s after it.
        vm.warp(open + 60);
        report = _report();
        report.marketStatus = 1;
        _submit(report);
        _expectRevert(
            abi.encodeWithSelector(
                IChainlinkDataStreamsSource.DataStreams_MarketStatusMismatch.selector,
                AAPL,
                uint32(1),
                Session.REGULAR
            )
        );
        source.latestPrice(AAPL, MAX_AGE);
    }

    function test_latestPrice_ToleratesEarlyStatusBeforeSessionBoundary() public {
        uint256 open = NOW + 1_000;
        _setSessionsAround(open, Session.PRE_MARKET, Session.REGULAR);

        // The DON already reports regular hours 61 s before the open: a contradiction...
        vm.warp(open - 61);
        DataStreamsReportV11 memory report = _report();
        report.marketStatus = 2;
        _submit(report);
        _expectRevert(
            abi.encodeWithSelector(
                IChainlinkDataStreamsSource.DataStreams_MarketStatusMismatch.selector,
                AAPL,
                uint32(2),
                Session.PRE_MARKET
            )
        );
        source.latestPrice(AAPL, MAX_AGE);

        // ...but 60 s before the open it is within the tolerance.
        vm.warp(open - 60);
        report = _report();
        report.marketStatus = 2;
        _submit(report);
        assertEq(source.latestPrice(AAPL, MAX_AGE).priceX18, 201.25e18, "early status within tolerance");
    }

    /// @dev Regression: the status is checked against the session at the report's observation time,
    /// not at the reading time. A post-market report read hours after the close is still consistent
    /// (the oracle adapter reads the previous session's sources as of its last second when it
    /// records a close after the fact); only `maxAge` decides whether it is too old. It used to
    /// revert `DataStreams_MarketStatusMismatch(…, 3, CLOSED)` from 60 s after the close on.
    function test_latestPrice_ChecksStatusAtObservationTimeNotReadingTime() public {
        uint256 close = NOW + 1_000;
        _setSessionsAround(close, Session.POST_MARKET, Session.CLOSED);
        vm.warp(close - 10);
        DataStreamsReportV11 memory report = _report();
        report.marketStatus = 3;
        _submit(report);

        vm.warp(close + 4 hours);
        PriceObservation memory observation = source.latestPrice(AAPL, 5 hours);
        assertEq(observation.priceX18, 201.25e18, "consistent when observed");
        assertEq(observation.observedAt, close - 10, "observed before the close");
        _expectRevert(
            abi.encodeWithSelector(
                IChainlinkDataStreamsSource.DataStreams_StalePrice.selector,
                AAPL,
                close - 10,
                MAX_AGE
            )
        );
        source.latestPrice(AAPL, MAX_AGE);

        // A post-market status on a report observed after the close is a contradiction.
        report = _report();
        report.marketStatus = 3;
        _submit(report);
        _expectRevert(
            abi.encodeWithSelector(
                IChainlinkDataStreamsSource.DataStreams_MarketStatusMismatch.selector,
                AAPL,
                uint32(3),
                Session.CLOSED
            )
        );
        source.latestPrice(AAPL, 5 hours);
    }

    /// @dev `before` until `boundary` (exclusive), `afterwards` from it on.
    function _setSessionsAround(uint256 boundary, Session before, Session afterwards) internal {
        uint256[] memory starts = new uint256[](2);
        Session[] memory sessions = new Session[](2);
        starts[1] = boundary;
        sessions[0] = before;
        sessions[1] = afterwards;
        calendar.setSchedule(starts, sessions);
    }

    // ================================================================== verification fees

    struct FeeSetup {
        FeeManager feeManager;
        RewardManager rewardManager;
        WERC20Mock link;
        WERC20Mock wrappedNative;
    }

    /// @dev Chainlink's real FeeManager and RewardManager, billing through the mock proxy.
    function _deployFees() internal returns (FeeSetup memory fees) {
        fees.link = new WERC20Mock();
        fees.wrappedNative = new WERC20Mock();
        fees.rewardManager = new RewardManager(address(fees.link));
        fees.feeManager = new FeeManager(
            address(fees.link),
            address(fees.wrappedNative),
            address(proxy),
            address(fees.rewardManager)
        );
        fees.rewardManager.setFeeManager(address(fees.feeManager));
        proxy.setFeeManager(IVerifierFeeManager(address(fees.feeManager)));
    }

    function test_submitReport_PaysLinkFeeThroughRewardManager() public {
        FeeSetup memory fees = _deployFees();
        vm.prank(admin);
        source.setFeeToken(address(fees.link));
        fees.link.mint(address(source), 1e18);

        DataStreamsReportV11 memory report = _report();
        report.linkFee = 0.05e18;
        report.nativeFee = 0.01e18;
        vm.expectEmit(true, true, false, true, address(source));
        emit VerificationFeeApproved(address(fees.link), address(fees.rewardManager), 0.05e18);
        vm.prank(keeper);
        _submit(report);

        assertEq(fees.link.balanceOf(address(source)), 0.95e18, "source paid the LINK fee");
        assertEq(fees.link.balanceOf(address(fees.rewardManager)), 0.05e18, "reward manager received it");
        assertEq(fees.link.allowance(address(source), address(fees.rewardManager)), 0, "no allowance left");
        assertEq(uint256(source.latestReport(FEED_AAPL).midX18), 201.25e18, "report stored");
    }

    function test_submitReport_PaysWrappedNativeFeeThroughFeeManager() public {
        FeeSetup memory fees = _deployFees();
        vm.prank(admin);
        source.setFeeToken(address(fees.wrappedNative));
        fees.wrappedNative.mint(address(source), 1e18);

        DataStreamsReportV11 memory report = _report();
        report.linkFee = 0.05e18;
        report.nativeFee = 0.01e18;
        vm.expectEmit(true, true, false, true, address(source));
        emit VerificationFeeApproved(address(fees.wrappedNative), address(fees.feeManager), 0.01e18);
        _submit(report);

        assertEq(fees.wrappedNative.balanceOf(address(source)), 0.99e18, "source paid the native fee");
        assertEq(fees.wrappedNative.balanceOf(address(fees.feeManager)), 0.01e18, "fee manager received it");
        assertEq(
            fees.wrappedNative.allowance(address(source), address(fees.feeManager)),
            0,
            "no allowance left"
        );
    }

    function test_submitReport_FreeReportWithFeeManagerApprovesNothing() public {
        FeeSetup memory fees = _deployFees();
        vm.prank(admin);
        source.setFeeToken(address(fees.link));
        vm.recordLogs();
        _submit(_report()); // linkFee == nativeFee == 0
        assertEq(vm.getRecordedLogs().length, 1, "only ReportSubmitted, no fee approval");
        assertEq(fees.link.allowance(address(source), address(fees.rewardManager)), 0, "no allowance");
    }

    function test_submitReport_RevertIf_FeeTokenNotSet() public {
        _deployFees();
        _expectRevert(
            abi.encodeWithSelector(IChainlinkDataStreamsSource.DataStreams_FeeTokenNotSet.selector)
        );
        _submit(_report());
    }

    function test_submitReport_RevertIf_InsufficientFeeBalance() public {
        FeeSetup memory fees = _deployFees();
        vm.prank(admin);
        source.setFeeToken(address(fees.link));
        fees.link.mint(address(source), 0.04e18);
        DataStreamsReportV11 memory report = _report();
        report.linkFee = 0.05e18;
        _expectRevert(
            abi.encodeWithSelector(
                IChainlinkDataStreamsSource.DataStreams_InsufficientFeeBalance.selector,
                address(fees.link),
                0.04e18,
                0.05e18
            )
        );
        _submit(report);
    }

    function test_submitReport_RevertIf_FeeApprovalReturnsFalse() public {
        FeeSetup memory fees = _deployFees();
        vm.prank(admin);
        source.setFeeToken(address(fees.link));
        fees.link.mint(address(source), 1e18);
        vm.mockCall(
            address(fees.link),
            abi.encodeWithSelector(IERC20.approve.selector, address(fees.rewardManager), 0.05e18),
            abi.encode(false)
        );
        DataStreamsReportV11 memory report = _report();
        report.linkFee = 0.05e18;
        _expectRevert(
            abi.encodeWithSelector(
                IChainlinkDataStreamsSource.DataStreams_FeeTokenCallFailed.selector,
                address(fees.link)
            )
        );
        _submit(report);
    }

    function test_submitReport_RevertedFeePaymentLeavesBalanceAndStateUnchanged() public {
        FeeSetup memory fees = _deployFees();
        vm.prank(admin);
        source.setFeeToken(address(fees.link));
        fees.link.mint(address(source), 1e18);
        DataStreamsReportV11 memory report = _report();
        report.linkFee = 0.05e18;
        (, uint256 otherKey) = makeAddrAndKey("impostor");
        bytes memory badReport = _sign(report, otherKey);
        _expectRevert(
            abi.encodeWithSelector(
                IChainlinkDataStreamsSource.DataStreams_VerificationFailed.selector,
                abi.encodeWithSelector(MockVerifierProxy.BadVerification.selector)
            )
        );
        source.submitReport(badReport);
        assertEq(fees.link.balanceOf(address(source)), 1e18, "no fee spent");
        assertEq(uint256(source.latestReport(FEED_AAPL).observationsTimestamp), 0, "nothing stored");
    }

    // ================================================================== governance

    function test_setFeed_AssignsReassignsAndUnassigns() public {
        vm.expectEmit(true, false, false, true, address(source));
        emit FeedSet(TSLA, bytes32(0), FEED_TSLA);
        vm.prank(admin);
        source.setFeed(TSLA, FEED_TSLA);
        assertEq(source.feedOf(TSLA), FEED_TSLA, "assigned");
        assertEq(source.marketOf(FEED_TSLA), TSLA, "reverse");

        bytes32 newFeed = bytes32(uint256(FEED_TSLA) + 1);
        vm.prank(admin);
        source.setFeed(TSLA, newFeed);
        assertEq(source.marketOf(FEED_TSLA), bytes32(0), "old feed released");
        assertEq(source.marketOf(newFeed), TSLA, "new feed");

        vm.expectEmit(true, false, false, true, address(source));
        emit FeedSet(TSLA, newFeed, bytes32(0));
        vm.prank(admin);
        source.setFeed(TSLA, bytes32(0));
        assertEq(source.feedOf(TSLA), bytes32(0), "unassigned");
        assertEq(source.marketOf(newFeed), bytes32(0), "released");
    }

    function test_setFeed_ReassignedMarketServesOnlyItsNewFeed() public {
        _submit(_report());
        vm.prank(admin);
        source.setFeed(AAPL, FEED_TSLA);
        _expectRevert(
            abi.encodeWithSelector(IChainlinkDataStreamsSource.DataStreams_NoReport.selector, AAPL, FEED_TSLA)
        );
        source.latestPrice(AAPL, MAX_AGE);
    }

    function test_setFeed_RevertIf_NotAdmin() public {
        _expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector,
                keeper,
                ADMIN_ROLE
            )
        );
        vm.prank(keeper);
        source.setFeed(TSLA, FEED_TSLA);
    }

    function test_setFeed_RevertIf_NotV11Feed() public {
        _expectRevert(
            abi.encodeWithSelector(
                IChainlinkDataStreamsSource.DataStreams_UnsupportedReportVersion.selector,
                FEED_V3,
                uint16(3)
            )
        );
        vm.prank(admin);
        source.setFeed(TSLA, FEED_V3);
    }

    function test_setFeed_RevertIf_FeedAssignedToAnotherMarket() public {
        _expectRevert(
            abi.encodeWithSelector(
                IChainlinkDataStreamsSource.DataStreams_FeedAlreadyAssigned.selector,
                FEED_AAPL,
                AAPL
            )
        );
        vm.prank(admin);
        source.setFeed(TSLA, FEED_AAPL);
    }

    function test_setFeed_RevertIf_ZeroMarketId() public {
        _expectRevert(abi.encodeWithSelector(IChainlinkDataStreamsSource.DataStreams_ZeroMarketId.selector));
        vm.prank(admin);
        source.setFeed(bytes32(0), FEED_TSLA);
    }

    function test_setFeeToken_SetsAndEmits() public {
        address token = makeAddr("link");
        vm.expectEmit(false, false, false, true, address(source));
        emit FeeTokenSet(address(0), token);
        vm.prank(admin);
        source.setFeeToken(token);
        assertEq(source.feeToken(), token, "fee token");
    }

    function test_setFeeToken_RevertIf_NotAdmin() public {
        _expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector,
                keeper,
                ADMIN_ROLE
            )
        );
        vm.prank(keeper);
        source.setFeeToken(address(1));
    }

    function test_withdrawFeeToken_TransfersAndEmits() public {
        WERC20Mock link = new WERC20Mock();
        link.mint(address(source), 5e18);
        address treasury = makeAddr("treasury");
        vm.expectEmit(true, true, false, true, address(source));
        emit FeeTokenWithdrawn(address(link), treasury, 2e18);
        vm.prank(admin);
        source.withdrawFeeToken(address(link), treasury, 2e18);
        assertEq(link.balanceOf(treasury), 2e18, "withdrawn");
        assertEq(link.balanceOf(address(source)), 3e18, "rest stays");
    }

    function test_withdrawFeeToken_RevertIf_NotAdmin() public {
        _expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector,
                keeper,
                ADMIN_ROLE
            )
        );
        vm.prank(keeper);
        source.withdrawFeeToken(address(1), keeper, 1);
    }

    function test_withdrawFeeToken_RevertIf_ZeroAddress() public {
        bytes memory err = abi.encodeWithSelector(
            IChainlinkDataStreamsSource.DataStreams_ZeroAddress.selector
        );
        vm.startPrank(admin);
        vm.expectRevert(err);
        source.withdrawFeeToken(address(0), admin, 1);
        vm.expectRevert(err);
        source.withdrawFeeToken(address(1), address(0), 1);
        vm.stopPrank();
    }

    function test_withdrawFeeToken_RevertIf_TransferReturnsFalse() public {
        WERC20Mock link = new WERC20Mock();
        vm.mockCall(address(link), abi.encodeWithSelector(IERC20.transfer.selector), abi.encode(false));
        _expectRevert(
            abi.encodeWithSelector(
                IChainlinkDataStreamsSource.DataStreams_FeeTokenCallFailed.selector,
                address(link)
            )
        );
        vm.prank(admin);
        source.withdrawFeeToken(address(link), admin, 1);
    }

    // ================================================================== AccessControl0819

    function test_accessControl_GrantRevokeAndRenounceLikeOpenZeppelin() public {
        bytes32 role = keccak256("SOME_ROLE");
        assertEq(source.getRoleAdmin(role), ADMIN_ROLE, "admin administers every role");

        vm.expectEmit(true, true, true, false, address(source));
        emit RoleGranted(role, keeper, admin);
        vm.prank(admin);
        source.grantRole(role, keeper);
        assertTrue(source.hasRole(role, keeper), "granted");

        vm.expectEmit(true, true, true, false, address(source));
        emit RoleRevoked(role, keeper, admin);
        vm.prank(admin);
        source.revokeRole(role, keeper);
        assertFalse(source.hasRole(role, keeper), "revoked");

        vm.prank(admin);
        source.grantRole(role, keeper);
        vm.prank(keeper);
        source.renounceRole(role, keeper);
        assertFalse(source.hasRole(role, keeper), "renounced");
    }

    function test_accessControl_GrantAndRevokeAreIdempotent() public {
        vm.recordLogs();
        vm.prank(admin);
        source.grantRole(ADMIN_ROLE, admin); // already held: no event
        vm.prank(admin);
        source.revokeRole(keccak256("NOBODY"), keeper); // not held: no event
        assertEq(vm.getRecordedLogs().length, 0, "no events");
        assertTrue(source.hasRole(ADMIN_ROLE, admin), "still admin");
    }

    function test_accessControl_RevertIf_GrantOrRevokeByNonAdmin() public {
        bytes memory err = abi.encodeWithSelector(
            IAccessControl.AccessControlUnauthorizedAccount.selector,
            keeper,
            ADMIN_ROLE
        );
        vm.startPrank(keeper);
        vm.expectRevert(err);
        source.grantRole(ADMIN_ROLE, keeper);
        vm.expectRevert(err);
        source.revokeRole(ADMIN_ROLE, admin);
        vm.stopPrank();
    }

    function test_accessControl_RevertIf_RenounceForSomeoneElse() public {
        _expectRevert(abi.encodeWithSelector(IAccessControl.AccessControlBadConfirmation.selector));
        vm.prank(keeper);
        source.renounceRole(ADMIN_ROLE, admin);
    }

    function test_supportsInterface_AccessControlAndErc165() public view {
        assertTrue(source.supportsInterface(type(IAccessControl).interfaceId), "IAccessControl");
        assertTrue(source.supportsInterface(type(IERC165).interfaceId), "IERC165");
        assertFalse(source.supportsInterface(type(IPriceSource).interfaceId), "not advertised");
    }

    // ================================================================== gas

    /// @dev Gas of the hot paths, measured with `gasleft()` around each call. Run with
    /// `hardhat test solidity --gas-stats --grep test_gas ...` so that every call runs in its own
    /// transaction (cold storage, like a keeper's transaction); those are the figures in
    /// docs/oracle-sources.md. The bounds hold in both modes and catch regressions.
    function test_gas_submitReportAndLatestPrice() public {
        bytes memory first = _sign(_report(), donKey);
        uint256 before = gasleft();
        source.submitReport(first); // first report of the feed: fresh storage slots
        uint256 firstGas = before - gasleft();

        vm.warp(NOW + 1);
        bytes memory second = _sign(_report(), donKey);
        before = gasleft();
        source.submitReport(second); // steady state: slots already written
        uint256 steadyGas = before - gasleft();

        before = gasleft();
        source.latestPrice(AAPL, MAX_AGE);
        uint256 readGas = before - gasleft();

        FeeSetup memory fees = _deployFees();
        vm.prank(admin);
        source.setFeeToken(address(fees.link));
        fees.link.mint(address(source), 1e18);
        vm.warp(NOW + 2);
        DataStreamsReportV11 memory paid = _report();
        paid.linkFee = 0.05e18;
        bytes memory third = _sign(paid, donKey);
        before = gasleft();
        source.submitReport(third);
        uint256 paidGas = before - gasleft();

        console.log("first/steady", firstGas, steadyGas);
        console.log("read/paid", readGas, paidGas);
        assertLe(firstGas, 130_000, "submitReport, first report");
        assertLe(steadyGas, 85_000, "submitReport, steady state");
        assertLe(readGas, 26_000, "latestPrice");
        assertLe(paidGas, 200_000, "submitReport with LINK fee");
    }
}
