// SPDX-License-Identifier: MIT
pragma solidity ^0.8.0;

/// @title AggregatorV3Interface
/// @notice Chainlink's standard price-feed interface (as published in `@chainlink/contracts`,
///         `src/v0.8/shared/interfaces/AggregatorV3Interface.sol`), reproduced so we need no extra package.
/// @dev `answeredInRound` is deprecated by Chainlink; consumers check `updatedAt` against the feed's heartbeat.
interface AggregatorV3Interface {
    /// @notice Number of decimals of `answer` (8 for USD pairs).
    function decimals() external view returns (uint8);

    /// @notice Human-readable description, e.g. "BTC / USD".
    function description() external view returns (string memory);

    /// @notice Version of the aggregator.
    function version() external view returns (uint256);

    /// @notice Data of round `_roundId`.
    function getRoundData(uint80 _roundId)
        external
        view
        returns (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound);

    /// @notice Data of the latest round: `answer` scaled by `decimals()`, `updatedAt` in unix seconds.
    function latestRoundData()
        external
        view
        returns (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound);
}
