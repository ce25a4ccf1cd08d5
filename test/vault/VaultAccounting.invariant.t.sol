// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccountId, AccountIdLib} from "../../contracts/types/Account.sol";
import {CollateralVaultHarness} from "./CollateralVaultHarness.sol";
import {ICollateralVault} from "../../contracts/interfaces/ICollateralVault.sol";
import {Constants} from "../../contracts/libraries/Constants.sol";
import {InsuranceFund} from "../../contracts/core/InsuranceFund.sol";
import {MockUSDC} from "../../contracts/mocks/MockUSDC.sol";
import {Test} from "../utils/Test.sol";

// The handler lives in this file (not in a separate .sol) so that running this test file alone
// still gives the fuzzer the handler's artifact: Hardhat emits artifacts only for the files it
// was asked to compile as roots.

/// @notice INV-1 handler: random deposits (direct, for others, with permit), withdrawals (direct,
/// by operator, signed), subaccount transfers, fee credits and withdrawals, insurance donations and
/// stray-then-sync, guardian pauses/unpauses and time. It mirrors every effect in ghost state and
/// predicts each call's outcome from that state (pause window, cooldown, balances): a call whose
/// outcome differs from the prediction (a valid withdrawal refused, an invalid one accepted) is
/// counted in `ghostWrongOutcomes`.
contract VaultHandler is Test {
    uint256 internal constant SCALE = 1e12;
    uint256 internal constant ACTORS = 4;
    uint96 internal constant SUBACCOUNTS = 3;
    uint256 internal constant MAX_DEPOSIT = 10_000_000e6;
    bytes32 internal constant PERMIT_TYPEHASH = keccak256(
        "Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)"
    );

    CollateralVaultHarness public immutable vault;
    MockUSDC public immutable usdc;
    InsuranceFund public immutable fund;
    address public immutable admin;
    address public immutable guardian;

    uint256[ACTORS] internal keys;
    address[ACTORS] public actors;
    address[ACTORS] public operators;

    // ------------------------------------------------------------------ ghost state
    mapping(AccountId account => int256 amountX18) public ghostCollateralX18;
    uint256 public ghostFeesX18;
    uint256 public ghostFundLedger;
    uint256 public ghostPausedUntil;
    uint256 public ghostWrongOutcomes;
    bytes32 public lastWrongOutcome;
    uint256 internal ghostNonceCounter;
    mapping(bytes32 action => uint256 count) public calls;
    mapping(bytes32 action => uint256 count) public successes;

    constructor(
        CollateralVaultHarness vaultUnderTest,
        MockUSDC token,
        InsuranceFund insuranceFund,
        address adminAccount,
        address guardianAccount
    ) {
        vault = vaultUnderTest;
        usdc = token;
        fund = insuranceFund;
        admin = adminAccount;
        guardian = guardianAccount;
        for (uint256 i = 0; i < ACTORS; i++) {
            keys[i] = uint256(keccak256(abi.encode("vault-handler-actor", i)));
            actors[i] = vm.addr(keys[i]);
            operators[i] = vm.addr(uint256(keccak256(abi.encode("vault-handler-operator", i))));
            vm.prank(actors[i]);
            usdc.approve(address(fund), type(uint256).max);
            vm.prank(actors[i]);
            vault.setOperator(operators[i], true);
        }
    }

    // ================================================================== deposits

    function deposit(uint256 actorSeed, uint96 subSeed, uint256 amount) external {
        (address actor, ) = _actor(actorSeed);
        AccountId account = _account(actor, subSeed);
        amount = bound(amount, 1, MAX_DEPOSIT);
        _mintAndApprove(actor, amount);
        vm.prank(actor);
        try vault.deposit(account.subaccount(), amount) {
            _credit(account, amount * SCALE);
            _outcome("deposit", true, true);
        } catch {
            _outcome("deposit", false, true);
        }
    }

    function depositFor(uint256 actorSeed, uint256 beneficiarySeed, uint96 subSeed, uint256 amount) external {
        (address payer, ) = _actor(actorSeed);
        (address beneficiary, ) = _actor(beneficiarySeed);
        AccountId account = _account(beneficiary, subSeed);
        amount = bound(amount, 1, MAX_DEPOSIT);
        _mintAndApprove(payer, amount);
        vm.prank(payer);
        try vault.depositFor(account, amount) {
            _credit(account, amount * SCALE);
            _outcome("depositFor", true, true);
        } catch {
            _outcome("depositFor", false, true);
        }
    }

    function depositWithPermit(uint256 actorSeed, uint96 subSeed, uint256 amount) external {
        (address actor, uint256 key) = _actor(actorSeed);
        AccountId account = _account(actor, subSeed);
        amount = bound(amount, 1, MAX_DEPOSIT);
        usdc.mint(actor, amount);
        vm.prank(actor);
        usdc.approve(address(vault), 0); // the permit must do the work
        uint256 deadline = block.timestamp + 1 hours;
        bytes32 structHash = keccak256(
            abi.encode(PERMIT_TYPEHASH, actor, address(vault), amount, usdc.nonces(actor), deadline)
        );
        bytes32 digest = keccak256(abi.encodePacked("\x19\x01", usdc.DOMAIN_SEPARATOR(), structHash));
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, digest);
        vm.prank(actor);
        try vault.depositWithPermit(account.subaccount(), amount, deadline, v, r, s) {
            _credit(account, amount * SCALE);
            _outcome("depositWithPermit", true, true);
        } catch {
            _outcome("depositWithPermit", false, true);
        }
    }

    // ================================================================== withdrawals and transfers

    function withdraw(uint256 actorSeed, uint96 subSeed, uint256 amount, uint256 toSeed) external {
        (address actor, ) = _actor(actorSeed);
        AccountId account = _account(actor, subSeed);
        amount = _boundWithdrawal(account, amount);
        bool expected = _withdrawable(account, amount);
        (address to, ) = _actor(toSeed);
        vm.prank(actor);
        try vault.withdraw(account.subaccount(), amount, to) {
            _debit(account, amount * SCALE);
            _outcome("withdraw", true, expected);
        } catch {
            _outcome("withdraw", false, expected);
        }
    }

    function operatorWithdraw(uint256 actorSeed, uint96 subSeed, uint256 amount) external {
        uint256 index = actorSeed % ACTORS;
        AccountId account = _account(actors[index], subSeed);
        amount = _boundWithdrawal(account, amount);
        bool expected = _withdrawable(account, amount);
        vm.prank(operators[index]);
        try vault.withdrawFor(account, amount, actors[index]) {
            _debit(account, amount * SCALE);
            _outcome("operatorWithdraw", true, expected);
        } catch {
            _outcome("operatorWithdraw", false, expected);
        }
    }

    function signedWithdraw(uint256 actorSeed, uint96 subSeed, uint256 amount, uint256 toSeed) external {
        (address actor, uint256 key) = _actor(actorSeed);
        AccountId account = _account(actor, subSeed);
        amount = _boundWithdrawal(account, amount);
        bool expected = _withdrawable(account, amount);
        (address to, ) = _actor(toSeed);
        ICollateralVault.Withdrawal memory request = ICollateralVault.Withdrawal({
            owner: actor,
            subaccount: account.subaccount(),
            amount: amount,
            to: to,
            nonce: uint256(keccak256(abi.encode(ghostNonceCounter++))),
            deadline: block.timestamp + 1 hours
        });
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, vault.hashWithdrawal(request));
        try vault.withdrawWithSignature(request, abi.encodePacked(r, s, v)) {
            _debit(account, amount * SCALE);
            _outcome("signedWithdraw", true, expected);
        } catch {
            _outcome("signedWithdraw", false, expected);
        }
    }

    function transfer(
        uint256 actorSeed,
        uint96 fromSeed,
        uint96 toSeed,
        uint256 amountX18,
        bool byOperator
    ) external {
        uint256 index = actorSeed % ACTORS;
        AccountId from = _account(actors[index], fromSeed);
        AccountId to = _account(actors[index], toSeed);
        int256 availableX18 = ghostCollateralX18[from];
        // Up to one wei above the balance; never paused.
        amountX18 = bound(amountX18, 1, availableX18 > 0 ? uint256(availableX18) + 1 : 1);
        bool expected = !from.eq(to) && int256(amountX18) <= availableX18;
        vm.prank(byOperator ? operators[index] : actors[index]);
        try
            vault.transferBetweenSubaccountsFor(actors[index], from.subaccount(), to.subaccount(), amountX18)
        {
            _debit(from, amountX18);
            _credit(to, amountX18);
            _outcome("transfer", true, expected);
        } catch {
            _outcome("transfer", false, expected);
        }
    }

    // ================================================================== treasury, insurance, pause, time

    /// @dev Stands in for the clearinghouse booking a trade fee: tokens in, fee ledger up.
    function creditFees(uint256 amount) external {
        amount = bound(amount, 1, 100_000e6);
        usdc.mint(address(vault), amount);
        vault.harnessCreditFeesX18(amount * SCALE);
        ghostFeesX18 += amount * SCALE;
        _outcome("creditFees", true, true);
    }

    function withdrawFees(uint256 amount, uint256 toSeed) external {
        amount = bound(amount, 1, ghostFeesX18 / SCALE + 1);
        bool expected = !_paused() && amount * SCALE <= ghostFeesX18;
        (address to, ) = _actor(toSeed);
        vm.prank(admin);
        try vault.withdrawFees(to, amount) {
            ghostFeesX18 -= amount * SCALE;
            _outcome("withdrawFees", true, expected);
        } catch {
            _outcome("withdrawFees", false, expected);
        }
    }

    function donate(uint256 actorSeed, uint256 amount) external {
        (address actor, ) = _actor(actorSeed);
        amount = bound(amount, 1, MAX_DEPOSIT);
        usdc.mint(actor, amount);
        vm.prank(actor);
        try fund.donate(amount) {
            ghostFundLedger += amount;
            _outcome("donate", true, true);
        } catch {
            _outcome("donate", false, true);
        }
    }

    /// @dev Tokens sent to the fund directly, then absorbed by a permissionless sync in the same step.
    function strayToFundThenSync(uint256 amount) external {
        amount = bound(amount, 1, MAX_DEPOSIT);
        usdc.mint(address(fund), amount);
        uint256 absorbed = fund.sync();
        ghostFundLedger += absorbed;
        _outcome("strayToFundThenSync", absorbed == amount, true);
    }

    function pause() external {
        uint256 pausedUntil = ghostPausedUntil;
        bool expected = pausedUntil == 0 || block.timestamp >= pausedUntil + Constants.VAULT_PAUSE_COOLDOWN;
        vm.prank(guardian);
        try vault.pauseWithdrawals() {
            ghostPausedUntil = block.timestamp + Constants.VAULT_DEFAULT_PAUSE_DURATION;
            _outcome("pause", true, expected);
        } catch {
            _outcome("pause", false, expected);
        }
    }

    function unpause() external {
        bool expected = _paused();
        vm.prank(guardian);
        try vault.unpauseWithdrawals() {
            ghostPausedUntil = block.timestamp;
            _outcome("unpause", true, expected);
        } catch {
            _outcome("unpause", false, expected);
        }
    }

    function warp(uint256 secondsForward) external {
        vm.warp(block.timestamp + bound(secondsForward, 1, 4 days));
        _outcome("warp", true, true);
    }

    // ================================================================== views for the invariants

    function actorCount() external pure returns (uint256) {
        return ACTORS;
    }

    function subaccountCount() external pure returns (uint96) {
        return SUBACCOUNTS;
    }

    // ================================================================== helpers

    function _actor(uint256 seed) internal view returns (address actor, uint256 key) {
        uint256 index = seed % ACTORS;
        return (actors[index], keys[index]);
    }

    function _account(address owner, uint96 subSeed) internal pure returns (AccountId) {
        return AccountIdLib.from(owner, subSeed % SUBACCOUNTS);
    }

    function _mintAndApprove(address actor, uint256 amount) internal {
        usdc.mint(actor, amount);
        vm.prank(actor);
        usdc.approve(address(vault), amount);
    }

    function _paused() internal view returns (bool) {
        return block.timestamp < ghostPausedUntil;
    }

    /// @dev Mostly valid amounts (up to the ghost balance), sometimes one unit too many.
    function _boundWithdrawal(AccountId account, uint256 amount) internal view returns (uint256) {
        int256 balanceX18 = ghostCollateralX18[account];
        uint256 maxUnits = balanceX18 > 0 ? uint256(balanceX18) / SCALE : 0;
        return bound(amount, 1, maxUnits + 1);
    }

    function _withdrawable(AccountId account, uint256 amount) internal view returns (bool) {
        return !_paused() && int256(amount * SCALE) <= ghostCollateralX18[account];
    }

    function _credit(AccountId account, uint256 amountX18) internal {
        ghostCollateralX18[account] += int256(amountX18);
    }

    function _debit(AccountId account, uint256 amountX18) internal {
        ghostCollateralX18[account] -= int256(amountX18);
    }

    function _outcome(bytes32 action, bool succeeded, bool expected) internal {
        calls[action]++;
        if (succeeded) successes[action]++;
        if (succeeded != expected) {
            ghostWrongOutcomes++;
            lastWrongOutcome = action;
        }
    }
}

