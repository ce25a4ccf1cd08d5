// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AggregatorV3Interface} from "@chainlink/contracts/src/v0.8/shared/interfaces/AggregatorV3Interface.sol";
import {MockV3Aggregator} from "@chainlink/contracts/src/v0.8/tests/MockV3Aggregator.sol";
import {IPyth} from "@pythnetwork/pyth-sdk-solidity/IPyth.sol";
import {MockPyth} from "@pythnetwork/pyth-sdk-solidity/MockPyth.sol";

import {Test} from "../utils/Test.sol";
import {Vm} from "../utils/Vm.sol";
import {Nyse2026} from "./Nyse2026.sol";
import {MarketCalendar} from "../../contracts/core/MarketCalendar.sol";
import {OracleAdapter} from "../../contracts/core/OracleAdapter.sol";
import {OracleCorporateActions} from "../../contracts/core/OracleCorporateActions.sol";
import {
    DataStreamsReportV11,
    IChainlinkDataStreamsSource
} from "../../contracts/interfaces/IChainlinkDataStreamsSource.sol";
import {IMarketCalendar} from "../../contracts/interfaces/IMarketCalendar.sol";
import {IOracleAdapter} from "../../contracts/interfaces/IOracleAdapter.sol";
import {IPriceSource} from "../../contracts/interfaces/IPriceSource.sol";
import {ISequencerGuard} from "../../contracts/interfaces/ISequencerGuard.sol";
import {PriceQuote} from "../../contracts/interfaces/ISignedQuoteSource.sol";
import {ChainlinkFeedSource} from "../../contracts/oracles/ChainlinkFeedSource.sol";
import {PythSource} from "../../contracts/oracles/PythSource.sol";
import {SequencerUptimeGuard} from "../../contracts/oracles/SequencerUptimeGuard.sol";
import {SignedQuoteSource} from "../../contracts/oracles/SignedQuoteSource.sol";
import {DayKind, Session} from "../../contracts/types/Session.sol";
import {
    DegradedReason,
    MarketParams,
    MarketState,
    PriceOrigin,
    PriceState
} from "../../contracts/types/Oracle.sol";

