// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Constants} from "../../contracts/libraries/Constants.sol";
import {FundingMath} from "../../contracts/libraries/FundingMath.sol";
import {PositionMath} from "../../contracts/libraries/PositionMath.sol";
import {RiskParamsLib} from "../../contracts/libraries/RiskParamsLib.sol";
import {
    FundingParams,
    FundingState,
    PackedFundingState,
    PackedPosition,
    Position,
    SessionRiskParams
} from "../../contracts/types/Market.sol";
import {Session} from "../../contracts/types/Session.sol";
import {Test} from "../utils/Test.sol";

// The handler lives in this file so that running this test file alone still gives the fuzzer the
// handler's artifact (Hardhat emits artifacts only for the files it was asked to compile as roots).

/// @notice A one-market ledger built only from the clearinghouse libraries, the way the
/// clearinghouse will use them: every touch syncs the position (funding, then split), fills go
/// through `applyFill` with maker/taker fees, trades and `fund()` sample the premium, and splits
/// and dividends arrive from an oracle-like price feed. Positions and the funding state live in
/// their packed storage forms. The ledger never checks margin: accounting must hold for any
/// sequence, including insolvent accounts.
contract LedgerHandler is Test {
    uint256 internal constant ACCOUNTS = 4;
    int256 internal constant DEPOSIT_X18 = 1_000_000e18;
    uint256 internal constant BASE_STEP_X18 = 1e9;

    PackedPosition[ACCOUNTS] internal positions;
    /// @dev Funding checkpoints as the clearinghouse keeps them per market: every other fill stores
    /// its position checkpointed, the others inline, so both storage forms carry the accounting.
    mapping(uint256 checkpoint => uint256 word) internal checkpoints;
    uint256 internal checkpointCount;
    int256[ACCOUNTS] public collateralX18;
    PackedFundingState internal fundingState;
    FundingParams internal fundingParams;
    SessionRiskParams internal risk;

    uint256 public priceX18 = 100e18;
    uint256 public splitFactorX18 = 1e18;
    uint256 public cumulativeDividendX18;
    int256 public feesX18;
    int256 public totalDepositsX18;
    uint256 public operations;
    /// @dev Ghost: funding settled into collateral so far (+ paid by accounts), and settlements.
    int256 public fundingSettledX18;
    uint256 public settlements;
    mapping(bytes32 action => uint256 count) public calls;

    constructor() {
        fundingParams = RiskParamsLib.defaultFunding();
        // Off-hours parameters: a maker rebate (-1 bp) paid out of the taker fee (6 bps), 10 % band.
        risk = RiskParamsLib.defaults(Session.OVERNIGHT);
        FundingState memory state;
        state.lastUpdateTime = block.timestamp;
        state.lastMultiplierBps = risk.fundingMultiplierBps;
        fundingState = FundingMath.pack(state);
        for (uint256 i; i < ACCOUNTS; ++i) {
            collateralX18[i] = DEPOSIT_X18;
            totalDepositsX18 += DEPOSIT_X18;
        }
    }

    // ------------------------------------------------------------------ actions

    /// @notice `maker` buys (or sells) `size` from `taker` at a price inside the fill band.
    function trade(
        uint256 makerSeed,
        uint256 takerSeed,
        uint256 sizeSeed,
        uint256 priceSeed,
        bool makerBuys
    ) external {
        uint256 maker = makerSeed % ACCOUNTS;
        uint256 taker = takerSeed % ACCOUNTS;
        if (maker == taker) return;
        uint256 band = (priceX18 * risk.fillBandBps) / Constants.BPS;
        uint256 fillPrice = bound(priceSeed, priceX18 - band, priceX18 + band);
        int256 size = int256(bound(sizeSeed, 1, 1e12) * stepX18());
        if (!makerBuys) size = -size;
        FundingState memory state = _accrued();
        FundingMath.sample(state, FundingMath.premiumX18(fillPrice, priceX18), risk.fundingMultiplierBps);
        fundingState = FundingMath.pack(state);
        _fill(maker, size, fillPrice, risk.makerFeeBps, state.indexX18);
        _fill(taker, -size, fillPrice, risk.takerFeeBps, state.indexX18);
        _count("trade");
    }

    /// @notice Time passes and the index moves by up to +/- 5 %.
    function warp(uint256 elapsedSeed, uint256 moveSeed) external {
        vm.warp(block.timestamp + bound(elapsedSeed, 1, 3 days));
        uint256 moveBps = bound(moveSeed, 9_500, 10_500);
        priceX18 = (priceX18 * moveBps) / Constants.BPS + 1;
        _count("warp");
    }

    /// @notice A keeper's `fund()`: accrue and keep the premium, switch the session multiplier.
    function fund(uint256 sessionSeed) external {
        FundingState memory state = _accrued();
        Session session = Session(sessionSeed % 5);
        FundingMath.sample(state, state.lastPremiumX18, RiskParamsLib.defaults(session).fundingMultiplierBps);
        fundingState = FundingMath.pack(state);
        _count("fund");
    }

    /// @notice A 4:1 split or a 1:10 reverse split (the oracle rescales the price). A reverse split
    /// is applied only while it keeps the step size a whole number of wei (see `stepX18`), as the
    /// clearinghouse's market listing must ensure; then every lazy rescale is exact.
    function split(bool forward) external {
        uint256 factor = splitFactorX18;
        bool stepStaysIntegral = factor % 10 == 0 && ((factor / 10) * BASE_STEP_X18) % 1e18 == 0;
        if (forward && factor * 4 <= Constants.CH_MAX_ABS_SIZE_X18 / 1e8) {
            splitFactorX18 = factor * 4;
            priceX18 = priceX18 / 4 + 1;
        } else if (!forward && factor / 10 >= 1e14 && stepStaysIntegral) {
            splitFactorX18 = factor / 10;
            priceX18 *= 10;
        } else {
            return;
        }
        fundingState = FundingMath.pack(_accrued());
        _count("split");
    }

    /// @notice The step size in current shares: 1e-9 base shares, so every position is a whole number
    /// of steps and a split rescales it exactly.
    function stepX18() public view returns (uint256) {
        return (BASE_STEP_X18 * splitFactorX18) / 1e18;
    }

    /// @notice A cash dividend of up to 2 % of the price (the oracle lowers the price by it and
    /// raises its per-base-share accumulator).
    function dividend(uint256 amountSeed) external {
        FundingState memory state = _accrued();
        uint256 amountX18 = bound(amountSeed, 1, priceX18 / 50);
        priceX18 -= amountX18;
        cumulativeDividendX18 += (amountX18 * splitFactorX18) / 1e18;
        FundingMath.applyDividend(state, cumulativeDividendX18);
        fundingState = FundingMath.pack(state);
        _count("dividend");
    }

    // ------------------------------------------------------------------ views for the invariants

    /// @notice Each account's position brought up to date in memory: (size, uPnL - owed funding).
    function syncedPosition(
        uint256 account
    ) public view returns (int256 sizeX18, int256 valueX18, int256 owedX18) {
        FundingState memory state = _accruedView();
        Position memory position = PositionMath.load(positions[account], checkpoints);
        owedX18 = PositionMath.sync(position, state.indexX18, splitFactorX18);
        sizeX18 = position.sizeX18;
        valueX18 =
            PositionMath.unrealizedPnlX18(position.sizeX18, position.openNotionalX18, priceX18) - owedX18;
    }

    function accounts() external pure returns (uint256) {
        return ACCOUNTS;
    }

    // ------------------------------------------------------------------ internals

    function _fill(uint256 account, int256 size, uint256 price, int256 feeBps, int256 index) internal {
        Position memory position = PositionMath.load(positions[account], checkpoints);
        int256 owed = PositionMath.sync(position, index, splitFactorX18);
        fundingSettledX18 += owed;
        ++settlements;
        (int256 newSize, int256 newBasis, int256 realized) = PositionMath.applyFill(
            position.sizeX18,
            position.openNotionalX18,
            size,
            price
        );
        int256 fee = PositionMath.tradingFeeX18(size, price, feeBps);
        position.sizeX18 = newSize;
        position.openNotionalX18 = newBasis;
        uint256 checkpoint;
        if (settlements % 2 == 0) {
            checkpoint = _checkpoint(
                PositionMath.fundingWord(position.lastFundingIndexX18, position.splitFactorX18)
            );
        }
        PositionMath.store(positions[account], position, checkpoint, false);
        collateralX18[account] += realized - owed - fee;
        feesX18 += fee;
    }

    /// @dev The latest checkpoint if it holds `word`, else a new one.
    function _checkpoint(uint256 word) internal returns (uint256) {
        if (checkpointCount == 0 || checkpoints[checkpointCount] != word)
            checkpoints[++checkpointCount] = word;
        return checkpointCount;
    }

    function _accrued() internal returns (FundingState memory state) {
        state = _accruedView();
        ++operations;
    }

    function _accruedView() internal view returns (FundingState memory state) {
        state = FundingMath.unpack(fundingState);
        FundingMath.accrue(state, fundingParams, priceX18, splitFactorX18, block.timestamp);
        FundingMath.applyDividend(state, cumulativeDividendX18);
    }

    function _count(bytes32 action) internal {
        ++calls[action];
    }
}

