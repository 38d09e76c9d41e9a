/**
 * The collateral valuation of one unit (1 TH/s·day) of a series, bit-identical to `SeriesValuationOracle.sol`.
 *
 *   window     = final oracle days d in [L − N + 1, L]   (L = latest final day, N = windowDays; others skipped)
 *   net_d      = perThDay(terms, hashprice_d, uptime = slaBps, btcUsd_d).netE18        (settlement.ts)
 *   avgNet     = floor(Σ net_d / count)
 *   remaining  = max(0, startDay + termDays − max(startDay, L + 1))
 *   unitValue  = floor(avgNet · remaining · (1e4 − haircutBps) / (termDays · 1e4))      sats × 1e18
 * Quotes (collateral has 0 decimals; loan token with `d` decimals):
 *   sats: price = unitValue · 10^(10 + d),            answer = floor(unitValue / 1e18)            (sats)
 *   USD:  price = unitValue · btcUsdE8 · 10^(d + 2),  answer = floor(unitValue · btcUsdE8 / 1e26) (USD × 1e8)
 * Optional halving awareness (halvingDay H ≠ 0): remaining days ≥ H are valued at the window's average recomputed
 * with the subsidy of its days before H halved, hp'_d = floor(hp_d · (subsidy_d/2 + fees_d) / (subsidy_d + fees_d)):
 *   unitValue = floor((avgNet · before + avgNet' · after) · (1e4 − haircutBps) / (termDays · 1e4)); H = 0: as above.
 * Rationale and freshness rules: see the contract's NatSpec.
 */
import { BPS, E18 } from "./units.js";
import { perThDay, type FormulaTerms } from "./settlement.js";

/** Series terms the valuation needs. */
export interface ValuationTerms extends FormulaTerms {
  startDay: number;
}

/** One final oracle day's inputs (`IHashpriceOracle.DailyValues`, final days only). */
export interface OracleDayValues {
  hashpriceE18: bigint;
  btcUsdE8: bigint;
  /** needed only with a halving day */
  subsidySats?: bigint;
  feesPerBlockSats?: bigint;
}

/** A valuation and its parts. */
export interface UnitValuation {
  latestDay: number;
  daysUsed: number;
  remainingDays: number;
  /** trailing average net yield, sats per TH/s·day × 1e18 */
  avgNetE18: bigint;
  /** of `remainingDays`, those on or after the halving day (0 without one) */
  remainingAfterHalving: number;
  /** the window's average with pre-halving days' subsidy halved (= avgNetE18 without a halving day) */
  avgNetAfterHalvingE18: bigint;
  /** value of one unit, sats × 1e18, after the haircut */
  unitValueE18: bigint;
}

/** Net yield per TH/s·day at uptime = the series' SLA, sats × 1e18 (settlement formula, floored at 0). */
export function netAtSlaE18(terms: FormulaTerms, hashpriceE18: bigint, btcUsdE8: bigint): bigint {
  return perThDay(terms, hashpriceE18, terms.slaBps, btcUsdE8).netE18;
}

/**
 * Values one unit with the window ending at final day `latestDay`. `finalDay(d)` returns day d's values when
 * final, else undefined. `halvingDay` 0 ignores halvings. Throws "NoFinalDays" when the window holds no final day
 * (and value remains).
 */
export function unitValuation(
  terms: ValuationTerms,
  latestDay: number,
  finalDay: (day: number) => OracleDayValues | undefined,
  windowDays = 30,
  haircutBps = 0,
  halvingDay = 0,
): UnitValuation {
  const endDay = terms.startDay + terms.termDays;
  const from = Math.max(terms.startDay, latestDay + 1);
  const out: UnitValuation = {
    latestDay,
    daysUsed: 0,
    remainingDays: 0,
    avgNetE18: 0n,
    remainingAfterHalving: 0,
    avgNetAfterHalvingE18: 0n,
    unitValueE18: 0n,
  };
  if (from >= endDay) return out;
  out.remainingDays = endDay - from;
  out.remainingAfterHalving = halvingDay === 0 ? 0 : endDay - Math.max(from, Math.min(halvingDay, endDay));
  let sum = 0n;
  let sumAfter = 0n;
  let count = 0;
  for (let d = Math.max(0, latestDay + 1 - windowDays); d <= latestDay; d++) {
    const v = finalDay(d);
    if (!v || v.btcUsdE8 === 0n) continue;
    let net = netAtSlaE18(terms, v.hashpriceE18, v.btcUsdE8);
    sum += net;
    count++;
    if (halvingDay !== 0) {
      const subsidy = v.subsidySats ?? 0n;
      const fees = v.feesPerBlockSats ?? 0n;
      if (d < halvingDay && subsidy + fees !== 0n) {
        net = netAtSlaE18(terms, (v.hashpriceE18 * (subsidy / 2n + fees)) / (subsidy + fees), v.btcUsdE8);
      }
      sumAfter += net;
    }
  }
  if (count === 0) throw new Error("NoFinalDays");
  out.daysUsed = count;
  out.avgNetE18 = sum / BigInt(count);
  out.avgNetAfterHalvingE18 = halvingDay === 0 ? out.avgNetE18 : sumAfter / BigInt(count);
  const before = BigInt(out.remainingDays - out.remainingAfterHalving);
  out.unitValueE18 =
    ((out.avgNetE18 * before + out.avgNetAfterHalvingE18 * BigInt(out.remainingAfterHalving)) *
      (BPS - BigInt(haircutBps))) /
    (BigInt(terms.termDays) * BPS);
  return out;
}

