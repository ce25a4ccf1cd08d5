// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Test} from "../utils/Test.sol";
import {Clearinghouse} from "../../contracts/core/Clearinghouse.sol";
import {CollateralVault} from "../../contracts/core/CollateralVault.sol";
import {InsuranceFund} from "../../contracts/core/InsuranceFund.sol";
import {MarketCalendar} from "../../contracts/core/MarketCalendar.sol";
import {MarketRegistry} from "../../contracts/core/MarketRegistry.sol";
import {OracleAdapter} from "../../contracts/core/OracleAdapter.sol";
import {OracleCorporateActions} from "../../contracts/core/OracleCorporateActions.sol";
import {ICollateralVault} from "../../contracts/interfaces/ICollateralVault.sol";
import {IInsuranceFund} from "../../contracts/interfaces/IInsuranceFund.sol";
import {IMarketCalendar} from "../../contracts/interfaces/IMarketCalendar.sol";
import {IMarketRegistry} from "../../contracts/interfaces/IMarketRegistry.sol";
import {IOracleAdapter} from "../../contracts/interfaces/IOracleAdapter.sol";
import {IPriceSource} from "../../contracts/interfaces/IPriceSource.sol";
import {ISequencerGuard} from "../../contracts/interfaces/ISequencerGuard.sol";
import {CalendarMath} from "../../contracts/libraries/CalendarMath.sol";
import {OrderLib} from "../../contracts/libraries/OrderLib.sol";
import {RiskParamsLib} from "../../contracts/libraries/RiskParamsLib.sol";
import {MockPriceSource} from "../../contracts/mocks/MockPriceSource.sol";
import {MockUSDC} from "../../contracts/mocks/MockUSDC.sol";
import {AccountId, AccountIdLib} from "../../contracts/types/Account.sol";
import {MarketConfig, Match} from "../../contracts/types/Clearinghouse.sol";
import {AccountHealth, MarketStatus, Position, SessionRiskParams} from "../../contracts/types/Market.sol";
import {PriceState} from "../../contracts/types/Oracle.sol";
import {Order} from "../../contracts/types/Order.sol";
import {DayKind, Session} from "../../contracts/types/Session.sol";

