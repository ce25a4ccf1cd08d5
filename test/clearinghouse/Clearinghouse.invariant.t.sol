// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ClearinghouseFixture} from "./ClearinghouseFixture.sol";
import {IClearinghouse} from "../../contracts/interfaces/IClearinghouse.sol";
import {ICollateralVault} from "../../contracts/interfaces/ICollateralVault.sol";
import {Constants} from "../../contracts/libraries/Constants.sol";
import {FundingMath} from "../../contracts/libraries/FundingMath.sol";
import {OrderLib} from "../../contracts/libraries/OrderLib.sol";
import {PositionMath} from "../../contracts/libraries/PositionMath.sol";
import {AccountId} from "../../contracts/types/Account.sol";
import {Match} from "../../contracts/types/Clearinghouse.sol";
import {AccountHealth, FundingState, Position, SessionRiskParams} from "../../contracts/types/Market.sol";
import {PriceState} from "../../contracts/types/Oracle.sol";
import {Order} from "../../contracts/types/Order.sol";
import {Session} from "../../contracts/types/Session.sol";
import {Vm} from "../utils/Vm.sol";
import {Test} from "../utils/Test.sol";

// The handler lives in this file so that running this test file alone still gives the fuzzer the
// handler's artifact (Hardhat emits artifacts only for the files it was asked to compile as roots).

