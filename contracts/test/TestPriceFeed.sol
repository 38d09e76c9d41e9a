// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AggregatorV3Interface} from "../interfaces/AggregatorV3Interface.sol";

/// @title TestPriceFeed
/// @notice Minimal Chainlink-style feed for tests and the local demo: anyone sets the answer and its time.
/// @dev Not for production: no access control. Rounds count up from 1 on every `setPrice`/`setRound`.
contract TestPriceFeed is AggregatorV3Interface {
    uint8 public immutable override decimals;
    uint80 public roundId;
    int256 public answer;
    uint256 public updatedAt;
    /// @notice When true, `latestRoundData` reverts (a broken or deprecated feed).
    bool public broken;

    /// @notice Emitted on every new round.
    event AnswerUpdated(int256 indexed current, uint256 indexed roundId, uint256 updatedAt);

    /// @param decimals_ decimals of the answer (8 for BTC/USD); @param answer_ initial answer (0 = none yet).
    constructor(uint8 decimals_, int256 answer_) {
        decimals = decimals_;
        if (answer_ != 0) _set(answer_, block.timestamp);
    }

    /// @notice Sets a new answer (scaled by `decimals`) updated now.
    function setPrice(int256 answer_) external {
        _set(answer_, block.timestamp);
    }

    /// @notice Sets a new answer with an explicit `updatedAt` (unix seconds), e.g. to make the feed stale.
    function setRound(int256 answer_, uint256 updatedAt_) external {
        _set(answer_, updatedAt_);
    }

    /// @notice Makes `latestRoundData` revert (true) or answer again (false).
    function setBroken(bool broken_) external {
        broken = broken_;
    }

    function _set(int256 answer_, uint256 updatedAt_) private {
        roundId += 1;
        answer = answer_;
        updatedAt = updatedAt_;
        emit AnswerUpdated(answer_, roundId, updatedAt_);
    }

    /// @inheritdoc AggregatorV3Interface
    function description() external pure returns (string memory) {
        return "TEST BTC / USD";
    }

    /// @inheritdoc AggregatorV3Interface
    function version() external pure returns (uint256) {
        return 1;
    }

    /// @inheritdoc AggregatorV3Interface
    function getRoundData(uint80 id) external view returns (uint80, int256, uint256, uint256, uint80) {
        require(id == roundId, "TestPriceFeed: only the latest round");
        return (roundId, answer, updatedAt, updatedAt, roundId);
    }

    /// @inheritdoc AggregatorV3Interface
    function latestRoundData() external view returns (uint80, int256, uint256, uint256, uint80) {
        require(!broken, "TestPriceFeed: broken");
        return (roundId, answer, updatedAt, updatedAt, roundId);
    }
}
