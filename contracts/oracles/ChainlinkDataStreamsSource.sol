// SPDX-License-Identifier: MIT
pragma solidity 0.8.19; // Chainlink's llo-feeds interfaces (@chainlink/contracts 1.2.0) pin exactly 0.8.19

import {IFeeManager} from "@chainlink/contracts/src/v0.8/llo-feeds/interfaces/IFeeManager.sol";
import {IVerifierProxy} from "@chainlink/contracts/src/v0.8/llo-feeds/interfaces/IVerifierProxy.sol";
import {Common} from "@chainlink/contracts/src/v0.8/llo-feeds/libraries/Common.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

import {
    IChainlinkDataStreamsSource,
    DataStreamsReportV11,
    StoredDataStreamsReport
} from "../interfaces/IChainlinkDataStreamsSource.sol";
import {IChainlinkFeeManagerTokens} from "../interfaces/IChainlinkFeeManagerTokens.sol";
import {IChainlinkVerifierProxyFees} from "../interfaces/IChainlinkVerifierProxyFees.sol";
import {IMarketCalendar} from "../interfaces/IMarketCalendar.sol";
import {IPriceSource, PriceObservation} from "../interfaces/IPriceSource.sol";
import {Constants} from "../libraries/Constants.sol";
import {Session} from "../types/Session.sol";
import {AccessControl0819} from "./AccessControl0819.sol";

