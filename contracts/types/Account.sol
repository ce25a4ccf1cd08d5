// SPDX-License-Identifier: MIT
pragma solidity ^0.8.19;

/// @notice A trading account: an owner address and a subaccount number packed into one word.
/// @dev Layout: `owner` in the high 160 bits, `subaccount` in the low 96 bits. A subaccount is
/// cross-margined across its markets; separate subaccounts are isolated from each other.
type AccountId is bytes32;

using AccountIdLib for AccountId global;

library AccountIdLib {
    /// @notice Packs `(owner, subaccount)` into an `AccountId`.
    function from(address owner, uint96 subaccount) internal pure returns (AccountId) {
        return AccountId.wrap(bytes32((uint256(uint160(owner)) << 96) | uint256(subaccount)));
    }

    /// @notice The address that owns the account.
    function owner(AccountId account) internal pure returns (address) {
        return address(uint160(uint256(AccountId.unwrap(account)) >> 96));
    }

    /// @notice The subaccount number within the owner's accounts.
    function subaccount(AccountId account) internal pure returns (uint96) {
        return uint96(uint256(AccountId.unwrap(account)));
    }

    function eq(AccountId a, AccountId b) internal pure returns (bool) {
        return AccountId.unwrap(a) == AccountId.unwrap(b);
    }
}
