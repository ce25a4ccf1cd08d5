// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IMarginAuthority} from "../interfaces/IMarginAuthority.sol";
import {AccountId} from "../types/Account.sol";

/// @notice Test-only margin authority whose answers are set directly.
contract MockMarginAuthority is IMarginAuthority {
    mapping(AccountId account => uint256 amountX18) private withdrawable;
    int256 public totalUnrealizedPnlX18;

    function setWithdrawableX18(AccountId account, uint256 amountX18) external {
        withdrawable[account] = amountX18;
    }

    function setTotalUnrealizedPnlX18(int256 pnlX18) external {
        totalUnrealizedPnlX18 = pnlX18;
    }

    function withdrawableX18(AccountId account) external view returns (uint256) {
        return withdrawable[account];
    }
}
