// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @notice Test-only 6-decimal token whose transfers to or from a blocklisted address revert, like USDC's.
contract MockBlocklistToken is ERC20 {
    mapping(address account => bool blocked) public isBlocklisted;

    constructor() ERC20("Blocklist USD", "BUSD") {}

    function decimals() public pure override returns (uint8) {
        return 6;
    }

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function setBlocklisted(address account, bool blocked) external {
        isBlocklisted[account] = blocked;
    }

    function _update(address from, address to, uint256 value) internal override {
        require(!isBlocklisted[from] && !isBlocklisted[to], "Blacklistable: account is blacklisted");
        super._update(from, to, value);
    }
}
