// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ClearinghouseTestBase} from "./ClearinghouseTestBase.sol";
import {Clearinghouse} from "../../contracts/core/Clearinghouse.sol";
import {IClearinghouse} from "../../contracts/interfaces/IClearinghouse.sol";
import {ICollateralVault} from "../../contracts/interfaces/ICollateralVault.sol";
import {IMarketRegistry} from "../../contracts/interfaces/IMarketRegistry.sol";
import {IOracleAdapter} from "../../contracts/interfaces/IOracleAdapter.sol";
import {Constants} from "../../contracts/libraries/Constants.sol";
import {AccountId} from "../../contracts/types/Account.sol";
import {CircuitBreakerState, Match, SkipReason} from "../../contracts/types/Clearinghouse.sol";
import {AccountHealth, FundingState, Position} from "../../contracts/types/Market.sol";
import {MarketState} from "../../contracts/types/Oracle.sol";
import {Order} from "../../contracts/types/Order.sol";
import {Session} from "../../contracts/types/Session.sol";

contract ClearinghouseLifecycleTest is ClearinghouseTestBase {
    function _equity(address user) internal view returns (int256) {
        return ch.accountHealth(_account(user)).equityX18;
    }

    function test_settleMatches_ClosesWithRealizedPnl() public {
        _trade(alice, bob, 10e18, PRICE); // alice short 10, bob long 10 at 100
        oracle.setPrice(AAPL, 95e18, 95e18);
        Order memory maker = _order(alice, AAPL, true, 10e18, 95e18);
        Order memory taker = _order(bob, AAPL, false, 10e18, 95e18);
        assertEq(_settle(_match(maker, taker, 10e18)), 1);
        assertEq(vault.collateralX18(_account(alice)), 100_000e18 + 50e18);
        // bob: -50 PnL, taker fees 0.40 (open) + 0.38 (close).
        assertEq(vault.collateralX18(_account(bob)), 100_000e18 - 50e18 - 0.78e18);
        assertEq(ch.totalOpenNotionalX18(), 0);
        assertEq(ch.totalUnrealizedPnlX18(), 0);
        _assertIdentity();
    }

    function test_accountHealth_ValuesAtTheMark() public {
        _trade(alice, bob, 10e18, PRICE);
        oracle.setPrice(AAPL, 110e18, 110e18);
        AccountHealth memory h = ch.accountHealth(_account(bob));
        assertEq(h.equityX18, 100_000e18 - 0.4e18 + 100e18);
        assertEq(h.equityWithoutProfitX18, 100_000e18 - 0.4e18);
        assertEq(h.initialMarginX18, 110e18); // 10 % of $1,100
        assertEq(h.maintenanceMarginX18, 55e18);
        assertEq(h.notionalX18, 1_100e18);
        assertEq(ch.marginRatioX18(_account(bob)), (h.equityX18 * 1e18) / 1_100e18);
        assertEq(ch.marginRatioX18(_account(carol)), type(int256).max);
    }

    function test_withdrawableX18_ExcludesProfitAndInitialMargin() public {
        _trade(alice, bob, 10e18, PRICE);
        oracle.setPrice(AAPL, 110e18, 110e18);
        assertEq(ch.withdrawableX18(_account(bob)), 100_000e18 - 0.4e18 - 110e18);
        assertEq(vault.withdrawableX18(_account(bob)), 100_000e18 - 0.4e18 - 110e18);
        // alice: -100 uPnL counts, IM 110.
        assertEq(ch.withdrawableX18(_account(alice)), 100_000e18 - 100e18 - 110e18);
        assertEq(ch.withdrawableX18(_account(carol)), 100_000e18);
    }

    function test_withdrawableX18_NeverRevertsWhenTheOracleFails() public {
        _trade(alice, bob, 10e18, PRICE);
        oracle.setRevertPriceState(true);
        assertEq(ch.withdrawableX18(_account(bob)), 0);
        assertEq(ch.withdrawableX18(_account(carol)), 100_000e18);
    }

    function test_fund_AccruesFundingZeroSum() public {
        _trade(alice, bob, 10e18, 101e18); // premium +1 % against the index of 100
        FundingState memory f = ch.fundingState(AAPL);
        assertEq(f.lastPremiumX18, 0.01e18);
        vm.warp(block.timestamp + 1 hours);
        bytes32[] memory ids = new bytes32[](1);
        ids[0] = AAPL;
        ch.fund(ids);
        f = ch.fundingState(AAPL);
        // rate = 1 % / 8 + 0.0005 % interest = 0.1255 %/h, clamped to the 0.1 %/h cap: $0.10 per share.
        assertEq(f.indexX18, 0.1e18);
        assertEq(_equity(bob), 100_000e18 - 0.404e18 - 10e18 - 1e18);
        assertEq(_equity(alice), 100_000e18 + 10e18 + 1e18);
        // Both sides settle by trading out; the identity stays exact throughout.
        Order memory maker = _order(alice, AAPL, true, 10e18, PRICE);
        Order memory taker = _order(bob, AAPL, false, 10e18, PRICE);
        assertEq(_settle(_match(maker, taker, 10e18)), 1);
        _assertIdentity();
        assertEq(ch.settledBalanceX18(), 0); // both sides settled: paid == received here
        assertEq(vault.collateralX18(_account(bob)), 100_000e18 - 10e18 - 1e18 - 0.804e18);
        assertEq(vault.collateralX18(_account(alice)), 100_000e18 + 10e18 + 1e18);
    }

    function test_split_KeepsEquityAndRescalesLazily() public {
        _trade(alice, bob, 10e18, PRICE);
        int256 before = _equity(bob);
        oracle.split(AAPL, 4, 1);
        assertEq(_equity(bob), before);
        assertEq(ch.position(_account(bob), AAPL).sizeX18, 10e18); // stored, not yet touched
        Order memory maker = _order(alice, AAPL, true, 40e18, 25e18);
        maker.epoch = 1;
        Order memory taker = _order(bob, AAPL, false, 40e18, 25e18);
        taker.epoch = 1;
        assertEq(_settle(_match(maker, taker, 40e18)), 1);
        assertEq(ch.position(_account(bob), AAPL).sizeX18, 0);
        _assertIdentity();
    }

    function test_dividend_LongsReceiveShortsPayOnce() public {
        _trade(alice, bob, 10e18, PRICE);
        int256 bobBefore = _equity(bob);
        int256 aliceBefore = _equity(alice);
        oracle.addDividend(AAPL, 1e18);
        assertEq(_equity(bob), bobBefore + 10e18);
        assertEq(_equity(alice), aliceBefore - 10e18);
        bytes32[] memory ids = new bytes32[](1);
        ids[0] = AAPL;
        vm.expectEmit(address(ch));
        emit IClearinghouse.DividendApplied(AAPL, 1e18, -1e18);
        ch.fund(ids);
        ch.fund(ids); // applied exactly once
        assertEq(ch.fundingState(AAPL).indexX18, -1e18);
        assertEq(_equity(bob), bobBefore + 10e18);
    }

    function test_settlePosition_ClosesAtTheSettlementPrice() public {
        _trade(alice, bob, 10e18, PRICE);
        oracle.setPrice(AAPL, 120e18, 120e18);
        oracle.setState(AAPL, MarketState.SETTLED, Session.REGULAR);
        vm.expectEmit(address(ch));
        emit IClearinghouse.PositionSettled(_account(bob), AAPL, 10e18, 120e18, 200e18, 0);
        ch.settlePosition(_account(bob), AAPL);
        assertEq(vault.collateralX18(_account(bob)), 100_000e18 - 0.4e18 + 200e18);
        _assertIdentity();
        ch.settlePosition(_account(alice), AAPL);
        assertEq(vault.collateralX18(_account(alice)), 100_000e18 - 200e18);
        assertEq(ch.settledBalanceX18(), 0);
        assertEq(ch.totalUnrealizedPnlX18(), 0);
        _assertIdentity();
        assertEq(ch.accountMarkets(_account(bob)).length, 0);
    }

    function test_settlePosition_RevertIf_MarketNotSettled() public {
        _trade(alice, bob, 10e18, PRICE);
        vm.expectRevert(
            abi.encodeWithSelector(
                IClearinghouse.Clearinghouse_MarketNotSettled.selector,
                AAPL,
                MarketState.OPEN
            )
        );
        ch.settlePosition(_account(bob), AAPL);
    }

    function test_settlePosition_RevertIf_NoPosition() public {
        oracle.setState(AAPL, MarketState.SETTLED, Session.REGULAR);
        vm.expectRevert(
            abi.encodeWithSelector(IClearinghouse.Clearinghouse_NoPosition.selector, _account(carol), AAPL)
        );
        ch.settlePosition(_account(carol), AAPL);
    }

    function test_settlePosition_RevertIf_UnknownMarket() public {
        vm.expectRevert(abi.encodeWithSelector(IClearinghouse.Clearinghouse_UnknownMarket.selector, TSLA));
        ch.settlePosition(_account(carol), TSLA);
    }

    function test_fund_RevertIf_UnknownMarket() public {
        bytes32[] memory ids = new bytes32[](1);
        ids[0] = TSLA;
        vm.expectRevert(abi.encodeWithSelector(IClearinghouse.Clearinghouse_UnknownMarket.selector, TSLA));
        ch.fund(ids);
    }

    function test_circuitBreaker_HaltsThenReduceOnlyThenReopens() public {
        _trade(alice, bob, 1e18, PRICE); // starts the window at 100
        oracle.setPrice(AAPL, 108e18, 108e18); // +8 %: level 1 (7 %)
        Order memory maker = _order(alice, AAPL, false, 1e18, 108e18);
        Order memory taker = _order(bob, AAPL, true, 1e18, 108e18);
        Match memory m = _match(maker, taker, 1e18);
        vm.expectEmit(address(ch));
        emit IClearinghouse.CircuitBreakerTriggered(
            AAPL,
            1,
            100e18,
            108e18,
            block.timestamp + 15 minutes,
            block.timestamp + 25 minutes
        );
        assertEq(_settle(m), 0);
        _expectSkip(m, SkipReason.MARKET_HALTED);
        vm.warp(block.timestamp + 15 minutes);
        _expectSkip(m, SkipReason.MARKET_REDUCE_ONLY);
        vm.warp(block.timestamp + 10 minutes);
        assertEq(_settle(m), 1);
        CircuitBreakerState memory b = ch.circuitBreakerState(AAPL);
        assertEq(b.level, 1);
    }

    function test_pauseTrading_BlocksSettlementAndExpires() public {
        (Order memory maker, Order memory taker) = (
            _order(alice, AAPL, false, 1e18, PRICE),
            _order(bob, AAPL, true, 1e18, PRICE)
        );
        Match[] memory matches = new Match[](1);
        matches[0] = _match(maker, taker, 1e18);
        vm.prank(guardian);
        ch.pauseTrading();
        uint256 until = block.timestamp + Constants.CH_TRADING_PAUSE_DURATION;
        assertEq(ch.tradingPausedUntil(), until);
        vm.prank(matcher);
        vm.expectRevert(abi.encodeWithSelector(IClearinghouse.Clearinghouse_TradingPaused.selector, until));
        ch.settleMatches(matches);
        vm.warp(until);
        vm.prank(matcher);
        assertEq(ch.settleMatches(matches), 1);
    }

    function test_pauseTrading_RevertIf_CooldownActive() public {
        vm.prank(guardian);
        ch.pauseTrading();
        vm.prank(guardian);
        ch.unpauseTrading();
        uint256 availableAt = block.timestamp + Constants.CH_TRADING_PAUSE_COOLDOWN;
        assertEq(ch.tradingPauseAvailableAt(), availableAt);
        vm.prank(guardian);
        vm.expectRevert(
            abi.encodeWithSelector(IClearinghouse.Clearinghouse_PauseCooldownActive.selector, availableAt)
        );
        ch.pauseTrading();
    }

    function test_unpauseTrading_RevertIf_NotPaused() public {
        vm.prank(admin);
        vm.expectRevert(IClearinghouse.Clearinghouse_TradingNotPaused.selector);
        ch.unpauseTrading();
    }

    function test_pauseTrading_RevertIf_NotGuardian() public {
        bytes32 role = ch.GUARDIAN_ROLE();
        vm.prank(stranger);
        vm.expectRevert(
            abi.encodeWithSignature("AccessControlUnauthorizedAccount(address,bytes32)", stranger, role)
        );
        ch.pauseTrading();
        vm.prank(stranger);
        vm.expectRevert(
            abi.encodeWithSignature("AccessControlUnauthorizedAccount(address,bytes32)", stranger, bytes32(0))
        );
        ch.unpauseTrading();
    }

    function test_settleMatches_RevertIf_NotMatcher() public {
        Match[] memory matches = new Match[](1);
        bytes32 role = ch.MATCHER_ROLE();
        vm.prank(stranger);
        vm.expectRevert(
            abi.encodeWithSignature("AccessControlUnauthorizedAccount(address,bytes32)", stranger, role)
        );
        ch.settleMatches(matches);
    }

    function test_settleMatches_RevertIf_EmptyOrTooLarge() public {
        vm.startPrank(matcher);
        vm.expectRevert(IClearinghouse.Clearinghouse_EmptyBatch.selector);
        ch.settleMatches(new Match[](0));
        uint256 tooMany = Constants.CH_MAX_MATCHES_PER_BATCH + 1;
        vm.expectRevert(
            abi.encodeWithSelector(IClearinghouse.Clearinghouse_BatchTooLarge.selector, tooMany, tooMany - 1)
        );
        ch.settleMatches(new Match[](tooMany));
        vm.stopPrank();
    }

    function test_cancelOrders_RevertIf_NotOwnerOrOperator() public {
        Order[] memory orders = new Order[](1);
        orders[0] = _order(alice, AAPL, false, 1e18, PRICE);
        vm.prank(stranger);
        vm.expectRevert(
            abi.encodeWithSelector(IClearinghouse.Clearinghouse_NotOwnerOrOperator.selector, stranger, alice)
        );
        ch.cancelOrders(orders);
        vm.prank(alice);
        vault.setOperator(carol, true);
        bytes32 h = ch.hashOrder(orders[0]);
        vm.expectEmit(address(ch));
        emit IClearinghouse.OrderCancelled(h, alice, carol);
        vm.prank(carol);
        ch.cancelOrders(orders);
        assertTrue(ch.isCancelled(h));
    }

    function test_raiseNonceFloor_RevertIf_NotRaised() public {
        vm.prank(alice);
        ch.raiseNonceFloor(alice, 10);
        assertEq(ch.nonceFloor(alice), 10);
        vm.prank(alice);
        vm.expectRevert(
            abi.encodeWithSelector(IClearinghouse.Clearinghouse_NonceFloorNotRaised.selector, alice, 10, 10)
        );
        ch.raiseNonceFloor(alice, 10);
    }

    function test_invalidateNonces_RevertIf_NotOwnerOrOperator() public {
        vm.prank(stranger);
        vm.expectRevert(
            abi.encodeWithSelector(IClearinghouse.Clearinghouse_NotOwnerOrOperator.selector, stranger, alice)
        );
        ch.invalidateNonces(alice, 0, 1);
    }

    function test_constructor_RevertIf_ZeroAddress() public {
        vm.expectRevert(IClearinghouse.Clearinghouse_ZeroAddress.selector);
        new Clearinghouse(
            ICollateralVault(address(0)),
            IOracleAdapter(address(oracle)),
            IMarketRegistry(address(registry)),
            admin,
            guardian
        );
        vm.expectRevert(IClearinghouse.Clearinghouse_ZeroAddress.selector);
        new Clearinghouse(
            ICollateralVault(address(vault)),
            IOracleAdapter(address(oracle)),
            IMarketRegistry(address(0)),
            admin,
            guardian
        );
    }

    function test_views_ExposeWiringAndDomain() public view {
        assertEq(address(ch.vault()), address(vault));
        assertEq(address(ch.oracle()), address(oracle));
        assertEq(address(ch.registry()), address(registry));
        assertTrue(ch.domainSeparator() != bytes32(0));
    }
}
