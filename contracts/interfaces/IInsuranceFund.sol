// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @title IInsuranceFund
/// @notice The protocol's insurance fund: a separate contract holding its own collateral tokens,
/// with its own ledger, segregated from user collateral and the fee treasury (SPEC sections 4 and 7).
/// @dev Ledger unit: collateral-token units (not X18). The fund never converts units, and keeping its
/// ledger in token units makes `token.balanceOf(fund) == ledgerBalance()` an exact equality.
///
/// Tokens enter through `donate` (anyone, e.g. liquidation penalties routed by the protocol or the
/// vault's swept surplus) and `sync` (absorbs tokens sent directly). Tokens leave ONLY through
/// `payToVault`, callable ONLY by the collateral vault, which the clearinghouse's bad-debt settlement
/// uses. There is no admin withdrawal.
///
/// Roles:
/// - `DEFAULT_ADMIN_ROLE` (the governance timelock): may call `setVault` exactly once (the
///   deployment wiring), appoint the backstop's trading operators (`setBackstopOperator`) and manage
///   roles. It cannot move tokens.
/// - Everyone: `donate`, `sync`, views.
/// - The vault (an address, not a role): `payToVault`.
interface IInsuranceFund {
    // ------------------------------------------------------------------ events

    /// @notice `donor` added `amount` tokens to the fund.
    event Donated(address indexed donor, uint256 amount);

    /// @notice The fund sent `amount` tokens to the vault (bad-debt coverage).
    event PaidToVault(address indexed vault, uint256 amount);

    /// @notice The collateral vault was wired to the fund (once).
    event VaultSet(address indexed vault);

    /// @notice `operator` may (or may no longer) trade the backstop account through the matcher.
    event BackstopOperatorSet(address indexed operator, bool approved);

    /// @notice `amount` tokens sent to the fund directly were absorbed into the ledger by `caller`.
    event SurplusSynced(address indexed caller, uint256 amount);

    // ------------------------------------------------------------------ errors

    /// @notice A required address argument is zero.
    error InsuranceFund_ZeroAddress();

    /// @notice A token amount of zero was given.
    error InsuranceFund_ZeroAmount();

    /// @notice The fund received `received` tokens for a transfer of `expected` (fee-on-transfer token).
    error InsuranceFund_FeeOnTransfer(uint256 expected, uint256 received);

    /// @notice `setVault` was already called; the vault is `vault`.
    error InsuranceFund_VaultAlreadySet(address vault);

    /// @notice The vault given to `setVault` holds `actual` as collateral, the fund holds `expected`.
    error InsuranceFund_VaultTokenMismatch(address expected, address actual);

    /// @notice Only the vault may call this; the caller was `caller`, the vault is `vault`.
    error InsuranceFund_CallerNotVault(address caller, address vault);

    /// @notice The vault is not wired yet (`setVault`).
    error InsuranceFund_VaultNotSet();
    /// @notice The ledger holds `available` tokens, `needed` were requested.
    error InsuranceFund_InsufficientBalance(uint256 available, uint256 needed);

    // ------------------------------------------------------------------ views

    /// @notice The collateral token the fund holds (the vault's collateral token).
    function token() external view returns (IERC20);

    /// @notice The collateral vault, the only address that may receive funds; zero until wired.
    function vault() external view returns (address);

    /// @notice The fund's ledger, in token units. Equals the fund's token balance except for tokens
    /// sent directly and not yet absorbed by `sync`.
    function ledgerBalance() external view returns (uint256);

    // ------------------------------------------------------------------ flows

    /// @notice Pulls `amount` tokens from the caller into the fund (requires an allowance).
    /// @dev Reverts with `InsuranceFund_FeeOnTransfer` if the fund receives a different amount.
    function donate(uint256 amount) external;

    /// @notice Sends `amount` tokens of the fund to the vault. Callable only by the vault.
    /// @dev Used by the clearinghouse's bad-debt settlement (through the vault) to cover an
    /// account's negative balance (SPEC section 7 waterfall).
    function payToVault(uint256 amount) external;

    /// @notice Absorbs tokens sent to the fund directly (balance above the ledger) into the ledger.
    /// Permissionless. Returns the absorbed amount (zero when there is none).
    function sync() external returns (uint256 absorbed);

    // ------------------------------------------------------------------ governance

    /// @notice Wires the collateral vault. `DEFAULT_ADMIN_ROLE` only, exactly once; the vault must
    /// hold the same collateral token.
    function setVault(address newVault) external;

    /// @notice Approves (or revokes) `operator` as the vault operator of this fund's accounts, among
    /// them the liquidation backstop `(fund, 0)`: the operator signs the orders with which the matcher
    /// unwinds the backstop's positions (SPEC 7). `DEFAULT_ADMIN_ROLE` only, after `setVault`.
    /// @dev An operator trades under the clearinghouse's margin rules and can withdraw only to the
    /// fund itself (the vault's operator rule), where `sync` absorbs the tokens into the ledger.
    function setBackstopOperator(address operator, bool approved) external;
}
