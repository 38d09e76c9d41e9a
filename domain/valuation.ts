/**
 * The collateral valuation of one share of a series' accumulating wrapper, bit-identical to
 * `SeriesValuationOracle.sol` (see its NatSpec for the rationale). Two parts:
 *
 * Recording (`recordDay`, once per final oracle day d, in order; running sums A, AF, C over recorded days):
 *   F'_d       = min(F_d, floor(S_d · feeCapBps / 1e4))               fee spikes clipped
 *   r_d        = floor(hp_d · 1e18 / (S_d + F_d))                     hashprice per sat of block reward × 1e36
 *   A += r_d;  AF += r_d · F'_d;  C += electricity_d + service_d     (settlement formula's costs, sats × 1e18)
 *   n          = min(N, d − firstDay + 1);  ΣX = X_d − X_{d−n}
 *   P(S')      = floor((S'·ΣA + ΣAF)·(1e4 − pf)·sla / (1e8·1e18));  avgNet(S') = max(0, P(S') − ΣC) / n
 *   halving    = R + floor((210,000·(e+1) − h_R) / 144), S = 50 BTC >> e; (R, h_R) the last retarget seen
 *   remaining  = max(0, end − max(start, d + 1)); post = remaining days ≥ halving; a0 = max(start, d + 1) − d
 *   seg(P,a,b) = Σ_{a ≤ t < b'} (P·(Y − drift·t) − ΣC·Y), Y = 365·1e4, b' = min(b, ceil(Y(P − ΣC)/(P·drift)))
 *   raw        = floor((seg(P(S), a0, a1) + seg(P(S/2), a1, a0 + remaining))·(1e4 − haircut) / (Y·n·termDays·1e4)),
 *                a1 = a0 + remaining − post
 *   bound      = floor(floor(floor((S·ΣA + ΣAF)/1e18)/n)·remaining / termDays)
 *   unit_d     = min(raw, bound, floor(unit_{d−1}·(1e4 + growth)/1e4) unless first or unit_{d−1} = 0)
 * Serving (`serve`): the stale policy on the latest recorded unit value, plus the share's accrued sats.
 */
import { BPS, E18 } from "./units.js";
import { perThDay, type FormulaTerms } from "./settlement.js";

const E36 = 10n ** 36n;

/** Series terms the valuation needs. */
export interface ValuationTerms extends FormulaTerms {
  startDay: number;
  termDays: number;
}

/** One final oracle day's inputs (`IHashpriceOracle.DailyValues`). */
export interface OracleDayValues {
  bits: number;
  hashpriceE18: bigint;
  btcUsdE8: bigint;
  subsidySats: bigint;
  feesPerBlockSats: bigint;
}

/** The oracle's configuration (`ISeriesValuationOracle.Config`, with the series' terms). */
export interface OracleConfig {
  terms: ValuationTerms;
  loanDecimals: number;
  windowDays: number;
  haircutBps: number;
  maxAgeDays: number;
  graceDays: number;
  decayDays: number;
  maxGrowthBpsPerDay: number;
  firstDay: number;
  epochStartDay: number;
  epochStartHeight: number;
  /** a day's fees per block count at most this share of its subsidy, bps */
  feeCapBps: number;
  /** expected fall of the hashprice per 365 days ahead (linear), bps */
  hashpriceDriftBpsPerYear: number;
}

/** A recorded day (`DayValuation` of the contract). */
export interface DayValuation {
  day: number;
  daysUsed: number;
  remainingDays: number;
  halvingDay: number;
  postHalvingDays: number;
  subsidySats: bigint;
  epochHeight: number;
  avgNetE18: bigint;
  avgNetHalvedE18: bigint;
  boundE18: bigint;
  rawValueE18: bigint;
  unitValueE18: bigint;
}

/** The recorder's state (running sums by day, retarget, last record). */
export interface RecorderState {
  sums: Map<number, { a: bigint; af: bigint; c: bigint; unit: bigint }>;
  latest: number;
  bits: number;
  retargetDay: number;
  retargetHeight: number;
}

