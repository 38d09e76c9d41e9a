/** GraphQL resolvers: SQL over the versioned tables, accumulator and yield math from `domain/`. */
import type { IndexerContext } from "../context.js";
import * as acc from "../../domain/accumulator.js";
import { dateOfDay } from "../../domain/units.js";
import { createSnapshots, type Snapshots } from "./snapshot.js";
import { syncReasons } from "../ops/health.js";
import { dependsOnBlock, dependsOnHolder, volatile, type CacheFlags } from "./cache.js";
import {
  collateralHoldings, defiEnabled, defiSeriesOf, holderValuation, kindOf, lendingValuations, loadHoldings, wrappedHolding, wrapperInfo,
  type HolderKind, type Holdings,
} from "./defi.js";
import { TRAILING_LONG, TRAILING_SHORT, annualised, annualisedYieldBpsE18, perUnitE18, remainingDays, trailingMean } from "../../domain/yield.js";
import { E18 } from "../../domain/units.js";
import {
  batched, lazy, live, paginate, parseAddress, parseAmount, parseDay, parseId, resolveBlock, upTo, userError,
  type OrderCol, type ReadContext,
} from "./read.js";

type Args = Record<string, any>;
type Row = Record<string, any>;

const col = (expr: string, type: OrderCol["type"], field = expr.replace(/^\w+\./, "")): OrderCol => ({ expr, type, field });
const EVENT_PK = [col("t.block_number", "bigint"), col("t.log_index", "int")];

/** FROM clause of an event table with its block's time (`block_ts`, unix seconds; see `block_times`). */
const EVENTS_FROM = (table: string) => `t.*, bt.timestamp AS block_ts FROM ${table} t LEFT JOIN block_times bt ON bt.number = t.block_number`;

/** ISO 8601 (UTC) of unix seconds `s`. */
function isoTime(s: unknown): string {
  if (s === null || s === undefined) throw new Error("block time not recorded");
  return new Date(Number(s) * 1000).toISOString();
}

/** Request context: the indexer plus the block the request reads. */
function rcOf(ctx: IndexerContext, snaps: Snapshots, args: Args): ReadContext {
  return { ctx, snaps, asOf: resolveBlock(ctx, args.block) };
}

// ------------------------------------------------------------------ series
const SERIES_SELECT = (asOf: number | null) => `
  t.*, s.supply, s.minted, s.acc_per_unit_e36, s.carry_e36, s.distributed, s.repaid, s.claimed, s.holders,
  s.days_distributed, COALESCE(d.debt, 0) AS debt
  FROM series t
  JOIN series_state s ON s.series_id = t.id AND ${live("s", asOf)}
  LEFT JOIN series_debt d ON d.series_id = t.id AND ${live("d", asOf)}`;

function seriesObj(r: Row, read: ReadContext, today: number, block = blockOf(read)) {
  const start = r.start_day as number;
  const term = r.term_days as number;
  return {
    _read: read,
    _block: block,
    id: String(r.id),
    farmAddress: r.farm,
    payoutAsset: r.payout_asset,
    hashrateThs: String(r.hashrate_ths),
    startDay: start,
    startDate: dateOfDay(start),
    termDays: term,
    lastDay: start + term - 1,
    lastDate: dateOfDay(start + term - 1),
    efficiencyJPerThE3: Number(r.efficiency_j_per_th_e3),
    poolFeeBps: r.pool_fee_bps,
    slaBps: r.sla_bps,
    powerCostUsdPerKWhE6: Number(r.power_cost_usd_per_kwh_e6),
    serviceFeeUsdPerThDayE6: Number(r.service_fee_usd_per_th_day_e6),
    cap: (BigInt(r.hashrate_ths) * BigInt(term)).toString(),
    supply: String(r.supply),
    minted: String(r.minted),
    accPerUnitE36: String(r.acc_per_unit_e36),
    carryE36: String(r.carry_e36),
    distributedSats: String(r.distributed),
    repaidSats: String(r.repaid),
    claimedSats: String(r.claimed),
    debtSats: String(r.debt),
    holderCount: r.holders,
    daysDistributed: r.days_distributed,
    status: today < start ? "upcoming" : today < start + term ? "active" : "ended",
    createdBlock: Number(r.block_from),
    createdTx: r.created_tx,
  };
}