/// @notice The whole Sundial system as deployed, for the clearinghouse's invariant, adversarial and
/// gas tests: MockUSDC, `InsuranceFund`, `CollateralVault`, the REAL `MarketCalendar` (NYSE 2026
/// holidays and early closes), the REAL `OracleAdapter` (and its `OracleCorporateActions`) fed by one
/// `MockPriceSource` that serves every live session (pre, regular, post, overnight; CLOSED prices come
/// from the adapter's internal trade EMA), `MarketRegistry` with the suggested large-cap parameters
/// per session, and the `Clearinghouse` wired as the vault's margin authority and the oracle's trade
/// reporter.
/// @dev Time starts on Tuesday 10 March 2026, 14:00 UTC (10:00 New York, EDT): regular hours. After
/// `_deploySystem` every listed market is OPEN (past its reopening window) at its initial price.
abstract contract ClearinghouseFixture is Test {
    bytes32 internal constant AAPL = "AAPL-USD";
    bytes32 internal constant TSLA = "TSLA-USD";
    uint256 internal constant AAPL_PRICE = 200e18;
    uint256 internal constant TSLA_PRICE = 300e18;
    /// @dev Tick 0.01 USD, step and minimum 0.001 shares.
    uint256 internal constant TICK_X18 = 1e16;
    uint256 internal constant STEP_X18 = 1e15;
    uint256 internal constant USDC = 1e6;

    address internal admin = makeAddr("timelock");
    address internal guardian = makeAddr("guardian");
    address internal matcher = makeAddr("matcher");
    address internal keeper = makeAddr("keeper");

    MockUSDC internal usdc;
    InsuranceFund internal insurance;
    CollateralVault internal vault;
    MarketCalendar internal calendar;
    OracleAdapter internal adapter;
    OracleCorporateActions internal actions;
    MockPriceSource internal source;
    MarketRegistry internal registry;
    Clearinghouse internal ch;

    /// @dev The markets listed so far, in listing order, and the last external price pushed for each.
    bytes32[] internal markets;
    mapping(bytes32 marketId => uint256 priceX18) internal externalPriceX18;

    // ------------------------------------------------------------------ deployment

    /// @dev Tuesday 10 March 2026, 14:00 UTC: regular hours (13:30-20:00 UTC in EDT).
    function _startTime() internal pure returns (uint256) {
        return CalendarMath.daysFromCivil(2026, 3, 10) * 1 days + 14 hours;
    }

    /// @dev Deploys and wires everything and lists the initial markets, all OPEN.
    function _deploySystem() internal {
        vm.warp(_startTime());
        (uint256[] memory dayNumbers, DayKind[] memory kinds) = _nyse2026();
        calendar = new MarketCalendar(admin, dayNumbers, kinds);
        adapter = new OracleAdapter(IMarketCalendar(address(calendar)), ISequencerGuard(address(0)), admin);
        actions = OracleCorporateActions(address(adapter.corporateActions()));
        source = new MockPriceSource();
        usdc = new MockUSDC();
        insurance = new InsuranceFund(usdc, admin);
        vault = new CollateralVault(usdc, IInsuranceFund(address(insurance)), admin, guardian);
        registry = new MarketRegistry(IOracleAdapter(address(adapter)), admin);
        ch = new Clearinghouse(
            ICollateralVault(address(vault)),
            IOracleAdapter(address(adapter)),
            IMarketRegistry(address(registry)),
            admin,
            guardian
        );
        vm.startPrank(admin);
        insurance.setVault(address(vault));
        vault.setMarginAuthority(address(ch));
        adapter.grantRole(adapter.MARKET_LISTER_ROLE(), admin);
        adapter.grantRole(adapter.RISK_MANAGER_ROLE(), admin);
        adapter.grantRole(adapter.TRADE_REPORTER_ROLE(), address(ch));
        actions.grantRole(actions.CORPORATE_ACTIONS_ROLE(), admin);
        registry.grantRole(registry.MARKET_LISTER_ROLE(), admin);
        registry.grantRole(registry.RISK_MANAGER_ROLE(), admin);
        ch.grantRole(ch.MATCHER_ROLE(), matcher);
        vm.stopPrank();
        _listInitialMarkets();
        _openAllMarkets();
    }

    /// @dev AAPL at 200 USD and TSLA at 300 USD; a test may list more (they open together).
    function _listInitialMarkets() internal virtual {
        _listMarket(AAPL, AAPL_PRICE);
        _listMarket(TSLA, TSLA_PRICE);
    }

    /// @dev Lists `marketId` on the oracle (one source for every live session) and in the registry
    /// with the suggested large-cap parameters of each session.
    function _listMarket(bytes32 marketId, uint256 priceX18) internal {
        vm.startPrank(admin);
        adapter.listMarket(marketId, adapter.defaultMarketParams(500), priceX18);
        adapter.setSessionSources(
            marketId,
            Session.PRE_MARKET,
            IPriceSource(source),
            IPriceSource(address(0))
        );
        adapter.setSessionSources(marketId, Session.REGULAR, IPriceSource(source), IPriceSource(address(0)));
        adapter.setSessionSources(
            marketId,
            Session.POST_MARKET,
            IPriceSource(source),
            IPriceSource(address(0))
        );
        adapter.setSessionSources(
            marketId,
            Session.OVERNIGHT,
            IPriceSource(source),
            IPriceSource(address(0))
        );
        registry.listMarket(marketId, _marketConfig(), _sessionParams());
        vm.stopPrank();
        markets.push(marketId);
        externalPriceX18[marketId] = priceX18;
    }

    function _marketConfig() internal view returns (MarketConfig memory config) {
        config.listed = true;
        config.status = MarketStatus.ACTIVE;
        config.tickSizeX18 = TICK_X18;
        config.stepSizeX18 = STEP_X18;
        config.minOrderSizeX18 = STEP_X18;
        config.funding = RiskParamsLib.defaultFunding();
        config.breaker = registry.defaultCircuitBreakerParams();
    }

    function _sessionParams() internal pure returns (SessionRiskParams[5] memory params) {
        for (uint256 s; s < 5; ++s) {
            params[s] = RiskParamsLib.defaults(Session(s));
        }
    }

    /// @dev Publishes every market's price now and lets the reopening window pass: all OPEN.
    function _openAllMarkets() internal {
        _publishAll();
        _pokeAll();
        vm.warp(block.timestamp + 5 minutes + 1);
        _publishAll();
        _pokeAll();
    }

    // ------------------------------------------------------------------ oracle helpers

    /// @dev The keeper pushes `priceX18` for `marketId`, observed now.
    function _publish(bytes32 marketId, uint256 priceX18) internal {
        externalPriceX18[marketId] = priceX18;
        source.setPrice(marketId, priceX18, block.timestamp);
    }

    /// @dev Re-publishes every market's last price, observed now (a keeper's heartbeat).
    function _publishAll() internal {
        for (uint256 i; i < markets.length; ++i) {
            _publish(markets[i], externalPriceX18[markets[i]]);
        }
    }

    function _pokeAll() internal {
        for (uint256 i; i < markets.length; ++i) {
            adapter.poke(markets[i]);
        }
    }

    function _priceState(bytes32 marketId) internal view returns (PriceState memory) {
        return adapter.priceState(marketId);
    }

    function _markX18(bytes32 marketId) internal view returns (uint256) {
        return adapter.priceState(marketId).markPriceX18;
    }

    function _fund(bytes32 marketId) internal {
        bytes32[] memory ids = new bytes32[](1);
        ids[0] = marketId;
        ch.fund(ids);
    }

    // ------------------------------------------------------------------ accounts

    function _account(address owner, uint96 subaccount) internal pure returns (AccountId) {
        return AccountIdLib.from(owner, subaccount);
    }

    /// @dev Mints `amountUsd` whole USDC and deposits it for `(owner, subaccount)`.
    function _deposit(address owner, uint96 subaccount, uint256 amountUsd) internal {
        uint256 amount = amountUsd * USDC;
        usdc.mint(address(this), amount);
        usdc.approve(address(vault), amount);
        vault.depositFor(_account(owner, subaccount), amount);
    }

    function _health(address owner, uint96 subaccount) internal view returns (AccountHealth memory) {
        return ch.accountHealth(_account(owner, subaccount));
    }

    function _position(
        address owner,
        uint96 subaccount,
        bytes32 marketId
    ) internal view returns (Position memory) {
        return ch.position(_account(owner, subaccount), marketId);
    }

    function _collateral(address owner, uint96 subaccount) internal view returns (int256) {
        return vault.collateralX18(_account(owner, subaccount));
    }

    // ------------------------------------------------------------------ orders

    /// @dev An order of `owner` (subaccount 0, signed by the owner) valid for a day, epoch 0, no flags.
    function _order(
        address owner,
        bytes32 marketId,
        bool isBuy,
        uint256 sizeX18,
        uint256 limitPriceX18,
        uint256 nonce
    ) internal view returns (Order memory) {
        return
            Order({
                owner: owner,
                subaccount: 0,
                signer: owner,
                marketId: marketId,
                isBuy: isBuy,
                sizeX18: sizeX18,
                limitPriceX18: limitPriceX18,
                expiry: uint64(block.timestamp + 1 days),
                nonce: nonce,
                epoch: adapter.priceState(marketId).epoch,
                flags: 0
            });
    }

    /// @dev The EIP-712 domain separator of a clearinghouse at `verifyingContract` on `chainId`,
    /// computed independently of the contract (OpenZeppelin EIP712's type hash).
    function _domainSeparator(uint256 chainId, address verifyingContract) internal pure returns (bytes32) {
        return
            keccak256(
                abi.encode(
                    keccak256(
                        "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
                    ),
                    keccak256(bytes(OrderLib.DOMAIN_NAME)),
                    keccak256(bytes(OrderLib.DOMAIN_VERSION)),
                    chainId,
                    verifyingContract
                )
            );
    }

    function _digest(
        Order memory order,
        uint256 chainId,
        address verifyingContract
    ) internal pure returns (bytes32) {
        return OrderLib.digest(_domainSeparator(chainId, verifyingContract), OrderLib.hash(order));
    }

    /// @dev `key` signs `order` for this chain and this clearinghouse.
    function _sign(uint256 key, Order memory order) internal view returns (bytes memory) {
        return _signFor(key, order, block.chainid, address(ch));
    }

    function _signFor(
        uint256 key,
        Order memory order,
        uint256 chainId,
        address verifyingContract
    ) internal pure returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, _digest(order, chainId, verifyingContract));
        return abi.encodePacked(r, s, v);
    }

    function _match(
        Order memory maker,
        bytes memory makerSignature,
        Order memory taker,
        bytes memory takerSignature,
        uint256 fillSizeX18
    ) internal pure returns (Match memory) {
        return
            Match({
                maker: maker,
                makerSignature: makerSignature,
                taker: taker,
                takerSignature: takerSignature,
                fillSizeX18: fillSizeX18
            });
    }

    /// @dev The matcher settles one match; returns how many settled (0 or 1).
    function _settleOne(Match memory m) internal returns (uint256) {
        Match[] memory batch = new Match[](1);
        batch[0] = m;
        return _settle(batch);
    }

    function _settle(Match[] memory batch) internal returns (uint256 settled) {
        vm.prank(matcher);
        settled = ch.settleMatches(batch);
    }

    // ------------------------------------------------------------------ calendar data

    /// @dev SPEC section 2, 2026: holidays Jan 1, Jan 19, Feb 16, Apr 3, May 25, Jun 19, Jul 3,
    /// Sep 7, Nov 26, Dec 25; early closes Nov 27, Dec 24.
    function _nyse2026() internal pure returns (uint256[] memory dayNumbers, DayKind[] memory kinds) {
        uint16[12] memory monthDays = [
            uint16(101),
            119,
            216,
            403,
            525,
            619,
            703,
            907,
            1126,
            1225,
            1127,
            1224
        ];
        dayNumbers = new uint256[](12);
        kinds = new DayKind[](12);
        for (uint256 i; i < 12; ++i) {
            dayNumbers[i] = CalendarMath.daysFromCivil(2026, monthDays[i] / 100, monthDays[i] % 100);
            kinds[i] = i < 10 ? DayKind.HOLIDAY : DayKind.EARLY_CLOSE;
        }
    }
}
