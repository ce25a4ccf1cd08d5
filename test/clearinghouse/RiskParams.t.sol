// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Test} from "../utils/Test.sol";
import {Constants} from "../../contracts/libraries/Constants.sol";
import {RiskParamsLib} from "../../contracts/libraries/RiskParamsLib.sol";
import {MarginMathHarness} from "../../contracts/mocks/MarginMathHarness.sol";
import {SessionRiskParamsStore} from "../../contracts/mocks/PackedStores.sol";
import {FundingParams, SessionRiskParams} from "../../contracts/types/Market.sol";
import {Session} from "../../contracts/types/Session.sol";

/// @notice Tests of the hard bounds (`RiskParamsLib.validate`, `validateFunding`) and the suggested
/// defaults: every bound is accepted at its edge and rejected one step beyond it.
contract RiskParamsTest is Test {
    MarginMathHarness internal harness;

    function setUp() public {
        harness = new MarginMathHarness();
    }

    function test_defaults_PassValidationInEverySession() public pure {
        for (uint8 s; s <= uint8(Session.OVERNIGHT); ++s) {
            RiskParamsLib.validate(RiskParamsLib.defaults(Session(s)));
        }
        RiskParamsLib.validateFunding(RiskParamsLib.defaultFunding());
    }

    function test_defaults_MatchSpecLeverage() public pure {
        assertEq(RiskParamsLib.maxLeverage(RiskParamsLib.defaults(Session.REGULAR)), 10, "regular 10x");
        assertEq(RiskParamsLib.maxLeverage(RiskParamsLib.defaults(Session.PRE_MARKET)), 5, "pre 5x");
        assertEq(RiskParamsLib.maxLeverage(RiskParamsLib.defaults(Session.POST_MARKET)), 5, "post 5x");
        assertEq(RiskParamsLib.maxLeverage(RiskParamsLib.defaults(Session.OVERNIGHT)), 5, "overnight 5x");
        assertEq(RiskParamsLib.maxLeverage(RiskParamsLib.defaults(Session.CLOSED)), 4, "closed 4x");
        SessionRiskParams memory regular = RiskParamsLib.defaults(Session.REGULAR);
        assertEq(regular.maintenanceMarginBps, 500, "regular MM 5 %");
        assertEq(regular.fillBandBps, 500, "LULD tier 1 band");
        assertEq(RiskParamsLib.defaults(Session.CLOSED).fundingMultiplierBps, 2_500, "closed funding damped");
        assertEq(RiskParamsLib.defaults(Session.OVERNIGHT).fundingMultiplierBps, 5_000, "overnight half");
        assertEq(RiskParamsLib.defaults(Session.PRE_MARKET).fundingMultiplierBps, 10_000, "extended full");
        assertEq(int256(RiskParamsLib.defaults(Session.OVERNIGHT).makerFeeBps), -1, "off-hours maker rebate");
    }

    function test_defaults_ClosedLeverageWithinOracleBandCap() public pure {
        // IM while closed (25 %) >= the widest closed band (20 %): SPEC 3.3's 1/maxLeverage rule.
        assertGe(
            RiskParamsLib.defaults(Session.CLOSED).initialMarginBps,
            Constants.CH_MAX_FILL_BAND_BPS,
            "closed IM >= band cap"
        );
    }

    function test_validate_AcceptsEveryBoundAtItsEdge() public pure {
        SessionRiskParams memory p = _valid();
        p.initialMarginBps = 200; // 50x
        p.maintenanceMarginBps = 199;
        RiskParamsLib.validate(p);
        p.initialMarginBps = 10_000; // 1x
        p.maintenanceMarginBps = 50;
        p.takerFeeBps = 100;
        p.makerFeeBps = -100; // rebate == taker fee
        p.fillBandBps = 2_000;
        p.fundingMultiplierBps = 20_000;
        p.openInterestCapX18 = uint128(Constants.CH_MAX_OPEN_INTEREST_CAP_X18);
        RiskParamsLib.validate(p);
        p.takerFeeBps = 0;
        p.makerFeeBps = 100;
        p.fillBandBps = 10;
        p.fundingMultiplierBps = 0;
        p.openInterestCapX18 = 0;
        RiskParamsLib.validate(p);
    }

    function test_validate_RevertIf_LeverageAboveMax() public {
        SessionRiskParams memory p = _valid();
        p.initialMarginBps = 199;
        p.maintenanceMarginBps = 100;
        vm.expectRevert(
            abi.encodeWithSelector(
                RiskParamsLib.RiskParams_InitialMarginOutOfRange.selector,
                199,
                200,
                10_000
            )
        );
        harness.validate(p);
    }

    function test_validate_RevertIf_InitialMarginAboveOneHundredPercent() public {
        SessionRiskParams memory p = _valid();
        p.initialMarginBps = 10_001;
        vm.expectRevert(
            abi.encodeWithSelector(
                RiskParamsLib.RiskParams_InitialMarginOutOfRange.selector,
                10_001,
                200,
                10_000
            )
        );
        harness.validate(p);
    }

    function test_validate_RevertIf_MaintenanceNotBelowInitial() public {
        SessionRiskParams memory p = _valid();
        p.maintenanceMarginBps = p.initialMarginBps;
        vm.expectRevert(
            abi.encodeWithSelector(
                RiskParamsLib.RiskParams_MaintenanceMarginOutOfRange.selector,
                1_000,
                50,
                1_000
            )
        );
        harness.validate(p);
    }

    function test_validate_RevertIf_MaintenanceBelowFloor() public {
        SessionRiskParams memory p = _valid();
        p.maintenanceMarginBps = 49;
        vm.expectRevert(
            abi.encodeWithSelector(
                RiskParamsLib.RiskParams_MaintenanceMarginOutOfRange.selector,
                49,
                50,
                1_000
            )
        );
        harness.validate(p);
    }

    function test_validate_RevertIf_TakerFeeNegative() public {
        SessionRiskParams memory p = _valid();
        p.takerFeeBps = -1;
        p.makerFeeBps = 0;
        vm.expectRevert(
            abi.encodeWithSelector(RiskParamsLib.RiskParams_TakerFeeOutOfRange.selector, -1, 100)
        );
        harness.validate(p);
    }

    function test_validate_RevertIf_TakerFeeAboveCap() public {
        SessionRiskParams memory p = _valid();
        p.takerFeeBps = 101;
        vm.expectRevert(
            abi.encodeWithSelector(RiskParamsLib.RiskParams_TakerFeeOutOfRange.selector, 101, 100)
        );
        harness.validate(p);
    }

    function test_validate_RevertIf_MakerRebateAboveTakerFee() public {
        SessionRiskParams memory p = _valid();
        p.takerFeeBps = 4;
        p.makerFeeBps = -5;
        vm.expectRevert(
            abi.encodeWithSelector(RiskParamsLib.RiskParams_MakerFeeOutOfRange.selector, -5, -4, 100)
        );
        harness.validate(p);
    }

    function test_validate_RevertIf_MakerFeeAboveCap() public {
        SessionRiskParams memory p = _valid();
        p.makerFeeBps = 101;
        vm.expectRevert(
            abi.encodeWithSelector(RiskParamsLib.RiskParams_MakerFeeOutOfRange.selector, 101, -4, 100)
        );
        harness.validate(p);
    }

    function test_validate_RevertIf_FillBandBelowMin() public {
        SessionRiskParams memory p = _valid();
        p.fillBandBps = 9;
        vm.expectRevert(
            abi.encodeWithSelector(RiskParamsLib.RiskParams_FillBandOutOfRange.selector, 9, 10, 2_000)
        );
        harness.validate(p);
    }

    function test_validate_RevertIf_FillBandAboveMax() public {
        SessionRiskParams memory p = _valid();
        p.fillBandBps = 2_001;
        vm.expectRevert(
            abi.encodeWithSelector(RiskParamsLib.RiskParams_FillBandOutOfRange.selector, 2_001, 10, 2_000)
        );
        harness.validate(p);
    }

    function test_validate_RevertIf_FundingMultiplierAboveMax() public {
        SessionRiskParams memory p = _valid();
        p.fundingMultiplierBps = 20_001;
        vm.expectRevert(
            abi.encodeWithSelector(
                RiskParamsLib.RiskParams_FundingMultiplierAboveMax.selector,
                20_001,
                20_000
            )
        );
        harness.validate(p);
    }

    function test_validate_RevertIf_OpenInterestCapAboveMax() public {
        SessionRiskParams memory p = _valid();
        p.openInterestCapX18 = uint128(Constants.CH_MAX_OPEN_INTEREST_CAP_X18 + 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                RiskParamsLib.RiskParams_OpenInterestCapAboveMax.selector,
                Constants.CH_MAX_OPEN_INTEREST_CAP_X18 + 1,
                Constants.CH_MAX_OPEN_INTEREST_CAP_X18
            )
        );
        harness.validate(p);
    }

    function testFuzz_validate_AcceptsExactlyTheBoundedSpace(
        uint16 im,
        uint16 mm,
        int16 maker,
        int16 taker,
        uint16 band,
        uint16 multiplier
    ) public {
        SessionRiskParams memory p = SessionRiskParams(im, mm, maker, taker, band, multiplier, 1e24);
        bool valid =
            im >= 200 &&
                im <= 10_000 &&
                mm >= 50 &&
                mm < im &&
                taker >= 0 &&
                taker <= 100 &&
                maker >= -taker &&
                maker <= 100 &&
                band >= 10 &&
                band <= 2_000 &&
                multiplier <= 20_000;
        if (!valid) vm.expectRevert();
        harness.validate(p);
    }

    function test_validateFunding_AcceptsEdges() public pure {
        RiskParamsLib.validateFunding(FundingParams(1e14, 5e13));
        RiskParamsLib.validateFunding(FundingParams(4e16, -5e13));
        RiskParamsLib.validateFunding(FundingParams(1e15, 0));
    }

    function test_validateFunding_RevertIf_RateCapBelowMin() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                RiskParamsLib.RiskParams_FundingRateCapOutOfRange.selector,
                1e14 - 1,
                1e14,
                4e16
            )
        );
        harness.validateFunding(FundingParams(1e14 - 1, 0));
    }

    function test_validateFunding_RevertIf_RateCapAboveMax() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                RiskParamsLib.RiskParams_FundingRateCapOutOfRange.selector,
                4e16 + 1,
                1e14,
                4e16
            )
        );
        harness.validateFunding(FundingParams(4e16 + 1, 0));
    }

    function test_validateFunding_RevertIf_InterestAboveMax() public {
        vm.expectRevert(
            abi.encodeWithSelector(RiskParamsLib.RiskParams_InterestRateOutOfRange.selector, 5e13 + 1, 5e13)
        );
        harness.validateFunding(FundingParams(1e15, 5e13 + 1));
    }

    function test_validateFunding_RevertIf_InterestBelowMin() public {
        vm.expectRevert(
            abi.encodeWithSelector(RiskParamsLib.RiskParams_InterestRateOutOfRange.selector, -5e13 - 1, 5e13)
        );
        harness.validateFunding(FundingParams(1e15, -5e13 - 1));
    }

    function test_sessionRiskParams_FitOneSlot() public {
        SessionRiskParamsStore store = new SessionRiskParamsStore();
        store.set(SessionRiskParams(1_000, 500, -1, 4, 500, 10_000, type(uint128).max));
        assertEq(uint256(vm.load(address(store), bytes32(uint256(1)))), 0, "nothing in slot 1");
        uint256 word = uint256(vm.load(address(store), bytes32(0)));
        assertEq(uint16(word), 1_000, "IM in the low bits");
        assertEq(word >> 96, type(uint128).max, "OI cap after six 16-bit fields");
    }

    function _valid() internal pure returns (SessionRiskParams memory) {
        return RiskParamsLib.defaults(Session.REGULAR);
    }
}
