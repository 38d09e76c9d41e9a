// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title ISeriesValuationOracle
/// @notice Collateral-grade price of one share of a series' accumulating wrapper (1 unit of 1 TH/s·day + the
///         share's accrued sats), for Morpho Blue (`IOracle.price()`) and Chainlink readers
///         (`AggregatorV3Interface`, 18 decimals, in BTC). The unit part is recorded once per final oracle day by a
///         permissionless `poke` (running sums: O(1) reads whatever the window); the accrued part is read live.
/// @dev Units: day = UTC day number; per-TH/s·day values in sats × 1e18 (`E18`); heights in Bitcoin blocks; bps.
interface ISeriesValuationOracle {
    /// @notice Construction parameters.
    struct Config {
        address wrapper; // the series' accumulating wrapper (its token is the hash-power token)
        address hashpriceOracle; // final daily hashprice, subsidy, fees, bits and BTC/USD (IHashpriceOracle)
        address loanToken; // the market's loan token, BTC-pegged (its decimals set the `price()` scale)
        uint16 windowDays; // trailing window N, days (0 = 30; ≤ 366)
        uint16 haircutBps; // haircut on the unit value, bps (< 10,000)
        uint16 maxAgeDays; // fresh while today ≤ latest recorded day + maxAgeDays (≥ 1)
        uint16 graceDays; // stale: the last unit value keeps serving this many more days
        uint16 decayDays; // then it falls linearly to 0 over this many days (≥ 1)
        uint16 maxGrowthBpsPerDay; // the unit value rises at most this much per recorded day (falls uncapped)
        uint16 feeCapBps; // a day's fees per block count at most this share of its subsidy, bps (fee spikes clipped)
        uint16 hashpriceDriftBpsPerYear; // expected fall of the hashprice per 365 days ahead, linear, bps (≤ 10,000)
        uint32 firstDay; // first UTC day to record (the window starts filling there)
        uint32 epochStartDay; // UTC day on which the difficulty epoch in force at the end of `firstDay` began
        uint64 epochStartHeight; // that epoch's first block height (a multiple of 2,016)
    }

    /// @notice One recorded day's valuation inputs and result (also the `DayRecorded` event).
    struct DayValuation {
        uint32 day; // the final oracle day recorded (the window's last day)
        uint32 daysUsed; // days in the window: min(windowDays, day − firstDay + 1)
        uint32 remainingDays; // days of the term after `day`
        uint32 halvingDay; // estimated UTC day of the next halving (from the retarget count)
        uint32 postHalvingDays; // of remainingDays, those on or after halvingDay
        uint64 subsidySats; // the day's reported subsidy (the current epoch's)
        uint64 epochHeight; // first height of the difficulty epoch in force at the end of `day`
        uint256 avgNetE18; // window average net yield per TH/s·day at SLA, at the current subsidy
        uint256 avgNetHalvedE18; // the same with the subsidy halved (fees kept)
        uint256 boundE18; // remaining/termDays × window average gross hashprice at the current subsidy
        uint256 rawValueE18; // the formula's unit value, sats × 1e18
        uint256 unitValueE18; // after the bound and the growth cap: the recorded unit value, sats × 1e18
    }

    /// @notice What `price()` serves now and why.
    enum Freshness {
        Fresh, // today ≤ latest + maxAgeDays
        Grace, // stale, last unit value kept
        Decaying, // stale beyond the grace period: unit value decaying linearly
        Expired, // decayed to 0
        Ended // term over: the unit is worth 0
    }

    /// @notice The current valuation (`valuation()`).
    struct Valuation {
        uint32 latestDay; // latest recorded day
        Freshness freshness;
        uint256 recordedUnitValueE18; // the unit value recorded for latestDay
        uint256 unitValueE18; // after the stale policy / term end
        uint256 accruedE18; // the share's accrued sats (wrapper index / 1e18)
        uint256 shareValueE18; // unitValueE18 + accruedE18
        uint256 price; // Morpho scale: loan base units per share × 1e36
        int256 answer; // Chainlink: BTC per share × 1e18 (recorded unit value + accrued, no stale policy)
        uint256 updatedAt; // when latestDay was recorded (unix s)
    }

    /// @notice Emitted once at deployment with the effective configuration and the loan token's decimals.
    event Configured(uint256 indexed seriesId, Config config, uint8 loanDecimals);
    /// @notice Day `v.day` was recorded; `accruedE18` is the share's accrued sats at that moment.
    event DayRecorded(uint32 indexed day, DayValuation v, uint256 accruedE18);

    /// @notice Invalid configuration; `field` names it.
    error InvalidConfig(string field);
    /// @notice No day recorded yet.
    error NoOracleData();
    /// @notice `getRoundData` for a day that was not recorded.
    error NoRound(uint80 roundId);

    /// @notice Records every final oracle day after the latest recorded one, in order, at most `maxDays`
    ///         (permissionless; a keeper calls it after each daily report). Stops at the first day not final.
    ///         Returns the number recorded. Emits `DayRecorded` for each.
    function poke(uint256 maxDays) external returns (uint256 recorded);
    /// @notice The current valuation with its inputs (see the contract notes for the stale policy).
    function valuation() external view returns (Valuation memory);
    /// @notice The unit value recorded for `day`, sats × 1e18, and when (0, 0 if not recorded).
    function recordedValue(uint32 day) external view returns (uint256 unitValueE18, uint256 recordedAt);
    /// @notice The latest recorded day (0: none).
    function latestDay() external view returns (uint32);
}
