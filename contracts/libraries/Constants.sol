// SPDX-License-Identifier: MIT
pragma solidity ^0.8.19;

/// @title Constants
/// @notice Every protocol constant and hard bound, each with its derivation. Per-market parameters
/// are set by governance inside these bounds; the bounds themselves are immutable.
library Constants {
    // ============================================================================ units
    /// @dev 18-decimal fixed point: prices, sizes and USD values (SPEC section 1).
    uint256 internal constant X18 = 1e18;
    /// @dev Basis points: 10,000 bps = 100 %.
    uint256 internal constant BPS = 10_000;

    // ============================================================================ calendar
    // (section owned by the market calendar)

    // ============================================================================ vault

    // (section owned by the collateral vault and insurance fund)

    // ============================================================================ oracle

    // (section owned by the oracle adapter and price sources)

    // ============================================================================ clearinghouse

    // (section owned by the clearinghouse, funding and liquidation)
}
