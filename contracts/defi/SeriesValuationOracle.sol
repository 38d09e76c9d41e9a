// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";
import {IOracle} from "@morpho-org/morpho-blue/src/interfaces/IOracle.sol";
import {IHashpowerToken} from "../interfaces/IHashpowerToken.sol";
import {IHashpriceOracle} from "../interfaces/IHashpriceOracle.sol";
import {AggregatorV3Interface} from "../interfaces/AggregatorV3Interface.sol";
import {ISeriesValuationOracle} from "../interfaces/ISeriesValuationOracle.sol";
import {ISeriesWrapper} from "../interfaces/ISeriesWrapper.sol";
import {ISettlement} from "../interfaces/ISettlement.sol";
import {PayoutMath} from "../libraries/PayoutMath.sol";

/// @title SeriesValuationOracle
/// @notice Collateral-grade price of one share of a series' accumulating wrapper — one unit (1 TH/s·day) plus the
///         share's accrued sats — as Morpho Blue's `IOracle.price()` and as a Chainlink `AggregatorV3Interface`
///         (18 decimals, BTC per share). Model of record: `domain/valuation.ts`.
/// @dev Recording (permissionless `poke`, once per final day d of the hash-price oracle, in order). With the day's
///      reported hashprice hp_d, subsidy S_d, fees per block F_d, BTC/USD p_d and `bits_d`, and the series' terms
///      (pool fee pf, SLA sla, electricity and service costs), it stores running sums (so any window is two reads):
///        F'_d     = min(F_d, S_d · feeCapBps / 1e4)            fee spikes clipped (2024-04-20: 2.97 × the subsidy)
///        r_d      = floor(hp_d · 1e18 / (S_d + F_d))         hashprice per sat of block reward, × 1e36
///        A        += r_d ;  AF += r_d · F'_d ;  C += electricity_d + service_d   (PayoutMath, sats × 1e18)
///      and values the unit on the window W = the last n = min(N, d − firstDay + 1) recorded days, re-pricing every
///      window day at the CURRENT subsidy S = S_d (fees are kept: only the subsidy halves):
///        G(S')      = (S'·ΣA + ΣAF) / 1e18                          window sum of gross hashprice × 1e18
///        P(S')      = (S'·ΣA + ΣAF)·(1e4 − pf)·sla / (1e8·1e18)     the same after pool fee and SLA uptime
///        avgNet(S') = max(0, P(S') − ΣC) / n                         window average net (reported in the event)
///      Halving, from chain data only: the subsidy gives the epoch e (S = 50 BTC >> e), so the next halving is at
///      height H = 210,000·(e+1); the oracle counts difficulty retargets (a change of `bits` between consecutive
///      recorded days is one epoch of 2,016 blocks, from the configured epoch in force on `firstDay`), which gives
///      the height h_R of the last retarget and its day R; the next halving is estimated on day
///        halvingDay = R + floor((H − h_R) / 144)          (144 blocks a day; early rather than late: conservative)
///      Once the halving happens the reported subsidy halves and the whole window is re-priced at it at once.
///      Difficulty drift: a day t days ahead is valued at the weight w(t) = max(0, Y − drift·t) / Y of the trailing
///      hashprice, Y = 365·1e4, drift = hashpriceDriftBpsPerYear (difficulty grows, so hashprice per TH/s falls);
///      each future day's net is floored at 0 as the settlement does, so a segment [a, b) of days ahead at P is
///        seg(P, a, b) = Σ_{a ≤ t < b'} (P·(Y − drift·t) − ΣC·Y),  b' = min(b, ceil(Y·(P − ΣC) / (P·drift)))  (0 if P ≤ ΣC)
///                     = P·(Y·m − drift·(a + b' − 1)·m/2) − ΣC·Y·m,  m = b' − a    (closed form: O(1) gas)
///        remaining = max(0, end − max(start, d + 1));  post = remaining days on or after halvingDay
///        a0        = max(start, d + 1) − d
///        raw       = (seg(P(S), a0, a0 + remaining − post) + seg(P(S/2), a0 + remaining − post, a0 + remaining))
///                    · (1e4 − haircut) / (Y · n · termDays · 1e4)
///        bound     = G(S) / n · remaining / termDays      (never above the remaining term at the trailing hashprice)
///        unit_d    = min(raw, bound, unit_{d−1} · (1e4 + maxGrowthBpsPerDay) / 1e4)   (growth cap; falls uncapped;
///                    no cap on the first day or after a day valued 0)
///      Why: the settlement credits each unit net_d / termDays for every day of the term, so a unit still owed
///      `remaining` days is worth remaining/termDays of an average day (Pendle-style linear decay to maturity).
///      Calibration (real data 2023-2025, `npm run bench:collateral`): fees per block were 1-4 % of the subsidy on a
///      median day but 297 % on 2024-04-20, which a 30-day window carried for a month (1.75× overvaluation on
///      2024-05-08 unclipped); difficulty grew ~ 20-30 % a year. Deployers' defaults: feeCapBps 1,000,
///      hashpriceDriftBpsPerYear 2,000.
///
///      Serving (O(1), no loop): L = latest recorded day, today = block day, accrued = wrapper.indexE36() / 1e18
///      (exact: what a share will pay out on unwrap, already settled), end = startDay + termDays.
///        unit = 0 if today ≥ end;  else unit_L if today ≤ L + maxAgeDays (fresh)
///               or if today ≤ L + maxAgeDays + graceDays (stale, grace: the last value keeps serving)
///               else unit_L · max(0, decayDays − k) / decayDays, k = today − L − maxAgeDays − graceDays (decaying)
///        share = unit + accrued
///        price()  = share · 10^(10 + loanDecimals)   (Morpho: 1e36 · loan base units per share; 0-decimal share)
///        answer   = (unit_L + accrued) / 1e8           (BTC × 1e18 per share; Chainlink readers judge `updatedAt`)
///      Stale policy: `price()` never reverts once a day is recorded. A position that became unhealthy while the
///      oracle was fresh stays liquidatable: the last value keeps serving through the grace period and then only
///      falls (towards the accrued sats, which are exact), so staleness never raises a price nor freezes Morpho.
///      Precision: values are carried in sats × 1e18; the 18-decimal answer resolves 1e-10 sat (≤ 1e-8 relative
///      for any value ≥ 0.01 sat).
contract SeriesValuationOracle is IOracle, AggregatorV3Interface, ISeriesValuationOracle {
    uint256 private constant BPS = 10_000;
    uint256 private constant E18 = 1e18;
    uint256 private constant E36 = 1e36;
    uint256 private constant INITIAL_SUBSIDY = 50e8;
    uint256 private constant HALVING_INTERVAL = 210_000;
    uint256 private constant RETARGET_INTERVAL = 2016;
    uint256 private constant BLOCKS_PER_DAY = 144;
    uint256 private constant YEAR_BPS = 365 * 10_000; // Y of the drift weight

    /// @notice Default trailing window, days.
    uint16 public constant DEFAULT_WINDOW_DAYS = 30;

    /// @notice The hash-price oracle.
    IHashpriceOracle public immutable hashpriceOracle;
    /// @notice The valued series and its accumulating wrapper.
    uint256 public immutable seriesId;
    ISeriesWrapper public immutable wrapper;
    IHashpowerToken public immutable token;
    uint256 private immutable _acc0;
    /// @notice Decimals of the loan token (BTC-pegged).
    uint8 public immutable loanDecimals;
    uint16 public immutable windowDays;
    uint16 public immutable haircutBps;
    uint16 public immutable maxAgeDays;
    uint16 public immutable graceDays;
    uint16 public immutable decayDays;
    uint16 public immutable maxGrowthBpsPerDay;
    uint16 public immutable feeCapBps;
    uint16 public immutable hashpriceDriftBpsPerYear;
    uint32 public immutable firstDay;
    /// @notice Series terms used by the formula (copied from the token; terms never change).
    uint32 public immutable startDay;
    uint32 public immutable termDays;
    uint32 private immutable _efficiencyJPerThE3;
    uint16 private immutable _poolFeeBps;
    uint16 private immutable _slaBps;
    uint32 private immutable _powerCostUsdPerKWhE6;
    uint32 private immutable _serviceFeeUsdPerThDayE6;
    uint256 private immutable _priceScale;

    /// @dev Per recorded day: running sums to that day included, and the recorded valuation.
    struct Record {
        uint256 cumA; // Σ r_d, × 1e36
        uint256 cumAF; // Σ r_d · F_d
        uint256 cumCost; // Σ (electricity + service), sats × 1e18
        uint128 unitValueE18;
        uint64 recordedAt;
        uint128 accruedE18; // share's accrued sats when recorded
    }

    mapping(uint256 day => Record) private _records;
    uint32 private _latest; // 0 until the first record
    uint32 private _bits; // bits of the latest recorded day
    uint32 private _retargetDay; // day of the last retarget seen (R)
    uint64 private _retargetHeight; // its first block height (h_R)

    /// @dev Reverts `InvalidConfig(field)` naming the field, and the token's `UnknownSeries`. Emits `Configured`.
    constructor(Config memory c) {
        if (c.wrapper == address(0)) revert InvalidConfig("wrapper");
        if (c.hashpriceOracle == address(0)) revert InvalidConfig("hashpriceOracle");
        if (c.loanToken == address(0)) revert InvalidConfig("loanToken");
        if (c.windowDays == 0) c.windowDays = DEFAULT_WINDOW_DAYS;
        if (c.windowDays > 366) revert InvalidConfig("windowDays");
        if (c.haircutBps >= BPS) revert InvalidConfig("haircutBps");
        if (c.maxAgeDays == 0) revert InvalidConfig("maxAgeDays");
        if (c.decayDays == 0) revert InvalidConfig("decayDays");
        if (c.hashpriceDriftBpsPerYear > BPS) revert InvalidConfig("hashpriceDriftBpsPerYear");
        if (c.firstDay == 0 || c.epochStartDay > c.firstDay) revert InvalidConfig("firstDay");
        if (c.epochStartHeight % RETARGET_INTERVAL != 0) revert InvalidConfig("epochStartHeight");
        uint8 loanDec = IERC20Metadata(c.loanToken).decimals();
        if (loanDec > 30) revert InvalidConfig("loanToken.decimals");
        ISeriesWrapper w = ISeriesWrapper(c.wrapper);
        IHashpowerToken t_ = w.token();
        uint256 id = w.seriesId();
        IHashpowerToken.SeriesTerms memory t = t_.seriesTerms(id);

        hashpriceOracle = IHashpriceOracle(c.hashpriceOracle);
        seriesId = id;
        wrapper = w;
        token = t_;
        _acc0 = w.acc0();
        loanDecimals = loanDec;
        windowDays = c.windowDays;
        haircutBps = c.haircutBps;
        maxAgeDays = c.maxAgeDays;
        graceDays = c.graceDays;
        decayDays = c.decayDays;
        maxGrowthBpsPerDay = c.maxGrowthBpsPerDay;
        feeCapBps = c.feeCapBps;
        hashpriceDriftBpsPerYear = c.hashpriceDriftBpsPerYear;
        firstDay = c.firstDay;
        startDay = t.startDay;
        termDays = t.termDays;
        _efficiencyJPerThE3 = t.efficiencyJPerThE3;
        _poolFeeBps = t.poolFeeBps;
        _slaBps = t.slaBps;
        _powerCostUsdPerKWhE6 = t.powerCostUsdPerKWhE6;
        _serviceFeeUsdPerThDayE6 = t.serviceFeeUsdPerThDayE6;
        _priceScale = 10 ** (uint256(loanDec) + 10);
        _retargetDay = c.epochStartDay;
        _retargetHeight = c.epochStartHeight;
        emit Configured(id, c, loanDec);
    }

    // ------------------------------------------------------------------ recording
    /// @inheritdoc ISeriesValuationOracle
    function poke(uint256 maxDays) external returns (uint256 recorded) {
        uint256 d = _latest == 0 ? firstDay : uint256(_latest) + 1;
        for (; recorded < maxDays; ++recorded) {
            IHashpriceOracle.DailyValues memory dv = hashpriceOracle.dailyValues(uint32(d));
            if (dv.status != IHashpriceOracle.Status.Final) break;
            _record(uint32(d), dv);
            ++d;
        }
    }

    // ------------------------------------------------------------------ Morpho Blue
    /// @notice Morpho Blue: price of one share (1 TH/s·day + accrued sats, 0 decimals) in loan-token base units ×
    ///         1e36, after the stale policy (contract notes). Reverts `NoOracleData` before the first record only.
    function price() external view returns (uint256) {
        return valuation().price;
    }

    // ------------------------------------------------------------------ Chainlink
    /// @notice 18: the answer is BTC per share × 1e18 (= sats × 1e10).
    function decimals() external pure returns (uint8) {
        return 18;
    }

    /// @notice e.g. "sTHD-1 / BTC".
    function description() external view returns (string memory) {
        return string.concat("sTHD-", Strings.toString(seriesId), " / BTC");
    }

    /// @notice Version of this oracle's formula.
    function version() external pure returns (uint256) {
        return 2;
    }

    /// @notice Round `roundId` = recorded day: its unit value plus the accrued sats when recorded, BTC × 1e18;
    ///         startedAt = updatedAt = when it was recorded. Reverts `NoRound`.
    function getRoundData(uint80 roundId) external view returns (uint80, int256, uint256, uint256, uint80) {
        if (roundId > type(uint32).max) revert NoRound(roundId);
        Record storage r = _records[roundId];
        if (r.recordedAt == 0) revert NoRound(roundId);
        int256 answer = int256((uint256(r.unitValueE18) + r.accruedE18) / 1e8);
        return (roundId, answer, r.recordedAt, r.recordedAt, roundId);
    }

    /// @notice roundId = latest recorded day, answer = its unit value + the share's accrued sats now (BTC × 1e18,
    ///         no stale policy: readers judge `updatedAt`), startedAt = updatedAt = when it was recorded.
    ///         Reverts `NoOracleData` before the first record.
    function latestRoundData() external view returns (uint80, int256, uint256, uint256, uint80) {
        uint256 l = _latest;
        if (l == 0) revert NoOracleData();
        Record storage r = _records[l];
        int256 answer = int256((uint256(r.unitValueE18) + _accruedE18()) / 1e8);
        return (uint80(l), answer, r.recordedAt, r.recordedAt, uint80(l));
    }

    // ------------------------------------------------------------------ views
    /// @inheritdoc ISeriesValuationOracle
    function valuation() public view returns (Valuation memory v) {
        uint256 l = _latest;
        if (l == 0) revert NoOracleData();
        Record storage r = _records[l];
        v.latestDay = uint32(l);
        v.recordedUnitValueE18 = r.unitValueE18;
        v.updatedAt = r.recordedAt;
        v.accruedE18 = _accruedE18();
        uint256 today = block.timestamp / 1 days;
        uint256 unit = r.unitValueE18;
        if (today >= uint256(startDay) + termDays) {
            (v.freshness, unit) = (Freshness.Ended, 0);
        } else if (today <= l + maxAgeDays) {
            v.freshness = Freshness.Fresh;
        } else if (today <= l + maxAgeDays + graceDays) {
            v.freshness = Freshness.Grace;
        } else {
            uint256 k = today - l - maxAgeDays - graceDays;
            if (k >= decayDays) (v.freshness, unit) = (Freshness.Expired, 0);
            else (v.freshness, unit) = (Freshness.Decaying, (unit * (decayDays - k)) / decayDays);
        }
        v.unitValueE18 = unit;
        v.shareValueE18 = unit + v.accruedE18;
        v.price = v.shareValueE18 * _priceScale;
        v.answer = int256((uint256(r.unitValueE18) + v.accruedE18) / 1e8);
    }

    /// @inheritdoc ISeriesValuationOracle
    function recordedValue(uint32 day) external view returns (uint256 unitValueE18, uint256 recordedAt) {
        Record storage r = _records[day];
        return (r.unitValueE18, r.recordedAt);
    }

    /// @inheritdoc ISeriesValuationOracle
    function latestDay() external view returns (uint32) {
        return _latest;
    }

    /// @notice The retarget state: day and first height of the last difficulty epoch seen.
    function lastRetarget() external view returns (uint32 day, uint64 height) {
        return (_retargetDay, _retargetHeight);
    }

    // ------------------------------------------------------------------ internals
    /// @dev Records day `d` (the formula of the contract notes). Emits `DayRecorded`.
    function _record(uint32 d, IHashpriceOracle.DailyValues memory dv) private {
        IHashpowerToken.SeriesTerms memory t = _formulaTerms();
        Record storage prev = _records[uint256(d) - 1];
        Record storage rec = _records[d];
        {
            uint256 reward = uint256(dv.subsidySats) + dv.feesPerBlockSats;
            uint256 r = reward == 0 ? 0 : (uint256(dv.hashpriceE18) * E18) / reward;
            uint256 feeCap = (uint256(dv.subsidySats) * feeCapBps) / BPS;
            uint256 fees = dv.feesPerBlockSats < feeCap ? dv.feesPerBlockSats : feeCap;
            ISettlement.Breakdown memory b;
            PayoutMath.perThDay(b, t, 0, t.slaBps, dv.btcUsdE8); // costs only (hashprice 0)
            rec.cumA = prev.cumA + r;
            rec.cumAF = prev.cumAF + r * fees;
            rec.cumCost = prev.cumCost + b.electricityE18 + b.serviceE18;
        }
        if (_latest != 0 && dv.bits != _bits) (_retargetDay, _retargetHeight) = (d, _retargetHeight + uint64(RETARGET_INTERVAL));
        _bits = dv.bits;

        DayValuation memory v = _valuate(d, dv.subsidySats, t);
        uint256 accrued = _accruedE18();
        rec.unitValueE18 = uint128(v.unitValueE18);
        rec.recordedAt = uint64(block.timestamp);
        rec.accruedE18 = uint128(accrued);
        _latest = d;
        emit DayRecorded(d, v, accrued);
    }

    /// @dev The valuation of recorded day `d` at subsidy `s` (contract notes), growth cap included.
    function _valuate(uint32 d, uint256 s, IHashpowerToken.SeriesTerms memory t)
        private
        view
        returns (DayValuation memory v)
    {
        v.day = d;
        v.subsidySats = uint64(s);
        v.epochHeight = _retargetHeight;
        uint256 n = uint256(d) - firstDay + 1;
        if (n > windowDays) n = windowDays;
        v.daysUsed = uint32(n);
        uint256 sc;
        uint256 p;
        uint256 ph;
        {
            Record storage rec = _records[d];
            Record storage w0 = _records[uint256(d) - n];
            uint256 sa = rec.cumA - w0.cumA;
            uint256 saf = rec.cumAF - w0.cumAF;
            sc = rec.cumCost - w0.cumCost;
            p = _netSum(s, sa, saf, t);
            ph = _netSum(s / 2, sa, saf, t);
            v.boundE18 = (s * sa + saf) / E18 / n; // G(S) / n; × remaining / termDays below
        }
        v.avgNetE18 = p > sc ? (p - sc) / n : 0;
        v.avgNetHalvedE18 = ph > sc ? (ph - sc) / n : 0;
        uint256 end = uint256(startDay) + termDays;
        uint256 from = uint256(d) + 1 > startDay ? uint256(d) + 1 : startDay;
        uint256 remaining = end > from ? end - from : 0;
        v.remainingDays = uint32(remaining);
        {
            uint256 halving = _nextHalvingDay(s);
            v.halvingDay = uint32(halving);
            if (halving < end) {
                uint256 post = end - (halving > from ? halving : from);
                v.postHalvingDays = uint32(post > remaining ? remaining : post);
            }
        }
        {
            uint256 a0 = from - d;
            uint256 a1 = a0 + remaining - v.postHalvingDays;
            v.rawValueE18 = ((_segment(p, sc, a0, a1) + _segment(ph, sc, a1, a0 + remaining)) * (BPS - haircutBps))
                / (YEAR_BPS * n * termDays * BPS);
        }
        v.boundE18 = (v.boundE18 * remaining) / termDays;
        uint256 value = v.rawValueE18 < v.boundE18 ? v.rawValueE18 : v.boundE18;
        uint256 last = _records[uint256(d) - 1].unitValueE18;
        if (_latest != 0 && last != 0) {
            uint256 cap = (last * (BPS + maxGrowthBpsPerDay)) / BPS;
            if (value > cap) value = cap;
        }
        v.unitValueE18 = value;
    }

    /// @dev P(S') of the contract notes: the window's gross at subsidy `s` after pool fee and SLA, sats × 1e18.
    function _netSum(uint256 s, uint256 sa, uint256 saf, IHashpowerToken.SeriesTerms memory t)
        private
        pure
        returns (uint256)
    {
        return ((s * sa + saf) * (BPS - t.poolFeeBps) * t.slaBps) / (BPS * BPS * E18);
    }

    /// @dev seg(p, a, b) of the contract notes (window sums p, c): Σ over days t ∈ [a, b) ahead of
    ///      max(0, p·(Y − drift·t) − c·Y).
    function _segment(uint256 p, uint256 c, uint256 a, uint256 b) private view returns (uint256) {
        if (p <= c) return 0;
        uint256 drift = hashpriceDriftBpsPerYear;
        if (drift != 0) {
            uint256 positive = (YEAR_BPS * (p - c) + p * drift - 1) / (p * drift); // first day whose net is ≤ 0
            if (b > positive) b = positive;
        }
        if (a >= b) return 0;
        uint256 m = b - a;
        return p * (YEAR_BPS * m - (drift * (a + b - 1) * m) / 2) - c * YEAR_BPS * m;
    }

    /// @dev Estimated UTC day of the next halving after subsidy `s` (contract notes); type(uint32).max for s = 0.
    function _nextHalvingDay(uint256 s) private view returns (uint256) {
        if (s == 0) return type(uint32).max;
        uint256 e;
        while ((INITIAL_SUBSIDY >> e) > s) ++e;
        uint256 h = HALVING_INTERVAL * (e + 1);
        uint256 hr = _retargetHeight;
        return h > hr ? uint256(_retargetDay) + (h - hr) / BLOCKS_PER_DAY : _retargetDay;
    }

    /// @dev The share's accrued sats × 1e18: (token accumulator − acc0) / 1e18.
    function _accruedE18() private view returns (uint256) {
        return (token.accPerUnitE36(seriesId) - _acc0) / E18;
    }

    /// @dev The series' formula terms (only the fields `PayoutMath.perThDay` reads; the others stay 0).
    function _formulaTerms() private view returns (IHashpowerToken.SeriesTerms memory t) {
        t.efficiencyJPerThE3 = _efficiencyJPerThE3;
        t.poolFeeBps = _poolFeeBps;
        t.slaBps = _slaBps;
        t.powerCostUsdPerKWhE6 = _powerCostUsdPerKWhE6;
        t.serviceFeeUsdPerThDayE6 = _serviceFeeUsdPerThDayE6;
    }
}
