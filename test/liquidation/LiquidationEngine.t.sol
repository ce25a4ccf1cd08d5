// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {LiquidationTestBase} from "./LiquidationTestBase.sol";
import {InsuranceFund} from "../../contracts/core/InsuranceFund.sol";
import {LiquidationEngine} from "../../contracts/core/LiquidationEngine.sol";
import {IClearinghouse} from "../../contracts/interfaces/IClearinghouse.sol";
import {ICollateralVault} from "../../contracts/interfaces/ICollateralVault.sol";
import {IInsuranceFund} from "../../contracts/interfaces/IInsuranceFund.sol";
import {ILiquidationEngine} from "../../contracts/interfaces/ILiquidationEngine.sol";
import {ISequencerGuard} from "../../contracts/interfaces/ISequencerGuard.sol";
import {Constants} from "../../contracts/libraries/Constants.sol";
import {PositionMath} from "../../contracts/libraries/PositionMath.sol";
import {MockSequencerGuard} from "../../contracts/mocks/MockSequencerGuard.sol";
import {IOracleAdapter} from "../../contracts/interfaces/IOracleAdapter.sol";
import {AccountId} from "../../contracts/types/Account.sol";
import {Match} from "../../contracts/types/Clearinghouse.sol";
import {AccountHealth} from "../../contracts/types/Market.sol";
import {Order} from "../../contracts/types/Order.sol";
import {MarketState} from "../../contracts/types/Oracle.sol";
import {Session} from "../../contracts/types/Session.sol";

