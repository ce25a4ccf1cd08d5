// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ClearinghouseFixture} from "./ClearinghouseFixture.sol";
import {IOracleCorporateActions} from "../../contracts/interfaces/IOracleCorporateActions.sol";
import {Match} from "../../contracts/types/Clearinghouse.sol";
import {Order} from "../../contracts/types/Order.sol";

/// @notice A smart wallet whose `isValidSignature` burns every unit of gas it is given (an infinite
/// loop in a view function: legal, and indistinguishable from an honest wallet until it is called).
contract GasBurningERC1271Wallet {
    function isValidSignature(bytes32, bytes calldata) external view returns (bytes4) {
        uint256 spins;
        for (;;) {
            spins += block.timestamp;
        }
    }
}

/// @notice FAILING tests: each one is a finding against the clearinghouse implementation, described
/// in `test/clearinghouse/FINDINGS.md`. They are expected to fail until the finding is fixed; they
/// live apart from the passing suites so that those stay green.
contract ClearinghouseFindingsTest is ClearinghouseFixture {
    uint256 internal constant ONE = 1e18;
    uint256 internal constant PRICE = 200e18;

    function setUp() public {
        _deploySystem();
    }

    /// @dev FINDING 1 (SPEC 5.2 "one bad match must not revert the batch"). ERC-1271 validation
    /// forwards all remaining gas (`SignatureChecker` staticcalls with `gas()`). A maker wallet that
    /// burns it leaves the batch 1/64 of its gas, and the 20 valid matches behind it run out of gas:
    /// the WHOLE batch reverts. Any account can do this with one resting order, on every batch the
    /// matcher includes it in (and a wallet can behave honestly in simulation, e.g. keyed on
    /// `block.number`, and burn on inclusion). Expected: the bad match is skipped (`MAKER_SIGNATURE`)
    /// and the 20 others settle.
    function test_settleMatches_GasBurningERC1271WalletDoesNotRevertTheBatch() public {
        GasBurningERC1271Wallet wallet = new GasBurningERC1271Wallet();
        _deposit(address(wallet), 0, 100_000);
        Match[] memory batch = new Match[](21);
        Order memory walletOrder = _order(address(wallet), AAPL, false, ONE, PRICE, 1);
        (address taker0, uint256 taker0Key) = makeAddrAndKey("taker 0");
        _deposit(taker0, 0, 100_000);
        Order memory taker0Order = _order(taker0, AAPL, true, ONE, PRICE, 1);
        batch[0] = _match(walletOrder, hex"01", taker0Order, _sign(taker0Key, taker0Order), ONE);
        for (uint256 i = 1; i < 21; ++i) batch[i] = _freshPair(i);
        vm.prank(matcher);
        try ch.settleMatches{gas: 15_000_000}(batch) returns (uint256 settled) {
            assertEq(settled, 20, "the 20 valid matches settle");
        } catch {
            fail("FINDING 1: one gas-burning ERC-1271 order reverted the whole batch");
        }
    }

    /// @dev Control for FINDING 1: the same 20 valid matches settle well within the same gas.
    function test_settleMatches_TwentyValidMatchesFitTheGasOfFinding1() public {
        Match[] memory batch = new Match[](20);
        for (uint256 i; i < 20; ++i) batch[i] = _freshPair(i + 1);
        vm.prank(matcher);
        assertEq(ch.settleMatches{gas: 15_000_000}(batch), 20, "all settle");
    }

    /// @dev FINDING 2 (INV-2 "Σ long size == Σ short size per market; recorded OI == Σ positions"),
    /// now a regression test. Positions are rescaled lazily with `floor(size * F / F0)`; a 1:3 reverse
    /// split turned a long of 0.001 into 0.000333333333333333 and a short of 0.001 into
    /// -0.000333333333333334, leaving the shorts one wei larger for good. The oracle now rejects split
    /// ratios whose reduced denominator does not divide the 1e-9-share step quantum, and a 1:4 reverse
    /// split of the same positions keeps longs equal to shorts exactly.
    function test_split_NonDividingReverseSplitKeepsLongsEqualToShorts() public {
        (address alice, uint256 aliceKey) = makeAddrAndKey("alice");
        (address bob, uint256 bobKey) = makeAddrAndKey("bob");
        (address carol, uint256 carolKey) = makeAddrAndKey("carol");
        _deposit(alice, 0, 100_000);
        _deposit(bob, 0, 100_000);
        _deposit(carol, 0, 100_000);
        // alice short 0.001, bob long 0.001.
        _trade(alice, aliceKey, false, bob, bobKey, STEP_X18, PRICE, 1);
        uint256 effective = block.timestamp + 1 days + 1 hours;
        vm.prank(admin);
        vm.expectRevert(abi.encodeWithSelector(IOracleCorporateActions.Oracle_SplitNotExact.selector, 1, 3));
        actions.scheduleSplit(AAPL, effective, 1, 3);
        vm.prank(admin);
        actions.scheduleSplit(AAPL, effective, 1, 4);
        while (block.timestamp + 30 minutes < effective) {
            vm.warp(block.timestamp + 30 minutes);
            _publishAll();
            _pokeAll();
        }
        vm.warp(effective);
        _publishAll();
        _publish(AAPL, PRICE * 4);
        _pokeAll();
        // Both positions are touched (and stored rescaled) by trades with carol.
        _trade(alice, aliceKey, false, carol, carolKey, STEP_X18, PRICE * 4, 2);
        _trade(carol, carolKey, false, bob, bobKey, STEP_X18, PRICE * 4, 3);
        int256 net;
        uint256 longs;
        uint256 shorts;
        address[3] memory owners = [alice, bob, carol];
        for (uint256 i; i < 3; ++i) {
            int256 size = ch.position(_account(owners[i], 0), AAPL).sizeX18;
            net += size;
            if (size > 0) longs += uint256(size);
            else shorts += uint256(-size);
        }
        (uint256 longOi, uint256 shortOi, ) = ch.openInterest(AAPL);
        assertEq(longOi, longs, "recorded long OI == sum of longs");
        assertEq(shortOi, shorts, "recorded short OI == sum of shorts");
        assertEq(net, 0, "sum of sizes is zero after a 1:4 reverse split");
    }

    // ------------------------------------------------------------------ helpers

    /// @dev A fresh maker (sells 1 AAPL) and a fresh taker (buys it), both funded.
    function _freshPair(uint256 i) internal returns (Match memory) {
        (address maker, uint256 makerKey) = makeAddrAndKey(string.concat("maker ", vm.toString(i)));
        (address taker, uint256 takerKey) = makeAddrAndKey(string.concat("taker ", vm.toString(i)));
        _deposit(maker, 0, 100_000);
        _deposit(taker, 0, 100_000);
        Order memory makerOrder = _order(maker, AAPL, false, ONE, PRICE, 1);
        Order memory takerOrder = _order(taker, AAPL, true, ONE, PRICE, 1);
        return _match(makerOrder, _sign(makerKey, makerOrder), takerOrder, _sign(takerKey, takerOrder), ONE);
    }

    /// @dev `maker` (buying when `makerBuys`) trades `size` with `taker` at `price`; must settle.
    function _trade(
        address maker,
        uint256 makerKey,
        bool makerBuys,
        address taker,
        uint256 takerKey,
        uint256 size,
        uint256 price,
        uint256 nonce
    ) internal {
        Order memory makerOrder = _order(maker, AAPL, makerBuys, size, price, nonce);
        Order memory takerOrder = _order(taker, AAPL, !makerBuys, size, price, nonce);
        Match memory m = _match(
            makerOrder,
            _sign(makerKey, makerOrder),
            takerOrder,
            _sign(takerKey, takerOrder),
            size
        );
        assertEq(_settleOne(m), 1, "trade settles");
    }
}
