// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Vm} from "../utils/Vm.sol";
import {NyseFixture} from "./NyseFixture.sol";
import {OracleAdapter} from "../../contracts/core/OracleAdapter.sol";
import {Constants} from "../../contracts/libraries/Constants.sol";
import {MarketState, PriceState} from "../../contracts/types/Oracle.sol";

/// @notice The clearinghouse "trading with itself" during a weekend: arbitrary prices and notionals,
/// time advancing by arbitrary small steps, several trades per timestamp. Ghost state tracks P
/// before and after every update.
contract WeekendSelfTrader {
    Vm internal constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));

    OracleAdapter internal immutable adapter;
    bytes32 internal immutable marketId;
    uint256 internal immutable weekendEnd;

    /// @dev Largest single-update move seen, in bps of P before it (ceiling, so a violation shows).
    uint256 public maxStepBps;
    /// @dev Set when a second update in the same second moved P, or a step exceeded the cap.
    bool public violated;
    uint256 public updates;
    uint256 private lastMoveTime;

    constructor(OracleAdapter oracle, bytes32 market, uint256 end) {
        adapter = oracle;
        marketId = market;
        weekendEnd = end;
    }

    function trade(uint256 priceSeed, uint256 notionalSeed) public {
        uint256 priceX18 = _bound(priceSeed, 1, Constants.MAX_PRICE_X18);
        uint256 notionalX18 = _bound(notionalSeed, 0, 1e30);
        uint256 beforeX18 = adapter.checkpoint(marketId).internalPriceX18;
        adapter.recordTrade(marketId, priceX18, notionalX18);
        uint256 afterX18 = adapter.checkpoint(marketId).internalPriceX18;
        if (afterX18 == beforeX18) return;
        ++updates;
        uint256 moveX18 = afterX18 > beforeX18 ? afterX18 - beforeX18 : beforeX18 - afterX18;
        uint256 stepBps = (moveX18 * Constants.BPS + beforeX18 - 1) / beforeX18;
        if (stepBps > maxStepBps) maxStepBps = stepBps;
        if (moveX18 * Constants.BPS > beforeX18 * Constants.DEFAULT_MAX_EMA_STEP_BPS) violated = true;
        if (lastMoveTime == block.timestamp) violated = true;
        lastMoveTime = block.timestamp;
    }

    function tradeMany(uint256 priceSeed, uint256 notionalSeed, uint8 count) external {
        uint256 n = _bound(count, 2, 6);
        for (uint256 i; i < n; ++i) {
            trade(uint256(keccak256(abi.encode(priceSeed, i))), notionalSeed);
        }
    }

    function warp(uint256 secondsSeed) external {
        uint256 next = block.timestamp + _bound(secondsSeed, 0, 10 minutes);
        if (next < weekendEnd) vm.warp(next);
    }

    function _bound(uint256 x, uint256 min, uint256 max) private pure returns (uint256) {
        return min + (x % (max - min + 1));
    }
}

/// @notice INV-7: while closed, the mark stays inside the band, and one actor trading with itself
/// cannot move P faster than the per-update cap (one effective update per second, each <= 1 %).
contract OracleWeekendInvariantTest is NyseFixture {
    WeekendSelfTrader internal trader;

    function setUp() public {
        // Fri Nov 13 2026 19:00 EST (post-market); the last print at 19:59; weekend from 20:00.
        _deployAt(_utc(2026, 11, 14, 0, 0), 100e18);
        vm.warp(_utc(2026, 11, 14, 0, 59));
        streams.setPrice(AAPL, 100e18, block.timestamp);
        vm.warp(_utc(2026, 11, 14, 5, 0)); // Sat 00:00 EST
        adapter.poke(AAPL);
        trader = new WeekendSelfTrader(adapter, AAPL, _utc(2026, 11, 16, 1, 0)); // until Sun 20:00 EST
        vm.startPrank(admin);
        adapter.grantRole(adapter.TRADE_REPORTER_ROLE(), address(trader));
        vm.stopPrank();
        bytes4[] memory selectors = new bytes4[](3);
        selectors[0] = WeekendSelfTrader.trade.selector;
        selectors[1] = WeekendSelfTrader.tradeMany.selector;
        selectors[2] = WeekendSelfTrader.warp.selector;
        targetSelector(FuzzSelector(address(trader), selectors));
        targetContract(address(trader));
    }

    /// @dev The handler really moves P (the invariants are not vacuous): every 6 minutes for 10 hours
    /// a burst of trades at pseudo-random prices up to 1e30 USD (virtually all far above P) walks P
    /// out of the band, yet each step is <= 1 %, only the first trade of a second moves it, and the
    /// mark stays pinned at the band edge.
    function test_handler_WashTradingIsCappedAndClamped() public {
        for (uint256 i; i < 100; ++i) {
            trader.warp(6 minutes);
            trader.tradeMany(uint256(keccak256(abi.encode(i))), 1e24, 4);
            trader.trade(200e18 - 1, 1e24); // 200 USD: always above P here
        }
        assertGt(trader.updates(), 90, "P moved on most timestamps");
        assertFalse(trader.violated(), "no step above the cap, one move per second");
        PriceState memory s = adapter.priceState(AAPL);
        assertGt(adapter.checkpoint(AAPL).internalPriceX18, s.bandHighX18, "P left the band");
        assertEq(s.markPriceX18, s.bandHighX18, "the mark did not");
    }

    function invariant_markStaysInsideTheBand() public view {
        PriceState memory s = adapter.priceState(AAPL);
        assertEq(uint256(s.state), uint256(MarketState.CLOSED), "the whole run is inside the weekend");
        assertGe(s.markPriceX18, s.bandLowX18, "mark >= band low");
        assertLe(s.markPriceX18, s.bandHighX18, "mark <= band high");
        assertEq(s.anchorPriceX18, 100e18, "anchor never moves while closed");
    }

    function invariant_internalPriceMovesAtMostTheCapPerUpdate() public view {
        assertFalse(trader.violated(), "a step above 1 % or two moves in one second");
        assertLe(trader.maxStepBps(), Constants.DEFAULT_MAX_EMA_STEP_BPS, "largest step <= 1 %");
    }
}
