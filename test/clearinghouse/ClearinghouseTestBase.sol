// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Test} from "../utils/Test.sol";
import {Clearinghouse} from "../../contracts/core/Clearinghouse.sol";
import {CollateralVault} from "../../contracts/core/CollateralVault.sol";
import {InsuranceFund} from "../../contracts/core/InsuranceFund.sol";
import {MarketRegistry} from "../../contracts/core/MarketRegistry.sol";
import {IClearinghouse} from "../../contracts/interfaces/IClearinghouse.sol";
import {ICollateralVault} from "../../contracts/interfaces/ICollateralVault.sol";
import {IMarketRegistry} from "../../contracts/interfaces/IMarketRegistry.sol";
import {IOracleAdapter} from "../../contracts/interfaces/IOracleAdapter.sol";
import {ISequencerGuard} from "../../contracts/interfaces/ISequencerGuard.sol";
import {RiskParamsLib} from "../../contracts/libraries/RiskParamsLib.sol";
import {MockOracleAdapter} from "../../contracts/mocks/MockOracleAdapter.sol";
import {MockUSDC} from "../../contracts/mocks/MockUSDC.sol";
import {AccountId, AccountIdLib} from "../../contracts/types/Account.sol";
import {Match, MarketConfig, SkipReason} from "../../contracts/types/Clearinghouse.sol";
import {MarketStatus, SessionRiskParams} from "../../contracts/types/Market.sol";
import {Order} from "../../contracts/types/Order.sol";
import {Session} from "../../contracts/types/Session.sol";