/// @notice Invariants of the clearinghouse libraries working together (SPEC section 10):
/// INV-1 in ledger form (the protocol never owes more than it holds; only dust separates them),
/// INV-2 (net size zero, across splits), INV-3 (funding zero-sum over the whole history) and the
/// fee ledger (rebates never exceed fees).
contract ClearinghouseMathInvariantTest is Test {
    LedgerHandler internal handler;

    function setUp() public {
        handler = new LedgerHandler();
        targetContract(address(handler));
    }

    /// @dev INV-1: collateral + fees + Σ (uPnL - owed funding) never exceeds the deposits, and falls
    /// short only by rounding dust (at most 1e-6 USD per operation).
    function invariant_claimsNeverExceedDeposits() public view {
        int256 claims = handler.feesX18();
        for (uint256 i; i < handler.accounts(); ++i) {
            (, int256 value, ) = handler.syncedPosition(i);
            claims += handler.collateralX18(i) + value;
        }
        int256 deposits = handler.totalDepositsX18();
        assertLe(claims, deposits, "claims <= deposits");
        assertGe(claims, deposits - int256(1e12 * (handler.operations() + 1)), "only dust is lost");
    }

    /// @dev INV-2: longs and shorts net to zero, across lazily applied splits (positions are whole
    /// numbers of steps, so every rescale is exact).
    function invariant_netSizeIsZero() public view {
        int256 net;
        for (uint256 i; i < handler.accounts(); ++i) {
            (int256 size, , ) = handler.syncedPosition(i);
            assertEq(size % int256(handler.stepX18()), 0, "a whole number of steps");
            net += size;
        }
        assertEq(net, 0, "sum of sizes");
    }

    /// @dev INV-3: over the whole history, funding paid (settled into collateral plus still pending)
    /// covers funding received, up to one wei of protocol-favouring dust per settlement.
    function invariant_fundingIsZeroSum() public view {
        int256 paid = handler.fundingSettledX18();
        for (uint256 i; i < handler.accounts(); ++i) {
            (, , int256 pending) = handler.syncedPosition(i);
            paid += pending;
        }
        assertGe(paid, 0, "payers cover receivers");
        assertLe(paid, int256(handler.settlements() + handler.accounts()), "dust only");
    }

    /// @dev Maker rebates are paid out of taker fees: the fee ledger never goes negative.
    function invariant_feeLedgerNeverNegative() public view {
        assertGe(handler.feesX18(), 0, "fees cover rebates");
    }
}
