// SPDX-License-Identifier: MIT
pragma solidity ^0.8.19; // imported by ChainlinkDataStreamsSource, which Chainlink's llo-feeds pin to 0.8.19

import {Session} from "../types/Session.sol";
import {IPriceSource} from "./IPriceSource.sol";

/// @notice A Chainlink Data Streams report in the RWA Advanced schema (v11), as signed by the DON.
/// Prices (`mid`, `bid`, `ask`, `lastTradedPrice`) are 18-decimal fixed point.
struct DataStreamsReportV11 {
    bytes32 feedId; // the stream; its top two bytes are the schema version (0x000b)
    uint32 validFromTimestamp; // earliest time the report is valid (seconds)
    uint32 observationsTimestamp; // latest time the report is valid / was observed (seconds)
    uint192 nativeFee; // verification cost in the wrapped native token
    uint192 linkFee; // verification cost in LINK
    uint32 expiresAt; // latest time the report can be verified on-chain (seconds)
    int192 mid; // DON consensus mid price
    uint64 lastSeenTimestampNs; // when `mid` last changed (nanoseconds); stops moving in a halt
    int192 bid; // median bid
    int192 bidVolume; // volume at the bid
    int192 ask; // median ask
    int192 askVolume; // volume at the ask
    int192 lastTradedPrice; // last traded price
    uint32 marketStatus; // 0 Unknown, 1 Pre, 2 Regular, 3 Post, 4 Overnight, 5 Closed (weekend)
}

/// @notice What the source keeps of the latest accepted report of a feed (two storage slots).
struct StoredDataStreamsReport {
    uint192 midX18; // > 0
    uint32 observationsTimestamp; // strictly increases per feed
    uint32 marketStatus; // as reported; checked against the calendar on every read
    uint64 lastSeenTimestampNs; // `observedAt` of `latestPrice` is this divided by 1e9
    uint192 confidenceX18; // half the bid-ask spread, or `midX18` when the book is one-sided
}

/// @title IChainlinkDataStreamsSource
/// @notice Price source for Chainlink Data Streams v11 (RWA Advanced, 24/5 US equities).
///
/// Keepers fetch signed reports from the Data Streams API and push them with `submitReport`
/// (permissionless). Each report is verified through Chainlink's `VerifierProxy`, then checked by
/// this contract: the feed is assigned to a market, `validFromTimestamp <= now <= expiresAt`,
/// `observationsTimestamp` strictly increases per feed (older and replayed reports revert) and
/// `mid > 0`. `latestPrice` serves the latest accepted report: `observedAt` is `lastSeenTimestampNs`
/// (the last time the mid moved, so a halted stock goes stale even though reports keep arriving),
/// `confidenceX18` is half the bid-ask spread.
///
/// The report's `marketStatus` is cross-checked against Sundial's calendar on every read, not at
/// submission: a contradicting (or Unknown) report is stored and `latestPrice` reverts with
/// `DataStreams_MarketStatusMismatch`, so the oracle adapter goes DEGRADED at once (SPEC 3.2)
/// instead of serving the previous report until it goes stale. The status is compared with the
/// calendar's session at the report's `observationsTimestamp` (the time it describes), so a
/// consistent report stays readable after the session changes; its age is `maxAge`'s job.
///
/// Verification fees: when the verifier proxy has a fee manager, the fee is quoted in the configured
/// fee token (LINK or the wrapped native token) and paid from this contract's own balance: the
/// contract approves exactly the quoted fee to the spender Chainlink pulls from (the reward manager
/// for LINK, the fee manager for wrapped native). Without a fee manager, reports verify for free.
///
/// Roles (OpenZeppelin `IAccessControl` semantics, same errors and events):
/// - `DEFAULT_ADMIN_ROLE` (held by the `TimelockController`): grants and revokes roles; assigns feed
///   ids to markets (`setFeed`); chooses the fee token (`setFeeToken`); withdraws fee tokens held by
///   this contract (`withdrawFeeToken`). It cannot write prices: every price comes from a report
///   signed by the Chainlink DON.
/// @dev Warning: verification fees are paid from this contract's balance and `submitReport` is
/// permissionless, so anyone may spend the balance on valid reports. The spend is bounded by the
/// per-feed monotonic `observationsTimestamp` (at most one paid report per feed and second), which
/// is the rate a diligent keeper pushes at anyway; rejected reports revert and pay nothing.
interface IChainlinkDataStreamsSource is IPriceSource {
    /// @notice A feed id was assigned to a market (or unassigned, `newFeedId == 0`).
    event FeedSet(bytes32 indexed marketId, bytes32 previousFeedId, bytes32 newFeedId);
    /// @notice The token verification fees are paid in changed.
    event FeeTokenSet(address previousToken, address newToken);
    /// @notice Fee tokens held by this contract were withdrawn by the admin.
    event FeeTokenWithdrawn(address indexed token, address indexed to, uint256 amount);
    /// @notice This contract approved `amount` of `token` to `spender` to pay one verification.
    event VerificationFeeApproved(address indexed token, address indexed spender, uint256 amount);
    /// @notice A verified report was accepted and is now the feed's latest.
    event ReportSubmitted(
        bytes32 indexed feedId,
        bytes32 indexed marketId,
        uint32 observationsTimestamp,
        uint192 midX18,
        uint32 marketStatus
    );