/// @title ChainlinkDataStreamsSource
/// @notice Chainlink Data Streams v11 (RWA Advanced, 24/5 US equities) as a Sundial price source.
/// @dev Compiled with solc 0.8.19 (the `solc-0.8.19` compiler of the project config) because it
/// imports Chainlink's `llo-feeds` interfaces, which pin that exact version. It therefore uses no
/// OpenZeppelin 5 contract that requires ^0.8.20: access control is `AccessControl0819`, and token
/// calls check the returned bool instead of using `SafeERC20` (the fee tokens are LINK and the
/// wrapped native token, which both return it).
contract ChainlinkDataStreamsSource is IChainlinkDataStreamsSource, AccessControl0819 {
    IVerifierProxy private immutable _verifierProxy;
    IMarketCalendar private immutable _calendar;

    /// @inheritdoc IChainlinkDataStreamsSource
    address public feeToken;
    /// @inheritdoc IChainlinkDataStreamsSource
    mapping(bytes32 marketId => bytes32 feedId) public feedOf;
    /// @inheritdoc IChainlinkDataStreamsSource
    mapping(bytes32 feedId => bytes32 marketId) public marketOf;

    mapping(bytes32 feedId => StoredDataStreamsReport) private _reports;

    /// @param proxy Chainlink's `VerifierProxy` on this chain.
    /// @param marketCalendar Sundial's `MarketCalendar`.
    /// @param admin Receives `DEFAULT_ADMIN_ROLE` (the `TimelockController`).
    constructor(IVerifierProxy proxy, IMarketCalendar marketCalendar, address admin) {
        if (address(proxy) == address(0) || address(marketCalendar) == address(0) || admin == address(0)) {
            revert DataStreams_ZeroAddress();
        }
        _verifierProxy = proxy;
        _calendar = marketCalendar;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    // ------------------------------------------------------------------ keeper

    /// @inheritdoc IChainlinkDataStreamsSource
    function submitReport(bytes calldata signedReport) external returns (bytes32 feedId) {
        (, bytes memory reportData) = abi.decode(signedReport, (bytes32[3], bytes));
        feedId = bytes32(reportData);
        bytes32 marketId = marketOf[feedId];
        if (marketId == 0) revert DataStreams_UnknownFeed(feedId);
        // The feed is assigned, so it is a v11 feed (checked by `setFeed`) and the layout is v11.
        DataStreamsReportV11 memory report = abi.decode(reportData, (DataStreamsReportV11));
        _checkReport(report);
        // Effects before the external calls: a failed verification reverts the whole call,
        // so nothing unverified can remain stored.
        _storeReport(report, marketId);

        bytes memory verified = _verify(signedReport, reportData);
        if (keccak256(verified) != keccak256(reportData)) {
            revert DataStreams_VerifiedReportMismatch(keccak256(reportData), keccak256(verified));
        }
    }

    // ------------------------------------------------------------------ price source

    /// @inheritdoc IPriceSource
    /// @dev The latest report's mid, observed when the mid last moved (`lastSeenTimestampNs`).
    /// Reverts when that is older than `maxAge` (a halted stock keeps publishing the same mid) or
    /// when the report's `marketStatus` contradicts the calendar's session at the report's
    /// `observationsTimestamp` (allowing `DATA_STREAMS_SESSION_BOUNDARY_TOLERANCE` around a session
    /// boundary).
    function latestPrice(bytes32 marketId, uint256 maxAge) external view returns (PriceObservation memory) {
        bytes32 feedId = feedOf[marketId];
        if (feedId == 0) revert DataStreams_MarketNotConfigured(marketId);
        StoredDataStreamsReport memory report = _reports[feedId];
        if (report.observationsTimestamp == 0) revert DataStreams_NoReport(marketId, feedId);

        uint256 observedAt = _observedAt(report.lastSeenTimestampNs);
        // `_observedAt` never exceeds `block.timestamp`, so the subtraction cannot underflow.
        if (block.timestamp - observedAt > maxAge)
            revert DataStreams_StalePrice(marketId, observedAt, maxAge);
        _checkMarketStatus(marketId, report.marketStatus, report.observationsTimestamp);
        return
            PriceObservation({
                priceX18: report.midX18,
                observedAt: observedAt,
                confidenceX18: report.confidenceX18
            });
    }

    // ------------------------------------------------------------------ governance

    /// @inheritdoc IChainlinkDataStreamsSource
    function setFeed(bytes32 marketId, bytes32 feedId) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (marketId == 0) revert DataStreams_ZeroMarketId();
        if (feedId != 0) {
            uint16 version = uint16(uint256(feedId) >> 240);
            if (version != Constants.DATA_STREAMS_REPORT_VERSION) {
                revert DataStreams_UnsupportedReportVersion(feedId, version);
            }
            bytes32 assignedTo = marketOf[feedId];
            if (assignedTo != 0 && assignedTo != marketId)
                revert DataStreams_FeedAlreadyAssigned(feedId, assignedTo);
        }
        bytes32 previousFeedId = feedOf[marketId];
        if (previousFeedId != 0) delete marketOf[previousFeedId];
        feedOf[marketId] = feedId;
        if (feedId != 0) marketOf[feedId] = marketId;
        emit FeedSet(marketId, previousFeedId, feedId);
    }

    /// @inheritdoc IChainlinkDataStreamsSource
    function setFeeToken(address token) external onlyRole(DEFAULT_ADMIN_ROLE) {
        address previousToken = feeToken;
        feeToken = token;
        emit FeeTokenSet(previousToken, token);
    }

    /// @inheritdoc IChainlinkDataStreamsSource
    function withdrawFeeToken(
        address token,
        address to,
        uint256 amount
    ) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (token == address(0) || to == address(0)) revert DataStreams_ZeroAddress();
        if (!IERC20(token).transfer(to, amount)) revert DataStreams_FeeTokenCallFailed(token);
        emit FeeTokenWithdrawn(token, to, amount);
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IChainlinkDataStreamsSource
    function verifierProxy() external view returns (address) {
        return address(_verifierProxy);
    }

    /// @inheritdoc IChainlinkDataStreamsSource
    function calendar() external view returns (address) {
        return address(_calendar);
    }

    /// @inheritdoc IChainlinkDataStreamsSource
    function latestReport(bytes32 feedId) external view returns (StoredDataStreamsReport memory) {
        return _reports[feedId];
    }

    // ------------------------------------------------------------------ internals

    function _checkReport(DataStreamsReportV11 memory report) private view {
        bytes32 feedId = report.feedId;
        if (block.timestamp < report.validFromTimestamp) {
            revert DataStreams_ReportNotYetValid(feedId, report.validFromTimestamp, block.timestamp);
        }
        if (block.timestamp > report.expiresAt) {
            revert DataStreams_ReportExpired(feedId, report.expiresAt, block.timestamp);
        }
        uint32 latestObservationsTimestamp = _reports[feedId].observationsTimestamp;
        if (report.observationsTimestamp <= latestObservationsTimestamp) {
            revert DataStreams_ReportNotNewer(
                feedId,
                report.observationsTimestamp,
                latestObservationsTimestamp
            );
        }
        if (report.mid <= 0) revert DataStreams_NonPositiveMid(feedId, report.mid);
    }

    function _storeReport(DataStreamsReportV11 memory report, bytes32 marketId) private {
        // `mid > 0` was checked, so the int192 -> uint192 conversion is exact.
        uint192 midX18 = uint192(report.mid);
        _reports[report.feedId] = StoredDataStreamsReport({
            midX18: midX18,
            observationsTimestamp: report.observationsTimestamp,
            marketStatus: report.marketStatus,
            lastSeenTimestampNs: report.lastSeenTimestampNs,
            confidenceX18: _halfSpreadUp(report, midX18)
        });
        emit ReportSubmitted(
            report.feedId,
            marketId,
            report.observationsTimestamp,
            midX18,
            report.marketStatus
        );
    }

    /// @dev Half the bid-ask spread, rounded up (a wider interval is the conservative error). A
    /// crossed book (median bid above median ask) still measures disagreement, so its absolute
    /// spread is used. A one-sided or empty book has no spread: the confidence is then the whole
    /// mid, so that any confidence bound downstream rejects the price instead of trusting it.
    function _halfSpreadUp(
        DataStreamsReportV11 memory report,
        uint192 midX18
    ) private pure returns (uint192) {
        if (report.bid <= 0 || report.ask <= 0) return midX18;
        // Both are positive int192 values, so their difference cannot overflow int192.
        int192 difference = report.ask - report.bid;
        uint256 spreadX18 = uint256(int256(difference >= 0 ? difference : -difference));
        // spreadX18 < 2^191, so the sum cannot overflow and the half fits in uint192.
        return uint192((spreadX18 + 1) / 2);
    }

    /// @dev Seconds from nanoseconds, rounded down (an earlier observation is the conservative
    /// error for staleness), and never later than now: the DON's clock may run ahead of a lagging
    /// L2 block timestamp, and an observation cannot be newer than the block that reads it.
    function _observedAt(uint64 lastSeenTimestampNs) private view returns (uint256) {
        uint256 observedAt = uint256(lastSeenTimestampNs) / Constants.DATA_STREAMS_NANOSECONDS_PER_SECOND;
        return observedAt < block.timestamp ? observedAt : block.timestamp;
    }

    /// @dev The status must match the calendar's session when the report was observed, or within
    /// the boundary tolerance before or after (sessions last hours, so the window crosses at most
    /// one boundary). The status describes the market at `observationsTimestamp`, so that is when
    /// it is checked, not when it is read: a report that was consistent stays readable after the
    /// session changes (the oracle adapter reads the previous session's sources as of its last
    /// second when it records a close after the fact), and staleness is `maxAge`'s job.
    function _checkMarketStatus(bytes32 marketId, uint32 marketStatus, uint256 observedAt) private view {
        Session session = _calendar.sessionAt(observedAt);
        if (_matches(marketStatus, session)) return;
        uint256 tolerance = Constants.DATA_STREAMS_SESSION_BOUNDARY_TOLERANCE;
        uint256 before = observedAt > tolerance ? observedAt - tolerance : 0;
        if (_matches(marketStatus, _calendar.sessionAt(before))) return;
        if (_matches(marketStatus, _calendar.sessionAt(observedAt + tolerance))) return;
        revert DataStreams_MarketStatusMismatch(marketId, marketStatus, session);
    }

    /// @dev v11 statuses 1-4 equal `Session` PRE_MARKET..OVERNIGHT; 5 is CLOSED; 0 (Unknown) and
    /// any other value match nothing.
    function _matches(uint32 marketStatus, Session session) private pure returns (bool) {
        if (session == Session.CLOSED) return marketStatus == Constants.DATA_STREAMS_STATUS_CLOSED;
        return marketStatus == uint32(uint8(session));
    }

    /// @dev Quotes the verification fee when the proxy charges one, approves exactly that amount to
    /// the contract Chainlink pulls it with, and returns the fee payload `verify` expects.
    function _verify(bytes calldata signedReport, bytes memory reportData) private returns (bytes memory) {
        bytes memory parameterPayload = _approveVerificationFee(reportData);
        try _verifierProxy.verify(signedReport, parameterPayload) returns (bytes memory verified) {
            return verified;
        } catch (bytes memory reason) {
            revert DataStreams_VerificationFailed(reason);
        }
    }

    function _approveVerificationFee(
        bytes memory reportData
    ) private returns (bytes memory parameterPayload) {
        address feeManager = IChainlinkVerifierProxyFees(address(_verifierProxy)).s_feeManager();
        if (feeManager == address(0)) return "";
        address token = feeToken;
        if (token == address(0)) revert DataStreams_FeeTokenNotSet();

        (Common.Asset memory fee, , ) = IFeeManager(feeManager).getFeeAndReward(
            address(this),
            reportData,
            token
        );
        if (fee.amount != 0) {
            uint256 balance = IERC20(token).balanceOf(address(this));
            if (balance < fee.amount) revert DataStreams_InsufficientFeeBalance(token, balance, fee.amount);
            IChainlinkFeeManagerTokens tokens = IChainlinkFeeManagerTokens(feeManager);
            address spender = token == tokens.i_linkAddress() ? tokens.i_rewardManager() : feeManager;
            if (!IERC20(token).approve(spender, fee.amount)) revert DataStreams_FeeTokenCallFailed(token);
            emit VerificationFeeApproved(token, spender, fee.amount);
        }
        return abi.encode(token);
    }
}
