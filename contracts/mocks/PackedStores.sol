// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {PositionMath} from "../libraries/PositionMath.sol";
import {PackedFundingState, PackedPosition, Position, SessionRiskParams} from "../types/Market.sol";

// Test probes: each holds one packed record at slot 0 so that tests can read the raw storage words
// and check the documented layouts (a head and a funding slot per position, two slots per funding
// state, one per risk params).

contract PackedPositionStore {
    PackedPosition public stored; // slots 0 and 1
    mapping(uint256 checkpoint => uint256 word) public checkpoints;

    function setCheckpoint(uint256 checkpoint, uint256 word) external {
        checkpoints[checkpoint] = word;
    }

    /// @notice `PositionMath.store` into slots 0 and 1.
    function store(Position memory position, uint256 checkpoint, bool writeFunding) external {
        PositionMath.store(stored, position, checkpoint, writeFunding);
    }

    /// @notice `PositionMath.load` of slots 0 and 1 with this contract's checkpoints.
    function load() external view returns (Position memory) {
        return PositionMath.load(stored, checkpoints);
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
