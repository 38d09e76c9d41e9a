/**
 * Yield statistics and position valuation derived from settlements (shared by the indexer API and tests).
 * Integer arithmetic only (bigint), floors everywhere; per-TH/s·day values are sats × 1e18 (`E18`).
 *
 * Per unit: one token unit is one TH/s·day of a series' production spread over its term, so each unit is
 * credited `value ÷ termDays` of every day's per-TH/s·day value (ISettlement NatSpec). Hence
 *   perUnitE18(day)        = perThsDayE18(day) / termDays
 *   trailing N-day average = mean of the per-day values of the settled days in (day − N, day]
 *   annualised             = trailing 30-day average × 365            (a run rate, sats per unit per year)
 *   annualised yield (bps) = annualised / unit price × 1e4            (only for a given price)
 *
 * Valuation of a position (remaining production priced at the trailing net yield):
 *   remainingDays    = clamp(startDay + termDays − max(today, startDay), 0, termDays)   (today still pays)
 *   remainingThsDays = balance × remainingDays / termDays
 *   valueSats        = balance × remainingDays × trailingNetE18 / (termDays × 1e18)
 *   valueUsdE8       = valueSats × btcUsdE8 / 1e8
 * where trailingNetE18 is the 30-day trailing average of the series' settled net per TH/s·day.
 */
import { E18, E8, BPS } from "./units.js";

/** Days whose settlements enter the trailing averages. */
export const TRAILING_SHORT = 7;
export const TRAILING_LONG = 30;
export const DAYS_PER_YEAR = 365n;

/** `valueE18` (per TH/s·day) credited to one unit of a `termDays` series, sats × 1e18. */
export function perUnitE18(valueE18: bigint, termDays: number): bigint {
  if (termDays <= 0) throw new Error("termDays must be > 0");
  return valueE18 / BigInt(termDays);
}

/**
 * Mean of `values` over the days in (endDay − window, endDay] that have a value; null when none.
 * `values` maps day → value.
 */
export function trailingMean(values: Map<number, bigint>, endDay: number, window: number): { mean: bigint | null; days: number } {
  let sum = 0n;
  let days = 0;
  for (let d = endDay - window + 1; d <= endDay; d++) {
    const v = values.get(d);
    if (v !== undefined) {
      sum += v;
      days++;
    }
  }
  return { mean: days > 0 ? sum / BigInt(days) : null, days };
}

/** Run rate of a daily per-unit value: × 365. */
export function annualised(dailyE18: bigint): bigint {
  return dailyE18 * DAYS_PER_YEAR;
}

/** Annualised yield in bps of `unitPriceSats` (> 0). */
export function annualisedYieldBps(dailyE18: bigint, unitPriceSats: bigint): bigint {
  if (unitPriceSats <= 0n) throw new Error("unit price must be > 0");
  return annualisedYieldBpsE18(dailyE18, unitPriceSats * E18);
}

/** Annualised yield in bps of a unit price given in sats × 1e18 (> 0): annualised × 1e4 / price (floor). */
export function annualisedYieldBpsE18(dailyE18: bigint, unitPriceE18: bigint): bigint {
  if (unitPriceE18 <= 0n) throw new Error("unit price must be > 0");
  return (annualised(dailyE18) * BPS) / unitPriceE18;
}

/** Days of the term still to be produced from `today` on (today included), 0 after the term. */
export function remainingDays(startDay: number, termDays: number, today: number): number {
  const end = startDay + termDays;
  return Math.max(0, Math.min(termDays, end - Math.max(today, startDay)));
}

/** Inputs and result of a position valuation. */
export interface Valuation {
  remainingDays: number;
  /** balance × remainingDays / termDays, × 1e6 (floor) */
  remainingThsDaysE6: bigint;
  valueSats: bigint;
  /** null without a BTC/USD price */
  valueUsdE8: bigint | null;
}

/** Values `balance` units of a series at `netPerThsDayE18` (see the module comment for the formula). */
export function valuePosition(p: {
  balance: bigint;
  startDay: number;
  termDays: number;
  today: number;
  netPerThsDayE18: bigint;
  btcUsdE8: bigint | null;
}): Valuation {
  const r = remainingDays(p.startDay, p.termDays, p.today);
  const term = BigInt(p.termDays);
  const valueSats = (p.balance * BigInt(r) * p.netPerThsDayE18) / (term * E18);
  return {
    remainingDays: r,
    remainingThsDaysE6: (p.balance * BigInt(r) * 1_000_000n) / term,
    valueSats,
    valueUsdE8: p.btcUsdE8 === null ? null : (valueSats * p.btcUsdE8) / E8,
  };
}

/**
 * A holder's daily statement (per-holder sats from per-TH/s·day values and the token's accumulator).
 *
 *   credited(d) sats × 1e36 = units at the record point × (acc after the day's distribution − acc before)
 *   component(d) sats = units × componentPerThsDayE18 / (termDays × 1e18)         (gross, downtime, fees, ...)
 * Each is turned into whole sats by differencing a running floor (`RunningFloor`): the sats of day d are
 * floor(Σ_{≤d} exact) − floor(Σ_{<d} exact), so days add up exactly to the floor of the total. For credits that
 * total is what the token pays (claim keeps the sub-sat remainder): Σ credited = claimed + claimable, to the sat.
 */
export class RunningFloor {
  private exact = 0n;
  constructor(private readonly scale: bigint) {}
  /** Adds `value` (× scale) and returns the whole units it completes. */
  add(value: bigint): bigint {
    const before = this.exact / this.scale;
    this.exact += value;
    return this.exact / this.scale - before;
  }
  /** floor(Σ added / scale) */
  get total(): bigint {
    return this.exact / this.scale;
  }
}

/** A holder's credit from one distribution, sats × 1e36: units × (accAfter − accBefore). */
export function creditE36(units: bigint, accBeforeE36: bigint, accAfterE36: bigint): bigint {
  return units * (accAfterE36 - accBeforeE36);
}

