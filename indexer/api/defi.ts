/**
 * The owner view's DeFi parts: units held through the series' `SeriesWrapper` (ERC-20) and collateral inside
 * Morpho Blue markets on it (through the `MorphoCollateralAdapter` or directly), with the on-chain lending
 * valuation of the market's `SeriesValuationOracle` next to the holder's view. Every amount is computed as of one
 * block `n` with the contracts' own formulas (`domain/wrapper.ts`, `domain/adapter.ts`, `domain/morpho.ts`,
 * `domain/valuation.ts`), so it equals the contracts' views at that block.
 */
import * as adapter from "../domain/adapter.js";
import { ORACLE_PRICE_SCALE, WAD, health } from "../domain/morpho.js";
import { E18, formatScaled } from "../domain/units.js";
import * as wrap from "../domain/wrapper.js";
import { valuePosition } from "../domain/yield.js";
import type { ReadContext } from "./read.js";
import { at } from "./snapshot.js";

type Row = Record<string, any>;

/** How an address holds units: as their owner, or as a DeFi contract holding them for owners. */
export type HolderKind = "holder" | "wrapper" | "collateralAdapter" | "morpho";

/** Whether the DeFi contracts are indexed (the wrapper factory is configured). */
export const defiEnabled = (read: ReadContext) => !!read.ctx.config.contracts.wrapperFactory;

