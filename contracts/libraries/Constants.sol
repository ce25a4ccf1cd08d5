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

    /// @dev Largest collateral-token `decimals()` the vault accepts. Deposits convert token units to
    /// X18 by multiplying with 10^(18 - decimals), which is exact only for decimals <= 18; a token with
    /// more decimals would need a rounding division on every deposit, so it is rejected outright.
    uint8 internal constant VAULT_MAX_TOKEN_DECIMALS = 18;

    /// @dev Default length of a guardian pause of withdrawals (SPEC section 4: "expires by itself,
    /// default 72 h"). Three days cover a weekend-long incident response and exceed the admin
    /// timelock delay, so governance can act (revoke the guardian, fix the cause) before it lapses.
    uint256 internal constant VAULT_DEFAULT_PAUSE_DURATION = 72 hours;

    /// @dev Shortest pause length governance may set: below one hour a pause cannot cover even a
    /// fast incident response (triage, a transaction, confirmations) and would only add noise.
    uint256 internal constant VAULT_MIN_PAUSE_DURATION = 1 hours;

    /// @dev Longest pause length governance may set: one week bounds how long any single guardian
    /// action can lock user funds; anything longer is a governance decision, not an emergency brake.
    uint256 internal constant VAULT_MAX_PAUSE_DURATION = 7 days;

    /// @dev Time after a pause has ended (expired or lifted) before the guardian may pause again.
    /// It stops a guardian from chaining pauses forever: even at VAULT_MAX_PAUSE_DURATION every
    /// pause is followed by at least a full day in which every user can withdraw (at most 7/8 of any
    /// period can be paused; at the 72 h default at most 3/4).
    uint256 internal constant VAULT_PAUSE_COOLDOWN = 24 hours;

    // ============================================================================ oracle

    // (section owned by the oracle adapter and price sources)

    // ============================================================================ clearinghouse

    // (section owned by the clearinghouse, funding and liquidation)
}
