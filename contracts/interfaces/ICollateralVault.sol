// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {AccountId} from "../types/Account.sol";
import {IInsuranceFund} from "./IInsuranceFund.sol";
import {IMarginAuthority} from "./IMarginAuthority.sol";

/// @title ICollateralVault
/// @notice Holds the protocol's single collateral stablecoin with segregated ledgers (SPEC section 4):
/// each account's collateral, a running total of all account collateral, and the fee treasury.
/// The insurance fund is a separate contract with its own tokens.
///
/// Units: token amounts passed in and out (`amount`) are in collateral-token units; ledgers are X18
/// (`...X18`). Only this contract converts: `amountX18 = amount * tokenScale()`, exact in both
/// directions because withdrawals are given in token units. Account collateral is signed: the
/// clearinghouse may later drive an account negative (bad debt).
///
/// Accounts are `(owner, subaccount)` (`AccountId`). An owner may approve operators (session keys,
/// trading bots) for all of its subaccounts: they may trade (the clearinghouse reads `isOperator`),
/// move funds between the owner's subaccounts and withdraw to the owner's own address, but never
/// withdraw anywhere else.
///
/// Roles (OpenZeppelin `AccessControl`):
/// - `DEFAULT_ADMIN_ROLE` (the governance `TimelockController`): connects the margin authority once
///   (`setMarginAuthority`), sets the pause length within hard bounds (`setPauseDuration`), lifts a
///   pause (`unpauseWithdrawals`), withdraws the fee treasury (`withdrawFees`, fee ledger only) and
///   manages roles. It cannot move any account's collateral: there is no admin withdrawal, no
///   lending and no rehypothecation.
/// - `GUARDIAN_ROLE`: pauses withdrawals (`pauseWithdrawals`) for `pauseDuration()`; the pause
///   expires by itself and a new one needs `Constants.VAULT_PAUSE_COOLDOWN` after the previous one
///   ended. It may also lift its pause early. Nothing else.
/// - Everyone: deposits (for any account), `sweepSurplus`, relaying signed withdrawals, views.
interface ICollateralVault {
    /// @notice A gasless withdrawal signed by `owner` (EIP-712 struct `Withdrawal`), executed by anyone.
    /// @param owner The account owner and signer (EOA via ECDSA, or a smart wallet via ERC-1271).
    /// @param subaccount The owner's subaccount to withdraw from.
    /// @param amount Token units to send.
    /// @param to Recipient (any address the owner chooses).
    /// @param nonce Unordered nonce (a bit in the owner's nonce bitmap); each can be used or cancelled once.
    /// @param deadline Last timestamp (inclusive) at which the withdrawal may execute.
    struct Withdrawal {
        address owner;
        uint96 subaccount;
        uint256 amount;
        address to;
        uint256 nonce;
        uint256 deadline;
    }

    // ------------------------------------------------------------------ events

    /// @notice `from` deposited `amount` tokens (`amountX18`) into `account`.
    event Deposited(AccountId indexed account, address indexed from, uint256 amount, uint256 amountX18);

    /// @notice `amount` tokens (`amountX18`) left `account` for `to`, on the call of `caller`
    /// (the owner, an operator, or the relayer of a signed withdrawal).
    event Withdrawn(
        AccountId indexed account,
        address indexed caller,
        address indexed to,
        uint256 amount,
        uint256 amountX18
    );

    /// @notice `amountX18` moved from account `from` to account `to` (same owner) on the call of `caller`.
    event SubaccountTransferred(
        AccountId indexed from,
        AccountId indexed to,
        address indexed caller,
        uint256 amountX18
    );

    /// @notice `owner` approved (`approved`) or revoked `operator` for all of its subaccounts.
    event OperatorSet(address indexed owner, address indexed operator, bool approved);

    /// @notice `nonce` of `owner` was used by a signed withdrawal or cancelled; it can never be used again.
    event NonceUsed(address indexed owner, uint256 indexed nonce);

    /// @notice `guardian` paused withdrawals until `pausedUntil`.
    event WithdrawalsPaused(address indexed guardian, uint256 pausedUntil);

    /// @notice `caller` lifted the withdrawal pause before it expired.
    event WithdrawalsUnpaused(address indexed caller);