/// @notice The production wiring of one market with the REAL price sources over the packages'
/// mocks, the REAL `MarketCalendar` (NYSE 2026 data) and the REAL `SequencerUptimeGuard`:
/// - REGULAR: Chainlink Data Streams v11 (`streams`, reports signed by a DON key and verified by
///   `MockVerifierProxy`) primary, Chainlink Data Feeds (`feeds` over `MockV3Aggregator`) secondary;
/// - PRE_MARKET, POST_MARKET, OVERNIGHT: Data Streams primary, Pyth (`pythSource` over `MockPyth`)
///   secondary;
/// - CLOSED: `SignedQuoteSource` with three publishers (quorum 3), blended at 25 %;
/// - staleness: the adapter's defaults; L2 sequencer guard over a `MockV3Aggregator` uptime feed.
/// The test contract is the clearinghouse (TRADE_REPORTER_ROLE).
/// @dev `ChainlinkDataStreamsSource` and `MockVerifierProxy` are pinned to solc 0.8.19 (Chainlink's
/// llo-feeds interfaces), the adapter and the other sources to 0.8.30, so no single compilation
/// unit can import both. This file is 0.8.30 and deploys the two 0.8.19 contracts from their build
/// artifacts with `vm.getCode`, talking to them through the 0.8.19-compatible interface
/// `IChainlinkDataStreamsSource`. Those artifacts are written by a full `hardhat build` (which
/// `npm test` and CI run first); run it again after changing either 0.8.19 contract, because a
/// test run compiles only the test files it is given.
abstract contract RealSourcesFixture is Test {
    bytes32 internal constant AAPL = "AAPL-USD";
    /// @dev A v11 feed id: the top two bytes are the schema version 0x000b.
    bytes32 internal constant FEED_AAPL = 0x000b1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7;
    bytes32 internal constant PYTH_AAPL = keccak256("Equity.US.AAPL/USD");
    uint16 internal constant PYTH_MAX_CONF_BPS = 50;
    uint16 internal constant QUOTE_WEIGHT_BPS = 2500;

    // v11 marketStatus values
    uint32 internal constant STATUS_PRE = 1;
    uint32 internal constant STATUS_REGULAR = 2;
    uint32 internal constant STATUS_POST = 3;
    uint32 internal constant STATUS_OVERNIGHT = 4;
    uint32 internal constant STATUS_CLOSED = 5;

    /// @dev Each secondary publishes at a small, distinct offset from the Data Streams mid (well
    /// inside the 1 % deviation bound), so the index tells which source priced it.
    uint256 internal constant FEED_OFFSET = 0.05e18;
    uint256 internal constant PYTH_OFFSET = 0.1e18;
    /// @dev Pyth's usual confidence for a liquid stock: 2 bps, inside `PYTH_MAX_CONF_BPS`.
    uint256 internal constant PYTH_NORMAL_CONF_BPS = 2;

    string internal constant STREAMS_ARTIFACT =
        "contracts/oracles/ChainlinkDataStreamsSource.sol:ChainlinkDataStreamsSource";
    string internal constant VERIFIER_ARTIFACT = "contracts/mocks/MockVerifierProxy.sol:MockVerifierProxy";

    address internal admin = makeAddr("timelock");
    address internal guardian = makeAddr("guardian");
    address internal donSigner;
    uint256 internal donKey;
    uint256[3] internal publisherKeys;
    address[3] internal publisherAddrs;

    MarketCalendar internal calendar;
    OracleAdapter internal adapter;
    OracleCorporateActions internal actions;
    MockV3Aggregator internal uptimeFeed;
    SequencerUptimeGuard internal guard;
    address internal verifier;
    IChainlinkDataStreamsSource internal streams;
    MockV3Aggregator internal aggregator;
    ChainlinkFeedSource internal feeds;
    MockPyth internal pyth;
    PythSource internal pythSource;
    SignedQuoteSource internal quotes;

    uint80 private _uptimeRound;

    // ================================================================== deployment

    /// @dev Deploys everything at `listingTime` and lists AAPL at `initialPriceX18`.
    function _deployAt(uint256 listingTime, uint256 initialPriceX18) internal {
        vm.warp(listingTime);
        (donSigner, donKey) = makeAddrAndKey("don");
        (uint256[] memory dayNumbers, DayKind[] memory kinds) = Nyse2026.dayKinds();
        calendar = new MarketCalendar(admin, dayNumbers, kinds);
        _deploySequencerGuard();
        adapter = new OracleAdapter(
            IMarketCalendar(address(calendar)),
            ISequencerGuard(address(guard)),
            admin
        );
        actions = OracleCorporateActions(address(adapter.corporateActions()));
        _deploySources();
        _listMarket(initialPriceX18);
    }

    /// @dev The uptime feed says "up since a day ago", past the 1 h grace period.
    function _deploySequencerGuard() private {
        uptimeFeed = new MockV3Aggregator(0, 0);
        _setSequencer(0, block.timestamp - 1 days);
        guard = new SequencerUptimeGuard(AggregatorV3Interface(address(uptimeFeed)), admin);
    }

    function _deploySources() private {
        verifier = _deployFromArtifact(VERIFIER_ARTIFACT, abi.encode(donSigner));
        streams = IChainlinkDataStreamsSource(
            _deployFromArtifact(STREAMS_ARTIFACT, abi.encode(verifier, address(calendar), admin))
        );
        aggregator = new MockV3Aggregator(8, 0);
        feeds = new ChainlinkFeedSource(admin);
        pyth = new MockPyth(60, 0);
        pythSource = new PythSource(IPyth(address(pyth)), admin);
        quotes = new SignedQuoteSource(admin, guardian);
        vm.startPrank(admin);
        streams.setFeed(AAPL, FEED_AAPL);
        feeds.setFeed(AAPL, AggregatorV3Interface(address(aggregator)));
        pythSource.setPriceFeed(AAPL, PYTH_AAPL, PYTH_MAX_CONF_BPS);
        for (uint256 i; i < 3; ++i) {
            (publisherAddrs[i], publisherKeys[i]) = makeAddrAndKey(
                string.concat("publisher", vm.toString(i))
            );
            quotes.addPublisher(publisherAddrs[i]);
        }
        quotes.setMinQuotes(AAPL, 3);
        vm.stopPrank();
    }

    function _listMarket(uint256 initialPriceX18) private {
        vm.startPrank(admin);
        adapter.grantRole(adapter.MARKET_LISTER_ROLE(), admin);
        adapter.grantRole(adapter.RISK_MANAGER_ROLE(), admin);
        adapter.grantRole(adapter.TRADE_REPORTER_ROLE(), address(this));
        actions.grantRole(actions.CORPORATE_ACTIONS_ROLE(), admin);
        MarketParams memory params = adapter.defaultMarketParams(500);
        params.quoteWeightBps = QUOTE_WEIGHT_BPS;
        adapter.listMarket(AAPL, params, initialPriceX18);
        IPriceSource ds = IPriceSource(address(streams));
        adapter.setSessionSources(AAPL, Session.REGULAR, ds, IPriceSource(feeds));
        adapter.setSessionSources(AAPL, Session.PRE_MARKET, ds, IPriceSource(pythSource));
        adapter.setSessionSources(AAPL, Session.POST_MARKET, ds, IPriceSource(pythSource));
        adapter.setSessionSources(AAPL, Session.OVERNIGHT, ds, IPriceSource(pythSource));
        adapter.setSessionSources(AAPL, Session.CLOSED, IPriceSource(quotes), IPriceSource(address(0)));
        vm.stopPrank();
    }

    /// @dev `create` with the creation code of a built contract. The artifact exists after a full
    /// `hardhat build` (a test run compiles only its test files' roots, and the dependencies of a
    /// root get no artifact of their own), so a missing one says what to run.
    function _deployFromArtifact(
        string memory artifact,
        bytes memory args
    ) internal returns (address deployed) {
        bytes memory creationCode;
        try vm.getCode(artifact) returns (bytes memory code) {
            creationCode = code;
        } catch {
            revert(string.concat("no artifact ", artifact, ": run `hardhat build` first"));
        }
        bytes memory initCode = abi.encodePacked(creationCode, args);
        // Plain CREATE of a test-only contract; a zero address means the constructor reverted.
        assembly ("memory-safe") {
            deployed := create(0, add(initCode, 0x20), mload(initCode))
        }
        assertTrue(deployed != address(0), string.concat("constructor reverted: ", artifact));
    }

    // ================================================================== what keepers push

    /// @dev A keeper pushes a DON-signed v11 report observed now, whose mid last moved now.
    function _pushStreams(uint256 midX18, uint32 marketStatus) internal {
        _pushStreamsSeenAt(midX18, marketStatus, block.timestamp);
    }

    /// @dev A DON-signed v11 report observed now whose mid last moved at `lastSeenAt` (a halted
    /// stock keeps being reported with a frozen `lastSeenTimestampNs`).
    function _pushStreamsSeenAt(uint256 midX18, uint32 marketStatus, uint256 lastSeenAt) internal {
        DataStreamsReportV11 memory report;
        report.feedId = FEED_AAPL;
        report.validFromTimestamp = uint32(block.timestamp);
        report.observationsTimestamp = uint32(block.timestamp);
        report.expiresAt = uint32(block.timestamp + 1 days);
        report.mid = int192(int256(midX18));
        report.lastSeenTimestampNs = uint64(lastSeenAt * 1e9);
        report.bid = int192(int256(midX18 - 0.01e18));
        report.bidVolume = 1_000e18;
        report.ask = int192(int256(midX18 + 0.01e18));
        report.askVolume = 1_000e18;
        report.lastTradedPrice = int192(int256(midX18));
        report.marketStatus = marketStatus;
        streams.submitReport(_signReport(report));
    }

    /// @dev Chainlink's full report: `abi.encode(reportContext, reportData, rs, ss, rawVs)`, signed
    /// by the DON key over `keccak256(keccak256(reportData) ++ reportContext)`.
    function _signReport(DataStreamsReportV11 memory report) internal view returns (bytes memory) {
        bytes memory reportData = abi.encode(report);
        bytes32[3] memory reportContext = [bytes32(uint256(0xc0ffee)), bytes32(uint256(7)), bytes32(0)];
        bytes32 digest = keccak256(abi.encodePacked(keccak256(reportData), reportContext));
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(donKey, digest);
        bytes32[] memory rs = new bytes32[](1);
        bytes32[] memory ss = new bytes32[](1);
        rs[0] = r;
        ss[0] = s;
        // Chainlink packs each signature's `v - 27` into one byte of `rawVs`.
        return abi.encode(reportContext, reportData, rs, ss, bytes32(bytes1(v - 27)));
    }

    /// @dev Chainlink updates the Data Feed (8 decimals) now.
    function _pushFeed(uint256 priceX18) internal {
        aggregator.updateAnswer(int256(priceX18 / 1e10));
    }

    /// @dev A keeper pushes a Pyth update published now (expo -8) with `confBps` of confidence.
    function _pushPyth(uint256 priceX18, uint256 confBps) internal {
        int64 price = int64(int256(priceX18 / 1e10));
        uint64 conf = uint64((uint256(int256(price)) * confBps) / 10_000);
        bytes[] memory updates = new bytes[](1);
        updates[0] = pyth.createPriceFeedUpdateData(
            PYTH_AAPL,
            price,
            conf,
            -8,
            price,
            conf,
            uint64(block.timestamp),
            uint64(block.timestamp - 1)
        );
        pyth.updatePriceFeeds(updates);
    }

    /// @dev The three publishers sign quotes observed now; a keeper relays them in one batch.
    function _pushQuotes(uint256 aX18, uint256 bX18, uint256 cX18) internal {
        uint256[3] memory prices = [aX18, bX18, cX18];
        PriceQuote[] memory batch = new PriceQuote[](3);
        bytes[] memory signatures = new bytes[](3);
        for (uint256 i; i < 3; ++i) {
            batch[i] = PriceQuote(AAPL, prices[i], block.timestamp, publisherAddrs[i]);
            (uint8 v, bytes32 r, bytes32 s) = vm.sign(publisherKeys[i], quotes.hashQuote(batch[i]));
            signatures[i] = abi.encodePacked(r, s, v);
        }
        quotes.submitQuotes(batch, signatures);
    }

    /// @dev What the keepers push now in a live session, by the real calendar: Data Streams with the
    /// matching status plus the session's secondary (Data Feeds in REGULAR, Pyth otherwise).
    function _publish(uint256 priceX18) internal {
        Session session = calendar.sessionAt(block.timestamp);
        assertTrue(session != Session.CLOSED, "_publish: live sessions only (CLOSED: _pushQuotes)");
        _pushStreams(priceX18, _statusOf(session));
        if (session == Session.REGULAR) _pushFeed(priceX18 + FEED_OFFSET);
        else _pushPyth(priceX18 + PYTH_OFFSET, PYTH_NORMAL_CONF_BPS);
    }

    /// @dev The v11 status that agrees with the calendar's `session`.
    function _statusOf(Session session) internal pure returns (uint32) {
        return session == Session.CLOSED ? STATUS_CLOSED : uint32(uint8(session));
    }

    /// @dev The L2 sequencer's status changes now (`answer` 0 up, 1 down) as of `startedAt`.
    function _setSequencer(int256 answer, uint256 startedAt) internal {
        _uptimeRound += 1;
        uptimeFeed.updateRoundData(_uptimeRound, answer, block.timestamp, startedAt);
    }

    // ================================================================== reading

    function _state() internal view returns (PriceState memory) {
        return adapter.priceState(AAPL);
    }

    /// @dev The lazy view, then the poke; both must agree (the view is right without a poke).
    function _viewThenPoke(string memory label) internal returns (PriceState memory s) {
        PriceState memory v = adapter.priceState(AAPL);
        s = adapter.poke(AAPL);
        _assertSame(v, s, label);
    }

    /// @dev The lazy view `v` agreed with what the poke recorded, `s`.
    function _assertSame(PriceState memory v, PriceState memory s, string memory label) internal pure {
        assertEq(uint256(v.state), uint256(s.state), string.concat(label, ": lazy view state"));
        assertEq(uint256(v.origin), uint256(s.origin), string.concat(label, ": lazy view origin"));
        assertEq(v.indexPriceX18, s.indexPriceX18, string.concat(label, ": lazy view index"));
        assertEq(v.markPriceX18, s.markPriceX18, string.concat(label, ": lazy view mark"));
        assertEq(v.anchorPriceX18, s.anchorPriceX18, string.concat(label, ": lazy view anchor"));
    }

    /// @dev Whether the adapter emitted an event with `topic` among `logs`.
    function _emitted(Vm.Log[] memory logs, bytes32 topic) internal view returns (bool) {
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].emitter == address(adapter) && logs[i].topics[0] == topic) return true;
        }
        return false;
    }
    function _assertLive(
        PriceState memory s,
        Session session,
        MarketState state,
        PriceOrigin origin,
        uint256 indexX18,
        string memory label
    ) internal pure {
        assertEq(uint256(s.session), uint256(session), string.concat(label, ": session"));
        assertEq(uint256(s.state), uint256(state), string.concat(label, ": state"));
        assertEq(uint256(s.origin), uint256(origin), string.concat(label, ": origin"));
        assertEq(s.indexPriceX18, indexX18, string.concat(label, ": index"));
        assertEq(s.markPriceX18, indexX18, string.concat(label, ": mark = index while live"));
    }

    /// @dev DEGRADED or CLOSED: internal pricing, mark inside the band, index = mark.
    function _assertInternal(
        PriceState memory s,
        Session session,
        MarketState state,
        string memory label
    ) internal pure {
        assertEq(uint256(s.session), uint256(session), string.concat(label, ": session"));
        assertEq(uint256(s.state), uint256(state), string.concat(label, ": state"));
        assertTrue(
            s.origin == PriceOrigin.INTERNAL || s.origin == PriceOrigin.INTERNAL_QUOTE_BLEND,
            string.concat(label, ": internal origin")
        );
        assertEq(s.indexPriceX18, s.markPriceX18, string.concat(label, ": index = mark"));
        assertGe(s.markPriceX18, s.bandLowX18, string.concat(label, ": mark >= band low"));
        assertLe(s.markPriceX18, s.bandHighX18, string.concat(label, ": mark <= band high"));
    }

    /// @dev Expects the next poke to record `from -> to` with `reason`.
    function _expectStateChange(
        MarketState fromState,
        MarketState toState,
        Session session,
        DegradedReason reason
    ) internal {
        vm.expectEmit(true, false, false, true, address(adapter));
        emit IOracleAdapter.MarketStateChanged(AAPL, fromState, toState, session, reason);
    }

    /// @dev Lists at `t` (a live session), then reopens on the first published price and waits out
    /// the REOPENING window: OPEN at `priceX18`, last published 5 s before the returned time.
    function _openAt(uint256 t, uint256 priceX18) internal {
        _deployAt(t, priceX18);
        vm.warp(t + 5);
        _publish(priceX18);
        assertEq(uint256(adapter.poke(AAPL).state), uint256(MarketState.REOPENING), "listing reopen");
        vm.warp(t + 5 + 5 minutes);
        _publish(priceX18);
        assertEq(uint256(adapter.poke(AAPL).state), uint256(MarketState.OPEN), "open");
    }

    function _utc(
        uint256 year,
        uint256 month,
        uint256 day,
        uint256 hour,
        uint256 minute
    ) internal pure returns (uint256) {
        return Nyse2026.utc(year, month, day, hour, minute);
    }
}