/** The block a request reads: its `block` argument, else the checkpoint (−1 before the first range). */
function blockOf(read: ReadContext): number {
  return read.asOf ?? read.ctx.state.checkpoint?.number ?? -1;
}

async function loadSeries(read: ReadContext, id: string, n = blockOf(read)) {
  const r = n < 0 ? undefined : (await read.snaps.seriesAt(n)).get(id);
  if (!r) throw userError(`series ${id} not found${read.asOf !== null ? ` at block ${read.asOf}` : ""}`, "NOT_FOUND");
  return seriesObj(r, read, await read.snaps.dayAt(n), n);
}

// ------------------------------------------------------------------ farms
async function farmObj(read: ReadContext, r: Row) {
  return {
    _read: read,
    address: r.address,
    name: r.name,
    capacityThs: String(r.capacity_ths),
    registeredBlock: Number(r.registered_block),
  };
}

// ------------------------------------------------------------------ positions and valuation
/** Position columns plus the checkpoint the statement saw (rows and cached series then describe one block). */
const POSITION_SELECT = `
  t.series_id, t.holder, t.balance, t.paid_e36, t.accrued_e36, t.claimed, t.block_from,
  (SELECT c.block_number FROM checkpoint c WHERE c.id = 1) AS at_block
  FROM positions t`;

/**
 * Position objects for rows of POSITION_SELECT (direct ERC-1155 positions, or zero rows for series held only through
 * DeFi contracts): accumulator math here, series and valuation inputs cached per block. `holdings` are the holders'
 * wrapped and collateral rows at the same block (loaded for all rows at once, on first use, when not given).
 */
async function positionObjs(read: ReadContext, rows: Row[], holdings?: Holdings) {
  if (rows.length === 0) return [];
  const n = read.asOf ?? Number(rows[0].at_block);
  const series = await read.snaps.seriesAt(n);
  const defi = holdings ? async () => holdings : lazy(() => loadHoldings(read, n, [...new Set(rows.map((r) => r.holder as string))]));
  return rows.map((r) => {
    const id = String(r.series_id);
    const sr = series.get(id)!;
    const s: acc.SeriesAcc = { supply: BigInt(sr.supply), accPerUnitE36: BigInt(sr.acc_per_unit_e36), carryE36: BigInt(sr.carry_e36) };
    const h: acc.HolderAcc = { balance: BigInt(r.balance), paidE36: BigInt(r.paid_e36), accruedE36: BigInt(r.accrued_e36) };
    const claimable = acc.claimable(s, h);
    const claimed = BigInt(r.claimed);
    const value = lazy(() => holderValuation(read, n, sr, h.balance));
    const k = `${r.holder}|${id}`;
    const wrapped = lazy(async () => wrappedHolding(read, n, sr, (await defi()).wrapped.get(k)));
    const collateral = lazy(async () => collateralHoldings(read, n, sr, (await defi()).collateral.get(k) ?? []));
    return {
      _read: read,
      _block: n,
      _claimable: claimable,
      seriesId: id,
      holder: r.holder,
      kind: () => kindOf(read, n, r.holder),
      balance: h.balance.toString(),
      claimableSats: claimable.toString(),
      claimedSats: claimed.toString(),
      accruedSats: (claimed + claimable).toString(),
      accruedE36: (h.accruedE36 + h.balance * (s.accPerUnitE36 - h.paidE36)).toString(),
      async updatedBlock() {
        const blocks = [Number(r.block_from ?? -1), (await wrapped())?.updatedBlock ?? -1, ...(await collateral()).map((c) => c.updatedBlock)];
        return Math.max(...blocks);
      },
      remainingDays: async () => (await value()).remainingDays,
      remainingThsDays: async () => (await value()).remainingThsDays,
      valuation: value,
      lendingValuations: () => lendingValuations(read, n, id, h.balance),
      wrapped,
      collateral,
      async totalUnits() {
        return (h.balance + ((await wrapped())?._units ?? 0n) + (await collateral()).reduce((a, c) => a + c._units, 0n)).toString();
      },
      async totalClaimableSats() {
        return (claimable + ((await wrapped())?._claimable ?? 0n) + (await collateral()).reduce((a, c) => a + c._claimable, 0n)).toString();
      },
      /** anything held or claimable, directly or through DeFi contracts */
      async _active() {
        if (h.balance > 0n || claimable > 0n) return true;
        const w = await wrapped();
        if (w && (w._units > 0n || w._claimable > 0n)) return true;
        return (await collateral()).some((c) => c._active);
      },
    };
  });
}

