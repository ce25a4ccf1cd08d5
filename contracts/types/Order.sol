// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice A trader's signed order (EIP-712, SPEC 5.2). The struct hash is `OrderLib.hash`; the
/// EIP-712 type string is `OrderLib.ORDER_TYPE` and the domain is `"Sundial Clearinghouse"`, version
/// `"1"`, the chain id and the clearinghouse address.
/// @dev Every field is static, so `abi.encode(ORDER_TYPEHASH, order)` is exactly the EIP-712
/// `encodeData`. The numeric layout is part of the signature format: never reorder or retype fields.
struct Order {
    address owner; // the account's owner
    uint96 subaccount; // the account is AccountIdLib.from(owner, subaccount)
    address signer; // who signed: the owner, or an operator the owner approved (ECDSA or ERC-1271)
    bytes32 marketId; // e.g. bytes32("AAPL-USD")
    bool isBuy; // true: buy (long), false: sell (short)
    uint256 sizeX18; // total size in shares of `epoch`, > 0
    uint256 limitPriceX18; // buy: highest price; sell: lowest price (USD per share of `epoch`)
    uint64 expiry; // last second (unix time) at which the order may fill, inclusive
    uint256 nonce; // one-shot nonce: bitmap word `nonce >> 8`, bit `nonce & 255`; also under the floor
    uint64 epoch; // the market's corporate-action epoch the order was signed in (splits bump it)
    uint8 flags; // bit 0: reduce-only, bit 1: post-only; other bits must be zero
}
