// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Test} from "../utils/Test.sol";
import {Vm} from "../utils/Vm.sol";
import {LiquidationTestBase} from "./LiquidationTestBase.sol";
import {LiquidationEngine} from "../../contracts/core/LiquidationEngine.sol";
import {CollateralVault} from "../../contracts/core/CollateralVault.sol";
import {ILiquidationEngine} from "../../contracts/interfaces/ILiquidationEngine.sol";
import {PositionMath} from "../../contracts/libraries/PositionMath.sol";
import {AccountId} from "../../contracts/types/Account.sol";
import {AdlCandidate} from "../../contracts/types/Liquidation.sol";
import {Position} from "../../contracts/types/Market.sol";

/// @notice Drives the clearinghouse + liquidation engine with random trades at leverage 1x-9x, price
/// moves, liquidations of ANY account with ANY size, bad-debt settlements, ADL steps and donations;
/// a small insurance fund (500 USDC) makes the bankrupt branch and ADL reachable. Ghost state records
/// each violation of INV-4 and INV-10 as it happens.
contract LiquidationHandler is LiquidationTestBase {
    uint256 internal constant ACTORS = 5;

    address[] internal actors;
    address internal mm;

    /// @dev INV-4: a liquidation succeeded on an account that was healthy just before it.
    uint256 public healthyLiquidated;
    /// @dev INV-4: a liquidation grew or flipped the victim's position.
    uint256 public victimGrew;
    /// @dev INV-10: the insurance ledger moved by something else than the coverage the engine reported
    /// (or decreased outside the engine).
    uint256 public insuranceMismatch;
    /// @dev INV-10: an ADL step closed a position that was not profitable or not on the opposite side.
    uint256 public adlBadTarget;
    uint256 public opens;
    uint256 public liquidations;
    uint256 public adlSteps;
    uint256 public coveredTokens;

    constructor() {
        setUp();
        _drainInsurance();
        _donate(500e6);
        mm = _trader("mm", 50_000_000);
        for (uint256 i; i < ACTORS; ++i) actors.push(_trader(string.concat("actor", vm.toString(i)), 2_000));
    }

    // ------------------------------------------------------------------ actions

    function open(uint256 actorSeed, uint256 leverageSeed, bool isLong) external {
        address actor = actors[actorSeed % ACTORS];
        uint256 markX18 = oracle.priceState(AAPL).markPriceX18;
        int256 equityX18 = ch.accountHealth(_acct(actor)).equityX18;
        if (equityX18 <= 0) return;
        uint256 notionalX18 = uint256(equityX18) * bound(leverageSeed, 1, 9);
        uint256 sizeX18 = ((notionalX18 * 1e18) / markX18 / 1e15) * 1e15;
        if (sizeX18 == 0) return;
        uint256 priceX18 = (markX18 / 1e16) * 1e16;
        uint256 ledgerBefore = insurance.ledgerBalance();
        if (isLong) _tryOpen(actor, mm, sizeX18, priceX18);
        else _tryOpen(mm, actor, sizeX18, priceX18);
        if (insurance.ledgerBalance() != ledgerBefore) ++insuranceMismatch;
    }

    function movePrice(uint256 seed) external {
        uint256 markX18 = oracle.priceState(AAPL).markPriceX18;
        uint256 moveBps = bound(seed, 0, 3_000);
        uint256 newX18 =
            seed % 2 == 0
                ? (markX18 * (10_000 + moveBps)) / 10_000
                : (markX18 * (10_000 - moveBps / 2)) / 10_000;
        newX18 = bound(newX18, 20e18, 400e18);
        _setMark((newX18 / 1e16) * 1e16);
        vm.warp(block.timestamp + 2 hours); // past any circuit-breaker halt
    }

    function liquidate(uint256 actorSeed, uint256 sizeSeed) external {
        address actor = actorSeed % (ACTORS + 1) == ACTORS ? mm : actors[actorSeed % ACTORS];
        AccountId account = _acct(actor);
        bool wasLiquidatable = engine.isLiquidatable(account);
        int256 beforeX18 = _size(account);
        uint256 sizeX18 = sizeSeed % 3 == 0 ? type(uint256).max : bound(sizeSeed, 0, 50e18);
        uint256 ledgerBefore = insurance.ledgerBalance();
        vm.recordLogs();
        vm.prank(keeper);
        try engine.liquidate(account, AAPL, sizeX18) {
            ++liquidations;
            if (!wasLiquidatable) ++healthyLiquidated;
            int256 afterX18 = _size(account);
            if (!PositionMath.reducesRisk(beforeX18, afterX18) || afterX18 == beforeX18) ++victimGrew;
        } catch {}
        _checkCoverage(ledgerBefore);
    }

    function settleBadDebt(uint256 actorSeed) external {
        uint256 ledgerBefore = insurance.ledgerBalance();
        vm.recordLogs();
        try engine.settleBadDebt(_acct(actors[actorSeed % ACTORS])) {} catch {}
        _checkCoverage(ledgerBefore);
    }

    function adl(uint256 actorSeed) external {
        AccountId account = _acct(actors[actorSeed % ACTORS]);
        int256 sizeX18 = _size(account);
        if (sizeX18 == 0) return;
        AccountId[] memory opposite = _oppositeSide(sizeX18 > 0);
        if (opposite.length == 0) return;
        AdlCandidate[] memory ranking = engine.adlRanking(AAPL, opposite);
        uint256 best;
        for (uint256 i = 1; i < ranking.length; ++i)
            if (ranking[i].scoreX18 > ranking[best].scoreX18) best = i;
        AdlCandidate memory target = ranking[best];
        uint256 ledgerBefore = insurance.ledgerBalance();
        vm.recordLogs();
        try engine.adl(account, AAPL, target.account, opposite) {
            ++adlSteps;
            bool opposed = (target.sizeX18 > 0) != (sizeX18 > 0) && target.sizeX18 != 0;
            if (!opposed || target.unrealizedPnlX18 <= 0) ++adlBadTarget;
        } catch {}
        _checkCoverage(ledgerBefore);
    }

    function donate(uint256 amount) external {
        _donate(bound(amount, 1, 1_000e6));
    }

    // ------------------------------------------------------------------ helpers

    function _tryOpen(address buyer, address seller, uint256 sizeX18, uint256 priceX18) internal {
        try this.openExternal(buyer, seller, sizeX18, priceX18) {
            ++opens;
        } catch {}
    }

    function openExternal(address buyer, address seller, uint256 sizeX18, uint256 priceX18) external {
        require(msg.sender == address(this), "self only");
        _open(AAPL, buyer, seller, sizeX18, priceX18);
    }

    /// @dev INV-10: the fund's ledger fell by exactly the tokens the engine reported as coverage.
    function _checkCoverage(uint256 ledgerBefore) internal {
        Vm.Log[] memory logs = vm.getRecordedLogs();
        uint256 paid;
        for (uint256 i; i < logs.length; ++i) {
            if (
                logs[i].emitter == address(engine) &&
                logs[i].topics[0] == ILiquidationEngine.InsuranceCovered.selector
            ) {
                (uint256 amount, , ) = abi.decode(logs[i].data, (uint256, uint256, uint256));
                paid += amount;
            }
        }
        coveredTokens += paid;
        if (ledgerBefore - paid != insurance.ledgerBalance()) ++insuranceMismatch;
    }

    /// @dev Every account holding a position on the side opposite `long`, in strictly increasing order.
    function _oppositeSide(bool long) internal view returns (AccountId[] memory list) {
        AccountId[] memory all = allAccounts();
        uint256 count;
        list = new AccountId[](all.length);
        for (uint256 i; i < all.length; ++i) {
            int256 sizeX18 = _size(all[i]);
            if (sizeX18 != 0 && (sizeX18 > 0) != long) list[count++] = all[i];
        }
        // solhint-disable-next-line no-inline-assembly
        assembly {
            mstore(list, count)
        }
        for (uint256 i; i < count; ++i) {
            for (uint256 j = i + 1; j < count; ++j) {
                if (AccountId.unwrap(list[j]) < AccountId.unwrap(list[i]))
                    (list[i], list[j]) = (list[j], list[i]);
            }
        }
    }

    function allAccounts() public view returns (AccountId[] memory all) {
        all = new AccountId[](ACTORS + 2);
        for (uint256 i; i < ACTORS; ++i) all[i] = _acct(actors[i]);
        all[ACTORS] = _acct(mm);
        all[ACTORS + 1] = backstop;
    }

    function identity() external view returns (uint256 balanceX18, int256 liabilitiesX18) {
        (balanceX18, liabilitiesX18, ) = vault.accountingIdentity();
    }

    function insuranceBalances() external view returns (uint256 tokens, uint256 ledger) {
        return (usdc.balanceOf(address(insurance)), insurance.ledgerBalance());
    }
}