// ------------------------------------------------------------------ event rows
/** Event-row fields of every event type. */
const eventRef = (r: Row) => ({ blockNumber: Number(r.block_number), logIndex: r.log_index, txHash: r.tx_hash, timestamp: isoTime(r.block_ts) });
const distributionObj = (r: Row) => ({
  seriesId: String(r.series_id), kind: r.kind, day: r.day, date: r.day === null ? null : dateOfDay(r.day), amountSats: String(r.amount),
  supply: String(r.supply), accPerUnitE36: String(r.acc_per_unit_e36), ...eventRef(r),
});
const settlementObj = (r: Row) => ({
  seriesId: String(r.series_id), day: r.day, date: dateOfDay(r.day), farm: r.farm, hashpriceE18: String(r.hashprice_e18), uptimeBps: r.uptime_bps,
  btcUsdE8: String(r.btc_usd_e8), grossE18: String(r.gross_e18), poolFeeE18: String(r.pool_fee_e18),
  downtimeE18: String(r.downtime_e18), compensationE18: String(r.compensation_e18), electricityE18: String(r.electricity_e18),
  serviceE18: String(r.service_e18), netE18: String(r.net_e18), supply: String(r.supply), owedSats: String(r.owed),
  fromBalanceSats: String(r.from_balance), fromCollateralSats: String(r.from_collateral), compensationSats: String(r.compensation),
  debtAddedSats: String(r.debt_added), ...eventRef(r),
});
const claimObj = (r: Row) => ({
  holder: r.holder, seriesId: String(r.series_id), receiver: r.receiver, caller: r.caller, amountSats: String(r.amount), ...eventRef(r),
});
const transferObj = (r: Row) => ({
  seriesId: String(r.series_id), from: r.from_address, to: r.to_address, operator: r.operator, amount: String(r.amount),
  batchIndex: r.batch_index, ...eventRef(r),
});
const uptimeObj = (r: Row) => ({ farm: r.farm, day: r.day, date: dateOfDay(r.day), uptimeBps: r.uptime_bps, ...eventRef(r) });
const reportObj = (r: Row) => ({
  day: r.day, date: dateOfDay(r.day), status: r.status, firstHeight: Number(r.first_height), blocks: r.blocks, bits: Number(r.bits), subsidySats: String(r.subsidy_sats),
  feesPerBlockSats: String(r.fees_per_block_sats), hashpriceE18: String(r.hashprice_e18), btcUsdE8: String(r.btc_usd_e8),
  priceFromFeed: r.price_from_feed, violations: r.violations,
});

/** Adds `cond` with its parameter to a where list. */
function addCond(where: string[], params: unknown[], cond: (p: string) => string, value: unknown) {
  params.push(value);
  where.push(cond(`$${params.length}`));
}

function dayFilters(where: string[], params: unknown[], w: Args | undefined) {
  if (w?.dayGte != null) addCond(where, params, (p) => `t.day >= ${p}`, parseDay(w.dayGte, "where.dayGte"));
  if (w?.dayLte != null) addCond(where, params, (p) => `t.day <= ${p}`, parseDay(w.dayLte, "where.dayLte"));
}

/** A bps value as a GraphQL Int (an error, not a wrong number, beyond 2^31 − 1). */
function bpsInt(v: bigint, field: string): number {
  if (v > 2_147_483_647n) throw userError(`${field}: ${v} bps does not fit an Int (unit price too small)`);
  return Number(v);
}

/**
 * The price of one unit of series `s` at the block read, sats × 1e18, for `annualisedYieldBps`: the unit value its
 * SeriesValuationOracle serves (the on-chain lending valuation, after the stale policy; the first oracle by address
 * with a positive value), else the holder's view (remaining days × trailing net per TH/s·day ÷ termDays); 0 after
 * the term or without any data.
 */