/** The kind of `address` at block `n`. */
export async function kindOf(read: ReadContext, n: number, address: string): Promise<HolderKind> {
  const c = read.ctx.config.contracts;
  if (c.morpho && address === c.morpho) return "morpho";
  if (c.collateralAdapter && address === c.collateralAdapter) return "collateralAdapter";
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

/** `LendingValuation` of `units` by valuation oracle `address` at block `n` (null: not an oracle of the token). */
export async function lendingValuation(read: ReadContext, n: number, address: string, units: bigint) {
  const l = await read.snaps.lendingAt(n, address);
  if (!l) return null;
  const { o, v, today } = l;
  const d = await read.snaps.defiAt(n);
  const marketIds = [...d.markets.values()].filter((m) => m.oracle === address).map((m) => m.id as string).sort();
  return {
    oracle: address,
    seriesId: String(o.series_id),
    quote: o.quote === 1 ? "usd" : "sats",
    status: v.status,
    loanToken: o.loan_token,
    loanDecimals: o.loan_decimals,
    windowDays: o.window_days,
    haircutBps: o.haircut_bps,
    maxAgeDays: o.max_age_days,
    halvingDay: Number(o.halving_day),
    asOfDay: today,
    latestDay: v.status === "noOracleData" ? null : v.latestDay,
    daysUsed: v.daysUsed,
    remainingDays: v.remainingDays,
    avgNetE18: v.avgNetE18.toString(),
    remainingAfterHalving: v.remainingAfterHalving,
    avgNetAfterHalvingE18: v.avgNetAfterHalvingE18.toString(),
    unitValueE18: v.unitValueE18.toString(),
    priceE36: v.price?.toString() ?? null,
    answer: v.answer?.toString() ?? null,
    units: units.toString(),
    valueSats: ((units * v.unitValueE18) / E18).toString(),
    valueLoanAssets: v.price === null ? null : ((units * v.price) / ORACLE_PRICE_SCALE).toString(),
    marketIds,
    _price: v.price,
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

/** One market's rows of a holder: its Morpho position and its adapter record (null: none). */
export interface CollateralRows {
  marketId: string;
  morpho: Row | null;
  record: Row | null;
}

/** Wrapped and collateral rows of some holders at one block, by `holder|seriesId`. */
export interface Holdings {
  wrapped: Map<string, Row>;
  collateral: Map<string, CollateralRows[]>;
}

const key = (holder: string, id: unknown) => `${holder}|${String(id)}`;

/** Loads the wrapped positions, Morpho positions and adapter records of `holders` at block `n` (3 statements). */
export async function loadHoldings(read: ReadContext, n: number, holders: string[]): Promise<Holdings> {
  const out: Holdings = { wrapped: new Map(), collateral: new Map() };
  if (!defiEnabled(read) || holders.length === 0 || n < 0) return out;
  const q = (table: string) => read.ctx.db.query(`SELECT t.* FROM ${table} t WHERE t.holder = ANY($1::text[]) AND ${at("t", n)}`, [holders]);
  const [wrapped, morpho, records] = await Promise.all([q("wrapper_positions"), q("morpho_positions"), q("adapter_accounts")]);
  for (const r of wrapped) out.wrapped.set(key(r.holder, r.series_id), r);
  const entry = (r: Row) => {
    const k = key(r.holder, r.series_id);
    let list = out.collateral.get(k);
    if (!list) out.collateral.set(k, (list = []));
    let e = list.find((x) => x.marketId === r.market_id);
    if (!e) list.push((e = { marketId: r.market_id, morpho: null, record: null }));
    return e;
  };
  for (const r of morpho) entry(r).morpho = r;
  for (const r of records) entry(r).record = r;
  for (const list of out.collateral.values()) list.sort((a, b) => (a.marketId < b.marketId ? -1 : 1));
  return out;
}

/** Series ids `holder` holds through DeFi contracts in `h`. */
export function defiSeriesOf(h: Holdings, holder: string): string[] {
  const ids = new Set<string>();
  for (const m of [h.wrapped, h.collateral]) for (const k of m.keys()) if (k.startsWith(holder + "|")) ids.add(k.slice(holder.length + 1));
  return [...ids];
}

/** The token's accumulator of series row `sr` (sats per unit × 1e36). */
const accOf = (sr: Row) => BigInt(sr.acc_per_unit_e36);

/** `WrappedHolding` of `holder` in series row `sr` at block `n` (null: no wrapped position ever). */
export function wrappedHolding(read: ReadContext, n: number, sr: Row, r: Row | undefined) {
  if (!r) return null;
  const acc = accOf(sr);
  const h = { balance: BigInt(r.balance), paidE36: BigInt(r.paid_e36), accruedE36: BigInt(r.accrued_e36) };
  const claimable = wrap.claimable(h, acc);
  return {
    wrapper: r.wrapper,
    balance: h.balance.toString(),
    claimableSats: claimable.toString(),
    claimedSats: String(r.claimed),
    paidE36: h.paidE36.toString(),
    accruedE36: h.accruedE36.toString(),
    accPerUnitE36: acc.toString(),
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
  const hasAdapter = !!read.ctx.config.contracts.collateralAdapter;
  const acc = accOf(sr);
  const out = [];
  for (const e of entries) {
    const m = d.markets.get(e.marketId);
    const wrapper = (m?.collateral_token ?? e.record?.wrapper) as string;
    // the adapter's `claimable` view: pool + what the wrapper owes Morpho now, over max(recorded, held)
    let claimable: bigint | null = null;
    const recorded = e.record ? BigInt(e.record.collateral) : 0n;
    if (hasAdapter) {
      const pr = d.pools.get(wrapper);
      const pool: adapter.AdapterPool = pr
        ? {
            totalRecorded: BigInt(pr.total_recorded), accPerUnitE36: BigInt(pr.acc_per_unit_e36), carryE36: BigInt(pr.carry_e36),
            unallocatedE36: BigInt(pr.unallocated_e36), received: BigInt(pr.received), paid: BigInt(pr.paid),
          }
        : adapter.emptyPool();
      const mh = d.morphoHeld.get(wrapper);
      const held = mh ? { balance: BigInt(mh.balance), paidE36: BigInt(mh.paid_e36), accruedE36: BigInt(mh.accrued_e36) } : null;
      const account: adapter.AdapterAccount = e.record
        ? { collateral: recorded, paidE36: BigInt(e.record.paid_e36), accruedE36: BigInt(e.record.accrued_e36) }
        : { collateral: 0n, paidE36: 0n, accruedE36: 0n };
      claimable = adapter.claimable(pool, account, held ? wrap.claimable(held, acc) : 0n, held?.balance ?? 0n);
    }
    const collateral = e.morpho ? BigInt(e.morpho.collateral) : m ? 0n : null;
    const borrowShares = e.morpho ? BigInt(e.morpho.borrow_shares) : m ? 0n : null;
    const units = collateral ?? recorded;
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
    out.push({
      marketId: e.marketId,
      market: m ? marketObj(m) : null,
      wrapper,
      collateral: collateral?.toString() ?? null,
      borrowShares: borrowShares?.toString() ?? null,
      borrowedAssets: hl?.borrowedAssets.toString() ?? null,
      recordedCollateral: hasAdapter ? recorded.toString() : null,
      claimableSats: claimable?.toString() ?? null,
      claimedSats: hasAdapter ? String(e.record?.claimed ?? 0) : null,
      collateralValueLoanAssets: hl?.collateralValue?.toString() ?? null,
      maxBorrowAssets: hl?.maxBorrow?.toString() ?? null,
      ltvBps: hl?.ltvBps?.toString() ?? null,
      lltvBps: m ? Number((BigInt(m.lltv) * 10_000n) / WAD) : null,
      healthy: hl?.healthy ?? null,
      valuation: () => holderValuation(read, n, sr, units),
      lendingValuation: lending,
      updatedBlock: Math.max(Number(e.morpho?.block_from ?? -1), Number(e.record?.block_from ?? -1)),
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
    accPerUnitE36: String(sr.acc_per_unit_e36),
    createdBlock: Number(w.created_block),
    markets: markets.map(marketObj),
    adapterPool: poolObj(d.pools.get(w.address)),
  };
}

/** The adapter's pool of a wrapper (`AdapterPool`, `poolOf`), null before its first use. */
function poolObj(r: Row | undefined) {
  if (!r) return null;
  return {
    totalRecorded: String(r.total_recorded),
    accPerUnitE36: String(r.acc_per_unit_e36),
    carryE36: String(r.carry_e36),
    unallocatedE36: String(r.unallocated_e36),
    receivedSats: String(r.received),
    paidSats: String(r.paid),
  };
}
