// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @notice Test-only ERC-20 with configurable decimals and public mint.
contract MockERC20Decimals is ERC20 {
    uint8 private immutable configuredDecimals;

    constructor(uint8 tokenDecimals) ERC20("Mock Token", "MOCK") {
        configuredDecimals = tokenDecimals;
    }

    function decimals() public view override returns (uint8) {
        return configuredDecimals;
    }

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }
}
