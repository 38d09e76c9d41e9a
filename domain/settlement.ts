/**
 * The settlement formula of one series-day, bit-identical to `Settlement.sol` (see `ISettlement` NatSpec).
 * Per TH/s·day, all in sats × 1e18, floored at 0:
 *   gross        = hashprice · (1e4 − poolFeeBps) / 1e4
 *   downtime     = gross · (1e4 − uptimeBps) / 1e4
 *   compensation = gross · max(0, slaBps − uptimeBps) / 1e4
 *   electricity  = efficiencyJPerThE3 · 24 · powerCostUsdPerKWhE6 · 1e22 / btcUsdE8
 *                  (= J/TH · 24 h / 1000 · USD/kWh · 1e8 sats / BTCUSD, × 1e18)
 *   service      = serviceFeeUsdPerThDayE6 · 1e28 / btcUsdE8
 *   net          = max(0, gross − downtime + compensation − electricity − service)
 * The series is owed net · supply / (termDays · 1e18) sats for the day (each unit earns net ÷ termDays);
 * the part owed for compensation is min(owed, compensation · supply / (termDays · 1e18)).
 * Drawing: compensation from collateral first, the rest from the payout balance, any shortfall from
 * collateral, and what neither covers becomes debt.
 */
import { BPS } from "./units.js";

/** Series parameters that the formula needs (a subset of `IHashpowerToken.SeriesTerms`). */
export interface FormulaTerms {
  termDays: number;
  efficiencyJPerThE3: number;
  poolFeeBps: number;
  slaBps: number;
  powerCostUsdPerKWhE6: number;
  serviceFeeUsdPerThDayE6: number;
}

/** Per-TH/s·day components of one day, sats × 1e18. */
export interface PerThDay {
  grossE18: bigint;
  poolFeeE18: bigint;
  downtimeE18: bigint;
  compensationE18: bigint;
  electricityE18: bigint;
  serviceE18: bigint;
  netE18: bigint;
}

/** Computes the per-TH/s·day components for one day. Throws when btcUsdE8 is 0 or uptime exceeds 10,000 bps. */
export function perThDay(terms: FormulaTerms, hashpriceE18: bigint, uptimeBps: number, btcUsdE8: bigint): PerThDay {
  if (btcUsdE8 <= 0n) throw new Error("btcUsdE8 must be > 0");
  if (uptimeBps < 0 || uptimeBps > 10_000) throw new Error(`uptimeBps ${uptimeBps} outside 0..10000`);
  const up = BigInt(uptimeBps);
  const sla = BigInt(terms.slaBps);
  const grossE18 = (hashpriceE18 * (BPS - BigInt(terms.poolFeeBps))) / BPS;
  const poolFeeE18 = hashpriceE18 - grossE18;
  const downtimeE18 = (grossE18 * (BPS - up)) / BPS;
  const compensationE18 = up < sla ? (grossE18 * (sla - up)) / BPS : 0n;
  const electricityE18 =
    (BigInt(terms.efficiencyJPerThE3) * 24n * BigInt(terms.powerCostUsdPerKWhE6) * 10n ** 22n) / btcUsdE8;
  const serviceE18 = (BigInt(terms.serviceFeeUsdPerThDayE6) * 10n ** 28n) / btcUsdE8;
  const raw = grossE18 - downtimeE18 + compensationE18 - electricityE18 - serviceE18;
  return { grossE18, poolFeeE18, downtimeE18, compensationE18, electricityE18, serviceE18, netE18: raw > 0n ? raw : 0n };
}

/** Sats owed to a series for one day and the part of it that compensates downtime. */
export function owedForDay(terms: FormulaTerms, p: PerThDay, supply: bigint): { owed: bigint; compensation: bigint } {
  const denom = BigInt(terms.termDays) * 10n ** 18n;
  const owed = (p.netE18 * supply) / denom;
  const comp = (p.compensationE18 * supply) / denom;
  return { owed, compensation: comp < owed ? comp : owed };
}

/** Farm-side pools one settlement draws from, sats. */
export interface FarmPools {
  balance: bigint;
  collateral: bigint;
}

/** How one settlement is paid. */
export interface Draw {
  fromBalance: bigint;
  fromCollateral: bigint;
  debtAdded: bigint;
  /** sats actually distributed to the holders: owed − debtAdded */
  paid: bigint;
}

/**
 * Draws `owed` sats (of which `compensation` from collateral first) from the farm's pools, mutating `pools`.
 * Order: compensation ← collateral; remainder ← balance; shortfall ← collateral; the rest is debt.
 */
export function draw(pools: FarmPools, owed: bigint, compensation: bigint): Draw {
  const min = (a: bigint, b: bigint) => (a < b ? a : b);
  const x = min(compensation, pools.collateral);
  pools.collateral -= x;
  let rest = owed - x;
  const y = min(rest, pools.balance);
  pools.balance -= y;
  rest -= y;
  const z = min(rest, pools.collateral);
  pools.collateral -= z;
  rest -= z;
  return { fromBalance: y, fromCollateral: x + z, debtAdded: rest, paid: owed - rest };
}
