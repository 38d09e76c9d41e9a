// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title ISeriesValuationOracle
/// @notice Values one unit (1 TH/s·day) of a hash-power series for lending: remaining fraction of the term ×
///         trailing average net yield per TH/s·day × (1 − haircut), in sats, optionally in USD.
/// @dev Units: day = UTC day number; per-TH/s·day values in sats × 1e18 (`E18`); BTC/USD × 1e8; bps.
interface ISeriesValuationOracle {
    /// @notice What the value is quoted in: sats (loan token BTC-pegged, e.g. WBTC) or USD (a stablecoin).
    enum Quote {
        Sats,
        Usd
    }

    /// @notice One valuation and all its inputs.
    struct Valuation {
        uint32 latestDay; // latest final oracle day used (window end)
        uint32 daysUsed; // final days found in the window [latestDay − windowDays + 1, latestDay]
        uint32 remainingDays; // days of the term after latestDay: endDay − max(startDay, latestDay + 1), ≥ 0
        uint256 avgNetE18; // trailing average net yield, sats per TH/s·day × 1e18 (floor of the mean)
        uint32 remainingAfterHalving; // of `remainingDays`, those on or after `halvingDay` (0 when not set)
        uint256 avgNetAfterHalvingE18; // the window's average with pre-halving days' subsidy halved (= avgNetE18
            // when `halvingDay` is 0), sats per TH/s·day × 1e18
        uint256 unitValueE18; // value of one unit, sats × 1e18, after the haircut
        uint256 btcUsdE8; // BTC/USD × 1e8 used for the USD quote (0 for a sats quote)
        uint256 updatedAt; // unix seconds: the older of the end of `latestDay` and the feed's updatedAt
        uint256 price; // Morpho `IOracle.price()` scale: loan base units per unit × 1e36
        int256 answer; // Chainlink answer, 8 decimals: sats per unit (sats quote) or USD per unit × 1e8
    }

    /// @notice Construction parameters.
    struct Config {
        address token; // the hash-power token
        address hashpriceOracle; // final daily hashprice and BTC/USD (IHashpriceOracle)
        uint256 seriesId; // the series valued
        Quote quote; // Sats or Usd
        address loanToken; // the market's loan token (its decimals set the `price()` scale)
        address btcUsdFeed; // Chainlink BTC/USD feed for the USD quote (ignored for sats)
        uint32 feedHeartbeat; // max feed age, seconds (USD quote)
        uint16 windowDays; // trailing window N, days (0 = 30)
        uint16 haircutBps; // haircut, bps (< 10,000)
        uint16 maxAgeDays; // max age of the latest final oracle day, days (≥ 1)
        uint32 halvingDay; // UTC day of the next halving (0 = halvings ignored)
    }

    /// @notice Emitted once at deployment with the effective configuration (window defaulted, feed fields zeroed
    ///         for a sats quote) and the loan token's decimals, for indexers.
    event Configured(uint256 indexed seriesId, Config config, uint8 loanDecimals);

    /// @notice Invalid configuration; `field` names it.
    error InvalidConfig(string field);
    /// @notice The hash-price oracle has no final day yet.
    error NoOracleData();
    /// @notice The latest final oracle day `latestDay` is more than `maxAgeDays` before `today`.
    error StaleOracle(uint32 latestDay, uint256 today);
    /// @notice The BTC/USD feed is stale (`updatedAt` older than the heartbeat, or in the future) or its answer ≤ 0.
    error StalePrice(int256 answer, uint256 updatedAt);
    /// @notice No final day in the trailing window ending at `latestDay`.
    error NoFinalDays(uint32 latestDay);
    /// @notice `getRoundData` for a day that is not final in the hash-price oracle.
    error NoRound(uint80 roundId);

    /// @notice The current valuation with its inputs. Reverts like `price()`.
    function valuation() external view returns (Valuation memory);
    /// @notice The valuation as of final oracle day `day` (window ending there; USD conversion at the day's final
    ///         BTC/USD from the oracle; no staleness check). Reverts `NoRound` when `day` is not final.
    function valuationAt(uint32 day) external view returns (Valuation memory);
}
