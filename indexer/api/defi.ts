/**
 * The owner view's DeFi parts: shares of the series' `SeriesWrapper` (accumulating ERC-20) and collateral inside
 * Morpho Blue markets on it, with the on-chain lending valuation of the market's `SeriesValuationOracle` next to
 * the holder's view. Every amount is computed as of one block `n` with the contracts' own formulas
 * (`domain/wrapper.ts`, `domain/morpho.ts`, `domain/valuation.ts`), so it equals the contracts' views at that block.
 */
import { ORACLE_PRICE_SCALE, WAD, health } from "../../domain/morpho.js";
import { E18, formatScaled } from "../../domain/units.js";
import * as wrap from "../../domain/wrapper.js";
import { valuePosition } from "../../domain/yield.js";
import type { ReadContext } from "./read.js";
import { at } from "./snapshot.js";

type Row = Record<string, any>;

/** How an address holds units: as their owner, or as a DeFi contract holding them for owners. */
export type HolderKind = "holder" | "wrapper" | "morpho";

/** Whether the DeFi contracts are indexed (the wrapper factory is configured). */
export const defiEnabled = (read: ReadContext) => !!read.ctx.config.contracts.wrapperFactory;

/** The kind of `address` at block `n`. */
export async function kindOf(read: ReadContext, n: number, address: string): Promise<HolderKind> {
  const c = read.ctx.config.contracts;
  if (c.morpho && address === c.morpho) return "morpho";
  if (defiEnabled(read) && n >= 0 && (await read.snaps.defiAt(n)).wrappers.has(address)) return "wrapper";
  return "holder";
}

/** The holder's view (`Valuation` in the schema, `domain/yield.ts`) of `units` of series row `sr` at block `n`. */
export async function holderValuation(read: ReadContext, n: number, sr: Row, units: bigint) {
  const id = String(sr.id);
  const v = await read.snaps.valuationAt(n, id);
  const val = valuePosition({
    balance: units, startDay: sr.start_day, termDays: sr.term_days, today: v.today, netPerThsDayE18: v.net, btcUsdE8: v.btcUsdE8,
  });
  return {
    balance: units.toString(),
    termDays: sr.term_days,
    remainingDays: val.remainingDays,
    remainingThsDays: formatScaled(val.remainingThsDaysE6, 6),
    netPerThsDaySatsE18: v.net.toString(),
    source: v.source,
    trailingDays: v.days,
    windowEndDay: v.windowEnd,
    btcUsdE8: v.btcUsdE8?.toString() ?? null,
    valueSats: val.valueSats.toString(),
    valueUsdE8: val.valueUsdE8?.toString() ?? null,
    asOfDay: v.today,
  };
}

/**
 * `LendingValuation` of `units` shares by valuation oracle `address` at block `n`: what its `valuation()` serves
 * (null: not an oracle of the factory's wrappers).
 */
export async function lendingValuation(read: ReadContext, n: number, address: string, units: bigint) {
  const l = await read.snaps.lendingAt(n, address);
  if (!l) return null;
  const { o, served, accruedE18, today } = l;
  const d = await read.snaps.defiAt(n);
  const marketIds = [...d.markets.values()].filter((m) => m.oracle === address).map((m) => m.id as string).sort();
  const opt = (x: unknown) => (x === null || x === undefined ? null : String(x));
  return {
    oracle: address,
    seriesId: String(o.series_id),
    wrapper: o.wrapper,
    loanToken: o.loan_token,
    loanDecimals: o.loan_decimals,
    windowDays: o.window_days,
    haircutBps: o.haircut_bps,
    maxAgeDays: o.max_age_days,
    graceDays: o.grace_days,
    decayDays: o.decay_days,
    maxGrowthBpsPerDay: o.max_growth_bps_per_day,
    asOfDay: today,
    latestDay: Number(o.latest_day) === 0 ? null : Number(o.latest_day),
    recordedBlock: o.recorded_block === null ? null : Number(o.recorded_block),
    freshness: served?.freshness ?? null,
    daysUsed: o.days_used,
    remainingDays: o.remaining_days,
    halvingDay: o.halving_day === null ? null : Number(o.halving_day),
    postHalvingDays: o.post_halving_days,
    avgNetE18: opt(o.avg_net_e18),
    avgNetHalvedE18: opt(o.avg_net_halved_e18),
    boundE18: opt(o.bound_e18),
    rawValueE18: opt(o.raw_value_e18),
    recordedUnitValueE18: opt(o.unit_value_e18),
    unitValueE18: opt(served?.unitValueE18),
    accruedE18: accruedE18.toString(),
    shareValueE18: opt(served?.shareValueE18),
    priceE36: opt(served?.price),
    answer: opt(served?.answer),
    units: units.toString(),
    valueSats: served ? ((units * served.shareValueE18) / E18).toString() : null,
    valueLoanAssets: served ? ((units * served.price) / ORACLE_PRICE_SCALE).toString() : null,
    marketIds,
    _price: served?.price ?? null,
    _shareValueE18: served?.shareValueE18 ?? null,
    _btcUsdE8: l.btcUsdE8,
  };
}

