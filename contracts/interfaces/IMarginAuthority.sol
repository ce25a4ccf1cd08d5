// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccountId} from "../types/Account.sol";

/// @title IMarginAuthority
/// @notice What the collateral vault asks the clearinghouse about margin. The clearinghouse
/// implements it; the vault is connected to it once by governance (`ICollateralVault.setMarginAuthority`).
/// @dev Until it is connected the vault treats every account as having no positions: all of its
/// non-negative collateral is free and the unrealized-PnL term of the accounting identity is zero.
interface IMarginAuthority {
    /// @notice Collateral of `account` that may leave it now (withdrawal or transfer to another
    /// subaccount), in X18.
    /// @dev Must be `min(collateral, equity - initialMargin)` floored at zero, where equity counts no
    /// positive unrealized PnL (SPEC section 4: unrealized profit is not withdrawable). The vault
    /// additionally caps the answer at the account's non-negative collateral.
    /// @dev Warning: if this reverts, withdrawals and subaccount transfers of every account revert;
    /// the implementation must keep answering while trading is halted or an oracle is degraded.
    function withdrawableX18(AccountId account) external view returns (uint256);

    /// @notice Σ unrealized PnL over all open positions, in X18 (= -Σ openNotionalX18, because every
    /// trade has two sides). Used by the vault's accounting identity.
    function totalUnrealizedPnlX18() external view returns (int256);
}
