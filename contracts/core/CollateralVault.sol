// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {ICollateralVault} from "../interfaces/ICollateralVault.sol";
import {IInsuranceFund} from "../interfaces/IInsuranceFund.sol";
import {IMarginAuthority} from "../interfaces/IMarginAuthority.sol";
import {BoundedSignatureChecker} from "../libraries/BoundedSignatureChecker.sol";
import {Constants} from "../libraries/Constants.sol";
import {AccountId, AccountIdLib} from "../types/Account.sol";

/// @title CollateralVault
/// @notice Segregated custody of Sundial's collateral stablecoin. See `ICollateralVault` and docs/vault.md.
contract CollateralVault is ICollateralVault, AccessControl, EIP712, ReentrancyGuardTransient {
    using SafeERC20 for IERC20Metadata;
    using SafeCast for uint256;

    /// @inheritdoc ICollateralVault
    bytes32 public constant GUARDIAN_ROLE = keccak256("GUARDIAN_ROLE");
    /// @inheritdoc ICollateralVault
    bytes32 public constant LIQUIDATION_ROLE = keccak256("LIQUIDATION_ROLE");

    /// @inheritdoc ICollateralVault
    bytes32 public constant WITHDRAWAL_TYPEHASH = keccak256(
        "Withdrawal(address owner,uint96 subaccount,uint256 amount,address to,uint256 nonce,uint256 deadline)"
    );

    /// @inheritdoc ICollateralVault
    IERC20Metadata public immutable token;
    /// @inheritdoc ICollateralVault
    IInsuranceFund public immutable insuranceFund;
    /// @inheritdoc ICollateralVault
    uint256 public immutable tokenScale;
    /// @inheritdoc ICollateralVault
    uint256 public immutable maxTokenAmount;

    /// @inheritdoc ICollateralVault
    IMarginAuthority public marginAuthority;
    /// @inheritdoc ICollateralVault
    int256 public totalCollateralX18;
    /// @inheritdoc ICollateralVault
    uint256 public feeTreasuryX18;
    /// @inheritdoc ICollateralVault
    uint256 public withdrawalsPausedUntil;
    /// @inheritdoc ICollateralVault
    uint256 public pauseDuration;
    /// @inheritdoc ICollateralVault
    mapping(address owner => mapping(uint256 wordPosition => uint256 bits)) public nonceBitmap;

    mapping(AccountId account => int256 amountX18) internal _collateralX18;
    mapping(address owner => mapping(address operator => bool approved)) internal _operators;

    /// @param collateralToken The stablecoin (at most 18 decimals).
    /// @param fund The insurance fund; must hold the same token.
    /// @param admin `DEFAULT_ADMIN_ROLE` holder (the governance timelock).
    /// @param guardian `GUARDIAN_ROLE` holder (pause only).
    constructor(
        IERC20Metadata collateralToken,
        IInsuranceFund fund,
        address admin,
        address guardian
    ) EIP712("Sundial CollateralVault", "1") {
        if (address(collateralToken) == address(0) || address(fund) == address(0)) revert Vault_ZeroAddress();
        if (admin == address(0) || guardian == address(0)) revert Vault_ZeroAddress();
        uint8 decimals = collateralToken.decimals();
        if (decimals > Constants.VAULT_MAX_TOKEN_DECIMALS) revert Vault_UnsupportedDecimals(decimals);
        address fundToken = address(fund.token());
        if (fundToken != address(collateralToken)) {
            revert Vault_InsuranceFundTokenMismatch(address(collateralToken), fundToken);
        }
        token = collateralToken;
        insuranceFund = fund;
        tokenScale = 10 ** (Constants.VAULT_MAX_TOKEN_DECIMALS - decimals);
        // Rounds down: the largest amount whose X18 value still fits an int256.
        maxTokenAmount = uint256(type(int256).max) / tokenScale;
        pauseDuration = Constants.VAULT_DEFAULT_PAUSE_DURATION;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(GUARDIAN_ROLE, guardian);
    }

    // ============================================================================ deposits

    /// @inheritdoc ICollateralVault
    function deposit(uint96 subaccount, uint256 amount) external nonReentrant {
        _deposit(AccountIdLib.from(msg.sender, subaccount), amount);
    }

    /// @inheritdoc ICollateralVault
    function depositFor(AccountId account, uint256 amount) external nonReentrant {
        if (account.owner() == address(0)) revert Vault_ZeroAddress();
        _deposit(account, amount);
    }

    /// @inheritdoc ICollateralVault
    function depositWithPermit(
        uint96 subaccount,
        uint256 amount,
        uint256 deadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external nonReentrant {
        _permitOrRequireAllowance(amount, deadline, v, r, s);
        _deposit(AccountIdLib.from(msg.sender, subaccount), amount);
    }

    // ============================================================================ withdrawals

    /// @inheritdoc ICollateralVault
    function withdraw(uint96 subaccount, uint256 amount, address to) external nonReentrant {
        _withdraw(AccountIdLib.from(msg.sender, subaccount), amount, to);
    }

    /// @inheritdoc ICollateralVault
    function withdrawFor(AccountId account, uint256 amount, address to) external nonReentrant {
        address owner = account.owner();
        if (msg.sender != owner) {
            _requireOperator(owner);
            if (to != owner) revert Vault_OperatorRecipientNotOwner(msg.sender, owner, to);
        }
        _withdraw(account, amount, to);
    }

    /// @inheritdoc ICollateralVault
    function withdrawWithSignature(
        Withdrawal calldata request,
        bytes calldata signature
    ) external nonReentrant {
        if (block.timestamp > request.deadline)
            revert Vault_SignatureExpired(request.deadline, block.timestamp);
        bytes32 digest = hashWithdrawal(request);
        // ERC-1271 wallets are queried with a bounded staticcall: they cannot change state, re-enter
        // with effect, or burn the relayer's gas.
        if (!BoundedSignatureChecker.isValidSignatureNow(request.owner, digest, signature)) {
            revert Vault_InvalidSignature(request.owner, digest);
        }
        _useNonce(request.owner, request.nonce);
        _withdraw(AccountIdLib.from(request.owner, request.subaccount), request.amount, request.to);
    }

    // ============================================================================ transfers

    /// @inheritdoc ICollateralVault
    function transferBetweenSubaccounts(
        uint96 fromSubaccount,
        uint96 toSubaccount,
        uint256 amountX18
    ) external nonReentrant {
        _transferBetweenSubaccounts(msg.sender, fromSubaccount, toSubaccount, amountX18);
    }

    /// @inheritdoc ICollateralVault
    function transferBetweenSubaccountsFor(
        address owner,
        uint96 fromSubaccount,
        uint96 toSubaccount,
        uint256 amountX18
    ) external nonReentrant {
        if (msg.sender != owner) _requireOperator(owner);
        _transferBetweenSubaccounts(owner, fromSubaccount, toSubaccount, amountX18);
    }

    // ============================================================================ owner settings

    /// @inheritdoc ICollateralVault
    function setOperator(address operator, bool approved) external nonReentrant {
        if (operator == address(0)) revert Vault_ZeroAddress();
        _operators[msg.sender][operator] = approved;
        emit OperatorSet(msg.sender, operator, approved);
    }

    /// @inheritdoc ICollateralVault
    function cancelNonce(uint256 nonce) external nonReentrant {
        _useNonce(msg.sender, nonce);
    }

    // ============================================================================ pause

    /// @inheritdoc ICollateralVault
    function pauseWithdrawals() external nonReentrant onlyRole(GUARDIAN_ROLE) {
        uint256 availableAt = pauseAvailableAt();
        if (block.timestamp < availableAt) revert Vault_PauseCooldownActive(availableAt);
        uint256 pausedUntil = block.timestamp + pauseDuration;
        withdrawalsPausedUntil = pausedUntil;
        emit WithdrawalsPaused(msg.sender, pausedUntil);
    }

    /// @inheritdoc ICollateralVault
    function unpauseWithdrawals() external nonReentrant {
        if (!hasRole(GUARDIAN_ROLE, msg.sender)) _checkRole(DEFAULT_ADMIN_ROLE);
        if (!withdrawalsPaused()) revert Vault_WithdrawalsNotPaused();
        // The pause ends now; the cooldown for the next one is measured from here.
        withdrawalsPausedUntil = block.timestamp;
        emit WithdrawalsUnpaused(msg.sender);
    }

    /// @inheritdoc ICollateralVault
    function setPauseDuration(uint256 newDuration) external nonReentrant onlyRole(DEFAULT_ADMIN_ROLE) {
        uint256 minDuration = Constants.VAULT_MIN_PAUSE_DURATION;
        uint256 maxDuration = Constants.VAULT_MAX_PAUSE_DURATION;
        if (newDuration < minDuration || newDuration > maxDuration) {
            revert Vault_PauseDurationOutOfBounds(newDuration, minDuration, maxDuration);
        }
        uint256 oldDuration = pauseDuration;
        pauseDuration = newDuration;
        emit PauseDurationUpdated(oldDuration, newDuration);
    }

    // ============================================================================ governance and upkeep

    /// @inheritdoc ICollateralVault
    function withdrawFees(address to, uint256 amount) external nonReentrant onlyRole(DEFAULT_ADMIN_ROLE) {
        _requireWithdrawalsOpen();
        (uint256 amountX18, ) = _checkOutflow(amount, to);
        uint256 availableX18 = feeTreasuryX18;
        if (amountX18 > availableX18) revert Vault_InsufficientFees(availableX18, amountX18);
        // Cannot underflow: checked just above.
        unchecked {
            feeTreasuryX18 = availableX18 - amountX18;
        }
        emit FeesWithdrawn(to, amount, amountX18);
        token.safeTransfer(to, amount);
    }

    /// @inheritdoc ICollateralVault
    function setMarginAuthority(
        address newMarginAuthority
    ) external nonReentrant onlyRole(DEFAULT_ADMIN_ROLE) {
        if (newMarginAuthority == address(0)) revert Vault_ZeroAddress();
        address current = address(marginAuthority);
        if (current != address(0)) revert Vault_MarginAuthorityAlreadySet(current);
        marginAuthority = IMarginAuthority(newMarginAuthority);
        emit MarginAuthoritySet(newMarginAuthority);
    }

    /// @inheritdoc ICollateralVault
    function sweepSurplus() external nonReentrant returns (uint256 amount) {
        amount = _sweepableSurplus();
        if (amount == 0) revert Vault_NoSurplus();
        // The fund pulls exactly `amount` and books it in its own ledger (its fee-on-transfer check applies).
        token.forceApprove(address(insuranceFund), amount);
        insuranceFund.donate(amount);
        emit SurplusSwept(msg.sender, amount);
    }

    // ============================================================================ margin authority

    /// @inheritdoc ICollateralVault
    function applySettlement(
        AccountId[] calldata accounts,
        int256[] calldata deltasX18,
        int256 feeTreasuryDeltaX18
    ) external nonReentrant {
        if (msg.sender != address(marginAuthority) || msg.sender == address(0)) {
            revert Vault_CallerNotMarginAuthority(msg.sender);
        }
        uint256 count = accounts.length;
        if (count != deltasX18.length) revert Vault_LengthMismatch(count, deltasX18.length);
        int256 totalDeltaX18;
        for (uint256 i; i < count; ++i) {
            int256 deltaX18 = deltasX18[i];
            _collateralX18[accounts[i]] += deltaX18;
            totalDeltaX18 += deltaX18;
            emit CollateralSettled(accounts[i], deltaX18);
        }
        totalCollateralX18 += totalDeltaX18;
        if (feeTreasuryDeltaX18 != 0) _applyFeeDelta(feeTreasuryDeltaX18);
    }

    // ============================================================================ bad debt

    /// @inheritdoc ICollateralVault
    function coverBadDebt(
        AccountId account,
        uint256 coverX18
    ) external nonReentrant onlyRole(LIQUIDATION_ROLE) returns (uint256 amount) {
        int256 collateral = _collateralX18[account];
        if (coverX18 == 0 || collateral >= 0 || coverX18 > uint256(-collateral)) {
            revert Vault_BadDebtExceeded(account, collateral, coverX18);
        }
        // Rounded up to whole token units: the fund pays at least the debt it covers; the excess
        // (< one unit) goes to the fee treasury.
        amount = Math.ceilDiv(coverX18, tokenScale);
        uint256 dustX18 = amount * tokenScale - coverX18;
        _collateralX18[account] = collateral + coverX18.toInt256();
        totalCollateralX18 += coverX18.toInt256();
        feeTreasuryX18 += dustX18;
        uint256 balanceBefore = token.balanceOf(address(this));
        insuranceFund.payToVault(amount);
        uint256 received = token.balanceOf(address(this)) - balanceBefore;
        if (received != amount) revert Vault_FeeOnTransfer(amount, received);
        emit BadDebtCovered(account, msg.sender, amount, coverX18, dustX18);
    }

    /// @inheritdoc ICollateralVault
    function applyLiquidationPenalty(
        AccountId account,
        AccountId keeper,
        uint256 keeperX18,
        AccountId backstop,
        uint256 insuranceX18
    ) external nonReentrant onlyRole(LIQUIDATION_ROLE) {
        _collateralX18[account] -= (keeperX18 + insuranceX18).toInt256();
        _collateralX18[keeper] += keeperX18.toInt256();
        _collateralX18[backstop] += insuranceX18.toInt256();
        emit LiquidationPenaltyApplied(account, keeper, backstop, keeperX18, insuranceX18);
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

    // ============================================================================ views

    /// @inheritdoc ICollateralVault
    function collateralX18(AccountId account) external view returns (int256) {
        return _collateralX18[account];
    }

    /// @inheritdoc ICollateralVault
    function withdrawableX18(AccountId account) public view returns (uint256) {
        int256 balanceX18 = _collateralX18[account];
        // A negative balance (bad debt) releases nothing.
        uint256 ownX18 = balanceX18 > 0 ? uint256(balanceX18) : 0;
        IMarginAuthority authority = marginAuthority;
        if (address(authority) == address(0)) return ownX18;
        return Math.min(ownX18, authority.withdrawableX18(account));
    }

    /// @inheritdoc ICollateralVault
    function isOperator(address owner, address operator) external view returns (bool) {
        return _operators[owner][operator];
    }

    /// @inheritdoc ICollateralVault
    function accountingIdentity()
        external
        view
        nonReentrantView
        returns (uint256 tokenBalanceX18, int256 liabilitiesX18, bool holds)
    {
        // Saturates instead of overflowing: only reachable through huge direct transfers, and a
        // saturated balance still exceeds every representable liability.
        tokenBalanceX18 = Math.saturatingMul(token.balanceOf(address(this)), tokenScale);
        liabilitiesX18 = _liabilitiesX18();
        holds = liabilitiesX18 <= 0 || tokenBalanceX18 >= uint256(liabilitiesX18);
    }

    /// @inheritdoc ICollateralVault
    function sweepableSurplus() external view nonReentrantView returns (uint256) {
        return _sweepableSurplus();
    }

    /// @inheritdoc ICollateralVault
    function withdrawalsPaused() public view returns (bool) {
        return block.timestamp < withdrawalsPausedUntil;
    }

    /// @inheritdoc ICollateralVault
    function pauseAvailableAt() public view returns (uint256) {
        uint256 pausedUntil = withdrawalsPausedUntil;
        // Never paused: no cooldown applies.
        return pausedUntil == 0 ? 0 : pausedUntil + Constants.VAULT_PAUSE_COOLDOWN;
    }

    /// @inheritdoc ICollateralVault
    function domainSeparator() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    /// @inheritdoc ICollateralVault
    function hashWithdrawal(Withdrawal calldata request) public view returns (bytes32) {
        bytes32 structHash = keccak256(
            abi.encode(
                WITHDRAWAL_TYPEHASH,
                request.owner,
                request.subaccount,
                request.amount,
                request.to,
                request.nonce,
                request.deadline
            )
        );
        return _hashTypedDataV4(structHash);
    }

    /// @inheritdoc ICollateralVault
    function isNonceUsed(address owner, uint256 nonce) external view returns (bool) {
        (uint256 wordPosition, uint256 bit) = _nonceBit(nonce);
        return nonceBitmap[owner][wordPosition] & bit != 0;
    }

    // ============================================================================ internals

    /// @dev Pulls `amount` from the caller and credits `account`; the X18 credit is exact.
    function _deposit(AccountId account, uint256 amount) private {
        if (amount == 0) revert Vault_ZeroAmount();
        uint256 balanceBefore = token.balanceOf(address(this));
        uint256 headroom = maxTokenAmount > balanceBefore ? maxTokenAmount - balanceBefore : 0;
        if (amount > headroom) revert Vault_AmountTooLarge(amount, headroom);
        token.safeTransferFrom(msg.sender, address(this), amount);
        uint256 received = token.balanceOf(address(this)) - balanceBefore;
        if (received != amount) revert Vault_FeeOnTransfer(amount, received);
        // Exact: amount <= maxTokenAmount, so amount * tokenScale <= int256.max.
        uint256 amountX18 = amount * tokenScale;
        _credit(account, amountX18.toInt256());
        emit Deposited(account, msg.sender, amount, amountX18);
    }

    /// @dev Runs the caller's EIP-2612 permit. A permit front-run with the same signature (or any other
    /// permit failure) is not fatal: the deposit proceeds if the allowance already covers `amount`.
    function _permitOrRequireAllowance(
        uint256 amount,
        uint256 deadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) private {
        try IERC20Permit(address(token)).permit(msg.sender, address(this), amount, deadline, v, r, s) {
            return;
        } catch {
            uint256 allowance = token.allowance(msg.sender, address(this));
            if (allowance < amount) revert Vault_PermitFailed(msg.sender, allowance, amount);
        }
    }

    /// @dev Debits `account` by `amount` token units (after the free-collateral check) and sends them.
    function _withdraw(AccountId account, uint256 amount, address to) private {
        _requireWithdrawalsOpen();
        (uint256 amountX18, int256 signedX18) = _checkOutflow(amount, to);
        _requireFree(account, amountX18);
        _credit(account, -signedX18);
        emit Withdrawn(account, msg.sender, to, amount, amountX18);
        token.safeTransfer(to, amount);
    }

    function _transferBetweenSubaccounts(
        address owner,
        uint96 fromSubaccount,
        uint96 toSubaccount,
        uint256 amountX18
    ) private {
        if (fromSubaccount == toSubaccount) revert Vault_SameSubaccount(fromSubaccount);
        if (amountX18 == 0) revert Vault_ZeroAmount();
        AccountId from = AccountIdLib.from(owner, fromSubaccount);
        AccountId to = AccountIdLib.from(owner, toSubaccount);
        _requireFree(from, amountX18);
        // Safe cast: amountX18 <= withdrawable <= the source's positive int256 balance.
        int256 signedX18 = int256(amountX18);
        _collateralX18[from] -= signedX18;
        _collateralX18[to] += signedX18;
        emit SubaccountTransferred(from, to, msg.sender, amountX18);
    }

    /// @dev Validates an outgoing token amount and recipient; returns the exact X18 value.
    function _checkOutflow(
        uint256 amount,
        address to
    ) private view returns (uint256 amountX18, int256 signedX18) {
        if (amount == 0) revert Vault_ZeroAmount();
        if (to == address(0)) revert Vault_ZeroAddress();
        if (amount > maxTokenAmount) revert Vault_AmountTooLarge(amount, maxTokenAmount);
        // Exact and within int256: amount <= maxTokenAmount.
        amountX18 = amount * tokenScale;
        signedX18 = int256(amountX18);
    }

    /// @dev Moves the fee treasury by a signed amount; it can never go below zero.
    function _applyFeeDelta(int256 deltaX18) private {
        uint256 treasuryX18 = feeTreasuryX18;
        if (deltaX18 > 0) {
            feeTreasuryX18 = treasuryX18 + uint256(deltaX18);
        } else {
            uint256 neededX18 = SafeCast.toUint256(-deltaX18);
            if (neededX18 > treasuryX18) revert Vault_InsufficientFees(treasuryX18, neededX18);
            // Cannot underflow: checked just above.
            unchecked {
                feeTreasuryX18 = treasuryX18 - neededX18;
            }
        }
        emit FeeTreasurySettled(deltaX18);
    }

    /// @dev Adds the signed `deltaX18` to `account` and to the running total.
    function _credit(AccountId account, int256 deltaX18) private {
        _collateralX18[account] += deltaX18;
        totalCollateralX18 += deltaX18;
    }

    function _requireFree(AccountId account, uint256 amountX18) private view {
        uint256 availableX18 = withdrawableX18(account);
        if (amountX18 > availableX18) revert Vault_InsufficientCollateral(account, availableX18, amountX18);
    }

    function _requireOperator(address owner) private view {
        if (!_operators[owner][msg.sender]) revert Vault_NotOwnerOrOperator(msg.sender, owner);
    }

    function _requireWithdrawalsOpen() private view {
        uint256 pausedUntil = withdrawalsPausedUntil;
        if (block.timestamp < pausedUntil) revert Vault_WithdrawalsPaused(pausedUntil);
    }

    /// @dev Marks `nonce` of `owner` used (Permit2-style unordered bitmap); reverts if it already was.
    function _useNonce(address owner, uint256 nonce) private {
        (uint256 wordPosition, uint256 bit) = _nonceBit(nonce);
        uint256 flipped = nonceBitmap[owner][wordPosition] ^= bit;
        if (flipped & bit == 0) revert Vault_NonceAlreadyUsed(owner, nonce);
        emit NonceUsed(owner, nonce);
    }

    function _nonceBit(uint256 nonce) private pure returns (uint256 wordPosition, uint256 bit) {
        wordPosition = nonce >> 8;
        bit = 1 << (nonce & 0xff);
    }

    /// @dev Σ account collateral + fee treasury + Σ unrealized PnL (zero while no authority is set).
    function _liabilitiesX18() private view returns (int256) {
        IMarginAuthority authority = marginAuthority;
        int256 unrealizedPnlX18 =
            address(authority) == address(0) ? int256(0) : authority.totalUnrealizedPnlX18();
        return totalCollateralX18 + feeTreasuryX18.toInt256() + unrealizedPnlX18;
    }

    /// @dev Token balance minus liabilities, with the liabilities rounded UP to whole token units so
    /// that sub-unit dust owed to accounts always stays in the vault (rounding favours the ledgers).
    function _sweepableSurplus() private view returns (uint256) {
        uint256 balance = token.balanceOf(address(this));
        int256 liabilitiesX18 = _liabilitiesX18();
        uint256 needed = liabilitiesX18 <= 0 ? 0 : Math.ceilDiv(uint256(liabilitiesX18), tokenScale);
        return balance > needed ? balance - needed : 0;
    }
}
