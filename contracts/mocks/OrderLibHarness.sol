// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {OrderLib} from "../libraries/OrderLib.sol";
import {AccountId} from "../types/Account.sol";
import {Order} from "../types/Order.sol";

/// @notice Test harness: `OrderLib` behind the clearinghouse's EIP-712 domain ("Sundial
/// Clearinghouse", "1"), with the nonce bitmap and partial-fill storage a clearinghouse keeps.
contract OrderLibHarness is EIP712 {
    mapping(uint256 wordIndex => uint256 bits) public nonceBitmap;
    mapping(bytes32 orderHash => uint256 filledX18) public filled;

    constructor() EIP712(OrderLib.DOMAIN_NAME, OrderLib.DOMAIN_VERSION) {}

    function orderTypehash() external pure returns (bytes32) {
        return OrderLib.ORDER_TYPEHASH;
    }

    function orderType() external pure returns (string memory) {
        return OrderLib.ORDER_TYPE;
    }

    function domainSeparator() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    function hash(Order memory order) external pure returns (bytes32) {
        return OrderLib.hash(order);
    }

    function hashCalldata(Order calldata order) external pure returns (bytes32) {
        return OrderLib.hashCalldata(order);
    }

    function digest(Order calldata order) public view returns (bytes32) {
        return OrderLib.digest(_domainSeparatorV4(), OrderLib.hashCalldata(order));
    }

    /// @notice The address that signed `order` (OZ ECDSA over the library's digest).
    function recover(Order calldata order, bytes calldata signature) public view returns (address) {
        return ECDSA.recover(digest(order), signature);
    }

    /// @notice Struct hashes and recovered signers of many orders.
    function verifyBatch(
        Order[] calldata orders,
        bytes[] calldata signatures
    ) external view returns (bytes32[] memory hashes, address[] memory signers) {
        hashes = new bytes32[](orders.length);
        signers = new address[](orders.length);
        for (uint256 i; i < orders.length; ++i) {
            hashes[i] = OrderLib.hashCalldata(orders[i]);
            signers[i] = recover(orders[i], signatures[i]);
        }
    }

    /// @notice The stateless checks of one order at one fill.
    struct Checks {
        AccountId account;
        bool wellFormed;
        bool expired;
        bool reduceOnly;
        bool postOnly;
        bool priceWithinLimit;
        int256 signedFillX18;
    }

    /// @notice `Checks` over many orders, each with its fill price, fill size (in range) and time.
    function checksBatch(
        Order[] calldata orders,
        uint256[] calldata fillPricesX18,
        uint256[] calldata fillSizesX18,
        uint256[] calldata nowTimes
    ) external pure returns (Checks[] memory results) {
        results = new Checks[](orders.length);
        for (uint256 i; i < orders.length; ++i) {
            Order calldata order = orders[i];
            results[i] = Checks(
                OrderLib.account(order),
                OrderLib.isWellFormed(order),
                OrderLib.isExpired(order, nowTimes[i]),
                OrderLib.isReduceOnly(order),
                OrderLib.isPostOnly(order),
                OrderLib.isPriceWithinLimit(order, fillPricesX18[i]),
                OrderLib.signedFillX18(order, fillSizesX18[i])
            );
        }
    }

    function account(Order calldata order) external pure returns (AccountId) {
        return OrderLib.account(order);
    }

    function isWellFormed(Order calldata order) external pure returns (bool) {
        return OrderLib.isWellFormed(order);
    }

    function isExpired(Order calldata order, uint256 nowTime) external pure returns (bool) {
        return OrderLib.isExpired(order, nowTime);
    }

    function isReduceOnly(Order calldata order) external pure returns (bool) {
        return OrderLib.isReduceOnly(order);
    }

    function isPostOnly(Order calldata order) external pure returns (bool) {
        return OrderLib.isPostOnly(order);
    }

    function isPriceWithinLimit(Order calldata order, uint256 fillPriceX18) external pure returns (bool) {
        return OrderLib.isPriceWithinLimit(order, fillPriceX18);
    }

    function signedFillX18(Order calldata order, uint256 fillSizeX18) external pure returns (int256) {
        return OrderLib.signedFillX18(order, fillSizeX18);
    }

    function remainingX18(uint256 sizeX18, uint256 filledX18) external pure returns (uint256) {
        return OrderLib.remainingX18(sizeX18, filledX18);
    }

    function nonceBitmapPosition(uint256 nonce) external pure returns (uint256 wordIndex, uint256 mask) {
        return OrderLib.nonceBitmapPosition(nonce);
    }

    function isNonceUsed(uint256 nonce) external view returns (bool) {
        return OrderLib.isNonceUsed(nonceBitmap, nonce);
    }

    function useNonce(uint256 nonce) external returns (bool fresh) {
        return OrderLib.useNonce(nonceBitmap, nonce);
    }

    function invalidateNonces(uint256 wordIndex, uint256 mask) external {
        OrderLib.invalidateNonces(nonceBitmap, wordIndex, mask);
    }

    function recordFill(Order calldata order, uint256 fillSizeX18) external returns (bool completed) {
        bytes32 orderHash = OrderLib.hashCalldata(order);
        return
            OrderLib.recordFill(
                filled,
                nonceBitmap,
                orderHash,
                order.sizeX18,
                order.nonce,
                filled[orderHash],
                fillSizeX18
            );
    }

    /// @notice Gas of the signature path of one order: struct hash (from calldata), digest, ecrecover.
    function gasHashAndRecover(
        Order calldata order,
        bytes calldata signature
    ) external view returns (uint256 gasUsed, address signer) {
        uint256 before = gasleft();
        signer = ECDSA.recover(
            OrderLib.digest(_domainSeparatorV4(), OrderLib.hashCalldata(order)),
            signature
        );
        gasUsed = before - gasleft();
    }

    /// @notice Gas of `hashCalldata` alone.
    function gasHashCalldata(
        Order calldata order
    ) external view returns (uint256 gasUsed, bytes32 structHash) {
        uint256 before = gasleft();
        structHash = OrderLib.hashCalldata(order);
        gasUsed = before - gasleft();
    }

    /// @notice Gas of the plain-Solidity alternative to `hashCalldata`: `abi.encode` of the calldata
    /// struct (what the assembly saves).
    function gasHashCalldataAbiEncode(
        Order calldata order
    ) external view returns (uint256 gasUsed, bytes32 structHash) {
        uint256 before = gasleft();
        structHash = keccak256(abi.encode(OrderLib.ORDER_TYPEHASH, order));
        gasUsed = before - gasleft();
    }

    /// @notice Gas of `hash` of a memory order (the copy from calldata excluded).
    function gasHashMemory(Order calldata order) external view returns (uint256 gasUsed, bytes32 structHash) {
        Order memory copy = order;
        uint256 before = gasleft();
        structHash = OrderLib.hash(copy);
        gasUsed = before - gasleft();
    }
}