/** A fresh recorder for `c`. */
export function newRecorder(c: OracleConfig): RecorderState {
  return { sums: new Map(), latest: 0, bits: 0, retargetDay: c.epochStartDay, retargetHeight: c.epochStartHeight };
}

const YEAR_BPS = 365n * BPS;

/** P(S'): the window's gross at subsidy `s` after pool fee and SLA, sats × 1e18. */
function netSum(s: bigint, sa: bigint, saf: bigint, t: FormulaTerms): bigint {
  return ((s * sa + saf) * (BPS - BigInt(t.poolFeeBps)) * BigInt(t.slaBps)) / (BPS * BPS * E18);
}

/** seg(p, a, b): Σ over days t ∈ [a, b) ahead of max(0, p·(Y − drift·t) − c·Y) (the contract's `_segment`). */
export function segment(p: bigint, c: bigint, a: bigint, b: bigint, drift: bigint): bigint {
  if (p <= c) return 0n;
  if (drift !== 0n) {
    const positive = (YEAR_BPS * (p - c) + p * drift - 1n) / (p * drift);
    if (b > positive) b = positive;
  }
  if (a >= b) return 0n;
  const m = b - a;
  return p * (YEAR_BPS * m - (drift * (a + b - 1n) * m) / 2n) - c * YEAR_BPS * m;
}

/** Estimated day of the next halving after subsidy `s` (the contract's `_nextHalvingDay`). */
export function nextHalvingDay(s: bigint, retargetDay: number, retargetHeight: number): number {
  if (s === 0n) return 2 ** 32 - 1;
  let e = 0n;
  while (5_000_000_000n >> e > s) e++;
  const h = 210_000 * (Number(e) + 1);
  return h > retargetHeight ? retargetDay + Math.floor((h - retargetHeight) / 144) : retargetDay;
}

/** Records day `d` (must be `latest + 1`, or `firstDay` first) — `SeriesValuationOracle._record`. */
export function recordDay(c: OracleConfig, st: RecorderState, d: number, dv: OracleDayValues): DayValuation {
  const t = c.terms;
  const zero = { a: 0n, af: 0n, c: 0n, unit: 0n };
  const prev = st.sums.get(d - 1) ?? zero;
  const reward = dv.subsidySats + dv.feesPerBlockSats;
  const r = reward === 0n ? 0n : (dv.hashpriceE18 * E18) / reward;
  const feeCap = (dv.subsidySats * BigInt(c.feeCapBps)) / BPS;
  const fees = dv.feesPerBlockSats < feeCap ? dv.feesPerBlockSats : feeCap;
  const costs = perThDay(t, 0n, t.slaBps, dv.btcUsdE8);
  const rec = { a: prev.a + r, af: prev.af + r * fees, c: prev.c + costs.electricityE18 + costs.serviceE18, unit: 0n };
  st.sums.set(d, rec);
  if (st.latest !== 0 && dv.bits !== st.bits) {
    st.retargetDay = d;
    st.retargetHeight += 2016;
  }
  st.bits = dv.bits;

  let n = d - c.firstDay + 1;
  if (n > c.windowDays) n = c.windowDays;
  const w0 = st.sums.get(d - n) ?? zero;
  const sa = rec.a - w0.a;
  const saf = rec.af - w0.af;
  const sc = rec.c - w0.c;
  const s = dv.subsidySats;
  const N = BigInt(n);
  const v: DayValuation = {
    day: d, daysUsed: n, remainingDays: 0, halvingDay: 0, postHalvingDays: 0, subsidySats: s, epochHeight: st.retargetHeight,
    avgNetE18: 0n, avgNetHalvedE18: 0n, boundE18: 0n, rawValueE18: 0n, unitValueE18: 0n,
  };
  const p = netSum(s, sa, saf, t);
  const ph = netSum(s / 2n, sa, saf, t);
  v.avgNetE18 = p > sc ? (p - sc) / N : 0n;
  v.avgNetHalvedE18 = ph > sc ? (ph - sc) / N : 0n;
  const end = t.startDay + t.termDays;
  const from = d + 1 > t.startDay ? d + 1 : t.startDay;
  const remaining = end > from ? end - from : 0;
  v.remainingDays = remaining;
  v.halvingDay = nextHalvingDay(s, st.retargetDay, st.retargetHeight);
  if (v.halvingDay < end) {
    const post = end - (v.halvingDay > from ? v.halvingDay : from);
    v.postHalvingDays = post > remaining ? remaining : post;
  }
  const term = BigInt(t.termDays);
  const a0 = BigInt(from - d);
  const a1 = a0 + BigInt(remaining - v.postHalvingDays);
  const drift = BigInt(c.hashpriceDriftBpsPerYear);
  v.rawValueE18 =
    ((segment(p, sc, a0, a1, drift) + segment(ph, sc, a1, a0 + BigInt(remaining), drift)) * (BPS - BigInt(c.haircutBps))) /
    (YEAR_BPS * N * term * BPS);
  v.boundE18 = (((s * sa + saf) / E18 / N) * BigInt(remaining)) / term;
  let value = v.rawValueE18 < v.boundE18 ? v.rawValueE18 : v.boundE18;
  const last = prev.unit;
  if (st.latest !== 0 && last !== 0n) {
    const cap = (last * (BPS + BigInt(c.maxGrowthBpsPerDay))) / BPS;
    if (value > cap) value = cap;
  }
  v.unitValueE18 = value;
  rec.unit = value;
  st.latest = d;
  return v;
}

