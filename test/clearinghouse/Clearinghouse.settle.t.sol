// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ClearinghouseTestBase} from "./ClearinghouseTestBase.sol";
import {IClearinghouse} from "../../contracts/interfaces/IClearinghouse.sol";
import {AccountHealth, Position} from "../../contracts/types/Market.sol";
import {Match} from "../../contracts/types/Clearinghouse.sol";
import {Order} from "../../contracts/types/Order.sol";
import {RiskParamsLib} from "../../contracts/libraries/RiskParamsLib.sol";
import {MarketStatus, SessionRiskParams} from "../../contracts/types/Market.sol";
import {MarketState} from "../../contracts/types/Oracle.sol";
import {Session} from "../../contracts/types/Session.sol";
import {SkipReason} from "../../contracts/types/Clearinghouse.sol";

contract ClearinghouseSettleTest is ClearinghouseTestBase {
    function test_settleMatches_OpensBothPositions() public {
        assertEq(_trade(alice, bob, 10e18, PRICE), 1);
        Position memory a = ch.position(_account(alice), AAPL);
        Position memory b = ch.position(_account(bob), AAPL);
        assertEq(a.sizeX18, -10e18);
        assertEq(b.sizeX18, 10e18);
        assertEq(a.openNotionalX18, -1_000e18);
        assertEq(b.openNotionalX18, 1_000e18);
        // Regular session: maker 0 bps, taker 4 bps of $1,000 = $0.40.
        assertEq(vault.feeTreasuryX18(), 0.4e18);
        assertEq(vault.collateralX18(_account(bob)), 100_000e18 - 0.4e18);
        assertEq(vault.collateralX18(_account(alice)), 100_000e18);
        (uint256 longX18, uint256 shortX18, ) = ch.openInterest(AAPL);
        assertEq(longX18, 10e18);
        assertEq(shortX18, 10e18);
        assertEq(oracle.recordTradeCalls(), 1);
        assertEq(oracle.lastTradePriceX18(), PRICE);
        assertEq(oracle.lastTradeNotionalX18(), 1_000e18);
        _assertIdentity();
    }

    /// The batch's account index lives in transient storage under a per-batch seed: a second batch in
    /// the same transaction (this whole test) must not see the first batch's indices (bob was index 1,
    /// now carol is 0).
    function test_settleMatches_ClearsBatchAccountIndexBetweenBatches() public {
        assertEq(_trade(alice, bob, 10e18, PRICE), 1);
        assertEq(_trade(carol, bob, 10e18, PRICE), 1);
        assertEq(ch.position(_account(bob), AAPL).sizeX18, 20e18);
        // Two taker fees of $0.40 each, both booked to bob.
        assertEq(vault.collateralX18(_account(bob)), 100_000e18 - 0.8e18);
        assertEq(vault.collateralX18(_account(carol)), 100_000e18);
        _assertIdentity();
    }
}

