// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {LiquidationTestBase} from "./LiquidationTestBase.sol";
import {ILiquidationEngine} from "../../contracts/interfaces/ILiquidationEngine.sol";
import {Constants} from "../../contracts/libraries/Constants.sol";
import {AccountId} from "../../contracts/types/Account.sol";
import {AdlCandidate} from "../../contracts/types/Liquidation.sol";

/// @notice Auto-deleveraging: a bankrupt long (90 AAPL bought at 100 from bob 50 and carol 40 with
/// 1,000 USDC) at a mark of 88 (equity -83.6) with an EMPTY insurance fund. Bob (score PnL x
/// leverage ~ 26.2) outranks carol (~ 16.8).
contract LiquidationAdlTest is LiquidationTestBase {
    address internal victim;

    function setUp() public override {
        super.setUp();
        victim = _trader("victim", 1_000);
        _open(AAPL, victim, bob, 50e18, PRICE);
        _open(AAPL, victim, carol, 40e18, PRICE);
        _drainInsurance();
        _setMark(88e18);
    }

    function test_adl_ClosesAgainstTheTopRankedAtTheBankruptcyPrice() public {
        AccountId[] memory shorts = _sorted(bob, carol);
        AdlCandidate[] memory ranking = engine.adlRanking(AAPL, shorts);
        // P = 88 + 83.6 / 90 rounded up; bob buys back 50 of the victim's 90 at P.
        uint256 bankruptcyX18 = 88e18 + 928888888888888889;
        vm.expectEmit(true, true, true, false, address(engine));
        emit ILiquidationEngine.AdlExecuted(
            _acct(victim),
            _acct(bob),
            AAPL,
            50e18,
            bankruptcyX18,
            0,
            0,
            0,
            0
        );
        assertEq(engine.adl(_acct(victim), AAPL, _acct(bob), shorts), 50e18, "bob's whole short");
        assertEq(_size(_acct(bob)), 0, "bob closed");
        assertEq(_size(_acct(victim)), 40e18, "victim keeps 40");
        assertGt(_scoreOf(ranking, bob), _scoreOf(ranking, carol), "bob ranked first");
        // Bob gives up profit, never principal: he keeps 100,000 + (100 - P) * 50.
        assertGt(vault.collateralX18(_acct(bob)), 100_000e18, "bob still in profit");
        _assertIdentity();
    }

    function test_adl_TwoStepsLeaveTheAccountFlatAndSolvent() public {
        engine.adl(_acct(victim), AAPL, _acct(bob), _sorted(bob, carol));
        AccountId[] memory rest = new AccountId[](1);
        rest[0] = _acct(carol);
        assertEq(engine.adl(_acct(victim), AAPL, _acct(carol), rest), 40e18, "carol's short");
        assertEq(_size(_acct(victim)), 0, "flat");
        int256 collateral = vault.collateralX18(_acct(victim));
        assertTrue(collateral >= 0 && collateral < 1e6, "deficit absorbed to within rounding, in its favour");
        assertEq(insurance.ledgerBalance(), 0, "the empty fund paid nothing");
        _assertIdentity();
    }

    function test_adl_RevertIf_BetterRanked() public {
        AccountId[] memory shorts = _sorted(bob, carol);
        AdlCandidate[] memory ranking = engine.adlRanking(AAPL, shorts);
        vm.expectRevert(
            abi.encodeWithSelector(
                ILiquidationEngine.Liquidation_AdlBetterRanked.selector,
                _acct(carol),
                _scoreOf(ranking, carol),
                _acct(bob),
                _scoreOf(ranking, bob)
            )
        );
        engine.adl(_acct(victim), AAPL, _acct(carol), shorts);
    }

    function test_adl_RevertIf_Incomplete() public {
        AccountId[] memory onlyBob = new AccountId[](1);
        onlyBob[0] = _acct(bob);
        vm.expectRevert(
            abi.encodeWithSelector(ILiquidationEngine.Liquidation_AdlIncomplete.selector, 50e18, 90e18)
        );
        engine.adl(_acct(victim), AAPL, _acct(bob), onlyBob);
    }

    function test_adl_RevertIf_Unordered() public {
        AccountId[] memory shorts = _sorted(bob, carol);
        (shorts[0], shorts[1]) = (shorts[1], shorts[0]);
        vm.expectRevert(abi.encodeWithSelector(ILiquidationEngine.Liquidation_AdlUnordered.selector, 1));
        engine.adl(_acct(victim), AAPL, _acct(bob), shorts);
        AccountId[] memory twice = new AccountId[](2);
        twice[0] = _acct(bob);
        twice[1] = _acct(bob);
        vm.expectRevert(abi.encodeWithSelector(ILiquidationEngine.Liquidation_AdlUnordered.selector, 1));
        engine.adl(_acct(victim), AAPL, _acct(bob), twice);
    }

    function test_adl_RevertIf_WrongSideOrNoPosition() public {
        AccountId[] memory withVictim = _sorted(bob, victim);
        vm.expectRevert(
            abi.encodeWithSelector(ILiquidationEngine.Liquidation_AdlWrongSide.selector, _acct(victim), 90e18)
        );
        engine.adl(_acct(victim), AAPL, _acct(bob), withVictim);
        // An account without a position never absorbs loss.
        AccountId[] memory withFlat = _sorted(bob, stranger);
        vm.expectRevert(
            abi.encodeWithSelector(ILiquidationEngine.Liquidation_AdlWrongSide.selector, _acct(stranger), 0)
        );
        engine.adl(_acct(victim), AAPL, _acct(bob), withFlat);
    }

    function test_adl_RevertIf_TooManyCandidates() public {
        uint256 maxCount = Constants.LIQ_MAX_ADL_CANDIDATES;
        AccountId[] memory crowd = new AccountId[](maxCount + 1);
        for (uint256 i; i <= maxCount; ++i) crowd[i] = AccountId.wrap(bytes32(i + 1));
        vm.expectRevert(
            abi.encodeWithSelector(
                ILiquidationEngine.Liquidation_AdlTooManyCandidates.selector,
                maxCount + 1,
                maxCount
            )
        );
        engine.adl(_acct(victim), AAPL, _acct(bob), crowd);
    }

    function test_adl_RevertIf_TargetNotListed() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                ILiquidationEngine.Liquidation_AdlTargetNotListed.selector,
                _acct(stranger)
            )
        );
        engine.adl(_acct(victim), AAPL, _acct(stranger), _sorted(bob, carol));
    }

    function test_adl_RevertIf_TargetNotProfitable() public {
        // Erin shorts 10 at 87 against a new long while the mark is 88: her uPnL is -10.
        address erin = _trader("erin", 10_000);
        address frank = _trader("frank", 10_000);
        _afterCircuitBreaker();
        _open(AAPL, frank, erin, 10e18, 87e18);
        AccountId[] memory shorts = _sortedThree(bob, carol, erin);
        AccountHealth_ memory h = _healthOf(erin);
        vm.expectRevert(
            abi.encodeWithSelector(
                ILiquidationEngine.Liquidation_AdlTargetNotProfitable.selector,
                _acct(erin),
                -10e18,
                h.equity
            )
        );
        engine.adl(_acct(victim), AAPL, _acct(erin), shorts);
    }

    function test_adl_RevertIf_NotNeeded() public {
        _donate(1_000e6);
        vm.expectRevert(
            abi.encodeWithSelector(
                ILiquidationEngine.Liquidation_AdlNotNeeded.selector,
                _acct(victim),
                -83.6e18,
                1_000e18
            )
        );
        engine.adl(_acct(victim), AAPL, _acct(bob), _sorted(bob, carol));
    }

    function test_adl_RevertIf_AccountHasNoPosition() public {
        vm.expectRevert(
            abi.encodeWithSelector(ILiquidationEngine.Liquidation_NoPosition.selector, _acct(stranger), AAPL)
        );
        engine.adl(_acct(stranger), AAPL, _acct(bob), _sorted(bob, carol));
    }

    function test_adl_RevertIf_Paused() public {
        vm.prank(guardian);
        engine.pauseLiquidations();
        vm.expectRevert(
            abi.encodeWithSelector(
                ILiquidationEngine.Liquidation_Paused.selector,
                engine.liquidationsPausedUntil()
            )
        );
        engine.adl(_acct(victim), AAPL, _acct(bob), _sorted(bob, carol));
    }

    function test_adl_CapsThePriceAtTheTargetsBreakEven() public {
        // Dave, highly leveraged, shorts 90 at 88.5 (mark 88: a small profit, the top score). The
        // bankruptcy price 88.93 would cost him principal, so ADL closes at his entry 88.5; the rest of
        // the deficit stays with the (empty) fund as uncovered bad debt.
        address dave = _trader("dave", 1_000);
        address frank = _trader("frank", 100_000);
        _afterCircuitBreaker();
        _open(AAPL, frank, dave, 90e18, 88.5e18);
        AccountId[] memory shorts = _sortedThree(bob, carol, dave);
        assertEq(_top(engine.adlRanking(AAPL, shorts)), dave, "dave ranks first");
        // Closing 90 at 88.5 instead of the mark 88 gives the account 45 (its equity is ~ -83.64 after an
        // hour of funding).
        uint256 debtX18 = uint256(-(_health(victim).equityX18 + 45e18));
        vm.expectEmit(address(engine));
        emit ILiquidationEngine.BadDebtSettled(_acct(victim), debtX18, 0, debtX18);
        engine.adl(_acct(victim), AAPL, _acct(dave), shorts);
        assertGe(vault.collateralX18(_acct(dave)), 1_000e18 - 1e16, "dave kept his principal (less funding)");
        assertEq(vault.collateralX18(_acct(victim)), -int256(debtX18), "closed at dave's entry 88.5");
        _donate(100e6);
        assertEq(engine.settleBadDebt(_acct(victim)), debtX18, "covered once the fund is refilled");
        _assertIdentity();
    }

    // ------------------------------------------------------------------ helpers

    /// @dev The 12 % drop fired the circuit breaker (level 1: 15 min halt, 10 min reduce-only); new
    /// positions open after it.
    function _afterCircuitBreaker() internal {
        bytes32[] memory markets = new bytes32[](1);
        markets[0] = AAPL;
        ch.fund(markets); // records the breaker's trip
        vm.warp(block.timestamp + 1 hours);
    }

    struct AccountHealth_ {
        int256 equity;
    }

    function _healthOf(address owner) internal view returns (AccountHealth_ memory h) {
        h.equity = _health(owner).equityX18;
    }

    function _top(AdlCandidate[] memory ranking) internal pure returns (address best) {
        int256 bestScore = type(int256).min;
        for (uint256 i; i < ranking.length; ++i) {
            if (ranking[i].scoreX18 > bestScore) {
                bestScore = ranking[i].scoreX18;
                best = ranking[i].account.owner();
            }
        }
    }

    function _scoreOf(AdlCandidate[] memory ranking, address owner) internal pure returns (int256) {
        for (uint256 i; i < ranking.length; ++i) {
            if (ranking[i].account.owner() == owner) return ranking[i].scoreX18;
        }
        revert("not ranked");
    }

    function _sorted(address a, address b) internal pure returns (AccountId[] memory list) {
        list = new AccountId[](2);
        (list[0], list[1]) = a < b ? (_acct(a), _acct(b)) : (_acct(b), _acct(a));
    }

    function _sortedThree(address a, address b, address c) internal pure returns (AccountId[] memory list) {
        address[3] memory xs = [a, b, c];
        for (uint256 i; i < 3; ++i) {
            for (uint256 j = i + 1; j < 3; ++j) {
                if (xs[j] < xs[i]) (xs[i], xs[j]) = (xs[j], xs[i]);
            }
        }
        list = new AccountId[](3);
        for (uint256 i; i < 3; ++i) list[i] = _acct(xs[i]);
    }
}