/** Lending valuations of `units` of series `id` by every valuation oracle of the series at block `n`. */
export async function lendingValuations(read: ReadContext, n: number, id: string, units: bigint) {
  if (!defiEnabled(read) || n < 0) return [];
  const d = await read.snaps.defiAt(n);
  const out = [];
  for (const o of d.oracles.values()) if (String(o.series_id) === id) out.push(await lendingValuation(read, n, o.address, units));
  return out.filter((x) => x !== null);
}

/** One market's rows of a holder: its Morpho position. */
export interface CollateralRows {
  marketId: string;
  morpho: Row | null;
}

/** Wrapped and collateral rows of some holders at one block, by `holder|seriesId`. */
export interface Holdings {
  wrapped: Map<string, Row>;
  collateral: Map<string, CollateralRows[]>;
}

const key = (holder: string, id: unknown) => `${holder}|${String(id)}`;

/** Loads the share positions and Morpho positions of `holders` at block `n` (2 statements). */
export async function loadHoldings(read: ReadContext, n: number, holders: string[]): Promise<Holdings> {
  const out: Holdings = { wrapped: new Map(), collateral: new Map() };
  if (!defiEnabled(read) || holders.length === 0 || n < 0) return out;
  const q = (table: string) => read.ctx.db.query(`SELECT t.* FROM ${table} t WHERE t.holder = ANY($1::text[]) AND ${at("t", n)}`, [holders]);
  const [wrapped, morpho] = await Promise.all([q("wrapper_positions"), q("morpho_positions")]);
  for (const r of wrapped) out.wrapped.set(key(r.holder, r.series_id), r);
  const entry = (r: Row) => {
    const k = key(r.holder, r.series_id);
    let list = out.collateral.get(k);
    if (!list) out.collateral.set(k, (list = []));
    let e = list.find((x) => x.marketId === r.market_id);
    if (!e) list.push((e = { marketId: r.market_id, morpho: null }));
    return e;
  };
  for (const r of morpho) entry(r).morpho = r;
  for (const list of out.collateral.values()) list.sort((a, b) => (a.marketId < b.marketId ? -1 : 1));
  return out;
}

/** Series ids `holder` holds through DeFi contracts in `h`. */
export function defiSeriesOf(h: Holdings, holder: string): string[] {
  const ids = new Set<string>();
  for (const m of [h.wrapped, h.collateral]) for (const k of m.keys()) if (k.startsWith(holder + "|")) ids.add(k.slice(holder.length + 1));
  return [...ids];
}

/** The share index of wrapper row `w` in series row `sr` (sats per share × 1e36). */
const indexOf = (sr: Row, w: Row | undefined) => wrap.indexE36(BigInt(sr.acc_per_unit_e36), BigInt(w?.acc0_e36 ?? 0));

/** `WrappedHolding` of `holder` in series row `sr` at block `n` (null: no wrapped position ever). */
export async function wrappedHolding(read: ReadContext, n: number, sr: Row, r: Row | undefined) {
  if (!r) return null;
  const index = indexOf(sr, (await read.snaps.defiAt(n)).wrappers.get(r.wrapper));
  const h = { balance: BigInt(r.balance) };
  const claimable = wrap.unwrapPayout(h.balance, index);
  return {
    wrapper: r.wrapper,
    balance: h.balance.toString(),
    claimableSats: claimable.toString(),
    indexE36: index.toString(),
    updatedBlock: Number(r.block_from),
    valuation: () => holderValuation(read, n, sr, h.balance),
    lendingValuations: () => lendingValuations(read, n, String(sr.id), h.balance),
    _claimable: claimable,
    _units: h.balance,
  };
}

