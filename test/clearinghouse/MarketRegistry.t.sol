// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ClearinghouseTestBase} from "./ClearinghouseTestBase.sol";
import {MarketRegistry} from "../../contracts/core/MarketRegistry.sol";
import {IMarketRegistry} from "../../contracts/interfaces/IMarketRegistry.sol";
import {IOracleAdapter} from "../../contracts/interfaces/IOracleAdapter.sol";
import {Constants} from "../../contracts/libraries/Constants.sol";
import {RiskParamsLib} from "../../contracts/libraries/RiskParamsLib.sol";
import {CircuitBreakerParams, MarketConfig} from "../../contracts/types/Clearinghouse.sol";
import {FundingParams, MarketStatus, SessionRiskParams} from "../../contracts/types/Market.sol";
import {Session} from "../../contracts/types/Session.sol";
import {AccountId} from "../../contracts/types/Account.sol";
import {ICollateralVault} from "../../contracts/interfaces/ICollateralVault.sol";

contract MarketRegistryTest is ClearinghouseTestBase {
    function test_listMarket_StoresConfigAndSessions() public view {
        assertTrue(registry.isListed(AAPL));
        MarketConfig memory config = registry.marketConfig(AAPL);
        assertEq(uint256(config.status), uint256(MarketStatus.ACTIVE));
        assertEq(config.tickSizeX18, 1e16);
        SessionRiskParams memory closed = registry.sessionRiskParams(AAPL, Session.CLOSED);
        assertEq(closed.initialMarginBps, 2_500);
        (MarketConfig memory c2, SessionRiskParams memory regular) = registry.tradingConfig(
            AAPL,
            Session.REGULAR
        );
        assertTrue(c2.listed);
        assertEq(regular.initialMarginBps, 1_000);
        assertEq(registry.marketIds().length, 1);
    }

    /// @dev Market indices in account sets are 13 bits (`MarketSetLib.MAX_INDEX`): the registry
    /// lists at most `CH_MAX_MARKETS` markets. The list's length is set directly in storage (found
    /// as the slot holding 1 whose array data starts with AAPL) instead of listing 8,191 markets.
    function test_listMarket_RevertIf_TooManyMarkets() public {
        bytes32 lengthSlot = _marketIdsLengthSlot();
        vm.store(address(registry), lengthSlot, bytes32(Constants.CH_MAX_MARKETS - 1));
        _listMarket(TSLA, PRICE);
        assertEq(registry.marketIds().length, Constants.CH_MAX_MARKETS, "the last index is listable");
        bytes32 nvda = bytes32("NVDA-USD");
        oracle.list(nvda, PRICE, 2_000);
        MarketConfig memory config = _defaultConfig();
        vm.prank(lister);
        vm.expectRevert(
            abi.encodeWithSelector(IMarketRegistry.Registry_TooManyMarkets.selector, Constants.CH_MAX_MARKETS)
        );
        registry.listMarket(nvda, config, _defaultSessions());
        assertFalse(registry.isListed(nvda), "not listed");
    }

    function _marketIdsLengthSlot() private view returns (bytes32) {
        for (uint256 slot; slot < 64; ++slot) {
            if (uint256(vm.load(address(registry), bytes32(slot))) != 1) continue;
            if (vm.load(address(registry), keccak256(abi.encode(slot))) == AAPL) return bytes32(slot);
        }
        revert("marketIds length slot not found");
    }

    function test_listMarket_RevertIf_NotLister() public {
        MarketConfig memory config = _defaultConfig();
        bytes32 role = registry.MARKET_LISTER_ROLE();
        vm.prank(stranger);
        vm.expectRevert(
            abi.encodeWithSignature("AccessControlUnauthorizedAccount(address,bytes32)", stranger, role)
        );
        registry.listMarket(TSLA, config, _defaultSessions());
    }

    function test_listMarket_RevertIf_Invalid() public {
        MarketConfig memory config = _defaultConfig();
        SessionRiskParams[5] memory sessions = _defaultSessions();
        vm.startPrank(lister);
        vm.expectRevert(IMarketRegistry.Registry_ZeroMarketId.selector);
        registry.listMarket(bytes32(0), config, sessions);
        vm.expectRevert(abi.encodeWithSelector(IMarketRegistry.Registry_MarketAlreadyListed.selector, AAPL));
        registry.listMarket(AAPL, config, sessions);
        vm.expectRevert(abi.encodeWithSelector(IMarketRegistry.Registry_MarketNotInOracle.selector, TSLA));
        registry.listMarket(TSLA, config, sessions);
        vm.stopPrank();
        oracle.list(TSLA, PRICE, 3_000);
        vm.prank(lister);
        vm.expectRevert(
            abi.encodeWithSelector(
                IMarketRegistry.Registry_ClosedMarginBelowBandCap.selector,
                TSLA,
                2_500,
                3_000
            )
        );
        registry.listMarket(TSLA, config, sessions);
        config.minOrderSizeX18 = 1e15 + 1;
        vm.prank(lister);
        vm.expectRevert(
            abi.encodeWithSelector(IMarketRegistry.Registry_InvalidSizeParams.selector, 1e16, 1e15, 1e15 + 1)
        );
        registry.listMarket(TSLA, config, sessions);
    }

    function test_setSessionRiskParams_EnforcesBounds() public {
        SessionRiskParams memory params = RiskParamsLib.defaults(Session.REGULAR);
        params.maintenanceMarginBps = params.initialMarginBps;
        vm.prank(riskManager);
        vm.expectRevert(
            abi.encodeWithSelector(
                RiskParamsLib.RiskParams_MaintenanceMarginOutOfRange.selector,
                1_000,
                50,
                1_000
            )
        );
        registry.setSessionRiskParams(AAPL, Session.REGULAR, params);
        params.maintenanceMarginBps = 400;
        vm.expectEmit(address(registry));
        emit IMarketRegistry.SessionRiskParamsSet(AAPL, Session.REGULAR, params);
        vm.prank(riskManager);
        registry.setSessionRiskParams(AAPL, Session.REGULAR, params);
        assertEq(registry.sessionRiskParams(AAPL, Session.REGULAR).maintenanceMarginBps, 400);
    }

    function test_setSessionRiskParams_RevertIf_ClosedMarginBelowBandCap() public {
        SessionRiskParams memory params = RiskParamsLib.defaults(Session.CLOSED);
        params.initialMarginBps = 1_999;
        params.maintenanceMarginBps = 1_000;
        vm.prank(riskManager);
        vm.expectRevert(
            abi.encodeWithSelector(
                IMarketRegistry.Registry_ClosedMarginBelowBandCap.selector,
                AAPL,
                1_999,
                2_000
            )
        );
        registry.setSessionRiskParams(AAPL, Session.CLOSED, params);
    }

    function test_setters_RevertIf_UnknownMarketOrNotRiskManager() public {
        vm.startPrank(riskManager);
        vm.expectRevert(abi.encodeWithSelector(IMarketRegistry.Registry_UnknownMarket.selector, TSLA));
        registry.setMarketStatus(TSLA, MarketStatus.HALTED);
        vm.expectRevert(abi.encodeWithSelector(IMarketRegistry.Registry_UnknownMarket.selector, TSLA));
        registry.setSizeParams(TSLA, 1, 1, 1);
        vm.stopPrank();
        bytes32 role = registry.RISK_MANAGER_ROLE();
        vm.prank(stranger);
        vm.expectRevert(
            abi.encodeWithSignature("AccessControlUnauthorizedAccount(address,bytes32)", stranger, role)
        );
        registry.setMarketStatus(AAPL, MarketStatus.HALTED);
    }

    function test_setMarketStatus_RevertIf_Settled() public {
        vm.prank(riskManager);
        vm.expectRevert(
            abi.encodeWithSelector(IMarketRegistry.Registry_StatusNotSettable.selector, MarketStatus.SETTLED)
        );
        registry.setMarketStatus(AAPL, MarketStatus.SETTLED);
    }

    function test_setMarketStatus_EmitsTransition() public {
        vm.expectEmit(address(registry));
        emit IMarketRegistry.MarketStatusSet(AAPL, MarketStatus.ACTIVE, MarketStatus.REDUCE_ONLY);
        vm.prank(riskManager);
        registry.setMarketStatus(AAPL, MarketStatus.REDUCE_ONLY);
    }

    function test_setFundingParams_EnforcesBounds() public {
        FundingParams memory params = RiskParamsLib.defaultFunding();
        params.rateCapPerHourX18 = 1;
        vm.prank(riskManager);
        vm.expectRevert(
            abi.encodeWithSelector(RiskParamsLib.RiskParams_FundingRateCapOutOfRange.selector, 1, 1e14, 4e16)
        );
        registry.setFundingParams(AAPL, params);
        params.rateCapPerHourX18 = 2e15;
        vm.prank(riskManager);
        registry.setFundingParams(AAPL, params);
        assertEq(registry.marketConfig(AAPL).funding.rateCapPerHourX18, 2e15);
    }

    function test_setSizeParams_UpdatesAndValidates() public {
        vm.startPrank(riskManager);
        vm.expectRevert(abi.encodeWithSelector(IMarketRegistry.Registry_InvalidSizeParams.selector, 0, 1, 1));
        registry.setSizeParams(AAPL, 0, 1, 1);
        registry.setSizeParams(AAPL, 1e15, 1e16, 1e17);
        vm.stopPrank();
        assertEq(registry.marketConfig(AAPL).minOrderSizeX18, 1e17);
    }

    function test_setSizeParams_RevertIf_StepNotOnTheSplitQuantum() public {
        // 1e-9 share is the finest step: every split the oracle accepts rescales it exactly.
        uint256 step = Constants.CH_STEP_SIZE_QUANTUM_X18 + 1;
        vm.startPrank(riskManager);
        vm.expectRevert(
            abi.encodeWithSelector(IMarketRegistry.Registry_InvalidSizeParams.selector, 1e15, step, step * 10)
        );
        registry.setSizeParams(AAPL, 1e15, step, step * 10);
        registry.setSizeParams(AAPL, 1e15, Constants.CH_STEP_SIZE_QUANTUM_X18, 1e15);
        vm.stopPrank();
        assertEq(registry.marketConfig(AAPL).stepSizeX18, Constants.CH_STEP_SIZE_QUANTUM_X18);
    }

    function test_setCircuitBreakerParams_EnforcesBounds() public {
        CircuitBreakerParams memory params = registry.defaultCircuitBreakerParams();
        params.level2Bps = params.level1Bps;
        vm.prank(riskManager);
        vm.expectRevert(
            abi.encodeWithSelector(IMarketRegistry.Registry_InvalidCircuitBreaker.selector, params)
        );
        registry.setCircuitBreakerParams(AAPL, params);
        params = registry.defaultCircuitBreakerParams();
        params.windowSec = 1;
        vm.prank(riskManager);
        vm.expectRevert(
            abi.encodeWithSelector(IMarketRegistry.Registry_InvalidCircuitBreaker.selector, params)
        );
        registry.setCircuitBreakerParams(AAPL, params);
        params.windowSec = 1 hours;
        vm.prank(riskManager);
        registry.setCircuitBreakerParams(AAPL, params);
        assertEq(registry.marketConfig(AAPL).breaker.windowSec, 1 hours);
    }

    function test_constructor_RevertIf_ZeroAddress() public {
        vm.expectRevert(IMarketRegistry.Registry_ZeroAddress.selector);
        new MarketRegistry(IOracleAdapter(address(0)), admin);
    }
}