    /// @notice The length of future withdrawal pauses changed from `oldDuration` to `newDuration` seconds.
    event PauseDurationUpdated(uint256 oldDuration, uint256 newDuration);

    /// @notice `amount` tokens (`amountX18`) of the fee treasury were sent to `to`.
    event FeesWithdrawn(address indexed to, uint256 amount, uint256 amountX18);

    /// @notice The clearinghouse was connected as the vault's margin authority (once).
    event MarginAuthoritySet(address indexed marginAuthority);

    /// @notice `amount` surplus tokens (not owed to anyone) were donated to the insurance fund by `caller`.
    event SurplusSwept(address indexed caller, uint256 amount);

    /// @notice The margin authority applied a trade result of `deltaX18` (realized PnL, funding, fees)
    /// to `account`'s collateral.
    event CollateralSettled(AccountId indexed account, int256 deltaX18);

    /// @notice The margin authority moved the fee treasury by `deltaX18` (fees in, rebates out, net).
    event FeeTreasurySettled(int256 deltaX18);

    /// @notice A liquidation penalty: `account` paid `keeperX18` to `keeper` and `insuranceX18` to the
    /// backstop account `backstop` (`LIQUIDATION_ROLE`).
    event LiquidationPenaltyApplied(
        AccountId indexed account,
        AccountId indexed keeper,
        AccountId indexed backstop,
        uint256 keeperX18,
        uint256 insuranceX18
    );

    /// @notice `caller` (`LIQUIDATION_ROLE`) pulled `amount` tokens from the insurance fund for
    /// `account`'s bad debt: `coveredX18` went to the account, `dustX18` (below one token unit) to the
    /// fee treasury.
    event BadDebtCovered(
        AccountId indexed account,
        address indexed caller,
        uint256 amount,
        uint256 coveredX18,
        uint256 dustX18
    );

    // ------------------------------------------------------------------ errors

    /// @notice A required address argument is zero.
    error Vault_ZeroAddress();

    /// @notice The EIP-2612 permit of `owner` failed and its allowance `allowance` does not cover `amount`.
    error Vault_PermitFailed(address owner, uint256 allowance, uint256 amount);

    /// @notice A token or X18 amount of zero was given.
    error Vault_ZeroAmount();

    /// @notice The collateral token has `decimals` decimals; at most 18 are supported.
    error Vault_UnsupportedDecimals(uint8 decimals);

    /// @notice The insurance fund holds `actual`, the vault's collateral token is `expected`.
    error Vault_InsuranceFundTokenMismatch(address expected, address actual);

    /// @notice `amount` token units exceed `maxAmount`, the most this call accepts: its X18 value, or
    /// the vault's token balance after a deposit in X18, would not fit an `int256`.
    error Vault_AmountTooLarge(uint256 amount, uint256 maxAmount);

    /// @notice The vault received `received` tokens for a deposit of `expected` (fee-on-transfer token).
    error Vault_FeeOnTransfer(uint256 expected, uint256 received);

    /// @notice `account` can release only `availableX18` now; `neededX18` was requested.
    error Vault_InsufficientCollateral(AccountId account, uint256 availableX18, uint256 neededX18);

    /// @notice `caller` is neither `owner` nor an operator approved by `owner`.
    error Vault_NotOwnerOrOperator(address caller, address owner);

    /// @notice Operator `operator` tried to withdraw `owner`'s funds to `to`; operators may only
    /// withdraw to the owner.
    error Vault_OperatorRecipientNotOwner(address operator, address owner, address to);

    /// @notice A subaccount transfer from `subaccount` to itself.
    error Vault_SameSubaccount(uint96 subaccount);

    /// @notice Withdrawals are paused until `pausedUntil`.
    error Vault_WithdrawalsPaused(uint256 pausedUntil);

    /// @notice Withdrawals are not paused.
    error Vault_WithdrawalsNotPaused();

    /// @notice A new pause is allowed from `availableAt` (cooldown after the previous pause, or one is active).
    error Vault_PauseCooldownActive(uint256 availableAt);

    /// @notice `duration` seconds is outside the hard bounds [`minDuration`, `maxDuration`].
    error Vault_PauseDurationOutOfBounds(uint256 duration, uint256 minDuration, uint256 maxDuration);