async function unitPrice(read: ReadContext, s: { id: string; startDay: number; termDays: number; _block: number }) {
  const n = s._block;
  if (n < 0) return { priceE18: 0n, source: "none" as const };
  for (const l of await lendingValuations(read, n, s.id, 1n)) {
    if (l.unitValueE18 !== null && BigInt(l.unitValueE18) > 0n) return { priceE18: BigInt(l.unitValueE18), source: "lendingOracle" as const };
  }
  const v = await read.snaps.valuationAt(n, s.id);
  const priceE18 = (BigInt(remainingDays(s.startDay, s.termDays, v.today)) * v.net) / BigInt(s.termDays);
  return { priceE18, source: priceE18 > 0n ? ("holderView" as const) : ("none" as const) };
}

/** SQL condition on `t.holder` keeping holders of `kind` (the wrappers and Morpho Blue at the block read). */
async function kindCondition(read: ReadContext, kind: HolderKind): Promise<string> {
  const n = blockOf(read);
  const contracts = [...(defiEnabled(read) && n >= 0 ? (await read.snaps.defiAt(n)).wrappers.keys() : [])];
  const morpho = read.ctx.config.contracts.morpho;
  const list = (xs: string[]) => xs.filter((x) => /^0x[0-9a-f]{40}$/.test(x)).map((x) => `'${x}'`).join(", ");
  const of = kind === "wrapper" ? contracts : kind === "morpho" ? (morpho ? [morpho] : []) : [...contracts, ...(morpho ? [morpho] : [])];
  if (of.length === 0) return kind === "holder" ? "TRUE" : "FALSE";
  return `t.holder ${kind === "holder" ? "NOT IN" : "IN"} (${list(of)})`;
}

