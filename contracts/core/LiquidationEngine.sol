// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {SignedMath} from "@openzeppelin/contracts/utils/math/SignedMath.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IClearinghouse} from "../interfaces/IClearinghouse.sol";
import {IClearinghouseLiquidation} from "../interfaces/IClearinghouseLiquidation.sol";
import {ICollateralVault} from "../interfaces/ICollateralVault.sol";
import {IInsuranceFund} from "../interfaces/IInsuranceFund.sol";
import {ILiquidationEngine} from "../interfaces/ILiquidationEngine.sol";
import {ISequencerGuard} from "../interfaces/ISequencerGuard.sol";
import {Constants} from "../libraries/Constants.sol";
import {FixedPointMath} from "../libraries/FixedPointMath.sol";
import {MarginMath} from "../libraries/MarginMath.sol";
import {MarketSetLib} from "../libraries/MarketSetLib.sol";
import {PositionMath} from "../libraries/PositionMath.sol";
import {AccountId, AccountIdLib} from "../types/Account.sol";
import {AdlCandidate, LiquidationRequest, RiskTransferResult} from "../types/Liquidation.sol";
import {MarketConfig} from "../types/Clearinghouse.sol";
import {AccountHealth, Position} from "../types/Market.sol";
import {MarketState, PriceState} from "../types/Oracle.sol";

