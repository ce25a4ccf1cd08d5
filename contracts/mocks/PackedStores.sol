// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {PackedFundingState, PackedPosition, SessionRiskParams} from "../types/Market.sol";

// Test probes: each holds one packed record at slot 0 so that tests can read the raw storage words
// and check the documented layouts (two slots per position and funding state, one per risk params).

contract PackedPositionStore {
    PackedPosition public stored;

    function set(PackedPosition memory packed) external {
        stored = packed;
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
