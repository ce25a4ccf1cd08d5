// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {LiquidationTestBase} from "./LiquidationTestBase.sol";
import {ILiquidationEngine} from "../../contracts/interfaces/ILiquidationEngine.sol";
import {Constants} from "../../contracts/libraries/Constants.sol";
import {AccountId} from "../../contracts/types/Account.sol";
import {LiquidationRequest} from "../../contracts/types/Liquidation.sol";

/// @notice `liquidateBatch`: each entry exactly as `liquidate` would do it, an entry `liquidate` would
/// revert for skipped with that revert data while the others proceed. Three victims each bought 90
/// AAPL at 100 USD with 1,000 USDC (taker fee 3.6 USD); at a mark of 93 each is partially liquidatable
/// (equity 366.4 < MM 418.5 <= 2 x equity).
contract LiquidationBatchTest is LiquidationTestBase {
    address internal v1;
    address internal v2;
    address internal v3;
    address internal rich;

    function setUp() public override {
        super.setUp();
        v1 = _trader("v1", 1_000);
        v2 = _trader("v2", 1_000);
        v3 = _trader("v3", 1_000);
        rich = _trader("rich", 10_000);
        _open(AAPL, v1, bob, 90e18, PRICE);
        _open(AAPL, v2, bob, 90e18, PRICE);
        _open(AAPL, v3, bob, 90e18, PRICE);
        _open(AAPL, rich, bob, 90e18, PRICE);
        _setMark(93e18);
    }

    function test_liquidateBatch_LiquidatesEachAsLiquidateWould() public {
        LiquidationRequest[] memory requests = new LiquidationRequest[](3);
        requests[0] = LiquidationRequest(_acct(v1), AAPL, type(uint256).max); // re-run at the allowed size
        requests[1] = LiquidationRequest(_acct(v2), AAPL, 45e18); // exactly the allowed size
        requests[2] = LiquidationRequest(_acct(v3), AAPL, 20e18); // a smaller partial
        int256 backstopBefore = vault.collateralX18(backstop);
        vm.expectEmit(address(engine));
        emit ILiquidationEngine.Liquidated(
            _acct(v1),
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
        vm.prank(keeper);
        assertEq(engine.liquidateBatch(requests), 3, "three liquidated");
        assertEq(_size(_acct(v1)), 45e18, "v1 keeps half");
        assertEq(_size(_acct(v2)), 45e18, "v2 keeps half");
        assertEq(_size(_acct(v3)), 70e18, "v3 keeps 70");
        assertEq(_size(backstop), 110e18, "backstop took 45 + 45 + 20");
        // Penalty 2.5 % of the closed notional (rounded up), keeper 30 % of it.
        assertEq(vault.collateralX18(_acct(keeper)), 2 * 31.3875e18 + 13.95e18, "keeper rewards");
        assertEq(
            vault.collateralX18(backstop) - backstopBefore,
            2 * 73.2375e18 + 32.55e18,
            "insurance shares"
        );
        assertEq(_health(v1).equityX18, 366.4e18 - 104.625e18, "v1 equity after penalty");
        _assertIdentity();
    }

    function test_liquidateBatch_SkipsWhatLiquidateWouldRevertAndGoesOn() public {
        LiquidationRequest[] memory requests = new LiquidationRequest[](5);
        requests[0] = LiquidationRequest(_acct(v1), AAPL, type(uint256).max);
        requests[1] = LiquidationRequest(_acct(rich), AAPL, type(uint256).max); // healthy
        requests[2] = LiquidationRequest(_acct(carol), AAPL, 1e18); // no position
        requests[3] = LiquidationRequest(backstop, AAPL, 1e18); // the backstop itself
        requests[4] = LiquidationRequest(_acct(v2), AAPL, type(uint256).max);
        vm.expectEmit(address(engine));
        emit ILiquidationEngine.LiquidationSkipped(
            1,
            _acct(rich),
            AAPL,
            abi.encodeWithSelector(
                ILiquidationEngine.Liquidation_AccountHealthy.selector,
                _acct(rich),
                9_366.4e18,
                418.5e18
            )
        );
        vm.expectEmit(address(engine));
        emit ILiquidationEngine.LiquidationSkipped(
            2,
            _acct(carol),
            AAPL,
            abi.encodeWithSelector(ILiquidationEngine.Liquidation_NoPosition.selector, _acct(carol), AAPL)
        );
        vm.expectEmit(address(engine));
        emit ILiquidationEngine.LiquidationSkipped(
            3,
            backstop,
            AAPL,
            abi.encodeWithSelector(ILiquidationEngine.Liquidation_BackstopAccount.selector, backstop)
        );
        vm.prank(keeper);
        assertEq(engine.liquidateBatch(requests), 2, "v1 and v2 only");
        assertEq(_size(_acct(v1)), 45e18, "v1 liquidated");
        assertEq(_size(_acct(v2)), 45e18, "v2 liquidated after the skips");
        assertEq(_size(_acct(rich)), 90e18, "the healthy account untouched");
        assertEq(_size(backstop), 90e18, "backstop took 45 + 45");
        _assertIdentity();
    }

    /// @dev A second entry for the same account sees the first one's result: after the partial
    /// liquidation and its penalty the account is above maintenance margin again.
    function test_liquidateBatch_SameAccountTwiceSeesTheFirstResult() public {
        LiquidationRequest[] memory requests = new LiquidationRequest[](2);
        requests[0] = LiquidationRequest(_acct(v1), AAPL, type(uint256).max);
        requests[1] = LiquidationRequest(_acct(v1), AAPL, type(uint256).max);
        vm.expectEmit(address(engine));
        emit ILiquidationEngine.LiquidationSkipped(
            1,
            _acct(v1),
            AAPL,
            abi.encodeWithSelector(
                ILiquidationEngine.Liquidation_AccountHealthy.selector,
                _acct(v1),
                366.4e18 - 104.625e18,
                209.25e18
            )
        );
        vm.prank(keeper);
        assertEq(engine.liquidateBatch(requests), 1, "liquidated once");
        assertEq(_size(_acct(v1)), 45e18, "half");
    }

    function test_liquidateBatch_RevertIf_Paused() public {
        vm.prank(guardian);
        engine.pauseLiquidations();
        LiquidationRequest[] memory requests = new LiquidationRequest[](1);
        requests[0] = LiquidationRequest(_acct(v1), AAPL, type(uint256).max);
        vm.expectRevert(
            abi.encodeWithSelector(
                ILiquidationEngine.Liquidation_Paused.selector,
                block.timestamp + Constants.LIQ_PAUSE_DURATION
            )
        );
        engine.liquidateBatch(requests);
        assertEq(_size(_acct(v1)), 90e18, "nothing liquidated");
    }

    function test_liquidateBatch_RevertIf_EmptyOrTooLarge() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                ILiquidationEngine.Liquidation_InvalidBatchSize.selector,
                0,
                Constants.LIQ_MAX_BATCH
            )
        );
        engine.liquidateBatch(new LiquidationRequest[](0));
        LiquidationRequest[] memory requests = new LiquidationRequest[](Constants.LIQ_MAX_BATCH + 1);
        for (uint256 i; i < requests.length; ++i) requests[i] = LiquidationRequest(_acct(v1), AAPL, 1e18);
        vm.expectRevert(
            abi.encodeWithSelector(
                ILiquidationEngine.Liquidation_InvalidBatchSize.selector,
                Constants.LIQ_MAX_BATCH + 1,
                Constants.LIQ_MAX_BATCH
            )
        );
        engine.liquidateBatch(requests);
        assertEq(_size(_acct(v1)), 90e18, "nothing liquidated");
    }

    /// @dev `liquidate` reverts with exactly the data a batch entry reports (same path).
    function test_liquidate_RevertsWithTheSkipReason() public {
        AccountId account = _acct(rich);
        vm.expectRevert(
            abi.encodeWithSelector(
                ILiquidationEngine.Liquidation_AccountHealthy.selector,
                account,
                9_366.4e18,
                418.5e18
            )
        );
        vm.prank(keeper);
        engine.liquidate(account, AAPL, type(uint256).max);
    }
}
