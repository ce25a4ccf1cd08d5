// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

import {IPriceSource, PriceObservation} from "../interfaces/IPriceSource.sol";
import {ISignedQuoteSource, PriceQuote, StoredQuote} from "../interfaces/ISignedQuoteSource.sol";
import {Constants} from "../libraries/Constants.sol";

/// @title SignedQuoteSource
/// @notice The median of allow-listed publishers' EIP-712 price quotes (see `ISignedQuoteSource`).
contract SignedQuoteSource is ISignedQuoteSource, AccessControl, EIP712 {
    /// @inheritdoc ISignedQuoteSource
    bytes32 public constant GUARDIAN_ROLE = keccak256("GUARDIAN_ROLE");
    /// @inheritdoc ISignedQuoteSource
    bytes32 public constant QUOTE_TYPEHASH = keccak256(
        "PriceQuote(bytes32 marketId,uint256 priceX18,uint256 observedAt,address publisher)"
    );

    /// @dev A publisher and when it was (last) added; one slot, read once per publisher per price.
    struct Publisher {
        address account;
        uint64 activeSince;
    }

    Publisher[] private _publishers;
    mapping(address account => uint256 indexPlusOne) private _publisherSlot;
    /// @inheritdoc ISignedQuoteSource
    mapping(bytes32 marketId => uint256) public minQuotesOf;
    mapping(bytes32 marketId => mapping(address publisher => StoredQuote)) private _quotes;

    /// @param admin Receives `DEFAULT_ADMIN_ROLE` (the `TimelockController`).
    /// @param guardian Receives `GUARDIAN_ROLE`; `address(0)` grants it to nobody.
    constructor(address admin, address guardian) EIP712("Sundial Signed Quotes", "1") {
        if (admin == address(0)) revert SignedQuote_ZeroAddress();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        if (guardian != address(0)) _grantRole(GUARDIAN_ROLE, guardian);
    }

    // ------------------------------------------------------------------ relayers

    /// @inheritdoc ISignedQuoteSource
    function submitQuotes(PriceQuote[] calldata quotes, bytes[] calldata signatures) external {
        if (quotes.length != signatures.length)
            revert SignedQuote_LengthMismatch(quotes.length, signatures.length);
        for (uint256 i = 0; i < quotes.length; ++i) {
            _submitQuote(quotes[i], signatures[i]);
        }
    }

    // ------------------------------------------------------------------ price source

    /// @inheritdoc IPriceSource
    /// @dev The median of at least `minQuotesOf(marketId)` fresh quotes.
    function latestPrice(bytes32 marketId, uint256 maxAge) external view returns (PriceObservation memory) {
        uint256 minQuotes = minQuotesOf[marketId];
        if (minQuotes == 0) revert SignedQuote_MarketNotConfigured(marketId);
        (uint256[] memory pricesX18, uint256 count, uint256 oldestObservedAt) = _freshQuotes(
            marketId,
            maxAge
        );
        if (count < minQuotes) revert SignedQuote_NotEnoughQuotes(marketId, count, minQuotes);

        _sortAscending(pricesX18, count);
        uint256 middle = count / 2;
        // Even count: the mean of the two middle quotes, rounded down (neither side is favoured by
        // an index price; `Math.average` cannot overflow).
        uint256 medianX18 =
            count % 2 == 1 ? pricesX18[middle] : Math.average(pricesX18[middle - 1], pricesX18[middle]);
        // Half the range, rounded up: the interval is never narrower than the quotes' spread.
        uint256 confidenceX18 = Math.ceilDiv(pricesX18[count - 1] - pricesX18[0], 2);
        return
            PriceObservation({
                priceX18: medianX18,
                observedAt: oldestObservedAt,
                confidenceX18: confidenceX18
            });
    }

    // ------------------------------------------------------------------ governance

    /// @inheritdoc ISignedQuoteSource
    function addPublisher(address publisher) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (publisher == address(0)) revert SignedQuote_ZeroAddress();
        if (_publisherSlot[publisher] != 0) revert SignedQuote_PublisherAlreadyAdded(publisher);
        if (_publishers.length == Constants.SIGNED_QUOTE_MAX_PUBLISHERS) {
            revert SignedQuote_TooManyPublishers(Constants.SIGNED_QUOTE_MAX_PUBLISHERS);
        }
        _publishers.push(Publisher({account: publisher, activeSince: uint64(block.timestamp)}));
        _publisherSlot[publisher] = _publishers.length;
        emit PublisherAdded(publisher);
    }

    /// @inheritdoc ISignedQuoteSource
    function removePublisher(address publisher) external {
        if (!hasRole(DEFAULT_ADMIN_ROLE, msg.sender)) _checkRole(GUARDIAN_ROLE);
        uint256 slot = _publisherSlot[publisher];
        if (slot == 0) revert SignedQuote_PublisherNotFound(publisher);
        // Swap with the last entry and pop; the order of publishers carries no meaning.
        Publisher memory last = _publishers[_publishers.length - 1];
        _publishers[slot - 1] = last;
        _publisherSlot[last.account] = slot;
        _publishers.pop();
        delete _publisherSlot[publisher];
        emit PublisherRemoved(publisher, msg.sender);
    }

    /// @inheritdoc ISignedQuoteSource
    function setMinQuotes(bytes32 marketId, uint256 minQuotes) external onlyRole(DEFAULT_ADMIN_ROLE) {
        uint256 minBound = Constants.SIGNED_QUOTE_MIN_QUORUM;
        uint256 maxBound = Constants.SIGNED_QUOTE_MAX_PUBLISHERS;
        if (minQuotes != 0 && (minQuotes < minBound || minQuotes > maxBound)) {
            revert SignedQuote_MinQuotesOutOfRange(minQuotes, minBound, maxBound);
        }
        uint256 previousMinQuotes = minQuotesOf[marketId];
        minQuotesOf[marketId] = minQuotes;
        emit MinQuotesSet(marketId, previousMinQuotes, minQuotes);
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc ISignedQuoteSource
    function hashQuote(PriceQuote calldata quote) public view returns (bytes32 digest) {
        return
            _hashTypedDataV4(
                keccak256(
                    abi.encode(
                        QUOTE_TYPEHASH,
                        quote.marketId,
                        quote.priceX18,
                        quote.observedAt,
                        quote.publisher
                    )
                )
            );
    }

    /// @inheritdoc ISignedQuoteSource
    function publishers() external view returns (address[] memory accounts) {
        accounts = new address[](_publishers.length);
        for (uint256 i = 0; i < accounts.length; ++i) {
            accounts[i] = _publishers[i].account;
        }
    }

    /// @inheritdoc ISignedQuoteSource
    function isPublisher(address account) public view returns (bool) {
        return _publisherSlot[account] != 0;
    }

    /// @inheritdoc ISignedQuoteSource
    function latestQuote(bytes32 marketId, address publisher) external view returns (StoredQuote memory) {
        return _quotes[marketId][publisher];
    }

    // ------------------------------------------------------------------ internals

    function _submitQuote(PriceQuote calldata quote, bytes calldata signature) private {
        bytes32 marketId = quote.marketId;
        address publisher = quote.publisher;
        if (minQuotesOf[marketId] == 0) revert SignedQuote_MarketNotConfigured(marketId);
        if (!isPublisher(publisher)) revert SignedQuote_UnknownPublisher(publisher);
        if (quote.priceX18 == 0) revert SignedQuote_ZeroPrice(marketId, publisher);
        if (quote.priceX18 > type(uint128).max)
            revert SignedQuote_PriceOutOfRange(marketId, publisher, quote.priceX18);
        if (quote.observedAt > block.timestamp) {
            revert SignedQuote_ObservedInFuture(marketId, publisher, quote.observedAt, block.timestamp);
        }
        StoredQuote storage stored = _quotes[marketId][publisher];
        if (quote.observedAt <= stored.observedAt) {
            revert SignedQuote_QuoteNotNewer(marketId, publisher, quote.observedAt, stored.observedAt);
        }
        if (!SignatureChecker.isValidSignatureNow(publisher, hashQuote(quote), signature)) {
            revert SignedQuote_InvalidSignature(marketId, publisher);
        }
        // Both fit: priceX18 <= type(uint128).max and observedAt <= block.timestamp < 2^64 were checked.
        stored.priceX18 = uint128(quote.priceX18);
        stored.observedAt = uint64(quote.observedAt);
        emit QuoteSubmitted(marketId, publisher, quote.priceX18, quote.observedAt);
    }

    /// @dev The prices of current publishers' quotes that are fresh and observed since the publisher
    /// was (last) added, in `pricesX18[0 .. count)`, and the oldest such observation time.
    function _freshQuotes(
        bytes32 marketId,
        uint256 maxAge
    ) private view returns (uint256[] memory pricesX18, uint256 count, uint256 oldestObservedAt) {
        uint256 publisherCount = _publishers.length;
        pricesX18 = new uint256[](publisherCount);
        oldestObservedAt = type(uint256).max;
        for (uint256 i = 0; i < publisherCount; ++i) {
            Publisher memory publisher = _publishers[i];
            StoredQuote memory quote = _quotes[marketId][publisher.account];
            // `activeSince >= 1` excludes "no quote" (observedAt 0); quotes are never in the future.
            if (quote.observedAt < publisher.activeSince || block.timestamp - quote.observedAt > maxAge)
                continue;
            pricesX18[count++] = quote.priceX18;
            if (quote.observedAt < oldestObservedAt) oldestObservedAt = quote.observedAt;
        }
    }

    /// @dev Insertion sort of `values[0 .. count)`; count <= SIGNED_QUOTE_MAX_PUBLISHERS (16).
    function _sortAscending(uint256[] memory values, uint256 count) private pure {
        for (uint256 i = 1; i < count; ++i) {
            uint256 value = values[i];
            uint256 j = i;
            while (j > 0 && values[j - 1] > value) {
                values[j] = values[j - 1];
                --j;
            }
            values[j] = value;
        }
    }
}