/// @notice INV-4 (a healthy account is never liquidatable; liquidation only reduces the victim's size)
/// and INV-10 (the waterfall is exact: insurance decreases only to cover bad debt; ADL touches only
/// profitable opposite-side positions), plus INV-1 on every state the handler reaches.
contract LiquidationInvariantTest is Test {
    LiquidationHandler internal handler;

    function setUp() public {
        handler = new LiquidationHandler();
        targetContract(address(handler));
        bytes4[] memory selectors = new bytes4[](8);
        selectors[0] = LiquidationHandler.open.selector;
        selectors[1] = LiquidationHandler.open.selector;
        selectors[2] = LiquidationHandler.movePrice.selector;
        selectors[3] = LiquidationHandler.liquidate.selector;
        selectors[4] = LiquidationHandler.liquidate.selector;
        selectors[5] = LiquidationHandler.settleBadDebt.selector;
        selectors[6] = LiquidationHandler.adl.selector;
        selectors[7] = LiquidationHandler.donate.selector;
        targetSelector(FuzzSelector({addr: address(handler), selectors: selectors}));
    }

    /// @dev A fixed walk through the handler's branches: leveraged longs, a crash, liquidations (partial,
    /// full, bankrupt with the small fund covering), an ADL attempt; no violation on the way.
    function test_handler_ReachesLiquidationsAndBadDebt() public {
        for (uint256 i; i < 5; ++i) handler.open(i, 9, i != 4);
        assertEq(handler.opens(), 5, "positions opened");
        handler.movePrice(1_601); // -8 %: 9x longs below maintenance, not bankrupt
        for (uint256 i; i < 5; ++i) handler.liquidate(i, 0);
        handler.movePrice(2_999); // -15 % more: bankrupt
        for (uint256 round; round < 3; ++round) {
            for (uint256 i; i < 5; ++i) {
                handler.adl(i);
                handler.liquidate(i, 0);
                handler.settleBadDebt(i);
            }
        }
        assertGe(handler.liquidations(), 4, "liquidations happened");
        assertGt(handler.coveredTokens() + handler.adlSteps(), 0, "bad debt reached the fund or ADL");
        invariant_healthyAccountNeverLiquidated();
        invariant_liquidationOnlyReducesTheVictim();
        invariant_insuranceDecreasesOnlyToCoverBadDebt();
        invariant_adlTouchesOnlyProfitableOppositePositions();
        invariant_accountingIdentity();
    }

    function invariant_healthyAccountNeverLiquidated() public view {
        assertEq(handler.healthyLiquidated(), 0, "INV-4: a healthy account was liquidated");
    }

    function invariant_liquidationOnlyReducesTheVictim() public view {
        assertEq(handler.victimGrew(), 0, "INV-4: a liquidation grew or flipped a position");
    }

    function invariant_insuranceDecreasesOnlyToCoverBadDebt() public view {
        assertEq(handler.insuranceMismatch(), 0, "INV-10: insurance moved outside bad-debt cover");
        (uint256 tokens, uint256 ledger) = handler.insuranceBalances();
        assertEq(tokens, ledger, "the fund's tokens equal its ledger");
    }

    function invariant_adlTouchesOnlyProfitableOppositePositions() public view {
        assertEq(handler.adlBadTarget(), 0, "INV-10: ADL touched an unprofitable or same-side position");
    }

    function invariant_accountingIdentity() public view {
        (uint256 balanceX18, int256 liabilitiesX18) = handler.identity();
        assertEq(int256(balanceX18), liabilitiesX18, "INV-1");
    }
}