/// @title LiquidationEngine
/// @notice Liquidation into the backstop, bad debt and auto-deleveraging. See `ILiquidationEngine`
/// and docs/liquidation.md.
/// @dev The clearinghouse executes each move (`IClearinghouseLiquidation.transferRisk`, one oracle
/// read) and returns the health figures; this contract checks every rule on them and reverts the
/// whole transaction when one fails (in `liquidateBatch`, only that entry: it is skipped with
/// `LiquidationSkipped`). The partial-liquidation size depends on the health the move itself reads,
/// so each liquidation runs the move in a self-call (`executeLiquidation`) that reverts with
/// `ResizeRequired(size)` when the keeper's size is not the allowed one; the outer call then runs it
/// once more with that size (only then does a liquidation read the oracle twice).
contract LiquidationEngine is ILiquidationEngine, AccessControl, ReentrancyGuardTransient {
    /// @inheritdoc ILiquidationEngine
    bytes32 public constant GUARDIAN_ROLE = keccak256("GUARDIAN_ROLE");

    /// @inheritdoc ILiquidationEngine
    IClearinghouse public immutable clearinghouse;
    /// @inheritdoc ILiquidationEngine
    ICollateralVault public immutable vault;
    /// @inheritdoc ILiquidationEngine
    IInsuranceFund public immutable insuranceFund;
    /// @inheritdoc ILiquidationEngine
    AccountId public immutable backstopAccount;
    /// @dev The oracle's L2 sequencer guard (zero on chains without one).
    ISequencerGuard private immutable _sequencerGuard;
    /// @dev The vault's X18 per token unit.
    uint256 private immutable _tokenScale;

    /// @inheritdoc ILiquidationEngine
    uint256 public liquidationsPausedUntil;

    /// @dev Internal signal of `executeLiquidation`: run again with `sizeX18` (never leaves the engine).
    error ResizeRequired(uint256 sizeX18);
    /// @dev `executeLiquidation` is only for this contract's own `liquidate` and `liquidateBatch`.
    error OnlySelf(address caller);

    /// @param clearinghouse_ The clearinghouse (grant this engine its `LIQUIDATOR_ROLE`); the vault, the
    /// insurance fund and the sequencer guard are read from it.
    /// @param admin `DEFAULT_ADMIN_ROLE` (the governance timelock).
    /// @param guardian `GUARDIAN_ROLE` (liquidation pause only).
    constructor(IClearinghouse clearinghouse_, address admin, address guardian) {
        if (address(clearinghouse_) == address(0) || admin == address(0) || guardian == address(0)) {
            revert Liquidation_ZeroAddress();
        }
        clearinghouse = clearinghouse_;
        ICollateralVault collateralVault = clearinghouse_.vault();
        vault = collateralVault;
        IInsuranceFund fund = collateralVault.insuranceFund();
        insuranceFund = fund;
        backstopAccount = AccountIdLib.from(address(fund), 0);
        _sequencerGuard = clearinghouse_.oracle().sequencerGuard();
        _tokenScale = collateralVault.tokenScale();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(GUARDIAN_ROLE, guardian);
    }

    // ============================================================================ keepers

    /// @inheritdoc ILiquidationEngine
    function liquidate(
        AccountId account,
        bytes32 marketId,
        uint256 sizeX18
    ) external nonReentrant returns (uint256 closedSizeX18) {
        _requireNotPaused();
        bool ok;
        bytes memory reason;
        (ok, closedSizeX18, reason) = _liquidate(account, marketId, sizeX18);
        if (!ok) _bubble(reason);
    }

    /// @inheritdoc ILiquidationEngine
    function liquidateBatch(
        LiquidationRequest[] calldata requests
    ) external nonReentrant returns (uint256 liquidated) {
        uint256 count = requests.length;
        if (count == 0 || count > Constants.LIQ_MAX_BATCH) {
            revert Liquidation_InvalidBatchSize(count, Constants.LIQ_MAX_BATCH);
        }
        _requireNotPaused();
        for (uint256 i; i < count; ++i) {
            LiquidationRequest calldata request = requests[i];
            (bool ok, , bytes memory reason) = _liquidate(request.account, request.marketId, request.sizeX18);
            if (ok) ++liquidated;
            else emit LiquidationSkipped(i, request.account, request.marketId, reason);
        }
    }

    /// @dev One liquidation, run in a self-call (`executeLiquidation`, see the contract's dev note):
    /// whether it happened, the size closed, and otherwise the revert data `liquidate` reverts with.
    function _liquidate(
        AccountId account,
        bytes32 marketId,
        uint256 sizeX18
    ) private returns (bool, uint256, bytes memory) {
        if (account.eq(backstopAccount)) {
            return (false, 0, abi.encodeWithSelector(Liquidation_BackstopAccount.selector, account));
        }
        try this.executeLiquidation(account, marketId, sizeX18, msg.sender) returns (uint256 closedX18) {
            return (true, closedX18, "");
        } catch (bytes memory reason) {
            // The clearinghouse cannot move size out of an empty position (`applyFill` of zero).
            if (bytes4(reason) == PositionMath.Position_InvalidFillSize.selector) {
                return (false, 0, abi.encodeWithSelector(Liquidation_NoPosition.selector, account, marketId));
            }
            // Only the backstop's set can grow in a liquidation: it is full (16 markets).
            if (bytes4(reason) == MarketSetLib.MarketSet_Full.selector) {
                return (
                    false,
                    0,
                    abi.encodeWithSelector(
                        Liquidation_BackstopTooManyMarkets.selector,
                        Constants.CH_MAX_MARKETS_PER_ACCOUNT + 1
                    )
                );
            }
            if (reason.length != 36 || bytes4(reason) != ResizeRequired.selector) return (false, 0, reason);
            uint256 allowedX18 = abi.decode(_tail(reason), (uint256));
            try this.executeLiquidation(account, marketId, allowedX18, msg.sender) returns (
                uint256 closedX18
            ) {
                return (true, closedX18, "");
            } catch (bytes memory retryReason) {
                return (false, 0, retryReason);
            }
        }
    }

    /// @notice One liquidation attempt of exactly the allowed size (see the contract's dev note).
    /// @dev Callable only by this contract, inside `liquidate` and `liquidateBatch`.
    function executeLiquidation(
        AccountId account,
        bytes32 marketId,
        uint256 sizeX18,
        address keeper
    ) external returns (uint256) {
        if (msg.sender != address(this)) revert OnlySelf(msg.sender);
        AccountId backstop = backstopAccount;
        // A zero size still runs the move (of one unit) so that the rules below judge it: the whole
        // position when it must all go, `Liquidation_InvalidSize` otherwise.
        RiskTransferResult memory r = _transfer(account, backstop, marketId, sizeX18 == 0 ? 1 : sizeX18, 0);
        // After the move: the oracle has just read the guard, so its slots are warm.
        _requireSequencerUp();
        _checkMarket(marketId, r, r.priceX18);
        _checkLiquidatable(account, r);
        uint256 allowedX18 = _allowedSizeX18(r, sizeX18);
        if (allowedX18 != r.sizeX18) revert ResizeRequired(allowedX18);
        if (r.fromEquityBeforeX18 < 0) {
            uint256 availableX18 = insuranceAvailableX18();
            if (uint256(-r.fromEquityBeforeX18) > availableX18) {
                revert Liquidation_InsuranceInsufficient(uint256(-r.fromEquityBeforeX18), availableX18);
            }
        }
        (uint256 penaltyX18, uint256 keeperX18) = _penalty(r);
        if (penaltyX18 != 0) {
            vault.applyLiquidationPenalty(
                account,
                AccountIdLib.from(keeper, 0),
                keeperX18,
                backstop,
                penaltyX18 - keeperX18
            );
        }
        _checkBackstop(r, penaltyX18 - keeperX18);
        _emitLiquidated(account, marketId, keeper, r, penaltyX18, keeperX18);
        _settleIfFlat(account, r, r.fromEquityAfterX18 - SafeCast.toInt256(penaltyX18));
        return r.sizeX18;
    }

    /// @inheritdoc ILiquidationEngine
    function settleBadDebt(AccountId account) external nonReentrant returns (uint256 coveredX18) {
        uint256 marketCount = clearinghouse.accountMarkets(account).length;
        if (marketCount != 0) revert Liquidation_HasPositions(account, marketCount);
        int256 collateralX18 = vault.collateralX18(account);
        if (collateralX18 >= 0) revert Liquidation_NoBadDebt(account, collateralX18);
        return _coverBadDebt(account, uint256(-collateralX18));
    }

    /// @inheritdoc ILiquidationEngine
    function adl(
        AccountId account,
        bytes32 marketId,
        AccountId target,
        AccountId[] calldata oppositeSide
    ) external nonReentrant returns (uint256 sizeX18) {
        _requireNotPaused();
        _requireSequencerUp();
        PriceState memory price = clearinghouse.oracle().priceState(marketId);
        (AdlCandidate memory chosen, int256 accountSizeX18) = _verifyTarget(
            account,
            marketId,
            target,
            oppositeSide,
            price
        );
        AccountHealth memory health = clearinghouse.accountHealth(account);
        _checkAdlNeeded(account, health.equityX18);
        uint256 priceX18 = _adlPriceX18(accountSizeX18, health.equityX18, chosen, price.markPriceX18);
        uint256 maxX18 = Math.min(SignedMath.abs(accountSizeX18), SignedMath.abs(chosen.sizeX18));
        Position memory targetBefore = clearinghouse.position(target, marketId);
        RiskTransferResult memory r = _transfer(account, target, marketId, maxX18, priceX18);
        _checkMarket(marketId, r, price.markPriceX18);
        _checkLiquidatable(account, r);
        _checkAdlNeeded(account, r.fromEquityBeforeX18);
        _emitAdl(account, target, marketId, r, chosen.scoreX18, targetBefore, price.splitFactorX18);
        _settleIfFlat(account, r, r.fromEquityAfterX18);
        return r.sizeX18;
    }

    // ============================================================================ guardian

    /// @inheritdoc ILiquidationEngine
    function pauseLiquidations() external nonReentrant onlyRole(GUARDIAN_ROLE) {
        uint256 availableAt = liquidationPauseAvailableAt();
        if (block.timestamp < availableAt) revert Liquidation_PauseCooldownActive(availableAt);
        uint256 pausedUntil = block.timestamp + Constants.LIQ_PAUSE_DURATION;
        liquidationsPausedUntil = pausedUntil;
        emit LiquidationsPaused(msg.sender, pausedUntil);
    }

    /// @inheritdoc ILiquidationEngine
    function unpauseLiquidations() external nonReentrant {
        if (!hasRole(GUARDIAN_ROLE, msg.sender)) _checkRole(DEFAULT_ADMIN_ROLE);
        if (block.timestamp >= liquidationsPausedUntil) revert Liquidation_NotPaused();
        // The pause ends now; the cooldown for the next one counts from here.
        liquidationsPausedUntil = block.timestamp;
        emit LiquidationsUnpaused(msg.sender);
    }

    // ============================================================================ views

    /// @inheritdoc ILiquidationEngine
    function liquidationPauseAvailableAt() public view returns (uint256) {
        uint256 pausedUntil = liquidationsPausedUntil;
        return pausedUntil == 0 ? 0 : pausedUntil + Constants.LIQ_PAUSE_COOLDOWN;
    }

    /// @inheritdoc ILiquidationEngine
    function isLiquidatable(AccountId account) external view returns (bool) {
        return MarginMath.isLiquidatable(clearinghouse.accountHealth(account));
    }

    /// @inheritdoc ILiquidationEngine
    function accountsHealth(
        AccountId[] calldata accounts
    ) public view returns (AccountHealth[] memory healths, bool[] memory liquidatable) {
        uint256 count = accounts.length;
        healths = new AccountHealth[](count);
        liquidatable = new bool[](count);
        for (uint256 i; i < count; ++i) {
            healths[i] = clearinghouse.accountHealth(accounts[i]);
            liquidatable[i] = MarginMath.isLiquidatable(healths[i]);
        }
    }

    /// @inheritdoc ILiquidationEngine
    function liquidationSizeX18(AccountId account, bytes32 marketId) external view returns (uint256) {
        if (account.eq(backstopAccount)) return 0;
        AccountHealth memory health = clearinghouse.accountHealth(account);
        if (!MarginMath.isLiquidatable(health)) return 0;
        Position memory p = clearinghouse.position(account, marketId);
        if (p.sizeX18 == 0) return 0;
        uint256 splitFactorX18 = clearinghouse.oracle().priceState(marketId).splitFactorX18;
        uint256 positionX18 = SignedMath.abs(
            PositionMath.rescaleSize(p.sizeX18, p.splitFactorX18, splitFactorX18)
        );
        if (_closesAll(health.equityX18, health.maintenanceMarginX18)) return positionX18;
        MarketConfig memory config = clearinghouse.registry().marketConfig(marketId);
        return _partialMaxX18(positionX18, config.stepSizeX18, config.minOrderSizeX18);
    }

    /// @inheritdoc ILiquidationEngine
    function insuranceAvailableX18() public view returns (uint256) {
        return insuranceFund.ledgerBalance() * _tokenScale;
    }

    /// @inheritdoc ILiquidationEngine
    function adlRanking(
        bytes32 marketId,
        AccountId[] calldata accounts
    ) external view returns (AdlCandidate[] memory) {
        return _ranking(marketId, accounts, clearinghouse.oracle().priceState(marketId));
    }

    // ============================================================================ liquidation rules

    /// @dev Calls the clearinghouse; its word array has the ABI encoding of `RiskTransferResult`.
    function _transfer(
        AccountId from,
        AccountId to,
        bytes32 marketId,
        uint256 maxSizeX18,
        uint256 priceX18
    ) private returns (RiskTransferResult memory) {
        return
            IClearinghouseLiquidation(address(clearinghouse)).transferRisk(
                from,
                to,
                marketId,
                maxSizeX18,
                priceX18
            );
    }

    /// @dev A trusted price: not HALTED (frozen), DEGRADED (untrusted) or SETTLED (use `settlePosition`);
    /// while CLOSED the mark inside the band (SPEC 3.3).
    function _checkMarket(bytes32 marketId, RiskTransferResult memory r, uint256 markPriceX18) private pure {
        MarketState state = r.state;
        if (state == MarketState.HALTED || state == MarketState.DEGRADED || state == MarketState.SETTLED) {
            revert Liquidation_MarketNotLiquidatable(marketId, state);
        }
        if (state == MarketState.CLOSED && (markPriceX18 < r.bandLowX18 || markPriceX18 > r.bandHighX18)) {
            revert Liquidation_OutsideClosedBand(marketId, markPriceX18, r.bandLowX18, r.bandHighX18);
        }
    }

    /// @dev INV-4: equity below maintenance margin before the move, at the move's own market read.
    function _checkLiquidatable(AccountId account, RiskTransferResult memory r) private pure {
        if (r.fromEquityBeforeX18 >= SafeCast.toInt256(r.fromMaintenanceMarginBeforeX18)) {
            revert Liquidation_AccountHealthy(
                account,
                r.fromEquityBeforeX18,
                r.fromMaintenanceMarginBeforeX18
            );
        }
    }

    /// @dev The size this liquidation must have: while `2 * equity >= MM`, `requested` if it is at most
    /// half of the position (rounded down to the step; the whole position when that half is below the
    /// minimum order size), else that maximum; below, the whole position. A smaller partial size must
    /// be on the step and at least the minimum order size.
    /// The step and minimum are the registry's, as the move read them (no second registry read).
    function _allowedSizeX18(
        RiskTransferResult memory r,
        uint256 requestedX18
    ) private pure returns (uint256) {
        uint256 positionX18 = SignedMath.abs(r.fromSizeBeforeX18);
        if (_closesAll(r.fromEquityBeforeX18, r.fromMaintenanceMarginBeforeX18)) return positionX18;
        uint256 stepX18 = r.stepSizeX18;
        uint256 minOrderX18 = r.minOrderSizeX18;
        uint256 sizeX18 = Math.min(requestedX18, _partialMaxX18(positionX18, stepX18, minOrderX18));
        if (sizeX18 == positionX18) return sizeX18;
        if (sizeX18 == 0 || sizeX18 % stepX18 != 0) revert Liquidation_InvalidSize(sizeX18, stepX18);
        if (sizeX18 < minOrderX18) {
            revert Liquidation_SizeBelowMinimum(sizeX18, minOrderX18);
        }
        return sizeX18;
    }

    /// @dev Below half the maintenance margin a liquidation closes the whole position, whatever size
    /// the keeper asked for.
    function _closesAll(int256 equityX18, uint256 maintenanceMarginX18) private pure returns (bool) {
        // equity < 2^127 (MarginMath's ranges): doubling cannot overflow.
        return equityX18 < 0 || 2 * uint256(equityX18) < maintenanceMarginX18;
    }

    /// @dev The most a partial liquidation may close of a position of `positionX18`: half of it rounded
    /// down to the step, or all of it when that half is below the minimum order size.
    function _partialMaxX18(
        uint256 positionX18,
        uint256 stepX18,
        uint256 minOrderX18
    ) private pure returns (uint256) {
        uint256 halfX18 = (positionX18 * Constants.LIQ_PARTIAL_CLOSE_BPS) / Constants.BPS;
        halfX18 -= halfX18 % stepX18;
        return halfX18 >= minOrderX18 ? halfX18 : positionX18;
    }

    /// @dev `LIQ_PENALTY_BPS` of the closed notional (rounded up: owed by the account), capped at the
    /// account's equity after the close; the keeper's share rounds down, its floor keeps it positive.
    function _penalty(
        RiskTransferResult memory r
    ) private pure returns (uint256 penaltyX18, uint256 keeperX18) {
        penaltyX18 = FixedPointMath.mulDivUp(
            PositionMath.notionalX18(SafeCast.toInt256(r.sizeX18), r.priceX18),
            Constants.LIQ_PENALTY_BPS,
            Constants.BPS
        );
        int256 equityX18 = r.fromEquityAfterX18;
        penaltyX18 = equityX18 <= 0 ? 0 : Math.min(penaltyX18, uint256(equityX18));
        uint256 shareX18 = (penaltyX18 * Constants.LIQ_KEEPER_SHARE_BPS) / Constants.BPS;
        keeperX18 = Math.max(shareX18, Math.min(Constants.LIQ_KEEPER_MIN_REWARD_X18, penaltyX18));
    }

    /// @dev After absorbing (and its share of the penalty) the backstop meets initial margin if its
    /// risk grew, or keeps equity >= 0 if it shrank (the rule of every account). Its market bound is
    /// the clearinghouse's (`MarketSet_Full`, mapped to `Liquidation_BackstopTooManyMarkets`).
    function _checkBackstop(RiskTransferResult memory r, uint256 insuranceX18) private pure {
        int256 changeX18 = _closedSigned(r);
        bool reduces = PositionMath.reducesRisk(r.toSizeBeforeX18, r.toSizeBeforeX18 + changeX18);
        uint256 requiredX18 = reduces ? 0 : r.toInitialMarginAfterX18;
        int256 equityX18 = r.toEquityAfterX18 + SafeCast.toInt256(insuranceX18);
        if (equityX18 < 0 || uint256(equityX18) < requiredX18) {
            revert Liquidation_BackstopMargin(equityX18, requiredX18);
        }
    }

    function _emitLiquidated(
        AccountId account,
        bytes32 marketId,
        address keeper,
        RiskTransferResult memory r,
        uint256 penaltyX18,
        uint256 keeperX18
    ) private {
        int256 closedX18 = _closedSigned(r);
        emit Liquidated(
            account,
            marketId,
            keeper,
            closedX18,
            r.priceX18,
            penaltyX18,
            keeperX18,
            r.fromEquityBeforeX18,
            r.fromMaintenanceMarginBeforeX18,
            r.fromSizeBeforeX18 - closedX18
        );
        emit BackstopAbsorbed(
            backstopAccount,
            marketId,
            closedX18,
            r.priceX18,
            penaltyX18 - keeperX18,
            r.toSizeBeforeX18 + closedX18
        );
    }

    // ============================================================================ bad debt

    /// @dev When the move closed the account's last position and left it below zero (its equity is
    /// then its collateral), the insurance fund covers it in the same transaction.
    function _settleIfFlat(AccountId account, RiskTransferResult memory r, int256 equityAfterX18) private {
        if (equityAfterX18 >= 0 || r.sizeX18 != SignedMath.abs(r.fromSizeBeforeX18)) return;
        if (clearinghouse.accountMarkets(account).length == 0)
            _coverBadDebt(account, uint256(-equityAfterX18));
    }

    /// @dev Covers `debtX18` as far as the insurance fund reaches (INV-10: the fund's only outflow).
    function _coverBadDebt(AccountId account, uint256 debtX18) private returns (uint256 coveredX18) {
        coveredX18 = Math.min(debtX18, insuranceAvailableX18());
        if (coveredX18 != 0) {
            uint256 amount = vault.coverBadDebt(account, coveredX18);
            emit InsuranceCovered(account, amount, coveredX18, insuranceFund.ledgerBalance());
        }
        emit BadDebtSettled(account, debtX18, coveredX18, debtX18 - coveredX18);
    }

    // ============================================================================ ADL

    /// @dev ADL needs a bankrupt account whose deficit the insurance fund cannot cover.
    function _checkAdlNeeded(AccountId account, int256 equityX18) private view {
        uint256 insuranceX18 = insuranceAvailableX18();
        if (equityX18 >= 0 || uint256(-equityX18) <= insuranceX18) {
            revert Liquidation_AdlNotNeeded(account, equityX18, insuranceX18);
        }
    }

    /// @dev Checks that `oppositeSide` is the complete opposite side (strictly increasing ids, each on
    /// the other side, sizes adding up to that side's open interest), that `target` is listed and
    /// eligible, and that no candidate ranks above it.
    function _verifyTarget(
        AccountId account,
        bytes32 marketId,
        AccountId target,
        AccountId[] calldata oppositeSide,
        PriceState memory price
    ) private view returns (AdlCandidate memory chosen, int256 accountSizeX18) {
        Position memory p = clearinghouse.position(account, marketId);
        if (p.sizeX18 == 0) revert Liquidation_NoPosition(account, marketId);
        accountSizeX18 = PositionMath.rescaleSize(p.sizeX18, p.splitFactorX18, price.splitFactorX18);
        uint256 count = oppositeSide.length;
        AdlCandidate[] memory candidates = _ranking(marketId, oppositeSide, price);
        uint256 listedX18;
        uint256 targetIndex = type(uint256).max;
        for (uint256 i; i < count; ++i) {
            AdlCandidate memory c = candidates[i];
            if (i != 0 && AccountId.unwrap(c.account) <= AccountId.unwrap(oppositeSide[i - 1])) {
                revert Liquidation_AdlUnordered(i);
            }
            if (c.sizeX18 == 0 || (c.sizeX18 > 0) == (accountSizeX18 > 0)) {
                revert Liquidation_AdlWrongSide(c.account, c.sizeX18);
            }
            listedX18 += SignedMath.abs(c.sizeX18);
            if (c.account.eq(target)) targetIndex = i;
        }
        _checkComplete(marketId, accountSizeX18 > 0, listedX18, count, price.splitFactorX18);
        if (targetIndex == type(uint256).max) revert Liquidation_AdlTargetNotListed(target);
        chosen = candidates[targetIndex];
        if (chosen.scoreX18 == type(int256).min) {
            revert Liquidation_AdlTargetNotProfitable(target, chosen.unrealizedPnlX18, chosen.equityX18);
        }
        for (uint256 i; i < count; ++i) {
            if (candidates[i].scoreX18 > chosen.scoreX18) {
                revert Liquidation_AdlBetterRanked(
                    target,
                    chosen.scoreX18,
                    candidates[i].account,
                    candidates[i].scoreX18
                );
            }
        }
    }

    /// @dev The listed sizes cover the open interest of the side opposite an account that is long
    /// (`accountLong`) or short. Each listed size is rounded down by a split rescale at most once, so
    /// the sum may fall short of the aggregate by up to one unit per account.
    function _checkComplete(
        bytes32 marketId,
        bool accountLong,
        uint256 listedX18,
        uint256 count,
        uint256 splitFactorX18
    ) private view {
        (uint256 longX18, uint256 shortX18, uint256 storedFactorX18) = clearinghouse.openInterest(marketId);
        uint256 sideX18 = accountLong ? shortX18 : longX18;
        if (storedFactorX18 != 0) {
            sideX18 = uint256(
                PositionMath.rescaleSize(SafeCast.toInt256(sideX18), storedFactorX18, splitFactorX18)
            );
        }
        if (listedX18 + count < sideX18) revert Liquidation_AdlIncomplete(listedX18, sideX18);
    }

    function _ranking(
        bytes32 marketId,
        AccountId[] calldata accounts,
        PriceState memory price
    ) private view returns (AdlCandidate[] memory candidates) {
        uint256 count = accounts.length;
        if (count > Constants.LIQ_MAX_ADL_CANDIDATES) {
            revert Liquidation_AdlTooManyCandidates(count, Constants.LIQ_MAX_ADL_CANDIDATES);
        }
        (AccountHealth[] memory healths, ) = accountsHealth(accounts);
        candidates = new AdlCandidate[](count);
        for (uint256 i; i < count; ++i) {
            candidates[i] = _candidate(accounts[i], marketId, price, healths[i]);
        }
    }

    /// @dev One candidate's ranking figures: PnL x leverage = uPnL * notional / equity (rounded down);
    /// not eligible (type(int256).min) without profit in this market or without positive equity.
    function _candidate(
        AccountId account,
        bytes32 marketId,
        PriceState memory price,
        AccountHealth memory health
    ) private view returns (AdlCandidate memory c) {
        Position memory p = clearinghouse.position(account, marketId);
        c.account = account;
        if (p.sizeX18 != 0)
            c.sizeX18 = PositionMath.rescaleSize(p.sizeX18, p.splitFactorX18, price.splitFactorX18);
        c.unrealizedPnlX18 = PositionMath.unrealizedPnlX18(c.sizeX18, p.openNotionalX18, price.markPriceX18);
        c.equityX18 = health.equityX18;
        c.notionalX18 = health.notionalX18;
        c.scoreX18 = type(int256).min;
        if (c.sizeX18 != 0 && c.unrealizedPnlX18 > 0 && c.equityX18 > 0) {
            c.scoreX18 = SafeCast.toInt256(
                Math.mulDiv(uint256(c.unrealizedPnlX18), c.notionalX18, uint256(c.equityX18))
            );
        }
    }

    /// @dev The bankruptcy price P = mark - equity / size (closing the whole position at P leaves the
    /// account's equity at zero), rounded so the account ends at >= 0, capped at the target's
    /// break-even price (its entry) so the target gives up profit, never principal.
    function _adlPriceX18(
        int256 accountSizeX18,
        int256 equityX18,
        AdlCandidate memory target,
        uint256 markX18
    ) private pure returns (uint256) {
        uint256 deficitX18 = uint256(-equityX18);
        uint256 positionX18 = SignedMath.abs(accountSizeX18);
        uint256 targetX18 = SignedMath.abs(target.sizeX18);
        // Entry = |open notional| / |size| of the target (its uPnL = size * mark - open notional).
        uint256 entryAbsX18 = SignedMath.abs(
            target.unrealizedPnlX18 - _markValueX18(target.sizeX18, markX18)
        );
        // Rounded up: the account's deficit is always covered.
        uint256 moveX18 = FixedPointMath.mulDivUp(deficitX18, Constants.X18, positionX18);
        if (accountSizeX18 > 0) {
            // A long sells above the mark; the short target buys back at most at its entry (rounded down).
            return Math.min(markX18 + moveX18, Math.mulDiv(entryAbsX18, Constants.X18, targetX18));
        }
        // A short buys back below the mark; the long target sells at least at its entry (rounded up).
        uint256 bankruptcyX18 = moveX18 >= markX18 ? 0 : markX18 - moveX18;
        return Math.max(bankruptcyX18, FixedPointMath.mulDivUp(entryAbsX18, Constants.X18, targetX18));
    }

    function _markValueX18(int256 sizeX18, uint256 markX18) private pure returns (int256) {
        return FixedPointMath.mulDivFloor(sizeX18, markX18, Constants.X18);
    }

    function _emitAdl(
        AccountId account,
        AccountId target,
        bytes32 marketId,
        RiskTransferResult memory r,
        int256 scoreX18,
        Position memory targetBefore,
        uint256 splitFactorX18
    ) private {
        int256 targetSizeX18 = PositionMath.rescaleSize(
            targetBefore.sizeX18,
            targetBefore.splitFactorX18,
            splitFactorX18
        );
        int256 closedX18 = _closedSigned(r);
        (, , int256 targetRealizedX18) = PositionMath.applyFill(
            targetSizeX18,
            targetBefore.openNotionalX18,
            closedX18,
            r.priceX18
        );
        emit AdlExecuted(
            account,
            target,
            marketId,
            closedX18,
            r.priceX18,
            scoreX18,
            targetRealizedX18,
            r.fromEquityBeforeX18,
            r.fromEquityAfterX18
        );
    }

    // ============================================================================ helpers

    /// @dev The closed size signed like the account's position (+ a long was reduced) — which is also
    /// the other side's position change.
    function _closedSigned(RiskTransferResult memory r) private pure returns (int256) {
        int256 sizeX18 = SafeCast.toInt256(r.sizeX18);
        return r.fromSizeBeforeX18 > 0 ? sizeX18 : -sizeX18;
    }

    function _requireNotPaused() private view {
        uint256 pausedUntil = liquidationsPausedUntil;
        if (block.timestamp < pausedUntil) revert Liquidation_Paused(pausedUntil);
    }

    /// @dev The L2 sequencer up and past its grace period (a reverting guard counts as down).
    function _requireSequencerUp() private view {
        ISequencerGuard guard = _sequencerGuard;
        if (address(guard) == address(0)) return;
        try guard.sequencerStatus() returns (bool ok, uint256) {
            if (!ok) revert Liquidation_SequencerDown();
        } catch {
            revert Liquidation_SequencerDown();
        }
    }

    function _tail(bytes memory reason) private pure returns (bytes memory tail) {
        tail = new bytes(reason.length - 4);
        for (uint256 i; i < tail.length; ++i) tail[i] = reason[i + 4];
    }

    /// @dev Re-raises a revert reason unchanged.
    function _bubble(bytes memory reason) private pure {
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            revert(add(reason, 0x20), mload(reason))
        }
    }
}
