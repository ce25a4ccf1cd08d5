// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";

/// @notice Test-only 6-decimal token that, during a transfer/transferFrom (not mint/burn), calls
/// `callbackTarget` with `callbackData` once and bubbles the callback's revert.
contract MockReentrantToken is ERC20 {
    address public callbackTarget;
    bytes public callbackData;

    constructor() ERC20("Reentrant USD", "RUSD") {}

    function decimals() public pure override returns (uint8) {
        return 6;
    }

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice Arms a one-shot callback for the next transfer.
    function setCallback(address target, bytes calldata data) external {
        callbackTarget = target;
        callbackData = data;
    }

    function _update(address from, address to, uint256 value) internal override {
        super._update(from, to, value);
        if (from == address(0) || to == address(0) || callbackData.length == 0) return;
        bytes memory data = callbackData;
        delete callbackData;
        Address.functionCall(callbackTarget, data);
    }
}
