// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IHashpowerToken} from "../interfaces/IHashpowerToken.sol";
import {IHashpriceOracle} from "../interfaces/IHashpriceOracle.sol";
import {ISettlement} from "../interfaces/ISettlement.sol";

/// @title PayoutMath
/// @notice The settlement formula per TH/s·day, the one Solidity copy, used by `Settlement` (payouts and the
///         collateral requirement) and `SeriesValuationOracle` (collateral value at SLA uptime).
/// @dev Source: `ISettlement` NatSpec; model of record `domain/settlement.ts` `perThDay` (bit-identical:
///      same operations, same floors). Units: hashprice and every per-TH/s·day amount in sats per TH/s·day × 1e18;
///      fees, SLA and uptime in bps; BTC/USD × 1e8; efficiency J/TH × 1e3; power cost USD/kWh × 1e6; service fee
///      USD per TH/s·day × 1e6. Formula (floors at each division):
///        gross        = hashprice · (1e4 − poolFeeBps) / 1e4;  poolFee = hashprice − gross
///        downtime     = gross · (1e4 − uptimeBps) / 1e4
///        compensation = gross · (slaBps − uptimeBps) / 1e4 if uptimeBps < slaBps, else 0
///        electricity  = efficiencyJPerThE3 · 24 · powerCostUsdPerKWhE6 · 1e22 / btcUsdE8
///                       (= J/TH · 24 h / 1000 · USD/kWh · 1e8 sats/BTC / (USD/BTC), × 1e18)
///        service      = serviceFeeUsdPerThDayE6 · 1e28 / btcUsdE8
///        net          = max(0, gross − downtime + compensation − electricity − service)
library PayoutMath {
    /// @dev 100 % in basis points.
    uint256 internal constant BPS = 10_000;

    /// @notice Hashprice after the pool fee: `hashpriceE18 · (1e4 − poolFeeBps) / 1e4` (floor), sats per TH/s·day
    ///         × 1e18. `poolFeeBps` ≤ 1e4 (the token's term check); above it this reverts (underflow).
    function grossE18(uint256 hashpriceE18, uint256 poolFeeBps) internal pure returns (uint256) {
        return (hashpriceE18 * (BPS - poolFeeBps)) / BPS;
    }

    /// @notice Writes the per-TH/s·day components of the formula into `b` (`grossE18`, `poolFeeE18`,
    ///         `downtimeE18`, `compensationE18`, `electricityE18`, `serviceE18`, `netE18`; sats × 1e18) for
    ///         terms `t` (only the formula fields are read: poolFeeBps, slaBps, efficiencyJPerThE3,
    ///         powerCostUsdPerKWhE6, serviceFeeUsdPerThDayE6), hashprice `hashpriceE18` (sats per TH/s·day × 1e18),
    ///         uptime `uptimeBps` and BTC/USD `btcUsdE8`. Leaves every other field of `b` untouched.
    /// @dev Reverts `IHashpriceOracle.NoPrice(0)` when btcUsdE8 is 0 and `IHashpriceOracle.InvalidUptime` above
    ///      10,000 bps; panics (arithmetic) when poolFeeBps > 1e4 or when hashprice · (1e4 − poolFeeBps) or
    ///      gross · (slaBps − uptimeBps) would reach 2^256 (never for an oracle hashprice, < 2^128).
    ///      gross ≥ downtime and, for slaBps ≤ 1e4 (the token's term check), compensation ≤ downtime, so only the
    ///      cost subtraction can go negative; net is floored at 0.
    function perThDay(
        ISettlement.Breakdown memory b,
        IHashpowerToken.SeriesTerms memory t,
        uint256 hashpriceE18,
        uint16 uptimeBps,
        uint256 btcUsdE8
    ) internal pure {
        if (btcUsdE8 == 0) revert IHashpriceOracle.NoPrice(0);
        if (uptimeBps > BPS) revert IHashpriceOracle.InvalidUptime(uptimeBps);
        uint256 up = uptimeBps;
        uint256 sla = t.slaBps;
        uint256 gross = grossE18(hashpriceE18, t.poolFeeBps);
        uint256 compensation = up < sla ? (gross * (sla - up)) / BPS : 0;
        // Unchecked, as nothing below can wrap (the results are those of checked arithmetic): up ≤ 1e4 and
        // gross · 1e4 ≤ hashprice · (1e4 − poolFeeBps) < 2^256 (checked in `grossE18`), so gross · (1e4 − up) fits,
        // downtime ≤ gross ≤ hashprice, and gross − downtime + compensation ≤ gross · (1 + 65535/1e4) < 2^256;
        // the cost products are < 2^32 · 24 · 2^32 · 1e22 < 2^142 and 2^32 · 1e28 < 2^126; plus > minus is tested.
        unchecked {
            uint256 downtime = (gross * (BPS - up)) / BPS;
            uint256 electricity = (uint256(t.efficiencyJPerThE3) * 24 * t.powerCostUsdPerKWhE6 * 1e22) / btcUsdE8;
            uint256 service = (uint256(t.serviceFeeUsdPerThDayE6) * 1e28) / btcUsdE8;
            uint256 plus = gross - downtime + compensation;
            uint256 minus = electricity + service;
            b.grossE18 = gross;
            b.poolFeeE18 = hashpriceE18 - gross;
            b.downtimeE18 = downtime;
            b.compensationE18 = compensation;
            b.electricityE18 = electricity;
            b.serviceE18 = service;
            b.netE18 = plus > minus ? plus - minus : 0;
        }
    }
}