contract ClearinghouseSkipTest is ClearinghouseTestBase {
    function _pair(
        uint256 sizeX18,
        uint256 priceX18
    ) internal returns (Order memory maker, Order memory taker) {
        maker = _order(alice, AAPL, false, sizeX18, priceX18);
        taker = _order(bob, AAPL, true, sizeX18, priceX18);
    }

    function test_settleMatches_SkipsMarketMismatch() public {
        (Order memory maker, Order memory taker) = _pair(1e18, PRICE);
        taker.marketId = TSLA;
        _expectSkip(_match(maker, taker, 1e18), SkipReason.MARKET_MISMATCH);
    }

    function test_settleMatches_SkipsSameSide() public {
        (Order memory maker, Order memory taker) = _pair(1e18, PRICE);
        maker.isBuy = true;
        _expectSkip(_match(maker, taker, 1e18), SkipReason.SAME_SIDE);
    }

    function test_settleMatches_SkipsSelfTrade() public {
        (Order memory maker, Order memory taker) = _pair(1e18, PRICE);
        taker.owner = alice;
        taker.signer = alice;
        _expectSkip(_match(maker, taker, 1e18), SkipReason.SELF_TRADE);
    }

    function test_settleMatches_SkipsUnknownMarket() public {
        (Order memory maker, Order memory taker) = _pair(1e18, PRICE);
        maker.marketId = TSLA;
        taker.marketId = TSLA;
        _expectSkip(_match(maker, taker, 1e18), SkipReason.UNKNOWN_MARKET);
    }

    function test_settleMatches_SkipsMarketListedInOracleOnly() public {
        oracle.list(TSLA, PRICE, 2_000);
        (Order memory maker, Order memory taker) = _pair(1e18, PRICE);
        maker.marketId = TSLA;
        taker.marketId = TSLA;
        _expectSkip(_match(maker, taker, 1e18), SkipReason.UNKNOWN_MARKET);
    }

    function test_settleMatches_SkipsInvalidFillSize() public {
        (Order memory maker, Order memory taker) = _pair(1e18, PRICE);
        _expectSkip(_match(maker, taker, 0), SkipReason.INVALID_FILL_SIZE);
        _expectSkip(_match(maker, taker, 1e15 + 1), SkipReason.INVALID_FILL_SIZE);
    }

    function test_settleMatches_SkipsMakerInvalid() public {
        (Order memory maker, Order memory taker) = _pair(1e18, PRICE);
        maker.limitPriceX18 = PRICE + 1e15; // off the one-cent tick
        _expectSkip(_match(maker, taker, 1e18), SkipReason.MAKER_INVALID);
    }

    function test_settleMatches_SkipsTakerInvalid() public {
        (Order memory maker, Order memory taker) = _pair(1e18, PRICE);
        taker.flags = 4; // unknown flag bit
        _expectSkip(_match(maker, taker, 1e18), SkipReason.TAKER_INVALID);
    }

    function test_settleMatches_SkipsTakerPostOnly() public {
        (Order memory maker, Order memory taker) = _pair(1e18, PRICE);
        taker.flags = 2;
        _expectSkip(_match(maker, taker, 1e18), SkipReason.TAKER_POST_ONLY);
    }

    function test_settleMatches_AllowsPostOnlyMaker() public {
        (Order memory maker, Order memory taker) = _pair(1e18, PRICE);
        maker.flags = 2;
        assertEq(_settle(_match(maker, taker, 1e18)), 1);
    }

    function test_settleMatches_SkipsExpiredOrders() public {
        (Order memory maker, Order memory taker) = _pair(1e18, PRICE);
        maker.expiry = uint64(block.timestamp - 1);
        _expectSkip(_match(maker, taker, 1e18), SkipReason.MAKER_EXPIRED);
        maker.expiry = uint64(block.timestamp);
        taker.expiry = uint64(block.timestamp - 1);
        _expectSkip(_match(maker, taker, 1e18), SkipReason.TAKER_EXPIRED);
    }

    function test_settleMatches_SkipsCancelledMaker() public {
        (Order memory maker, Order memory taker) = _pair(1e18, PRICE);
        Order[] memory orders = new Order[](1);
        orders[0] = maker;
        vm.prank(alice);
        ch.cancelOrders(orders);
        _expectSkip(_match(maker, taker, 1e18), SkipReason.MAKER_CANCELLED);
    }

    function test_settleMatches_SkipsTakerBelowNonceFloor() public {
        (Order memory maker, Order memory taker) = _pair(1e18, PRICE);
        vm.prank(bob);
        ch.raiseNonceFloor(bob, taker.nonce + 1);
        _expectSkip(_match(maker, taker, 1e18), SkipReason.TAKER_CANCELLED);
    }

    function test_settleMatches_SkipsInvalidatedNonce() public {
        (Order memory maker, Order memory taker) = _pair(1e18, PRICE);
        vm.prank(bob);
        ch.invalidateNonces(bob, taker.nonce >> 8, 1 << (taker.nonce & 0xff));
        _expectSkip(_match(maker, taker, 1e18), SkipReason.TAKER_CANCELLED);
    }

    function test_settleMatches_SkipsOverfill() public {
        (Order memory maker, Order memory taker) = _pair(1e18, PRICE);
        taker.sizeX18 = 2e18;
        _expectSkip(_match(maker, taker, 2e18), SkipReason.MAKER_OVERFILL);
        maker.sizeX18 = 3e18;
        _expectSkip(_match(maker, taker, 3e18), SkipReason.TAKER_OVERFILL);
    }

    function test_settleMatches_TracksPartialFillsAndCompletesOnce() public {
        (Order memory maker, Order memory taker) = _pair(2e18, PRICE);
        Match memory m = _match(maker, taker, 1e18);
        assertEq(_settle(m), 1);
        assertEq(ch.filledX18(ch.hashOrder(maker)), 1e18);
        assertEq(_settle(m), 1);
        assertTrue(ch.isNonceUsed(alice, maker.nonce));
        assertEq(ch.filledX18(ch.hashOrder(maker)), 0);
        _expectSkip(m, SkipReason.MAKER_CANCELLED); // completed: its nonce is used
    }

    function test_settleMatches_SkipsEpochMismatch() public {
        (Order memory maker, Order memory taker) = _pair(1e18, PRICE);
        maker.epoch = 1;
        _expectSkip(_match(maker, taker, 1e18), SkipReason.MAKER_EPOCH_MISMATCH);
        maker.epoch = 0;
        taker.epoch = 1;
        _expectSkip(_match(maker, taker, 1e18), SkipReason.TAKER_EPOCH_MISMATCH);
    }

    function test_settleMatches_SkipsOrdersSignedBeforeASplit() public {
        (Order memory maker, Order memory taker) = _pair(1e18, PRICE);
        oracle.split(AAPL, 2, 1);
        _expectSkip(_match(maker, taker, 1e18), SkipReason.MAKER_EPOCH_MISMATCH);
    }

    function test_settleMatches_SkipsTakerLimitPrice() public {
        (Order memory maker, Order memory taker) = _pair(1e18, PRICE);
        taker.limitPriceX18 = PRICE - 1e16;
        _expectSkip(_match(maker, taker, 1e18), SkipReason.TAKER_LIMIT_PRICE);
    }

    function test_settleMatches_SkipsSettledMarket() public {
        (Order memory maker, Order memory taker) = _pair(1e18, PRICE);
        oracle.setState(AAPL, MarketState.SETTLED, Session.REGULAR);
        _expectSkip(_match(maker, taker, 1e18), SkipReason.MARKET_SETTLED);
    }

    function test_settleMatches_SkipsHaltedMarket() public {
        (Order memory maker, Order memory taker) = _pair(1e18, PRICE);
        vm.prank(riskManager);
        registry.setMarketStatus(AAPL, MarketStatus.HALTED);
        _expectSkip(_match(maker, taker, 1e18), SkipReason.MARKET_HALTED);
    }

    function test_settleMatches_SkipsOracleHalted() public {
        (Order memory maker, Order memory taker) = _pair(1e18, PRICE);
        oracle.setState(AAPL, MarketState.HALTED, Session.REGULAR);
        _expectSkip(_match(maker, taker, 1e18), SkipReason.MARKET_HALTED);
    }

    function test_settleMatches_SkipsPriceOutsideFillBand() public {
        // Regular session band: 5 % around the mark.
        (Order memory maker, Order memory taker) = _pair(1e18, 105.01e18);
        _expectSkip(_match(maker, taker, 1e18), SkipReason.PRICE_OUTSIDE_FILL_BAND);
        (maker, taker) = _pair(1e18, 105e18);
        assertEq(_settle(_match(maker, taker, 1e18)), 1);
    }

    function test_settleMatches_SkipsPriceOutsideOracleBand() public {
        oracle.setBand(AAPL, 99e18, 101e18);
        (Order memory maker, Order memory taker) = _pair(1e18, 102e18);
        _expectSkip(_match(maker, taker, 1e18), SkipReason.PRICE_OUTSIDE_ORACLE_BAND);
    }

    function test_settleMatches_SkipsBadSignatures() public {
        (Order memory maker, Order memory taker) = _pair(1e18, PRICE);
        Match memory m = _match(maker, taker, 1e18);
        m.makerSignature = _sign(maker, bobKey);
        _expectSkip(m, SkipReason.MAKER_SIGNATURE);
        // A signer that is not the owner's operator.
        taker.signer = carol;
        _expectSkip(_match(maker, taker, 1e18), SkipReason.TAKER_SIGNATURE);
    }

    function test_settleMatches_AcceptsOperatorSignature() public {
        vm.prank(bob);
        vault.setOperator(carol, true);
        (Order memory maker, Order memory taker) = _pair(1e18, PRICE);
        taker.signer = carol;
        assertEq(_settle(_match(maker, taker, 1e18)), 1);
        assertEq(ch.position(_account(bob), AAPL).sizeX18, 1e18);
    }

    function test_settleMatches_AcceptsKeySignatureOfAnAccountWithCode() public {
        // An EIP-7702 style account: code at an address whose key signs. The ECDSA signature is
        // accepted before the code is looked at (this code, STOP, would fail an ERC-1271 check).
        vm.etch(bob, hex"00");
        (Order memory maker, Order memory taker) = _pair(1e18, PRICE);
        assertEq(_settle(_match(maker, taker, 1e18)), 1);
        assertEq(ch.position(_account(bob), AAPL).sizeX18, 1e18);
    }

    function test_settleMatches_SkipsReduceOnlyOrdersThatGrowRisk() public {
        (Order memory maker, Order memory taker) = _pair(1e18, PRICE);
        maker.flags = 1;
        _expectSkip(_match(maker, taker, 1e18), SkipReason.MAKER_REDUCE_ONLY);
        maker.flags = 0;
        taker.flags = 1;
        _expectSkip(_match(maker, taker, 1e18), SkipReason.TAKER_REDUCE_ONLY);
    }

    function test_settleMatches_ReduceOnlyOrderMayClose() public {
        _trade(alice, bob, 2e18, PRICE); // bob long 2
        Order memory maker = _order(alice, AAPL, true, 2e18, PRICE);
        Order memory taker = _order(bob, AAPL, false, 2e18, PRICE);
        taker.flags = 1;
        assertEq(_settle(_match(maker, taker, 2e18)), 1);
        assertEq(ch.position(_account(bob), AAPL).sizeX18, 0);
        assertEq(ch.accountMarkets(_account(bob)).length, 0);
        _assertIdentity();
    }

    function test_settleMatches_SkipsGrowthInReduceOnlyMarket() public {
        vm.prank(riskManager);
        registry.setMarketStatus(AAPL, MarketStatus.REDUCE_ONLY);
        (Order memory maker, Order memory taker) = _pair(1e18, PRICE);
        _expectSkip(_match(maker, taker, 1e18), SkipReason.MARKET_REDUCE_ONLY);
    }

    function test_settleMatches_SkipsGrowthWhileOracleReopening() public {
        oracle.setState(AAPL, MarketState.REOPENING, Session.REGULAR);
        (Order memory maker, Order memory taker) = _pair(1e18, PRICE);
        _expectSkip(_match(maker, taker, 1e18), SkipReason.MARKET_REDUCE_ONLY);
        oracle.setState(AAPL, MarketState.DEGRADED, Session.REGULAR);
        _expectSkip(_match(maker, taker, 1e18), SkipReason.MARKET_REDUCE_ONLY);
    }

    function test_settleMatches_SkipsOpenInterestCap() public {
        SessionRiskParams memory params = RiskParamsLib.defaults(Session.REGULAR);
        params.openInterestCapX18 = 500e18;
        vm.prank(riskManager);
        registry.setSessionRiskParams(AAPL, Session.REGULAR, params);
        (Order memory maker, Order memory taker) = _pair(10e18, PRICE);
        _expectSkip(_match(maker, taker, 10e18), SkipReason.OPEN_INTEREST_CAP);
        (maker, taker) = _pair(5e18, PRICE);
        assertEq(_settle(_match(maker, taker, 5e18)), 1);
    }

    function test_settleMatches_SkipsMarginShortfall() public {
        // 20,000 shares at $100 need $200,000 initial margin (10 %); each side holds $100,000.
        (Order memory maker, Order memory taker) = _pair(20_000e18, PRICE);
        _expectSkip(_match(maker, taker, 20_000e18), SkipReason.MAKER_MARGIN);
        _deposit(alice, 0, 200_000 * USDC);
        _expectSkip(_match(maker, taker, 20_000e18), SkipReason.TAKER_MARGIN);
        _deposit(bob, 0, 200_000 * USDC);
        assertEq(_settle(_match(maker, taker, 20_000e18)), 1);
    }

    function test_settleMatches_SkipsTooManyMarkets() public {
        for (uint256 i = 1; i <= 16; ++i) {
            bytes32 id = bytes32(i);
            _listMarket(id, PRICE);
            Order memory mo = _order(alice, id, false, 1e18, PRICE);
            Order memory to = _order(bob, id, true, 1e18, PRICE);
            assertEq(_settle(_match(mo, to, 1e18)), 1);
        }
        (Order memory maker, Order memory taker) = _pair(1e18, PRICE);
        taker.owner = carol;
        taker.signer = carol;
        _expectSkip(_match(maker, taker, 1e18), SkipReason.MAKER_TOO_MANY_MARKETS);
        maker.owner = carol;
        maker.signer = carol;
        taker.owner = bob;
        taker.signer = bob;
        _expectSkip(_match(maker, taker, 1e18), SkipReason.TAKER_TOO_MANY_MARKETS);
    }

    function test_settleMatches_BadMatchDoesNotRevertTheBatch() public {
        (Order memory maker, Order memory taker) = _pair(1e18, PRICE);
        Match[] memory matches = new Match[](3);
        matches[0] = _match(maker, taker, 1e18);
        Order memory bad = _order(alice, AAPL, false, 1e18, PRICE);
        bad.expiry = 0;
        matches[1] = _match(bad, _order(bob, AAPL, true, 1e18, PRICE), 1e18);
        (maker, taker) = _pair(1e18, 101e18);
        matches[2] = _match(maker, taker, 1e18);
        vm.prank(matcher);
        assertEq(ch.settleMatches(matches), 2);
        assertEq(ch.position(_account(bob), AAPL).sizeX18, 2e18);
        // One report per market per batch, at the volume-weighted price.
        assertEq(oracle.recordTradeCalls(), 1);
        assertEq(oracle.lastTradePriceX18(), 100.5e18);
        _assertIdentity();
    }
}