    /// @notice The signed withdrawal expired at `deadline`; it is now `timestamp`.
    error Vault_SignatureExpired(uint256 deadline, uint256 timestamp);

    /// @notice The signature does not prove `owner` signed the withdrawal with EIP-712 digest `digest`.
    error Vault_InvalidSignature(address owner, bytes32 digest);

    /// @notice `nonce` of `owner` was already used or cancelled.
    error Vault_NonceAlreadyUsed(address owner, uint256 nonce);

    /// @notice The fee treasury holds `availableX18`; `neededX18` was requested.
    error Vault_InsufficientFees(uint256 availableX18, uint256 neededX18);

    /// @notice The margin authority is already `marginAuthority`; it can be set only once.
    error Vault_MarginAuthorityAlreadySet(address marginAuthority);

    /// @notice The vault holds no tokens beyond what it owes.
    error Vault_NoSurplus();

    /// @notice Only the margin authority may apply trade results; `caller` is not it.
    error Vault_CallerNotMarginAuthority(address caller);

    /// @notice `applySettlement` got `accounts` accounts and `deltas` deltas.
    error Vault_LengthMismatch(uint256 accounts, uint256 deltas);

    /// @notice `coverBadDebt` asked to cover `coverX18` of `account`, whose collateral `collateralX18`
    /// shows a smaller (or no) debt.
    error Vault_BadDebtExceeded(AccountId account, int256 collateralX18, uint256 coverX18);

    // ------------------------------------------------------------------ configuration views

    /// @notice The role allowed to pause withdrawals (and lift its pause).
    function GUARDIAN_ROLE() external view returns (bytes32);

    /// @notice The role of the liquidation engine (granted by the deployment, to nothing else): covers
    /// bad debt from the insurance fund (`coverBadDebt`) and moves a liquidation penalty from the
    /// liquidated account to the keeper and the backstop (`applyLiquidationPenalty`).
    function LIQUIDATION_ROLE() external view returns (bytes32);

    /// @notice The EIP-712 type hash of `Withdrawal`.
    function WITHDRAWAL_TYPEHASH() external view returns (bytes32);

    /// @notice The collateral token (one per deployment).
    function token() external view returns (IERC20Metadata);

    /// @notice The insurance fund that receives swept surplus.
    function insuranceFund() external view returns (IInsuranceFund);

    /// @notice The clearinghouse, once connected; zero before.
    function marginAuthority() external view returns (IMarginAuthority);

    /// @notice 10^(18 - token decimals): X18 per token unit.
    function tokenScale() external view returns (uint256);

    /// @notice The largest token amount whose X18 value fits an `int256` (`int256.max / tokenScale()`).
    /// The vault's token balance may not exceed it through deposits.
    function maxTokenAmount() external view returns (uint256);

    // ------------------------------------------------------------------ ledger views

    /// @notice Collateral of `account` in X18 (negative = bad debt left by the clearinghouse).
    function collateralX18(AccountId account) external view returns (int256);

    /// @notice Σ collateral of all accounts, in X18.
    function totalCollateralX18() external view returns (int256);

    /// @notice The fee treasury, in X18.
    function feeTreasuryX18() external view returns (uint256);

    /// @notice Collateral of `account` that may leave it now, in X18: its non-negative collateral,
    /// capped by the margin authority's `withdrawableX18` once connected.
    function withdrawableX18(AccountId account) external view returns (uint256);

    /// @notice Whether `operator` is approved by `owner` for all of `owner`'s subaccounts.
    function isOperator(address owner, address operator) external view returns (bool);

    /// @notice The accounting identity of SPEC section 4, checkable by anyone:
    /// `tokenBalanceX18` = the vault's token balance in X18 (saturating at `uint256.max`),
    /// `liabilitiesX18` = Σ account collateral + fee treasury + Σ unrealized PnL (zero while no
    /// margin authority is connected), `holds` = `tokenBalanceX18 >= liabilitiesX18`. Equality holds
    /// exactly unless tokens were sent to the vault directly (surplus, see `sweepSurplus`).
    function accountingIdentity()
        external
        view
        returns (uint256 tokenBalanceX18, int256 liabilitiesX18, bool holds);

    /// @notice Whole tokens held beyond the liabilities (rounded up to token units), which
    /// `sweepSurplus` would send to the insurance fund.
    function sweepableSurplus() external view returns (uint256 amount);