/// @notice INV-1 (vault part): the vault's token balance equals Σ account collateral + fee treasury
/// exactly (no margin authority, no stray transfers), the running total equals the ghost sum of
/// every account, and the insurance fund's balance equals its ledger.
contract CollateralVaultAccountingInvariantTest is Test {
    uint256 internal constant SCALE = 1e12;

    MockUSDC internal usdc;
    InsuranceFund internal fund;
    CollateralVaultHarness internal vault;
    VaultHandler internal handler;

    function setUp() public {
        vm.warp(1_800_000_000);
        address admin = makeAddr("admin");
        address guardian = makeAddr("guardian");
        usdc = new MockUSDC();
        fund = new InsuranceFund(usdc, admin);
        vault = new CollateralVaultHarness(usdc, fund, admin, guardian);
        vm.prank(admin);
        fund.setVault(address(vault));
        handler = new VaultHandler(vault, usdc, fund, admin, guardian);

        bytes4[] memory selectors = new bytes4[](14);
        selectors[0] = VaultHandler.deposit.selector;
        selectors[1] = VaultHandler.depositFor.selector;
        selectors[2] = VaultHandler.depositWithPermit.selector;
        selectors[3] = VaultHandler.withdraw.selector;
        selectors[4] = VaultHandler.operatorWithdraw.selector;
        selectors[5] = VaultHandler.signedWithdraw.selector;
        selectors[6] = VaultHandler.transfer.selector;
        selectors[7] = VaultHandler.creditFees.selector;
        selectors[8] = VaultHandler.withdrawFees.selector;
        selectors[9] = VaultHandler.donate.selector;
        selectors[10] = VaultHandler.strayToFundThenSync.selector;
        selectors[11] = VaultHandler.pause.selector;
        selectors[12] = VaultHandler.unpause.selector;
        selectors[13] = VaultHandler.warp.selector;
        targetContract(address(handler));
        targetSelector(FuzzSelector({addr: address(handler), selectors: selectors}));
    }

    /// INV-1: token balance (X18) == Σ collateral + fee treasury, exactly.
    function invariant_tokenBalanceEqualsLedgersExactly() public view {
        uint256 balanceX18 = usdc.balanceOf(address(vault)) * SCALE;
        int256 ledgersX18 = vault.totalCollateralX18() + int256(vault.feeTreasuryX18());
        assertEq(int256(balanceX18), ledgersX18, "balance == collateral + treasury");
        (uint256 identityBalanceX18, int256 liabilitiesX18, bool holds) = vault.accountingIdentity();
        assertTrue(holds, "identity holds");
        assertEq(int256(identityBalanceX18), liabilitiesX18, "identity exact");
        assertEq(vault.sweepableSurplus(), 0, "no surplus");
    }

    /// INV-1: the running total equals the sum of every account, and each account its ghost.
    function invariant_accountsSumToTotal() public view {
        int256 sumX18;
        uint256 actors = handler.actorCount();
        uint96 subaccounts = handler.subaccountCount();
        for (uint256 i = 0; i < actors; i++) {
            for (uint96 sub = 0; sub < subaccounts; sub++) {
                AccountId account = AccountIdLib.from(handler.actors(i), sub);
                int256 ghostX18 = handler.ghostCollateralX18(account);
                assertEq(vault.collateralX18(account), ghostX18, "account == ghost");
                assertGe(ghostX18, 0, "no account negative without a clearinghouse");
                sumX18 += ghostX18;
            }
        }
        assertEq(vault.totalCollateralX18(), sumX18, "total == sum of accounts");
        assertEq(vault.feeTreasuryX18(), handler.ghostFeesX18(), "treasury == ghost");
    }

    /// Handler model check: every call succeeded exactly when the ghost state said it should (no
    /// valid withdrawal refused, no over-withdrawal, pause window and cooldown as documented).
    function invariant_outcomesMatchModel() public view {
        assertEq(
            handler.ghostWrongOutcomes(),
            0,
            string.concat("wrong outcome: ", string(abi.encodePacked(handler.lastWrongOutcome())))
        );
    }

    /// INV-1: the insurance fund's balance equals its ledger (and the ghost of its inflows).
    function invariant_insuranceFundBalanceEqualsLedger() public view {
        assertEq(usdc.balanceOf(address(fund)), fund.ledgerBalance(), "fund balance == ledger");
        assertEq(fund.ledgerBalance(), handler.ghostFundLedger(), "fund ledger == ghost");
    }
}