/** `CollateralHolding`s of one holder in series row `sr` at block `n`. */
export async function collateralHoldings(read: ReadContext, n: number, sr: Row, entries: CollateralRows[]) {
  if (entries.length === 0) return [];
  const d = await read.snaps.defiAt(n);
  const out = [];
  for (const e of entries) {
    const m = d.markets.get(e.marketId);
    const wrapper = m?.collateral_token as string;
    const collateral = e.morpho ? BigInt(e.morpho.collateral) : m ? 0n : null;
    const borrowShares = e.morpho ? BigInt(e.morpho.borrow_shares) : m ? 0n : null;
    const units = collateral ?? 0n;
    // the sats the collateral shares carry (floor(collateral · index)): part of the share price Morpho uses
    const claimable: bigint | null = collateral === null ? null : wrap.unwrapPayout(collateral, indexOf(sr, d.wrappers.get(wrapper)));
    const lending = m ? await lendingValuation(read, n, m.oracle, units) : null;
    const hl =
      m && collateral !== null && borrowShares !== null
        ? health(
            collateral, borrowShares,
            {
              totalSupplyAssets: BigInt(m.total_supply_assets), totalSupplyShares: BigInt(m.total_supply_shares),
              totalBorrowAssets: BigInt(m.total_borrow_assets), totalBorrowShares: BigInt(m.total_borrow_shares),
            },
            BigInt(m.lltv), lending?._price ?? null,
          )
        : null;
    const lender = m && hl ? lenderView(m, units, hl, lending) : null;
    out.push({
      marketId: e.marketId,
      market: m ? marketObj(m) : null,
      wrapper,
      collateral: collateral?.toString() ?? null,
      borrowShares: borrowShares?.toString() ?? null,
      borrowedAssets: hl?.borrowedAssets.toString() ?? null,
      claimableSats: claimable?.toString() ?? null,
      collateralValueLoanAssets: hl?.collateralValue?.toString() ?? null,
      maxBorrowAssets: hl?.maxBorrow?.toString() ?? null,
      ltvBps: hl?.ltvBps === null || hl?.ltvBps === undefined ? null : Number(hl.ltvBps),
      lltvBps: m ? Number((BigInt(m.lltv) * 10_000n) / WAD) : null,
      healthy: hl?.healthy ?? null,
      ...(lender ?? { healthFactor: null, collateralSats: null, debtSats: null, collateralUsdE8: null, debtUsdE8: null, liquidationPriceSats: null, liquidationPriceUsdE8: null }),
      lendingValuation: lending,
      updatedBlock: Number(e.morpho?.block_from ?? -1),
      _units: collateral ?? 0n,
      _claimable: claimable ?? 0n,
      _active: units > 0n || (claimable ?? 0n) > 0n || (borrowShares ?? 0n) > 0n,
    });
  }
  return out;
}

/** A followed Morpho market (`LendingMarket`). */
export function marketObj(m: Row) {
  return {
    id: m.id,
    seriesId: String(m.series_id),
    loanToken: m.loan_token,
    collateralToken: m.collateral_token,
    oracle: m.oracle,
    irm: m.irm,
    lltv: String(m.lltv),
    fee: String(m.fee),
    totalSupplyAssets: String(m.total_supply_assets),
    totalSupplyShares: String(m.total_supply_shares),
    totalBorrowAssets: String(m.total_borrow_assets),
    totalBorrowShares: String(m.total_borrow_shares),
    createdBlock: Number(m.created_block),
  };
}

/** `SeriesWrapper` object of series `id` at block `n` (null: none yet). */
export async function wrapperInfo(read: ReadContext, n: number, sr: Row) {
  if (!defiEnabled(read) || n < 0) return null;
  const d = await read.snaps.defiAt(n);
  const w = d.wrapperOfSeries.get(String(sr.id));
  if (!w) return null;
  const markets = [...d.markets.values()].filter((m) => m.collateral_token === w.address).sort((a, b) => (a.id < b.id ? -1 : 1));
  return {
    address: w.address,
    supply: String(w.supply),
    holderCount: w.holders,
    harvestedSats: String(w.harvested),
    claimedSats: String(w.claimed),
    indexE36: String(indexOf(sr, w)),
    acc0E36: String(w.acc0_e36),
    createdBlock: Number(w.created_block),
    markets: markets.map(marketObj),
  };
}


/**
 * The lender's view of one position at the market's price (the oracle's `price()`, Morpho's own rule; loan token
 * BTC-pegged, so loan base units convert to sats by 10^(8 − decimals); USD at the hash-price oracle's latest final
 * BTC/USD):
 *   healthFactor      = collateral · price / 1e36 · lltv / borrowed        (≥ 1: healthy; null without debt)
 *   liquidationPrice  = borrowed / (collateral · lltv), per share          (the share price at which health = 1)
 */
function lenderView(m: Row, units: bigint, hl: ReturnType<typeof health>, lending: Awaited<ReturnType<typeof lendingValuation>>) {
  const dec = BigInt(lending?.loanDecimals ?? 8);
  const toSatsE18 = (loanAssets: bigint) => (dec >= 8n ? (loanAssets * E18) / 10n ** (dec - 8n) : loanAssets * E18 * 10n ** (8n - dec));
  const lltv = BigInt(m.lltv);
  const btc = lending?._btcUsdE8 ?? null;
  const usdE8 = (satsE18: bigint | null) => (satsE18 === null || btc === null ? null : ((satsE18 * btc) / (E18 * 10n ** 8n)).toString());
  const debtE18 = toSatsE18(hl.borrowedAssets);
  const collE18 = lending?._shareValueE18 == null ? null : units * lending._shareValueE18;
  const liqE18 = hl.borrowedAssets === 0n || units === 0n ? null : (debtE18 * WAD) / (units * lltv);
  return {
    healthFactor:
      hl.borrowedAssets === 0n || hl.maxBorrow === null ? null : formatScaled((hl.maxBorrow * 10n ** 18n) / hl.borrowedAssets, 18, 4),
    collateralSats: collE18 === null ? null : formatScaled(collE18, 18, 8),
    debtSats: formatScaled(debtE18, 18, 8),
    collateralUsdE8: usdE8(collE18),
    debtUsdE8: usdE8(debtE18),
    liquidationPriceSats: liqE18 === null ? null : formatScaled(liqE18, 18, 8),
    liquidationPriceUsdE8: usdE8(liqE18),
  };
}
