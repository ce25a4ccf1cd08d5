// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {IPyth} from "@pythnetwork/pyth-sdk-solidity/IPyth.sol";
import {PythStructs} from "@pythnetwork/pyth-sdk-solidity/PythStructs.sol";

import {IPriceSource, PriceObservation} from "../interfaces/IPriceSource.sol";
import {IPythSource, PythFeedConfig} from "../interfaces/IPythSource.sol";
import {Constants} from "../libraries/Constants.sol";

/// @title PythSource
/// @notice Pyth as a Sundial price source (see `IPythSource`).
contract PythSource is IPythSource, AccessControl {
    /// @inheritdoc IPythSource
    IPyth public immutable pyth;

    mapping(bytes32 marketId => PythFeedConfig) private _configs;

    /// @param pythContract The Pyth contract on this chain.
    /// @param admin Receives `DEFAULT_ADMIN_ROLE` (the `TimelockController`).
    constructor(IPyth pythContract, address admin) {
        if (address(pythContract) == address(0) || admin == address(0)) revert Pyth_ZeroAddress();
        pyth = pythContract;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    /// @inheritdoc IPriceSource
    /// @dev Pyth's latest price no older than `maxAge`, in 18 decimals, with its confidence.
    function latestPrice(bytes32 marketId, uint256 maxAge) external view returns (PriceObservation memory) {
        PythFeedConfig memory config = _configs[marketId];
        if (config.priceId == 0) revert Pyth_MarketNotConfigured(marketId);
        PythStructs.Price memory price = _readPyth(marketId, config.priceId, maxAge);

        if (price.price <= 0) revert Pyth_NonPositivePrice(marketId, price.price);
        // `price > 0` was checked, so the conversion is exact.
        uint256 rawPrice = uint256(int256(price.price));
        // Both sides are below 2^64 * 10^4, so neither product can overflow.
        if (uint256(price.conf) * Constants.BPS > rawPrice * config.maxConfBps) {
            uint256 confBps = Math.mulDiv(price.conf, Constants.BPS, rawPrice, Math.Rounding.Ceil);
            revert Pyth_ConfidenceTooWide(marketId, confBps, config.maxConfBps);
        }

        return
            PriceObservation({
                priceX18: _priceToX18(marketId, price),
                observedAt: Math.min(price.publishTime, block.timestamp),
                confidenceX18: _confToX18Up(price.conf, price.expo)
            });
    }

    /// @inheritdoc IPythSource
    function setPriceFeed(
        bytes32 marketId,
        bytes32 priceId,
        uint16 maxConfBps
    ) external onlyRole(DEFAULT_ADMIN_ROLE) {
        bool outOfRange =
            priceId == 0
                ? maxConfBps != 0
                : maxConfBps < Constants.PYTH_MIN_CONF_BPS || maxConfBps > Constants.PYTH_MAX_CONF_BPS_BOUND;
        if (outOfRange) {
            revert Pyth_MaxConfBpsOutOfRange(
                maxConfBps,
                Constants.PYTH_MIN_CONF_BPS,
                Constants.PYTH_MAX_CONF_BPS_BOUND
            );
        }
        _configs[marketId] = PythFeedConfig({priceId: priceId, maxConfBps: maxConfBps});
        emit PriceFeedSet(marketId, priceId, maxConfBps);
    }

    /// @inheritdoc IPythSource
    function feedConfigOf(bytes32 marketId) external view returns (PythFeedConfig memory) {
        return _configs[marketId];
    }

    /// @dev Pyth's own errors (stale, not found) are wrapped with the market and feed.
    function _readPyth(
        bytes32 marketId,
        bytes32 priceId,
        uint256 maxAge
    ) private view returns (PythStructs.Price memory) {
        try pyth.getPriceNoOlderThan(priceId, maxAge) returns (PythStructs.Price memory price) {
            return price;
        } catch (bytes memory reason) {
            revert Pyth_PriceUnavailable(marketId, priceId, reason);
        }
    }

    /// @dev `price * 10^(18 + expo)`: exact when scaling up (overflow reverts), rounded down when
    /// scaling down (a truncated index price favours neither side; Pyth's equity feeds use
    /// expo -5 or -8, where the result is exact).
    function _priceToX18(
        bytes32 marketId,
        PythStructs.Price memory price
    ) private pure returns (uint256 priceX18) {
        uint256 value = uint256(int256(price.price));
        int256 shift = int256(uint256(Constants.SOURCE_X18_DECIMALS)) + price.expo;
        if (shift >= 0) {
            // A shift above 77 overflows for every non-zero value (10^78 > 2^256).
            if (uint256(shift) > Constants.SOURCE_MAX_POW10_EXPONENT) {
                revert Pyth_PriceOverflow(marketId, price.price, price.expo);
            }
            uint256 factor = 10 ** uint256(shift);
            if (value > type(uint256).max / factor)
                revert Pyth_PriceOverflow(marketId, price.price, price.expo);
            return value * factor;
        }
        // A shift below -77 truncates every int64 value to zero.
        if (uint256(-shift) <= Constants.SOURCE_MAX_POW10_EXPONENT) priceX18 = value / 10 ** uint256(-shift);
        if (priceX18 == 0) revert Pyth_PriceBelowResolution(marketId, price.price, price.expo);
    }

    /// @dev The confidence scaled like the price but rounded up, so the interval never narrows.
    /// It cannot overflow where the price did not: `conf <= price * maxConfBps / 10^4 < price`.
    function _confToX18Up(uint64 conf, int32 expo) private pure returns (uint256) {
        int256 shift = int256(uint256(Constants.SOURCE_X18_DECIMALS)) + expo;
        if (shift >= 0) return uint256(conf) * 10 ** uint256(shift);
        if (uint256(-shift) > Constants.SOURCE_MAX_POW10_EXPONENT) return conf == 0 ? 0 : 1;
        return Math.ceilDiv(conf, 10 ** uint256(-shift));
    }
}
