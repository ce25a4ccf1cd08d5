// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IPriceSource} from "./IPriceSource.sol";

/// @notice A price quote signed by an allow-listed publisher (EIP-712 type `PriceQuote`).
struct PriceQuote {
    bytes32 marketId; // e.g. bytes32("AAPL-USD")
    uint256 priceX18; // the publisher's price, 18 decimals, > 0
    uint256 observedAt; // when the publisher observed it (UTC seconds), not in the future
    address publisher; // the signer: an EOA (ECDSA) or a contract wallet (ERC-1271)
}

/// @notice What the source keeps of a publisher's latest quote for a market (one storage slot).
struct StoredQuote {
    uint128 priceX18;
    uint64 observedAt;
}

/// @title ISignedQuoteSource
/// @notice Price source made of EIP-712 price quotes from an allow-listed set of publishers (weekend
/// partners, market makers): the median of at least `k` fresh quotes (SPEC section 3.1).
///
/// Anyone may relay signed quotes with `submitQuotes`. Each quote must come from a current
/// publisher, carry a non-zero price, not be observed in the future and be strictly newer than that
/// publisher's stored quote for the market (so a replayed or older quote reverts); its signature is
/// checked with OpenZeppelin's `SignatureChecker` (ECDSA for EOAs, ERC-1271 for contract wallets)
/// over the EIP-712 domain `("Sundial Signed Quotes", "1", chainid, this contract)`, so a quote
/// signed for another chain or another deployment does not verify. Only the latest quote per
/// publisher and market is kept.
///
/// `latestPrice(marketId, maxAge)` takes the stored quotes of the current publishers that are fresh
/// (`block.timestamp - observedAt <= maxAge`) and were observed since the publisher was (last)
/// added, and requires at least `k` of them. It returns their median (the mean of the two middle
/// quotes, rounded down, for an even count), `observedAt` = the oldest quote used, and
/// `confidenceX18` = half the range of the quotes used, rounded up.
///
/// Keepers: the oracle keeper collects signed quotes from the publishers' endpoints and relays them
/// in batches; publishers may also submit their own. Quotes must be submitted no earlier than
/// their `observedAt` (publishers should sign a time not ahead of the chain's clock).
///
/// Roles (OpenZeppelin `AccessControl`):
/// - `DEFAULT_ADMIN_ROLE` (held by the `TimelockController`): grants and revokes roles; adds and
///   removes publishers; sets each market's quorum `k` within
///   [`SIGNED_QUOTE_MIN_QUORUM`, `SIGNED_QUOTE_MAX_PUBLISHERS`] (0 disables the market).
/// - `GUARDIAN_ROLE` (the guardian, not timelocked): removes publishers, e.g. a compromised key, at
///   once. It can only shrink the set, which at worst makes `latestPrice` revert with
///   `SignedQuote_NotEnoughQuotes` (DEGRADED); it can never add a publisher or inject a price.
interface ISignedQuoteSource is IPriceSource {
    /// @notice A publisher joined the allow-list; only its quotes observed from now on count.
    event PublisherAdded(address indexed publisher);
    /// @notice A publisher left the allow-list, removed by `remover` (admin or guardian).
    event PublisherRemoved(address indexed publisher, address indexed remover);
    /// @notice A market's quorum changed (`newMinQuotes == 0`: the market is disabled).
    event MinQuotesSet(bytes32 indexed marketId, uint256 previousMinQuotes, uint256 newMinQuotes);
    /// @notice A quote was accepted as `publisher`'s latest for `marketId`.
    event QuoteSubmitted(
        bytes32 indexed marketId,
        address indexed publisher,
        uint256 priceX18,
        uint256 observedAt
    );