/** Morpho Blue `IOracle.price()` of one unit: loan-token base units × 1e36 (loan token with `loanDecimals`). */
export function morphoPrice(unitValueE18: bigint, loanDecimals: number, btcUsdE8?: bigint): bigint {
  return btcUsdE8 === undefined
    ? unitValueE18 * 10n ** BigInt(10 + loanDecimals)
    : unitValueE18 * btcUsdE8 * 10n ** BigInt(loanDecimals + 2);
}

/** Chainlink answer (8 decimals): whole sats per unit, or USD per unit × 1e8 when `btcUsdE8` is given. */
export function chainlinkAnswer(unitValueE18: bigint, btcUsdE8?: bigint): bigint {
  return btcUsdE8 === undefined ? unitValueE18 / E18 : (unitValueE18 * btcUsdE8) / 10n ** 26n;
}

/** A `SeriesValuationOracle`'s configuration (its `Configured` event). */
export interface OracleConfig {
  terms: ValuationTerms;
  /** 0 = sats, 1 = USD */
  quote: 0 | 1;
  loanDecimals: number;
  windowDays: number;
  haircutBps: number;
  maxAgeDays: number;
  halvingDay: number;
}

/**
 * What `valuation()` does at a block of UTC day `today`: `ok` (a valuation), `ended` (term over: worth 0, no
 * freshness check), or the reason it reverts: `noOracleData` (no final day yet), `staleOracle` (latest final day
 * more than `maxAgeDays` before today), `noFinalDays` (no final day in the window).
 */
export type OracleStatus = "ok" | "ended" | "noOracleData" | "staleOracle" | "noFinalDays";

/** `valuation()` with its status; `price`/`answer` null when it reverts, or for a USD quote without `btcUsdE8`. */
export interface OracleValuation extends UnitValuation {
  status: OracleStatus;
  price: bigint | null;
  answer: bigint | null;
}

/**
 * `SeriesValuationOracle.valuation()` as of a block of day `today`: `latestDay` = the hash-price oracle's latest
 * final day (null: none yet), `finalDay(d)` = day d's values when final. A USD quote needs the BTC/USD the
 * contract reads from its Chainlink feed at that block (`btcUsdE8`); without it the unit value is exact but
 * `price`/`answer` are null.
 */
export function oracleValuation(
  c: OracleConfig,
  today: number,
  latestDay: number | null,
  finalDay: (day: number) => OracleDayValues | undefined,
  btcUsdE8?: bigint,
): OracleValuation {
  const zero: UnitValuation = {
    latestDay: latestDay ?? 0, daysUsed: 0, remainingDays: 0, avgNetE18: 0n, remainingAfterHalving: 0, avgNetAfterHalvingE18: 0n, unitValueE18: 0n,
  };
  if (latestDay === null) return { ...zero, status: "noOracleData", price: null, answer: null };
  if (today >= c.terms.startDay + c.terms.termDays) return { ...zero, status: "ended", price: 0n, answer: 0n };
  if (today > latestDay + c.maxAgeDays) return { ...zero, status: "staleOracle", price: null, answer: null };
  let v: UnitValuation;
  try {
    v = unitValuation(c.terms, latestDay, finalDay, c.windowDays, c.haircutBps, c.halvingDay);
  } catch (e) {
    if ((e as Error).message === "NoFinalDays") return { ...zero, status: "noFinalDays", price: null, answer: null };
    throw e;
  }
  const usd = c.quote === 1;
  if (usd && btcUsdE8 === undefined) return { ...v, status: "ok", price: null, answer: null };
  return { ...v, status: "ok", price: morphoPrice(v.unitValueE18, c.loanDecimals, usd ? btcUsdE8 : undefined), answer: chainlinkAnswer(v.unitValueE18, usd ? btcUsdE8 : undefined) };
}
