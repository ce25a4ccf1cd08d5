// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IClearinghouse} from "../interfaces/IClearinghouse.sol";
import {ICollateralVault} from "../interfaces/ICollateralVault.sol";
import {IMarketRegistry} from "../interfaces/IMarketRegistry.sol";
import {IOracleAdapter} from "../interfaces/IOracleAdapter.sol";
import {Constants} from "../libraries/Constants.sol";
import {OrderLib} from "../libraries/OrderLib.sol";
import {ClearinghouseAccounts} from "./ClearinghouseAccounts.sol";

/// @title ClearinghouseState
/// @notice Every storage variable of the clearinghouse, in one inheritance chain shared by
/// `Clearinghouse` and `ClearinghouseExtension`. The extension runs in the clearinghouse's storage
/// (delegatecall), so both must have exactly this layout: neither declares a storage variable of
/// its own (immutables and constants live in the code, not in storage).
abstract contract ClearinghouseState is
    ClearinghouseAccounts,
    AccessControl,
    EIP712,
    ReentrancyGuardTransient
{
    /// @dev `IClearinghouse.GUARDIAN_ROLE`.
    bytes32 internal constant GUARDIAN = keccak256("GUARDIAN_ROLE");

    /// @dev Trading is paused while `block.timestamp < _tradingPausedUntil` (`IClearinghouse.tradingPausedUntil`).
    uint256 internal _tradingPausedUntil;
    /// @dev Per order hash: bit 255 = cancelled by hash (`ORDER_CANCELLED_BIT`), bits 0..254 = the size
    /// filled while the order is partially filled (sizes are below 2^127, so they never reach bit 255).
    /// Read only when the order's nonce bit is set (`_liveFilledX18`): a fresh order costs no read.
    mapping(bytes32 orderHash => uint256 state) internal _orderStates;
    /// @dev Used nonces: set by an order's FIRST fill, by `cancelOrders` and by `invalidateNonces`.
    mapping(address owner => mapping(uint256 wordIndex => uint256 bits)) internal _nonceBitmap;
    /// @dev Nonces invalidated by `invalidateNonces` (also set in `_nonceBitmap`): read only for a
    /// partially filled order, whose nonce bit its first fill already set.
    mapping(address owner => mapping(uint256 wordIndex => uint256 bits)) internal _invalidatedNonces;
    /// @dev `_orderStates` flag of an order cancelled by hash.
    uint256 internal constant ORDER_CANCELLED_BIT = 1 << 255;

    constructor(
        ICollateralVault collateralVault,
        IOracleAdapter oracleAdapter,
        IMarketRegistry marketRegistry
    )
        ClearinghouseAccounts(collateralVault, oracleAdapter, marketRegistry)
        EIP712(OrderLib.DOMAIN_NAME, OrderLib.DOMAIN_VERSION)
    {}

    /// @dev `IClearinghouse.tradingPauseAvailableAt`.
    function _tradingPauseAvailableAt() internal view returns (uint256) {
        uint256 pausedUntil = _tradingPausedUntil;
        return pausedUntil == 0 ? 0 : pausedUntil + Constants.CH_TRADING_PAUSE_COOLDOWN;
    }

    function _requireOwnerOrOperator(address owner) internal view {
        if (msg.sender != owner && !_vault.isOperator(owner, msg.sender)) {
            revert IClearinghouse.Clearinghouse_NotOwnerOrOperator(msg.sender, owner);
        }
    }
}