    /// @notice The admin given to the constructor, or a publisher to add, is the zero address.
    error SignedQuote_ZeroAddress();
    /// @notice `submitQuotes` got a different number of quotes and signatures.
    error SignedQuote_LengthMismatch(uint256 quotesLength, uint256 signaturesLength);
    /// @notice The market has no quorum configured (it does not use signed quotes).
    error SignedQuote_MarketNotConfigured(bytes32 marketId);
    /// @notice The quote's publisher is not on the allow-list.
    error SignedQuote_UnknownPublisher(address publisher);
    /// @notice The quoted price is zero.
    error SignedQuote_ZeroPrice(bytes32 marketId, address publisher);
    /// @notice The quoted price does not fit the stored uint128 (above 3.4e20 USD).
    error SignedQuote_PriceOutOfRange(bytes32 marketId, address publisher, uint256 priceX18);
    /// @notice The quote is observed after the current block.
    error SignedQuote_ObservedInFuture(
        bytes32 marketId,
        address publisher,
        uint256 observedAt,
        uint256 nowTimestamp
    );
    /// @notice The quote is not newer than the publisher's stored quote (a replay or an older quote).
    error SignedQuote_QuoteNotNewer(
        bytes32 marketId,
        address publisher,
        uint256 observedAt,
        uint256 latestObservedAt
    );
    /// @notice The signature is not the publisher's over this quote, chain and contract.
    error SignedQuote_InvalidSignature(bytes32 marketId, address publisher);
    /// @notice Fewer than `minQuotes` fresh quotes are available.
    error SignedQuote_NotEnoughQuotes(bytes32 marketId, uint256 freshQuotes, uint256 minQuotes);
    /// @notice The publisher to add is already on the allow-list.
    error SignedQuote_PublisherAlreadyAdded(address publisher);
    /// @notice The publisher to remove is not on the allow-list.
    error SignedQuote_PublisherNotFound(address publisher);
    /// @notice The allow-list already holds `SIGNED_QUOTE_MAX_PUBLISHERS` publishers.
    error SignedQuote_TooManyPublishers(uint256 maxPublishers);
    /// @notice The quorum is outside [`SIGNED_QUOTE_MIN_QUORUM`, `SIGNED_QUOTE_MAX_PUBLISHERS`] (and not 0).
    error SignedQuote_MinQuotesOutOfRange(uint256 minQuotes, uint256 minBound, uint256 maxBound);

    /// @notice Verifies and stores signed quotes; reverts the whole batch on the first bad quote.
    /// Permissionless.
    function submitQuotes(PriceQuote[] calldata quotes, bytes[] calldata signatures) external;

    /// @notice Adds `publisher` to the allow-list. Only `DEFAULT_ADMIN_ROLE`.
    function addPublisher(address publisher) external;

    /// @notice Removes `publisher` from the allow-list. `DEFAULT_ADMIN_ROLE` or `GUARDIAN_ROLE`.
    function removePublisher(address publisher) external;

    /// @notice Sets the quorum `k` of `marketId` (0 disables it). Only `DEFAULT_ADMIN_ROLE`.
    function setMinQuotes(bytes32 marketId, uint256 minQuotes) external;

    /// @notice The role that may only remove publishers.
    function GUARDIAN_ROLE() external view returns (bytes32);

    /// @notice The EIP-712 type hash of `PriceQuote`.
    function QUOTE_TYPEHASH() external view returns (bytes32);

    /// @notice The EIP-712 digest a publisher signs for `quote` on this chain and contract.
    function hashQuote(PriceQuote calldata quote) external view returns (bytes32 digest);

    /// @notice The current publishers.
    function publishers() external view returns (address[] memory);

    /// @notice Whether `account` is a current publisher.
    function isPublisher(address account) external view returns (bool);

    /// @notice The quorum of `marketId` (0: disabled).
    function minQuotesOf(bytes32 marketId) external view returns (uint256);

    /// @notice `publisher`'s latest stored quote for `marketId` (zero if none).
    function latestQuote(bytes32 marketId, address publisher) external view returns (StoredQuote memory);
}