    // ------------------------------------------------------------------ pause views

    /// @notice Withdrawals are paused while `block.timestamp < withdrawalsPausedUntil()`. After an
    /// early unpause it holds the unpause time (the end of that pause).
    function withdrawalsPausedUntil() external view returns (uint256);

    /// @notice Whether withdrawals (direct, operator and signed) are paused now.
    function withdrawalsPaused() external view returns (bool);

    /// @notice Length in seconds of the next guardian pause.
    function pauseDuration() external view returns (uint256);

    /// @notice Earliest timestamp at which the guardian may pause again.
    function pauseAvailableAt() external view returns (uint256);

    // ------------------------------------------------------------------ signature views

    /// @notice The EIP-712 domain separator (name "Sundial CollateralVault", version "1", this chain
    /// id, this contract).
    function domainSeparator() external view returns (bytes32);

    /// @notice The EIP-712 digest the owner signs for `request`.
    function hashWithdrawal(Withdrawal calldata request) external view returns (bytes32);

    /// @notice Whether `nonce` of `owner` was used or cancelled.
    function isNonceUsed(address owner, uint256 nonce) external view returns (bool);

    /// @notice The nonce bitmap word `wordPosition` of `owner`: bit `b` is nonce `wordPosition * 256 + b`.
    function nonceBitmap(address owner, uint256 wordPosition) external view returns (uint256);

    // ------------------------------------------------------------------ deposits

    /// @notice Pulls `amount` tokens from the caller into the caller's `subaccount`.
    /// @dev Requires an allowance. Reverts with `Vault_FeeOnTransfer` if the vault receives a
    /// different amount, `Vault_AmountTooLarge` past `maxTokenAmount()`. Never paused.
    function deposit(uint96 subaccount, uint256 amount) external;

    /// @notice Pulls `amount` tokens from the caller into `account` (anyone's).
    function depositFor(AccountId account, uint256 amount) external;

