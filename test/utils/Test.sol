// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Vm} from "./Vm.sol";

/// @notice Sundial's Solidity test base: cheatcodes, assertions, bounded fuzz inputs and the
/// invariant-target hooks that Hardhat 3's EDR fuzzer reads (the same public functions as
/// forge-std's `StdInvariant`).
/// @dev Assertions revert with a readable message; a reverting test or invariant is a failure.
abstract contract Test {
    Vm internal constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));

    struct FuzzSelector {
        address addr;
        bytes4[] selectors;
    }

    address[] private targetedContracts;
    address[] private targetedSenders;
    address[] private excludedContracts;
    address[] private excludedSenders;
    FuzzSelector[] private targetedSelectors;

    // ------------------------------------------------------------------ invariant targeting

    function targetContract(address target) internal {
        targetedContracts.push(target);
    }

    function targetSender(address sender) internal {
        targetedSenders.push(sender);
    }

    function excludeContract(address target) internal {
        excludedContracts.push(target);
    }

    function excludeSender(address sender) internal {
        excludedSenders.push(sender);
    }

    function targetSelector(FuzzSelector memory selector) internal {
        targetedSelectors.push(selector);
    }

    function targetContracts() public view returns (address[] memory) {
        return targetedContracts;
    }

    function targetSenders() public view returns (address[] memory) {
        return targetedSenders;
    }

    function excludeContracts() public view returns (address[] memory) {
        return excludedContracts;
    }

    function excludeSenders() public view returns (address[] memory) {
        return excludedSenders;
    }

    function targetSelectors() public view returns (FuzzSelector[] memory) {
        return targetedSelectors;
    }

    // ------------------------------------------------------------------ fuzz helpers

    /// @notice Maps any `x` into [min, max] without discarding runs (uniform enough for fuzzing).
    function bound(uint256 x, uint256 min, uint256 max) internal pure returns (uint256) {
        require(min <= max, "bound: min > max");
        if (x >= min && x <= max) return x;
        uint256 size = max - min;
        if (size == type(uint256).max) return x;
        return min + (x % (size + 1));
    }

    function bound(int256 x, int256 min, int256 max) internal pure returns (int256) {
        require(min <= max, "bound: min > max");
        if (x >= min && x <= max) return x;
        // Shift into unsigned space; the offsets cannot overflow for int256 inputs.
        uint256 ux = uint256(x) ^ (1 << 255);
        uint256 umin = uint256(min) ^ (1 << 255);
        uint256 umax = uint256(max) ^ (1 << 255);
        return int256(bound(ux, umin, umax) ^ (1 << 255));
    }

    function makeAddr(string memory name) internal returns (address account) {
        account = vm.addr(uint256(keccak256(bytes(name))));
        vm.label(account, name);
    }

    function makeAddrAndKey(string memory name) internal returns (address account, uint256 privateKey) {
        privateKey = uint256(keccak256(bytes(name)));
        account = vm.addr(privateKey);
        vm.label(account, name);
    }

    // ------------------------------------------------------------------ assertions

    function fail(string memory message) internal pure {
        revert(message);
    }

    function assertTrue(bool condition, string memory message) internal pure {
        if (!condition) revert(message);
    }

    function assertTrue(bool condition) internal pure {
        assertTrue(condition, "assertTrue failed");
    }

    function assertFalse(bool condition, string memory message) internal pure {
        if (condition) revert(message);
    }

    function assertFalse(bool condition) internal pure {
        assertFalse(condition, "assertFalse failed");
    }

    function assertEq(uint256 left, uint256 right, string memory message) internal pure {
        if (left != right) revert(_pair(message, "==", vm.toString(left), vm.toString(right)));
    }

    function assertEq(uint256 left, uint256 right) internal pure {
        assertEq(left, right, "assertEq(uint256)");
    }

    function assertEq(int256 left, int256 right, string memory message) internal pure {
        if (left != right) revert(_pair(message, "==", vm.toString(left), vm.toString(right)));
    }

    function assertEq(int256 left, int256 right) internal pure {
        assertEq(left, right, "assertEq(int256)");
    }

    function assertEq(address left, address right, string memory message) internal pure {
        if (left != right) revert(_pair(message, "==", vm.toString(left), vm.toString(right)));
    }

    function assertEq(address left, address right) internal pure {
        assertEq(left, right, "assertEq(address)");
    }

    function assertEq(bytes32 left, bytes32 right, string memory message) internal pure {
        if (left != right) revert(_pair(message, "==", vm.toString(left), vm.toString(right)));
    }

    function assertEq(bytes32 left, bytes32 right) internal pure {
        assertEq(left, right, "assertEq(bytes32)");
    }

    function assertEq(bool left, bool right, string memory message) internal pure {
        if (left != right) revert(_pair(message, "==", vm.toString(left), vm.toString(right)));
    }

    function assertEq(bool left, bool right) internal pure {
        assertEq(left, right, "assertEq(bool)");
    }

    function assertEq(string memory left, string memory right, string memory message) internal pure {
        if (keccak256(bytes(left)) != keccak256(bytes(right))) revert(_pair(message, "==", left, right));
    }

    function assertEq(bytes memory left, bytes memory right, string memory message) internal pure {
        if (keccak256(left) != keccak256(right)) revert(string.concat(message, ": bytes differ"));
    }

    function assertNotEq(uint256 left, uint256 right, string memory message) internal pure {
        if (left == right) revert(_pair(message, "!=", vm.toString(left), vm.toString(right)));
    }

    function assertLt(uint256 left, uint256 right, string memory message) internal pure {
        if (left >= right) revert(_pair(message, "<", vm.toString(left), vm.toString(right)));
    }

    function assertLe(uint256 left, uint256 right, string memory message) internal pure {
        if (left > right) revert(_pair(message, "<=", vm.toString(left), vm.toString(right)));
    }

    function assertGt(uint256 left, uint256 right, string memory message) internal pure {
        if (left <= right) revert(_pair(message, ">", vm.toString(left), vm.toString(right)));
    }

    function assertGe(uint256 left, uint256 right, string memory message) internal pure {
        if (left < right) revert(_pair(message, ">=", vm.toString(left), vm.toString(right)));
    }

    function assertLt(int256 left, int256 right, string memory message) internal pure {
        if (left >= right) revert(_pair(message, "<", vm.toString(left), vm.toString(right)));
    }

    function assertLe(int256 left, int256 right, string memory message) internal pure {
        if (left > right) revert(_pair(message, "<=", vm.toString(left), vm.toString(right)));
    }

    function assertGt(int256 left, int256 right, string memory message) internal pure {
        if (left <= right) revert(_pair(message, ">", vm.toString(left), vm.toString(right)));
    }

    function assertGe(int256 left, int256 right, string memory message) internal pure {
        if (left < right) revert(_pair(message, ">=", vm.toString(left), vm.toString(right)));
    }

    /// @notice |left - right| <= maxDelta.
    function assertApproxEqAbs(
        uint256 left,
        uint256 right,
        uint256 maxDelta,
        string memory message
    ) internal pure {
        uint256 delta = left > right ? left - right : right - left;
        if (delta > maxDelta) revert(_pair(message, "~=", vm.toString(left), vm.toString(right)));
    }

    function assertApproxEqAbs(
        int256 left,
        int256 right,
        uint256 maxDelta,
        string memory message
    ) internal pure {
        uint256 delta = left > right ? uint256(left - right) : uint256(right - left);
        if (delta > maxDelta) revert(_pair(message, "~=", vm.toString(left), vm.toString(right)));
    }

    function _pair(
        string memory message,
        string memory op,
        string memory left,
        string memory right
    ) private pure returns (string memory) {
        return string.concat(message, ": expected ", left, " ", op, " ", right);
    }
}
