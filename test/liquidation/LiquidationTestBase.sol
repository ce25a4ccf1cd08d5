// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ClearinghouseTestBase} from "../clearinghouse/ClearinghouseTestBase.sol";
import {LiquidationEngine} from "../../contracts/core/LiquidationEngine.sol";
import {IClearinghouse} from "../../contracts/interfaces/IClearinghouse.sol";
import {AccountId, AccountIdLib} from "../../contracts/types/Account.sol";
import {Match} from "../../contracts/types/Clearinghouse.sol";
import {AccountHealth} from "../../contracts/types/Market.sol";
import {Order} from "../../contracts/types/Order.sol";

/// @notice The clearinghouse fixture (mock oracle, AAPL at 100 USD, SPEC default session parameters)
/// plus the `LiquidationEngine` wired as in the deployment: `LIQUIDATOR_ROLE` on the clearinghouse,
/// `LIQUIDATION_ROLE` on the vault; the backstop account `(insuranceFund, 0)` holds 1,000,000 USDC of
/// collateral and the insurance fund 100,000 USDC.
abstract contract LiquidationTestBase is ClearinghouseTestBase {
    uint256 internal constant BACKSTOP_USDC = 1_000_000;
    uint256 internal constant INSURANCE_USDC = 100_000;

    LiquidationEngine internal engine;
    AccountId internal backstop;
    address internal keeper;
    mapping(address user => uint256 key) internal keys;

    function setUp() public virtual override {
        super.setUp();
        keeper = makeAddr("keeper");
        keys[alice] = aliceKey;
        keys[bob] = bobKey;
        keys[carol] = carolKey;
        engine = new LiquidationEngine(IClearinghouse(address(ch)), admin, guardian);
        vm.startPrank(admin);
        ch.grantRole(ch.LIQUIDATOR_ROLE(), address(engine));
        vault.grantRole(vault.LIQUIDATION_ROLE(), address(engine));
        vm.stopPrank();
        backstop = engine.backstopAccount();
        _fundBackstop(BACKSTOP_USDC * USDC);
        _donate(INSURANCE_USDC * USDC);
    }

    // ------------------------------------------------------------------ helpers

    function _trader(string memory name, uint256 usdc) internal returns (address user) {
        uint256 key;
        (user, key) = makeAddrAndKey(name);
        keys[user] = key;
        if (usdc != 0) _deposit(user, 0, usdc * USDC);
    }

    function _fundBackstop(uint256 amount) internal {
        usdc.mint(address(this), amount);
        usdc.approve(address(vault), amount);
        vault.depositFor(backstop, amount);
    }

    function _donate(uint256 amount) internal {
        usdc.mint(address(this), amount);
        usdc.approve(address(insurance), amount);
        insurance.donate(amount);
    }

    /// @dev `buyer` goes long and `seller` short `sizeX18` of `marketId` at `priceX18` (seller = maker).
    function _open(
        bytes32 marketId,
        address buyer,
        address seller,
        uint256 sizeX18,
        uint256 priceX18
    ) internal {
        Order memory maker = _order(seller, marketId, false, sizeX18, priceX18);
        Order memory taker = _order(buyer, marketId, true, sizeX18, priceX18);
        Match memory m = Match(
            maker,
            _signWith(maker, keys[seller]),
            taker,
            _signWith(taker, keys[buyer]),
            sizeX18
        );
        assertEq(_settle(m), 1, "trade settled");
    }

    function _signWith(Order memory order, uint256 key) internal view returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, ch.hashOrder(order));
        return abi.encodePacked(r, s, v);
    }

    function _setMark(uint256 priceX18) internal {
        oracle.setPrice(AAPL, priceX18, priceX18);
    }

    function _acct(address owner) internal pure returns (AccountId) {
        return AccountIdLib.from(owner, 0);
    }

    function _health(address owner) internal view returns (AccountHealth memory) {
        return ch.accountHealth(_acct(owner));
    }

    function _size(AccountId account) internal view returns (int256) {
        return ch.position(account, AAPL).sizeX18;
    }

    function _liquidate(address user, uint256 sizeX18) internal returns (uint256) {
        vm.prank(keeper);
        return engine.liquidate(_acct(user), AAPL, sizeX18);
    }

    function _drainInsurance() internal {
        // Only the vault can take tokens out of the fund: emulate a fund spent on earlier bad debt.
        uint256 ledger = insurance.ledgerBalance();
        vm.prank(address(vault));
        insurance.payToVault(ledger);
        vm.prank(address(vault));
        usdc.transfer(address(0xdead), ledger);
    }
}
