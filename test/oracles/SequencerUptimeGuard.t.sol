// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AggregatorV3Interface} from "@chainlink/contracts/src/v0.8/shared/interfaces/AggregatorV3Interface.sol";
import {MockV3Aggregator} from "@chainlink/contracts/src/v0.8/tests/MockV3Aggregator.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {console} from "hardhat/console.sol";

import {ISequencerUptimeGuard} from "../../contracts/interfaces/ISequencerUptimeGuard.sol";
import {Constants} from "../../contracts/libraries/Constants.sol";
import {SequencerUptimeGuard} from "../../contracts/oracles/SequencerUptimeGuard.sol";
import {Test} from "../utils/Test.sol";

contract SequencerUptimeGuardTest is Test {
    bytes32 internal constant ADMIN_ROLE = 0x00;
    uint256 internal constant NOW = 1_767_225_600; // 2026-01-01 00:00:00 UTC
    uint256 internal constant GRACE = 1 hours;
    int256 internal constant UP = 0;
    int256 internal constant DOWN = 1;

    SequencerUptimeGuard internal guard;
    MockV3Aggregator internal feed;
    address internal admin;

    function setUp() public {
        vm.warp(NOW);
        admin = makeAddr("timelock");
        feed = new MockV3Aggregator(0, UP);
        guard = new SequencerUptimeGuard(AggregatorV3Interface(address(feed)), admin);
        _setStatus(UP, NOW - 1 days); // up for a day
    }

    /// @dev Chainlink's uptime feed: `startedAt` is when the status last changed.
    function _setStatus(int256 answer, uint256 startedAt) internal {
        feed.updateRoundData(uint80(feed.latestRound() + 1), answer, block.timestamp, startedAt);
    }

    function _assertStatus(bool expectedOk, uint256 expectedUpSince, string memory message) internal view {
        (bool ok, uint256 upSince) = guard.sequencerStatus();
        assertEq(ok, expectedOk, message);
        assertEq(upSince, expectedUpSince, message);
    }

    // ================================================================== status

    function test_sequencerStatus_OkWhenUpPastGracePeriod() public view {
        _assertStatus(true, NOW - 1 days, "up for a day");
        assertEq(guard.checkSequencer(), NOW - 1 days, "check passes");
    }

    function test_sequencerStatus_NotOkWhenDown() public {
        _setStatus(DOWN, NOW - 10 minutes);
        _assertStatus(false, 0, "down");
        vm.expectRevert(
            abi.encodeWithSelector(ISequencerUptimeGuard.Sequencer_Down.selector, NOW - 10 minutes)
        );
        guard.checkSequencer();
    }

    function test_sequencerStatus_NotOkInGracePeriod() public {
        uint256 cameUp = NOW - 30 minutes;
        _setStatus(UP, cameUp);
        _assertStatus(false, cameUp, "in grace period");
        vm.expectRevert(
            abi.encodeWithSelector(
                ISequencerUptimeGuard.Sequencer_GracePeriodNotOver.selector,
                cameUp,
                cameUp + GRACE
            )
        );
        guard.checkSequencer();
    }

    function test_sequencerStatus_NotOkAtExactEndOfGracePeriod() public {
        uint256 cameUp = NOW - GRACE;
        _setStatus(UP, cameUp);
        _assertStatus(false, cameUp, "grace period ends inclusive");
        vm.expectRevert(
            abi.encodeWithSelector(ISequencerUptimeGuard.Sequencer_GracePeriodNotOver.selector, cameUp, NOW)
        );
        guard.checkSequencer();
    }

    function test_sequencerStatus_OkJustAfterGracePeriod() public {
        uint256 cameUp = NOW - GRACE - 1;
        _setStatus(UP, cameUp);
        _assertStatus(true, cameUp, "one second after the grace period");
        assertEq(guard.checkSequencer(), cameUp, "check passes");
    }

    function test_sequencerStatus_OutageThenRecovery() public {
        _setStatus(DOWN, NOW);
        vm.warp(NOW + 2 hours);
        _assertStatus(false, 0, "still down");
        _setStatus(UP, NOW + 2 hours);
        vm.warp(NOW + 2 hours + GRACE);
        _assertStatus(false, NOW + 2 hours, "recovering");
        vm.warp(NOW + 2 hours + GRACE + 1);
        _assertStatus(true, NOW + 2 hours, "recovered");
    }

    function test_sequencerStatus_NotOkWhenStartedAtInFuture() public {
        _setStatus(UP, NOW + 5); // L1/L2 clock skew
        _assertStatus(false, NOW + 5, "came up in the future");
        vm.expectRevert(
            abi.encodeWithSelector(
                ISequencerUptimeGuard.Sequencer_GracePeriodNotOver.selector,
                NOW + 5,
                NOW + 5 + GRACE
            )
        );
        guard.checkSequencer();
    }

    function test_sequencerStatus_NeverRevertsOnAbsurdStartedAt() public {
        _setStatus(UP, type(uint256).max);
        _assertStatus(false, type(uint256).max, "absurd startedAt is not ok");
        vm.expectRevert(
            abi.encodeWithSelector(
                ISequencerUptimeGuard.Sequencer_GracePeriodNotOver.selector,
                type(uint256).max,
                type(uint256).max
            )
        );
        guard.checkSequencer();
    }

    function test_sequencerStatus_NotOkOnInvalidRound() public {
        _setStatus(UP, 0);
        _assertStatus(false, 0, "startedAt == 0");
        vm.expectRevert(
            abi.encodeWithSelector(
                ISequencerUptimeGuard.Sequencer_InvalidRound.selector,
                uint80(feed.latestRound())
            )
        );
        guard.checkSequencer();
    }

    function test_sequencerStatus_NotOkOnInvalidAnswer() public {
        _setStatus(2, NOW - 1 days);
        _assertStatus(false, 0, "answer 2");
        vm.expectRevert(
            abi.encodeWithSelector(ISequencerUptimeGuard.Sequencer_InvalidAnswer.selector, int256(2))
        );
        guard.checkSequencer();
    }

    function test_sequencerStatus_NotOkWhenFeedReverts() public {
        bytes memory reason = abi.encodeWithSignature("Error(string)", "feed paused");
        vm.mockCallRevert(
            address(feed),
            abi.encodeWithSelector(AggregatorV3Interface.latestRoundData.selector),
            reason
        );
        _assertStatus(false, 0, "feed reverts");
        vm.expectRevert(
            abi.encodeWithSelector(ISequencerUptimeGuard.Sequencer_FeedUnavailable.selector, reason)
        );
        guard.checkSequencer();
    }

    function testFuzz_sequencerStatus_OkIffUpAndPastGrace(
        int256 answer,
        uint256 startedAt,
        uint256 gracePeriod
    ) public {
        answer = bound(answer, -1, 3);
        startedAt = bound(startedAt, 0, NOW + 1 days);
        gracePeriod = bound(
            gracePeriod,
            Constants.SEQUENCER_GRACE_PERIOD_MIN,
            Constants.SEQUENCER_GRACE_PERIOD_MAX
        );
        vm.prank(admin);
        guard.setGracePeriod(gracePeriod);
        _setStatus(answer, startedAt);
        bool expectedOk = answer == UP && startedAt != 0 && startedAt + gracePeriod < NOW;
        uint256 expectedUpSince = answer == UP && startedAt != 0 ? startedAt : 0;
        _assertStatus(expectedOk, expectedUpSince, "ok iff up and past the grace period");
    }

    // ================================================================== governance

    function test_constructor_SetsFeedDefaultGraceAndAdmin() public view {
        assertEq(address(guard.uptimeFeed()), address(feed), "feed");
        assertEq(guard.gracePeriod(), Constants.SEQUENCER_GRACE_PERIOD_DEFAULT, "default grace");
        assertEq(Constants.SEQUENCER_GRACE_PERIOD_DEFAULT, 1 hours, "default is 1 h");
        assertTrue(guard.hasRole(ADMIN_ROLE, admin), "admin");
    }

    function test_constructor_RevertIf_ZeroAdmin() public {
        vm.expectRevert(abi.encodeWithSelector(ISequencerUptimeGuard.Sequencer_ZeroAddress.selector));
        new SequencerUptimeGuard(AggregatorV3Interface(address(feed)), address(0));
    }

    function test_constructor_RevertIf_FeedNotContract() public {
        address eoa = makeAddr("not a feed");
        vm.expectRevert(
            abi.encodeWithSelector(ISequencerUptimeGuard.Sequencer_FeedNotContract.selector, eoa)
        );
        new SequencerUptimeGuard(AggregatorV3Interface(eoa), admin);
    }

    function test_setGracePeriod_SetsWithinBounds() public {
        uint256 min = Constants.SEQUENCER_GRACE_PERIOD_MIN;
        uint256 max = Constants.SEQUENCER_GRACE_PERIOD_MAX;
        vm.expectEmit(false, false, false, true, address(guard));
        emit ISequencerUptimeGuard.GracePeriodSet(GRACE, min);
        vm.prank(admin);
        guard.setGracePeriod(min);
        assertEq(guard.gracePeriod(), min, "min inclusive");
        vm.prank(admin);
        guard.setGracePeriod(max);
        assertEq(guard.gracePeriod(), max, "max inclusive");
    }

    function test_setGracePeriod_RevertIf_OutOfRange() public {
        uint256 min = Constants.SEQUENCER_GRACE_PERIOD_MIN;
        uint256 max = Constants.SEQUENCER_GRACE_PERIOD_MAX;
        vm.startPrank(admin);
        vm.expectRevert(
            abi.encodeWithSelector(
                ISequencerUptimeGuard.Sequencer_GracePeriodOutOfRange.selector,
                min - 1,
                min,
                max
            )
        );
        guard.setGracePeriod(min - 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                ISequencerUptimeGuard.Sequencer_GracePeriodOutOfRange.selector,
                max + 1,
                min,
                max
            )
        );
        guard.setGracePeriod(max + 1);
        vm.stopPrank();
    }

    function test_setGracePeriod_RevertIf_NotAdmin() public {
        address stranger = makeAddr("stranger");
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector,
                stranger,
                ADMIN_ROLE
            )
        );
        vm.prank(stranger);
        guard.setGracePeriod(2 hours);
    }

    // ================================================================== gas

    /// @dev See `ChainlinkDataStreamsSourceTest.test_gas_submitReportAndLatestPrice` for the method.
    function test_gas_sequencerStatus() public view {
        uint256 before = gasleft();
        guard.sequencerStatus();
        uint256 statusGas = before - gasleft();
        console.log("SequencerUptimeGuard.sequencerStatus", statusGas);
        assertLe(statusGas, 25_000, "sequencerStatus");
    }
}