/// @notice Plays every participant of the real system at once: the matcher (random signed matches at
/// random prices inside the bands, partial fills, batches), four traders with two subaccounts each
/// (deposits, withdrawals, subaccount transfers, cancellations), the oracle keeper (price moves, time
/// passing across real NYSE sessions, pokes), the funding keeper (`fund`), the corporate-actions
/// timelock (splits and dividends, applied by a poke) and an attacker (replays, forged, expired and
/// cancelled orders). Every action that must never succeed, and every per-action property (INV-5,
/// INV-6, INV-8, INV-9), is checked inside the action and recorded as a violation in ghost state; the
/// global properties (INV-1, INV-2, INV-3) are checked by the test after every call.
contract ClearinghouseHandler is ClearinghouseFixture {
    uint256 internal constant ACTORS = 4;
    uint256 internal constant DEPOSIT_USD = 1_000_000;
    uint256 internal constant ROUND_TRIP_DEPOSIT_USD = 100_000;
    uint256 internal constant MAX_FILL_STEPS = 20_000; // 20 shares
    uint96 internal constant ROUND_TRIP_SUBACCOUNT_BASE = 1_000;

    address[ACTORS] internal actors;
    mapping(address owner => uint256 key) internal keyOf;
    mapping(address owner => uint256 nonce) internal nextNonce;

    /// @dev Every account that ever held collateral, and whether it is listed.
    AccountId[] internal accountList;
    mapping(AccountId account => bool known) internal isKnown;

    /// @dev Partially filled maker orders that may fill again, and orders that must never fill again.
    struct SignedOrder {
        Order order;
        bytes signature;
    }
    SignedOrder[] internal resting;
    SignedOrder[] internal dead;

    // ------------------------------------------------------------------ ghost state

    /// @dev Funding settled into collateral (paid positive), recomputed from each touched position's
    /// stored size, split factor and funding index before and after (INV-3).
    int256 public ghostFundingSettledX18;
    /// @dev Position settlements so far (two per settled match): the bound of INV-3's rounding dust.
    uint256 public ghostTouches;
    uint256 public violations;
    string public lastViolation;
    uint256 public settledMatches;
    uint256 public skippedAttacks;
    uint256 public roundTrips;
    uint256 public splitsApplied;
    uint256 public dividendsApplied;
    uint256 public withdrawalsChecked;
    uint256 public rejectedWithdrawals;
    /// @dev Largest |equity after - expected| seen across a corporate action (INV-8), in wei.
    uint256 public maxCorporateActionDeviationX18;
    uint96 internal roundTripCount;
    uint256 internal splitFactorGuessX18 = 1e18;

    constructor() {
        for (uint256 i; i < ACTORS; ++i) {
            (address actor, uint256 key) = makeAddrAndKey(string.concat("actor", vm.toString(i)));
            actors[i] = actor;
            keyOf[actor] = key;
        }
        _deploySystem();
        for (uint256 i; i < ACTORS; ++i) {
            _depositTracked(actors[i], 0, DEPOSIT_USD);
            _depositTracked(actors[i], 1, DEPOSIT_USD);
        }
    }

    // ================================================================== actions: trading

    /// @notice The matcher settles one random match (a fresh maker order, possibly larger than the
    /// fill so that it rests partially filled, against a fresh taker order).
    function trade(uint256 seed, uint256 sizeSeed, uint256 priceSeed) external {
        (Match memory m, bool ok) = _randomMatch(seed, sizeSeed, priceSeed);
        if (!ok) return;
        Match[] memory batch = new Match[](1);
        batch[0] = m;
        _settleTracked(batch);
    }

    /// @notice A batch of two to twelve matches, some of them fills of resting orders. From
    /// `CH_CHECKPOINT_MIN_MATCHES` (8) in one market its positions are stored checkpointed, so the
    /// invariants hold over both storage forms.
    function tradeBatch(uint256 seed, uint256 countSeed) external {
        uint256 count = bound(countSeed, 2, 12);
        Match[] memory batch = new Match[](count);
        uint256 built;
        for (uint256 i; i < count; ++i) {
            uint256 s = uint256(keccak256(abi.encode(seed, i)));
            bool ok;
            if (s % 3 == 0 && resting.length != 0) (batch[built], ok) = _restingMatch(s, s >> 128);
            else (batch[built], ok) = _randomMatch(s, s >> 64, s >> 128);
            if (ok) ++built;
        }
        if (built == 0) return;
        assembly ("memory-safe") {
            mstore(batch, built)
        }
        _settleTracked(batch);
    }

    /// @notice Fills (part of) a resting maker order with a fresh taker order. An expired resting
    /// order must not fill (INV-9).
    function fillResting(uint256 seed, uint256 sizeSeed) external {
        if (resting.length == 0) return;
        (Match memory m, bool ok) = _restingMatch(seed, sizeSeed);
        if (!ok) return;
        bool expired = block.timestamp > m.maker.expiry;
        Match[] memory batch = new Match[](1);
        batch[0] = m;
        uint256 settled = _settleTracked(batch);
        if (expired && settled != 0) _violation("INV-9: an expired order filled");
    }

    // ================================================================== actions: oracle and keepers

    /// @notice The price of one market moves by up to +/- 2 % (pushed by the oracle keeper now).
    function movePrice(uint256 marketSeed, uint256 moveSeed) external {
        bytes32 marketId = markets[marketSeed % markets.length];
        uint256 moveBps = bound(moveSeed, 9_800, 10_200);
        uint256 priceX18 = ((externalPriceX18[marketId] * moveBps) / 10_000 / TICK_X18) * TICK_X18;
        if (priceX18 < 10e18) return;
        _publish(marketId, priceX18);
        adapter.poke(marketId);
    }

    /// @notice Time passes (1 minute to 16 hours, across real sessions, nights and weekends); the
    /// oracle keeper then pushes fresh prices and pokes every market.
    function warp(uint256 secondsSeed) external {
        vm.warp(block.timestamp + bound(secondsSeed, 1 minutes, 16 hours));
        _publishAll();
        _pokeAll();
    }

    /// @notice The funding keeper funds a random non-empty subset of the markets.
    function fund(uint256 maskSeed) external {
        uint256 mask = bound(maskSeed, 1, (1 << markets.length) - 1);
        bytes32[] memory ids = new bytes32[](markets.length);
        uint256 count;
        for (uint256 i; i < markets.length; ++i) {
            if (mask & (1 << i) != 0) ids[count++] = markets[i];
        }
        assembly ("memory-safe") {
            mstore(ids, count)
        }
        ch.fund(ids);
    }

    // ================================================================== actions: collateral (INV-5)

    function deposit(uint256 actorSeed, uint256 amountSeed) external {
        (address owner, uint96 subaccount) = _actorAccount(actorSeed);
        _depositTracked(owner, subaccount, bound(amountSeed, 1, 100_000));
    }

    /// @notice A withdrawal of at most the free collateral must succeed and leave equity without
    /// positive uPnL at or above IM; one unit above it must revert (INV-5).
    function withdraw(uint256 actorSeed, uint256 amountSeed, bool aboveFree) external {
        (address owner, uint96 subaccount) = _actorAccount(actorSeed);
        AccountId account = _account(owner, subaccount);
        uint256 freeTokens = vault.withdrawableX18(account) / 1e12;
        vm.prank(owner);
        if (aboveFree) {
            try vault.withdraw(subaccount, freeTokens + bound(amountSeed, 1, 1e12), owner) {
                _violation("INV-5: a withdrawal above the free collateral succeeded");
            } catch {
                ++rejectedWithdrawals;
            }
            return;
        }
        if (freeTokens == 0) return;
        try vault.withdraw(subaccount, bound(amountSeed, 1, freeTokens), owner) {
            _checkInitialMargin(account, "INV-5: a withdrawal left equity without profit below IM");
        } catch {
            _violation("INV-5: a withdrawal of free collateral reverted");
        }
    }

    /// @notice The same for a transfer between the owner's two subaccounts (X18 amounts).
    function transfer(uint256 actorSeed, uint256 amountSeed, bool aboveFree) external {
        (address owner, uint96 fromSub) = _actorAccount(actorSeed);
        uint96 toSub = 1 - fromSub;
        AccountId from = _account(owner, fromSub);
        uint256 freeX18 = vault.withdrawableX18(from);
        vm.prank(owner);
        if (aboveFree) {
            try vault.transferBetweenSubaccounts(fromSub, toSub, freeX18 + bound(amountSeed, 1, 1e30)) {
                _violation("INV-5: a transfer above the free collateral succeeded");
            } catch {
                ++rejectedWithdrawals;
            }
            return;
        }
        if (freeX18 == 0) return;
        try vault.transferBetweenSubaccounts(fromSub, toSub, bound(amountSeed, 1, freeX18)) {
            _checkInitialMargin(from, "INV-5: a transfer left equity without profit below IM");
        } catch {
            _violation("INV-5: a transfer of free collateral reverted");
        }
    }

    // ================================================================== actions: attacks (INV-9)

    /// @notice Cancels a resting order by hash, or by raising its owner's nonce floor past it, or by
    /// invalidating its nonce; then tries to fill it.
    function cancel(uint256 seed, uint256 mode) external {
        if (resting.length == 0) return;
        uint256 index = seed % resting.length;
        SignedOrder memory victim = resting[index];
        address owner = victim.order.owner;
        vm.startPrank(owner);
        if (mode % 3 == 0) {
            Order[] memory orders = new Order[](1);
            orders[0] = victim.order;
            ch.cancelOrders(orders);
        } else if (mode % 3 == 1) {
            if (ch.nonceFloor(owner) <= victim.order.nonce) ch.raiseNonceFloor(owner, victim.order.nonce + 1);
        } else {
            ch.invalidateNonces(owner, victim.order.nonce >> 8, 1 << (victim.order.nonce & 255));
        }
        vm.stopPrank();
        _removeResting(index);
        dead.push(victim);
        _attack(victim, seed, "INV-9: a cancelled order filled");
    }

    /// @notice Replays an order that completed or was cancelled against a fresh counter-order.
    function replay(uint256 seed) external {
        if (dead.length == 0) return;
        _attack(dead[seed % dead.length], seed, "INV-9: a completed or cancelled order filled again");
    }

    /// @notice A fresh, otherwise fillable match whose maker order was tampered with after signing
    /// (one field changed), signed for another chain or another contract, expired, or submitted after
    /// the chain id changed. It must never settle.
    function forge(uint256 seed, uint256 sizeSeed, uint256 priceSeed, uint256 kind) external {
        (Match memory m, bool ok) = _randomMatch(seed, sizeSeed, priceSeed);
        if (!ok) return;
        kind %= 15;
        uint256 chainIdBefore = block.chainid;
        if (kind < 11) {
            _tamper(m.maker, kind);
        } else if (kind == 11) {
            m.makerSignature = _signFor(keyOf[m.maker.signer], m.maker, block.chainid + 1, address(ch));
        } else if (kind == 12) {
            m.makerSignature = _signFor(keyOf[m.maker.signer], m.maker, block.chainid, address(vault));
        } else if (kind == 13) {
            m.maker.expiry = uint64(block.timestamp - 1);
            m.makerSignature = _sign(keyOf[m.maker.signer], m.maker);
        } else {
            vm.chainId(block.chainid + 1);
        }
        Match[] memory batch = new Match[](1);
        batch[0] = m;
        uint256 settled = _settleTracked(batch);
        if (block.chainid != chainIdBefore) vm.chainId(chainIdBefore);
        if (settled != 0) _violation(string.concat("INV-9: a forged order filled, kind ", vm.toString(kind)));
        else ++skippedAttacks;
    }

    // ================================================================== actions: round trip (INV-6)

    /// @notice Two fresh accounts deposit, open against each other at one price, (maybe) wait, close
    /// at another price and withdraw everything: together they get back at most their deposits minus
    /// their fees, and (the pair being each other's only counterparty) lose nothing but rounding.
    /// At the same price and without waiting, each alone gets back at most its deposit minus its fee.
    function roundTrip(uint256 seed, uint256 sizeSeed, uint256 openSeed, uint256 closeSeed) external {
        RoundTrip memory r;
        r.sub = ROUND_TRIP_SUBACCOUNT_BASE + ++roundTripCount;
        r.a = actors[seed % ACTORS];
        r.b = actors[(seed + 1 + ((seed >> 8) % (ACTORS - 1))) % ACTORS];
        r.marketId = markets[(seed >> 16) % markets.length];
        r.size = bound(sizeSeed, 1, MAX_FILL_STEPS) * STEP_X18;
        _depositTracked(r.a, r.sub, ROUND_TRIP_DEPOSIT_USD);
        _depositTracked(r.b, r.sub, ROUND_TRIP_DEPOSIT_USD);
        (uint256 lo, uint256 hi, bool ok) = _fillRange(r.marketId);
        if (!ok || !_roundTripLeg(r, true, _tickIn(openSeed, lo, hi), 0)) {
            _withdrawEverything(r.a, r.sub);
            _withdrawEverything(r.b, r.sub);
            return;
        }
        bool wait = (seed >> 24) % 2 == 1;
        if (wait) {
            vm.warp(block.timestamp + bound(seed >> 32, 1 minutes, 2 hours));
            _publishAll();
            _pokeAll();
        }
        (lo, hi, ok) = _fillRange(r.marketId);
        uint256 closePrice = wait ? _tickIn(closeSeed, lo, hi) : r.openPrice;
        if (!ok || closePrice < lo || closePrice > hi) return;
        if (!_roundTripLeg(r, false, closePrice, OrderLib.FLAG_REDUCE_ONLY)) return;
        _checkRoundTrip(r, !wait);
    }

    // ================================================================== actions: corporate actions (INV-8)

    /// @notice Schedules a split (2:1, 4:1, 5:1, 1:2, 1:4, 1:10) or a cash dividend (0.1-2 % of the
    /// price) in a live session at least a day ahead, runs the clock to one second before it (prices
    /// pushed, every market funded), records every account's equity, applies the action at its
    /// effective time (the keeper pushes the post-action price, pokes and funds) and checks that every
    /// account's equity moved by exactly the funding of that second and nothing else (INV-8); then
    /// that a second poke and fund change nothing (exactly once).
    function corporateAction(uint256 marketSeed, uint256 kindSeed, uint256 delaySeed) external {
        bytes32 marketId = markets[marketSeed % markets.length];
        uint256 effective = _nextLiveTime(block.timestamp + 1 days + bound(delaySeed, 1 minutes, 3 days));
        uint256 priceX18 = externalPriceX18[marketId];
        uint256 newPriceX18 = _schedule(marketId, effective, kindSeed, priceX18);
        if (newPriceX18 == 0) return;
        vm.warp(effective - 1);
        _publishAll();
        _pokeAll();
        ch.fund(markets);
        CorporateActionSnapshot memory before = _snapshotEquities();
        vm.warp(effective);
        _publishAll();
        _publish(marketId, newPriceX18);
        _pokeAll();
        ch.fund(markets);
        _checkCorporateAction(before);
        CorporateActionSnapshot memory again = _snapshotEquities();
        _pokeAll();
        ch.fund(markets);
        for (uint256 i; i < again.equities.length; ++i) {
            if (ch.accountHealth(accountList[i]).equityX18 != again.equities[i]) {
                _violation("INV-8: a second poke and fund changed an equity (applied twice)");
            }
        }
    }

    // ================================================================== views for the invariants

    function accountCount() external view returns (uint256) {
        return accountList.length;
    }

    function accountAt(uint256 i) external view returns (AccountId) {
        return accountList[i];
    }

    function marketCount() external view returns (uint256) {
        return markets.length;
    }

    function marketAt(uint256 i) external view returns (bytes32) {
        return markets[i];
    }

    function clearinghouse() external view returns (IClearinghouse) {
        return ch;
    }

    function collateralVault() external view returns (ICollateralVault) {
        return vault;
    }

    function tokenBalanceX18() external view returns (uint256) {
        return usdc.balanceOf(address(vault)) * 1e12;
    }

    function splitFactorX18(bytes32 marketId) external view returns (uint256) {
        return adapter.priceState(marketId).splitFactorX18;
    }

    // ================================================================== internals: orders and matches

    /// @dev What a trader wants; `_newOrder` fills in the signer, expiry, nonce and epoch, and signs.
    struct OrderSpec {
        address owner;
        uint96 subaccount;
        bytes32 marketId;
        bool isBuy;
        uint256 sizeX18;
        uint256 priceX18;
        uint8 flags;
        uint256 expirySeed;
    }

    function _newOrder(OrderSpec memory spec) internal returns (SignedOrder memory signed) {
        signed.order = Order({
            owner: spec.owner,
            subaccount: spec.subaccount,
            signer: spec.owner,
            marketId: spec.marketId,
            isBuy: spec.isBuy,
            sizeX18: spec.sizeX18,
            limitPriceX18: spec.priceX18,
            expiry: uint64(block.timestamp + bound(spec.expirySeed, 1 hours, 3 days)),
            nonce: nextNonce[spec.owner]++,
            epoch: adapter.priceState(spec.marketId).epoch,
            flags: spec.flags
        });
        signed.signature = _sign(keyOf[spec.owner], signed.order);
    }

    /// @dev A fresh maker order (one or two fills' worth) and a fresh taker order at a price inside
    /// both bands, between two different actors' random subaccounts.
    function _randomMatch(
        uint256 seed,
        uint256 sizeSeed,
        uint256 priceSeed
    ) internal returns (Match memory m, bool ok) {
        bytes32 marketId = markets[(seed >> 24) % markets.length];
        (uint256 lo, uint256 hi, bool inBand) = _fillRange(marketId);
        if (!inBand) return (m, false);
        return (
            _buildMatch(
                seed,
                marketId,
                bound(sizeSeed, 1, MAX_FILL_STEPS) * STEP_X18,
                _tickIn(priceSeed, lo, hi)
            ),
            true
        );
    }

    function _buildMatch(
        uint256 seed,
        bytes32 marketId,
        uint256 fill,
        uint256 price
    ) internal returns (Match memory) {
        bool makerBuys = (seed >> 32) % 2 == 0;
        uint256 a = seed % ACTORS;
        OrderSpec memory spec = OrderSpec({
            owner: actors[a],
            subaccount: uint96((seed >> 16) % 2),
            marketId: marketId,
            isBuy: makerBuys,
            sizeX18: fill * (1 + ((seed >> 40) % 2)),
            priceX18: price,
            flags: (seed >> 56) % 4 == 0 ? OrderLib.FLAG_POST_ONLY : 0,
            expirySeed: seed >> 64
        });
        SignedOrder memory maker = _newOrder(spec);
        spec.owner = actors[(a + 1 + ((seed >> 8) % (ACTORS - 1))) % ACTORS];
        spec.subaccount = uint96((seed >> 17) % 2);
        spec.isBuy = !makerBuys;
        spec.sizeX18 = fill;
        spec.flags = (seed >> 48) % 6 == 0 ? OrderLib.FLAG_REDUCE_ONLY : 0;
        spec.expirySeed = seed >> 96;
        SignedOrder memory taker = _newOrder(spec);
        return _match(maker.order, maker.signature, taker.order, taker.signature, fill);
    }

    /// @dev A resting maker order against a fresh taker order for (part of) its remaining size.
    function _restingMatch(uint256 seed, uint256 sizeSeed) internal returns (Match memory m, bool ok) {
        SignedOrder memory maker = resting[seed % resting.length];
        bytes32 makerHash = ch.hashOrder(maker.order);
        uint256 remaining = maker.order.sizeX18 - ch.filledX18(makerHash);
        if (remaining == 0) return (m, false);
        uint256 fill = bound(sizeSeed, 1, remaining / STEP_X18) * STEP_X18;
        address owner = actors[(_actorIndex(maker.order.owner) + 1 + (seed % (ACTORS - 1))) % ACTORS];
        SignedOrder memory taker = _newOrder(
            OrderSpec(
                owner,
                uint96((seed >> 8) % 2),
                maker.order.marketId,
                !maker.order.isBuy,
                fill,
                maker.order.limitPriceX18,
                0,
                seed >> 16
            )
        );
        return (_match(maker.order, maker.signature, taker.order, taker.signature, fill), true);
    }

    /// @dev Changes field `field` of a signed order (the signature stays the old one).
    function _tamper(Order memory order, uint256 field) internal view {
        if (field == 0) order.owner = actors[(_actorIndex(order.owner) + 1) % ACTORS];
        else if (field == 1) order.subaccount ^= 1;
        else if (field == 2) order.signer = actors[(_actorIndex(order.signer) + 1) % ACTORS];
        else if (field == 3) order.marketId = order.marketId == markets[0] ? markets[1] : markets[0];
        else if (field == 4) order.isBuy = !order.isBuy;
        else if (field == 5) order.sizeX18 += STEP_X18;
        else if (field == 6) order.limitPriceX18 += TICK_X18;
        else if (field == 7) order.expiry += 1;
        else if (field == 8) order.nonce += 1;
        else if (field == 9) order.epoch += 1;
        else order.flags ^= OrderLib.FLAG_POST_ONLY;
    }

    /// @dev Tries to fill `victim` (as the maker) against a fresh taker order; it must be skipped.
    function _attack(SignedOrder memory victim, uint256 seed, string memory what) internal {
        address owner = actors[(_actorIndex(victim.order.owner) + 1 + (seed % (ACTORS - 1))) % ACTORS];
        SignedOrder memory taker = _newOrder(
            OrderSpec(
                owner,
                0,
                victim.order.marketId,
                !victim.order.isBuy,
                STEP_X18,
                victim.order.limitPriceX18,
                0,
                seed
            )
        );
        Match[] memory batch = new Match[](1);
        batch[0] = _match(victim.order, victim.signature, taker.order, taker.signature, STEP_X18);
        if (_settleTracked(batch) != 0) _violation(what);
        else ++skippedAttacks;
    }

    // ================================================================== internals: settlement tracking

    /// @dev The stored position of every known account in every market, before a batch.
    struct PositionSnapshot {
        Position[][] positions; // [account][market]
    }

    /// @dev Settles `batch` as the matcher and updates the ghost state: funding settled by every
    /// touched position (from its stored state before and the market's index after), touches, resting
    /// and completed orders.
    function _settleTracked(Match[] memory batch) internal returns (uint256 settled) {
        PositionSnapshot memory before = _snapshotPositions();
        vm.recordLogs();
        vm.prank(matcher);
        settled = ch.settleMatches(batch);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        bool[][] memory touched = _touchedPositions(logs);
        _accumulateFunding(before, touched);
        settledMatches += settled;
        ghostTouches += 2 * settled;
        for (uint256 i; i < batch.length; ++i) _trackOrder(batch[i]);
    }

    function _snapshotPositions() internal view returns (PositionSnapshot memory s) {
        s.positions = new Position[][](accountList.length);
        for (uint256 i; i < accountList.length; ++i) {
            s.positions[i] = new Position[](markets.length);
            for (uint256 j; j < markets.length; ++j) {
                s.positions[i][j] = ch.position(accountList[i], markets[j]);
            }
        }
    }

    /// @dev Which (account, market) positions a batch settled, from its `MatchSettled` events.
    function _touchedPositions(Vm.Log[] memory logs) internal view returns (bool[][] memory touched) {
        touched = new bool[][](accountList.length);
        for (uint256 i; i < accountList.length; ++i) touched[i] = new bool[](markets.length);
        for (uint256 k; k < logs.length; ++k) {
            if (logs[k].emitter != address(ch) || logs[k].topics[0] != IClearinghouse.MatchSettled.selector) {
                continue;
            }
            uint256 marketIndex = _marketIndex(logs[k].topics[2]);
            (, , AccountId maker, AccountId taker) = abi.decode(
                logs[k].data,
                (bytes32, bytes32, AccountId, AccountId)
            );
            touched[_accountIndex(maker)][marketIndex] = true;
            touched[_accountIndex(taker)][marketIndex] = true;
        }
    }

    function _accumulateFunding(PositionSnapshot memory before, bool[][] memory touched) internal {
        for (uint256 j; j < markets.length; ++j) {
            int256 indexX18 = ch.fundingState(markets[j]).indexX18;
            for (uint256 i; i < before.positions.length; ++i) {
                Position memory p = before.positions[i][j];
                if (!touched[i][j] || p.splitFactorX18 == 0) continue;
                ghostFundingSettledX18 += FundingMath.pendingFundingX18(
                    p.sizeX18,
                    p.splitFactorX18,
                    p.lastFundingIndexX18,
                    indexX18
                );
            }
        }
    }

    /// @dev After a batch: a maker order with size left rests; a completed order (nonce used, no
    /// partial fill left) is dead forever.
    function _trackOrder(Match memory m) internal {
        bytes32 makerHash = ch.hashOrder(m.maker);
        bool makerFilled = ch.filledX18(makerHash) != 0;
        if (ch.isNonceUsed(m.maker.owner, m.maker.nonce) && !makerFilled) {
            _removeRestingByHash(makerHash);
            dead.push(SignedOrder(m.maker, m.makerSignature));
        } else if (makerFilled && !_isResting(makerHash)) {
            resting.push(SignedOrder(m.maker, m.makerSignature));
        }
        if (ch.isNonceUsed(m.taker.owner, m.taker.nonce) && ch.filledX18(ch.hashOrder(m.taker)) == 0) {
            dead.push(SignedOrder(m.taker, m.takerSignature));
        }
    }

    function _isResting(bytes32 orderHash) internal view returns (bool) {
        for (uint256 i; i < resting.length; ++i) {
            if (ch.hashOrder(resting[i].order) == orderHash) return true;
        }
        return false;
    }

    function _removeRestingByHash(bytes32 orderHash) internal {
        for (uint256 i; i < resting.length; ++i) {
            if (ch.hashOrder(resting[i].order) == orderHash) return _removeResting(i);
        }
    }

    function _removeResting(uint256 index) internal {
        resting[index] = resting[resting.length - 1];
        resting.pop();
    }

    // ================================================================== internals: round trip

    /// @dev A round trip between two fresh accounts: `a` is the maker of both legs, `b` the taker.
    struct RoundTrip {
        address a;
        address b;
        uint96 sub;
        bytes32 marketId;
        uint256 size;
        uint256 openPrice;
        int256 feeAX18; // signed fees of both legs (a maker rebate is negative)
        int256 feeBX18;
    }

    /// @dev One leg: `a` buys on the open leg and sells on the close leg. Returns whether it settled
    /// and adds each side's fee (from the `MatchSettled` event) to the round trip.
    function _roundTripLeg(
        RoundTrip memory r,
        bool open,
        uint256 priceX18,
        uint8 flags
    ) internal returns (bool settled) {
        if (open) r.openPrice = priceX18;
        SignedOrder memory maker = _newOrder(
            OrderSpec(r.a, r.sub, r.marketId, open, r.size, priceX18, flags, 1 days)
        );
        SignedOrder memory taker = _newOrder(
            OrderSpec(r.b, r.sub, r.marketId, !open, r.size, priceX18, flags, 1 days)
        );
        Match[] memory batch = new Match[](1);
        batch[0] = _match(maker.order, maker.signature, taker.order, taker.signature, r.size);
        PositionSnapshot memory before = _snapshotPositions();
        vm.recordLogs();
        vm.prank(matcher);
        settled = ch.settleMatches(batch) == 1;
        Vm.Log[] memory logs = vm.getRecordedLogs();
        _accumulateFunding(before, _touchedPositions(logs));
        if (!settled) return false;
        settledMatches += 1;
        ghostTouches += 2;
        dead.push(maker);
        dead.push(taker);
        for (uint256 k; k < logs.length; ++k) {
            if (logs[k].emitter == address(ch) && logs[k].topics[0] == IClearinghouse.MatchSettled.selector) {
                (, , , , , , , int256 makerFee, int256 takerFee) = abi.decode(
                    logs[k].data,
                    (bytes32, bytes32, AccountId, AccountId, bool, uint256, uint256, int256, int256)
                );
                r.feeAX18 += makerFee;
                r.feeBX18 += takerFee;
            }
        }
    }

    /// @dev INV-6 once both legs settled: withdraw everything and compare with deposits and fees.
    function _checkRoundTrip(RoundTrip memory r, bool sameInstant) internal {
        int256 depositX18 = int256(ROUND_TRIP_DEPOSIT_USD * USDC * 1e12);
        int256 outAX18 = int256(_withdrawEverything(r.a, r.sub) * 1e12);
        int256 outBX18 = int256(_withdrawEverything(r.b, r.sub) * 1e12);
        int256 feesX18 = r.feeAX18 + r.feeBX18;
        ++roundTrips;
        if (outAX18 + outBX18 > 2 * depositX18 - feesX18) {
            _violation("INV-6: a round trip returned more than deposits - fees");
        }
        // Only rounding is lost: the token-unit truncation of two withdrawals and wei dust.
        if (outAX18 + outBX18 < 2 * depositX18 - feesX18 - 2e12 - 1e6) {
            _violation("INV-6: a round trip lost more than rounding");
        }
        if (sameInstant && (outAX18 > depositX18 - r.feeAX18 || outBX18 > depositX18 - r.feeBX18)) {
            _violation("INV-6: one side of a same-price round trip gained");
        }
    }

    function _withdrawEverything(address owner, uint96 sub) internal returns (uint256 amount) {
        amount = vault.withdrawableX18(_account(owner, sub)) / 1e12;
        if (amount == 0) return 0;
        vm.prank(owner);
        vault.withdraw(sub, amount, owner);
    }

    // ================================================================== internals: corporate actions

    struct CorporateActionSnapshot {
        int256[] equities;
        int256[] fundingIndexX18; // per market, stored (accrued to now by the fund just before)
        uint256[] appliedDividendX18;
        Position[][] positions;
    }

    /// @dev Schedules the action and returns the external price after it (0 when not scheduled).
    function _schedule(
        bytes32 marketId,
        uint256 effective,
        uint256 kindSeed,
        uint256 priceX18
    ) internal returns (uint256 newPriceX18) {
        uint256 kind = kindSeed % 7;
        if (kind == 6) {
            uint256 amountX18 = (((priceX18 * bound(kindSeed >> 8, 10, 200)) / 10_000) / TICK_X18) * TICK_X18;
            if (amountX18 == 0) return 0;
            vm.prank(admin);
            actions.scheduleDividend(marketId, effective, amountX18);
            ++dividendsApplied;
            return priceX18 - amountX18;
        }
        uint32[6] memory numerators = [uint32(2), 4, 5, 1, 1, 1];
        uint32[6] memory denominators = [uint32(1), 1, 1, 2, 4, 10];
        uint256 factor = adapter.priceState(marketId).splitFactorX18;
        uint256 newFactor = (factor * numerators[kind]) / denominators[kind];
        if (newFactor < 1e16 || newFactor > 1e20) return 0;
        vm.prank(admin);
        actions.scheduleSplit(marketId, effective, numerators[kind], denominators[kind]);
        ++splitsApplied;
        return (priceX18 * denominators[kind]) / numerators[kind];
    }

    function _snapshotEquities() internal view returns (CorporateActionSnapshot memory s) {
        s.equities = new int256[](accountList.length);
        for (uint256 i; i < accountList.length; ++i)
            s.equities[i] = ch.accountHealth(accountList[i]).equityX18;
        s.fundingIndexX18 = new int256[](markets.length);
        s.appliedDividendX18 = new uint256[](markets.length);
        for (uint256 j; j < markets.length; ++j) {
            FundingState memory f = ch.fundingState(markets[j]);
            s.fundingIndexX18[j] = f.indexX18;
            s.appliedDividendX18[j] = f.appliedDividendX18;
        }
        s.positions = _snapshotPositions().positions;
    }

    /// @dev INV-8: equity after = equity before - the funding of the one second between them,
    /// computed from the stored positions and the funding indices with the dividend taken out.
    /// A split is exact; a dividend (paid through the index, taken off the price) may leave two wei
    /// per position of rounding.
    function _checkCorporateAction(CorporateActionSnapshot memory before) internal {
        int256[] memory fundingOnlyIndexX18 = new int256[](markets.length);
        for (uint256 j; j < markets.length; ++j) {
            FundingState memory f = ch.fundingState(markets[j]);
            fundingOnlyIndexX18[j] = f.indexX18 + int256(f.appliedDividendX18 - before.appliedDividendX18[j]);
        }
        for (uint256 i; i < accountList.length; ++i) {
            int256 expectedX18 = before.equities[i];
            uint256 open;
            for (uint256 j; j < markets.length; ++j) {
                Position memory p = before.positions[i][j];
                if (p.sizeX18 == 0) continue;
                ++open;
                expectedX18 -=
                    FundingMath.pendingFundingX18(
                        p.sizeX18,
                        p.splitFactorX18,
                        p.lastFundingIndexX18,
                        fundingOnlyIndexX18[j]
                    ) -
                    FundingMath.pendingFundingX18(
                        p.sizeX18,
                        p.splitFactorX18,
                        p.lastFundingIndexX18,
                        before.fundingIndexX18[j]
                    );
            }
            int256 deviation = ch.accountHealth(accountList[i]).equityX18 - expectedX18;
            uint256 absDeviation = deviation >= 0 ? uint256(deviation) : uint256(-deviation);
            if (absDeviation > maxCorporateActionDeviationX18) maxCorporateActionDeviationX18 = absDeviation;
            if (absDeviation > 2 * open) _violation("INV-8: a corporate action changed an account's equity");
        }
    }

    /// @dev The first time at or after `t` that is in a live session, as is the second before it.
    function _nextLiveTime(uint256 t) internal view returns (uint256) {
        while (calendar.sessionAt(t) == Session.CLOSED || calendar.sessionAt(t - 1) == Session.CLOSED) {
            t += 1 hours;
        }
        return t;
    }

    // ================================================================== internals: misc

    /// @dev The fill-price range now: the session's fill band around the mark (half-width rounded
    /// down, as the clearinghouse does) intersected with the oracle band, on the tick grid.
    function _fillRange(bytes32 marketId) internal view returns (uint256 lo, uint256 hi, bool ok) {
        PriceState memory s = adapter.priceState(marketId);
        SessionRiskParams memory p = registry.sessionRiskParams(marketId, s.session);
        uint256 halfBandX18 = (s.markPriceX18 * p.fillBandBps) / Constants.BPS;
        lo = s.markPriceX18 - halfBandX18;
        if (s.bandLowX18 > lo) lo = s.bandLowX18;
        hi = s.markPriceX18 + halfBandX18;
        if (s.bandHighX18 < hi) hi = s.bandHighX18;
        lo = ((lo + TICK_X18 - 1) / TICK_X18) * TICK_X18;
        hi = (hi / TICK_X18) * TICK_X18;
        ok = lo != 0 && lo <= hi;
    }

    function _tickIn(uint256 seed, uint256 lo, uint256 hi) internal pure returns (uint256) {
        return lo + bound(seed, 0, (hi - lo) / TICK_X18) * TICK_X18;
    }

    function _actorAccount(uint256 seed) internal view returns (address owner, uint96 subaccount) {
        owner = actors[seed % ACTORS];
        subaccount = uint96((seed >> 8) % 2);
    }

    function _actorIndex(address owner) internal view returns (uint256) {
        for (uint256 i; i < ACTORS; ++i) if (actors[i] == owner) return i;
        return 0;
    }

    function _accountIndex(AccountId account) internal view returns (uint256) {
        for (uint256 i; i < accountList.length; ++i) if (accountList[i].eq(account)) return i;
        revert("unknown account");
    }

    function _marketIndex(bytes32 marketId) internal view returns (uint256) {
        for (uint256 i; i < markets.length; ++i) if (markets[i] == marketId) return i;
        revert("unknown market");
    }

    function _depositTracked(address owner, uint96 subaccount, uint256 amountUsd) internal {
        AccountId account = _account(owner, subaccount);
        if (!isKnown[account]) {
            isKnown[account] = true;
            accountList.push(account);
        }
        _deposit(owner, subaccount, amountUsd);
    }

    function _checkInitialMargin(AccountId account, string memory what) internal {
        ++withdrawalsChecked;
        if (ch.accountMarkets(account).length == 0) return;
        AccountHealth memory h = ch.accountHealth(account);
        if (h.equityWithoutProfitX18 < int256(h.initialMarginX18)) _violation(what);
    }

    function _violation(string memory what) internal {
        ++violations;
        lastViolation = what;
    }
}

