// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {console} from "hardhat/console.sol";

import {PriceObservation} from "../../contracts/interfaces/IPriceSource.sol";
import {ISignedQuoteSource, PriceQuote, StoredQuote} from "../../contracts/interfaces/ISignedQuoteSource.sol";
import {Constants} from "../../contracts/libraries/Constants.sol";
import {MockERC1271Wallet} from "../../contracts/mocks/MockERC1271Wallet.sol";
import {SignedQuoteSource} from "../../contracts/oracles/SignedQuoteSource.sol";
import {Test} from "../utils/Test.sol";

contract SignedQuoteSourceTest is Test {
    bytes32 internal constant AAPL = bytes32("AAPL-USD");
    bytes32 internal constant TSLA = bytes32("TSLA-USD");
    bytes32 internal constant ADMIN_ROLE = 0x00;
    uint256 internal constant NOW = 1_767_225_600; // 2026-01-01 00:00:00 UTC
    uint256 internal constant MAX_AGE = 300;
    uint256 internal constant K = 3;
    uint256 internal constant PUBLISHERS = 5;

    SignedQuoteSource internal source;
    address internal admin;
    address internal guardian;
    address internal relayer;
    address[PUBLISHERS] internal publisher;
    uint256[PUBLISHERS] internal publisherKey;

    function setUp() public {
        vm.warp(NOW - 1 hours); // publishers join an hour before the tests' quotes

        admin = makeAddr("timelock");
        guardian = makeAddr("guardian");
        relayer = makeAddr("relayer");
        source = new SignedQuoteSource(admin, guardian);
        vm.startPrank(admin);
        for (uint256 i = 0; i < PUBLISHERS; ++i) {
            (publisher[i], publisherKey[i]) = makeAddrAndKey(string.concat("publisher", vm.toString(i)));
            source.addPublisher(publisher[i]);
        }
        source.setMinQuotes(AAPL, K);
        vm.stopPrank();
        vm.warp(NOW);
    }

    // ================================================================== helpers

    function _quote(
        uint256 i,
        uint256 priceX18,
        uint256 observedAt
    ) internal view returns (PriceQuote memory) {
        return
            PriceQuote({marketId: AAPL, priceX18: priceX18, observedAt: observedAt, publisher: publisher[i]});
    }

    function _sign(uint256 key, PriceQuote memory quote) internal view returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, source.hashQuote(quote));
        return abi.encodePacked(r, s, v);
    }

    function _submitOne(PriceQuote memory quote, bytes memory signature) internal {
        PriceQuote[] memory quotes = new PriceQuote[](1);
        bytes[] memory signatures = new bytes[](1);
        quotes[0] = quote;
        signatures[0] = signature;
        vm.prank(relayer);
        source.submitQuotes(quotes, signatures);
    }

    /// @dev Publisher `i` quotes `pricesX18[i]`, observed `ages[i]` seconds ago, all in one batch.
    function _submitPrices(uint256[] memory pricesX18, uint256[] memory ages) internal {
        PriceQuote[] memory quotes = new PriceQuote[](pricesX18.length);
        bytes[] memory signatures = new bytes[](pricesX18.length);
        for (uint256 i = 0; i < pricesX18.length; ++i) {
            quotes[i] = _quote(i, pricesX18[i], block.timestamp - ages[i]);
            signatures[i] = _sign(publisherKey[i], quotes[i]);
        }
        vm.prank(relayer);
        source.submitQuotes(quotes, signatures);
    }

    function _three(uint256 a, uint256 b, uint256 c) internal pure returns (uint256[] memory values) {
        values = new uint256[](3);
        (values[0], values[1], values[2]) = (a, b, c);
    }

    function _four(
        uint256 a,
        uint256 b,
        uint256 c,
        uint256 d
    ) internal pure returns (uint256[] memory values) {
        values = new uint256[](4);
        (values[0], values[1], values[2], values[3]) = (a, b, c, d);
    }

    function _expectRevert(bytes memory revertData) internal {
        vm.expectRevert(revertData);
    }

    // ================================================================== submitQuotes

    function test_submitQuotes_StoresLatestQuoteAndEmits() public {
        PriceQuote memory quote = _quote(0, 201.25e18, NOW - 2);
        vm.expectEmit(true, true, false, true, address(source));
        emit ISignedQuoteSource.QuoteSubmitted(AAPL, publisher[0], 201.25e18, NOW - 2);
        _submitOne(quote, _sign(publisherKey[0], quote));
        StoredQuote memory stored = source.latestQuote(AAPL, publisher[0]);
        assertEq(uint256(stored.priceX18), 201.25e18, "price");
        assertEq(uint256(stored.observedAt), NOW - 2, "observedAt");
    }

    function test_submitQuotes_AcceptsNewerQuoteFromSamePublisher() public {
        PriceQuote memory first = _quote(0, 201e18, NOW - 10);
        _submitOne(first, _sign(publisherKey[0], first));
        PriceQuote memory second = _quote(0, 202e18, NOW - 9);
        _submitOne(second, _sign(publisherKey[0], second));
        assertEq(uint256(source.latestQuote(AAPL, publisher[0]).priceX18), 202e18, "replaced");
    }

    function test_submitQuotes_AcceptsErc1271Publisher() public {
        (address owner, uint256 ownerKey) = makeAddrAndKey("wallet owner");
        MockERC1271Wallet wallet = new MockERC1271Wallet(owner);
        vm.prank(admin);
        source.addPublisher(address(wallet));
        PriceQuote memory quote = PriceQuote(AAPL, 201e18, NOW, address(wallet));
        _submitOne(quote, _sign(ownerKey, quote));
        assertEq(
            uint256(source.latestQuote(AAPL, address(wallet)).priceX18),
            201e18,
            "contract wallet quote"
        );
    }

    function test_submitQuotes_RevertIf_Erc1271WalletRejects() public {
        (address owner, ) = makeAddrAndKey("wallet owner");
        MockERC1271Wallet wallet = new MockERC1271Wallet(owner);
        vm.prank(admin);
        source.addPublisher(address(wallet));
        PriceQuote memory quote = PriceQuote(AAPL, 201e18, NOW, address(wallet));
        bytes memory signature = _sign(publisherKey[0], quote); // not the wallet owner's key
        _expectRevert(
            abi.encodeWithSelector(
                ISignedQuoteSource.SignedQuote_InvalidSignature.selector,
                AAPL,
                address(wallet)
            )
        );
        _submitOne(quote, signature);
    }

    function test_submitQuotes_RevertIf_LengthMismatch() public {
        _expectRevert(abi.encodeWithSelector(ISignedQuoteSource.SignedQuote_LengthMismatch.selector, 1, 0));
        source.submitQuotes(new PriceQuote[](1), new bytes[](0));
    }

    function test_submitQuotes_RevertIf_MarketNotConfigured() public {
        PriceQuote memory quote = _quote(0, 400e18, NOW);
        quote.marketId = TSLA;
        bytes memory signature = _sign(publisherKey[0], quote);
        _expectRevert(
            abi.encodeWithSelector(ISignedQuoteSource.SignedQuote_MarketNotConfigured.selector, TSLA)
        );
        _submitOne(quote, signature);
    }

    function test_submitQuotes_RevertIf_UnknownPublisher() public {
        (address outsider, uint256 outsiderKey) = makeAddrAndKey("outsider");
        PriceQuote memory quote = PriceQuote(AAPL, 201e18, NOW, outsider);
        bytes memory signature = _sign(outsiderKey, quote);
        _expectRevert(
            abi.encodeWithSelector(ISignedQuoteSource.SignedQuote_UnknownPublisher.selector, outsider)
        );
        _submitOne(quote, signature);
    }

    function test_submitQuotes_RevertIf_ZeroPrice() public {
        PriceQuote memory quote = _quote(0, 0, NOW);
        bytes memory signature = _sign(publisherKey[0], quote);
        _expectRevert(
            abi.encodeWithSelector(ISignedQuoteSource.SignedQuote_ZeroPrice.selector, AAPL, publisher[0])
        );
        _submitOne(quote, signature);
    }

    function test_submitQuotes_RevertIf_PriceOutOfRange() public {
        uint256 tooLarge = uint256(type(uint128).max) + 1;
        PriceQuote memory quote = _quote(0, tooLarge, NOW);
        bytes memory signature = _sign(publisherKey[0], quote);
        _expectRevert(
            abi.encodeWithSelector(
                ISignedQuoteSource.SignedQuote_PriceOutOfRange.selector,
                AAPL,
                publisher[0],
                tooLarge
            )
        );
        _submitOne(quote, signature);
    }

    function test_submitQuotes_RevertIf_ObservedInFuture() public {
        PriceQuote memory quote = _quote(0, 201e18, NOW + 1);
        bytes memory signature = _sign(publisherKey[0], quote);
        _expectRevert(
            abi.encodeWithSelector(
                ISignedQuoteSource.SignedQuote_ObservedInFuture.selector,
                AAPL,
                publisher[0],
                NOW + 1,
                NOW
            )
        );
        _submitOne(quote, signature);
    }

    function test_submitQuotes_RevertIf_Replayed() public {
        PriceQuote memory quote = _quote(0, 201e18, NOW - 5);
        bytes memory signature = _sign(publisherKey[0], quote);
        _submitOne(quote, signature);
        _expectRevert(
            abi.encodeWithSelector(
                ISignedQuoteSource.SignedQuote_QuoteNotNewer.selector,
                AAPL,
                publisher[0],
                NOW - 5,
                NOW - 5
            )
        );
        _submitOne(quote, signature);
    }

    function test_submitQuotes_RevertIf_OlderThanStored() public {
        PriceQuote memory newer = _quote(0, 201e18, NOW - 5);
        _submitOne(newer, _sign(publisherKey[0], newer));
        PriceQuote memory older = _quote(0, 150e18, NOW - 6);
        bytes memory signature = _sign(publisherKey[0], older);
        _expectRevert(
            abi.encodeWithSelector(
                ISignedQuoteSource.SignedQuote_QuoteNotNewer.selector,
                AAPL,
                publisher[0],
                NOW - 6,
                NOW - 5
            )
        );
        _submitOne(older, signature);
    }

    function test_submitQuotes_RevertIf_SignedByAnotherKey() public {
        PriceQuote memory quote = _quote(0, 201e18, NOW);
        bytes memory signature = _sign(publisherKey[1], quote); // publisher 1 signs as publisher 0
        _expectRevert(
            abi.encodeWithSelector(
                ISignedQuoteSource.SignedQuote_InvalidSignature.selector,
                AAPL,
                publisher[0]
            )
        );
        _submitOne(quote, signature);
    }

    function test_submitQuotes_RevertIf_FieldChangedAfterSigning() public {
        PriceQuote memory quote = _quote(0, 201e18, NOW);
        bytes memory signature = _sign(publisherKey[0], quote);
        quote.priceX18 = 250e18;
        _expectRevert(
            abi.encodeWithSelector(
                ISignedQuoteSource.SignedQuote_InvalidSignature.selector,
                AAPL,
                publisher[0]
            )
        );
        _submitOne(quote, signature);
    }

    function test_submitQuotes_RevertIf_SignedForAnotherChain() public {
        PriceQuote memory quote = _quote(0, 201e18, NOW);
        uint256 chainId = block.chainid;
        vm.chainId(chainId + 1);
        bytes memory signature = _sign(publisherKey[0], quote);
        vm.chainId(chainId);
        _expectRevert(
            abi.encodeWithSelector(
                ISignedQuoteSource.SignedQuote_InvalidSignature.selector,
                AAPL,
                publisher[0]
            )
        );
        _submitOne(quote, signature);
    }

    function test_submitQuotes_RevertIf_SignedForAnotherContract() public {
        SignedQuoteSource other = new SignedQuoteSource(admin, guardian);
        PriceQuote memory quote = _quote(0, 201e18, NOW);
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(publisherKey[0], other.hashQuote(quote));
        _expectRevert(
            abi.encodeWithSelector(
                ISignedQuoteSource.SignedQuote_InvalidSignature.selector,
                AAPL,
                publisher[0]
            )
        );
        _submitOne(quote, abi.encodePacked(r, s, v));
    }

    function test_submitQuotes_RevertIf_AnyQuoteInBatchIsBad() public {
        PriceQuote[] memory quotes = new PriceQuote[](2);
        bytes[] memory signatures = new bytes[](2);
        quotes[0] = _quote(0, 201e18, NOW);
        signatures[0] = _sign(publisherKey[0], quotes[0]);
        quotes[1] = _quote(1, 0, NOW);
        signatures[1] = _sign(publisherKey[1], quotes[1]);
        _expectRevert(
            abi.encodeWithSelector(ISignedQuoteSource.SignedQuote_ZeroPrice.selector, AAPL, publisher[1])
        );
        source.submitQuotes(quotes, signatures);
        assertEq(uint256(source.latestQuote(AAPL, publisher[0]).observedAt), 0, "nothing stored");
    }

    function test_hashQuote_IsEip712TypedDataHash() public view {
        PriceQuote memory quote = _quote(2, 201.25e18, NOW - 1);
        bytes32 domainSeparator = keccak256(
            abi.encode(
                keccak256(
                    "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
                ),
                keccak256("Sundial Signed Quotes"),
                keccak256("1"),
                block.chainid,
                address(source)
            )
        );
        bytes32 structHash = keccak256(
            abi.encode(
                keccak256(
                    "PriceQuote(bytes32 marketId,uint256 priceX18,uint256 observedAt,address publisher)"
                ),
                quote.marketId,
                quote.priceX18,
                quote.observedAt,
                quote.publisher
            )
        );
        bytes32 expected = keccak256(abi.encodePacked("\x19\x01", domainSeparator, structHash));
        assertEq(source.hashQuote(quote), expected, "EIP-712 digest");
        assertEq(
            source.QUOTE_TYPEHASH(),
            keccak256("PriceQuote(bytes32 marketId,uint256 priceX18,uint256 observedAt,address publisher)"),
            "typehash"
        );
    }

    // ================================================================== latestPrice

    function test_latestPrice_MedianOfOddCount() public {
        _submitPrices(_three(202e18, 200e18, 201e18), _three(4, 2, 9));
        PriceObservation memory observation = source.latestPrice(AAPL, MAX_AGE);
        assertEq(observation.priceX18, 201e18, "median");
        assertEq(observation.observedAt, NOW - 9, "oldest quote used");
        assertEq(observation.confidenceX18, 1e18, "half of the 2e18 range");
    }

    function test_latestPrice_MedianOfEvenCountRoundsDownAndConfidenceUp() public {
        _submitPrices(_four(205e18, 201e18, 200e18, 202e18 + 2), _four(1, 1, 1, 1));
        PriceObservation memory observation = source.latestPrice(AAPL, MAX_AGE);
        assertEq(observation.priceX18, 201.5e18 + 1, "mean of 201e18 and 202e18 + 2");
        _submitPrices(_four(205e18 + 1, 201e18, 200e18, 202e18 + 1), _four(0, 0, 0, 0));
        observation = source.latestPrice(AAPL, MAX_AGE);
        assertEq(observation.priceX18, 201.5e18, "(201e18 + 202e18 + 1) / 2 rounds down");
        assertEq(observation.confidenceX18, 2.5e18 + 1, "ceil((5e18 + 1) / 2)");
    }

    function test_latestPrice_OneOutlierCannotMoveTheMedian() public {
        _submitPrices(_three(201e18, 1e18, 202e18), _three(0, 0, 0));
        assertEq(source.latestPrice(AAPL, MAX_AGE).priceX18, 201e18, "low outlier");
        vm.warp(NOW + 1);
        _submitPrices(_three(201e18, 1_000_000e18, 202e18), _three(0, 0, 0));
        assertEq(source.latestPrice(AAPL, MAX_AGE).priceX18, 202e18, "high outlier");
    }

    function test_latestPrice_SkipsStaleQuotes() public {
        _submitPrices(_four(200e18, 201e18, 202e18, 500e18), _four(10, 10, 10, MAX_AGE + 1));
        PriceObservation memory observation = source.latestPrice(AAPL, MAX_AGE);
        assertEq(observation.priceX18, 201e18, "stale 500 ignored");
        assertEq(observation.confidenceX18, 1e18, "range of fresh quotes only");
    }

    function test_latestPrice_AcceptsAgeEqualToMaxAge() public {
        _submitPrices(_three(200e18, 201e18, 202e18), _three(MAX_AGE, MAX_AGE, MAX_AGE));
        assertEq(source.latestPrice(AAPL, MAX_AGE).observedAt, NOW - MAX_AGE, "age == maxAge is fresh");
    }

    function test_latestPrice_RevertIf_TooFewFreshQuotes() public {
        _submitPrices(_three(200e18, 201e18, 202e18), _three(0, 0, MAX_AGE + 1));
        _expectRevert(
            abi.encodeWithSelector(ISignedQuoteSource.SignedQuote_NotEnoughQuotes.selector, AAPL, 2, K)
        );
        source.latestPrice(AAPL, MAX_AGE);
    }

    function test_latestPrice_RevertIf_NoQuotes() public {
        _expectRevert(
            abi.encodeWithSelector(ISignedQuoteSource.SignedQuote_NotEnoughQuotes.selector, AAPL, 0, K)
        );
        source.latestPrice(AAPL, MAX_AGE);
    }

    function test_latestPrice_RevertIf_MarketNotConfigured() public {
        _expectRevert(
            abi.encodeWithSelector(ISignedQuoteSource.SignedQuote_MarketNotConfigured.selector, TSLA)
        );
        source.latestPrice(TSLA, MAX_AGE);
    }

    function test_latestPrice_ExcludesRemovedPublisher() public {
        _submitPrices(_three(200e18, 201e18, 202e18), _three(0, 0, 0));
        vm.prank(guardian);
        source.removePublisher(publisher[2]);
        _expectRevert(
            abi.encodeWithSelector(ISignedQuoteSource.SignedQuote_NotEnoughQuotes.selector, AAPL, 2, K)
        );
        source.latestPrice(AAPL, MAX_AGE);
    }

    function test_latestPrice_IgnoresQuotesFromBeforeReAdding() public {
        _submitPrices(_three(200e18, 201e18, 900e18), _three(0, 0, 0));
        vm.startPrank(admin);
        source.removePublisher(publisher[2]);
        vm.warp(NOW + 1);
        source.addPublisher(publisher[2]); // appended again, active since NOW + 1
        vm.stopPrank();
        _expectRevert(
            abi.encodeWithSelector(ISignedQuoteSource.SignedQuote_NotEnoughQuotes.selector, AAPL, 2, K)
        );
        source.latestPrice(AAPL, MAX_AGE);
        PriceQuote memory quote = _quote(2, 202e18, NOW + 1);
        _submitOne(quote, _sign(publisherKey[2], quote));
        assertEq(source.latestPrice(AAPL, MAX_AGE).priceX18, 201e18, "fresh quote after re-adding counts");
    }

    /// @dev Reference median: selection by counting (independent of the contract's insertion sort).
    function _referenceMedian(uint256[] memory values) internal pure returns (uint256) {
        uint256 n = values.length;
        uint256 lower;
        uint256 upper;
        for (uint256 i = 0; i < n; ++i) {
            uint256 less;
            uint256 equal;
            for (uint256 j = 0; j < n; ++j) {
                if (values[j] < values[i]) ++less;
                else if (values[j] == values[i]) ++equal;
            }
            // values[i] occupies sorted positions [less, less + equal).
            if (less <= (n - 1) / 2 && (n - 1) / 2 < less + equal) lower = values[i];
            if (less <= n / 2 && n / 2 < less + equal) upper = values[i];
        }
        return lower / 2 + upper / 2 + ((lower % 2) + (upper % 2)) / 2;
    }

    function testFuzz_latestPrice_MedianMatchesReference(
        uint256[PUBLISHERS] memory seeds,
        uint8 count
    ) public {
        count = uint8(bound(count, K, PUBLISHERS));
        uint256[] memory pricesX18 = new uint256[](count);
        uint256[] memory ages = new uint256[](count);
        uint256 lowest = type(uint256).max;
        uint256 highest;
        for (uint256 i = 0; i < count; ++i) {
            pricesX18[i] = bound(seeds[i], 1, type(uint128).max);
            if (pricesX18[i] < lowest) lowest = pricesX18[i];
            if (pricesX18[i] > highest) highest = pricesX18[i];
        }
        _submitPrices(pricesX18, ages);
        PriceObservation memory observation = source.latestPrice(AAPL, MAX_AGE);
        assertEq(observation.priceX18, _referenceMedian(pricesX18), "median");
        assertEq(observation.confidenceX18, (highest - lowest + 1) / 2, "half range, rounded up");
        assertGe(observation.priceX18, lowest, "within range");
        assertLe(observation.priceX18, highest, "within range");
    }

    // ================================================================== governance

    function test_constructor_GrantsRoles() public {
        assertTrue(source.hasRole(ADMIN_ROLE, admin), "admin");
        assertTrue(source.hasRole(source.GUARDIAN_ROLE(), guardian), "guardian");
        SignedQuoteSource noGuardian = new SignedQuoteSource(admin, address(0));
        assertFalse(noGuardian.hasRole(noGuardian.GUARDIAN_ROLE(), address(0)), "no guardian");
    }

    function test_constructor_RevertIf_ZeroAdmin() public {
        _expectRevert(abi.encodeWithSelector(ISignedQuoteSource.SignedQuote_ZeroAddress.selector));
        new SignedQuoteSource(address(0), guardian);
    }

    function test_addPublisher_AddsAndEmits() public {
        address newcomer = makeAddr("newcomer");
        vm.expectEmit(true, false, false, false, address(source));
        emit ISignedQuoteSource.PublisherAdded(newcomer);
        vm.prank(admin);
        source.addPublisher(newcomer);
        assertTrue(source.isPublisher(newcomer), "added");
        assertEq(source.publishers().length, PUBLISHERS + 1, "listed");
    }

    function test_addPublisher_RevertIf_NotAdmin() public {
        _expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector,
                guardian,
                ADMIN_ROLE
            )
        );
        vm.prank(guardian);
        source.addPublisher(makeAddr("newcomer"));
    }

    function test_addPublisher_RevertIf_ZeroAddress() public {
        _expectRevert(abi.encodeWithSelector(ISignedQuoteSource.SignedQuote_ZeroAddress.selector));
        vm.prank(admin);
        source.addPublisher(address(0));
    }

    function test_addPublisher_RevertIf_AlreadyAdded() public {
        _expectRevert(
            abi.encodeWithSelector(
                ISignedQuoteSource.SignedQuote_PublisherAlreadyAdded.selector,
                publisher[0]
            )
        );
        vm.prank(admin);
        source.addPublisher(publisher[0]);
    }

    function test_addPublisher_RevertIf_TooMany() public {
        uint256 max = Constants.SIGNED_QUOTE_MAX_PUBLISHERS;
        vm.startPrank(admin);
        for (uint256 i = PUBLISHERS; i < max; ++i) {
            source.addPublisher(makeAddr(string.concat("extra", vm.toString(i))));
        }
        _expectRevert(abi.encodeWithSelector(ISignedQuoteSource.SignedQuote_TooManyPublishers.selector, max));
        source.addPublisher(makeAddr("one too many"));
        vm.stopPrank();
    }

    function test_removePublisher_ByAdminSwapsAndPops() public {
        vm.expectEmit(true, true, false, false, address(source));
        emit ISignedQuoteSource.PublisherRemoved(publisher[1], admin);
        vm.prank(admin);
        source.removePublisher(publisher[1]);
        address[] memory remaining = source.publishers();
        assertEq(remaining.length, PUBLISHERS - 1, "one fewer");
        assertEq(remaining[1], publisher[PUBLISHERS - 1], "last moved into the gap");
        assertFalse(source.isPublisher(publisher[1]), "removed");
        // The moved publisher is still removable (its slot was updated).
        vm.prank(admin);
        source.removePublisher(publisher[PUBLISHERS - 1]);
        assertEq(source.publishers().length, PUBLISHERS - 2, "moved one removed");
    }

    function test_removePublisher_ByGuardian() public {
        vm.expectEmit(true, true, false, false, address(source));
        emit ISignedQuoteSource.PublisherRemoved(publisher[0], guardian);
        vm.prank(guardian);
        source.removePublisher(publisher[0]);
        assertFalse(source.isPublisher(publisher[0]), "removed");
    }

    function test_removePublisher_RevertIf_NeitherAdminNorGuardian() public {
        bytes32 guardianRole = source.GUARDIAN_ROLE();
        _expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector,
                relayer,
                guardianRole
            )
        );
        vm.prank(relayer);
        source.removePublisher(publisher[0]);
    }

    function test_removePublisher_RevertIf_NotFound() public {
        _expectRevert(
            abi.encodeWithSelector(ISignedQuoteSource.SignedQuote_PublisherNotFound.selector, relayer)
        );
        vm.prank(admin);
        source.removePublisher(relayer);
    }

    function test_setMinQuotes_SetsWithinBoundsAndDisables() public {
        uint256 max = Constants.SIGNED_QUOTE_MAX_PUBLISHERS;
        vm.expectEmit(true, false, false, true, address(source));
        emit ISignedQuoteSource.MinQuotesSet(TSLA, 0, max);
        vm.prank(admin);
        source.setMinQuotes(TSLA, max);
        assertEq(source.minQuotesOf(TSLA), max, "upper bound inclusive");

        vm.expectEmit(true, false, false, true, address(source));
        emit ISignedQuoteSource.MinQuotesSet(AAPL, K, 0);
        vm.prank(admin);
        source.setMinQuotes(AAPL, 0);
        _expectRevert(
            abi.encodeWithSelector(ISignedQuoteSource.SignedQuote_MarketNotConfigured.selector, AAPL)
        );
        source.latestPrice(AAPL, MAX_AGE);
    }

    function test_setMinQuotes_RevertIf_OutOfRange() public {
        uint256 min = Constants.SIGNED_QUOTE_MIN_QUORUM;
        uint256 max = Constants.SIGNED_QUOTE_MAX_PUBLISHERS;
        vm.startPrank(admin);
        _expectRevert(
            abi.encodeWithSelector(
                ISignedQuoteSource.SignedQuote_MinQuotesOutOfRange.selector,
                min - 1,
                min,
                max
            )
        );
        source.setMinQuotes(TSLA, min - 1);
        _expectRevert(
            abi.encodeWithSelector(
                ISignedQuoteSource.SignedQuote_MinQuotesOutOfRange.selector,
                max + 1,
                min,
                max
            )
        );
        source.setMinQuotes(TSLA, max + 1);
        vm.stopPrank();
    }

    function test_setMinQuotes_RevertIf_NotAdmin() public {
        _expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector,
                guardian,
                ADMIN_ROLE
            )
        );
        vm.prank(guardian);
        source.setMinQuotes(TSLA, K);
    }

    // ================================================================== gas

    /// @dev See `ChainlinkDataStreamsSourceTest.test_gas_submitReportAndLatestPrice` for the method.
    function test_gas_submitQuotesAndLatestPrice() public {
        PriceQuote[] memory quotes = new PriceQuote[](3);
        bytes[] memory signatures = new bytes[](3);
        for (uint256 i = 0; i < 3; ++i) {
            quotes[i] = _quote(i, 200e18 + i * 1e18, NOW);
            signatures[i] = _sign(publisherKey[i], quotes[i]);
        }
        uint256 before = gasleft();
        source.submitQuotes(quotes, signatures);
        uint256 submitThreeGas = before - gasleft();

        before = gasleft();
        source.latestPrice(AAPL, MAX_AGE);
        uint256 readFiveGas = before - gasleft();

        // Worst case: the full allow-list of 16 publishers, all fresh.
        uint256 max = Constants.SIGNED_QUOTE_MAX_PUBLISHERS;
        PriceQuote[] memory more = new PriceQuote[](max - 3);
        bytes[] memory moreSignatures = new bytes[](max - 3);
        for (uint256 i = 3; i < max; ++i) {
            (address account, uint256 key) = makeAddrAndKey(string.concat("gas publisher", vm.toString(i)));
            if (i >= PUBLISHERS) {
                vm.prank(admin);
                source.addPublisher(account);
            } else {
                (account, key) = (publisher[i], publisherKey[i]);
            }
            more[i - 3] = PriceQuote(AAPL, 300e18 - i * 1e18, NOW, account);
            moreSignatures[i - 3] = _sign(key, more[i - 3]);
        }
        source.submitQuotes(more, moreSignatures);
        before = gasleft();
        source.latestPrice(AAPL, MAX_AGE);
        uint256 readSixteenGas = before - gasleft();

        console.log("SignedQuoteSource.submitQuotes(3)", submitThreeGas);
        console.log(
            "SignedQuoteSource.latestPrice 5 publishers / 16 publishers",
            readFiveGas,
            readSixteenGas
        );
        assertLe(submitThreeGas, 170_000, "submitQuotes, 3 quotes");
        assertLe(readFiveGas, 40_000, "latestPrice, 5 publishers");
        assertLe(readSixteenGas, 150_000, "latestPrice, 16 publishers");
    }
}
