// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {CollateralVault} from "../../contracts/core/CollateralVault.sol";
import {IInsuranceFund} from "../../contracts/interfaces/IInsuranceFund.sol";
import {AccountId} from "../../contracts/types/Account.sol";

/// @notice The vault plus two test hooks standing in for the clearinghouse's future ledger updates
/// (fee credits and losses that drive an account negative). Nothing else differs.
contract CollateralVaultHarness is CollateralVault {
    constructor(
        IERC20Metadata collateralToken,
        IInsuranceFund fund,
        address admin,
        address guardian
    ) CollateralVault(collateralToken, fund, admin, guardian) {}

    /// @notice Credits the fee treasury as a trade fee would (the caller must also move the tokens in).
    function harnessCreditFeesX18(uint256 amountX18) external {
        feeTreasuryX18 += amountX18;
    }

    /// @notice Overwrites an account's collateral, keeping the running total consistent.
    function harnessSetCollateralX18(AccountId account, int256 amountX18) external {
        totalCollateralX18 += amountX18 - _collateralX18[account];
        _collateralX18[account] = amountX18;
    }
}