/** What `price()` serves: `fresh`, `grace`, `decaying`, `expired` (decayed to 0) or `ended` (term over). */
export type Freshness = "fresh" | "grace" | "decaying" | "expired" | "ended";
export const FRESHNESS: Freshness[] = ["fresh", "grace", "decaying", "expired", "ended"];

/** `valuation()` of the contract at a block of day `today`, from the latest recorded day and its unit value. */
export function serve(
  c: Pick<OracleConfig, "terms" | "loanDecimals" | "maxAgeDays" | "graceDays" | "decayDays">,
  latestDay: number,
  recordedUnitValueE18: bigint,
  today: number,
  accruedE18: bigint,
): { freshness: Freshness; unitValueE18: bigint; shareValueE18: bigint; price: bigint; answer: bigint } {
  let unit = recordedUnitValueE18;
  let freshness: Freshness;
  if (today >= c.terms.startDay + c.terms.termDays) [freshness, unit] = ["ended", 0n];
  else if (today <= latestDay + c.maxAgeDays) freshness = "fresh";
  else if (today <= latestDay + c.maxAgeDays + c.graceDays) freshness = "grace";
  else {
    const k = today - latestDay - c.maxAgeDays - c.graceDays;
    if (k >= c.decayDays) [freshness, unit] = ["expired", 0n];
    else [freshness, unit] = ["decaying", (unit * BigInt(c.decayDays - k)) / BigInt(c.decayDays)];
  }
  const shareValueE18 = unit + accruedE18;
  return {
    freshness, unitValueE18: unit, shareValueE18,
    price: morphoPrice(shareValueE18, c.loanDecimals),
    answer: (recordedUnitValueE18 + accruedE18) / 10n ** 8n,
  };
}

/** Morpho Blue `IOracle.price()` of one share worth `shareValueE18` (sats × 1e18), loan token with `loanDecimals`. */
export function morphoPrice(shareValueE18: bigint, loanDecimals: number): bigint {
  return shareValueE18 * 10n ** BigInt(10 + loanDecimals);
}

/** The share's accrued sats × 1e18 from the share index (sats per share × 1e36). */
export const accruedE18 = (indexE36: bigint): bigint => indexE36 / E18;

/** Net yield per TH/s·day at uptime = the series' SLA, sats × 1e18 (settlement formula, floored at 0). */
export function netAtSlaE18(terms: FormulaTerms, hashpriceE18: bigint, btcUsdE8: bigint): bigint {
  return perThDay(terms, hashpriceE18, terms.slaBps, btcUsdE8).netE18;
}

export { E36 };