/// @notice Shared fixture: USDC, insurance fund, vault, mock oracle, registry and clearinghouse
/// wired together; one market "AAPL-USD" at $100 with the SPEC default session parameters.
abstract contract ClearinghouseTestBase is Test {
    uint256 internal constant USDC = 1e6;
    bytes32 internal constant AAPL = bytes32("AAPL-USD");
    bytes32 internal constant TSLA = bytes32("TSLA-USD");
    uint256 internal constant PRICE = 100e18;

    MockUSDC internal usdc;
    InsuranceFund internal insurance;
    CollateralVault internal vault;
    MockOracleAdapter internal oracle;
    MarketRegistry internal registry;
    Clearinghouse internal ch;

    address internal admin;
    address internal guardian;
    address internal matcher;
    address internal lister;
    address internal riskManager;
    address internal alice;
    uint256 internal aliceKey;
    address internal bob;
    uint256 internal bobKey;
    address internal carol;
    uint256 internal carolKey;
    address internal stranger;

    uint256 internal nextNonce = 1;

    function setUp() public virtual {
        admin = makeAddr("admin");
        guardian = makeAddr("guardian");
        matcher = makeAddr("matcher");
        lister = makeAddr("lister");
        riskManager = makeAddr("riskManager");
        stranger = makeAddr("stranger");
        (alice, aliceKey) = makeAddrAndKey("alice");
        (bob, bobKey) = makeAddrAndKey("bob");
        (carol, carolKey) = makeAddrAndKey("carol");
        vm.warp(1_800_000_000);
        usdc = new MockUSDC();
        insurance = new InsuranceFund(usdc, admin);
        vault = new CollateralVault(usdc, insurance, admin, guardian);
        oracle = new MockOracleAdapter(ISequencerGuard(address(0)));
        registry = new MarketRegistry(IOracleAdapter(address(oracle)), admin);
        ch = new Clearinghouse(
            ICollateralVault(address(vault)),
            IOracleAdapter(address(oracle)),
            IMarketRegistry(address(registry)),
            admin,
            guardian
        );
        vm.startPrank(admin);
        insurance.setVault(address(vault));
        vault.setMarginAuthority(address(ch));
        ch.grantRole(ch.MATCHER_ROLE(), matcher);
        registry.grantRole(registry.MARKET_LISTER_ROLE(), lister);
        registry.grantRole(registry.RISK_MANAGER_ROLE(), riskManager);
        vm.stopPrank();
        _listMarket(AAPL, PRICE);
        _deposit(alice, 0, 100_000 * USDC);
        _deposit(bob, 0, 100_000 * USDC);
        _deposit(carol, 0, 100_000 * USDC);
    }

    // ------------------------------------------------------------------ fixture helpers

    function _defaultConfig() internal view returns (MarketConfig memory config) {
        config.tickSizeX18 = 1e16; // one cent
        config.stepSizeX18 = 1e15; // 0.001 share
        config.minOrderSizeX18 = 1e15;
        config.funding = RiskParamsLib.defaultFunding();
        config.breaker = registry.defaultCircuitBreakerParams();
    }

    function _defaultSessions() internal pure returns (SessionRiskParams[5] memory params) {
        for (uint256 i; i < 5; ++i) params[i] = RiskParamsLib.defaults(Session(i));
    }

    function _listMarket(bytes32 marketId, uint256 priceX18) internal {
        oracle.list(marketId, priceX18, 2_000);
        MarketConfig memory config = _defaultConfig();
        vm.prank(lister);
        registry.listMarket(marketId, config, _defaultSessions());
    }

    function _deposit(address user, uint96 subaccount, uint256 amount) internal {
        usdc.mint(user, amount);
        vm.startPrank(user);
        usdc.approve(address(vault), amount);
        vault.deposit(subaccount, amount);
        vm.stopPrank();
    }

    function _account(address owner) internal pure returns (AccountId) {
        return AccountIdLib.from(owner, 0);
    }

    function _order(
        address owner,
        bytes32 marketId,
        bool isBuy,
        uint256 sizeX18,
        uint256 limitPriceX18
    ) internal returns (Order memory order) {
        order = Order({
            owner: owner,
            subaccount: 0,
            signer: owner,
            marketId: marketId,
            isBuy: isBuy,
            sizeX18: sizeX18,
            limitPriceX18: limitPriceX18,
            expiry: uint64(block.timestamp + 1 days),
            nonce: nextNonce++,
            epoch: 0,
            flags: 0
        });
    }

    function _sign(Order memory order, uint256 key) internal view returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, ch.hashOrder(order));
        return abi.encodePacked(r, s, v);
    }

    function _keyOf(address user) internal view returns (uint256) {
        if (user == alice) return aliceKey;
        if (user == bob) return bobKey;
        return carolKey;
    }

    function _match(
        Order memory maker,
        Order memory taker,
        uint256 fillX18
    ) internal view returns (Match memory) {
        return
            Match(
                maker,
                _sign(maker, _keyOf(maker.signer)),
                taker,
                _sign(taker, _keyOf(taker.signer)),
                fillX18
            );
    }

    /// @dev maker sells / taker buys `sizeX18` at `priceX18` (maker = `seller`).
    function _trade(
        address seller,
        address buyer,
        uint256 sizeX18,
        uint256 priceX18
    ) internal returns (uint256) {
        Order memory maker = _order(seller, AAPL, false, sizeX18, priceX18);
        Order memory taker = _order(buyer, AAPL, true, sizeX18, priceX18);
        return _settle(_match(maker, taker, sizeX18));
    }

    function _settle(Match memory m) internal returns (uint256 settled) {
        Match[] memory matches = new Match[](1);
        matches[0] = m;
        vm.prank(matcher);
        settled = ch.settleMatches(matches);
    }

    function _expectSkip(Match memory m, SkipReason reason) internal {
        vm.expectEmit(address(ch));
        emit IClearinghouse.MatchSkipped(0, ch.hashOrder(m.maker), ch.hashOrder(m.taker), reason);
        assertEq(_settle(m), 0, "skipped");
    }

    /// @dev INV-1, exact: token balance == Σ collateral + fee treasury + Σ claims of positions.
    function _assertIdentity() internal view {
        (uint256 balanceX18, int256 liabilitiesX18, ) = vault.accountingIdentity();
        assertEq(int256(balanceX18), liabilitiesX18, "accounting identity");
    }
}
