// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {LiquidationTestBase} from "./LiquidationTestBase.sol";
import {ILiquidationEngine} from "../../contracts/interfaces/ILiquidationEngine.sol";
import {AccountId} from "../../contracts/types/Account.sol";
import {AccountHealth} from "../../contracts/types/Market.sol";
import {MarketState} from "../../contracts/types/Oracle.sol";
import {Session} from "../../contracts/types/Session.sol";
import {Vm} from "../utils/Vm.sol";

/// @notice The scenarios of issue 5: a Monday gap of -20 % over 50 accounts at mixed leverage, and a
/// self-liquidation attack by two colluding accounts and a price mover. (The empty-fund ADL and the
/// ranking rejection are in LiquidationAdl.t.sol, the minimum-size liquidation in
/// LiquidationEngine.t.sol.)
contract LiquidationScenariosTest is LiquidationTestBase {
    uint256 internal constant TRADERS = 50;

    address internal mm;
    address[] internal traders;

    function setUp() public override {
        super.setUp();
        mm = _trader("marketMaker", 10_000_000);
    }

    /// @dev 50 accounts, long (even) and short (odd), leverage 1x-9x, 1,000-5,900 USDC, against one
    /// market maker; the weekend closes at 100, Monday reopens at 80. Every unhealthy account is
    /// liquidated, every bad debt is covered by exactly what the insurance fund pays, no account is
    /// left negative and the vault's identity holds exactly.
    function test_scenario_MondayGapMinus20PercentFiftyAccounts() public {
        for (uint256 i; i < TRADERS; ++i) {
            address trader = _trader(string.concat("trader", vm.toString(i)), 1_000 + 100 * i);
            traders.push(trader);
            uint256 leverage = 1 + (i % 9);
            // notional = collateral * leverage, in whole 0.001 shares at 100 USD.
            uint256 sizeX18 = ((1_000 + 100 * i) * leverage * 1e18) / 100;
            if (i % 2 == 0) _open(AAPL, trader, mm, sizeX18, PRICE);
            else _open(AAPL, mm, trader, sizeX18, PRICE);
        }
        oracle.setState(AAPL, MarketState.CLOSED, Session.CLOSED);
        vm.warp(block.timestamp + 2 days);
        oracle.setState(AAPL, MarketState.REOPENING, Session.REGULAR);
        _setMark(80e18);

        uint256 ledgerBefore = insurance.ledgerBalance();
        vm.recordLogs();
        uint256 liquidations = _keeperSweep();
        Vm.Log[] memory logs = vm.getRecordedLogs();
        (uint256 paidTokens, uint256 coveredX18, uint256 debtX18, uint256 uncoveredX18) = _waterfall(logs);

        assertGt(liquidations, 0, "the gap liquidated accounts");
        assertEq(
            ledgerBefore - insurance.ledgerBalance(),
            paidTokens,
            "the fund paid exactly what it covered"
        );
        assertEq(coveredX18, debtX18, "every bad debt covered");
        assertEq(uncoveredX18, 0, "nothing uncovered");
        assertLe(
            paidTokens * 1e12 - coveredX18,
            1e12 * liquidations,
            "only sub-unit rounding dust beyond the debt"
        );
        AccountId[] memory all = _allAccounts();
        (, bool[] memory flags) = engine.accountsHealth(all);
        for (uint256 i; i < all.length; ++i) {
            assertFalse(flags[i], "no account left liquidatable");
            assertGe(vault.collateralX18(all[i]), 0, "no negative balance left");
        }
        AccountHealth memory b = ch.accountHealth(backstop);
        assertGe(b.equityX18, int256(b.maintenanceMarginX18), "backstop healthy");
        _assertIdentity();
    }

    /// @dev A (long 9x) and B (its short counterparty) collude with a price mover who pushes the price
    /// down 1 % per step; B liquidates A itself to collect the keeper reward, then the price returns.
    /// The protocol stays exactly solvent, the insurance fund pays nothing (A is liquidated before it
    /// is bankrupt), and the pair ends with less than it put in.
    function test_scenario_SelfLiquidationCollusionDoesNotProfit() public {
        address a = _trader("attackerA", 1_000);
        address b = _trader("attackerB", 1_000);
        _open(AAPL, a, b, 90e18, PRICE);
        uint256 ledgerBefore = insurance.ledgerBalance();
        for (uint256 price = 99; price >= 85; --price) {
            _setMark(price * 1e18);
            while (engine.isLiquidatable(_acct(a)) && _size(_acct(a)) != 0) {
                vm.prank(b);
                engine.liquidate(_acct(a), AAPL, type(uint256).max);
            }
        }
        assertLt(_size(_acct(a)), 10e18, "A liquidated (partially, step by step) on the way down");
        _setMark(PRICE);
        int256 pairX18 = _health(a).equityX18 + _health(b).equityX18;
        assertLt(pairX18, 2_000e18, "the colluding pair lost money");
        assertEq(insurance.ledgerBalance(), ledgerBefore, "the insurance fund paid nothing");
        assertGe(vault.collateralX18(_acct(a)), 0, "no bad debt");
        _assertIdentity();
        (uint256 balanceX18, int256 liabilitiesX18, bool holds) = vault.accountingIdentity();
        assertTrue(holds && int256(balanceX18) >= liabilitiesX18, "INV-1: solvent");
    }

    // ------------------------------------------------------------------ helpers

    /// @dev A keeper's pass: liquidate every liquidatable account until none is (partial first).
    function _keeperSweep() internal returns (uint256 count) {
        AccountId[] memory all = _allAccounts();
        for (uint256 round; round < 8; ++round) {
            (, bool[] memory flags) = engine.accountsHealth(all);
            bool any;
            for (uint256 i; i < all.length; ++i) {
                if (!flags[i] || _size(all[i]) == 0) continue;
                any = true;
                vm.prank(keeper);
                engine.liquidate(all[i], AAPL, type(uint256).max);
                ++count;
            }
            if (!any) return count;
        }
    }

    function _waterfall(
        Vm.Log[] memory logs
    ) internal view returns (uint256 paidTokens, uint256 coveredX18, uint256 debtX18, uint256 uncoveredX18) {
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].emitter != address(engine)) continue;
            if (logs[i].topics[0] == ILiquidationEngine.InsuranceCovered.selector) {
                (uint256 amount, , ) = abi.decode(logs[i].data, (uint256, uint256, uint256));
                paidTokens += amount;
            } else if (logs[i].topics[0] == ILiquidationEngine.BadDebtSettled.selector) {
                (uint256 debt, uint256 covered, uint256 uncovered) = abi.decode(
                    logs[i].data,
                    (uint256, uint256, uint256)
                );
                debtX18 += debt;
                coveredX18 += covered;
                uncoveredX18 += uncovered;
            }
        }
    }

    function _allAccounts() internal view returns (AccountId[] memory all) {
        all = new AccountId[](traders.length + 1);
        for (uint256 i; i < traders.length; ++i) all[i] = _acct(traders[i]);
        all[traders.length] = _acct(mm);
    }
}