    /// @notice EIP-2612 permit, then `deposit`. If the permit call fails (e.g. someone front-ran it
    /// with the same signature) the deposit still succeeds on the resulting allowance; without a
    /// sufficient allowance it reverts with `Vault_PermitFailed`.
    function depositWithPermit(
        uint96 subaccount,
        uint256 amount,
        uint256 deadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external;

    // ------------------------------------------------------------------ withdrawals and transfers

    /// @notice Sends `amount` tokens of the caller's `subaccount` to `to`.
    /// @dev Reverts while paused, and with `Vault_InsufficientCollateral` above `withdrawableX18`.
    function withdraw(uint96 subaccount, uint256 amount, address to) external;

    /// @notice Sends `amount` tokens of `account` to `to`. The owner may choose any `to`; an
    /// operator of the owner only `to == account.owner()`.
    function withdrawFor(AccountId account, uint256 amount, address to) external;

    /// @notice Executes a withdrawal signed by `request.owner`; anyone may relay it.
    /// @dev Checks deadline, signature (ECDSA or ERC-1271 via `SignatureChecker`), consumes the
    /// nonce, then withdraws like `withdraw`. Subject to the pause. The nonce is consumed only if the
    /// withdrawal succeeds.
    function withdrawWithSignature(Withdrawal calldata request, bytes calldata signature) external;

    /// @notice Moves `amountX18` from the caller's subaccount `fromSubaccount` to `toSubaccount`.
    /// @dev X18 (not token units) so that a balance holding sub-token dust from trading can be moved
    /// in full. The source is checked like a withdrawal; not subject to the pause.
    function transferBetweenSubaccounts(
        uint96 fromSubaccount,
        uint96 toSubaccount,
        uint256 amountX18
    ) external;

    /// @notice `transferBetweenSubaccounts` for `owner`, called by `owner` or one of its operators.
    function transferBetweenSubaccountsFor(
        address owner,
        uint96 fromSubaccount,
        uint96 toSubaccount,
        uint256 amountX18
    ) external;

    // ------------------------------------------------------------------ owner settings

    /// @notice Approves or revokes `operator` for all of the caller's subaccounts.
    function setOperator(address operator, bool approved) external;

    /// @notice Cancels the caller's signed-withdrawal `nonce` (marks it used).
    function cancelNonce(uint256 nonce) external;

    // ------------------------------------------------------------------ pause

    /// @notice Pauses withdrawals for `pauseDuration()`. `GUARDIAN_ROLE` only, at most once per
    /// cooldown (`pauseAvailableAt()`). Deposits and subaccount transfers continue.
    function pauseWithdrawals() external;

    /// @notice Lifts an active pause. `GUARDIAN_ROLE` or `DEFAULT_ADMIN_ROLE`; the cooldown for the
    /// next pause starts now.
    function unpauseWithdrawals() external;

    /// @notice Sets the length of future pauses. `DEFAULT_ADMIN_ROLE` only, within
    /// [`Constants.VAULT_MIN_PAUSE_DURATION`, `Constants.VAULT_MAX_PAUSE_DURATION`].
    function setPauseDuration(uint256 newDuration) external;

    // ------------------------------------------------------------------ governance and upkeep

    /// @notice Sends `amount` tokens out of the fee treasury (never account collateral).
    /// `DEFAULT_ADMIN_ROLE` only. Subject to the withdrawal pause like every outflow.
    function withdrawFees(address to, uint256 amount) external;

    /// @notice Connects the clearinghouse. `DEFAULT_ADMIN_ROLE` only, exactly once.
    /// @dev Warning: the margin authority decides how much each account may withdraw and enters the
    /// accounting identity; set-once means no role can later swap in another contract.
    function setMarginAuthority(address newMarginAuthority) external;

    /// @notice Donates `sweepableSurplus()` to the insurance fund. Permissionless.
    function sweepSurplus() external returns (uint256 amount);

    // ------------------------------------------------------------------ margin authority

    /// @notice Applies trade results: adds `deltasX18[i]` (signed: realized PnL, funding, fees) to the
    /// collateral of `accounts[i]` and `feeTreasuryDeltaX18` to the fee treasury. Only the margin
    /// authority (the clearinghouse), which calls it once per batch of matches.
    /// @dev An account may go negative (bad debt, settled later through the insurance fund); the fee
    /// treasury may not (`Vault_InsufficientFees`). The vault does not check that the deltas balance:
    /// the clearinghouse keeps the accounting identity together with `totalUnrealizedPnlX18`. Not
    /// subject to the withdrawal pause (no tokens move). Reverts with `Vault_CallerNotMarginAuthority`
    /// for any other caller and `Vault_LengthMismatch` for arrays of different lengths.
    function applySettlement(
        AccountId[] calldata accounts,
        int256[] calldata deltasX18,
        int256 feeTreasuryDeltaX18
    ) external;

    // ------------------------------------------------------------------ bad debt (LIQUIDATION_ROLE)

    /// @notice Covers `coverX18` of `account`'s negative collateral from the insurance fund: pulls
    /// `ceil(coverX18 / tokenScale)` tokens with `IInsuranceFund.payToVault`, credits `coverX18` to the
    /// account and the rounding dust (< one token unit) to the fee treasury, so the accounting
    /// identity stays exact. `LIQUIDATION_ROLE` only (the liquidation engine, which checks that the
    /// account has no positions); `coverX18` may not exceed the account's debt.
    /// @dev Warning: the only path by which insurance-fund tokens enter the vault for an account.
    /// Reverts with `Vault_BadDebtExceeded` for a cover larger than the debt, and with the fund's
    /// `InsuranceFund_InsufficientBalance` when the fund holds less.
    /// @return amount Tokens pulled from the insurance fund.
    function coverBadDebt(AccountId account, uint256 coverX18) external returns (uint256 amount);

    /// @notice Moves a liquidation penalty between account ledgers: `keeperX18 + insuranceX18` out of
    /// `account`'s collateral, `keeperX18` to `keeper`, `insuranceX18` to `backstop`. No tokens move and
    /// Σ collateral is unchanged. `LIQUIDATION_ROLE` only (the liquidation engine, which computes the
    /// penalty from the liquidation it just executed and caps it at the account's equity).
    /// @dev Warning: the only path, besides the clearinghouse's trade results, that changes an account's
    /// collateral without a deposit or withdrawal.
    function applyLiquidationPenalty(
        AccountId account,
        AccountId keeper,
        uint256 keeperX18,
        AccountId backstop,
        uint256 insuranceX18
    ) external;
}