    /// @notice A constructor or setter argument that must be a contract address is zero.
    error DataStreams_ZeroAddress();
    /// @notice Market id 0 is reserved (it marks an unassigned feed).
    error DataStreams_ZeroMarketId();
    /// @notice `latestPrice` was asked for a market without a feed.
    error DataStreams_MarketNotConfigured(bytes32 marketId);
    /// @notice The market's feed has no accepted report yet.
    error DataStreams_NoReport(bytes32 marketId, bytes32 feedId);
    /// @notice The feed id's schema version (top two bytes) is not v11.
    error DataStreams_UnsupportedReportVersion(bytes32 feedId, uint16 version);
    /// @notice The feed is already assigned to another market (one market per feed).
    error DataStreams_FeedAlreadyAssigned(bytes32 feedId, bytes32 marketId);
    /// @notice The report's feed is not assigned to any market.
    error DataStreams_UnknownFeed(bytes32 feedId);
    /// @notice `block.timestamp < validFromTimestamp`.
    error DataStreams_ReportNotYetValid(bytes32 feedId, uint256 validFromTimestamp, uint256 nowTimestamp);
    /// @notice `block.timestamp > expiresAt`.
    error DataStreams_ReportExpired(bytes32 feedId, uint256 expiresAt, uint256 nowTimestamp);
    /// @notice The report is not newer than the feed's latest (an older report or a replay).
    error DataStreams_ReportNotNewer(
        bytes32 feedId,
        uint256 observationsTimestamp,
        uint256 latestObservationsTimestamp
    );
    /// @notice The report's mid is zero or negative.
    error DataStreams_NonPositiveMid(bytes32 feedId, int256 mid);
    /// @notice The verifier proxy reverted; `reason` is its revert data (e.g. a bad signature).
    error DataStreams_VerificationFailed(bytes reason);
    /// @notice The verifier returned different bytes from the report that was checked and paid for.
    error DataStreams_VerifiedReportMismatch(bytes32 submittedHash, bytes32 verifiedHash);
    /// @notice The proxy charges fees but no fee token is configured.
    error DataStreams_FeeTokenNotSet();
    /// @notice This contract holds less of the fee token than the quoted verification fee.
    error DataStreams_InsufficientFeeBalance(address token, uint256 balance, uint256 fee);
    /// @notice An ERC-20 `approve` or `transfer` of the fee token returned false.
    error DataStreams_FeeTokenCallFailed(address token);
    /// @notice The latest report's `mid` last moved more than `maxAge` seconds ago.
    error DataStreams_StalePrice(bytes32 marketId, uint256 observedAt, uint256 maxAge);
    /// @notice The latest report's `marketStatus` contradicts Sundial's calendar (or is Unknown);
    /// `calendarSession` is the calendar's session at the report's `observationsTimestamp`.
    error DataStreams_MarketStatusMismatch(bytes32 marketId, uint32 marketStatus, Session calendarSession);

    /// @notice Verifies a signed report through Chainlink's verifier proxy, pays its fee if the proxy
    /// charges one, checks it and stores it as its feed's latest report. Permissionless.
    /// @param signedReport The full report as served by the Data Streams API:
    /// `abi.encode(bytes32[3] reportContext, bytes reportData, bytes32[] rs, bytes32[] ss, bytes32 rawVs)`.
    /// @return feedId The feed the report belongs to.
    function submitReport(bytes calldata signedReport) external returns (bytes32 feedId);

    /// @notice Assigns a Data Streams feed to a market; `feedId == 0` unassigns the market's feed.
    /// @dev Only `DEFAULT_ADMIN_ROLE`. The feed must be a v11 feed not assigned to another market.
    /// Reports stay keyed by feed id, so a re-assigned market serves nothing until a report of its
    /// new feed is submitted.
    function setFeed(bytes32 marketId, bytes32 feedId) external;

    /// @notice Sets the token verification fees are paid in (LINK or the wrapped native token of
    /// the fee manager); `address(0)` disables paying (reports then verify only without fee manager).
    /// @dev Only `DEFAULT_ADMIN_ROLE`.
    function setFeeToken(address token) external;

    /// @notice Withdraws fee tokens (or any ERC-20) held by this contract.
    /// @dev Only `DEFAULT_ADMIN_ROLE`. This contract never holds user funds.
    function withdrawFeeToken(address token, address to, uint256 amount) external;

    /// @notice Chainlink's verifier proxy reports are verified through.
    function verifierProxy() external view returns (address);

    /// @notice Sundial's market calendar that `marketStatus` is checked against.
    function calendar() external view returns (address);

    /// @notice The token verification fees are paid in (`address(0)` when none is configured).
    function feeToken() external view returns (address);

    /// @notice The feed assigned to `marketId` (0 if none).
    function feedOf(bytes32 marketId) external view returns (bytes32 feedId);

    /// @notice The market `feedId` is assigned to (0 if none).
    function marketOf(bytes32 feedId) external view returns (bytes32 marketId);

    /// @notice The latest accepted report of `feedId` (all zero if none).
    function latestReport(bytes32 feedId) external view returns (StoredDataStreamsReport memory);
}