contract VaultSettlementTest is ClearinghouseTestBase {
    function test_applySettlement_RevertIf_NotMarginAuthority() public {
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSignature("Vault_CallerNotMarginAuthority(address)", stranger));
        vault.applySettlement(new AccountId[](0), new int256[](0), 0);
    }

    function test_applySettlement_RevertIf_LengthMismatch() public {
        vm.prank(address(ch));
        vm.expectRevert(abi.encodeWithSignature("Vault_LengthMismatch(uint256,uint256)", 1, 0));
        vault.applySettlement(new AccountId[](1), new int256[](0), 0);
    }

    function test_applySettlement_RevertIf_FeeTreasuryWouldGoNegative() public {
        vm.prank(address(ch));
        vm.expectRevert(abi.encodeWithSignature("Vault_InsufficientFees(uint256,uint256)", 0, 1));
        vault.applySettlement(new AccountId[](0), new int256[](0), -1);
    }

    function test_applySettlement_MovesLedgers() public {
        AccountId[] memory accounts = new AccountId[](2);
        accounts[0] = _account(alice);
        accounts[1] = _account(bob);
        int256[] memory deltas = new int256[](2);
        deltas[0] = 5e18;
        deltas[1] = -7e18;
        int256 totalBefore = vault.totalCollateralX18();
        vm.expectEmit(address(vault));
        emit ICollateralVault.CollateralSettled(accounts[0], 5e18);
        vm.prank(address(ch));
        vault.applySettlement(accounts, deltas, 2e18);
        assertEq(vault.collateralX18(accounts[0]), 100_005e18);
        assertEq(vault.collateralX18(accounts[1]), 99_993e18);
        assertEq(vault.totalCollateralX18(), totalBefore - 2e18);
        assertEq(vault.feeTreasuryX18(), 2e18);
        vm.prank(address(ch));
        vault.applySettlement(new AccountId[](0), new int256[](0), -2e18);
        assertEq(vault.feeTreasuryX18(), 0);
    }
}