/// @notice The clearinghouse's invariants (SPEC section 10) on the fully wired system, after every
/// call of a random sequence of the handler's actions:
/// - INV-1 the vault's accounting identity holds exactly; Σ accounts == the vault's total; Σ open
///   notional == the clearinghouse's aggregate; and no set of claims at the current marks exceeds
///   the vault's tokens.
/// - INV-2 Σ long == Σ short per market (across splits); recorded open interest == Σ positions.
/// - INV-3 funding is zero-sum up to protocol-favouring dust; the settled balance equals the funding
///   the ghost recomputed from every touched position.
/// - INV-5, INV-6, INV-8, INV-9 are checked inside the handler's actions: no violation ever.
contract ClearinghouseInvariantTest is Test {
    ClearinghouseHandler internal handler;
    IClearinghouse internal ch;

    function setUp() public {
        handler = new ClearinghouseHandler();
        ch = handler.clearinghouse();
        targetContract(address(handler));
        bytes4[] memory selectors = new bytes4[](15);
        selectors[0] = ClearinghouseHandler.trade.selector;
        selectors[1] = ClearinghouseHandler.tradeBatch.selector;
        selectors[2] = ClearinghouseHandler.fillResting.selector;
        selectors[3] = ClearinghouseHandler.movePrice.selector;
        selectors[4] = ClearinghouseHandler.warp.selector;
        selectors[5] = ClearinghouseHandler.fund.selector;
        selectors[6] = ClearinghouseHandler.deposit.selector;
        selectors[7] = ClearinghouseHandler.withdraw.selector;
        selectors[8] = ClearinghouseHandler.transfer.selector;
        selectors[9] = ClearinghouseHandler.cancel.selector;
        selectors[10] = ClearinghouseHandler.replay.selector;
        selectors[11] = ClearinghouseHandler.forge.selector;
        selectors[12] = ClearinghouseHandler.roundTrip.selector;
        selectors[13] = ClearinghouseHandler.corporateAction.selector;
        selectors[14] = ClearinghouseHandler.trade.selector;
        targetSelector(FuzzSelector({addr: address(handler), selectors: selectors}));
    }

    /// @dev A fixed walk through every handler action: each one really happens (trades settle,
    /// attacks are rejected, round trips complete, every split ratio and a dividend are applied,
    /// withdrawals are checked and over-withdrawals rejected), with no violation; splits and the
    /// dividend leave every equity exactly as predicted. A broken action cannot hide behind the
    /// fuzzer's `failOnRevert: false`.
    function test_handler_ExercisesEveryAction() public {
        for (uint256 i; i < 6; ++i)
            handler.trade(uint256(keccak256(abi.encode("trade", i))), 300 + i, 11 * i);
        handler.tradeBatch(uint256(keccak256("batch")), 5);
        handler.fillResting(3, 100);
        handler.movePrice(0, 10_100);
        handler.warp(3 hours);
        handler.fund(3);
        handler.deposit(1, 500);
        handler.withdraw(1, 1e9, false);
        handler.withdraw(2, 5, true);
        handler.transfer(3, 1e20, false);
        handler.transfer(3, 1e20, true);
        uint256 settled = handler.settledMatches();
        assertGe(settled, 8, "trades settle");
        handler.cancel(0, 0);
        handler.cancel(1, 1);
        handler.cancel(2, 2);
        handler.replay(5);
        for (uint256 kind; kind < 15; ++kind) {
            handler.forge(uint256(keccak256(abi.encode("forge", kind))), 77, 5, kind);
        }
        assertEq(handler.skippedAttacks(), 19, "every attack rejected");
        handler.roundTrip(uint256(keccak256("instant")) & ~uint256(1 << 24), 1000, 3, 9);
        handler.roundTrip(uint256(keccak256("waiting")) | (1 << 24), 1000, 3, 9);
        assertEq(handler.roundTrips(), 2, "round trips complete");
        for (uint256 kind; kind < 7; ++kind) handler.corporateAction(kind, kind + (50 << 8), 3 hours);
        assertEq(handler.splitsApplied(), 6, "every split ratio applied");
        assertEq(handler.dividendsApplied(), 1, "dividend applied");
        assertEq(handler.maxCorporateActionDeviationX18(), 0, "equity exactly as predicted");
        assertEq(handler.withdrawalsChecked(), 2, "withdrawal and transfer checked");
        assertEq(handler.rejectedWithdrawals(), 2, "over-withdrawal and over-transfer rejected");
        assertEq(handler.violations(), 0, handler.lastViolation());
        invariant_accountingIdentity();
        invariant_claimsAtMarksAreCovered();
        invariant_openInterestMatchesPositions();
        invariant_fundingIsZeroSum();
    }

    /// @dev INV-1: exact identity, and its parts recomputed from the ghost's account list.
    function invariant_accountingIdentity() public view {
        (uint256 balanceX18, int256 liabilitiesX18, bool holds) = _vault().accountingIdentity();
        assertTrue(holds, "identity holds");
        assertEq(int256(balanceX18), liabilitiesX18, "token balance == liabilities exactly");
        int256 collateralX18;
        int256 openNotionalX18;
        for (uint256 i; i < handler.accountCount(); ++i) {
            AccountId account = handler.accountAt(i);
            collateralX18 += _vault().collateralX18(account);
            for (uint256 j; j < handler.marketCount(); ++j) {
                openNotionalX18 += ch.position(account, handler.marketAt(j)).openNotionalX18;
            }
        }
        assertEq(collateralX18, _vault().totalCollateralX18(), "sum of accounts == total collateral");
        assertEq(openNotionalX18, ch.totalOpenNotionalX18(), "sum of open notionals == aggregate");
        assertEq(ch.totalUnrealizedPnlX18(), ch.settledBalanceX18() - openNotionalX18, "claims of positions");
    }

    /// @dev INV-1 at market prices: Σ equity (collateral + uPnL at the marks - pending funding) plus
    /// the fee treasury never exceeds the vault's tokens.
    function invariant_claimsAtMarksAreCovered() public view {
        int256 claimsX18 = int256(_vault().feeTreasuryX18());
        for (uint256 i; i < handler.accountCount(); ++i) {
            claimsX18 += ch.accountHealth(handler.accountAt(i)).equityX18;
        }
        assertLe(claimsX18, int256(handler.tokenBalanceX18()), "claims at marks <= tokens");
    }

    /// @dev INV-2: per market, Σ sizes (rescaled to the oracle's split factor) is zero and the
    /// recorded open interest (at its own split factor) equals Σ long and Σ |short| sizes.
    function invariant_openInterestMatchesPositions() public view {
        for (uint256 j; j < handler.marketCount(); ++j) {
            bytes32 marketId = handler.marketAt(j);
            uint256 oracleFactor = handler.splitFactorX18(marketId);
            (uint256 longX18, uint256 shortX18, uint256 oiFactor) = ch.openInterest(marketId);
            int256 net;
            uint256 sumLong;
            uint256 sumShort;
            for (uint256 i; i < handler.accountCount(); ++i) {
                Position memory p = ch.position(handler.accountAt(i), marketId);
                if (p.sizeX18 == 0) continue;
                net += PositionMath.rescaleSize(p.sizeX18, p.splitFactorX18, oracleFactor);
                int256 atOi = PositionMath.rescaleSize(p.sizeX18, p.splitFactorX18, oiFactor);
                if (atOi > 0) sumLong += uint256(atOi);
                else sumShort += uint256(-atOi);
            }
            assertEq(net, 0, "sum of sizes is zero");
            assertEq(longX18, sumLong, "recorded long OI == sum of longs");
            assertEq(shortX18, sumShort, "recorded short OI == sum of shorts");
        }
    }

    /// @dev INV-3: settled balance + Σ pending funding at the stored index >= 0 (payers cover
    /// receivers) and at most one wei per settlement and per open position; the settled balance is
    /// exactly the funding the ghost recomputed at every touch.
    function invariant_fundingIsZeroSum() public view {
        assertEq(
            ch.settledBalanceX18(),
            handler.ghostFundingSettledX18(),
            "settled balance == ghost funding"
        );
        int256 totalX18 = ch.settledBalanceX18();
        uint256 open;
        for (uint256 j; j < handler.marketCount(); ++j) {
            bytes32 marketId = handler.marketAt(j);
            int256 indexX18 = ch.fundingState(marketId).indexX18;
            for (uint256 i; i < handler.accountCount(); ++i) {
                Position memory p = ch.position(handler.accountAt(i), marketId);
                if (p.sizeX18 == 0) continue;
                ++open;
                totalX18 += FundingMath.pendingFundingX18(
                    p.sizeX18,
                    p.splitFactorX18,
                    p.lastFundingIndexX18,
                    indexX18
                );
            }
        }
        assertGe(totalX18, 0, "funding paid covers funding received");
        assertLe(totalX18, int256(handler.ghostTouches() + open), "only dust");
    }

    /// @dev INV-5, INV-6, INV-8, INV-9: no action ever recorded a violation.
    function invariant_noViolation() public view {
        assertEq(handler.violations(), 0, handler.lastViolation());
    }

    function _vault() internal view returns (ICollateralVault) {
        return handler.collateralVault();
    }
}