/** Builds the resolver map for `ctx`. */
export function createResolvers(ctx: IndexerContext) {
  const snaps = createSnapshots(ctx);
  const rc = (c: IndexerContext, args: Args) => rcOf(c, snaps, args);
  /**
   * Current position rows of one holder (ordered by series), batched: the lookups of all requests that arrive in one
   * turn of the event loop share one statement (one round trip, one snapshot: its rows carry the same `at_block`).
   */
  const currentPositions = batched<string, Row[]>(async (holders) => {
    const rows = await ctx.db.query(`SELECT ${POSITION_SELECT} WHERE t.holder = ANY($1::text[]) AND t.block_to IS NULL ORDER BY t.holder, t.series_id`, [holders]);
    const by = new Map<string, Row[]>(holders.map((h) => [h, []]));
    for (const r of rows) by.get(r.holder)!.push(r);
    return holders.map((h) => by.get(h)!);
  });
  const dayOf = (read: ReadContext) => (blockOf(read) < 0 ? Promise.resolve(0) : snaps.dayAt(blockOf(read)));
  return {
    Query: {
      _meta(_: unknown, __: unknown, c: { responseCache?: CacheFlags }) {
        volatile(c); // head, lag, phase and readiness change between checkpoints: never from the response cache
        const { state, config } = ctx;
        const cp = state.checkpoint;
        const lag = state.head !== null && cp ? Math.max(0, state.head - cp.number) : state.head ?? 0;
        return {
          block: cp?.number ?? null,
          hash: cp?.hash ?? null,
          timestamp: cp ? isoTime(cp.timestamp) : null,
          finalizedBlock: state.finalized,
          headBlock: state.head,
          lagBlocks: lag,
          chainId: state.chainId,
          phase: state.phase,
          ready: isReady(ctx),
        };
      },

      async account(_: unknown, args: Args, c: { responseCache?: CacheFlags }) {
        const read = rc(ctx, args);
        const address = parseAddress(args.address);
        dependsOnHolder(c, address); // its answer changes with this holder's rows (and with events other than transfers)
        return { _read: read, address };
      },

      series: (_: unknown, args: Args) => loadSeries(rc(ctx, args), parseId(args.id)),

      async seriesList(_: unknown, args: Args) {
        const read = rc(ctx, args);
        const today = await dayOf(read);
        const where = [live("t", read.asOf)];
        const params: unknown[] = [];
        const w = args.where ?? {};
        if (w.farm != null) addCond(where, params, (p) => `t.farm = ${p}`, parseAddress(w.farm, "where.farm"));
        if (w.payoutAsset != null) addCond(where, params, (p) => `t.payout_asset = ${p}`, parseAddress(w.payoutAsset, "where.payoutAsset"));
        if (w.status === "upcoming") where.push(`t.start_day > ${today}`);
        if (w.status === "active") where.push(`t.start_day <= ${today} AND t.start_day + t.term_days > ${today}`);
        if (w.status === "ended") where.push(`t.start_day + t.term_days <= ${today}`);
        const order = { id: col("t.id", "numeric"), startDay: col("t.start_day", "int"), supply: col("s.supply", "numeric") }[
          args.orderBy as "id"
        ];
        const page = await paginate(read, {
          select: SERIES_SELECT(read.asOf), where, params, order, pk: [col("t.id", "numeric")],
          direction: args.orderDirection, first: args.first, after: args.after,
        });
        return { ...page, items: page.items.map((r) => seriesObj(r, read, today)) };
      },

      async farm(_: unknown, args: Args) {
        const read = rc(ctx, args);
        const address = parseAddress(args.address);
        const [r] = await ctx.db.query(`SELECT t.* FROM farms t WHERE t.address = $1 AND ${live("t", read.asOf)}`, [address]);
        if (!r) throw userError(`farm ${address} not found${read.asOf !== null ? ` at block ${read.asOf}` : ""}`, "NOT_FOUND");
        return farmObj(read, r);
      },

      async farms(_: unknown, args: Args) {
        const read = rc(ctx, args);
        const order = args.orderBy === "capacity" ? col("t.capacity_ths", "numeric") : col("t.address", "text");
        const page = await paginate(read, {
          select: "t.* FROM farms t", where: [live("t", read.asOf)], params: [], order, pk: [col("t.address", "text")],
          direction: args.orderDirection, first: args.first, after: args.after,
        });
        return { ...page, items: await Promise.all(page.items.map((r) => farmObj(read, r))) };
      },

      async holders(_: unknown, args: Args) {
        const read = rc(ctx, args);
        const id = parseId(args.seriesId, "seriesId");
        const [exists] = await ctx.db.query(`SELECT 1 FROM series t WHERE t.id = $1 AND ${live("t", read.asOf)}`, [id]);
        if (!exists) throw userError(`series ${id} not found`, "NOT_FOUND");
        const where = [live("t", read.asOf), "t.series_id = $1"];
        const params: unknown[] = [id];
        const w = args.where ?? {};
        if (!w.includeEmpty) where.push("t.balance > 0");
        if (w.balanceGte != null) addCond(where, params, (p) => `t.balance >= ${p}::numeric`, parseAmount(w.balanceGte, "where.balanceGte").toString());
        if (w.kind != null) where.push(await kindCondition(read, w.kind));
        if (w.holderIn != null) {
          addCond(where, params, (p) => `t.holder = ANY(${p}::text[])`, (w.holderIn as string[]).map((a) => parseAddress(a, "where.holderIn")));
        }
        const order = args.orderBy === "holder" ? col("t.holder", "text") : col("t.balance", "numeric");
        const page = await paginate(read, {
          select: POSITION_SELECT, where, params, order, pk: [col("t.holder", "text")],
          direction: args.orderDirection, first: args.first, after: args.after,
        });
        return { ...page, items: await positionObjs(read, page.items) };
      },

      async distributions(_: unknown, args: Args) {
        const read = rc(ctx, args);
        const where = [upTo("t", read.asOf)];
        const params: unknown[] = [];
        const w = args.where ?? {};
        if (w.seriesId != null) addCond(where, params, (p) => `t.series_id = ${p}::numeric`, parseId(w.seriesId, "where.seriesId"));
        if (w.kind != null) addCond(where, params, (p) => `t.kind = ${p}`, w.kind);
        dayFilters(where, params, w);
        const order = {
          block: col("t.block_number", "bigint"), day: col("COALESCE(t.day, -1)", "int", "day_"), amount: col("t.amount", "numeric"),
        }[args.orderBy as "block"];
        const page = await paginate(read, {
          select: `COALESCE(t.day, -1) AS day_, ${EVENTS_FROM("distributions")}`, where, params, order, pk: EVENT_PK,
          direction: args.orderDirection, first: args.first, after: args.after,
        });
        return { ...page, items: page.items.map(distributionObj) };
      },

      async settlements(_: unknown, args: Args) {
        const read = rc(ctx, args);
        const where = [upTo("t", read.asOf)];
        const params: unknown[] = [];
        const w = args.where ?? {};
        if (w.seriesId != null) addCond(where, params, (p) => `t.series_id = ${p}::numeric`, parseId(w.seriesId, "where.seriesId"));
        if (w.farm != null) addCond(where, params, (p) => `t.farm = ${p}`, parseAddress(w.farm, "where.farm"));
        dayFilters(where, params, w);
        const order = { block: col("t.block_number", "bigint"), day: col("t.day", "int"), net: col("t.net_e18", "numeric") }[
          args.orderBy as "block"
        ];
        const page = await paginate(read, {
          select: EVENTS_FROM("settlements"), where, params, order, pk: EVENT_PK, direction: args.orderDirection,
          first: args.first, after: args.after,
        });
        return { ...page, items: page.items.map(settlementObj) };
      },

      async claims(_: unknown, args: Args) {
        const read = rc(ctx, args);
        const where = [upTo("t", read.asOf)];
        const params: unknown[] = [];
        const w = args.where ?? {};
        if (w.holder != null) addCond(where, params, (p) => `t.holder = ${p}`, parseAddress(w.holder, "where.holder"));
        if (w.receiver != null) addCond(where, params, (p) => `t.receiver = ${p}`, parseAddress(w.receiver, "where.receiver"));
        if (w.seriesId != null) addCond(where, params, (p) => `t.series_id = ${p}::numeric`, parseId(w.seriesId, "where.seriesId"));
        const order = args.orderBy === "amount" ? col("t.amount", "numeric") : col("t.block_number", "bigint");
        const page = await paginate(read, {
          select: EVENTS_FROM("claims"), where, params, order, pk: EVENT_PK, direction: args.orderDirection,
          first: args.first, after: args.after,
        });
        return { ...page, items: page.items.map(claimObj) };
      },

      async transfers(_: unknown, args: Args) {
        const read = rc(ctx, args);
        const where = [upTo("t", read.asOf)];
        const params: unknown[] = [];
        const w = args.where ?? {};
        if (w.seriesId != null) addCond(where, params, (p) => `t.series_id = ${p}::numeric`, parseId(w.seriesId, "where.seriesId"));
        if (w.from != null) addCond(where, params, (p) => `t.from_address = ${p}`, parseAddress(w.from, "where.from"));
        if (w.to != null) addCond(where, params, (p) => `t.to_address = ${p}`, parseAddress(w.to, "where.to"));
        if (w.account != null) {
          addCond(where, params, (p) => `(t.from_address = ${p} OR t.to_address = ${p})`, parseAddress(w.account, "where.account"));
        }
        const page = await paginate(read, {
          select: EVENTS_FROM("transfers"), where, params, order: col("t.block_number", "bigint"),
          pk: [...EVENT_PK, col("t.batch_index", "int")], direction: args.orderDirection, first: args.first, after: args.after,
        });
        return { ...page, items: page.items.map(transferObj) };
      },

      async dailyReports(_: unknown, args: Args) {
        const read = rc(ctx, args);
        const where = [live("t", read.asOf)];
        const params: unknown[] = [];
        const w = args.where ?? {};
        dayFilters(where, params, w);
        if (w.status != null) addCond(where, params, (p) => `t.status = ${p}`, w.status);
        const page = await paginate(read, {
          select: "t.* FROM daily_reports t", where, params, order: col("t.day", "int"), pk: [], direction: args.orderDirection,
          first: args.first, after: args.after,
        });
        return { ...page, items: page.items.map(reportObj) };
      },

      async uptimes(_: unknown, args: Args) {
        const read = rc(ctx, args);
        const where = [upTo("t", read.asOf)];
        const params: unknown[] = [];
        const w = args.where ?? {};
        if (w.farm != null) addCond(where, params, (p) => `t.farm = ${p}`, parseAddress(w.farm, "where.farm"));
        dayFilters(where, params, w);
        const page = await paginate(read, {
          select: EVENTS_FROM("uptimes"), where, params, order: col("t.day", "int"), pk: [col("t.farm", "text")],
          direction: args.orderDirection, first: args.first, after: args.after,
        });
        return { ...page, items: page.items.map(uptimeObj) };
      },

      async yieldHistory(_: unknown, args: Args) {
        const read = rc(ctx, args);
        const s = await loadSeries(read, parseId(args.seriesId, "seriesId"));
        const given = args.unitPriceSats != null ? parseAmount(args.unitPriceSats, "unitPriceSats") : null;
        if (given === 0n) throw userError("unitPriceSats: must be > 0");
        const { priceE18, source } = given !== null ? { priceE18: given * E18, source: "given" as const } : await unitPrice(read, s);
        let to: number | null = args.to != null ? parseDay(args.to, "to") : null;
        if (to === null) {
          const [r] = await ctx.db.query(
            `SELECT max(t.day) AS day FROM settlements t WHERE t.series_id = $1::numeric AND ${upTo("t", read.asOf)}`,
            [s.id],
          );
          to = r?.day ?? (await dayOf(read));
        }
        const from = args.from != null ? parseDay(args.from, "from") : to! - 29;
        if (from > to!) throw userError(`from: ${from} is after to (${to})`);
        if (to! - from >= 3660) throw userError(`from..to: at most 3660 days (asked ${to! - from + 1})`);
        const rows = await ctx.db.query(
          `SELECT t.* FROM settlements t WHERE t.series_id = $1::numeric AND t.day >= $2 AND t.day <= $3 AND ${upTo("t", read.asOf)}
           ORDER BY t.day`,
          [s.id, from - TRAILING_LONG + 1, to],
        );
        const term = s.termDays;
        const net = new Map<number, bigint>(rows.map((r) => [r.day as number, perUnitE18(BigInt(r.net_e18), term)]));
        const days = rows
          .filter((r) => r.day >= from)
          .map((r) => {
            const pu = (k: string) => perUnitE18(BigInt(r[k]), term);
            const t7 = trailingMean(net, r.day, TRAILING_SHORT).mean ?? 0n;
            const t30 = trailingMean(net, r.day, TRAILING_LONG).mean ?? 0n;
            const fees = BigInt(r.electricity_e18) + BigInt(r.service_e18);
            return {
              day: r.day, date: dateOfDay(r.day), hashpriceE18: String(r.hashprice_e18), uptimeBps: r.uptime_bps,
              btcUsdE8: String(r.btc_usd_e8),
              grossPerUnitSatsE18: pu("gross_e18").toString(),
              feesPerUnitSatsE18: perUnitE18(fees, term).toString(),
              poolFeePerUnitSatsE18: pu("pool_fee_e18").toString(),
              electricityPerUnitSatsE18: pu("electricity_e18").toString(),
              servicePerUnitSatsE18: pu("service_e18").toString(),
              downtimePerUnitSatsE18: pu("downtime_e18").toString(),
              compensationPerUnitSatsE18: pu("compensation_e18").toString(),
              netPerUnitSatsE18: pu("net_e18").toString(),
              trailing7NetPerUnitSatsE18: t7.toString(),
              trailing30NetPerUnitSatsE18: t30.toString(),
              annualisedNetPerUnitSatsE18: annualised(t30).toString(),
              annualisedYieldBps: priceE18 > 0n ? bpsInt(annualisedYieldBpsE18(t30, priceE18), "annualisedYieldBps") : null,
              supply: String(r.supply), owedSats: String(r.owed), debtAddedSats: String(r.debt_added),
            };
          });
        return {
          seriesId: s.id, termDays: term, from, to, unitPriceSats: given?.toString() ?? null, unitPriceSatsE18: priceE18.toString(), priceSource: source, days,
        };
      },
    },

    Account: {
      async positions(a: { _read: ReadContext; address: string }, args: Args, c: { responseCache?: CacheFlags }) {
        const read = a._read;
        if (defiEnabled(read)) dependsOnBlock(c); // the owner view reads wrapper and Morpho state too
        const rows = read.asOf === null
          ? [...(await currentPositions(a.address))] // a copy: the batch shares it, the owner view adds rows
          : await ctx.db.query(`SELECT ${POSITION_SELECT} WHERE t.holder = $1 AND ${live("t", read.asOf)} ORDER BY t.series_id`, [a.address]);
        let objs;
        if (defiEnabled(read)) {
          // the owner view: also the series held only through the wrapper or as Morpho collateral
          const n = read.asOf ?? (rows.length ? Number(rows[0].at_block) : (ctx.state.checkpoint?.number ?? -1));
          const holdings = await loadHoldings(read, n, [a.address]);
          const have = new Set(rows.map((r) => String(r.series_id)));
          for (const id of defiSeriesOf(holdings, a.address)) {
            if (!have.has(id)) rows.push({ series_id: id, holder: a.address, balance: "0", paid_e36: "0", accrued_e36: "0", claimed: "0", block_from: -1, at_block: n });
          }
          rows.sort((x, y) => (BigInt(x.series_id) < BigInt(y.series_id) ? -1 : 1));
          objs = await positionObjs({ ...read, asOf: read.asOf ?? (n >= 0 ? n : null) }, rows, holdings);
          if (args.includeEmpty) return objs;
          const active = await Promise.all(objs.map((p) => p._active()));
          return objs.filter((_, i) => active[i]);
        }
        objs = await positionObjs(read, rows);
        return args.includeEmpty ? objs : objs.filter((p) => p.balance !== "0" || p.claimableSats !== "0");
      },
      kind: (a: { _read: ReadContext; address: string }) => {
        const n = a._read.asOf ?? a._read.ctx.state.checkpoint?.number ?? -1;
        return kindOf(a._read, n, a.address);
      },
      async claimer(a: { _read: ReadContext; address: string }) {
        const [r] = await ctx.db.query(
          `SELECT t.value FROM kv t WHERE t.contract = 'token' AND t.key = $1 AND ${live("t", a._read.asOf)}`,
          [`claimer:${a.address}`],
        );
        return r && r.value !== "0x0000000000000000000000000000000000000000" ? r.value : null;
      },
    },

    Position: {
      series: (p: { _read: ReadContext; _block: number; seriesId: string }) => loadSeries(p._read, p.seriesId, p._block),
    },

    Series: {
      async wrapper(s: { _read: ReadContext; id: string; _block: number }) {
        const sr = (await s._read.snaps.seriesAt(s._block)).get(s.id);
        return sr ? wrapperInfo(s._read, s._block, sr) : null;
      },
      lendingValuations: (s: { _read: ReadContext; id: string; _block: number }) => lendingValuations(s._read, s._block, s.id, 1n),
      async farm(s: { _read: ReadContext; farmAddress: string }) {
        const [r] = await ctx.db.query(`SELECT t.* FROM farms t WHERE t.address = $1 AND ${live("t", s._read.asOf)}`, [s.farmAddress]);
        if (!r) throw userError(`farm ${s.farmAddress} not found`, "NOT_FOUND");
        return farmObj(s._read, r);
      },
    },

    Farm: {
      async series(f: { _read: ReadContext; address: string }) {
        const read = f._read;
        const rows = await ctx.db.query(`SELECT ${SERIES_SELECT(read.asOf)} WHERE t.farm = $1 AND ${live("t", read.asOf)} ORDER BY t.id`, [
          f.address,
        ]);
        const today = await dayOf(read);
        return rows.map((r) => seriesObj(r, read, today));
      },
      async pools(f: { _read: ReadContext; address: string }) {
        const rows = await ctx.db.query(`SELECT t.* FROM farm_pools t WHERE t.farm = $1 AND ${live("t", f._read.asOf)} ORDER BY t.asset`, [
          f.address,
        ]);
        return rows.map((r) => ({
          asset: r.asset, payoutBalanceSats: String(r.payout_balance), collateralSats: String(r.collateral),
          depositedSats: String(r.deposited), fundingWithdrawnSats: String(r.funding_withdrawn),
          collateralPostedSats: String(r.collateral_posted), collateralWithdrawnSats: String(r.collateral_withdrawn),
          paidFromBalanceSats: String(r.paid_from_balance), slashedSats: String(r.slashed), debtRepaidSats: String(r.debt_repaid),
        }));
      },
      async debtSats(f: { _read: ReadContext; address: string }) {
        const [r] = await ctx.db.query(
          `SELECT COALESCE(sum(t.debt), 0)::text AS debt FROM series_debt t WHERE t.farm = $1 AND ${live("t", f._read.asOf)}`,
          [f.address],
        );
        return r.debt;
      },
    },
  };
}

/** Ready: no reason of `ops/health.ts` without the database probe (polling normally, within `readyLagBlocks`, …). */
export function isReady(ctx: IndexerContext): boolean {
  return syncReasons(ctx).length === 0;
}