/// @notice Unit tests of every liquidation rule and every custom error of `LiquidationEngine`, and of
/// the clearinghouse / vault entries it uses. The victim buys 90 AAPL at 100 USD with 1,000 USDC
/// (taker fee 3.6 USD: equity 996.4); REGULAR session: IM 10 %, MM 5 %.
contract LiquidationEngineTest is LiquidationTestBase {
    address internal victim;

    function setUp() public override {
        super.setUp();
        victim = _trader("victim", 1_000);
        _open(AAPL, victim, bob, 90e18, PRICE);
    }

    // ------------------------------------------------------------------ liquidate: partial and full

    function test_liquidate_PartialClosesHalfAtMark() public {
        _setMark(93e18); // equity 366.4 < MM 418.5; 2 * equity >= MM: partial
        int256 backstopBefore = vault.collateralX18(backstop);
        vm.expectEmit(address(engine));
        emit ILiquidationEngine.Liquidated(
            _acct(victim),
            AAPL,
            keeper,
            45e18,
            93e18,
            104.625e18,
            31.3875e18,
            366.4e18,
            418.5e18,
            45e18
        );
        vm.expectEmit(address(engine));
        emit ILiquidationEngine.BackstopAbsorbed(backstop, AAPL, 45e18, 93e18, 73.2375e18, 45e18);
        assertEq(_liquidate(victim, type(uint256).max), 45e18, "half closed");
        assertEq(_size(_acct(victim)), 45e18, "victim keeps half");
        assertEq(_size(backstop), 45e18, "backstop took half");
        assertEq(vault.collateralX18(_acct(keeper)), 31.3875e18, "keeper reward (30 %)");
        assertEq(vault.collateralX18(backstop) - backstopBefore, 73.2375e18, "insurance share");
        assertEq(_health(victim).equityX18, 366.4e18 - 104.625e18, "equity after penalty");
        _assertIdentity();
    }

    function test_liquidate_PartialHonoursSmallerSize() public {
        _setMark(93e18);
        assertEq(_liquidate(victim, 10e18), 10e18, "keeper's size kept");
        assertEq(_size(_acct(victim)), 80e18, "80 left");
    }

    function test_liquidate_FullBelowHalfMaintenanceWhateverSize() public {
        _setMark(91e18); // equity 186.4, MM 409.5: 2 * equity < MM -> all
        assertEq(_liquidate(victim, 1e18), 90e18, "whole position");
        assertEq(_size(_acct(victim)), 0, "flat");
        assertEq(_size(backstop), 90e18, "backstop holds it");
        // Penalty 204.75 capped at the equity 186.4: the account ends at exactly zero.
        assertEq(vault.collateralX18(_acct(victim)), 0, "no bad debt from the penalty");
        assertEq(vault.collateralX18(_acct(keeper)), 55.92e18, "30 % of the capped penalty");
        assertEq(ch.accountMarkets(_acct(victim)).length, 0, "market list cleared");
        _assertIdentity();
    }

    function test_liquidate_SecondCallAfterPartial() public {
        _setMark(93e18);
        _liquidate(victim, type(uint256).max);
        _setMark(88e18); // 45 left; equity 261.775 - 225 = 36.775 < MM 198: full
        assertEq(_liquidate(victim, type(uint256).max), 45e18, "rest closed");
        assertEq(_size(backstop), 90e18, "backstop holds all");
        assertEq(_size(_acct(victim)), 0, "flat");
    }

    function test_liquidate_BankruptAccountCoveredByInsurance() public {
        _setMark(88e18); // equity 996.4 - 1080 = -83.6
        uint256 ledgerBefore = insurance.ledgerBalance();
        vm.expectEmit(address(engine));
        emit ILiquidationEngine.InsuranceCovered(_acct(victim), 83.6e6, 83.6e18, ledgerBefore - 83.6e6);
        vm.expectEmit(address(engine));
        emit ILiquidationEngine.BadDebtSettled(_acct(victim), 83.6e18, 83.6e18, 0);
        _liquidate(victim, type(uint256).max);
        assertEq(vault.collateralX18(_acct(victim)), 0, "bad debt covered");
        assertEq(insurance.ledgerBalance(), ledgerBefore - 83.6e6, "insurance paid exactly the debt");
        assertEq(vault.collateralX18(_acct(keeper)), 0, "no penalty from a bankrupt account");
        _assertIdentity();
    }

    function test_liquidate_MinimumSizeGivesPositiveKeeperReward() public {
        _setMark(93e18);
        // 0.001 share (the minimum order size) at 93: notional 0.093, penalty 0.002325, all to the keeper.
        assertEq(_liquidate(victim, 1e15), 1e15, "minimum size closed");
        assertEq(
            vault.collateralX18(_acct(keeper)),
            0.002325e18,
            "keeper reward positive at the minimum size"
        );
    }

    function test_liquidate_OnlyReducesTheVictim() public {
        _setMark(93e18);
        int256 before = _size(_acct(victim));
        _liquidate(victim, type(uint256).max);
        int256 afterSize = _size(_acct(victim));
        assertTrue(afterSize >= 0 && afterSize < before, "reduced, never flipped or grown");
    }

    // ------------------------------------------------------------------ liquidationSizeX18

    function test_liquidationSizeX18_PartialFullAndNone() public {
        _setMark(95e18);
        assertEq(engine.liquidationSizeX18(_acct(victim), AAPL), 0, "healthy: none");
        _setMark(93e18);
        assertEq(engine.liquidationSizeX18(_acct(victim), AAPL), 45e18, "partial: half");
        assertEq(engine.liquidationSizeX18(_acct(victim), TSLA), 0, "no position in that market");
        assertEq(engine.liquidationSizeX18(_acct(makeAddr("nobody")), AAPL), 0, "no account");
        _setMark(91e18);
        assertEq(engine.liquidationSizeX18(_acct(victim), AAPL), 90e18, "below MM / 2: all");
        // The backstop is never a target, whatever its health.
        assertEq(engine.liquidationSizeX18(backstop, AAPL), 0, "backstop");
    }

    function test_liquidationSizeX18_WholeWhenHalfIsBelowTheMinimum() public {
        // 0.001 share (the minimum) with 0.02 USDC: at 84, equity 0.00396 < MM 0.0042 <= 2 * equity,
        // so partial, but half of it rounds to 0 on the step: the whole position goes.
        address small = _trader("small", 0);
        _deposit(small, 0, 2e4);
        _open(AAPL, small, bob, 1e15, PRICE);
        _setMark(84e18);
        AccountHealth memory health = _health(small);
        assertLt(health.equityX18, int256(health.maintenanceMarginX18), "liquidatable");
        assertGe(2 * health.equityX18, int256(health.maintenanceMarginX18), "the partial branch");
        assertEq(engine.liquidationSizeX18(_acct(small), AAPL), 1e15, "whole position");
        assertEq(_liquidate(small, type(uint256).max), 1e15, "liquidate agrees");
    }

    function test_liquidationSizeX18_RescalesAfterASplit() public {
        oracle.split(AAPL, 2, 1); // 90 shares become 180 at half the price
        _setMark(46.5e18); // 93 before the split: partial
        assertEq(engine.liquidationSizeX18(_acct(victim), AAPL), 90e18, "half of 180");
        assertEq(_liquidate(victim, type(uint256).max), 90e18, "liquidate agrees");
    }

    /// @dev Differential: the view equals what `liquidate(max)` closes, and passing it closes exactly it.
    function testFuzz_liquidationSizeX18_IsWhatLiquidateCloses(uint256 markX18, uint256 sizeSeed) public {
        address trader = _trader("fuzzed", 1_000);
        uint256 sizeX18 = bound(sizeSeed, 1, 99) * 1e18;
        _open(AAPL, trader, bob, sizeX18, PRICE);
        markX18 = bound(markX18, 80e18, 100e18);
        markX18 -= markX18 % 1e16; // the tick
        _setMark(markX18);
        uint256 expectedX18 = engine.liquidationSizeX18(_acct(trader), AAPL);
        uint256 snapshot = vm.snapshotState();
        vm.prank(keeper);
        try engine.liquidate(_acct(trader), AAPL, type(uint256).max) returns (uint256 closedX18) {
            assertEq(closedX18, expectedX18, "view = closed with max");
            vm.revertToState(snapshot);
            assertEq(_liquidate(trader, expectedX18), expectedX18, "passing the view's size closes it");
        } catch (bytes memory reason) {
            // Healthy (the view says 0) or a rule beyond the size (bankrupt beyond the fund, backstop margin).
            if (expectedX18 == 0) {
                assertEq(bytes4(reason), ILiquidationEngine.Liquidation_AccountHealthy.selector, "healthy");
            } else {
                assertTrue(
                    bytes4(reason) == ILiquidationEngine.Liquidation_InsuranceInsufficient.selector ||
                        bytes4(reason) == ILiquidationEngine.Liquidation_BackstopMargin.selector,
                    "only a rule beyond the size"
                );
            }
        }
    }

    // ------------------------------------------------------------------ liquidate: reverts

    function test_liquidate_RevertIf_AccountHealthy() public {
        _setMark(95e18); // equity 546.4 >= MM 427.5
        vm.expectRevert(
            abi.encodeWithSelector(
                ILiquidationEngine.Liquidation_AccountHealthy.selector,
                _acct(victim),
                546.4e18,
                427.5e18
            )
        );
        _liquidate(victim, type(uint256).max);
    }

    function test_liquidate_RevertIf_NoPosition() public {
        vm.expectRevert(
            abi.encodeWithSelector(ILiquidationEngine.Liquidation_NoPosition.selector, _acct(carol), AAPL)
        );
        _liquidate(carol, 1e18);
    }

    function test_liquidate_RevertIf_BackstopAccount() public {
        vm.expectRevert(
            abi.encodeWithSelector(ILiquidationEngine.Liquidation_BackstopAccount.selector, backstop)
        );
        engine.liquidate(backstop, AAPL, 1e18);
    }

    function test_liquidate_RevertIf_InvalidSize() public {
        _setMark(93e18);
        vm.expectRevert(
            abi.encodeWithSelector(ILiquidationEngine.Liquidation_InvalidSize.selector, 1.0001e18, 1e15)
        );
        _liquidate(victim, 1.0001e18);
        vm.expectRevert(abi.encodeWithSelector(ILiquidationEngine.Liquidation_InvalidSize.selector, 0, 1e15));
        _liquidate(victim, 0);
    }

    function test_liquidate_RevertIf_SizeBelowMinimum() public {
        vm.prank(riskManager);
        registry.setSizeParams(AAPL, 1e16, 1e15, 1e18); // minimum order 1 share
        _setMark(93e18);
        vm.expectRevert(
            abi.encodeWithSelector(ILiquidationEngine.Liquidation_SizeBelowMinimum.selector, 0.5e18, 1e18)
        );
        _liquidate(victim, 0.5e18);
    }

    function test_liquidate_RevertIf_MarketNotLiquidatable() public {
        _setMark(93e18);
        MarketState[3] memory states = [MarketState.HALTED, MarketState.DEGRADED, MarketState.SETTLED];
        for (uint256 i; i < 3; ++i) {
            oracle.setState(AAPL, states[i], Session.REGULAR);
            vm.expectRevert(
                abi.encodeWithSelector(
                    ILiquidationEngine.Liquidation_MarketNotLiquidatable.selector,
                    AAPL,
                    states[i]
                )
            );
            _liquidate(victim, type(uint256).max);
        }
    }

    function test_liquidate_WhileClosedInsideBand() public {
        oracle.setState(AAPL, MarketState.CLOSED, Session.CLOSED);
        _setMark(88e18); // CLOSED MM 12.5 %: liquidatable; band 70.4 - 105.6
        _liquidate(victim, type(uint256).max);
        assertEq(_size(_acct(victim)), 0, "liquidated inside the band");
    }

    function test_liquidate_RevertIf_OutsideClosedBand() public {
        oracle.setState(AAPL, MarketState.CLOSED, Session.CLOSED);
        _setMark(88e18);
        oracle.setBand(AAPL, 90e18, 110e18);
        vm.expectRevert(
            abi.encodeWithSelector(
                ILiquidationEngine.Liquidation_OutsideClosedBand.selector,
                AAPL,
                88e18,
                90e18,
                110e18
            )
        );
        _liquidate(victim, type(uint256).max);
    }

    function test_liquidate_RevertIf_InsuranceInsufficient() public {
        _drainInsurance();
        _setMark(88e18); // deficit 83.6, fund empty
        vm.expectRevert(
            abi.encodeWithSelector(ILiquidationEngine.Liquidation_InsuranceInsufficient.selector, 83.6e18, 0)
        );
        _liquidate(victim, type(uint256).max);
    }

    function test_liquidate_RevertIf_BackstopMargin() public {
        LiquidationEngine bare = _engineWithEmptyBackstop();
        _setMark(93e18);
        // The backstop (a fresh fund, no collateral) would take 45 shares at 93: IM 418.5, equity 73.2375.
        vm.expectRevert(
            abi.encodeWithSelector(
                ILiquidationEngine.Liquidation_BackstopMargin.selector,
                73.2375e18,
                418.5e18
            )
        );
        vm.prank(keeper);
        bare.liquidate(_acct(victim), AAPL, type(uint256).max);
    }

    function test_liquidate_RevertIf_SequencerDown() public {
        MockSequencerGuard guard = new MockSequencerGuard();
        LiquidationEngine guarded = _engineWithGuard(guard);
        _setMark(93e18);
        guard.setStatus(false, 0);
        vm.expectRevert(ILiquidationEngine.Liquidation_SequencerDown.selector);
        guarded.liquidate(_acct(victim), AAPL, type(uint256).max);
        guard.setReverting(true);
        vm.expectRevert(ILiquidationEngine.Liquidation_SequencerDown.selector);
        guarded.liquidate(_acct(victim), AAPL, type(uint256).max);
        guard.setReverting(false);
        guard.setStatus(true, block.timestamp);
        guarded.liquidate(_acct(victim), AAPL, type(uint256).max);
        assertEq(_size(_acct(victim)), 45e18, "liquidates once the sequencer is up past its grace");
    }

    function test_liquidate_HealthyAfterSequencerRecovery() public {
        MockSequencerGuard guard = new MockSequencerGuard();
        LiquidationEngine guarded = _engineWithGuard(guard);
        guard.setStatus(false, 0);
        _setMark(96e18);
        guard.setStatus(true, block.timestamp);
        assertFalse(guarded.isLiquidatable(_acct(victim)), "healthy stays healthy after recovery");
        vm.expectRevert(
            abi.encodeWithSelector(
                ILiquidationEngine.Liquidation_AccountHealthy.selector,
                _acct(victim),
                636.4e18,
                432e18
            )
        );
        guarded.liquidate(_acct(victim), AAPL, type(uint256).max);
    }

    function test_executeLiquidation_RevertIf_NotSelf() public {
        vm.expectRevert(abi.encodeWithSelector(LiquidationEngine.OnlySelf.selector, address(this)));
        engine.executeLiquidation(_acct(victim), AAPL, 1e18, address(this));
    }

    function test_liquidate_RevertIf_ZeroPrice() public {
        _setMark(0);
        vm.expectRevert(abi.encodeWithSelector(PositionMath.Position_InvalidPrice.selector, 0, 1e38));
        _liquidate(victim, type(uint256).max);
    }

    function test_liquidate_CrossMarginOnlyTheCrashedMarket() public {
        // The victim also holds 10 TSLA (a profitable short): its equity counts both markets, and only
        // the liquidated market moves to the backstop.
        _listMarket(TSLA, PRICE);
        address shortSeller = _trader("tslaLong", 100_000);
        _open(TSLA, shortSeller, victim, 1e18, PRICE);
        oracle.setPrice(TSLA, 99e18, 99e18);
        _setMark(93e18);
        AccountHealth memory health = _health(victim);
        assertLt(health.equityX18, int256(health.maintenanceMarginX18), "liquidatable across markets");
        _liquidate(victim, type(uint256).max);
        assertEq(ch.position(_acct(victim), TSLA).sizeX18, -1e18, "the other market untouched");
        assertEq(ch.position(backstop, TSLA).sizeX18, 0, "backstop took only AAPL");
    }

    function test_liquidate_RevertIf_BackstopTooManyMarkets() public {
        // The backstop holds positions in 16 markets (the per-account bound); a 17th is refused.
        uint256 maxMarkets = Constants.CH_MAX_MARKETS_PER_ACCOUNT;
        address whale = _trader("whale", 10_000_000);
        for (uint256 i; i < maxMarkets; ++i) {
            bytes32 marketId = bytes32(abi.encodePacked("M", vm.toString(i)));
            _listMarket(marketId, PRICE);
            address loser = _trader(string.concat("loser", vm.toString(i)), 1_000);
            _open(marketId, loser, whale, 90e18, PRICE);
            oracle.setPrice(marketId, 80e18, 80e18);
            vm.prank(keeper);
            engine.liquidate(_acct(loser), marketId, type(uint256).max);
        }
        assertEq(ch.accountMarkets(backstop).length, maxMarkets, "backstop in 16 markets");
        _setMark(80e18);
        vm.expectRevert(
            abi.encodeWithSelector(
                ILiquidationEngine.Liquidation_BackstopTooManyMarkets.selector,
                maxMarkets + 1
            )
        );
        _liquidate(victim, type(uint256).max);
    }

    // ------------------------------------------------------------------ backstop unwind

    function test_backstop_UnwoundThroughTheMatcherByItsOperator() public {
        _setMark(93e18);
        _liquidate(victim, type(uint256).max); // the backstop is long 45
        vm.warp(block.timestamp + 1 hours); // past the circuit breaker's halt and reduce-only window
        (address operator, uint256 operatorKey) = makeAddrAndKey("backstopOperator");
        vm.expectEmit(address(insurance));
        emit IInsuranceFund.BackstopOperatorSet(operator, true);
        vm.prank(admin);
        insurance.setBackstopOperator(operator, true);
        assertTrue(vault.isOperator(address(insurance), operator), "vault operator of the fund");
        // The operator sells the backstop's 45 to carol at the mark, signing for the fund's account.
        Order memory maker = _order(address(insurance), AAPL, false, 45e18, 93e18);
        maker.signer = operator;
        Order memory taker = _order(carol, AAPL, true, 45e18, 93e18);
        Match memory m = Match(
            maker,
            _signWith(maker, operatorKey),
            taker,
            _signWith(taker, carolKey),
            45e18
        );
        assertEq(_settle(m), 1, "backstop order settled");
        assertEq(_size(backstop), 0, "backstop unwound");
        _assertIdentity();
    }

    function test_setBackstopOperator_RevertIf_NotAdmin() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector,
                stranger,
                bytes32(0)
            )
        );
        vm.prank(stranger);
        insurance.setBackstopOperator(stranger, true);
    }

    function test_setBackstopOperator_RevertIf_VaultNotSet() public {
        InsuranceFund fresh = new InsuranceFund(usdc, admin);
        vm.expectRevert(IInsuranceFund.InsuranceFund_VaultNotSet.selector);
        vm.prank(admin);
        fresh.setBackstopOperator(stranger, true);
    }

    // ------------------------------------------------------------------ pause

    function test_pauseLiquidations_BlocksUntilExpiry() public {
        _setMark(93e18);
        vm.prank(guardian);
        engine.pauseLiquidations();
        uint256 until = block.timestamp + Constants.LIQ_PAUSE_DURATION;
        assertEq(engine.liquidationsPausedUntil(), until, "paused until");
        vm.expectRevert(abi.encodeWithSelector(ILiquidationEngine.Liquidation_Paused.selector, until));
        _liquidate(victim, type(uint256).max);
        vm.warp(until);
        _liquidate(victim, type(uint256).max);
    }

    function test_pauseLiquidations_RevertIf_NotGuardian() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector,
                stranger,
                engine.GUARDIAN_ROLE()
            )
        );
        vm.prank(stranger);
        engine.pauseLiquidations();
    }

    function test_pauseLiquidations_RevertIf_CooldownActive() public {
        vm.startPrank(guardian);
        engine.pauseLiquidations();
        engine.unpauseLiquidations();
        uint256 availableAt = block.timestamp + Constants.LIQ_PAUSE_COOLDOWN;
        assertEq(engine.liquidationPauseAvailableAt(), availableAt, "cooldown");
        vm.expectRevert(
            abi.encodeWithSelector(ILiquidationEngine.Liquidation_PauseCooldownActive.selector, availableAt)
        );
        engine.pauseLiquidations();
        vm.stopPrank();
    }

    function test_unpauseLiquidations_RevertIf_NotPaused() public {
        vm.expectRevert(ILiquidationEngine.Liquidation_NotPaused.selector);
        vm.prank(admin);
        engine.unpauseLiquidations();
    }

    function test_unpauseLiquidations_RevertIf_Stranger() public {
        vm.prank(guardian);
        engine.pauseLiquidations();
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector,
                stranger,
                bytes32(0)
            )
        );
        vm.prank(stranger);
        engine.unpauseLiquidations();
    }

    function test_unpauseLiquidations_HealthyStaysHealthy() public {
        vm.prank(guardian);
        engine.pauseLiquidations();
        _setMark(96e18);
        vm.prank(admin);
        engine.unpauseLiquidations();
        assertFalse(engine.isLiquidatable(_acct(victim)), "healthy right after an unpause");
    }

    // ------------------------------------------------------------------ settleBadDebt

    function test_settleBadDebt_CoversAsFarAsTheFundReaches() public {
        _drainInsurance();
        _donate(50e6);
        _leaveBadDebt(carol, 80e18);
        vm.expectEmit(address(engine));
        emit ILiquidationEngine.InsuranceCovered(_acct(carol), 50e6, 50e18, 0);
        vm.expectEmit(address(engine));
        emit ILiquidationEngine.BadDebtSettled(_acct(carol), 80e18, 50e18, 30e18);
        assertEq(engine.settleBadDebt(_acct(carol)), 50e18, "covered what the fund held");
        assertEq(vault.collateralX18(_acct(carol)), -30e18, "rest uncovered");
        _donate(100e6);
        assertEq(engine.settleBadDebt(_acct(carol)), 30e18, "the rest once refilled");
        assertEq(vault.collateralX18(_acct(carol)), 0, "back to zero");
        assertEq(insurance.ledgerBalance(), 70e6, "fund paid 80 in all");
    }

    function test_settleBadDebt_RoundsTheFundsPaymentUp() public {
        _leaveBadDebt(carol, 1);
        uint256 feesBefore = vault.feeTreasuryX18();
        uint256 ledgerBefore = insurance.ledgerBalance();
        engine.settleBadDebt(_acct(carol));
        assertEq(vault.collateralX18(_acct(carol)), 0, "one wei covered");
        assertEq(insurance.ledgerBalance(), ledgerBefore - 1, "one token unit paid");
        assertEq(vault.feeTreasuryX18() - feesBefore, 1e12 - 1, "the rest of the unit to the fee treasury");
    }

    function test_settleBadDebt_RevertIf_HasPositions() public {
        vm.expectRevert(
            abi.encodeWithSelector(ILiquidationEngine.Liquidation_HasPositions.selector, _acct(victim), 1)
        );
        engine.settleBadDebt(_acct(victim));
    }

    function test_settleBadDebt_RevertIf_NoBadDebt() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                ILiquidationEngine.Liquidation_NoBadDebt.selector,
                _acct(carol),
                100_000e18
            )
        );
        engine.settleBadDebt(_acct(carol));
    }

    // ------------------------------------------------------------------ roles of the entries it uses

    function test_transferRisk_RevertIf_NotLiquidator() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector,
                stranger,
                ch.LIQUIDATOR_ROLE()
            )
        );
        vm.prank(stranger);
        ch.transferRisk(_acct(victim), _acct(stranger), AAPL, 1e18, 0);
    }

    function test_coverBadDebt_RevertIf_NotLiquidationRole() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector,
                stranger,
                vault.LIQUIDATION_ROLE()
            )
        );
        vm.prank(stranger);
        vault.coverBadDebt(_acct(victim), 1);
    }

    function test_coverBadDebt_RevertIf_BadDebtExceeded() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                ICollateralVault.Vault_BadDebtExceeded.selector,
                _acct(carol),
                100_000e18,
                1
            )
        );
        vm.prank(address(engine));
        vault.coverBadDebt(_acct(carol), 1);
    }

    function test_applyLiquidationPenalty_RevertIf_NotLiquidationRole() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector,
                stranger,
                vault.LIQUIDATION_ROLE()
            )
        );
        vm.prank(stranger);
        vault.applyLiquidationPenalty(_acct(victim), _acct(stranger), 1, backstop, 1);
    }

    function test_constructor_RevertIf_ZeroAddress() public {
        vm.expectRevert(ILiquidationEngine.Liquidation_ZeroAddress.selector);
        new LiquidationEngine(IClearinghouse(address(0)), admin, guardian);
        vm.expectRevert(ILiquidationEngine.Liquidation_ZeroAddress.selector);
        new LiquidationEngine(IClearinghouse(address(ch)), address(0), guardian);
        vm.expectRevert(ILiquidationEngine.Liquidation_ZeroAddress.selector);
        new LiquidationEngine(IClearinghouse(address(ch)), admin, address(0));
    }

    // ------------------------------------------------------------------ views

    function test_accountsHealth_FlagsOnlyUnhealthyAccounts() public {
        _setMark(93e18);
        AccountId[] memory accounts = new AccountId[](2);
        accounts[0] = _acct(victim);
        accounts[1] = _acct(bob);
        (AccountHealth[] memory healths, bool[] memory flags) = engine.accountsHealth(accounts);
        assertEq(healths[0].equityX18, 366.4e18, "victim equity");
        assertTrue(flags[0], "victim liquidatable");
        assertFalse(flags[1], "bob healthy");
        assertTrue(engine.isLiquidatable(_acct(victim)), "isLiquidatable");
        assertEq(engine.insuranceAvailableX18(), INSURANCE_USDC * 1e18, "insurance in X18");
    }

    // ------------------------------------------------------------------ helpers

    /// @dev Emulates an account left with `debtX18` of negative collateral and no positions (what a
    /// capped ADL or an exhausted fund leaves), as the margin authority would book it.
    function _leaveBadDebt(address owner, uint256 debtX18) internal {
        AccountId[] memory accounts = new AccountId[](1);
        int256[] memory deltas = new int256[](1);
        accounts[0] = _acct(owner);
        deltas[0] = -vault.collateralX18(_acct(owner)) - int256(debtX18);
        vm.prank(address(ch));
        vault.applySettlement(accounts, deltas, 0);
    }

    function _engineWithGuard(MockSequencerGuard guard) internal returns (LiquidationEngine guarded) {
        vm.mockCall(
            address(oracle),
            abi.encodeWithSelector(IOracleAdapter.sequencerGuard.selector),
            abi.encode(ISequencerGuard(address(guard)))
        );
        guarded = new LiquidationEngine(IClearinghouse(address(ch)), admin, guardian);
        vm.startPrank(admin);
        ch.grantRole(ch.LIQUIDATOR_ROLE(), address(guarded));
        vault.grantRole(vault.LIQUIDATION_ROLE(), address(guarded));
        vm.stopPrank();
    }

    /// @dev An engine whose backstop is a fresh, empty account: the clearinghouse reads the vault's
    /// fund, so the fund address is swapped by mocking `vault.insuranceFund()` during construction.
    function _engineWithEmptyBackstop() internal returns (LiquidationEngine bare) {
        vm.mockCall(
            address(vault),
            abi.encodeWithSelector(ICollateralVault.insuranceFund.selector),
            abi.encode(IInsuranceFund(makeAddr("emptyFund")))
        );
        bare = new LiquidationEngine(IClearinghouse(address(ch)), admin, guardian);
        vm.clearMockedCalls();
        vm.startPrank(admin);
        ch.grantRole(ch.LIQUIDATOR_ROLE(), address(bare));
        vault.grantRole(vault.LIQUIDATION_ROLE(), address(bare));
        vm.stopPrank();
    }
}
