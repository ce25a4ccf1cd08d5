// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {ICollateralVault} from "../interfaces/ICollateralVault.sol";
import {IInsuranceFund} from "../interfaces/IInsuranceFund.sol";

/// @title InsuranceFund
/// @notice Sundial's insurance fund: its own tokens, its own ledger, outflows only to the vault.
/// See `IInsuranceFund` and docs/vault.md.
contract InsuranceFund is IInsuranceFund, AccessControl, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @inheritdoc IInsuranceFund
    IERC20 public immutable token;
    /// @inheritdoc IInsuranceFund
    address public vault;
    /// @inheritdoc IInsuranceFund
    uint256 public ledgerBalance;

    /// @param collateralToken The collateral token (the vault's).
    /// @param admin `DEFAULT_ADMIN_ROLE` holder (the governance timelock).
    constructor(IERC20 collateralToken, address admin) {
        if (address(collateralToken) == address(0) || admin == address(0)) revert InsuranceFund_ZeroAddress();
        token = collateralToken;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    /// @inheritdoc IInsuranceFund
    function donate(uint256 amount) external nonReentrant {
        if (amount == 0) revert InsuranceFund_ZeroAmount();
        uint256 balanceBefore = token.balanceOf(address(this));
        token.safeTransferFrom(msg.sender, address(this), amount);
        uint256 received = token.balanceOf(address(this)) - balanceBefore;
        if (received != amount) revert InsuranceFund_FeeOnTransfer(amount, received);
        ledgerBalance += amount;
        emit Donated(msg.sender, amount);
    }

    /// @inheritdoc IInsuranceFund
    function payToVault(uint256 amount) external nonReentrant {
        address currentVault = vault;
        // An unset vault (zero) can never be the caller.
        if (msg.sender != currentVault) revert InsuranceFund_CallerNotVault(msg.sender, currentVault);
        if (amount == 0) revert InsuranceFund_ZeroAmount();
        uint256 available = ledgerBalance;
        if (amount > available) revert InsuranceFund_InsufficientBalance(available, amount);
        // Cannot underflow: checked just above.
        unchecked {
            ledgerBalance = available - amount;
        }
        emit PaidToVault(currentVault, amount);
        token.safeTransfer(currentVault, amount);
    }

    /// @inheritdoc IInsuranceFund
    function sync() external nonReentrant returns (uint256 absorbed) {
        uint256 balance = token.balanceOf(address(this));
        uint256 ledger = ledgerBalance;
        if (balance <= ledger) return 0;
        // Cannot underflow: balance > ledger.
        unchecked {
            absorbed = balance - ledger;
        }
        ledgerBalance = balance;
        emit SurplusSynced(msg.sender, absorbed);
    }

    /// @inheritdoc IInsuranceFund
    function setVault(address newVault) external nonReentrant onlyRole(DEFAULT_ADMIN_ROLE) {
        if (newVault == address(0)) revert InsuranceFund_ZeroAddress();
        if (vault != address(0)) revert InsuranceFund_VaultAlreadySet(vault);
        address vaultToken = address(ICollateralVault(newVault).token());
        if (vaultToken != address(token)) revert InsuranceFund_VaultTokenMismatch(address(token), vaultToken);
        vault = newVault;
        emit VaultSet(newVault);
    }

    /// @inheritdoc IInsuranceFund
    function setBackstopOperator(
        address operator,
        bool approved
    ) external nonReentrant onlyRole(DEFAULT_ADMIN_ROLE) {
        address currentVault = vault;
        if (currentVault == address(0)) revert InsuranceFund_VaultNotSet();
        ICollateralVault(currentVault).setOperator(operator, approved);
        emit BackstopOperatorSet(operator, approved);
    }

    // ============================================================================ roles

    /// @notice OpenZeppelin role management, behind the same reentrancy lock as every other
    /// state-changing entry point.
    function grantRole(bytes32 role, address account) public override nonReentrant {
        super.grantRole(role, account);
    }

    /// @notice See `grantRole`.
    function revokeRole(bytes32 role, address account) public override nonReentrant {
        super.revokeRole(role, account);
    }

    /// @notice See `grantRole`.
    function renounceRole(bytes32 role, address callerConfirmation) public override nonReentrant {
        super.renounceRole(role, callerConfirmation);
    }
}
