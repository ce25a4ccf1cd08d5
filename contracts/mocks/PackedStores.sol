// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {PositionMath} from "../libraries/PositionMath.sol";
import {PackedFundingState, PackedPosition, Position, SessionRiskParams} from "../types/Market.sol";

// Test probes: each holds one packed record at slot 0 so that tests can read the raw storage words
// and check the documented layouts (two slots per position and funding state, one per risk params).

contract PackedPositionStore {
    PackedPosition public stored;

    function set(PackedPosition memory packed) external {
        stored = packed;
    }

    /// @notice `PositionMath.store` (one SSTORE per slot) into the same slots.
    function store(Position memory position) external {
        PositionMath.store(stored, position);
    }

    /// @notice `PositionMath.load` (one SLOAD per slot) of the same slots.
    function load() external view returns (Position memory) {
        return PositionMath.load(stored);
    }

    /// @notice The compiler's struct copy of the same slots, unpacked.
    function unpacked() external view returns (Position memory) {
        return PositionMath.unpack(stored);
    }
}

contract PackedFundingStore {
    PackedFundingState public stored;

    function set(PackedFundingState memory packed) external {
        stored = packed;
    }
}

contract SessionRiskParamsStore {
    SessionRiskParams public stored;

    function set(SessionRiskParams memory params) external {
        stored = params;
    }
}
