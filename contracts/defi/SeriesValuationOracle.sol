// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";
import {IOracle} from "@morpho-org/morpho-blue/src/interfaces/IOracle.sol";
import {IHashpowerToken} from "../interfaces/IHashpowerToken.sol";
import {IHashpriceOracle} from "../interfaces/IHashpriceOracle.sol";
import {AggregatorV3Interface} from "../interfaces/AggregatorV3Interface.sol";
import {ISeriesValuationOracle} from "../interfaces/ISeriesValuationOracle.sol";
import {ISettlement} from "../interfaces/ISettlement.sol";
import {PayoutMath} from "../libraries/PayoutMath.sol";

/// @title SeriesValuationOracle
/// @notice Price of one unit (1 TH/s·day) of one hash-power series, for lending markets: as Morpho Blue's
///         `IOracle.price()` and as a Chainlink `AggregatorV3Interface` (8 decimals). Model of record:
///         `indexer/domain/valuation.ts` (bit-identical).
/// @dev Formula (all integer, floors where written):
///        window     = final oracle days d in [L − N + 1, L], L = the oracle's latest final day, N = `windowDays`
///        net_d      = settlement formula per TH/s·day (`PayoutMath.perThDay`, settlement.ts `perThDay`) with the
///                     series' terms, the day's final hashprice and BTC/USD, and uptime = the series' `slaBps`,
///                     sats × 1e18
///        avgNet     = floor(Σ net_d / count)
///        remaining  = max(0, endDay − max(startDay, L + 1)),  endDay = startDay + termDays
///        unitValue  = floor(avgNet · remaining · (1e4 − haircutBps) / (termDays · 1e4))      sats × 1e18
///      Optional halving awareness (`halvingDay` H ≠ 0, a governance estimate of the next halving's UTC day): a
///      trailing average is blind to the scheduled subsidy cut (measured on the 2024 halving: days before it, the
///      plain formula valued a unit at ~3.9× what it went on to earn). With H set, the remaining days on or after
///      H are valued at the window's average recomputed with the subsidy of its pre-H days halved:
///        hp'_d      = floor(hp_d · (subsidy_d / 2 + fees_d) / (subsidy_d + fees_d))   for d < H, else hp_d
///        avgNet'    = floor(Σ net(hp'_d) / count)
///        after      = remaining days ≥ H;  before = remaining − after
///        unitValue  = floor((avgNet · before + avgNet' · after) · (1e4 − haircutBps) / (termDays · 1e4))
///      With H = 0 (default) this is exactly the plain formula. One halving per term is modelled.
///      Why: the settlement credits each unit net_d ÷ termDays for every day of the term, so a unit still owed
///      `remaining` days is worth remaining/termDays of a full-term average day (Pendle-style linear decay to
///      zero at maturity). Days up to L are taken as paid to their record-date holders; a day is settled once
///      final, so days after L are the ones a holder still receives. Uptime at the SLA: below it the farm owes
///      compensation from collateral up to the SLA, so the SLA is the yield the holder is promised (above it the
///      holder earns more: conservative). Fees are whatever the oracle reports (0 in the shipped data:
///      subsidy-only hashprice, a lower bound). The haircut covers the hashprice moving within a loan's life.
///      Quotes:
///        sats (loan token BTC-pegged, e.g. WBTC, `d` decimals):
///          price  = unitValue · 10^(10 + d)          (1e36 · loan base units per unit; 8 decimals: × 1e18)
///          answer = floor(unitValue / 1e18)           sats per unit = BTC × 1e8 (whole sats only)
///        USD (loan token a USD stablecoin, `d` decimals; BTC/USD from the Chainlink feed, checked fresh):
///          price  = unitValue · btcUsdE8 · 10^(d + 2)
///          answer = floor(unitValue · btcUsdE8 / 1e26) USD per unit × 1e8
///      The collateral (the wrapper) has 0 decimals, so Morpho's `1e36 · 10^loanDecimals / 10^collateralDecimals`
///      rule gives the scales above.
///      Freshness: reverts `StaleOracle` when L is more than `maxAgeDays` before today (block day), `StalePrice`
///      when the feed's answer ≤ 0 or it is older than `feedHeartbeat` (Morpho's own Chainlink adapter does not
///      check; this oracle must). While it reverts, Morpho's borrow, withdrawCollateral and liquidate revert.
///      Term end: from the block day `endDay` on, the value is 0 with no freshness check (nothing is left to pay).
///      `updatedAt` = the older of the end of day L and the feed's `updatedAt`; `roundId` = L.
contract SeriesValuationOracle is IOracle, AggregatorV3Interface, ISeriesValuationOracle {
    uint256 private constant BPS = 10_000;
    uint256 private constant E18 = 1e18;

    /// @notice Default trailing window, days.
    uint16 public constant DEFAULT_WINDOW_DAYS = 30;

    /// @notice The hash-price oracle.
    IHashpriceOracle public immutable hashpriceOracle;
    /// @notice The valued series.
    uint256 public immutable seriesId;
    /// @notice Sats or USD.
    Quote public immutable quote;
    /// @notice The BTC/USD feed (USD quote) and its heartbeat (s), decimals.
    AggregatorV3Interface public immutable btcUsdFeed;
    uint32 public immutable feedHeartbeat;
    uint8 private immutable _feedDecimals;
    /// @notice Decimals of the loan token.
    uint8 public immutable loanDecimals;
    /// @notice Trailing window (days), haircut (bps), max age of the latest final day (days).
    uint16 public immutable windowDays;
    uint16 public immutable haircutBps;
    uint16 public immutable maxAgeDays;
    /// @notice UTC day from which the subsidy is taken as halved (0 = halvings ignored).
    uint32 public immutable halvingDay;
    /// @notice Series terms used by the formula (copied from the token; terms never change).
    uint32 public immutable startDay;
    uint32 public immutable termDays;
    uint32 private immutable _efficiencyJPerThE3;
    uint16 private immutable _poolFeeBps;
    uint16 private immutable _slaBps;
    uint32 private immutable _powerCostUsdPerKWhE6;
    uint32 private immutable _serviceFeeUsdPerThDayE6;
    uint256 private immutable _priceScale;

    /// @dev Reverts `InvalidConfig(field)` naming the field, and the token's `UnknownSeries`. Emits `Configured`.
    constructor(Config memory c) {
        if (c.token == address(0)) revert InvalidConfig("token");
        if (c.hashpriceOracle == address(0)) revert InvalidConfig("hashpriceOracle");
        if (c.loanToken == address(0)) revert InvalidConfig("loanToken");
        if (c.windowDays == 0) c.windowDays = DEFAULT_WINDOW_DAYS;
        if (c.windowDays > 366) revert InvalidConfig("windowDays");
        if (c.haircutBps >= BPS) revert InvalidConfig("haircutBps");
        if (c.maxAgeDays == 0) revert InvalidConfig("maxAgeDays");
        uint8 loanDec = IERC20Metadata(c.loanToken).decimals();
        if (loanDec > 30) revert InvalidConfig("loanToken.decimals");
        uint8 feedDec;
        if (c.quote == Quote.Usd) {
            if (c.btcUsdFeed == address(0)) revert InvalidConfig("btcUsdFeed");
            if (c.feedHeartbeat == 0) revert InvalidConfig("feedHeartbeat");
            feedDec = AggregatorV3Interface(c.btcUsdFeed).decimals();
            if (feedDec > 36) revert InvalidConfig("btcUsdFeed.decimals");
        } else {
            (c.btcUsdFeed, c.feedHeartbeat) = (address(0), 0);
        }
        IHashpowerToken.SeriesTerms memory t = IHashpowerToken(c.token).seriesTerms(c.seriesId);

        hashpriceOracle = IHashpriceOracle(c.hashpriceOracle);
        seriesId = c.seriesId;
        quote = c.quote;
        btcUsdFeed = AggregatorV3Interface(c.btcUsdFeed);
        feedHeartbeat = c.feedHeartbeat;
        _feedDecimals = feedDec;
        loanDecimals = loanDec;
        windowDays = c.windowDays;
        haircutBps = c.haircutBps;
        maxAgeDays = c.maxAgeDays;
        halvingDay = c.halvingDay;
        startDay = t.startDay;
        termDays = t.termDays;
        _efficiencyJPerThE3 = t.efficiencyJPerThE3;
        _poolFeeBps = t.poolFeeBps;
        _slaBps = t.slaBps;
        _powerCostUsdPerKWhE6 = t.powerCostUsdPerKWhE6;
        _serviceFeeUsdPerThDayE6 = t.serviceFeeUsdPerThDayE6;
        _priceScale = c.quote == Quote.Usd ? 10 ** (uint256(loanDec) + 2) : 10 ** (uint256(loanDec) + 10);
        emit Configured(c.seriesId, c, loanDec);
    }

    // ------------------------------------------------------------------ Morpho Blue
    /// @notice Morpho Blue: price of one wrapped unit (1 TH/s·day, 0 decimals) in loan-token base units × 1e36.
    /// @dev See the contract notes for the formula. Reverts `NoOracleData`, `StaleOracle`, `StalePrice`,
    ///      `NoFinalDays`. 0 from the term's end day on.
    function price() external view returns (uint256) {
        return valuation().price;
    }

    // ------------------------------------------------------------------ Chainlink
    /// @notice 8: the answer is sats per unit (sats quote) or USD per unit × 1e8.
    function decimals() external pure returns (uint8) {
        return 8;
    }

    /// @notice e.g. "wTHD-1 / BTC (sats)" or "wTHD-1 / USD".
    function description() external view returns (string memory) {
        return string.concat("wTHD-", Strings.toString(seriesId), quote == Quote.Usd ? " / USD" : " / BTC (sats)");
    }

    /// @notice Version of this oracle's formula.
    function version() external pure returns (uint256) {
        return 1;
    }

    /// @notice The valuation as of final oracle day `roundId` (see `valuationAt`): roundId = day, startedAt =
    ///         updatedAt = end of that day, answeredInRound = roundId. Reverts `NoRound`.
    function getRoundData(uint80 roundId) external view returns (uint80, int256, uint256, uint256, uint80) {
        if (roundId > type(uint32).max) revert NoRound(roundId);
        Valuation memory v = valuationAt(uint32(roundId));
        return (roundId, v.answer, v.updatedAt, v.updatedAt, roundId);
    }

    /// @notice The current valuation: roundId = latest final oracle day, answer (8 decimals), startedAt =
    ///         updatedAt = the older input's time (unix s), answeredInRound = roundId. Reverts like `price()`.
    function latestRoundData() external view returns (uint80, int256, uint256, uint256, uint80) {
        Valuation memory v = valuation();
        uint80 roundId = uint80(v.latestDay);
        return (roundId, v.answer, v.updatedAt, v.updatedAt, roundId);
    }

    // ------------------------------------------------------------------ valuations
    /// @inheritdoc ISeriesValuationOracle
    function valuation() public view returns (Valuation memory v) {
        (uint256 hp, uint32 latest) = hashpriceOracle.trailingHashprice();
        if (hp == 0 && latest == 0) revert NoOracleData();
        uint256 today = block.timestamp / 1 days;
        uint256 endDay = uint256(startDay) + termDays;
        if (today >= endDay) {
            v.latestDay = latest;
            v.updatedAt = endDay * 1 days;
            return v; // term over: worth 0
        }
        if (today > uint256(latest) + maxAgeDays) revert StaleOracle(latest, today);
        uint256 feedAt = type(uint256).max;
        uint256 btcUsd;
        if (quote == Quote.Usd) (btcUsd, feedAt) = _feedPrice();
        v = _valueAt(latest, btcUsd);
        uint256 dayEnd = (uint256(latest) + 1) * 1 days;
        v.updatedAt = dayEnd < feedAt ? dayEnd : feedAt;
    }

    /// @inheritdoc ISeriesValuationOracle
    function valuationAt(uint32 day) public view returns (Valuation memory v) {
        IHashpriceOracle.DailyValues memory d = hashpriceOracle.dailyValues(day);
        if (d.status != IHashpriceOracle.Status.Final) revert NoRound(day);
        v = _valueAt(day, quote == Quote.Usd ? d.btcUsdE8 : 0);
        v.updatedAt = (uint256(day) + 1) * 1 days;
    }

    /// @notice Net yield per TH/s·day of this series on a day with gross hashprice `hashpriceE18` and BTC/USD
    ///         `btcUsdE8`, at uptime = SLA: the settlement formula (`PayoutMath.perThDay`), sats × 1e18, floored
    ///         at 0. Reverts `IHashpriceOracle.NoPrice` when btcUsdE8 is 0.
    function netPerThDayE18(uint256 hashpriceE18, uint256 btcUsdE8) public view returns (uint256) {
        ISettlement.Breakdown memory b;
        return _netAtSla(b, _formulaTerms(), hashpriceE18, btcUsdE8);
    }

    // ------------------------------------------------------------------ internals
    /// @dev The formula of the contract notes with window end `latest` and, for the USD quote, `btcUsdE8`.
    function _valueAt(uint32 latest, uint256 btcUsdE8) private view returns (Valuation memory v) {
        v.latestDay = latest;
        v.btcUsdE8 = btcUsdE8;
        uint256 endDay = uint256(startDay) + termDays;
        uint256 from = uint256(latest) + 1;
        if (from < startDay) from = startDay;
        if (from >= endDay) return v; // nothing left: value 0
        v.remainingDays = uint32(endDay - from);

        uint256 halving = halvingDay;
        uint256 post = halving == 0 ? 0 : endDay - (halving > from ? (halving < endDay ? halving : endDay) : from);
        v.remainingAfterHalving = uint32(post);

        uint256 first = latest + 1 > windowDays ? uint256(latest) + 1 - windowDays : 0;
        IHashpowerToken.SeriesTerms memory t = _formulaTerms();
        ISettlement.Breakdown memory b; // scratch for the formula, reused every day
        uint256 sum;
        uint256 sumAfter;
        uint256 count;
        for (uint256 d = first; d <= latest; ++d) {
            IHashpriceOracle.DailyValues memory dv = hashpriceOracle.dailyValues(uint32(d));
            if (dv.status != IHashpriceOracle.Status.Final || dv.btcUsdE8 == 0) continue;
            uint256 net = _netAtSla(b, t, dv.hashpriceE18, dv.btcUsdE8);
            sum += net;
            ++count;
            if (halving != 0) {
                uint256 reward = uint256(dv.subsidySats) + dv.feesPerBlockSats;
                if (d < halving && reward != 0) {
                    uint256 hp = (uint256(dv.hashpriceE18) * (dv.subsidySats / 2 + dv.feesPerBlockSats)) / reward;
                    net = _netAtSla(b, t, hp, dv.btcUsdE8);
                }
                sumAfter += net;
            }
        }
        if (count == 0) revert NoFinalDays(latest);
        v.daysUsed = uint32(count);
        v.avgNetE18 = sum / count;
        v.avgNetAfterHalvingE18 = halving == 0 ? v.avgNetE18 : sumAfter / count;
        v.unitValueE18 = (
            (v.avgNetE18 * (v.remainingDays - post) + v.avgNetAfterHalvingE18 * post) * (BPS - haircutBps)
        ) / (uint256(termDays) * BPS);
        if (quote == Quote.Usd) {
            v.price = v.unitValueE18 * btcUsdE8 * _priceScale;
            v.answer = int256((v.unitValueE18 * btcUsdE8) / 1e26);
        } else {
            v.price = v.unitValueE18 * _priceScale;
            v.answer = int256(v.unitValueE18 / E18);
        }
    }

    /// @dev The series' formula terms (only the fields `PayoutMath.perThDay` reads; the others stay 0).
    function _formulaTerms() private view returns (IHashpowerToken.SeriesTerms memory t) {
        t.efficiencyJPerThE3 = _efficiencyJPerThE3;
        t.poolFeeBps = _poolFeeBps;
        t.slaBps = _slaBps;
        t.powerCostUsdPerKWhE6 = _powerCostUsdPerKWhE6;
        t.serviceFeeUsdPerThDayE6 = _serviceFeeUsdPerThDayE6;
    }

    /// @dev `netE18` of `PayoutMath.perThDay` at uptime = SLA, computed in the scratch breakdown `b`.
    function _netAtSla(
        ISettlement.Breakdown memory b,
        IHashpowerToken.SeriesTerms memory t,
        uint256 hashpriceE18,
        uint256 btcUsdE8
    ) private pure returns (uint256) {
        PayoutMath.perThDay(b, t, hashpriceE18, t.slaBps, btcUsdE8);
        return b.netE18;
    }

    /// @dev BTC/USD × 1e8 from the feed and its updatedAt; reverts `StalePrice` unless answer > 0 and
    ///      0 ≤ now − updatedAt ≤ heartbeat.
    function _feedPrice() private view returns (uint256 priceE8, uint256 updatedAt) {
        int256 answer;
        (, answer,, updatedAt,) = btcUsdFeed.latestRoundData();
        if (answer <= 0 || updatedAt > block.timestamp || block.timestamp - updatedAt > feedHeartbeat) {
            revert StalePrice(answer, updatedAt);
        }
        uint256 d = _feedDecimals;
        priceE8 = d >= 8 ? uint256(answer) / 10 ** (d - 8) : uint256(answer) * 10 ** (8 - d);
        if (priceE8 == 0) revert StalePrice(answer, updatedAt);
    }
}
